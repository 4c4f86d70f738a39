"""How an audit grows with the episode: seconds to audit 500 to 5,000 procedures, by hand.

    python tests/benchmarks/bench_audit.py [--sizes 500,1719,5000] [--one-day]

Procedures alternate mbb, rfa and esi, each with a same-day outcome (80%, functional
improvement); with --one-day they all fall on one day.  Not run by CI.
"""

from __future__ import annotations

import argparse
import time

import policies
from episodes import Episode, audit
from episodes.testing import EpisodeBuilder


def episode(n: int, one_day: bool) -> Episode:
    b = EpisodeBuilder("lumbar").onset("2020-01-01").care("physical_therapy", "2020-01-01", "2020-06-01")
    for i in range(n):
        d = "2021-03-01" if one_day else f"{2021 + i // 336}-{1 + (i % 12):02d}-{1 + (i // 12) % 28:02d}"
        b.block(d, 80, ["L4-L5"], fi=True, procedure=("mbb", "rfa", "esi")[i % 3])
    return b.build()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sizes", default="500,1719,5000")
    ap.add_argument("--one-day", action="store_true")
    args = ap.parse_args()
    ids = policies.available()
    print("procedures  " + "  ".join(f"{i:>20}" for i in ids) + "   (seconds)")
    for n in (int(x) for x in args.sizes.split(",")):
        ep = episode(n, args.one_day)
        row = []
        for pid in ids:
            t = time.perf_counter()
            audit(ep, policies.load(pid))
            row.append(time.perf_counter() - t)
        print(f"{n:>10}  " + "  ".join(f"{x:>20.2f}" for x in row))


if __name__ == "__main__":
    main()
