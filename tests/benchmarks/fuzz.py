"""The long fuzz run, by hand: mutated episodes, proposals and policy files through every door.

    python tests/benchmarks/fuzz.py [--n 20000] [--seed 1]

Prints inputs tried, refused, accepted and the escapes (kinds, with one example each).
"""

from __future__ import annotations

import argparse
import copy
import random
import tomllib
from collections import Counter
from importlib import resources

import policies
from episodes.testing.fuzz import Escaped, check_episode, check_policy, mutate, seeded
from episodes.testing.strategies import population


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    pick = seeded(args.seed)
    rng = random.Random(args.seed)
    episodes = population(500, args.seed, list(policies.available()))
    files = [
        tomllib.loads(resources.files("policies").joinpath(f"{i}.toml").read_text(encoding="utf-8"))
        for i in policies.available()
    ]
    seen: Counter[str] = Counter()
    escapes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for i in range(args.n):
        try:
            if i % 4 == 3:
                seen["policy " + check_policy(mutate(rng.choice(files), pick, rng.randint(1, 3)))] += 1
            else:
                episode = mutate(copy.deepcopy(rng.choice(episodes)), pick, rng.randint(1, 4))
                proposal = mutate(
                    {"procedure": "mbb", "date": "2026-06-01", "levels": ["L4-L5"], "side": "left"}, pick, 1
                )
                as_of = rng.choice(["2020-01-01", "2026-06-01", "1900-01-01", "2199-12-31"])
                seen["episode " + check_episode(episode, proposal, as_of)] += 1
        except Escaped as exc:
            key = str(exc)[:60]
            escapes[key] += 1
            examples.setdefault(key, str(exc)[:300])
    print(f"tried {args.n}: " + ", ".join(f"{k} {v}" for k, v in sorted(seen.items())))
    print(f"escapes: {sum(escapes.values())}")
    for key, count in escapes.most_common(20):
        print(f"  {count:>6}  {examples[key]}")


if __name__ == "__main__":
    main()
