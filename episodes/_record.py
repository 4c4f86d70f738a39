"""What a query reads: an episode's events up to a date, by type, indexed once.

A :class:`Cut` is what the first ``n`` events of an episode say, with a bucket
for every event type of ``EVENT_TYPES`` (the one list of event types): a new
event type gets its bucket here without a line of this module changing.  A
:class:`Record` is a cut read on a date.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from itertools import accumulate, chain
from typing import TYPE_CHECKING, Any, TypeVar

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


@attrs.frozen
class Cut:
    """What an episode's first ``n`` events say: each event type's events, in date order, and
    what the procedures among them add up to (each one's step, the pathway's moves, counts).

    A cut depends on nothing but those events, so an episode keeps its latest one
    (:meth:`Episode.cut`).
    """

    n: int
    #: The events of each type of ``EVENT_TYPES``, outcomes included.
    by_type: dict[type, tuple[Any, ...]]
    #: Each procedure's outcomes, by procedure id.
    outcomes: Mapping[str, tuple[Outcome, ...]]
    #: Each procedure's step, by procedure id.
    steps: dict[str, str]
    moves: tuple[Move, ...]
    #: Procedures of each kind.
    counts: dict[ProcedureKind, int]
    onset: Date | None
    #: For an audit's cuts, what they share: selections of the episode's procedures, each cut
    #: taking the prefix of its own procedures (``select``).  ``None`` for a cut of its own.
    shared: Shared | None = attrs.field(default=None, eq=False, repr=False)

    def select(self, key: Hashable, chosen: Callable[[Procedure], bool]) -> tuple[Procedure, ...]:
        """The cut's procedures ``chosen`` picks, in date order (``key`` names the choice: an
        audit's cuts work it out once over the episode and each takes its prefix)."""
        procedures: tuple[Procedure, ...] = self.by_type[Procedure]
        shared = self.shared
        if shared is None:
            return tuple(p for p in procedures if chosen(p))
        picked, at = shared.memo.get(key, lambda: shared.pick(chosen))
        return tuple(picked[: bisect_left(at, len(procedures))])


class Shared:
    """What an audit's cuts share: the episode's procedures, and choices made among them."""

    __slots__ = ("memo", "procedures")

    def __init__(self, procedures: list[Procedure]) -> None:
        self.procedures = procedures
        self.memo = Memo()

    def pick(self, chosen: Callable[[Procedure], bool]) -> tuple[list[Procedure], list[int]]:
        """The procedures ``chosen`` picks, and the place of each among them all."""
        at = [i for i, p in enumerate(self.procedures) if chosen(p)]
        return [self.procedures[i] for i in at], at


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

    A cut's lists are slices of the episode's (copied at C speed); its outcomes are a view
    that trims each procedure's outcomes when asked; its counts and moves were added up as
    the pass went.  So an audit grows with the events about linearly, not as their square.
    """

    def __init__(self, events: Sequence[Event]) -> None:
        self._by_type: dict[type, list[Any]] = {cls: [] for cls in EVENT_TYPES.values()}
        self._at: dict[type, list[int]] = {cls: [] for cls in EVENT_TYPES.values()}
        for i, e in enumerate(events):
            self._by_type[type(e)].append(e)
            self._at[type(e)].append(i)
        self._when = [e.when for e in events]
        outcomes = self._by_type[Outcome]
        self._outcomes: dict[str, tuple[list[int], list[Outcome], list[int]]] = {}
        for j, (i, o) in enumerate(zip(self._at[Outcome], outcomes, strict=True)):
            at, found, index = self._outcomes.setdefault(o.procedure_id, ([], [], []))
            at.append(i)
            found.append(o)
            index.append(j)
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
        self._shared = Shared(procedures)
        self._same_day: dict[Date, list[Procedure]] = {}
        self._place: list[int] = []  # each procedure's place among those of its day
        for p in procedures:
            day = self._same_day.setdefault(p.date, [])
            self._place.append(len(day))
            day.append(p)

    def before(self, k: int) -> Cut:
        """What stood before the ``k``-th recorded procedure (``make_cut(events, n, p)``)."""
        p = self.procedures[k]
        n = bisect_right(self._when, p.date)  # the events dated on or before its day
        by_type: dict[type, tuple[Any, ...]] = {}
        for cls, found in self._by_type.items():
            if cls is Procedure:
                by_type[cls] = tuple(found[:k])
            else:
                by_type[cls] = tuple(found[: bisect_left(self._at[cls], n)])
        own = self._outcomes.get(p.id)
        if own is not None:  # its own outcomes are left out, wherever they were recorded
            kept, start, outcomes = [], 0, by_type[Outcome]
            for j in own[2]:
                kept.append(outcomes[start:j])
                start = j + 1
            kept.append(outcomes[start:])
            by_type[Outcome] = tuple(chain.from_iterable(kept))
        onsets = self._onsets[: bisect_left(self._at[SymptomOnset], n)]
        return Cut(
            n=n,
            by_type=by_type,
            outcomes=_OutcomesBefore(self._outcomes, n, p.id),
            steps=self._steps,
            moves=tuple(self._moves[: self._moves_before[k]]),
            counts=self._counts[k],
            onset=onsets[-1] if onsets else None,
            shared=self._shared,
        )

    def same_day(self, k: int) -> tuple[Procedure, ...]:
        """The episode's other procedures on the ``k``-th one's day."""
        day, i = self._same_day[self.procedures[k].date], self._place[k]
        return (*day[:i], *day[i + 1 :])


class _OutcomesBefore(Mapping[str, tuple[Outcome, ...]]):
    """Each procedure's outcomes among the first ``n`` events, but ``left_out``'s: a view, each
    procedure's trimmed when it is asked for."""

    __slots__ = ("_all", "_left_out", "_n")

    def __init__(
        self, all_: dict[str, tuple[list[int], list[Outcome], list[int]]], n: int, left_out: str
    ) -> None:
        self._all, self._n, self._left_out = all_, n, left_out

    def __getitem__(self, pid: str) -> tuple[Outcome, ...]:
        found = self._all.get(pid) if pid != self._left_out else None
        kept = tuple(found[1][: bisect_left(found[0], self._n)]) if found is not None else ()
        if not kept:
            raise KeyError(pid)
        return kept

    def __iter__(self) -> Iterator[str]:
        return (pid for pid in self._all if pid in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class Memo:
    """What criteria work out from one record, by key (``Of.select``, the care rule's courses):
    a plan's criteria ask the same questions many times.  The value's type is the maker's."""

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
    memo: Memo = attrs.field(factory=Memo, eq=False, repr=False)

    def of(self, cls: type[E]) -> tuple[E, ...]:
        """The events of one type, in date order."""
        return self.cut.by_type[cls]

    # The buckets the rules read most, by name.
    @property
    def care(self) -> tuple[Care, ...]:
        return self.cut.by_type[Care]

    @property
    def imaging(self) -> tuple[Imaging, ...]:
        return self.cut.by_type[Imaging]

    @property
    def exams(self) -> tuple[Exam, ...]:
        return self.cut.by_type[Exam]

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return self.cut.by_type[Condition]

    @property
    def documents(self) -> tuple[Documentation, ...]:
        return self.cut.by_type[Documentation]

    @property
    def diagnoses(self) -> tuple[Diagnosis, ...]:
        return self.cut.by_type[Diagnosis]

    @property
    def procedures(self) -> tuple[Procedure, ...]:
        return self.cut.by_type[Procedure]

    @property
    def outcomes(self) -> Mapping[str, tuple[Outcome, ...]]:
        return self.cut.outcomes

    @property
    def steps(self) -> dict[str, str]:
        return self.cut.steps

    @property
    def moves(self) -> tuple[Move, ...]:
        return self.cut.moves

    @property
    def onset(self) -> Date | None:
        return self.cut.onset

    def count(self, kind: ProcedureKind) -> int:
        return self.cut.counts.get(kind, 0)

    def relief(self, procedure: Procedure) -> float | None:
        """The procedure's relief: the highest ``relief_percent`` among its outcomes."""
        outcomes = self.cut.outcomes.get(procedure.id)
        return max(o.relief_percent for o in outcomes) if outcomes else None

    def outcomes_of(self, procedure: Procedure) -> tuple[Outcome, ...]:
        return self.cut.outcomes.get(procedure.id, ())


def build_record(episode: Episode, on: Date, *, audited: Procedure | None = None) -> Record:
    """The record of ``episode`` as it stood on ``on``; with ``audited`` (a recorded procedure),
    what stood before it (see :func:`make_cut`)."""
    return Record(episode.region, on, episode.cut(on, audited))
