"""Projection cost, by hand (not run by CI).

    python tests/benchmarks/bench_project.py            # every bundled policy
    python tests/benchmarks/bench_project.py --n 300 --policy centene-facet

For each bundled policy, over a seeded set of generated episodes (episodes.testing.strategies,
each projected on a date around its events): plans per projection (median, 95th percentile,
most; issue 14 asks at most about 20), steps projected (median), and µs per projection
(median, 95th percentile); then the docs' example under centene-facet on 2026-04-10.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policies
from episodes import Episode, load_episode, project
from episodes.testing.strategies import as_of_dates, episode_dicts


def sample(policy: Any, n: int) -> list[tuple[Episode, Any]]:
    """``n`` generated episodes of the policy's regions, each with a date to project from."""
    found: list[tuple[Episode, Any]] = []

    @settings(max_examples=n, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        raw = data.draw(episode_dicts(policy=policy))
        episode = load_episode(raw)
        found.append((episode, data.draw(as_of_dates(episode))))

    draw()
    return found


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--policy", action="append")
    args = ap.parse_args()
    print(
        f"{'policy':<22}{'n':>5}{'plans med':>10}{'p95':>6}{'max':>6}"
        f"{'steps med':>10}{'max':>5}{'µs med':>10}{'µs p95':>10}"
    )
    for pid in args.policy or policies.available():
        policy = policies.load(pid)
        cases = sample(policy, args.n)
        plans: list[float] = []
        steps: list[float] = []
        micros: list[float] = []
        for episode, on in cases:
            t = time.perf_counter()
            p = project(episode, policy, on)
            micros.append((time.perf_counter() - t) * 1e6)
            plans.append(p.plans)
            steps.append(len(p.steps))
        print(
            f"{pid:<22}{len(cases):>5}{statistics.median(plans):>10g}{pct(plans, 0.95):>6g}{max(plans):>6g}"
            f"{statistics.median(steps):>10g}{max(steps):>5g}"
            f"{statistics.median(micros):>10.0f}{pct(micros, 0.95):>10.0f}"
        )
    with open("docs/examples/lumbar-facet.json") as f:
        example = load_episode(f.read())
    centene = policies.load("centene-facet")
    runs = []
    for _ in range(50):
        t = time.perf_counter()
        p = project(example, centene, "2026-04-10")
        runs.append((time.perf_counter() - t) * 1e6)
    print(
        f"docs example, centene-facet, 2026-04-10: {len(p.steps)} steps, {p.plans} plans, "
        f"{statistics.median(runs):.0f} µs a projection (median of 50)"
    )


if __name__ == "__main__":
    main()
