"""Scenario tests of the cohere-neck-pain policy (shared/policies.md, seed 003_7b9ff1361290faac).

Each criterion of the table is tested at its boundaries: the day before, of and after a time
threshold, and its comparison's boundary value ("greater than 80%": 80 fails, 81 passes;
"more than 12 weeks": 84 days fail, 85 pass).  Facet episodes start from ``ready()``: a
cervical episode ready for a first block on READY; ESI episodes from ``esi_ready()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from pendulum import Date

import policies
from episodes import Episode, evaluate, testing
from episodes.testing import EpisodeBuilder, day, proposal
from episodes.testing import criterion as crit

POLICY = policies.load("cohere-neck-pain")
CITE = "Cohere Neck Pain V3.0"

ONSET = "2025-01-01"
START = day("2025-01-06")
#: START + 85 days: the first day of "more than 12 weeks" of care (84 days is 12 weeks).
READY = day("2025-04-01")
LEVEL = "C5-C6"
MEDICATIONS = ["nsaid", "acetaminophen", "oral_steroid", "muscle_relaxant", "neuropathic_agent"]


def ready(
    region: str = "cervical",
    *,
    therapy: str | None = "physical_therapy",
    medication: str | None = "nsaid",
    days: int | None = 91,
    response: str | None = "failed",
    modality: str = "mri",
    findings: Sequence[str] = ("facet_arthropathy",),
    levels: Sequence[str] = (LEVEL,),
) -> EpisodeBuilder:
    """A cervical episode ready for a first block on READY.

    A therapy and a medication course from START, ``days`` long (None: open), ``response``;
    imaging on 2025-03-03 at ``levels``; an exam on 2025-03-10.
    """
    b = EpisodeBuilder(region)
    b.onset(ONSET)
    b.diagnosis("M54.2", ONSET)  # cervicalgia: in the Disease Classification table
    end = None if days is None else START.add(days=days)
    if therapy:
        b.care(therapy, START, end, response=response)
    if medication:
        b.care(medication, START, end, response=response)
    b.imaging("2025-03-03", modality, findings, levels)
    b.exam("2025-03-10", nrs=6, facet_signs=True, radicular_signs=False)
    return b


def block(b: EpisodeBuilder, when: str | Date, relief: float | None, levels: Sequence[str] = (LEVEL,)) -> str:
    """A medial branch block with (unless ``relief`` is None) its same-day outcome."""
    return b.block(when, relief, levels)


def plan(b: EpisodeBuilder | Episode, on: str | Date) -> Any:
    return testing.plan(b, POLICY, on)


def decide(
    b: EpisodeBuilder | Episode, procedure: str, on: str | Date, levels: Sequence[str] = (LEVEL,)
) -> Any:
    return testing.decide(b, POLICY, procedure, on, levels)


# --- Initial Facet Injection/Medial Branch Block (mbb1) ----------------------------------


def test_ready_episode_is_eligible_for_a_first_block():
    """The ready episode meets every mbb1 criterion on READY; the rules are in the file's order."""
    mbb = plan(ready(), READY)["mbb"]
    assert (mbb.step, mbb.status, mbb.earliest, mbb.until) == ("mbb1", "eligible", READY, None)
    assert [c.rule for c in mbb.criteria] == [
        "conservative_care",
        "imaging",
        "contraindications",
        "prior_fusion",
        "region",
        "diagnosis",
    ]
    assert crit(mbb, "conservative_care").citation == (
        f"{CITE} Initial Facet Injection/Medial Branch Block, Indications"
    )
    assert decide(ready(), "mbb", READY).status == "approved"


@pytest.mark.parametrize(("offset", "status"), [(-1, "waiting"), (0, "eligible"), (1, "eligible")])
def test_conservative_care_more_than_12_weeks_with_open_courses(offset, status):
    """Open courses from START: 84 days (12 weeks) is not "more than 12 weeks"; 85 days is."""
    on = READY.add(days=offset)
    mbb = plan(ready(days=None), on)["mbb"]
    c = crit(mbb, "conservative_care")
    assert mbb.status == status
    if status == "waiting":
        assert (c.status, c.resolves_on, mbb.earliest) == ("unmet", READY, READY)
        assert "84 days" in c.message
    else:
        assert c.status == "met"


@pytest.mark.parametrize(("days", "status"), [(84, "unmet"), (85, "met")])
def test_conservative_care_closed_courses_boundary(days, status):
    """Closed courses of 84 days never reach "more than 12 weeks" (blocked); 85 days do."""
    mbb = plan(ready(days=days), "2025-06-01")["mbb"]
    c = crit(mbb, "conservative_care")
    assert c.status == status
    assert c.resolves_on is None
    assert mbb.status == ("blocked" if status == "unmet" else "eligible")


def test_conservative_care_courses_are_united_not_summed():
    """Overlapping therapy courses count common days once: 60 + 60 days spanning 84 is unmet."""
    b = EpisodeBuilder("cervical").onset(ONSET).diagnosis("M54.2", ONSET)
    b.care("physical_therapy", START, START.add(days=60))
    b.care("home_exercise", START.add(days=24), START.add(days=84))
    b.care("nsaid", START, START.add(days=30))
    b.imaging("2025-03-03", "mri", ["facet_arthropathy"], [LEVEL])
    c = crit(plan(b, "2025-06-01")["mbb"], "conservative_care")
    assert c.status == "unmet"
    assert "84 days" in c.message


@pytest.mark.parametrize("medication", MEDICATIONS)
def test_conservative_care_any_listed_medication_with_a_therapy(medication):
    """Each listed medication kind, with physical therapy, makes the conservative care union."""
    assert crit(plan(ready(medication=medication), READY)["mbb"], "conservative_care").status == "met"


def test_conservative_care_home_exercise_is_a_therapy():
    """A provider-directed home exercise program is a therapy course."""
    assert crit(plan(ready(therapy="home_exercise"), READY)["mbb"], "conservative_care").status == "met"


@pytest.mark.parametrize(
    ("therapy", "medication"),
    [
        ("physical_therapy", None),
        (None, "nsaid"),
        ("physical_therapy", "opioid"),
        ("chiropractic", "nsaid"),
    ],
)
def test_conservative_care_needs_one_therapy_and_one_medication(therapy, medication):
    """Without a therapy or a medication course of the listed kinds the union is unmet, blocked."""
    mbb = plan(ready(therapy=therapy, medication=medication), READY)["mbb"]
    c = crit(mbb, "conservative_care")
    assert (c.status, c.resolves_on) == ("unmet", None)
    assert mbb.status == "blocked"


@pytest.mark.parametrize(
    ("response", "status"),
    [("failed", "met"), ("partial", "met"), ("improved", "unmet"), (None, "unknown")],
)
def test_conservative_care_response(response, status):
    """Failed or partial is inadequate; improved fails the criterion; null is unknown."""
    c = crit(plan(ready(response=response), READY)["mbb"], "conservative_care")
    assert c.status == status


@pytest.mark.parametrize(
    ("modality", "findings", "status"),
    [
        ("mri", ["facet_arthropathy"], "met"),
        ("ct", ["spondylosis"], "met"),
        ("mri", ["disc_herniation"], "unmet"),
        ("xray", ["facet_arthropathy"], "unmet"),
    ],
)
def test_imaging_advanced_with_facet_arthritis_or_spondylosis(modality, findings, status):
    """MRI or CT showing facet arthritis or spondylosis; an X-ray does not count."""
    c = crit(plan(ready(modality=modality, findings=findings), READY)["mbb"], "imaging")
    assert c.status == status


def test_imaging_at_the_requested_level():
    """A proposal at a level the imaging does not show is denied; at the imaged level approved."""
    assert decide(ready(), "mbb", READY, [LEVEL]).status == "approved"
    d = decide(ready(), "mbb", READY, ["C6-C7"])
    assert d.status == "denied"
    assert crit(d, "imaging").status == "unmet"
    assert "C6-C7" in crit(d, "imaging").message


@pytest.mark.parametrize(
    "condition", ["systemic_infection", "local_infection", "coagulopathy", "anticoagulation"]
)
@pytest.mark.parametrize(("offset", "status"), [(-1, "unmet"), (0, "unmet"), (1, "met")])
def test_non_indications_active_to_their_end(condition, offset, status):
    """A listed condition ending on READY + 1 blocks through that day, resolving the day after."""
    end = READY.add(days=1)
    b = ready().condition(condition, "2025-03-01", end)
    on = end.add(days=offset)
    c = crit(plan(b, on)["mbb"], "contraindications")
    assert c.status == status
    if status == "unmet":
        assert c.resolves_on == end.add(days=1)
        assert str(end) in c.message


def test_unlisted_condition_is_no_contraindication_for_a_block():
    """Pregnancy is only a relative contraindication: the block stays eligible."""
    assert plan(ready().condition("pregnancy", "2025-03-01"), READY)["mbb"].status == "eligible"


def test_prior_fusion_at_the_symptomatic_level():
    """A fusion at C6-C7 denies a block there, not at C5-C6; a fusion without levels denies any."""
    b = ready(levels=[LEVEL, "C6-C7"]).condition("prior_fusion", "2020-01-01", levels=["C6-C7"])
    assert decide(b, "mbb", READY, [LEVEL]).status == "approved"
    d = decide(b, "mbb", READY, ["C6-C7"])
    assert d.status == "denied"
    assert crit(d, "prior_fusion").status == "unmet"
    everywhere = ready().condition("prior_fusion", "2020-01-01")
    assert crit(decide(everywhere, "mbb", READY), "prior_fusion").status == "unmet"
    assert plan(everywhere, READY)["mbb"].status == "blocked"


@pytest.mark.parametrize(
    ("region", "status"), [("cervical", "met"), ("thoracic", "met"), ("lumbar", "unmet")]
)
def test_region_is_cervical_or_thoracic(region, status):
    """The neck pain care path covers cervical and thoracic episodes; a lumbar one is blocked."""
    level = {"cervical": LEVEL, "thoracic": "T3-T4", "lumbar": "L4-L5"}[region]
    p = plan(ready(region, levels=[level]), READY)
    for procedure in ("mbb", "rfa", "esi", "facet_cyst_aspiration"):
        assert crit(p[procedure], "region").status == status
    if status == "unmet":
        assert p["mbb"].status == "blocked"


def test_pulsed_rfa_is_not_addressed():
    """Cohere's neck pain path has no pulsed RFA: no entry, a proposal is not_addressed."""
    p = plan(ready(), READY)
    assert set(p) == {"mbb", "rfa", "esi", "ia_facet", "facet_cyst_aspiration"}
    d = decide(ready(), "pulsed_rfa", READY)
    assert d.status == "not_addressed"
    assert crit(d, "not_addressed").status == "unknown"


# --- Subsequent Facet Injection/Medial Branch Block (mbb2, mbb_subsequent) ----------------


def test_second_block_takes_the_first_block_criteria():
    """mbb2 and mbb_subsequent apply the mbb1 criteria first, then their own."""
    assert [r.id for r in POLICY.rules("mbb2")] == [
        "conservative_care",
        "imaging",
        "contraindications",
        "prior_fusion",
        "relief",
        "region",
        "diagnosis",
    ]
    assert [r.id for r in POLICY.rules("mbb_subsequent")][-3:] == ["sustained_relief", "region", "diagnosis"]


@pytest.mark.parametrize(
    ("relief", "status", "state"), [(80, "blocked", "facet_negative"), (81, "eligible", "mbb1")]
)
def test_second_block_needs_greater_than_80_percent(relief, status, state):
    """A first block at 80% fails "greater than 80%" and closes the pathway; 81% passes."""
    b = ready()
    block(b, READY, relief)
    p = plan(b, READY.add(days=1))
    assert p.state == state
    assert p["mbb"].step == "mbb2"
    assert p["mbb"].status == status
    c = crit(p["mbb"], "relief")
    assert c.status == ("unmet" if relief == 80 else "met")
    assert f"{relief}%" in c.message
    assert c.citation.endswith(
        "Subsequent Facet Injection/Medial Branch Block, Criteria for Subsequent Requests"
    )


def test_second_block_without_documented_relief_needs_documentation():
    """A first block with no outcome: the relief criterion is unknown."""
    b = ready()
    block(b, READY, None)
    mbb = plan(b, READY.add(days=1))["mbb"]
    assert mbb.status == "needs_documentation"
    assert crit(mbb, "relief").status == "unknown"


def third_block(second_outcomes: Sequence[tuple[str, float]]) -> EpisodeBuilder:
    """Blocks on 2025-04-01 (90%) and 2025-04-15 (outcomes as given)."""
    b = ready()
    block(b, "2025-04-01", 90)
    second = b.procedure("mbb", "2025-04-15", [LEVEL])
    for when, relief in second_outcomes:
        b.outcome(second, when, relief)
    return b


def test_third_block_waits_for_three_months_of_sustained_relief():
    """A second block on Apr 15 with 60% that day: unknown on Jul 14, resolving Jul 15."""
    mbb = plan(third_block([("2025-04-15", 60)]), "2025-07-14")["mbb"]
    assert mbb.step == "mbb_subsequent"
    assert mbb.status == "needs_documentation"
    assert mbb.earliest == day("2025-07-15")
    c = crit(mbb, "sustained_relief")
    assert (c.status, c.resolves_on) == ("unknown", day("2025-07-15"))


@pytest.mark.parametrize(("relief", "status"), [(49, "blocked"), (50, "eligible")])
def test_third_block_sustained_at_least_50_percent(relief, status):
    """50% documented on Apr 15 + 3 months is "50% for 3 months"; 49% is not."""
    b = third_block([("2025-04-15", 60), ("2025-07-15", relief)])
    mbb = plan(b, "2025-07-15")["mbb"]
    assert mbb.status == status
    assert crit(mbb, "sustained_relief").status == ("met" if relief == 50 else "unmet")


def test_third_block_relief_dropping_before_three_months():
    """A second block whose relief falls to 49% after a month is unmet: time will not mend it."""
    b = third_block([("2025-04-15", 60), ("2025-05-15", 49), ("2025-07-15", 60)])
    c = crit(plan(b, "2025-07-20")["mbb"], "sustained_relief")
    assert (c.status, c.resolves_on) == ("unmet", None)
    assert "49%" in c.message


@pytest.mark.parametrize(("relief", "state"), [(49, "facet_negative"), (50, "mbb2")])
def test_second_block_below_50_percent_closes_the_pathway(relief, state):
    """A second block below 50% fails the RFA relief criterion: the pathway is facet_negative."""
    b = ready()
    block(b, "2025-04-01", 90)
    block(b, "2025-04-15", relief)
    assert plan(b, "2025-04-16").state == state


# --- Initial/Subsequent Radiofrequency Ablation (RFA) -------------------------------------


def two_blocks(first: float = 90, second: float = 60, days: int = 91) -> EpisodeBuilder:
    b = ready(days=days)
    block(b, "2025-04-01", first)
    block(b, "2025-04-15", second)
    return b


def test_rfa_after_two_positive_blocks_is_approved():
    """Two blocks of at least 50% at C5-C6: an ablation there is approved the next day."""
    p = plan(two_blocks(), "2025-04-16")
    assert (p["rfa"].step, p["rfa"].status) == ("rfa", "eligible")
    assert decide(two_blocks(), "rfa", "2025-04-16").status == "approved"


@pytest.mark.parametrize(("second", "status"), [(49, "unmet"), (50, "met")])
def test_rfa_two_blocks_at_least_50_percent(second, status):
    """ "50% or greater relief": a second block at 50% counts, at 49% it does not."""
    c = crit(plan(two_blocks(first=50, second=second), "2025-04-16")["rfa"], "positive_blocks")
    assert c.status == status


def test_rfa_levels_located_by_the_blocks():
    """An ablation at a level no positive block located is denied."""
    d = decide(two_blocks(), "rfa", "2025-04-16", ["C6-C7"])
    assert d.status == "denied"
    assert crit(d, "levels_covered").status == "unmet"


def test_rfa_level_located_by_both_blocks():
    """A level only the first block reached (C6-C7) is not located by two blocks: denied."""
    b = ready(levels=[LEVEL, "C6-C7"])
    block(b, "2025-04-01", 90, [LEVEL, "C6-C7"])
    block(b, "2025-04-15", 60, [LEVEL])
    assert decide(b, "rfa", "2025-04-16", [LEVEL]).status == "approved"
    d = decide(b, "rfa", "2025-04-16", [LEVEL, "C6-C7"])
    assert d.status == "denied"
    assert "C6-C7" in crit(d, "levels_covered").message


@pytest.mark.parametrize(("days", "status"), [(42, "unmet"), (43, "met")])
def test_rfa_conservative_care_more_than_6_weeks(days, status):
    """For an ablation, 42 days (6 weeks) of care is not "more than 6 weeks"; 43 days is."""
    assert crit(plan(two_blocks(days=days), "2025-04-16")["rfa"], "conservative_care").status == status


@pytest.mark.parametrize(
    ("condition", "status"),
    [("local_infection", "unmet"), ("anesthetic_allergy", "unmet"), ("coagulopathy", "met")],
)
def test_rfa_non_indications(condition, status):
    """Site infection and anesthetic allergy are RFA non-indications; coagulopathy is not."""
    b = two_blocks().condition(condition, "2025-04-10")
    assert crit(plan(b, "2025-04-16")["rfa"], "contraindications").status == status


def ablated(outcome: float | None = 60) -> EpisodeBuilder:
    """Two positive blocks and an ablation on 2025-08-31 (with its outcome in October)."""
    b = two_blocks()
    r = b.procedure("rfa", "2025-08-31", [LEVEL])
    if outcome is not None:
        b.outcome(r, "2025-10-01", outcome)
    return b


@pytest.mark.parametrize(
    ("on", "status"),
    [("2026-02-27", "waiting"), ("2026-02-28", "eligible"), ("2026-03-01", "eligible")],
)
def test_repeat_rfa_after_6_months(on, status):
    """Aug 31 + 6 months is Feb 28 (clamped): a repeat ablation waits until then."""
    rfa = plan(ablated(), on)["rfa"]
    assert rfa.step == "repeat_rfa"
    assert rfa.status == status
    c = crit(rfa, "interval")
    if status == "waiting":
        assert (c.status, c.resolves_on, rfa.earliest) == (
            "unmet",
            day("2026-02-28"),
            day("2026-02-28"),
        )


@pytest.mark.parametrize(
    ("relief", "status"), [(49, "blocked"), (50, "eligible"), (None, "needs_documentation")]
)
def test_repeat_rfa_previous_ablation_50_percent(relief, status):
    """The previous ablation's relief: 50% passes, 49% blocks, none documented is unknown."""
    rfa = plan(ablated(relief), "2026-03-02")["rfa"]
    assert rfa.status == status


def test_repeat_rfa_takes_the_rfa_criteria():
    """ "Initial/subsequent RFA": the repeat step applies the RFA indications too."""
    ids = [r.id for r in POLICY.rules("repeat_rfa")]
    assert ids[:4] == [
        "positive_blocks",
        "levels_covered",
        "conservative_care",
        "contraindications",
    ]
    assert {"interval", "relief"} <= set(ids)


# --- Epidural Steroid Injections ------------------------------------------------------------

ESI_ONSET = "2025-06-01"


def esi_ready(
    *,
    onset: str = ESI_ONSET,
    exam: bool = True,
    modality: str = "mri",
    findings: Sequence[str] = ("nerve_impingement",),
    days: int = 60,
) -> EpisodeBuilder:
    """A cervical episode ready for an ESI from 2025-08-01: care from 2025-06-02, MRI, exam."""
    b = EpisodeBuilder("cervical").onset(onset, radiating=True).diagnosis("M54.2", onset)
    start = day("2025-06-02")
    b.care("physical_therapy", start, start.add(days=days))
    b.care("oral_steroid", start, start.add(days=days))
    b.imaging("2025-07-01", modality, findings, [LEVEL])
    if exam:
        b.exam("2025-07-02", nrs=7, radicular_signs=True)
    return b


def esi(b: EpisodeBuilder, when: str, *outcomes: tuple[str, float]) -> str:
    pid = b.procedure("esi", when, [LEVEL], approach="interlaminar")
    for d, relief in outcomes:
        b.outcome(pid, d, relief)
    return pid


def test_esi_ready_is_eligible():
    """The ESI-ready episode is eligible with every criterion met, none before the ESI track."""
    e = plan(esi_ready(), "2025-08-01")["esi"]
    assert (e.step, e.status) == ("esi", "eligible")
    assert [c.rule for c in e.criteria] == [
        "exam",
        "imaging",
        "conservative_care",
        "pain_duration",
        "cap",
        "interval",
        "relief",
        "sustained_relief",
        "contraindications",
        "region",
        "diagnosis",
    ]
    assert decide(esi_ready(), "esi", "2025-08-01").status == "approved"


def test_esi_needs_an_exam():
    """No exam recorded: the clinical findings criterion is unmet, blocked."""
    e = plan(esi_ready(exam=False), "2025-08-01")["esi"]
    assert e.status == "blocked"
    assert crit(e, "exam").status == "unmet"


@pytest.mark.parametrize(
    ("modality", "findings", "status"),
    [
        ("mri", ["nerve_impingement"], "met"),
        ("ct", ["nerve_impingement"], "met"),
        ("mri", ["facet_arthropathy"], "unmet"),
        ("xray", ["nerve_impingement"], "unmet"),
    ],
)
def test_esi_imaging_shows_nerve_impingement(modality, findings, status):
    """Advanced imaging (MRI or CT) must show nerve impingement."""
    c = crit(plan(esi_ready(modality=modality, findings=findings), "2025-08-01")["esi"], "imaging")
    assert c.status == status


@pytest.mark.parametrize(("days", "status"), [(42, "unmet"), (43, "met")])
def test_esi_conservative_care_more_than_6_weeks(days, status):
    """42 days of care is not "greater than 6 weeks"; 43 days is."""
    assert crit(plan(esi_ready(days=days), "2025-08-01")["esi"], "conservative_care").status == status


@pytest.mark.parametrize(
    ("on", "status"), [("2025-08-29", "unmet"), ("2025-08-30", "met"), ("2025-08-31", "met")]
)
def test_esi_outside_the_acute_period(on, status):
    """Onset Aug 1: "greater than 4 weeks" holds from Aug 30 (4 weeks + 1 day), not Aug 29."""
    c = crit(plan(esi_ready(onset="2025-08-01"), on)["esi"], "pain_duration")
    assert c.status == status
    if status == "unmet":
        assert c.resolves_on == day("2025-08-30")


def esi_series() -> EpisodeBuilder:
    """ESIs on 2026-01-01, 01-22 and 02-12, each 60% that day and 55% three months on."""
    b = esi_ready()
    for when in ("2026-01-01", "2026-01-22", "2026-02-12"):
        esi(b, when, (when, 60), (str(day(when).add(months=3)), 55))
    return b


@pytest.mark.parametrize(
    ("on", "status"),
    [("2026-06-30", "waiting"), ("2026-07-01", "eligible"), ("2026-07-02", "eligible")],
)
def test_esi_fewer_than_3_in_the_rolling_6_months(on, status):
    """With ESIs on Jan 1, Jan 22 and Feb 12, a fourth is allowed from Jul 1, not Jun 30."""
    e = plan(esi_series(), on)["esi"]
    assert e.status == status
    c = crit(e, "cap")
    if status == "waiting":
        assert (c.status, c.resolves_on, e.earliest) == (
            "unmet",
            day("2026-07-01"),
            day("2026-07-01"),
        )
        assert "2026-01-01" in c.message
        assert [x.rule for x in e.unmet()] == ["cap"]
    else:
        assert c.status == "met"
    assert evaluate(esi_series().build(), POLICY, proposal("esi", on, [LEVEL])).status == (
        "denied" if status == "waiting" else "approved"
    )


@pytest.mark.parametrize(
    ("on", "status"),
    [("2026-03-22", "waiting"), ("2026-03-23", "eligible"), ("2026-03-24", "eligible")],
)
def test_esi_at_least_3_weeks_apart(on, status):
    """An ESI on Mar 2 with 60% relief: the next from Mar 23 (3 weeks), not Mar 22."""
    b = esi_ready()
    esi(b, "2026-03-02", ("2026-03-09", 60))
    e = plan(b, on)["esi"]
    assert e.status == status
    assert crit(e, "interval").status == ("unmet" if status == "waiting" else "met")


@pytest.mark.parametrize(("relief", "status"), [(49, "unmet"), (50, "met")])
def test_esi_previous_injection_50_percent(relief, status):
    """The previous ESI within 6 months had at least 50% relief: 50 passes, 49 fails."""
    b = esi_ready()
    esi(b, "2026-03-02", ("2026-03-09", relief))
    c = crit(plan(b, "2026-04-01")["esi"], "relief")
    assert c.status == status
    if status == "unmet":
        assert c.resolves_on == day("2026-09-02")


@pytest.mark.parametrize(
    ("on", "status"),
    [("2026-09-01", "waiting"), ("2026-09-02", "eligible"), ("2026-09-03", "eligible")],
)
def test_esi_failed_previous_injection_ages_out_after_6_months(on, status):
    """A 20% ESI on Mar 2 stops binding once it is 6 months old: from Sep 2."""
    b = esi_ready()
    esi(b, "2026-03-02", ("2026-03-09", 20))
    e = plan(b, on)["esi"]
    assert e.status == status
    assert crit(e, "relief").status == ("unmet" if status == "waiting" else "met")


def test_esi_sustained_relief_binds_only_with_two_in_6_months():
    """One earlier ESI in 6 months: the 3-month sustained relief criterion does not apply."""
    b = esi_ready()
    esi(b, "2026-03-02", ("2026-03-02", 60))
    c = crit(plan(b, "2026-04-01")["esi"], "sustained_relief")
    assert c.status == "met"
    assert "does not apply" in c.message


def two_esis(*second: tuple[str, float]) -> EpisodeBuilder:
    b = esi_ready()
    esi(b, "2026-01-05", ("2026-01-05", 70), ("2026-04-05", 60))
    esi(b, "2026-02-02", *second)
    return b


def test_esi_sustained_relief_unknown_until_three_months():
    """Two ESIs in 6 months, the previous (Feb 2) documented that day only: unknown until May 2."""
    e = plan(two_esis(("2026-02-02", 60)), "2026-03-01")["esi"]
    c = crit(e, "sustained_relief")
    assert (c.status, c.resolves_on) == ("unknown", day("2026-05-02"))
    assert e.status == "needs_documentation"


@pytest.mark.parametrize(("relief", "status"), [(49, "unmet"), (50, "met")])
def test_esi_sustained_relief_at_least_50_percent_for_3_months(relief, status):
    """The previous ESI (Feb 2) documented at ``relief`` on May 2: 50 sustains, 49 does not."""
    e = plan(two_esis(("2026-02-02", 60), ("2026-05-02", relief)), "2026-05-02")["esi"]
    assert crit(e, "sustained_relief").status == status


@pytest.mark.parametrize(
    ("on", "status"), [("2026-07-04", "unmet"), ("2026-07-05", "met"), ("2026-07-06", "met")]
)
def test_esi_sustained_relief_stops_binding_when_the_first_ages_out(on, status):
    """Relief fell to 40% after the Feb 2 ESI: unmet until the Jan 5 ESI ages out (Jul 5)."""
    e = plan(two_esis(("2026-02-02", 60), ("2026-03-02", 40)), on)["esi"]
    c = crit(e, "sustained_relief")
    assert c.status == status
    if status == "unmet":
        assert c.resolves_on == day("2026-07-05")
        assert "2026-07-05" in c.message
        assert "40%" in c.message


@pytest.mark.parametrize(
    "condition",
    [
        "steroid_allergy",
        "systemic_infection",
        "local_infection",
        "coagulopathy",
        "anticoagulation",
        "uncontrolled_diabetes",
    ],
)
def test_esi_non_indications(condition):
    """Each ESI non-indication, active, blocks; it resolves the day after its end."""
    b = esi_ready().condition(condition, "2025-07-15", "2025-08-01")
    e = plan(b, "2025-08-01")["esi"]
    c = crit(e, "contraindications")
    assert (c.status, c.resolves_on) == ("unmet", day("2025-08-02"))
    assert plan(b, "2025-08-02")["esi"].status == "eligible"


# --- Facet Cyst Aspiration -----------------------------------------------------------------


def cyst_ready(
    *,
    imaging: bool = True,
    exam: bool = True,
    findings: Sequence[str] = ("synovial_cyst", "nerve_impingement"),
) -> EpisodeBuilder:
    b = EpisodeBuilder("cervical").onset("2025-06-01").diagnosis("M54.2", "2025-06-01")
    if imaging:
        b.imaging("2025-07-01", "mri", findings, [LEVEL])
    if exam:
        b.exam("2025-07-02", nrs=5)
    return b


@pytest.mark.parametrize(
    ("imaging", "exam", "findings", "status"),
    [
        (True, True, ["synovial_cyst", "nerve_impingement"], "eligible"),
        (False, True, [], "blocked"),
        (True, True, ["stenosis"], "blocked"),
        (True, True, ["nerve_impingement"], "blocked"),  # no synovial cyst shown
        (True, True, ["synovial_cyst"], "blocked"),  # no nerve impingement shown
        (True, False, ["synovial_cyst", "nerve_impingement"], "blocked"),
    ],
)
def test_first_aspiration_needs_nerve_root_imaging_and_an_exam(imaging, exam, findings, status):
    """A first aspiration: imaging showing the synovial cyst and the nerve root compression it
    causes, and documented symptoms."""
    e = plan(cyst_ready(imaging=imaging, exam=exam, findings=findings), "2025-08-01")["facet_cyst_aspiration"]
    assert e.status == status
    assert crit(e, "first_request").status == ("met" if status == "eligible" else "unmet")


def aspirated(*outcomes: tuple[str, float], imaging: bool = True) -> EpisodeBuilder:
    b = cyst_ready(imaging=imaging)
    pid = b.procedure("facet_cyst_aspiration", "2026-01-31", [LEVEL])
    for when, relief in outcomes:
        b.outcome(pid, when, relief)
    return b


def test_later_aspiration_does_not_take_the_first_request_criteria():
    """A later aspiration takes the subsequent-request criteria, not the first request's."""
    c = crit(
        plan(aspirated(("2026-04-30", 60), imaging=False), "2026-05-01")["facet_cyst_aspiration"],
        "first_request",
    )
    assert c.status == "met"
    assert "2026-01-31" in c.message


@pytest.mark.parametrize(
    ("on", "status"), [("2026-04-29", "unmet"), ("2026-04-30", "met"), ("2026-05-01", "met")]
)
def test_later_aspiration_after_3_months(on, status):
    """Jan 31 + 3 months is Apr 30 (clamped): a second aspiration from then, not Apr 29."""
    e = plan(aspirated(("2026-01-31", 70), ("2026-04-29", 60)), on)["facet_cyst_aspiration"]
    c = crit(e, "interval")
    assert c.status == status
    if status == "unmet":
        assert c.resolves_on == day("2026-04-30")


@pytest.mark.parametrize(("relief", "status"), [(49, "blocked"), (50, "eligible")])
def test_later_aspiration_sustained_50_percent_for_3_months(relief, status):
    """50% on Apr 30 (the previous aspiration + 3 months) sustains; 49% does not."""
    e = plan(aspirated(("2026-01-31", 70), ("2026-04-30", relief)), "2026-04-30")["facet_cyst_aspiration"]
    assert e.status == status
    assert crit(e, "sustained_relief").status == ("met" if relief == 50 else "unmet")


@pytest.mark.parametrize(
    ("condition", "status"),
    [("local_infection", "unmet"), ("anesthetic_allergy", "unmet"), ("anticoagulation", "met")],
)
def test_aspiration_non_indications(condition, status):
    """Infection at the site and local anesthetic allergy are non-indications of an aspiration."""
    b = cyst_ready().condition(condition, "2025-07-20")
    assert crit(plan(b, "2025-08-01")["facet_cyst_aspiration"], "contraindications").status == status


# --- ESI: impingement at a requested level; the recommended approach -------------------------


@pytest.mark.parametrize(
    ("approach", "levels", "side", "status"),
    [
        ("interlaminar", ["C5-C6"], "bilateral", "approved"),
        ("interlaminar", ["C5-C6", "C6-C7"], "left", "denied"),  # one level a session
        ("transforaminal", ["C5-C6"], "bilateral", "approved"),  # both sides of one level
        ("transforaminal", ["C5-C6", "C6-C7"], "left", "approved"),  # one side, adjacent
        ("transforaminal", ["C4-C5", "C6-C7"], "left", "denied"),  # not adjacent
        ("transforaminal", ["C4-C5", "C5-C6", "C6-C7"], "left", "denied"),  # three
        ("caudal", ["C5-C6"], "bilateral", "denied"),  # not recommended in the neck
        (None, ["C5-C6"], "bilateral", "approved"),  # one level: every approach allows it
        (None, ["C5-C6", "C6-C7"], "left", "pended"),  # more: the approach decides
    ],
)
def test_esi_recommended_approach(approach, levels, side, status):
    """Interlaminar at one level; transforaminal at most two (both sides of one level, or one
    side of two adjacent levels), as the Recommended Clinical Approach says."""
    b = esi_ready()
    b.imaging("2025-07-01", "mri", ["nerve_impingement"], ["C4-C5", "C5-C6", "C6-C7"])
    extra = {"approach": approach} if approach else {}
    d = testing.decide(b, POLICY, "esi", "2025-08-01", levels, side, **extra)
    assert d.status == status, [c.message for c in d.unmet()]


@pytest.mark.parametrize(("levels", "status"), [(["C5-C6"], "approved"), (["C6-C7"], "denied")])
def test_esi_needs_the_impingement_at_a_requested_level(levels, status):
    """The MRI shows nerve impingement at C5-C6: an ESI there is approved, at C6-C7 denied."""
    d = testing.decide(esi_ready(), POLICY, "esi", "2025-08-01", levels, approach="interlaminar")
    assert d.status == status


# --- ia_facet: a facet injection of its ordinal -----------------------------------------------


def test_a_first_intra_articular_injection_is_judged_as_a_first_block():
    """The ready episode: a therapeutic ia_facet on READY is approved as mbb1 would be, and a
    day early it is denied by the same 'more than 12 weeks' rule."""
    assert decide(ready(), "ia_facet", READY).status == "approved"
    early = decide(ready(), "ia_facet", READY.subtract(days=1))
    assert early.status == "denied"
    assert crit(early, "conservative_care").status == "unmet"


@pytest.mark.parametrize(("relief", "status"), [(80, "denied"), (81, "approved")])
def test_an_ia_facet_after_a_block_is_judged_as_a_second_injection(relief, status):
    """After a block with 80% relief (not 'greater than 80%'), an intra-articular injection is a
    second facet injection and is denied; at 81% approved."""
    b = ready()
    block(b, READY, relief)
    assert decide(b, "ia_facet", READY.add(days=14)).status == status
