"""An audit's cuts: what stood before each recorded procedure, from one pass over the events.

``audit()`` judges every recorded procedure against what stood before it.  Made one by one,
those cuts would each copy and read the history before them, and an audit would grow as the
square of its events.  :class:`AuditCuts` makes them from one pass instead: each cut's events
are views of the pass's lists, and what rules work out from the events (``Cut.select``,
``Cut.tally``, ``Cut.events``, ...) is worked out once for the audit, each cut taking its part.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from itertools import accumulate
from typing import Any, TypeVar

from pendulum import Date

from ._events import EVENT_TYPES, Event, Outcome, Procedure, ProcedureKind, SymptomOnset
from ._pathway import MOVES, Move, step_for
from ._record import Choice, Counts, Cut, Documented, Pick, Prefix, add_keys, documented

T = TypeVar("T")
E = TypeVar("E")
K = TypeVar("K", bound=Hashable)
S = TypeVar("S")


class AuditCuts:
    """What stood before each recorded procedure, for an audit: the cuts ``make_cut`` gives
    with ``audited``, made from one pass over the events instead of one pass each.

    A cut's buckets are views of the pass's lists (:class:`Prefix`); its outcomes a view that
    trims each procedure's outcomes when asked; its counts and moves were added up as the pass
    went.  What rules work out from the procedures is worked out once for the audit: a
    selection, its days, and tallies kept running from one cut to the next
    (:class:`_Running`).  So an audit grows with the events about linearly, not as their
    square.
    """

    def __init__(self, events: Sequence[Event]) -> None:
        self._by_type: dict[type, list[Any]] = {cls: [] for cls in EVENT_TYPES.values()}
        self._at: dict[type, list[int]] = {cls: [] for cls in EVENT_TYPES.values()}
        for i, e in enumerate(events):
            self._by_type[type(e)].append(e)
            self._at[type(e)].append(i)
        self._when = [e.when for e in events]
        #: Each procedure's outcomes, by their places among the outcomes.
        self._outcomes: dict[str, list[int]] = {}
        for j, o in enumerate(self._by_type[Outcome]):
            self._outcomes.setdefault(o.procedure_id, []).append(j)
        procedures: list[Procedure] = self._by_type[Procedure]
        self.procedures = procedures
        self._steps: dict[str, str] = {}
        self._counts: list[dict[ProcedureKind, int]] = []
        self._moves: list[Move] = []
        self._moves_before: list[int] = []
        counts: dict[ProcedureKind, int] = {}
        for p in procedures:
            self._counts.append(dict(counts))
            self._moves_before.append(len(self._moves))
            done = counts.get(p.procedure, 0)
            self._steps[p.id] = step_for(p.procedure, done)
            counts[p.procedure] = done + 1
            move = MOVES.get(p.procedure)
            if move is not None:
                self._moves.append(move)
        self._onsets = list(accumulate((o.date for o in self._by_type[SymptomOnset]), min))
        self._same_day: dict[Date, list[Procedure]] = {}
        self._place: list[int] = []  # each procedure's place among those of its day
        for p in procedures:
            day = self._same_day.setdefault(p.date, [])
            self._place.append(len(day))
            day.append(p)
        self._memo = Memo()
        self._running: dict[Hashable, _Running] = {}
        #: Each count of :meth:`count` so far: how many events it has counted, and the count.
        self._counting: dict[Hashable, tuple[int, dict[Any, int]]] = {}

    def before(self, k: int) -> Cut:
        """What stood before the ``k``-th recorded procedure (``make_cut(events, n, p)``)."""
        p = self.procedures[k]
        n = bisect_right(self._when, p.date)  # the events dated on or before its day
        onsets = self._onsets[: bisect_left(self._at[SymptomOnset], n)]
        return Cut(
            n=n,
            by_type=_Buckets(self, k, n),
            outcomes=_OutcomesBefore(self, self._seen(n), p.id),
            steps=self._steps,
            moves=Prefix(self._moves, self._moves_before[k]),
            counts=self._counts[k],
            onset=onsets[-1] if onsets else None,
            shared=self,
        )

    def bucket(self, cls: type, k: int, n: int) -> Sequence[Any]:
        """The events of type ``cls`` in the cut before the ``k``-th procedure (``n`` events):
        the procedures before it; the outcomes among the ``n`` events but its own; the others
        among the ``n`` events."""
        if cls is Procedure:
            return Prefix(self.procedures, k)
        found, at = self._by_type[cls], self._at[cls]
        if cls is not Outcome:
            return Prefix(found, bisect_left(at, n))
        m = self._seen(n)
        return Prefix(found, m, self.outcomes_before(self.procedures[k].id, m))

    def _seen(self, n: int) -> int:
        """How many outcomes are among the first ``n`` events."""
        return bisect_left(self._at[Outcome], n)

    def same_day(self, k: int) -> Sequence[Procedure]:
        """The episode's other procedures on the ``k``-th one's day."""
        day = self._same_day[self.procedures[k].date]
        return Prefix(day, len(day), (self._place[k],))

    def _picked(self, choice: Choice) -> tuple[list[Procedure], list[int]]:
        """The procedures ``choice`` picks among them all, and the place of each."""

        def pick() -> tuple[list[Procedure], list[int]]:
            at = [i for i, p in enumerate(self.procedures) if choice.picks(p, self._steps)]
            return [self.procedures[i] for i in at], at

        return self._memo.get(choice.key, pick)

    def select(self, choice: Choice, k: int) -> Sequence[Procedure]:
        """:meth:`Cut.select` for the cut of the first ``k`` procedures."""
        picked, at = self._picked(choice)
        return Prefix(picked, bisect_left(at, k))

    def days(self, choice: Choice, k: int) -> Sequence[Date]:
        """:meth:`Cut.days` for the cut of the first ``k`` procedures."""

        def first_of_each() -> tuple[list[Date], list[int]]:
            days: list[Date] = []
            first: list[int] = []  # the place of each day's first procedure
            for p, i in zip(*self._picked(choice), strict=True):
                if not days or days[-1] != p.date:
                    days.append(p.date)
                    first.append(i)
            return days, first

        days, first = self._memo.get((choice.key, "days"), first_of_each)
        return Prefix(days, bisect_left(first, k))

    def tally(self, choice: Choice, name: Hashable, counts: Counts[K], k: int, n: int) -> Mapping[K, int]:
        """:meth:`Cut.tally` for the cut of the first ``k`` procedures and ``n`` events: a copy
        of the running tally, brought up to that cut (begun again for an earlier cut)."""
        m = self._seen(n)
        running = self._running.get((choice.key, name))
        if running is None or k < running.k or m < running.m:
            running = self._running[choice.key, name] = _Running(*self._picked(choice), counts)
        running.advance(self, k, m)
        return dict(running.total)

    def _taken(self, pick: Pick[E]) -> tuple[list[E], list[int]]:
        """The events ``pick`` picks among them all, and the place of each among the events."""

        def take() -> tuple[list[E], list[int]]:
            if pick.among is not None:
                among = zip(*self._taken(pick.among), strict=True)
            else:
                among = zip(self._by_type[pick.cls], self._at[pick.cls], strict=True)
            found = [(e, i) for e, i in among if pick.takes(e)]
            return [e for e, _ in found], [i for _, i in found]

        return self._memo.get((pick.cls, pick.key), take)

    def events(self, pick: Pick[E], n: int) -> Sequence[E]:
        """:meth:`Cut.events` for the cut of the first ``n`` events."""
        taken, at = self._taken(pick)
        return Prefix(taken, bisect_left(at, n))

    def count(self, pick: Pick[E], name: str, counts: Callable[[E], Iterable[K]], n: int) -> Mapping[K, int]:
        """:meth:`Cut.count` for the cut of the first ``n`` events: a copy of the running count,
        brought up to that cut (begun again for an earlier cut)."""
        taken, at = self._taken(pick)
        m = bisect_left(at, n)
        start, total = self._counting.get((pick.cls, pick.key, name), (0, {}))
        if m < start:
            start, total = 0, {}
        for e in taken[start:m]:
            add_keys(total, counts(e), 1)
        self._counting[pick.cls, pick.key, name] = (m, total)
        return dict(total)

    def scan(self, pick: Pick[E], name: str, step: Callable[[S, E], S], start: S, n: int) -> S:
        """:meth:`Cut.scan` for the cut of the first ``n`` events: what each prefix of the
        events adds up to is kept (``step`` goes once over each event), each cut taking its own."""
        taken, at = self._taken(pick)
        m = bisect_left(at, n)
        states: list[S] = self._memo.get((pick.cls, pick.key, "scan", name), lambda: [start])
        while len(states) <= m:
            states.append(step(states[-1], taken[len(states) - 1]))
        return states[m]

    def outcome_ids(self) -> Iterable[str]:
        """The procedures that have outcomes (recorded at any time)."""
        return self._outcomes.keys()

    def outcomes_between(self, start: int, m: int) -> list[Outcome]:
        """The outcomes from the ``start``-th up to the ``m``-th."""
        return self._by_type[Outcome][start:m]

    def outcomes_before(self, pid: str, m: int) -> list[int]:
        """The places of the procedure's outcomes among the first ``m``."""
        places = self._outcomes.get(pid, [])
        return places[: bisect_left(places, m)]

    def outcomes_of(self, pid: str, m: int) -> tuple[Outcome, ...]:
        """The procedure's outcomes among the first ``m``."""
        found = self._by_type[Outcome]
        return tuple(found[j] for j in self.outcomes_before(pid, m))


class _Running:
    """A tally kept running over an audit's cuts, taken in order: a picked procedure's keys
    are counted when it enters a cut, and counted again when one of its outcomes comes into
    view (what its outcomes document, and so its keys, may change then)."""

    __slots__ = ("at", "counts", "given", "k", "m", "picked", "total")

    def __init__(self, picked: list[Procedure], at: list[int], counts: Counts[Any]) -> None:
        self.picked, self.at, self.counts = picked, at, counts
        self.k = self.m = 0
        self.total: dict[Any, int] = {}
        #: Each counted procedure, what its outcomes so far document, and the keys it adds.
        self.given: dict[str, tuple[Procedure, Documented, tuple[Hashable, ...]]] = {}

    def advance(self, cuts: AuditCuts, k: int, m: int) -> None:
        """Bring the tally from its cut to that of the first ``k`` procedures and ``m`` outcomes."""
        changed: dict[str, tuple[Procedure, Documented]] = {}
        for o in cuts.outcomes_between(self.m, m):
            counted = changed.get(o.procedure_id) or self.given.get(o.procedure_id)
            if counted is not None:
                changed[o.procedure_id] = (counted[0], counted[1].add(o))
        for pid, (p, now) in changed.items():
            add_keys(self.total, self.given[pid][2], -1)
            self._count(p, now)
        for p in self.picked[bisect_left(self.at, self.k) : bisect_left(self.at, k)]:
            self._count(p, documented(cuts.outcomes_of(p.id, m)))
        self.k, self.m = k, m

    def _count(self, p: Procedure, now: Documented) -> None:
        keys = tuple(self.counts(p, now))
        self.given[p.id] = (p, now, keys)
        add_keys(self.total, keys, 1)


class _Buckets(Mapping[type, Sequence[Any]]):
    """An audit's cut's events by type (:meth:`AuditCuts.bucket`): each a view, made when asked
    for (an audit keeps every decision's cut, and most buckets are never read)."""

    __slots__ = ("_cuts", "_k", "_n")

    def __init__(self, cuts: AuditCuts, k: int, n: int) -> None:
        self._cuts, self._k, self._n = cuts, k, n

    def __getitem__(self, cls: type) -> Sequence[Any]:
        return self._cuts.bucket(cls, self._k, self._n)

    def __iter__(self) -> Iterator[type]:
        return iter(EVENT_TYPES.values())

    def __len__(self) -> int:
        return len(EVENT_TYPES)


class _OutcomesBefore(Mapping[str, tuple[Outcome, ...]]):
    """Each procedure's outcomes among an audit's first ``m``, but ``left_out``'s: a view, each
    procedure's trimmed when it is asked for."""

    __slots__ = ("_cuts", "_left_out", "_m")

    def __init__(self, cuts: AuditCuts, m: int, left_out: str) -> None:
        self._cuts, self._m, self._left_out = cuts, m, left_out

    def __getitem__(self, pid: str) -> tuple[Outcome, ...]:
        kept = self._cuts.outcomes_of(pid, self._m) if pid != self._left_out else ()
        if not kept:
            raise KeyError(pid)
        return kept

    def __iter__(self) -> Iterator[str]:
        return (pid for pid in self._cuts.outcome_ids() if pid in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Memo:
    """What an audit works out once, by key (each choice of events, each fold of them).  The
    value's type is the maker's."""

    __slots__ = ("_found",)

    def __init__(self) -> None:
        self._found: dict[Hashable, object] = {}

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under ``key``, made (and kept) on the first call."""
        found = self._found.get(key, _MISSING)
        if found is _MISSING:
            found = self._found[key] = make()
        return found  # type: ignore[return-value]


_MISSING = object()
