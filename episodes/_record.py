"""What a query reads: an episode's events up to a date, by type, indexed once.

A :class:`Cut` is what the first ``n`` events of an episode say, with a bucket
for every event type of ``EVENT_TYPES`` (the one list of event types): a new
event type gets its bucket here without a line of this module changing.  A
:class:`Record` is a cut read on a date.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from functools import reduce
from itertools import accumulate, chain, islice
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, Protocol, TypeVar, overload

import attrs
from pendulum import Date

from ._events import (
    EVENT_TYPES,
    Care,
    Condition,
    Diagnosis,
    Documentation,
    Event,
    Exam,
    Imaging,
    Outcome,
    Procedure,
    ProcedureKind,
    Region,
    SymptomOnset,
)
from ._pathway import MOVES, Move, step_for

if TYPE_CHECKING:
    from ._episode import Episode

T = TypeVar("T")
E = TypeVar("E")
K = TypeVar("K", bound=Hashable)
S = TypeVar("S")


class Documented(NamedTuple):
    """What a procedure's outcomes document, all told: its relief (the highest documented;
    ``None`` with no outcome), whether one shows functional improvement, and whether one
    leaves it undocumented.  Added to one outcome at a time (an audit's tallies do so as the
    outcomes come into view)."""

    relief: float | None = None
    improved: bool = False
    unsaid: bool = False

    def add(self, o: Outcome) -> Documented:
        relief = o.relief_percent if self.relief is None else max(self.relief, o.relief_percent)
        fi = o.functional_improvement
        return Documented(relief, self.improved or fi is True, self.unsaid or fi is None)


def documented(outcomes: Iterable[Outcome]) -> Documented:
    """What ``outcomes`` document, all told (``Documented.add`` over them, in one loop)."""
    relief: float | None = None
    improved = unsaid = False
    for o in outcomes:
        if relief is None or o.relief_percent > relief:
            relief = o.relief_percent
        fi = o.functional_improvement
        improved = improved or fi is True
        unsaid = unsaid or fi is None
    return Documented(relief, improved, unsaid)


#: What a procedure adds to a tally, given what its outcomes in the cut document: keys, each
#: counted once.
Counts = Callable[[Procedure, Documented], Iterable[K]]


class Choice(Protocol):
    """Which procedures a rule reads (``Of``): choices with one ``key`` pick the same ones."""

    @property
    def key(self) -> str:
        """Names the choice (a string: its hash is kept)."""
        ...

    def picks(self, p: Procedure, steps: Mapping[str, str]) -> bool:
        """Whether it picks ``p`` (``steps``: each procedure's step, by id)."""
        ...


@attrs.frozen
class Cut:
    """What an episode's first ``n`` events say: each event type's events, in date order, and
    what the procedures among them add up to (each one's step, the pathway's moves, counts).

    A cut depends on nothing but those events, so an episode keeps its latest one
    (:meth:`Episode.cut`), and a cut keeps what rules work out from its events: procedures an
    ``Of`` picks (:meth:`select`), their days (:meth:`days`) and what they add up to with
    their outcomes (:meth:`tally`); other events a :class:`Pick` picks (:meth:`events`),
    counted (:meth:`count`) or folded (:meth:`scan`).
    """

    n: int
    #: The events of each type of ``EVENT_TYPES``, outcomes included.
    by_type: Mapping[type, Sequence[Any]]
    #: Each procedure's outcomes, by procedure id.
    outcomes: Mapping[str, tuple[Outcome, ...]]
    #: Each procedure's step, by procedure id.
    steps: dict[str, str]
    moves: Sequence[Move]
    #: Procedures of each kind.
    counts: dict[ProcedureKind, int]
    onset: Date | None
    #: For an audit's cuts, what they share (:class:`AuditCuts`): each works out from the
    #: episode's procedures once, and each cut takes its part.  ``None`` for a cut of its own,
    #: which keeps what it works out in ``kept``.
    shared: AuditCuts | None = attrs.field(default=None, eq=False, repr=False)
    kept: dict[Hashable, Any] = attrs.field(factory=dict, eq=False, repr=False)

    def select(self, choice: Choice) -> Sequence[Procedure]:
        """The cut's procedures ``choice`` picks, in date order."""
        if self.shared is not None:
            return self.shared.select(choice, len(self.by_type[Procedure]))
        found: tuple[Procedure, ...] | None = self.kept.get(choice.key)
        if found is None:
            steps, picks = self.steps, choice.picks
            found = self.kept[choice.key] = tuple([p for p in self.by_type[Procedure] if picks(p, steps)])
        return found

    def days(self, choice: Choice) -> Sequence[Date]:
        """The days of the procedures ``choice`` picks, each once, in order."""
        if self.shared is not None:
            return self.shared.days(choice, len(self.by_type[Procedure]))
        key = (choice.key, "days")
        found: tuple[Date, ...] | None = self.kept.get(key)
        if found is None:
            found = self.kept[key] = tuple(dict.fromkeys(p.date for p in self.select(choice)))
        return found

    def tally(self, choice: Choice, name: Hashable, counts: Counts[K]) -> Mapping[K, int]:
        """What the procedures ``choice`` picks add up to: how many times ``counts`` gives each
        key for them, each with its outcomes in the cut (a key never given is not there).
        ``name`` names the tally (the same name, the same ``counts``).  Not to be changed: the
        cut keeps it."""
        if self.shared is not None:
            return self.shared.tally(choice, name, counts, len(self.by_type[Procedure]), self.n)
        key = (choice.key, name)
        found: dict[K, int] | None = self.kept.get(key)
        if found is None:
            outcomes = self.outcomes
            found = self.kept[key] = count_keys(
                self.select(choice), lambda p: counts(p, documented(outcomes.get(p.id, ())))
            )
        return found

    def documented(self, pid: str) -> Documented:
        """What the procedure's outcomes in the cut document, all told (kept, for a cut of its
        own: a plan's rules ask it of the latest block again and again)."""
        if self.shared is not None:
            return documented(self.outcomes.get(pid, ()))
        found: Documented | None = self.kept.get(("documented", pid))
        if found is None:
            found = self.kept["documented", pid] = documented(self.outcomes.get(pid, ()))
        return found

    def events(self, pick: Pick[E]) -> Sequence[E]:
        """The cut's events ``pick`` picks, in order."""
        if self.shared is not None:
            return self.shared.events(pick, self.n)
        found: tuple[E, ...] | None = self.kept.get((pick.cls, pick.key))
        if found is None:
            among = self.events(pick.among) if pick.among is not None else self.by_type[pick.cls]
            found = self.kept[pick.cls, pick.key] = tuple(filter(pick.takes, among))
        return found

    def count(self, pick: Pick[E], name: str, counts: Callable[[E], Iterable[K]]) -> Mapping[K, int]:
        """How many times ``counts`` gives each key for the events ``pick`` picks (``name``
        names ``counts``).  Not to be changed: the cut keeps it."""
        if self.shared is not None:
            return self.shared.count(pick, name, counts, self.n)
        found: dict[K, int] | None = self.kept.get((pick.cls, pick.key, "count", name))
        if found is None:
            found = self.kept[pick.cls, pick.key, "count", name] = count_keys(self.events(pick), counts)
        return found

    def scan(self, pick: Pick[E], name: str, step: Callable[[S, E], S], start: S) -> S:
        """``step`` applied to ``start`` and each of the events ``pick`` picks, in order: what
        they add up to (``name`` names ``step`` and ``start``)."""
        if self.shared is not None:
            return self.shared.scan(pick, name, step, start, self.n)
        found: S | None = self.kept.get((pick.cls, pick.key, "scan", name))
        if found is None:
            found = self.kept[pick.cls, pick.key, "scan", name] = reduce(step, self.events(pick), start)
        return found


@attrs.frozen
class Pick(Generic[E]):
    """Which of a cut's events a rule reads: those of type ``cls`` that ``takes`` takes (among
    those ``among`` picks, if given).  ``key`` names it among picks of its type: picks with one
    key take the same."""

    cls: type[E]
    key: str
    takes: Callable[[E], bool] = attrs.field(eq=False)
    among: Pick[E] | None = None


def count_keys(items: Iterable[T], counts: Callable[[T], Iterable[K]]) -> dict[K, int]:
    """How many times ``counts`` gives each key for ``items``."""
    found: dict[K, int] = {}
    for item in items:
        _add(found, counts(item), 1)
    return found


def _add(tally: dict[K, int], keys: Iterable[K], by: int) -> None:
    """Count ``keys`` in ``tally`` (``by``: 1 to add them, -1 to take them back)."""
    for key in keys:
        n = tally.get(key, 0) + by
        if n:
            tally[key] = n
        else:
            del tally[key]


class Prefix(Sequence[T]):
    """The first ``n`` of a list's items, but those at the places ``gaps`` (in order): a view.

    An audit's cuts are prefixes of one pass over the episode: a view costs the same for 5
    events as for 5,000, where a copy for each cut would grow an audit as the square of its
    events.
    """

    __slots__ = ("_gaps", "_items", "_n")

    def __init__(self, items: list[T], n: int, gaps: Sequence[int] = ()) -> None:
        self._items, self._n, self._gaps = items, n, gaps

    def __len__(self) -> int:
        return self._n - len(self._gaps)

    def __iter__(self) -> Iterator[T]:
        items, n, gaps = self._items, self._n, self._gaps
        if not gaps:
            return islice(items, n)
        ends = (*gaps, n)
        starts = (0, *(g + 1 for g in gaps))
        return chain.from_iterable(islice(items, a, b) for a, b in zip(starts, ends, strict=True))

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[T]: ...
    def __getitem__(self, i: int | slice) -> T | Sequence[T]:
        if isinstance(i, slice):
            span = range(len(self))[i]
            if not self._gaps and span.step == 1:
                return tuple(self._items[span.start : span.stop])
            return tuple(self)[i]
        size = len(self)
        if i < 0:
            i += size
        if not 0 <= i < size:
            raise IndexError("index out of range")
        for g in self._gaps:  # each gap at or before the place moves it one on
            if g > i:
                break
            i += 1
        return self._items[i]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Prefix({list(self)!r})"


def make_cut(events: Sequence[Event], n: int, audited: Procedure | None = None) -> Cut:
    """The cut of the first ``n`` of ``events`` (in date order).

    With ``audited`` (a recorded procedure), what stood before it: the procedure itself, the
    procedures recorded after it on its day and its own outcomes are left out.
    """
    kept = events[:n]
    if audited is not None:
        at = next((i for i, e in enumerate(kept) if e is audited), n)
        kept = [
            e
            for i, e in enumerate(kept)
            if not (
                i == at
                or (i > at and type(e) is Procedure)
                or (type(e) is Outcome and e.procedure_id == audited.id)
            )
        ]
    buckets: dict[type, list[Any]] = {cls: [] for cls in EVENT_TYPES.values()}
    for event in kept:
        buckets[type(event)].append(event)
    outcomes: dict[str, list[Outcome]] = {}
    for o in buckets[Outcome]:
        outcomes.setdefault(o.procedure_id, []).append(o)
    counts: dict[ProcedureKind, int] = {}
    steps: dict[str, str] = {}
    moves: list[Move] = []
    for p in buckets[Procedure]:
        done = counts.get(p.procedure, 0)
        steps[p.id] = step_for(p.procedure, done)
        counts[p.procedure] = done + 1
        move = MOVES.get(p.procedure)
        if move is not None:
            moves.append(move)
    return Cut(
        n=n,
        by_type={cls: tuple(found) for cls, found in buckets.items()},
        outcomes={k: tuple(v) for k, v in outcomes.items()},
        steps=steps,
        moves=tuple(moves),
        counts=counts,
        onset=min((o.date for o in buckets[SymptomOnset]), default=None),
    )


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
            _add(total, counts(e), 1)
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
            _add(self.total, self.given[pid][2], -1)
            self._count(p, now)
        for p in self.picked[bisect_left(self.at, self.k) : bisect_left(self.at, k)]:
            self._count(p, documented(cuts.outcomes_of(p.id, m)))
        self.k, self.m = k, m

    def _count(self, p: Procedure, now: Documented) -> None:
        keys = tuple(self.counts(p, now))
        self.given[p.id] = (p, now, keys)
        _add(self.total, keys, 1)


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


@attrs.frozen
class Record:
    """An episode as it stood on ``on``: every event dated on or before it, by type."""

    region: Region
    on: Date
    cut: Cut

    def of(self, cls: type[E]) -> Sequence[E]:
        """The events of one type, in date order."""
        return self.cut.by_type[cls]

    # The buckets the rules read most, by name.
    @property
    def care(self) -> Sequence[Care]:
        return self.cut.by_type[Care]

    @property
    def imaging(self) -> Sequence[Imaging]:
        return self.cut.by_type[Imaging]

    @property
    def exams(self) -> Sequence[Exam]:
        return self.cut.by_type[Exam]

    @property
    def conditions(self) -> Sequence[Condition]:
        return self.cut.by_type[Condition]

    @property
    def documents(self) -> Sequence[Documentation]:
        return self.cut.by_type[Documentation]

    @property
    def diagnoses(self) -> Sequence[Diagnosis]:
        return self.cut.by_type[Diagnosis]

    @property
    def procedures(self) -> Sequence[Procedure]:
        return self.cut.by_type[Procedure]

    @property
    def outcomes(self) -> Mapping[str, tuple[Outcome, ...]]:
        return self.cut.outcomes

    @property
    def steps(self) -> dict[str, str]:
        return self.cut.steps

    @property
    def moves(self) -> Sequence[Move]:
        return self.cut.moves

    @property
    def onset(self) -> Date | None:
        return self.cut.onset

    def count(self, kind: ProcedureKind) -> int:
        return self.cut.counts.get(kind, 0)

    def relief(self, procedure: Procedure) -> float | None:
        """The procedure's relief: the highest ``relief_percent`` among its outcomes."""
        return self.documented(procedure).relief

    def documented(self, procedure: Procedure) -> Documented:
        """What the procedure's outcomes document, all told."""
        return self.cut.documented(procedure.id)

    def outcomes_of(self, procedure: Procedure) -> tuple[Outcome, ...]:
        return self.cut.outcomes.get(procedure.id, ())


def build_record(episode: Episode, on: Date, *, audited: Procedure | None = None) -> Record:
    """The record of ``episode`` as it stood on ``on``; with ``audited`` (a recorded procedure),
    what stood before it (see :func:`make_cut`)."""
    return Record(episode.region, on, episode.cut(on, audited))
