"""A payer's population as JSON lines, seeded: the worklist's benchmarks and examples.

Episodes come from :func:`episodes.testing.strategies.build_episode` (realistic
ones, 5 to 40 events), each moved in time so that its last event falls within
``recent`` days before ``as_of``: a population that is being treated on the
day it is planned, as a payer's overnight run sees it.  Building an episode
takes about 0.8 ms, so beyond ``distinct`` lines the episodes repeat, each
moved by its own number of days and given its own patient id: every line is
still read and planned afresh.

    python -m episodes.testing.population 1000000 population.jsonl --as-of 2026-04-10
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import policies

from .._time import as_date, days_between, parse_date, shift
from .strategies import Choices, build_episode

#: The date fields of the wire format's events.
DATE_FIELDS = ("date", "start", "end")


def moved(episode: dict[str, Any], days: int) -> dict[str, Any]:
    """The episode with every date moved by ``days`` (negative: earlier)."""
    events = [
        {k: (shift(parse_date(v), days).isoformat() if k in DATE_FIELDS and v else v) for k, v in e.items()}
        for e in episode["events"]
    ]
    return {**episode, "events": events}


def last_date(episode: dict[str, Any]) -> date:
    return max(parse_date(e[k]) for e in episode["events"] for k in DATE_FIELDS if e.get(k))


def population(
    n: int,
    seed: int,
    as_of: date | str,
    policy_ids: Sequence[str] | None = None,
    events: tuple[int, int] = (5, 40),
    distinct: int = 20_000,
    recent: int = 120,
) -> Iterator[dict[str, Any]]:
    """``n`` episode dicts, the same for the same arguments, lazily.

    Each is built for one of ``policy_ids`` in turn (default: every bundled policy),
    with ``events[0]`` to ``events[1]`` events, its last event 0 to ``recent`` days
    before ``as_of``; patient ids ``P00000001`` on.
    """
    on = as_date(as_of)
    loaded = [policies.load(pid) for pid in (policy_ids or policies.available())]
    g = Choices.seeded(random.Random(seed))
    rng = random.Random(seed + 1)
    made: list[dict[str, Any]] = []
    for i in range(n):
        if i < distinct:
            base = build_episode(g, None, loaded[i % len(loaded)], *events)
            made.append(base)
        else:
            base = made[i % distinct]
        days = days_between(last_date(base), on) - rng.randint(0, recent)
        yield {**moved(base, days), "patient_id": f"P{i + 1:08d}"}


def write(path: str | Path, n: int, seed: int, as_of: date | str, **options: Any) -> Path:
    """:func:`population` written as JSON lines (compact, one episode a line)."""
    p = Path(path)
    with p.open("w", encoding="utf-8") as f:
        for d in population(n, seed, as_of, **options):
            f.write(json.dumps(d, separators=(",", ":")))
            f.write("\n")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write a seeded population of episodes as JSON lines.")
    ap.add_argument("n", type=int, help="episodes")
    ap.add_argument("out", help="the .jsonl file to write")
    ap.add_argument("--as-of", default="2026-04-10", help="the date planned on (default 2026-04-10)")
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--policy", action="append", help="a bundled id to build for (default: all)")
    ap.add_argument("--distinct", type=int, default=20_000, help="episodes built before they repeat")
    args = ap.parse_args(argv)
    write(args.out, args.n, args.seed, args.as_of, policy_ids=args.policy, distinct=args.distinct)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
