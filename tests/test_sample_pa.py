"""Scenario tests of the sample-pa-64493 policy (shared/policies.md, seed 000_740cf82310f24c23).

The policy is read literally; its criteria apply alike to mbb1, mbb2, mbb_subsequent and
ia_facet.  Episodes start from ``ready()``: a lumbar episode meeting every criterion from
READY (the day of the nerve root injection) through UNTIL (that injection is 3 months old the
day after), so each test varies one thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from pendulum import Date

import policies
from episodes import Episode, testing
from episodes.testing import EpisodeBuilder, day
from episodes.testing import criterion as crit

POLICY = policies.load("sample-pa-64493")
CITE = "Sample PA 64493"

READY = day("2025-12-01")
AS_OF = day("2026-01-05")
#: The ESI of Dec 1 is "within the past 3 months" while D < Mar 1: through Feb 28.
UNTIL = day("2026-02-28")
RULES = [
    "region",
    "physical_therapy",
    "supervised_exercise",
    "manual_therapy_and_modalities",
    "pain_education",
    "pain_duration",
    "history_and_physical",
    "xray",
    "ct_or_mri",
    "recent_procedure",
    "treatment_logs",
    "severity",
    "failed_medication",
    "failed_physical_therapy",
    "exclusions",
    "consultations",
]
DOCUMENTS = {
    "history_and_physical": "2025-09-30",
    "pt_progress_notes": "2025-09-23",
    "medication_list": "2025-09-30",
    "pcp_consult": "2025-10-01",
    "specialist_consult": "2025-10-20",
}


def ready(
    *,
    region: str = "lumbar",
    onset: str = "2025-06-02",
    pt2_end: str | None = "2025-09-23",
    pt2_start: str = "2025-08-26",
    pt1_components: Sequence[str] = ("supervised_exercise", "manual_therapy", "modalities"),
    pt2_components: Sequence[str] = ("pain_education",),
    pt2_response: str | None = "failed",
    medication: str = "nsaid",
    medication_response: str = "failed",
    omit: Sequence[str] = (),
    exam: dict[str, Any] | None = None,
    xray: str = "2025-09-30",
    scan: tuple[str, str] = ("mri", "2025-10-15"),
    injection: str | None = "esi",
) -> EpisodeBuilder:
    """An episode meeting every criterion from READY to UNTIL.

    Two failed physical therapy courses, united Jul 1 to Sep 23 2025 (84 days = 12 weeks),
    a failed NSAID course, an X-ray and an MRI, the documents, an exam on Nov 20 and a nerve
    root injection (ESI) on Dec 1.  ``omit`` leaves out documents by item.
    """
    level = "L4-L5" if region == "lumbar" else "C5-C6"
    b = EpisodeBuilder(region).onset(onset)
    b.care("physical_therapy", "2025-07-01", "2025-08-26", components=list(pt1_components))
    b.care(
        "physical_therapy",
        pt2_start,
        pt2_end,
        response=pt2_response,
        components=list(pt2_components),
    )
    b.care(medication, "2025-07-01", "2025-08-01", response=medication_response)
    b.imaging(xray, "xray", ["spondylosis"], [level])
    b.imaging(scan[1], scan[0], ["facet_arthropathy"], [level])
    for item, when in DOCUMENTS.items():
        if item not in omit:
            b.document(item, when)
    fields = {"nrs": 6, "decreased_rom": True, "impaired_gait": True, **(exam or {})}
    b.exam("2025-11-20", **fields)
    if injection:
        b.procedure(injection, READY, [level])
    return b


def plan(b: EpisodeBuilder | Episode, on: str | Date = AS_OF) -> Any:
    return testing.plan(b, POLICY, on)


def entry(b: EpisodeBuilder, on: str | Date = AS_OF) -> Any:
    return plan(b, on)["mbb"]


def decide(b: EpisodeBuilder | Episode, procedure: str, on: str | Date = AS_OF, **kw: Any) -> Any:
    return testing.decide(b, POLICY, procedure, on, **kw)


# --- the baseline ------------------------------------------------------------------------


def test_ready_episode_is_eligible_until_the_injection_ages_out():
    """Every criterion met on AS_OF; the window closes on Feb 28 (the ESI's 3 months)."""
    mbb = entry(ready())
    assert (mbb.step, mbb.status, mbb.earliest, mbb.until) == ("mbb1", "eligible", AS_OF, UNTIL)
    assert [c.rule for c in mbb.criteria] == RULES
    assert all(c.citation.startswith(CITE) for c in mbb.criteria)
    assert decide(ready(), "mbb").status == "approved"


@pytest.mark.parametrize("step", ["mbb2", "mbb_subsequent", "ia_facet"])
def test_every_facet_injection_takes_the_same_criteria(step):
    """mbb2, mbb_subsequent and ia_facet include the one set of criteria written under mbb1."""
    assert [r.id for r in POLICY.rules(step)] == [r.id for r in POLICY.rules("mbb1")]


def test_therapeutic_injection_is_approved_on_the_same_criteria():
    """A therapeutic intra-articular injection on AS_OF is approved, with no block before it."""
    d = decide(ready(), "ia_facet")
    assert (d.step, d.status) == ("ia_facet", "approved")


def test_second_block_read_literally_has_no_relief_criterion():
    """Read literally: a second block needs no relief from the first; 10% keeps the pathway open."""
    b = ready()
    first = b.procedure("mbb", "2026-01-05", ["L4-L5"])
    b.outcome(first, "2026-01-05", 10)
    p = plan(b, "2026-01-06")
    assert p.state == "mbb1"
    assert (p["mbb"].step, p["mbb"].status) == ("mbb2", "eligible")


def test_ablation_is_not_addressed():
    """The policy addresses facet injections only: no rfa entry; a proposed ablation is denied."""
    assert set(plan(ready())) == {"mbb", "ia_facet"}
    d = decide(ready(), "rfa")
    assert d.status == "denied"
    assert crit(d, "not_covered").status == "unmet"


@pytest.mark.parametrize(("region", "status"), [("lumbar", "met"), ("cervical", "unmet")])
def test_region_is_lumbar(region, status):
    """CPT 64493 is a lumbar code: a cervical episode is blocked by the region criterion."""
    c = crit(entry(ready(region=region)), "region")
    assert c.status == status
    assert c.citation == f"{CITE} Procedure Overview (CPT 64493)"


# --- Coverage 1: physical therapy ---------------------------------------------------------


@pytest.mark.parametrize(("end", "status"), [("2025-09-22", "unmet"), ("2025-09-23", "met")])
def test_physical_therapy_at_least_12_weeks(end, status):
    """United courses from Jul 1: to Sep 22 is 83 days (unmet); to Sep 23 is 84 days, 12 weeks."""
    mbb = entry(ready(pt2_end=end))
    c = crit(mbb, "physical_therapy")
    assert c.status == status
    assert c.citation == f"{CITE} Coverage Criteria 1"
    if status == "unmet":
        assert "83 days" in c.message
        assert mbb.status == "blocked"


@pytest.mark.parametrize(
    ("on", "status"), [("2025-09-22", "unmet"), ("2025-09-23", "met"), ("2025-09-24", "met")]
)
def test_physical_therapy_open_course_reaches_12_weeks(on, status):
    """An open second course reaches 12 weeks on Sep 23: unmet the day before, resolving then."""
    c = crit(entry(ready(pt2_end=None), on), "physical_therapy")
    assert c.status == status
    if status == "unmet":
        assert c.resolves_on == day("2025-09-23")


def test_physical_therapy_overlapping_courses_count_once():
    """Jul 1-Aug 26 and Aug 12-Sep 22: 97 days summed, 83 united: unmet."""
    c = crit(entry(ready(pt2_start="2025-08-12", pt2_end="2025-09-22")), "physical_therapy")
    assert c.status == "unmet"
    assert "83 days" in c.message


@pytest.mark.parametrize(
    ("pt1", "pt2", "status"),
    [
        (["supervised_exercise", "modalities"], ["pain_education"], "met"),
        (["supervised_exercise", "manual_therapy"], [], "unmet"),
        (["manual_therapy"], ["pain_education"], "unmet"),
        (["supervised_exercise"], ["pain_education"], "unmet"),
    ],
)
def test_physical_therapy_components(pt1, pt2, status):
    """Supervised exercise, manual therapy or modalities, pain education: each in some course."""
    c = crit(entry(ready(pt1_components=pt1, pt2_components=pt2)), "physical_therapy")
    assert c.status == status


def test_physical_therapy_completed_whatever_the_response():
    """Coverage 1 asks that therapy be completed: an improved course counts toward 12 weeks."""
    mbb = entry(ready(pt2_response="improved"))
    assert crit(mbb, "physical_therapy").status == "met"
    assert crit(mbb, "failed_physical_therapy").status == "unmet"


# --- Coverage 2: symptoms at least 6 weeks -------------------------------------------------


@pytest.mark.parametrize(
    ("on", "status"), [("2026-01-04", "unmet"), ("2026-01-05", "met"), ("2026-01-06", "met")]
)
def test_symptoms_at_least_6_weeks(on, status):
    """Onset Nov 24: 6 weeks is Jan 5; the day before is unmet, resolving on Jan 5."""
    c = crit(entry(ready(onset="2025-11-24"), on), "pain_duration")
    assert c.status == status
    if status == "unmet":
        assert c.resolves_on == day("2026-01-05")


# --- Coverage 3-4, Documentation 1-3: records within their windows --------------------------


@pytest.mark.parametrize(
    ("on", "status"), [("2026-09-28", "met"), ("2026-09-29", "met"), ("2026-09-30", "unmet")]
)
def test_history_and_physical_within_12_months(on, status):
    """An H&P of Sep 30, 2025 is within the past 12 months through Sep 29, 2026."""
    c = crit(entry(ready(), on), "history_and_physical")
    assert c.status == status
    if status == "met":
        assert c.until == day("2026-09-29")
    else:
        assert c.resolves_on is None


def test_history_and_physical_missing():
    """No history and physical on file: unmet, blocked."""
    mbb = entry(ready(omit=["history_and_physical"]))
    assert mbb.status == "blocked"
    assert crit(mbb, "history_and_physical").status == "unmet"


@pytest.mark.parametrize(
    ("on", "status"), [("2026-09-28", "met"), ("2026-09-29", "met"), ("2026-09-30", "unmet")]
)
def test_xray_within_12_months(on, status):
    """An X-ray of Sep 30, 2025 counts through Sep 29, 2026."""
    c = crit(entry(ready(), on), "xray")
    assert c.status == status
    if status == "met":
        assert c.until == day("2026-09-29")


def test_xray_required_an_mri_does_not_replace_it():
    """With the X-ray older than 12 months, the MRI does not stand in for it."""
    c = crit(entry(ready(xray="2024-12-01")), "xray")
    assert (c.status, c.resolves_on) == ("unmet", None)


@pytest.mark.parametrize("modality", ["mri", "ct"])
@pytest.mark.parametrize(
    ("on", "status"), [("2026-04-13", "met"), ("2026-04-14", "met"), ("2026-04-15", "unmet")]
)
def test_ct_or_mri_within_6_months(modality, on, status):
    """A CT or MRI of Oct 15, 2025 counts through Apr 14, 2026."""
    c = crit(entry(ready(scan=(modality, "2025-10-15")), on), "ct_or_mri")
    assert c.status == status


def test_ct_or_mri_window_clamps_at_month_end():
    """An MRI of Aug 31 is within 6 months through Feb 27 (Aug 31 + 6 months is Feb 28)."""
    b = ready(scan=("mri", "2025-08-31"))
    assert crit(entry(b, "2026-02-27"), "ct_or_mri").until == day("2026-02-27")
    assert crit(entry(b, "2026-02-28"), "ct_or_mri").status == "unmet"
    assert entry(b, "2026-01-05").until == day("2026-02-27")


@pytest.mark.parametrize(
    ("on", "status"),
    [("2026-02-27", "eligible"), ("2026-02-28", "eligible"), ("2026-03-01", "blocked")],
)
def test_nerve_block_or_root_injection_within_3_months(on, status):
    """The ESI of Dec 1 is within the past 3 months through Feb 28; from Mar 1 it blocks."""
    mbb = entry(ready(), on)
    assert mbb.status == status
    c = crit(mbb, "recent_procedure")
    assert c.status == ("met" if status == "eligible" else "unmet")


@pytest.mark.parametrize(("injection", "status"), [("mbb", "met"), ("esi", "met"), (None, "unmet")])
def test_nerve_block_or_root_injection_read_literally(injection, status):
    """Literally: even a first block needs an earlier block or root injection within 3 months."""
    c = crit(entry(ready(injection=injection)), "recent_procedure")
    assert c.status == status


@pytest.mark.parametrize("missing", ["pt_progress_notes", "medication_list"])
def test_treatment_logs(missing):
    """PT progress notes and a medication list must both be on file."""
    c = crit(entry(ready(omit=[missing])), "treatment_logs")
    assert c.status == "unmet"
    assert missing in c.message


# --- Coverage 5: severity -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exam", "status"),
    [
        ({"nrs": 4}, "met"),
        ({"nrs": 3}, "unmet"),
        ({"decreased_rom": False}, "unmet"),
        ({"impaired_gait": False}, "unmet"),
        ({"impaired_gait": None}, "unknown"),
        ({"nrs": None}, "unknown"),
    ],
)
def test_severity_nrs_at_least_4_with_decreased_rom_and_impaired_gait(exam, status):
    """NRS at least 4 (4 passes, 3 fails), decreased range of motion and impaired gait."""
    assert crit(entry(ready(exam=exam)), "severity").status == status


def test_severity_reads_the_latest_exam():
    """A later exam with NRS 3 outweighs an earlier one that passed."""
    b = ready()
    b.exam("2025-12-20", nrs=3, decreased_rom=True, impaired_gait=True)
    c = crit(entry(b), "severity")
    assert c.status == "unmet"
    assert "2025-12-20" in c.message


# --- Medical Necessity 1-2: failed treatments -----------------------------------------------


@pytest.mark.parametrize(
    ("medication", "response", "status"),
    [
        ("nsaid", "failed", "met"),
        ("oral_steroid", "partial", "met"),
        ("nsaid", "improved", "unmet"),
        ("acetaminophen", "failed", "unmet"),
    ],
)
def test_failed_medication_course(medication, response, status):
    """At least one failed NSAID or oral steroid course; acetaminophen is not listed."""
    c = crit(entry(ready(medication=medication, medication_response=response)), "failed_medication")
    assert c.status == status


@pytest.mark.parametrize(
    ("response", "status"), [("failed", "met"), ("improved", "unmet"), (None, "unknown")]
)
def test_two_failed_physical_therapy_courses(response, status):
    """Two failed physical therapy courses; one failed and one improved is not enough."""
    c = crit(entry(ready(pt2_response=response)), "failed_physical_therapy")
    assert c.status == status


# --- Exclusions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "status"),
    [
        ("systemic_infection", "unmet"),
        ("local_infection", "unmet"),
        ("pregnancy", "unmet"),
        ("severe_comorbidity", "unmet"),
        ("anticoagulation", "met"),
    ],
)
def test_exclusions(condition, status):
    """Active infection, pregnancy and severe comorbidity exclude; anticoagulation is not listed."""
    b = ready().condition(condition, "2025-12-15", "2026-01-05")
    c = crit(entry(b), "exclusions")
    assert c.status == status
    if status == "unmet":
        assert c.resolves_on == day("2026-01-06")
        assert entry(b, "2026-01-06").status == "eligible"


# --- Documentation 4: consultations ---------------------------------------------------------


@pytest.mark.parametrize("missing", ["pcp_consult", "specialist_consult"])
def test_consultations(missing):
    """Primary care and specialist consultation reports must both be on file."""
    mbb = entry(ready(omit=[missing]))
    assert mbb.status == "blocked"
    c = crit(mbb, "consultations")
    assert c.status == "unmet"
    assert missing in c.message


# --- Coverage 1: each component's own weeks ---------------------------------------------------


@pytest.mark.parametrize(
    ("pt2_start", "days", "status"),
    [("2025-08-13", 41, "unmet"), ("2025-08-12", 42, "met"), ("2025-08-11", 43, "met")],
)
def test_supervised_exercise_for_6_weeks(pt2_start, days, status):
    """Supervised exercise listed only on the second course (ending Sep 23): 41 days is a day
    short of 6 weeks, 42 days is 6 weeks; the 12 weeks of therapy stay met."""
    b = ready(
        pt1_components=("manual_therapy", "modalities"),
        pt2_components=("supervised_exercise", "pain_education"),
        pt2_start=pt2_start,
    )
    e = entry(b)
    assert crit(e, "supervised_exercise").status == status, days
    assert crit(e, "physical_therapy").status == "met"
    assert (e.status == "eligible") is (status == "met")


@pytest.mark.parametrize(
    ("pt2_start", "status"), [("2025-09-03", "unmet"), ("2025-09-02", "met"), ("2025-09-01", "met")]
)
def test_pain_education_for_3_weeks(pt2_start, status):
    """Pain education on the second course only, ending Sep 23: from Sep 3 it is 20 days, from
    Sep 2 it is 21 (3 weeks)."""
    b = ready(pt2_start=pt2_start)
    assert crit(entry(b), "pain_education").status == status


@pytest.mark.parametrize(
    ("components", "status"),
    [
        (("supervised_exercise", "manual_therapy", "modalities"), "met"),
        (("supervised_exercise", "manual_therapy"), "unmet"),
        (("supervised_exercise", "modalities"), "unmet"),
    ],
)
def test_manual_therapy_and_modalities_both_present(components, status):
    """'3 weeks of manual therapy and modalities': both must be listed on the courses."""
    assert crit(entry(ready(pt1_components=components)), "manual_therapy_and_modalities").status == status


@pytest.mark.parametrize(("end", "status"), [("2025-07-21", "unmet"), ("2025-07-22", "met")])
def test_manual_therapy_and_modalities_for_3_weeks(end, status):
    """Manual therapy and modalities on a course of their own from Jul 1: to Jul 21 is 20 days,
    to Jul 22 is 21 (3 weeks)."""
    b = ready(pt1_components=("supervised_exercise",))
    b.care("physical_therapy", "2025-07-01", end, components=["manual_therapy", "modalities"])
    assert crit(entry(b), "manual_therapy_and_modalities").status == status


# --- Authorization Details ------------------------------------------------------------------
# An approval dated Nov 20 is valid through Feb 17 (Nov 20 + 90 days is Feb 18: the 91st day).


def test_an_approval_bounds_the_window_through_its_90th_day():
    """Approved Nov 20: the plan's window ends Feb 17 (not the ESI's Feb 28), cited."""
    b = ready()
    b.authorization("mbb", "2025-11-20", reference="PA-1")
    mbb = entry(b)
    assert (mbb.status, mbb.until) == ("eligible", day("2026-02-17"))
    auth = mbb.authorization
    assert (auth.status, auth.valid_from, auth.valid_through) == (
        "approved",
        day("2025-11-20"),
        day("2026-02-17"),
    )
    assert auth.citation == f"{CITE} Authorization Details 1"
    assert "PA-1" in auth.message


def test_a_proposal_on_the_91st_day_is_told_the_approval_expired():
    """Feb 17 (the 90th day) is within the approval; Feb 18 is not, and the status is unchanged."""
    b = ready()
    b.authorization("mbb", "2025-11-20")
    on_90th = decide(b, "mbb", "2026-02-17")
    assert (on_90th.status, on_90th.authorization.status) == ("approved", "approved")
    on_91st = decide(b, "mbb", "2026-02-18")
    assert (on_91st.status, on_91st.authorization.status) == ("approved", "expired")
    assert "expired on 2026-02-18" in on_91st.authorization.message
    assert entry(b, "2026-02-18").until == UNTIL  # an expired approval bounds nothing


def test_a_denial_names_the_30th_day_for_the_peer_to_peer_review():
    """Denied Dec 15: the review is due by Jan 14 (Dec 15 + 30 days), cited; no bound on until."""
    b = ready()
    b.authorization("mbb", "2025-12-15", status="denied")
    mbb = entry(b)
    assert (mbb.until, mbb.authorization.status) == (UNTIL, "denied")
    assert mbb.authorization.peer_to_peer_by == day("2026-01-14")
    assert mbb.authorization.citation == f"{CITE} Authorization Details 2"


def test_no_authorization_on_record_and_other_policies_say_nothing():
    """No authorization on record is 'none'; a policy without [authorization] gives None."""
    assert entry(ready()).authorization.status == "none"
    other = testing.plan(ready(), policies.load("cms-l38773"), AS_OF)["mbb"]
    assert other.authorization is None


def test_a_request_in_codes_with_its_lines():
    """64493 and 64494 for two levels, bilateral: a block, requested as 64493-50 and 64494-50."""
    d = decide(b := ready(), "mbb", AS_OF, levels=["L4-L5", "L5-S1"], codes=["64493", "64494"])
    assert d.status == "approved"
    assert [str(c) for c in d.codes] == ["64493-50", "64494-50"]
    given = testing.evaluate_codes(b, POLICY, ["64493", "64494"], AS_OF, ["L4-L5", "L5-S1"])
    assert (given.procedure, given.step, given.levels, given.side) == (
        "mbb",
        "mbb1",
        ("L4-L5", "L5-S1"),
        "bilateral",
    )
    assert [str(c) for c in entry(b).codes] == ["64493"]
