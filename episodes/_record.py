"""What a query reads: an episode's events up to a date, by type, indexed once.

A :class:`Cut` is what the first ``n`` events of an episode say, with a bucket
for every event type of ``EVENT_TYPES`` (the one list of event types): a new
event type gets its bucket here without a line of this module changing.  A
:class:`Record` is a cut read on a date.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
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
    outcomes: dict[str, tuple[Outcome, ...]]
    #: Each procedure's step, by procedure id.
    steps: dict[str, str]
    moves: tuple[Move, ...]
    #: Procedures of each kind.
    counts: dict[ProcedureKind, int]
    onset: Date | None


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
    def outcomes(self) -> dict[str, tuple[Outcome, ...]]:
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
