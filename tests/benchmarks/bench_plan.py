"""Planning speed and memory, by hand (not run by CI).

    python tests/benchmarks/bench_plan.py               # every bundled policy
    python tests/benchmarks/bench_plan.py --profile     # where next_eligible's time goes
    python tests/benchmarks/bench_plan.py --n 500 --memory 20000 --policy centene-facet

For each bundled policy it prints: ``load_episode`` µs per episode from JSON;
``next_eligible`` µs per call (median, 95th percentile) on a realistic
population (5 to 40 events) and on one of about 15 events; ``evaluate`` µs per
call (median); episodes a second from JSON text to a plan (read for its
statuses and dates; with every criterion read; as JSON text); then the same
figures the naive way, and their ratios; the cost of a 400-event history
against a 16-event one; the pathway state alone (the Machine's part of a
plan), ours and the naive way's; and memory per event with 100,000 episodes held at
once, as loaded and each planned once (the naive way's with 10,000 unless
told: it is linear, and slow to fill).

The naive way is the natural one: one object per episode, given its own
Machine (transitions' README: ``Machine(model=self, ...)``, library defaults),
its history walked through its triggers, no memo.  Its load is
``load_episode`` plus that object, with the recorded procedures walked; its
``next_eligible`` builds a Machine per query and walks the history through it;
its ``evaluate`` builds the episode's Machine and walks the procedures up to
the proposal date (``evaluate`` itself never replays the pathway), then
evaluates; its episodes a second go from JSON text to a plan with one Machine
per episode (the plan's); its memory holds each episode with its object and
Machine.
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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any
from unittest.mock import patch

from transitions import Machine

import policies
from episodes import (
    Episode,
    Plan,
    Procedure,
    ProcedureKind,
    _pathway,
    _query,
    evaluate,
    load_episode,
    next_eligible,
)
from episodes._episode import build_record
from episodes._report import to_data
from episodes.testing.strategies import population


def percentiles(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def per_call(fn: Callable[..., Any], args: Sequence[tuple[Any, ...]]) -> list[float]:
    """µs for each call of ``fn`` on each tuple of ``args``."""
    gc.collect()
    out = []
    for a in args:
        t0 = time.perf_counter_ns()
        fn(*a)
        out.append((time.perf_counter_ns() - t0) / 1000)
    return out


def timed(fn: Callable[[], Any], repeat: int = 3) -> float:
    """µs for one call of ``fn``, the best of ``repeat``.

    Each timing (here and in ``per_call``) starts with the garbage of the one
    before collected: the naive Machines' reference cycles wait for the cyclic
    collector, which would otherwise free them on some later timing's clock.
    """
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter_ns()
        fn()
        best = min(best, time.perf_counter_ns() - t0)
    return best / 1000


def plan_date(episode: Episode) -> Any:
    """A date to plan on: a week after the last event."""
    return episode.events[-1].when.add(days=7)


def proposal_for(episode: Episode, on: Any) -> dict[str, Any]:
    """The next block at the levels of the last one (or the first imaging level)."""
    blocks = [e for e in episode.events if isinstance(e, Procedure) and e.procedure is ProcedureKind.MBB]
    levels = list(blocks[-1].levels) if blocks else [_first_level(episode)]
    return {"procedure": "mbb", "date": on.isoformat(), "levels": levels, "side": "bilateral"}


def _first_level(episode: Episode) -> str:
    return {"cervical": "C5-C6", "thoracic": "T6-T7", "lumbar": "L4-L5"}[episode.region.value]


class _Model:
    """The natural way: one object per episode, given its own Machine."""

    def __init__(self, episode: Episode | None = None) -> None:
        self.episode = episode
        self.state: str = _pathway.State.CONSERVATIVE_CARE.value
        self.guard = False

    def relief_fails(self) -> bool:
        return self.guard


#: The pathway's own states and transitions, given to a Machine the way transitions'
#: README does (``Machine(model=self, states=..., transitions=..., initial=...)``):
#: with the library's defaults, so with its ``to_<state>`` auto transitions.
_DEFINITION: dict[str, Any] = {
    "states": [s.value for s in _pathway.State],
    "initial": _pathway.State.CONSERVATIVE_CARE.value,
    "transitions": [
        {"trigger": ev, "source": src, "dest": t.dest, "conditions": [c.func for c in t.conditions]}
        for ev, event in _pathway.MACHINE.events.items()
        for src, ts in event.transitions.items()
        for t in ts
    ],
}


def moves_of(episode: Episode, on: Any = None) -> tuple[_pathway.Move, ...]:
    """The pathway moves of the episode's procedures (those dated on or before ``on``), in order."""
    return tuple(
        _pathway.MOVES[e.procedure]
        for e in episode.events
        if isinstance(e, Procedure) and e.procedure in _pathway.MOVES and (on is None or e.date <= on)
    )


def naive_model(
    moves: tuple[_pathway.Move, ...], episode: Episode | None = None, closes: bool = False
) -> _Model:
    """An episode's object the natural way: its own Machine, ``moves`` walked through its triggers."""
    model = _Model(episode)
    Machine(model=model, **_DEFINITION)
    last_block = max((i for i, m in enumerate(moves) if m is _pathway.Move.BLOCK), default=-1)
    for i, move in enumerate(moves):
        model.guard = closes and i == last_block
        getattr(model, move.value)()
    return model


def naive_load(text: str) -> _Model:
    """``load_episode``, then the episode's object with its recorded history walked."""
    episode = load_episode(text)
    return naive_model(moves_of(episode), episode)


def naive_evaluate(episode: Episode, policy: Any, proposal: dict[str, Any], on: Any) -> Any:
    """``evaluate`` the natural way.

    ``evaluate`` never replays the pathway (``_query._decide`` reads only the
    record), so swapping ``replay`` changes nothing for it: the natural way
    builds the episode's Machine and walks its moves up to the proposal date,
    then evaluates.
    """
    naive_model(moves_of(episode, on), episode)
    return evaluate(episode, policy, proposal)


def machine_cost(**options: Any) -> float:
    """µs to build one episode's Machine the natural way (the best of three runs of 500)."""

    def build() -> None:
        for _ in range(500):
            Machine(model=_Model(), **_DEFINITION, **options)

    return timed(build) / 500


@contextmanager
def naive_pathway() -> Iterator[None]:
    """Queries run with the pathway replayed the natural way: a Machine built per query, no memo.

    The model answers the machine's guard (``relief_fails``) for the latest block as
    ``pathway_state`` judged it.
    """
    last: list[Any] = [None, None]  # the moves last replayed, and their model

    def replay(moves: tuple[_pathway.Move, ...], closes: bool = False) -> _pathway.State:
        model = naive_model(moves, closes=closes)
        last[:] = moves, model
        return _pathway.State(model.state)

    with patch.object(_query, "replay", replay):
        yield


def figures(policy_id: str, texts: Sequence[str], *, naive: bool) -> dict[str, float]:
    """One table row: ours, or (``naive``) the natural way's."""
    policy = policies.load(policy_id)
    eps = [load_episode(t) for t in texts]
    dates = [plan_date(e) for e in eps]
    plans = list(zip(eps, dates, strict=True))
    asks = [(e, proposal_for(e, d), d) for e, d in plans]
    load: Callable[[str], Any] = naive_load if naive else load_episode
    judge: Callable[..., Any] = naive_evaluate if naive else lambda e, pol, p, d: evaluate(e, pol, p)
    with naive_pathway() if naive else nullcontext():
        load_us = timed(lambda: [load(t) for t in texts]) / len(texts)
        med, p95 = percentiles(per_call(lambda e, d: next_eligible(e, policy, d), plans))
        ev_med, _ = percentiles(per_call(lambda e, p, d: judge(e, policy, p, d), asks))
        # JSON text to plan. The natural way's one Machine for the episode is the one
        # its query builds (naive_pathway): one per episode, not one at load and another here.
        rates = {key: per_second(texts, dates, policy, out) for key, out in _OUTPUTS.items()}
    return {
        "events": statistics.mean(len(e.events) for e in eps),
        "load_us": load_us,
        "plan_med": med,
        "plan_p95": p95,
        "eval_med": ev_med,
        **rates,
    }


def _read(plan: Plan) -> None:
    for entry in plan.entries.values():
        for c in entry.criteria:
            c.message  # noqa: B018 (made on the read)


#: Episodes a second from JSON text to: a plan read for its statuses and dates; a plan with
#: every criterion read (messages and all); the plan as JSON text (``to_data``, stdlib json).
_OUTPUTS: dict[str, Callable[[Plan], object]] = {
    "per_s": lambda plan: None,
    "read_s": _read,
    "json_s": lambda plan: json.dumps(to_data(plan)),
}


def per_second(
    texts: Sequence[str], dates: Sequence[Any], policy: Any, out: Callable[[Plan], object]
) -> float:
    """Episodes a second from JSON text to ``out`` of the plan."""
    gc.collect()
    t0 = time.perf_counter()
    for t, d in zip(texts, dates, strict=True):
        out(next_eligible(load_episode(t), policy, d))
    return len(texts) / (time.perf_counter() - t0)


def measure(policy_id: str, n: int, seed: int, size: tuple[int, int]) -> tuple[dict[str, float], ...]:
    """Ours, the natural way's, and their ratios (each > 1 where ours does better)."""
    texts = [json.dumps(d) for d in population(n, seed, [policy_id], events=size)]
    ours = figures(policy_id, texts, naive=False)
    naive = figures(policy_id, texts, naive=True)
    ratio = {k: naive[k] / ours[k] for k in ours if k != "events"}
    for key in _OUTPUTS:
        ratio[key] = ours[key] / naive[key]
    return ours, naive, ratio


#: The table's columns: the figure, its title, width and format.
_COLUMNS = {
    "events": ("events", 7, ".1f"),
    "load_us": ("load", 8, ".1f"),
    "plan_med": ("plan med", 10, ".1f"),
    "plan_p95": ("p95", 8, ".1f"),
    "eval_med": ("eval", 8, ".1f"),
    "per_s": ("eps/s", 8, ".0f"),
    "read_s": ("read/s", 8, ".0f"),
    "json_s": ("json/s", 8, ".0f"),
}


def row(name: str, figures: dict[str, float], *, ratio: bool = False) -> str:
    cells = (
        f"{figures[k]:>{width}{'.1f' if ratio else fmt}}" if k in figures else " " * width
        for k, (_, width, fmt) in _COLUMNS.items()
    )
    return f"{name:<22}" + "".join(cells)


LEGEND = """\
ours: as the library runs (one Machine for every episode, its replays memoised).
  eps/s  episodes a second, JSON text to a plan read for its statuses and dates;
  read/s the same, with every criterion of the plan read (messages and all: a full plan);
  json/s the same, with the plan as JSON text (to_data, then the standard library's json).
naive: the natural way: one object per episode, given its own Machine (transitions' README:
  Machine(model=self, ...), library defaults), history walked through its triggers, no memo.
  load   load_episode, then the episode's object built and its recorded procedures walked;
  plan   next_eligible with a Machine built for the query and the history walked through it;
  eval   evaluate never replays the pathway, so: the episode's Machine built and its
         procedures up to the proposal date walked, then evaluate;
  eps/s  JSON text to plan, one Machine per episode (the plan's); read/s the same with every
         criterion read, messages and all; json/s the same with the plan as JSON text out;
  memory each episode held with its object and Machine.
  Its times include the cyclic garbage collector, set off by the many objects a Machine makes:
  most of its p95, and most of its load, where the --n objects are kept (the more, the dearer).
  A Machine takes {build:.0f} µs to build ({lean:.0f} µs with auto_transitions=False)."""


def pathway_cost(policy_id: str, n: int, seed: int) -> tuple[float, float]:
    """µs per episode (about 15 events) for the pathway state alone, the part the Machine
    plays in a plan: ours (``pathway_state`` on the record: the memoised replay) and the
    naive way's (a Machine built and the history walked through its triggers)."""
    policy = policies.load(policy_id)
    eps = [load_episode(d) for d in population(n, seed, [policy_id], events=(14, 16))]
    records = [build_record(e, plan_date(e)) for e in eps]
    moves = [r.moves for r in records]

    def walk_all() -> None:
        for m in moves:  # each Machine dropped as the next is built, as a query's would be
            naive_model(m)

    ours = timed(lambda: [_query.pathway_state(r, policy) for r in records]) / n
    return ours, timed(walk_all) / n


def growth(policy_id: str, seed: int) -> float:
    """The cost of planning a 400-event history over a 16-event one (same kind of episodes)."""
    policy = policies.load(policy_id)

    def cost(size: int) -> float:
        eps = [load_episode(d) for d in population(200, seed, [policy_id], events=(size, size))]
        dates = [plan_date(e) for e in eps]
        return timed(lambda: [next_eligible(e, policy, d) for e, d in zip(eps, dates, strict=True)]) / 200

    return cost(400) / cost(16)


def memory_per_event(
    count: int, seed: int, load: Callable[[str], Any] = load_episode, *, planned: bool = False
) -> tuple[float, int]:
    """Bytes held per event with ``count`` episodes loaded from JSON by ``load`` at once (tracemalloc);
    with ``planned``, each planned once (for the policy it was made for) as it is loaded.

    tracemalloc counts what Python holds, not pages the allocator keeps from
    earlier work (which makes an RSS difference read near zero here).  The
    plans themselves are not kept: what is counted is what a planned episode
    keeps (its latest record cut).
    """
    distinct = population(min(count, 2000), seed, events=(5, 40))
    made_for = [policies.load(pid) for pid in policies.available()]  # population's order
    texts = [json.dumps(d) for d in distinct]
    sizes = [len(d["events"]) for d in distinct]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    held = []
    for i in range(count):
        episode = load(texts[i % len(texts)])
        if planned:
            next_eligible(episode, made_for[i % len(texts) % len(made_for)], plan_date(episode))
        held.append(episode)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del held
    events = sum(sizes[i % len(sizes)] for i in range(count))
    return (after - before) / events, events


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--n", type=int, default=2000, help="episodes per policy (default 2000)")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--policy", action="append", help="a bundled id (default: all)")
    ap.add_argument("--memory", type=int, default=100_000, help="episodes held for the memory figure")
    ap.add_argument(
        "--naive-memory",
        type=int,
        help="episodes held for the naive memory figure (default: --memory, at most 10,000: "
        "100,000 take some 4 minutes and 11 GB; bytes per event do not change with it)",
    )
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
    print(LEGEND.format(build=machine_cost(), lean=machine_cost(auto_transitions=False)))
    head = f"{'policy':<22}" + "".join(f"{title:>{width}}" for title, width, _ in _COLUMNS.values())
    for label, size in (("realistic (5-40 events)", (5, 40)), ("about 15 events", (14, 16))):
        rows = [(pid, measure(pid, args.n, args.seed, size)) for pid in ids]
        parts = ("ours; times in µs", "naive; times in µs", "ratio: naive ÷ ours (a second: ours ÷ naive)")
        for i, part in enumerate(parts):
            print(f"\n{label}, {part}\n{head}")
            for pid, m in rows:
                print(row(pid, m[i], ratio=i == 2))
    print("\nhistory growth: next_eligible on 400 events / on 16 events")
    for pid in ids:
        print(f"  {pid:<22}{growth(pid, args.seed):>6.1f}x")
    print("\nthe pathway state alone (the Machine's part of a plan), µs per episode of about 15 events")
    print(f"  {'policy':<22}{'ours':>8}{'naive':>8}{'ratio':>8}")
    for pid in ids:
        ours_us, naive_us = pathway_cost(pid, args.n, args.seed)
        print(f"  {pid:<22}{ours_us:>8.1f}{naive_us:>8.1f}{naive_us / ours_us:>7.0f}x")
    naive_count = args.naive_memory or min(args.memory, 10_000)
    ours, events = memory_per_event(args.memory, args.seed)
    planned, _ = memory_per_event(args.memory, args.seed, planned=True)
    naive, naive_events = memory_per_event(naive_count, args.seed, naive_load)
    print("\nmemory, bytes per event with episodes (5-40 events) held at once")
    print(f"  ours   {ours:>6.0f}  ({args.memory} episodes, {events} events)")
    print(f"         {planned:>6.0f}  (the same, each planned once: it keeps its latest record cut)")
    print(f"  naive  {naive:>6.0f}  ({naive_count} episodes, {naive_events} events, each with its Machine)")
    print(f"  ratio  {naive / ours:>6.1f}  (naive ÷ ours)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
