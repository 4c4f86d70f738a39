"""Every query over an episode holding one event of every type: a new event type that some
part of the library does not know fails here, not in a user's hands."""

from __future__ import annotations

import pytest

import policies
from episodes import audit, dump_episode, evaluate, load_episode, next_eligible
from episodes._events import EVENT_TYPES
from episodes.testing import day, proposal

#: One event of each type, lumbar, in wire format.
EVENTS = [
    {"type": "symptom_onset", "date": "2025-06-02", "radiating": False},
    {"type": "care", "care": "physical_therapy", "start": "2025-07-01", "end": "2025-09-30",
     "response": "failed", "components": ["supervised_exercise", "manual_therapy", "modalities"]},
    {"type": "imaging", "date": "2025-09-15", "modality": "mri", "findings": ["facet_arthropathy"],
     "levels": ["L4-L5"]},
    {"type": "exam", "date": "2025-10-01", "nrs": 6, "facet_signs": True, "radicular_signs": False},
    {"type": "condition", "condition": "pregnancy", "start": "2025-01-01", "end": "2025-03-01"},
    {"type": "diagnosis", "code": "M47.816", "date": "2025-10-01"},
    {"type": "documentation", "item": "history_and_physical", "date": "2025-10-01"},
    {"type": "authorization", "id": "a1", "procedure": "mbb", "date": "2025-10-20", "status": "approved",
     "levels": ["L4-L5"], "reference": "PA-1"},
    {"type": "procedure", "id": "b1", "procedure": "mbb", "date": "2025-11-03", "levels": ["L4-L5"],
     "side": "bilateral", "codes": ["64493"]},
    {"type": "outcome", "procedure_id": "b1", "date": "2025-11-03", "relief_percent": 85,
     "functional_improvement": True},
]  # fmt: skip


def test_the_episode_holds_every_event_type() -> None:
    """The episode below really has one event of each type of EVENT_TYPES (the one list)."""
    assert {e["type"] for e in EVENTS} == set(EVENT_TYPES)


@pytest.mark.parametrize("policy_id", policies.available())
def test_every_query_reads_every_event_type(policy_id: str) -> None:
    """Plan, proposal, audit and the wire round trip all take the episode, under every policy."""
    pol = policies.load(policy_id)
    ep = load_episode({"patient_id": "t", "region": "lumbar", "events": EVENTS})
    assert {e.type for e in ep.events} == set(EVENT_TYPES)
    plan = next_eligible(ep, pol, as_of=day("2025-11-20"))
    for entry in plan.entries.values():
        assert entry.criteria  # every criterion made, messages and all
        assert all(c.message for c in entry.criteria)
    decision = evaluate(ep, pol, proposal("mbb", "2025-11-20", ["L4-L5"]))
    assert all(c.message for c in decision.criteria)
    assert [d.procedure_id for d in audit(ep, pol)] == ["b1"]
    assert load_episode(dump_episode(ep)).events == ep.events
