"""The ``diagnosis`` criterion: a policy's ICD-10-CM table, read by code, category and range."""

from __future__ import annotations

import pytest

import policies
from episodes import InvalidEvent, load_episode
from episodes._episode import build_record
from episodes._rules import CriterionStatus, Ctx
from episodes._rules.diagnosis import DiagnosisRule
from episodes.testing import EpisodeBuilder, day

CENTENE = next(r.criterion for r in policies.load("centene-facet").rules("mbb1") or () if r.id == "diagnosis")
COHERE = next(
    r.criterion for r in policies.load("cohere-neck-pain").rules("mbb1") or () if r.id == "diagnosis"
)
ON = day("2026-03-01")


def judged(rule: DiagnosisRule, *diagnoses: tuple[str, str, str | None], on: str = "2026-03-01"):  # type: ignore[no-untyped-def]
    b = EpisodeBuilder("lumbar").onset("2025-10-01")
    for code, when, end in diagnoses:
        b.diagnosis(code, when, end)
    ep = b.build()
    return rule.check(Ctx(build_record(ep, day(on)), day(on)))


def test_a_listed_code_is_met() -> None:
    """M47.816 (lumbar spondylosis) is in Centene's table."""
    v = judged(CENTENE, ("M47.816", "2026-01-10", None))
    assert v.status is CriterionStatus.MET
    assert "M47.816" in v.message


@pytest.mark.parametrize("code", ["M54.50", "M54.51", "M54.59", "M54.5"])
def test_a_2022_child_of_a_listed_category(code: str) -> None:
    """M54.5 was split in October 2021 (FY2022): its children still support coverage under Centene."""
    assert judged(CENTENE, (code, "2026-01-10", None)).status is CriterionStatus.MET


@pytest.mark.parametrize(("code", "status"), [("M54.30", "met"), ("M54.32", "met"), ("M54.41", "met")])
def test_ranges_as_written(code: str, status: str) -> None:
    """M54.30-M54.32 and M54.40-M54.42: the ends of a range are in it."""
    assert judged(CENTENE, (code, "2026-01-10", None)).status == status


def test_an_unlisted_diagnosis_is_unmet() -> None:
    """Real codes not in the table: M54.6 (pain in thoracic spine), M51.16 (disc disorder with
    radiculopathy, lumbar)."""
    v = judged(CENTENE, ("M54.6", "2026-01-10", None), ("M51.16", "2026-01-11", None))
    assert v.status is CriterionStatus.UNMET
    assert "M51.16, M54.6" in v.message


def test_no_diagnosis_is_unknown_and_names_the_codes_that_would_do() -> None:
    """No diagnosis on record: needs documentation, naming the listed codes, categories and ranges."""
    v = judged(CENTENE)
    assert v.status is CriterionStatus.UNKNOWN
    for part in ("M47.816", "M54.5 or a code under it", "M54.30 to M54.32"):
        assert part in v.message


def test_a_diagnosis_counts_from_its_date_and_through_its_end() -> None:
    """Recorded the day after: not on record.  Resolved on the date: still counts; the day before: not."""
    assert judged(CENTENE, ("M47.816", "2026-03-02", None)).status is CriterionStatus.UNKNOWN
    assert judged(CENTENE, ("M47.816", "2026-01-10", "2026-03-01")).status is CriterionStatus.MET
    v = judged(CENTENE, ("M47.816", "2026-01-10", "2026-02-28"))
    assert v.status is CriterionStatus.UNMET
    assert "resolved on 2026-02-28" in v.message


def test_cohere_lists_cervical_codes_only() -> None:
    """Cohere's table has cervicalgia (M54.2) but no lumbar code."""
    assert judged(COHERE, ("M54.2", "2026-01-10", None)).status is CriterionStatus.MET
    assert judged(COHERE, ("M47.816", "2026-01-10", None)).status is CriterionStatus.UNMET


def test_a_diagnosis_event_needs_a_real_code() -> None:
    """A made-up code is bad input naming the field; a category header (M54.5) is accepted."""
    base = {"format": "episode/1", "patient_id": "x", "region": "lumbar"}
    with pytest.raises(InvalidEvent) as err:
        load_episode({**base, "events": [{"type": "diagnosis", "code": "M54.99", "date": "2026-01-01"}]})
    assert err.value.field == "code"
    load_episode({**base, "events": [{"type": "diagnosis", "code": "M54.5", "date": "2026-01-01"}]})


def test_a_policy_file_with_a_malformed_code_fails_to_load() -> None:
    """The policy's list is checked for the shape of each code."""
    with pytest.raises(ValueError, match="ICD-10-CM"):
        DiagnosisRule(cite="x", codes=["M4781"])
    with pytest.raises(ValueError, match="lower first"):
        DiagnosisRule(cite="x", ranges=[["M54.32", "M54.30"]])
