"""What a query reads: an episode's events up to a date, indexed once."""

from __future__ import annotations

from bisect import bisect_right
from operator import attrgetter
from typing import Any, Literal

import attrs
from pendulum import Date

from ._episode import Episode
from ._events import (
    Care,
    Condition,
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
from ._pathway import MOVES, Move

StepName = Literal[
    "mbb1",
    "mbb2",
    "mbb_subsequent",
    "rfa",
    "repeat_rfa",
    "esi",
    "ia_facet",
    "pulsed_rfa",
    "facet_cyst_aspiration",
]

#: The step a procedure of a kind is, by how many of that kind came before it.
_COUNTED_STEPS: dict[ProcedureKind, tuple[str, ...]] = {
    ProcedureKind.MBB: ("mbb1", "mbb2", "mbb_subsequent"),
    ProcedureKind.RFA: ("rfa", "repeat_rfa"),
}


def step_for(kind: ProcedureKind, done_before: int) -> str:
    """The step a procedure of ``kind`` is when ``done_before`` of its kind precede it."""
    steps = _COUNTED_STEPS.get(kind)
    if steps is None:
        return kind.value
    return steps[min(done_before, len(steps) - 1)]


@attrs.frozen
class Record:
    """An episode cut at ``on``: every event dated on or before it, by type."""

    region: Region
    on: Date
    onset: Date | None
    care: tuple[Care, ...]
    imaging: tuple[Imaging, ...]
    exams: tuple[Exam, ...]
    conditions: tuple[Condition, ...]
    documents: tuple[Documentation, ...]
    procedures: tuple[Procedure, ...]
    outcomes: dict[str, tuple[Outcome, ...]]
    steps: dict[str, str]
    moves: tuple[Move, ...]
    #: Procedures of each kind on record.
    counts: dict[ProcedureKind, int]
    #: What criteria have worked out from the record, by key (``Of.select``, the care rule):
    #: a plan's criteria ask the same questions many times.
    memo: dict[object, object] = attrs.field(factory=dict, eq=False, repr=False)

    def count(self, kind: ProcedureKind) -> int:
        return self.counts.get(kind, 0)

    def relief(self, procedure: Procedure) -> float | None:
        """The procedure's relief: the highest ``relief_percent`` among its outcomes."""
        outcomes = self.outcomes.get(procedure.id)
        return max(o.relief_percent for o in outcomes) if outcomes else None

    def outcomes_of(self, procedure: Procedure) -> tuple[Outcome, ...]:
        return self.outcomes.get(procedure.id, ())


def build_record(episode: Episode, on: Date, *, audited: Procedure | None = None) -> Record:
    """The record of ``episode`` as it stood on ``on``.

    With ``audited`` (a recorded procedure), the record is what stood before
    it: the procedure itself, the procedures recorded after it on its day and
    its own outcomes are left out.

    The cut (everything but the date) depends only on how many events precede
    the date, so the episode keeps its latest cut until ``record()`` changes it:
    a plan, and a proposal after the last event, take the whole history, and
    every query of the episode after the first reads it without a pass.
    """
    events = episode._events  # in date order
    n = bisect_right(events, on, key=_WHEN)
    if audited is not None:
        return Record(episode.region, on, *_cut(events, n, audited))
    kept = episode._cut
    if kept is None or kept[0] != n:
        kept = episode._cut = (n, _cut(events, n, None))
    return Record(episode.region, on, *kept[1])


def _cut(events: list[Event], n: int, audited: Procedure | None) -> _Cut:
    """A record's fields after its region and date: the first ``n`` events, by type."""
    by_type: dict[type, list[Any]] = {t: [] for t in _TYPES}
    outcomes: dict[str, list[Outcome]] = {}
    kept = events[:n]
    if audited is not None:
        # What stood before the audited procedure: not it, nor a procedure recorded after it
        # on its day, nor its own outcomes.
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
    for event in kept:
        t = type(event)
        if t is Outcome:
            outcomes.setdefault(event.procedure_id, []).append(event)  # type: ignore[union-attr,arg-type]
        else:
            by_type[t].append(event)
    procedures: tuple[Procedure, ...] = tuple(by_type[Procedure])
    counts: dict[ProcedureKind, int] = {}
    steps: dict[str, str] = {}
    moves: list[Move] = []
    for p in procedures:
        done = counts.get(p.procedure, 0)
        steps[p.id] = step_for(p.procedure, done)
        counts[p.procedure] = done + 1
        move = MOVES.get(p.procedure)
        if move is not None:
            moves.append(move)
    onsets = by_type[SymptomOnset]
    return (
        min((o.date for o in onsets), default=None),
        tuple(by_type[Care]),
        tuple(by_type[Imaging]),
        tuple(by_type[Exam]),
        tuple(by_type[Condition]),
        tuple(by_type[Documentation]),
        procedures,
        {k: tuple(v) for k, v in outcomes.items()},
        steps,
        tuple(moves),
        counts,
    )


#: A record's fields after ``region`` and ``on``, in their order: what ``_cut`` gives.
_Cut = tuple[
    Date | None,
    tuple[Care, ...],
    tuple[Imaging, ...],
    tuple[Exam, ...],
    tuple[Condition, ...],
    tuple[Documentation, ...],
    tuple[Procedure, ...],
    dict[str, tuple[Outcome, ...]],
    dict[str, str],
    tuple[Move, ...],
    dict[ProcedureKind, int],
]
_WHEN = attrgetter("when")
_TYPES = (SymptomOnset, Care, Imaging, Exam, Condition, Procedure, Documentation)
