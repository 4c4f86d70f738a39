"""How an audit grows with the episode: seconds to audit 500 to 10,000 procedures, by hand.

    python tests/benchmarks/bench_audit.py [--sizes 500,1719,5000,10000] [--one-day] [--runs 3]
                                           [--each care|exam|imaging|...|all] [--plan]

Procedures alternate mbb, rfa and esi, each with a same-day outcome (80%, functional
improvement); with --one-day they all fall on one day; with --each, each procedure comes with
one more event of that type (a care course, an exam, an MRI, ...; all: one of each), so the
rules reading those grow too; with --plan, the figures are of next_eligible on the whole history instead (a
plan reads one cut, in milliseconds).  Each figure is the best of --runs
audits (garbage collection on, as a caller has it); the last column is how the time grew
from the size before, against how the size grew (linear: the two alike).  Not run by CI.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import policies
from episodes import Episode, audit, next_eligible
from episodes.testing import EpisodeBuilder

#: One more event beside each procedure, by type (--each).
EACH: dict[str, Callable[[EpisodeBuilder, str, int], object]] = {
    "care": lambda b, d, i: b.care(("physical_therapy", "nsaid")[i % 2], d, None if i % 5 else d),
    "exam": lambda b, d, i: b.exam(d, nrs=7, radicular_signs=False),
    "imaging": lambda b, d, i: b.imaging(d, ("mri", "xray")[i % 2], levels=["L4-L5"]),
    "diagnosis": lambda b, d, i: b.diagnosis("M47.816", d),
    "documentation": lambda b, d, i: b.document("functional_assessment", d),
    "condition": lambda b, d, i: b.condition("pregnancy", d, d),
    "authorization": lambda b, d, i: b.authorization(("mbb", "rfa", "esi")[i % 3], d, levels=["L4-L5"]),
}


def episode(n: int, one_day: bool, each: str | None = None) -> Episode:
    b = EpisodeBuilder("lumbar").onset("2020-01-01").care("physical_therapy", "2020-01-01", "2020-06-01")
    for i in range(n):
        d = "2021-03-01" if one_day else f"{2021 + i // 336}-{1 + (i % 12):02d}-{1 + (i // 12) % 28:02d}"
        for kind in EACH if each == "all" else [each] if each else []:
            EACH[kind](b, d, i)
        b.block(d, 80, ["L4-L5"], fi=True, procedure=("mbb", "rfa", "esi")[i % 3])
    return b.build()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sizes", default="500,1719,5000,10000")
    ap.add_argument("--one-day", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--each", choices=[*sorted(EACH), "all"])
    ap.add_argument("--plan", action="store_true")
    args = ap.parse_args()
    ids = policies.available()
    unit, scale = ("milliseconds", 1000) if args.plan else ("seconds", 1)
    print("procedures  " + "  ".join(f"{i:>20}" for i in ids) + f"   ({unit})   growth: time / size")
    before: tuple[int, float] | None = None
    for n in (int(x) for x in args.sizes.split(",")):
        ep = episode(n, args.one_day, args.each)
        row = []
        for pid in ids:
            policy = policies.load(pid)
            best = float("inf")
            for _ in range(args.runs):
                fresh = Episode(ep.patient_id, ep.region).record(list(ep.events))  # no cut kept
                t = time.perf_counter()
                next_eligible(fresh, policy, "2060-01-01") if args.plan else audit(fresh, policy)
                best = min(best, time.perf_counter() - t)
            row.append(best * scale)
        growth = f"{sum(row) / before[1]:.1f} / {n / before[0]:.1f}" if before else ""
        print(f"{n:>10}  " + "  ".join(f"{x:>20.2f}" for x in row) + f"   {growth}")
        before = (n, sum(row))


if __name__ == "__main__":
    main()
