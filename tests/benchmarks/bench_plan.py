"""Planning speed and memory, by hand (not run by CI).

    python tests/benchmarks/bench_plan.py               # every bundled policy
    python tests/benchmarks/bench_plan.py --profile     # where next_eligible's time goes
    python tests/benchmarks/bench_plan.py --n 500 --memory 20000 --policy centene-facet

For each bundled policy it prints: ``load_episode`` µs per episode from JSON;
``next_eligible`` µs per call (median, 95th percentile) on a realistic
population (5 to 40 events) and on one of about 15 events; ``evaluate`` µs per
call; episodes a second from JSON text to a full plan; the same figures the
naive way (a ``transitions.Machine`` built for each episode, with the library's
defaults, and no memo of the replay); the cost of a
400-event history against a 16-event one; and memory per event with 100,000
episodes held at once.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

from transitions import Machine

import policies
from episodes import Episode, ProcedureKind, _pathway, _query, evaluate, load_episode, next_eligible
from episodes.testing.strategies import population


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def per_call(fn: Callable[[Any, Any], Any], args: Sequence[tuple[Any, Any]]) -> list[float]:
    """µs for each call of ``fn`` on each pair of ``args``."""
    out = []
    for a, b in args:
        t0 = time.perf_counter_ns()
        fn(a, b)
        out.append((time.perf_counter_ns() - t0) / 1000)
    return out


def timed(fn: Callable[[], Any], repeat: int = 3) -> float:
    """µs for one call of ``fn``, the best of ``repeat``."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        fn()
        best = min(best, time.perf_counter_ns() - t0)
    return best / 1000


def plan_date(episode: Episode) -> Any:
    """A date to plan on: a week after the last event."""
    return episode.events[-1].when.add(days=7)


def proposal_for(episode: Episode, on: Any) -> dict[str, Any]:
    """The next block at the levels of the last one (or the first imaging level)."""
    blocks = [e for e in episode.events if getattr(e, "procedure", None) is ProcedureKind.MBB]
    levels = list(blocks[-1].levels) if blocks else [_first_level(episode)]
    return {"procedure": "mbb", "date": on.isoformat(), "levels": levels, "side": "bilateral"}


def _first_level(episode: Episode) -> str:
    return {"cervical": "C5-C6", "thoracic": "T6-T7", "lumbar": "L4-L5"}[episode.region.value]


class _Model:
    """The natural way: one object per episode, given its own Machine."""

    def __init__(self) -> None:
        self.state = _pathway.MACHINE.initial


#: The pathway's own states and transitions, given to a Machine the way transitions'
#: README does (``Machine(model=self, states=..., transitions=..., initial=...)``):
#: with the library's defaults, so with its ``to_<state>`` auto transitions.
_DEFINITION = {
    "states": [s.value for s in _pathway.State],
    "initial": _pathway.State.CONSERVATIVE_CARE.value,
    "transitions": [
        {"trigger": ev, "source": src, "dest": t.dest}
        for ev, event in _pathway.MACHINE.events.items()
        for src, ts in event.transitions.items()
        for t in ts
    ],
}


def naive_replay(moves: tuple[_pathway.Move, ...]) -> _pathway.State:
    model = _Model()
    Machine(model=model, **_DEFINITION)
    for move in moves:
        getattr(model, move.value)()
    return _pathway.State(model.state)


def machine_cost(**options: Any) -> float:
    """µs to build one episode's Machine the natural way (the best of three runs of 500)."""

    def build() -> None:
        for _ in range(500):
            Machine(model=_Model(), **_DEFINITION, **options)

    return timed(build) / 500


def run_naive(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` with the pathway replayed the natural way: a Machine per episode, no memo."""
    saved = _query.replay
    _query.replay = naive_replay  # type: ignore[assignment]
    try:
        return fn()
    finally:
        _query.replay = saved


def measure(policy_id: str, n: int, seed: int, size: tuple[int, int]) -> dict[str, float]:
    policy = policies.load(policy_id)
    dicts = population(n, seed, [policy_id], events=size)
    texts = [json.dumps(d) for d in dicts]
    eps = [load_episode(t) for t in texts]
    dates = [plan_date(e) for e in eps]
    props = [proposal_for(e, d) for e, d in zip(eps, dates, strict=True)]
    events = statistics.mean(len(e.events) for e in eps)

    load_us = timed(lambda: [load_episode(t) for t in texts]) / n
    plans = list(zip(eps, dates, strict=True))
    med, p95 = percentiles(per_call(lambda e, d: next_eligible(e, policy, d), plans))
    ev_med, _ = percentiles(per_call(lambda e, p: evaluate(e, policy, p), list(zip(eps, props, strict=True))))
    t0 = time.perf_counter()
    for t, d in zip(texts, dates, strict=True):
        next_eligible(load_episode(t), policy, d)
    per_s = n / (time.perf_counter() - t0)

    naive_med, naive_p95 = percentiles(
        run_naive(lambda: per_call(lambda e, d: next_eligible(e, policy, d), plans))
    )
    return {
        "events": events,
        "load_us": load_us,
        "plan_med": med,
        "plan_p95": p95,
        "eval_med": ev_med,
        "per_s": per_s,
        "naive_med": naive_med,
        "naive_p95": naive_p95,
    }


def growth(policy_id: str, seed: int) -> float:
    """The cost of planning a 400-event history over a 16-event one (same kind of episodes)."""
    policy = policies.load(policy_id)

    def cost(size: int) -> float:
        eps = [load_episode(d) for d in population(200, seed, [policy_id], events=(size, size))]
        dates = [plan_date(e) for e in eps]
        return timed(lambda: [next_eligible(e, policy, d) for e, d in zip(eps, dates, strict=True)]) / 200

    return cost(400) / cost(16)


def memory_per_event(count: int, seed: int) -> tuple[float, int]:
    """Bytes held per event with ``count`` episodes loaded from JSON at once (tracemalloc).

    tracemalloc counts what Python holds, not pages the allocator keeps from
    earlier work (which makes an RSS difference read near zero here).
    """
    distinct = population(min(count, 2000), seed, events=(5, 40))
    texts = [json.dumps(d) for d in distinct]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    held = [load_episode(texts[i % len(texts)]) for i in range(count)]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    events = sum(len(e.events) for e in held)
    return (after - before) / events, events


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=2000, help="episodes per policy (default 2000)")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--policy", action="append", help="a bundled id (default: all)")
    ap.add_argument("--memory", type=int, default=100_000, help="episodes held for the memory figure")
    ap.add_argument("--profile", action="store_true", help="profile next_eligible instead")
    args = ap.parse_args(argv)
    ids = args.policy or list(policies.available())

    if args.profile:
        eps = [load_episode(d) for d in population(args.n, args.seed, ids, events=(14, 16))]
        plans = [(e, policies.load(ids[i % len(ids)]), plan_date(e)) for i, e in enumerate(eps)]
        prof = cProfile.Profile()
        prof.enable()
        for e, p, d in plans:
            next_eligible(e, p, d)
        prof.disable()
        pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(25)
        return 0

    print(f"python {sys.version.split()[0]}; {args.n} episodes per policy; seed {args.seed}")
    print(
        f"naive: a Machine per episode, transitions' defaults: {machine_cost():.0f} µs to build "
        f"({machine_cost(auto_transitions=False):.0f} µs with auto_transitions=False)"
    )
    head = (
        f"{'policy':<22}{'events':>7}{'load':>8}{'plan med':>10}{'p95':>8}{'eval':>8}"
        f"{'eps/s':>8}{'naive med':>11}{'ratio':>7}"
    )
    for label, size in (("realistic (5-40 events)", (5, 40)), ("about 15 events", (14, 16))):
        print(f"\n{label}; times in µs\n{head}")
        for pid in ids:
            m = measure(pid, args.n, args.seed, size)
            print(
                f"{pid:<22}{m['events']:>7.1f}{m['load_us']:>8.1f}{m['plan_med']:>10.1f}{m['plan_p95']:>8.1f}"
                f"{m['eval_med']:>8.1f}{m['per_s']:>8.0f}{m['naive_med']:>11.1f}"
                f"{m['naive_med'] / m['plan_med']:>7.1f}"
            )
    print("\nhistory growth: next_eligible on 400 events / on 16 events")
    for pid in ids:
        print(f"  {pid:<22}{growth(pid, args.seed):>6.1f}x")
    per_event, events = memory_per_event(args.memory, args.seed)
    print(f"\nmemory: {args.memory} episodes held, {events} events: {per_event:.0f} bytes per event")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
