"""Scenario tests of cervical-facet-64490 (shared/policies.md; seed 002_307d71a1dc27dc34).

Each criterion is tested at its boundaries: the day before, of and after a time threshold,
and its comparison's boundary value (">50%": 50 fails, 51 passes).  Episodes start from
``ready()``: a cervical episode ready for a first block on READY, so each test varies one thing.
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

POLICY = policies.load("cervical-facet-64490")
CITE = "CPT 64490/64491 Assessment"

ONSET = "2025-01-01"
START = day("2025-01-06")
#: Onset + 3 months is Apr 1; "exceeding 3 months" holds from Apr 2.
READY = day("2025-04-02")
LEVEL = "C5-C6"
EXAM_OK = {
    "nrs": 6,
    "adl_impairment": True,
    "facet_signs": True,
    "radicular_signs": False,
    "progressive_neuro_deficit": False,
}
MBB1_RULES = [
    "conservative_care",
    "pain_duration",
    "functional_impairment",
    "facet_findings",
    "psychosocial_evaluation",
    "imaging",
    "contraindications",
    "region",
]


def ready(
    region: str = "cervical",
    *,
    care: Sequence[str] = ("physical_therapy", "nsaid", "activity_modification"),
    days: int | None = 42,
    response: str = "failed",
    exam: dict[str, Any] | None = None,
    imaging: tuple[str, Sequence[str]] | None = ("xray", ("spondylosis",)),
    psychosocial: bool = True,
) -> EpisodeBuilder:
    """A cervical episode ready for a first block on READY.

    Each ``care`` course from START, ``days`` long (None: open); an X-ray on Feb 1; an exam
    and a psychosocial evaluation on Mar 1.
    """
    level = {"cervical": LEVEL, "thoracic": "T3-T4", "lumbar": "L4-L5"}[region]
    b = EpisodeBuilder(region).onset(ONSET)
    end = None if days is None else START.add(days=days)
    for kind in care:
        b.care(kind, START, end, response=response)
    if imaging is not None:
        b.imaging("2025-02-01", imaging[0], imaging[1], [level])
    b.exam("2025-03-01", **{**EXAM_OK, **(exam or {})})
    if psychosocial:
        b.document("psychosocial_evaluation", "2025-03-01")
    return b


def block(b: EpisodeBuilder, when: str, relief: float, levels: Sequence[str] = (LEVEL,)) -> str:
    return b.block(when, relief, levels)


def plan(b: EpisodeBuilder | Episode, on: str | Date = READY) -> Any:
    return testing.plan(b, POLICY, on)


def decide(
    b: EpisodeBuilder | Episode,
    procedure: str,
    on: str | Date = READY,
    levels: Sequence[str] = (LEVEL,),
) -> Any:
    return testing.decide(b, POLICY, procedure, on, levels)


# --- mbb1 ---------------------------------------------------------------------------------


def test_ready_episode_is_eligible_for_a_first_block():
    """Every mbb1 criterion is met on READY, in the file's order, each cited."""
    mbb = plan(ready())["mbb"]
    assert (mbb.step, mbb.status, mbb.earliest) == ("mbb1", "eligible", READY)
    assert [c.rule for c in mbb.criteria] == MBB1_RULES
    assert crit(mbb, "imaging").citation == f"{CITE} Common Pitfalls to Avoid (imaging)"
    assert decide(ready(), "mbb").status == "approved"


@pytest.mark.parametrize(
    ("on", "status"),
    [("2025-04-01", "waiting"), ("2025-04-02", "eligible"), ("2025-04-03", "eligible")],
)
def test_pain_duration_exceeding_3_months(on, status):
    """Onset Jan 1: "exceeding 3 months" holds from Apr 2, not on Apr 1 itself."""
    mbb = plan(ready(), on)["mbb"]
    assert mbb.status == status
    c = crit(mbb, "pain_duration")
    if status == "waiting":
        assert (c.status, c.resolves_on, mbb.earliest) == ("unmet", READY, READY)
        assert [x.rule for x in mbb.unmet()] == ["pain_duration"]


@pytest.mark.parametrize(("days", "status"), [(41, "unmet"), (42, "met")])
def test_conservative_care_at_least_6_weeks(days, status):
    """Courses of 41 days fail "at least 6 weeks"; 42 days (6 weeks) pass."""
    c = crit(plan(ready(days=days))["mbb"], "conservative_care")
    assert c.status == status
    assert c.resolves_on is None


@pytest.mark.parametrize(("offset", "status"), [(-1, "unmet"), (0, "met"), (1, "met")])
def test_conservative_care_open_courses_reach_6_weeks(offset, status):
    """Open courses from Jan 6 reach 6 weeks on Feb 17: unmet the day before, resolving then."""
    edge = START.add(weeks=6)
    c = crit(plan(ready(days=None), edge.add(days=offset))["mbb"], "conservative_care")
    assert c.status == status
    if status == "unmet":
        assert c.resolves_on == edge


@pytest.mark.parametrize(
    ("care", "status"),
    [
        (("physical_therapy", "acetaminophen", "activity_modification"), "met"),
        (("physical_therapy", "nsaid"), "unmet"),
        (("nsaid", "activity_modification"), "unmet"),
        (("physical_therapy", "activity_modification", "muscle_relaxant"), "unmet"),
    ],
)
def test_conservative_care_each_kind_present(care, status):
    """Physical therapy, an NSAID or acetaminophen, and activity modification: each present."""
    assert crit(plan(ready(care=care))["mbb"], "conservative_care").status == status


def test_conservative_care_improved_is_not_inadequate():
    """Care that improved the pain is not "documented as inadequate": unmet."""
    assert crit(plan(ready(response="improved"))["mbb"], "conservative_care").status == "unmet"


@pytest.mark.parametrize(
    ("exam", "status"),
    [
        ({"nrs": None}, "unknown"),
        ({"adl_impairment": False}, "unmet"),
        ({"adl_impairment": None}, "unknown"),
    ],
)
def test_functional_impairment_quantified(exam, status):
    """An NRS recorded and ADL limitation documented: null is unknown, false is unmet."""
    mbb = plan(ready(exam=exam))["mbb"]
    assert crit(mbb, "functional_impairment").status == status
    assert mbb.status == ("needs_documentation" if status == "unknown" else "blocked")


@pytest.mark.parametrize(
    ("exam", "status"),
    [
        ({"facet_signs": False}, "unmet"),
        ({"facet_signs": None}, "unknown"),
        ({"radicular_signs": True}, "unmet"),
        ({"radicular_signs": None}, "unknown"),
        ({"progressive_neuro_deficit": True}, "unmet"),
        ({"progressive_neuro_deficit": None}, "unknown"),
    ],
)
def test_facet_findings_without_radicular_signs_or_progressive_deficit(exam, status):
    """Facet signs true, radicular signs false, no progressive neurologic deficit."""
    assert crit(plan(ready(exam=exam))["mbb"], "facet_findings").status == status


def test_psychosocial_evaluation_documented():
    """No psychosocial evaluation on file: unmet, blocked."""
    mbb = plan(ready(psychosocial=False))["mbb"]
    assert mbb.status == "blocked"
    assert crit(mbb, "psychosocial_evaluation").status == "unmet"


@pytest.mark.parametrize(
    ("imaging", "status"),
    [
        (("xray", ["spondylosis"]), "met"),
        (("mri", ["normal"]), "met"),
        (("ct", ["facet_arthropathy"]), "met"),
        (("xray", ["fracture"]), "unmet"),
        (("mri", ["tumor"]), "unmet"),
        (("ct", ["infection"]), "unmet"),
        (("spect_ct", ["normal"]), "unmet"),
        (None, "unmet"),
    ],
)
def test_imaging_excludes_fracture_tumor_infection(imaging, status):
    """An X-ray, MRI or CT is required and must show no fracture, tumor or infection."""
    assert crit(plan(ready(imaging=imaging))["mbb"], "imaging").status == status


@pytest.mark.parametrize(
    "condition", ["systemic_infection", "local_infection", "coagulopathy", "anticoagulation"]
)
@pytest.mark.parametrize(("offset", "status"), [(-1, "unmet"), (0, "unmet"), (1, "met")])
def test_absolute_contraindications_active_to_their_end(condition, offset, status):
    """A contraindication ending on READY blocks through READY and resolves the day after."""
    b = ready().condition(condition, "2025-03-15", READY)
    c = crit(plan(b, READY.add(days=offset))["mbb"], "contraindications")
    assert c.status == status
    if status == "unmet":
        assert c.resolves_on == READY.add(days=1)


def test_relative_contraindication_does_not_block():
    """Pregnancy is no absolute contraindication: the block stays eligible."""
    assert plan(ready().condition("pregnancy", "2025-03-15"))["mbb"].status == "eligible"


@pytest.mark.parametrize(
    ("region", "status"), [("cervical", "met"), ("thoracic", "met"), ("lumbar", "unmet")]
)
def test_region_cervical_or_thoracic(region, status):
    """CPT 64490/64491 are cervical and thoracic codes; a lumbar episode is blocked."""
    p = plan(ready(region))
    assert crit(p["mbb"], "region").status == status
    assert crit(p["rfa"], "region").status == status


# --- mbb2 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("relief", "status", "state"), [(50, "blocked", "facet_negative"), (51, "eligible", "mbb1")]
)
def test_second_block_needs_more_than_50_percent(relief, status, state):
    """A first block at 50% is not ">50%": the pathway closes; 51% passes."""
    b = ready()
    block(b, "2025-04-02", relief)
    p = plan(b, "2025-04-03")
    assert p.state == state
    assert (p["mbb"].step, p["mbb"].status) == ("mbb2", status)
    assert crit(p["mbb"], "relief").citation == f"{CITE} Diagnostic and Therapeutic Value"


def test_second_block_takes_the_first_block_criteria():
    """mbb2 applies every mbb1 criterion, then the relief criterion."""
    ids = [r.id for r in POLICY.rules("mbb2")]
    assert ids == [*MBB1_RULES[:-1], "relief", "region"]


def test_third_block_is_not_covered():
    """The assessment names two diagnostic blocks, no third: mbb_subsequent is blocked."""
    b = ready()
    block(b, "2025-04-02", 90)
    block(b, "2025-04-20", 90)
    mbb = plan(b, "2025-05-01")["mbb"]
    assert (mbb.step, mbb.status) == ("mbb_subsequent", "blocked")
    assert crit(mbb, "not_covered").status == "unmet"


# --- rfa and ia_facet (Treatment Algorithm, Step 3) ------------------------------------------


def two_blocks(first: float = 90, second: float = 51) -> EpisodeBuilder:
    b = ready()
    block(b, "2025-04-02", first)
    block(b, "2025-04-20", second)
    return b


@pytest.mark.parametrize(("second", "status"), [(50, "blocked"), (51, "eligible")])
def test_rfa_two_blocks_more_than_50_percent(second, status):
    """Two blocks each above 50%: a second at 50% fails (and closes the pathway), 51% passes."""
    p = plan(two_blocks(second=second), "2025-05-01")
    assert (p["rfa"].step, p["rfa"].status) == ("rfa", status)
    assert crit(p["rfa"], "positive_blocks").status == ("met" if second == 51 else "unmet")
    assert p.state == ("facet_negative" if second == 50 else "mbb2")


def test_rfa_at_the_levels_of_the_blocks():
    """An ablation at C5-C6 (the blocks' level) is approved; at C6-C7 denied."""
    assert decide(two_blocks(), "rfa", "2025-05-01").status == "approved"
    d = decide(two_blocks(), "rfa", "2025-05-01", ["C6-C7"])
    assert d.status == "denied"
    assert crit(d, "levels_covered").status == "unmet"


def test_rfa_level_needs_both_blocks():
    """C6-C7 had only the first block: an ablation there is denied; C5-C6 had both."""
    b = ready()
    block(b, "2025-04-02", 90, [LEVEL, "C6-C7"])
    block(b, "2025-04-20", 60, [LEVEL])
    assert decide(b, "rfa", "2025-05-01", [LEVEL]).status == "approved"
    d = decide(b, "rfa", "2025-05-01", ["C6-C7"])
    assert d.status == "denied"
    assert crit(d, "levels_covered").status == "unmet"


def test_repeat_rfa_is_not_covered():
    """The assessment names no repeat ablation: after one, the rfa entry is blocked."""
    b = two_blocks()
    b.procedure("rfa", "2025-05-01", [LEVEL])
    rfa = plan(b, "2026-01-01")["rfa"]
    assert (rfa.step, rfa.status) == ("repeat_rfa", "blocked")
    assert crit(rfa, "not_covered").status == "unmet"


@pytest.mark.parametrize(("relief", "status"), [(50, "denied"), (51, "approved")])
def test_therapeutic_injection_after_a_block_above_50_percent(relief, status):
    """A therapeutic injection needs a diagnostic block above 50%: 50 is denied, 51 approved."""
    b = ready()
    block(b, "2025-04-02", relief)
    d = decide(b, "ia_facet", "2025-04-20")
    assert d.status == status
    assert crit(d, "positive_blocks").status == ("met" if relief == 51 else "unmet")


def test_therapeutic_injection_takes_the_first_block_criteria():
    """ia_facet applies the mbb1 criteria; with no block, only positive_blocks blocks it."""
    assert [r.id for r in POLICY.rules("ia_facet")] == [
        *MBB1_RULES[:-1],
        "positive_blocks",
        "region",
    ]
    e = plan(ready())["ia_facet"]
    assert e.status == "blocked"
    assert [c.rule for c in e.unmet()] == ["positive_blocks"]


def test_not_addressed_procedures():
    """ESI, pulsed RFA and cyst aspiration are not addressed: no entries; a proposal of one
    is not_addressed (the assessment neither allows nor forbids it), not denied."""
    p = plan(ready())
    assert set(p) == {"mbb", "rfa", "ia_facet"}
    for procedure in ("esi", "pulsed_rfa", "facet_cyst_aspiration"):
        d = decide(ready(), procedure)
        assert d.status == "not_addressed"
        assert [(c.rule, c.status) for c in d.criteria] == [("not_addressed", "unknown")]


@pytest.mark.parametrize(
    "condition", ["systemic_infection", "local_infection", "coagulopathy", "anticoagulation"]
)
@pytest.mark.parametrize(("offset", "status"), [(-1, "unmet"), (0, "unmet"), (1, "met")])
def test_absolute_contraindications_apply_to_the_ablation(condition, offset, status):
    """The Absolute Contraindications apply to every procedure of the document: a condition
    active from Apr 25 to May 1 blocks an ablation through May 1 and lets it on May 2."""
    end = day("2025-05-01")
    b = two_blocks().condition(condition, "2025-04-25", end)
    on = end.add(days=offset)
    rfa = plan(b, on)["rfa"]
    c = crit(rfa, "contraindications")
    assert c.status == status
    assert (rfa.status == "eligible") is (status == "met")
    assert decide(b, "rfa", on).status == ("approved" if status == "met" else "denied")
    if status == "unmet":
        assert (c.resolves_on, c.citation) == (end.add(days=1), f"{CITE} Absolute Contraindications")
