"""The episode: date order, recording order on a day, record() and what it accepts or refuses."""

from __future__ import annotations

import pickle

import pytest

import policies
from episodes import (
    Care,
    CareKind,
    DuplicateEventId,
    Episode,
    EpisodeError,
    Exam,
    Procedure,
    ProcedureKind,
    Side,
    SymptomOnset,
    audit,
    evaluate,
    next_eligible,
)
from episodes.testing import EpisodeBuilder, day

POLICY = policies.load("centene-facet")


def proc(pid: str, when: str, kind: str = "mbb", levels=("L4-L5",)) -> dict:
    return {
        "type": "procedure",
        "id": pid,
        "procedure": kind,
        "date": when,
        "levels": list(levels),
        "side": "bilateral",
    }


def dates(ep: Episode) -> list[str]:
    return [e.when.isoformat() for e in ep.events]


def test_events_kept_in_date_order():
    """Events recorded out of order come back in date order (care by its start)."""
    ep = Episode("p-1", "lumbar")
    ep.record({"type": "exam", "date": "2026-03-01", "nrs": 6})
    ep.record({"type": "symptom_onset", "date": "2026-01-05"})
    ep.record(
        {"type": "care", "care": "nsaid", "start": "2026-02-01", "end": "2026-03-15"},
        {"type": "documentation", "item": "informed_consent", "date": "2026-01-20"},
    )
    assert dates(ep) == ["2026-01-05", "2026-01-20", "2026-02-01", "2026-03-01"]
    assert [e.type for e in ep.events] == ["symptom_onset", "documentation", "care", "exam"]


def test_same_day_events_keep_recording_order():
    """Same-day events keep the order they were recorded in, across calls and within a batch."""
    ep = Episode("p-1", "lumbar")
    ep.record({"type": "exam", "date": "2026-03-01", "nrs": 1})
    ep.record({"type": "exam", "date": "2026-03-02", "nrs": 9})
    ep.record(
        {"type": "exam", "date": "2026-03-01", "nrs": 2},
        {"type": "exam", "date": "2026-03-01", "nrs": 3},
    )
    ep.record({"type": "exam", "date": "2026-02-28", "nrs": 0})
    ep.record({"type": "exam", "date": "2026-03-01", "nrs": 4})
    assert [e.nrs for e in ep.events] == [0, 1, 2, 3, 4, 9]


def test_procedure_and_its_outcome_on_one_day_keep_order():
    """A procedure and its same-day outcome stay in recording order."""
    b = EpisodeBuilder("lumbar")
    pid = b.procedure("mbb", "2026-04-06")
    b.outcome(pid, "2026-04-06", 85)
    ep = b.build()
    assert [e.type for e in ep.events] == ["procedure", "outcome"]


def test_record_returns_the_episode():
    """record() returns the episode itself, so calls chain."""
    ep = Episode("p-1", "lumbar")
    out = ep.record({"type": "symptom_onset", "date": "2026-01-05"})
    assert out is ep
    assert (
        ep.record({"type": "exam", "date": "2026-01-06"}).record({"type": "exam", "date": "2026-01-07"}) is ep
    )
    assert len(ep.events) == 3


def test_record_accepts_objects_dicts_and_lists():
    """record() takes event objects, wire-format dicts, and lists mixing both."""
    ep = Episode("p-1", "lumbar")
    ep.record(SymptomOnset(date=day("2026-01-05")))
    ep.record({"type": "exam", "date": "2026-01-10", "facet_signs": True})
    ep.record([Care(care=CareKind.NSAID, start=day("2026-01-12")), {"type": "exam", "date": "2026-01-20"}])
    assert [type(e) for e in ep.events] == [SymptomOnset, Exam, Care, Exam]
    assert ep.events[1].facet_signs is True
    assert ep.events[2].care == "nsaid"


def test_object_and_dict_record_the_same_event():
    """An event object and its wire-format dict record equal events."""
    a = Episode("p", "lumbar").record(
        Procedure(
            id="b1",
            procedure=ProcedureKind.MBB,
            date=day("2026-04-06"),
            levels=["L4-L5"],
            side=Side.LEFT,
        )
    )
    b = Episode("p", "lumbar").record(
        {
            "type": "procedure",
            "id": "b1",
            "procedure": "mbb",
            "date": "2026-04-06",
            "levels": ["L4-L5"],
            "side": "left",
        }
    )
    assert a.events == b.events


@pytest.mark.parametrize("same_batch", [False, True])
def test_duplicate_id_refused_and_nothing_changes(same_batch):
    """A duplicate procedure id raises DuplicateEventId and records nothing of the batch."""
    ep = Episode("p-1", "lumbar").record(proc("b1", "2026-04-06"))
    before = ep.events
    batch = [{"type": "exam", "date": "2026-04-01"}, proc("b2", "2026-04-20")]
    batch.append(proc("b2" if same_batch else "b1", "2026-05-04"))
    with pytest.raises(DuplicateEventId) as info:
        ep.record(batch)
    assert isinstance(info.value, EpisodeError)
    assert (info.value.index, info.value.field) == (2, "id")
    assert info.value.value == ("b2" if same_batch else "b1")
    assert ep.events == before
    assert len(ep.events) == 1


def test_duplicate_id_object_refused():
    """A duplicate id is refused for an event object too."""
    ep = Episode("p-1", "lumbar").record(proc("b1", "2026-04-06"))
    dup = Procedure(
        id="b1",
        procedure=ProcedureKind.RFA,
        date=day("2026-06-01"),
        levels=["L4-L5"],
        side=Side.LEFT,
    )
    with pytest.raises(DuplicateEventId):
        ep.record(dup)
    assert len(ep.events) == 1


def test_duplicate_id_after_refusal_can_record_the_rest():
    """After a refused batch, the same good events can be recorded: the refusal left no trace."""
    ep = Episode("p-1", "lumbar").record(proc("b1", "2026-04-06"))
    with pytest.raises(DuplicateEventId):
        ep.record(proc("b2", "2026-04-20"), proc("b1", "2026-05-04"))
    ep.record(proc("b2", "2026-04-20"))
    assert [e.id for e in ep.events] == ["b1", "b2"]


def test_event_that_breaks_the_policy_is_still_recorded():
    """A second block 13 days after the first breaks I.A.1 yet is recorded; the audit reports it."""
    b = EpisodeBuilder("lumbar")
    b.onset("2025-03-01")
    b.diagnosis("M47.816", "2025-03-01")
    b.care("physical_therapy", "2025-03-02", "2025-05-02")
    b.care("nsaid", "2025-03-02", "2025-04-02")
    b.care("activity_modification", "2025-03-02", "2025-05-02")
    b.imaging("2025-05-10")
    b.exam("2025-05-20", facet_signs=True, radicular_signs=False, adl_impairment=True)
    first = b.procedure("mbb", "2026-01-12")
    b.outcome(first, "2026-01-12", 90, True)
    ep = b.build()
    ep.record(proc("early", "2026-01-25"))
    assert ep.events[-1].id == "early"
    assert next_eligible(ep, POLICY, as_of=day("2026-02-01")).state == "mbb2"
    findings = {d.procedure_id: d for d in audit(ep, POLICY)}
    assert findings[first].status == "approved"
    assert findings["early"].status == "denied"
    assert findings["early"].step == "mbb2"
    assert [c.rule for c in findings["early"].unmet()] == ["interval"]
    assert evaluate(ep, POLICY, ep.events[-1]).status == "denied"


def test_a_plan_after_record_reads_the_new_event():
    """An episode keeps its latest record cut between queries; record() drops it.  Here the
    second plan's date takes as many events as the first plan did (two), but not the same
    two: the onset and the block recorded between the plans, not the exam."""
    ep = Episode("p-1", "lumbar").record(
        {"type": "symptom_onset", "date": "2026-01-05"},
        {"type": "exam", "date": "2026-03-01", "nrs": 6},
    )
    assert next_eligible(ep, POLICY, as_of=day("2026-04-01"))["mbb"].step == "mbb1"
    ep.record(proc("b1", "2026-02-02"))
    plan = next_eligible(ep, POLICY, as_of=day("2026-02-15"))
    assert (plan.state, plan["mbb"].step) == ("mbb1", "mbb2")


def test_a_pickled_episode_leaves_its_record_cut_behind():
    """A planned episode sent to another process goes without the cut its plan kept (its
    pickle is the one it had before the plan), and plans there as here."""
    b = EpisodeBuilder("lumbar").onset("2026-01-05")
    b.care("physical_therapy", "2026-01-06", "2026-03-06")
    b.procedure("mbb", "2026-04-06")
    ep = b.build()
    unplanned = pickle.dumps(ep)
    plan = next_eligible(ep, POLICY, as_of=day("2026-04-10"))
    assert ep._cut is not None
    assert pickle.dumps(ep) == unplanned
    back = pickle.loads(unplanned)
    assert back._cut is None
    assert (back.patient_id, back.region, back.events, back.version) == (
        ep.patient_id,
        ep.region,
        ep.events,
        ep.version,
    )
    assert next_eligible(back, POLICY, as_of=day("2026-04-10")) == plan


def test_procedure_in_a_region_the_policy_does_not_cover_is_recorded():
    """A thoracic block is recorded in a thoracic episode even though centene does not cover it."""
    ep = Episode("p-1", "thoracic").record(proc("t1", "2026-02-02", levels=["T10-T11"]))
    assert len(ep.events) == 1
    (finding,) = audit(ep, POLICY)
    assert finding.status == "denied"
    assert any(c.rule == "region" and c.status == "unmet" for c in finding.criteria)


def test_repr_has_no_patient_id():
    """The episode's repr (what ends up in logs) names no patient id."""
    ep = Episode("p-SECRET-42", "lumbar").record({"type": "symptom_onset", "date": "2026-01-05"})
    assert "SECRET" not in repr(ep)
    assert "lumbar" in repr(ep)


def test_object_with_string_enums_behaves_like_its_dict():
    """A Procedure object written with strings ("mbb") counts as the same block as its dict."""
    onset = {"type": "symptom_onset", "date": "2025-01-01"}
    as_object = Episode("p", "lumbar").record(
        onset,
        Procedure(id="b1", procedure="mbb", date=day("2026-01-12"), levels=["L4-L5"], side="bilateral"),
    )
    as_dict = Episode("p", "lumbar").record(onset, proc("b1", "2026-01-12"))
    on = day("2026-02-01")
    got = next_eligible(as_object, POLICY, as_of=on)
    want = next_eligible(as_dict, POLICY, as_of=on)
    assert (got.state, got["mbb"].step) == (want.state, want["mbb"].step) == ("mbb1", "mbb2")
    assert got["rfa"].status == want["rfa"].status
