"""What a query reads: an episode's events up to a date, indexed once."""

from __future__ import annotations

from bisect import bisect_right
from operator import attrgetter
from typing import Literal

import attrs
from pendulum import Date

from ._episode import Episode
from ._events import (
    Care,
    Condition,
    Documentation,
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
    """
    by_type: dict[type, list[object]] = {t: [] for t in _TYPES}
    outcomes: dict[str, list[Outcome]] = {}
    seen_audited = False
    events = episode.events
    for event in events[: bisect_right(events, on, key=_WHEN)]:  # events are in date order
        t = type(event)
        if audited is not None:
            if event is audited:
                seen_audited = True
                continue
            if t is Procedure and seen_audited:
                continue
            if t is Outcome and event.procedure_id == audited.id:  # type: ignore[union-attr]
                continue
        if t is Outcome:
            outcomes.setdefault(event.procedure_id, []).append(event)  # type: ignore[union-attr,arg-type]
        else:
            by_type[t].append(event)
    procedures: tuple[Procedure, ...] = tuple(by_type[Procedure])  # type: ignore[arg-type]
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
    return Record(
        region=episode.region,
        on=on,
        onset=min((o.date for o in onsets), default=None),  # type: ignore[attr-defined]
        care=tuple(by_type[Care]),  # type: ignore[arg-type]
        imaging=tuple(by_type[Imaging]),  # type: ignore[arg-type]
        exams=tuple(by_type[Exam]),  # type: ignore[arg-type]
        conditions=tuple(by_type[Condition]),  # type: ignore[arg-type]
        documents=tuple(by_type[Documentation]),  # type: ignore[arg-type]
        procedures=procedures,
        outcomes={k: tuple(v) for k, v in outcomes.items()},
        steps=steps,
        moves=tuple(moves),
        counts=counts,
    )


_WHEN = attrgetter("when")
_TYPES = (SymptomOnset, Care, Imaging, Exam, Condition, Procedure, Documentation)
