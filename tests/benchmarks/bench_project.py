"""What a projection costs: plans asked and time, per policy, by hand (not run by CI).

python tests/benchmarks/bench_project.py [--n 300]
"""

from __future__ import annotations

import argparse
import statistics
import time

import policies
from episodes import load_episode, project
from episodes.testing.strategies import population


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20261122)
    args = ap.parse_args()
    print(f"{'policy':<22} {'plans med':>9} {'plans max':>9} {'steps med':>9} {'µs med':>9} {'µs p95':>9}")
    for pid in policies.available():
        pol = policies.load(pid)
        eps = [load_episode(d) for d in population(args.n, args.seed, [pid], events=(14, 16))]
        plans, steps, times = [], [], []
        for ep in eps:
            on = ep.events[-1].when
            t = time.perf_counter()
            p = project(ep, pol, on)
            times.append((time.perf_counter() - t) * 1e6)
            plans.append(p.plans)
            steps.append(len(p.steps))
        times.sort()
        print(
            f"{pid:<22} {statistics.median(plans):>9.0f} {max(plans):>9} {statistics.median(steps):>9.0f} "
            f"{statistics.median(times):>9.0f} {times[int(0.95 * len(times))]:>9.0f}"
        )


if __name__ == "__main__":
    main()
