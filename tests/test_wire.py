"""The wire format: load_episode/dump_episode round trips, and every bad input the contract
lists."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from episodes import (
    EpisodeError,
    Exam,
    Outcome,
    Procedure,
    ProcedureKind,
    Side,
    dump_episode,
    load_episode,
)
from episodes._errors import HIDDEN

PATIENT = "p-SECRET-7731"

#: Every event type with every field set, in date order (the contract's example, widened).
FULL: dict[str, Any] = {
    "format": "episode/1",
    "patient_id": PATIENT,
    "region": "lumbar",
    "events": [
        {"type": "symptom_onset", "date": "2026-01-05", "radiating": False},
        {
            "type": "care",
            "care": "physical_therapy",
            "start": "2026-01-12",
            "end": "2026-03-02",
            "response": "failed",
            "components": ["supervised_exercise", "manual_therapy"],
        },
        {
            "type": "care",
            "care": "nsaid",
            "start": "2026-01-12",
            "response": "partial",
            "not_tolerated": True,
            "contraindicated": False,
        },
        {
            "type": "imaging",
            "date": "2026-02-20",
            "modality": "mri",
            "findings": ["facet_arthropathy", "spondylosis"],
            "levels": ["L4-L5", "L5-S1"],
        },
        {
            "type": "exam",
            "date": "2026-03-01",
            "nrs": 7,
            "facet_signs": True,
            "radicular_signs": False,
            "adl_impairment": True,
            "decreased_rom": True,
            "impaired_gait": False,
            "progressive_neuro_deficit": False,
        },
        {
            "type": "condition",
            "condition": "anticoagulation",
            "start": "2026-03-01",
            "end": "2026-03-20",
            "levels": ["L4-L5"],
        },
        {"type": "documentation", "item": "psychosocial_evaluation", "date": "2026-03-01"},
        {
            "type": "procedure",
            "id": "e1",
            "procedure": "esi",
            "date": "2026-03-23",
            "levels": ["L5-S1"],
            "side": "left",
            "approach": "transforaminal",
        },
        {
            "type": "procedure",
            "id": "b1",
            "procedure": "mbb",
            "date": "2026-04-06",
            "levels": ["L4-L5", "L5-S1"],
            "side": "bilateral",
        },
        {
            "type": "outcome",
            "procedure_id": "b1",
            "date": "2026-04-06",
            "relief_percent": 85,
            "functional_improvement": True,
        },
        {"type": "outcome", "procedure_id": "b1", "date": "2026-04-07", "relief_percent": 62.5},
    ],
}


def doc(*extra: dict[str, Any]) -> dict[str, Any]:
    """A small valid episode (onset and a block ``b1``) with ``extra`` events after it."""
    return {
        "format": "episode/1",
        "patient_id": PATIENT,
        "region": "lumbar",
        "events": [
            {"type": "symptom_onset", "date": "2026-01-05"},
            {
                "type": "procedure",
                "id": "b1",
                "procedure": "mbb",
                "date": "2026-04-06",
                "levels": ["L4-L5"],
                "side": "left",
            },
            *extra,
        ],
    }


# --- round trip ----------------------------------------------------------------------------


def test_round_trip_loses_nothing():
    """dump_episode(load_episode(x)) gives back every event and every field of x."""
    ep = load_episode(FULL)
    dumped = json.loads(dump_episode(ep))
    assert dumped == FULL


def test_round_trip_is_stable():
    """Loading a dump gives equal events, and dumping that gives the same text."""
    text = dump_episode(load_episode(FULL))
    again = load_episode(text)
    assert again.events == load_episode(FULL).events
    assert (again.patient_id, again.region) == (PATIENT, "lumbar")
    assert dump_episode(again) == text


def test_round_trip_drops_only_nulls():
    """Fields written as null come back absent (not documented), and nothing else changes."""
    with_nulls = copy.deepcopy(FULL)
    with_nulls["events"][0]["radiating"] = None
    with_nulls["events"][2]["end"] = None
    with_nulls["events"][10]["functional_improvement"] = None
    dumped = json.loads(dump_episode(load_episode(with_nulls)))
    for got, sent in zip(dumped["events"], with_nulls["events"], strict=True):
        assert got == {k: v for k, v in sent.items() if v is not None}


def test_round_trip_of_events_given_out_of_order():
    """Events given out of date order are all kept; the dump lists them in date order."""
    shuffled = copy.deepcopy(FULL)
    shuffled["events"] = list(reversed(shuffled["events"][:7])) + shuffled["events"][7:]
    dumped = json.loads(dump_episode(load_episode(shuffled)))
    key = json.dumps
    assert sorted(map(key, dumped["events"])) == sorted(map(key, FULL["events"]))
    assert [e.get("date", e.get("start")) for e in dumped["events"]] == sorted(
        e.get("date", e.get("start")) for e in FULL["events"]
    )


@pytest.mark.parametrize("as_text", [True, False])
def test_json_text_and_dict_both_accepted(as_text):
    """load_episode takes JSON text or the parsed dict, with the same result."""
    data = json.dumps(FULL) if as_text else FULL
    ep = load_episode(data)
    assert ep.events == load_episode(copy.deepcopy(FULL)).events
    assert len(ep.events) == len(FULL["events"])
    assert isinstance(ep.events[-1], Outcome)
    assert ep.events[-1].relief_percent == 62.5


def test_dates_are_pendulum_dates():
    """Loaded dates are pendulum Dates; dumped dates are ISO YYYY-MM-DD."""
    import pendulum

    ep = load_episode(FULL)
    assert all(isinstance(e.when, pendulum.Date) for e in ep.events)
    assert json.loads(dump_episode(ep))["events"][0]["date"] == "2026-01-05"


# --- bad input -------------------------------------------------------------------------------

PROC = {"type": "procedure", "id": "b2", "procedure": "mbb", "date": "2026-04-20", "side": "left"}
OUT = {"type": "outcome", "procedure_id": "b1", "date": "2026-04-06"}

#: (name, bad event, field, value): the bad event goes at index 2.
BAD: list[tuple[str, dict[str, Any], str, Any]] = [
    ("unknown type", {"type": "x_ray_visit", "date": "2026-01-05"}, "type", "x_ray_visit"),
    ("missing type", {"date": "2026-01-05"}, "type", None),
    ("missing date", {"type": "exam", "nrs": 3}, "date", HIDDEN),
    ("missing start", {"type": "care", "care": "nsaid"}, "start", HIDDEN),
    ("month 13", {"type": "exam", "date": "2026-13-01"}, "date", "2026-13-01"),
    ("unpadded date", {"type": "exam", "date": "2026-1-5"}, "date", "2026-1-5"),
    ("Feb 30", {"type": "exam", "date": "2026-02-30"}, "date", "2026-02-30"),
    (
        "date with time",
        {"type": "symptom_onset", "date": "2026-01-05T10:00"},
        "date",
        "2026-01-05T10:00",
    ),
    ("date as number", {"type": "exam", "date": 20260105}, "date", 20260105),
    ("percent 101", {**OUT, "relief_percent": 101}, "relief_percent", 101),
    ("percent -1", {**OUT, "relief_percent": -1}, "relief_percent", -1),
    ("percent 100.5", {**OUT, "relief_percent": 100.5}, "relief_percent", 100.5),
    ("percent as text", {**OUT, "relief_percent": "85"}, "relief_percent", "85"),
    ("nrs 11", {"type": "exam", "date": "2026-03-01", "nrs": 11}, "nrs", 11),
    ("nrs -1", {"type": "exam", "date": "2026-03-01", "nrs": -1}, "nrs", -1),
    ("nrs 6.5", {"type": "exam", "date": "2026-03-01", "nrs": 6.5}, "nrs", 6.5),
    (
        "care end before start",
        {"type": "care", "care": "nsaid", "start": "2026-01-12", "end": "2026-01-11"},
        "end",
        "2026-01-11",
    ),
    (
        "condition end before start",
        {"type": "condition", "condition": "pregnancy", "start": "2026-02-01", "end": "2026-01-31"},
        "end",
        "2026-01-31",
    ),
    ("cervical level in lumbar", {**PROC, "levels": ["C5-C6"]}, "levels[0]", "C5-C6"),
    ("thoracic level second", {**PROC, "levels": ["L4-L5", "T12-L1"]}, "levels[1]", "T12-L1"),
    (
        "imaging level of another region",
        {"type": "imaging", "date": "2026-02-20", "modality": "mri", "levels": ["C7-T1"]},
        "levels[0]",
        "C7-T1",
    ),
    ("unknown level", {**PROC, "levels": ["L6-L7"]}, "levels[0]", "L6-L7"),
    ("level written loosely", {**PROC, "levels": ["L4-L5", "l5-s1"]}, "levels[1]", "l5-s1"),
    (
        "outcome of no procedure",
        {**OUT, "procedure_id": "nope", "relief_percent": 50},
        "procedure_id",
        "nope",
    ),
    ("duplicate id", {**PROC, "id": "b1", "levels": ["L4-L5"]}, "id", "b1"),
    ("unknown field", {"type": "exam", "date": "2026-03-01", "colour": "red"}, "colour", HIDDEN),
    (
        "string for bool",
        {"type": "exam", "date": "2026-03-01", "facet_signs": "true"},
        "facet_signs",
        "true",
    ),
    (
        "number for bool",
        {"type": "exam", "date": "2026-03-01", "adl_impairment": 1},
        "adl_impairment",
        1,
    ),
    (
        "string for bool in care",
        {"type": "care", "care": "nsaid", "start": "2026-01-05", "not_tolerated": "yes"},
        "not_tolerated",
        "yes",
    ),
    (
        "string for fi",
        {**OUT, "relief_percent": 80, "functional_improvement": "false"},
        "functional_improvement",
        "false",
    ),
    ("unknown care", {"type": "care", "care": "yoga", "start": "2026-01-05"}, "care", "yoga"),
    (
        "unknown finding",
        {
            "type": "imaging",
            "date": "2026-02-20",
            "modality": "mri",
            "findings": ["facet_arthropathy", "bad"],
        },
        "findings[1]",
        "bad",
    ),
    ("unknown side", {**PROC, "levels": ["L4-L5"], "side": "both"}, "side", "both"),
]


@pytest.mark.parametrize(("name", "event", "field", "value"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_index_field_value(name, event, field, value):
    """Each bad event raises an EpisodeError naming its index, field path and value."""
    with pytest.raises(EpisodeError) as info:
        load_episode(doc(event))
    err = info.value
    assert (err.index, err.field, err.value) == (2, field, value)
    message = str(err)
    assert "2" in message
    assert field in message
    assert PATIENT not in message
    assert "SECRET" not in repr(err.args)


@pytest.mark.parametrize(("name", "event", "field", "value"), BAD, ids=[b[0] for b in BAD])
def test_failed_record_leaves_episode_unchanged(name, event, field, value):
    """record() of a batch with a bad event raises and keeps nothing of the batch."""
    ep = load_episode(doc())
    before = ep.events
    good = {"type": "exam", "date": "2026-03-01", "nrs": 5}
    with pytest.raises(EpisodeError) as info:
        ep.record(
            good,
            {
                "type": "procedure",
                "id": "b3",
                "procedure": "esi",
                "date": "2026-05-01",
                "levels": ["L4-L5"],
                "side": "left",
            },
            event,
        )
    assert info.value.index == 2
    assert info.value.field == field
    assert ep.events == before
    assert len(ep.events) == 2
    ep.record(good)  # the episode still works
    assert len(ep.events) == 3


@pytest.mark.parametrize(
    ("event", "attr", "value"),
    [
        ({**OUT, "relief_percent": 100}, "relief_percent", 100),
        ({**OUT, "relief_percent": 0}, "relief_percent", 0),
        ({**OUT, "relief_percent": 74.5}, "relief_percent", 74.5),
        ({"type": "exam", "date": "2026-03-01", "nrs": 0}, "nrs", 0),
        ({"type": "exam", "date": "2026-03-01", "nrs": 10}, "nrs", 10),
        (
            {"type": "care", "care": "nsaid", "start": "2026-01-12", "end": "2026-01-12"},
            "end",
            "2026-01-12",
        ),
        ({**PROC, "levels": ["L5-S1"]}, "levels", ("L5-S1",)),
        ({**PROC, "levels": ["L1-L2"]}, "levels", ("L1-L2",)),
    ],
)
def test_boundary_values_accepted(event, attr, value):
    """Percent 0 and 100, NRS 0 and 10, end on the start day and the region's edge levels load."""
    ep = load_episode(doc(event))
    got = getattr([e for e in ep.events if e.type == event["type"]][-1], attr)
    assert (got.isoformat() if hasattr(got, "isoformat") else got) == value


def test_t12_l1_is_thoracic_and_c7_t1_cervical():
    """A level belongs to the region of its upper vertebra: T12-L1 is thoracic, C7-T1 cervical."""
    thoracic = {
        "format": "episode/1",
        "patient_id": PATIENT,
        "region": "thoracic",
        "events": [{**PROC, "levels": ["T12-L1"]}],
    }
    cervical = {
        "format": "episode/1",
        "patient_id": PATIENT,
        "region": "cervical",
        "events": [{**PROC, "levels": ["C7-T1"]}],
    }
    assert load_episode(thoracic).events[0].levels == ("T12-L1",)
    assert load_episode(cervical).events[0].levels == ("C7-T1",)
    with pytest.raises(EpisodeError) as info:
        load_episode({**cervical, "events": [{**PROC, "levels": ["T1-T2"]}]})
    assert (info.value.index, info.value.field, info.value.value) == (0, "levels[0]", "T1-T2")


def test_outcome_may_name_a_procedure_later_in_the_same_batch():
    """An outcome listed before its procedure in the input still finds it (checked as a batch)."""
    ep = load_episode(
        doc(
            {**OUT, "procedure_id": "b9", "date": "2026-05-04", "relief_percent": 80},
            {**PROC, "id": "b9", "date": "2026-05-04", "levels": ["L4-L5"]},
        )
    )
    assert [e.type for e in ep.events] == ["symptom_onset", "procedure", "outcome", "procedure"]
    assert (ep.events[2].procedure_id, ep.events[3].id) == ("b9", "b9")


def test_outcome_of_a_procedure_recorded_earlier_is_accepted():
    """An outcome recorded later than its procedure (another record() call) is accepted."""
    ep = load_episode(doc())
    ep.record({**OUT, "relief_percent": 80})
    assert isinstance(ep.events[-1], Outcome)
    assert ep.events[-1].procedure_id == "b1"


def test_error_names_index_within_a_large_episode():
    """The index is the bad event's position in the input list, not always 0."""
    events = [{"type": "exam", "date": f"2026-03-{d:02d}", "nrs": 5} for d in range(1, 8)]
    events.insert(5, {"type": "exam", "date": "2026-03-04", "nrs": 12})
    with pytest.raises(EpisodeError) as info:
        load_episode({"format": "episode/1", "patient_id": PATIENT, "region": "lumbar", "events": events})
    assert (info.value.index, info.value.field, info.value.value) == (5, "nrs", 12)


@pytest.mark.parametrize(
    ("data", "field", "value"),
    [
        (
            {"format": "episode/2", "patient_id": PATIENT, "region": "lumbar", "events": []},
            "format",
            "episode/2",
        ),
        ({"patient_id": PATIENT, "region": "sacral", "events": []}, "region", "sacral"),
        ({"patient_id": PATIENT, "region": "lumbar", "events": [], "extra": 1}, "extra", HIDDEN),
        ({"patient_id": "", "region": "lumbar", "events": []}, "patient_id", HIDDEN),
        ({"patient_id": PATIENT, "region": "lumbar", "events": {}}, "events", HIDDEN),
    ],
)
def test_bad_header_is_an_episode_error(data, field, value):
    """A bad episode header raises an EpisodeError with index None, naming the field."""
    with pytest.raises(EpisodeError) as info:
        load_episode(data)
    assert (info.value.index, info.value.field, info.value.value) == (None, field, value)
    assert PATIENT not in str(info.value)


def test_not_json_is_an_episode_error():
    """Text that is not JSON raises an EpisodeError, not a JSONDecodeError."""
    with pytest.raises(EpisodeError):
        load_episode("{not json")


@pytest.mark.parametrize("event", ["hello", 42, None, ["exam"]])
def test_event_that_is_not_an_object(event):
    """An event that is not a JSON object raises an EpisodeError naming its index."""
    with pytest.raises(EpisodeError) as info:
        load_episode(doc(event))
    assert info.value.index == 2


@pytest.mark.parametrize("item", ["hello", 42])
def test_record_with_a_non_event_changes_nothing(item):
    """record(good, <not an event>) raises an EpisodeError and keeps nothing."""
    ep = load_episode(doc())
    before = ep.events
    with pytest.raises(EpisodeError):
        ep.record({"type": "exam", "date": "2026-03-01"}, item)
    assert ep.events == before


def test_error_message_has_no_patient_id_even_when_the_value_is_it():
    """Errors carry the event's index and value, never the episode's patient_id."""
    with pytest.raises(EpisodeError) as info:
        load_episode(doc({"type": "exam", "date": "2026-03-01", "nrs": 99}))
    assert PATIENT not in str(info.value)
    assert PATIENT not in repr(info.value)
    assert "99" in str(info.value)


def test_objects_are_checked_for_region_too():
    """An event object with a level of another region is refused like its dict."""
    from episodes.testing import day

    ep = load_episode(doc())
    bad = Procedure(
        id="c1",
        procedure=ProcedureKind.MBB,
        date=day("2026-05-01"),
        levels=["C5-C6"],
        side=Side.LEFT,
    )
    with pytest.raises(EpisodeError) as info:
        ep.record(Exam(date=day("2026-05-01")), bad)
    assert (info.value.index, info.value.field, info.value.value) == (1, "levels[0]", "C5-C6")
    assert len(ep.events) == 2


def test_a_proposal_names_at_least_one_level():
    """A proposal with levels [] is bad input (an ablation with no levels was once approved)."""
    import policies
    from episodes import evaluate

    ep = load_episode(FULL)
    for pid in ("centene-facet", "cms-l38773"):
        with pytest.raises(EpisodeError) as info:
            evaluate(
                ep,
                policies.load(pid),
                {"procedure": "rfa", "date": "2026-06-01", "levels": [], "side": "left"},
            )
        assert (info.value.field, str(info.value)) == (
            "levels",
            "event 0, field 'levels': a procedure names at least one level (got [])",
        )
