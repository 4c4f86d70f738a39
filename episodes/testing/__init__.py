"""Testing helpers shipped with the library: an episode builder, dates, proposals, and the
queries asked of a builder (``plan``, ``decide``, ``criterion``).

Hypothesis strategies and a seeded population are in :mod:`episodes.testing.strategies` (it
needs hypothesis, a test extra).  For a fixed clock, use freezegun: ``as_of=None`` reads
today through pendulum, which freezegun moves.

>>> from episodes.testing import EpisodeBuilder
>>> b = EpisodeBuilder("lumbar").onset("2026-01-05")
>>> b.procedure("mbb", "2026-04-06", ["L4-L5"])
'p1'
>>> b.outcome("p1", "2026-04-06", 85).build()
<Episode lumbar, 3 events>
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pendulum
from pendulum import Date

from .._episode import Episode
from .._policy import Policy
from .._query import Decision, Plan, evaluate, next_eligible

DateLike = str | date


def day(value: DateLike) -> Date:
    """A pendulum ``Date`` from ``"2026-01-05"`` or any date."""
    if isinstance(value, str):
        return pendulum.parse(value, exact=True)  # type: ignore[return-value]
    return pendulum.date(value.year, value.month, value.day)


class EpisodeBuilder:
    """Builds an episode event by event, in wire-format dicts (so it checks what a file would).

    Each method returns the builder, except :meth:`procedure`, which returns the new id.
    """

    def __init__(self, region: str = "lumbar", patient_id: str = "test-patient") -> None:
        self.region = region
        self.patient_id = patient_id
        self.events: list[dict[str, Any]] = []
        self._n = 0

    def _add(self, **event: Any) -> EpisodeBuilder:
        self.events.append({k: (v.isoformat() if isinstance(v, date) else v) for k, v in event.items()})
        return self

    def onset(self, when: DateLike, radiating: bool | None = None) -> EpisodeBuilder:
        return self._add(type="symptom_onset", date=when, radiating=radiating)

    def care(
        self,
        care: str,
        start: DateLike,
        end: DateLike | None = None,
        response: str | None = "failed",
        **extra: Any,
    ) -> EpisodeBuilder:
        return self._add(type="care", care=care, start=start, end=end, response=response, **extra)

    def imaging(
        self,
        when: DateLike,
        modality: str = "mri",
        findings: Sequence[str] = ("facet_arthropathy",),
        levels: Sequence[str] | None = None,
    ) -> EpisodeBuilder:
        return self._add(
            type="imaging",
            date=when,
            modality=modality,
            findings=list(findings),
            levels=None if levels is None else list(levels),
        )

    def exam(self, when: DateLike, **fields: Any) -> EpisodeBuilder:
        return self._add(type="exam", date=when, **fields)

    def condition(
        self,
        condition: str,
        start: DateLike,
        end: DateLike | None = None,
        levels: Sequence[str] | None = None,
    ) -> EpisodeBuilder:
        return self._add(
            type="condition",
            condition=condition,
            start=start,
            end=end,
            levels=None if levels is None else list(levels),
        )

    def procedure(
        self,
        procedure: str,
        when: DateLike,
        levels: Sequence[str] = ("L4-L5",),
        side: str = "bilateral",
        id: str | None = None,
        **extra: Any,
    ) -> str:
        self._n += 1
        pid = id or f"p{self._n}"
        self._add(
            type="procedure", id=pid, procedure=procedure, date=when, levels=list(levels), side=side, **extra
        )
        return pid

    def outcome(
        self, procedure_id: str, when: DateLike, relief: float, functional_improvement: bool | None = None
    ) -> EpisodeBuilder:
        return self._add(
            type="outcome",
            procedure_id=procedure_id,
            date=when,
            relief_percent=relief,
            functional_improvement=functional_improvement,
        )

    def block(
        self,
        when: DateLike,
        relief: float | None,
        levels: Sequence[str] = ("L4-L5",),
        side: str = "bilateral",
        fi: bool | None = None,
        procedure: str = "mbb",
    ) -> str:
        """A procedure (a medial branch block by default) with, unless ``relief`` is None, its
        same-day outcome; returns its id."""
        pid = self.procedure(procedure, when, levels, side)
        if relief is not None:
            self.outcome(pid, when, relief, fi)
        return pid

    def document(self, item: str, when: DateLike) -> EpisodeBuilder:
        return self._add(type="documentation", item=item, date=when)

    def diagnosis(self, code: str, when: DateLike, end: DateLike | None = None) -> EpisodeBuilder:
        return self._add(type="diagnosis", code=code, date=when, end=end)

    def authorization(
        self, procedure: str, when: DateLike, status: str = "approved", id: str | None = None, **extra: Any
    ) -> str:
        self._n += 1
        aid = id or f"a{self._n}"
        self._add(type="authorization", id=aid, procedure=procedure, date=when, status=status, **extra)
        return aid

    def to_dict(self) -> dict[str, Any]:
        events = [{k: v for k, v in e.items() if v is not None} for e in self.events]
        return {"format": "episode/1", "patient_id": self.patient_id, "region": self.region, "events": events}

    def build(self) -> Episode:
        from .._episode import load_episode

        return load_episode(self.to_dict())


def criterion(result: Any, rule: str) -> Any:
    """The one criterion ``rule`` of an ``Eligibility`` or a ``Decision`` (an assertion error
    listing the rules there, if it is not there exactly once)."""
    found = [c for c in result.criteria if c.rule == rule]
    assert len(found) == 1, [c.rule for c in result.criteria]
    return found[0]


def proposal(
    procedure: str, when: DateLike, levels: Sequence[str] = ("L4-L5",), side: str = "bilateral", **extra: Any
) -> dict[str, Any]:
    """A proposal in wire format, for ``evaluate()``."""
    d = when.isoformat() if isinstance(when, date) else when
    return {"procedure": procedure, "date": d, "levels": list(levels), "side": side, **extra}


def _episode(b: EpisodeBuilder | Episode) -> Episode:
    return b.build() if isinstance(b, EpisodeBuilder) else b


def plan(b: EpisodeBuilder | Episode, policy: Policy, on: DateLike) -> Plan:
    """``next_eligible`` of the built episode under ``policy`` on ``on``."""
    return next_eligible(_episode(b), policy, as_of=day(on))


def decide(
    b: EpisodeBuilder | Episode,
    policy: Policy,
    procedure: str,
    on: DateLike,
    levels: Sequence[str] = ("L4-L5",),
    side: str = "bilateral",
    **extra: Any,
) -> Decision:
    """``evaluate`` of a proposal of ``procedure`` on ``on`` at ``levels`` and ``side``."""
    return evaluate(_episode(b), policy, proposal(procedure, on, levels, side, **extra))


def evaluate_codes(
    b: EpisodeBuilder | Episode,
    policy: Policy,
    codes: Sequence[str],
    on: DateLike,
    levels: Sequence[str] = ("L4-L5",),
    side: str = "bilateral",
    **extra: Any,
) -> Decision:
    """``evaluate`` of a proposal given as CPT/HCPCS ``codes`` (``intent`` among ``extra``)."""
    d = on.isoformat() if isinstance(on, date) else on
    wire = {"codes": list(codes), "date": d, "levels": list(levels), "side": side, **extra}
    return evaluate(_episode(b), policy, wire)


__all__ = ["EpisodeBuilder", "criterion", "day", "decide", "evaluate_codes", "plan", "proposal"]
