"""Scenario tests of the centene-facet policy (shared/policies.md, seed 001_f39094211a8ddab0).

Each criterion of the table is tested the day before, the day of and the day after its
boundary, and at its comparison's boundary value.  Episodes start from ``ready()``: a lumbar
episode ready for a first block on READY, so each test varies one thing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pendulum
import pytest
from freezegun import freeze_time
from pendulum import Date

import policies
from episodes import Episode, evaluate, next_eligible, testing
from episodes.testing import EpisodeBuilder, day, proposal
from episodes.testing import criterion as crit

POLICY = policies.load("centene-facet")
CITE = "Centene CP.MP.171"

ONSET = "2025-03-01"
#: The first day a ``ready()`` episode (with the default onset) may have a first block.
READY = day("2025-06-01")
EXAM_OK = {"facet_signs": True, "radicular_signs": False, "adl_impairment": True}
LEVEL = {"lumbar": "L4-L5", "cervical": "C5-C6", "thoracic": "T10-T11"}
#: A supporting diagnosis of each region (Coding Implications), recorded at onset.
DIAGNOSIS = {"lumbar": "M47.816", "cervical": "M47.812", "thoracic": "M54.9"}


def ready(
    region: str = "lumbar",
    *,
    onset: str = ONSET,
    omit: Sequence[str] = (),
    exam: dict[str, Any] | None = None,
    findings: Sequence[str] = ("facet_arthropathy",),
) -> EpisodeBuilder:
    """An episode ready for a first block on onset + 3 months (READY for the default onset).

    Care starts the day after onset: 8 weeks of failed physical therapy, 4 weeks of failed
    NSAID, 8 weeks of activity modification; an MRI at 9 weeks and an exam at 10 weeks.
    ``omit`` leaves out any of "therapy", "nsaid", "activity", "imaging", "exam";
    ``exam`` overrides exam fields (None: not documented).
    """
    start = day(onset).add(days=1)
    b = EpisodeBuilder(region)
    b.onset(onset)
    if "therapy" not in omit:
        b.care("physical_therapy", start, start.add(weeks=8), components=["supervised_exercise"])
    if "nsaid" not in omit:
        b.care("nsaid", start, start.add(weeks=4))
    if "activity" not in omit:
        b.care("activity_modification", start, start.add(weeks=8), response="partial")
    if "imaging" not in omit:
        b.imaging(start.add(weeks=9), findings=findings, levels=[LEVEL[region]])
    if "exam" not in omit:
        b.exam(start.add(weeks=10), **{**EXAM_OK, **(exam or {})})
    b.diagnosis(DIAGNOSIS[region], onset)
    return b


def block(
    b: EpisodeBuilder,
    when: str | Date,
    relief: float | None = 80,
    fi: bool | None = True,
    levels: Sequence[str] = ("L4-L5",),
    side: str = "bilateral",
) -> str:
    """A medial branch block with (unless ``relief`` is None) its same-day outcome: 80% with
    functional improvement unless told."""
    return b.block(when, relief, levels, side, fi)


def ablated(rfa_levels: Sequence[str] = ("L4-L5",)) -> tuple[EpisodeBuilder, str]:
    """Two positive blocks in June 2025 and an initial ablation on 2025-08-31."""
    b = ready()
    block(b, "2025-06-16")
    block(b, "2025-06-30")
    return b, b.procedure("rfa", "2025-08-31", rfa_levels)


def plan(b: EpisodeBuilder | Episode, on: str | Date) -> Any:
    return testing.plan(b, POLICY, on)


def decide(b: EpisodeBuilder | Episode, procedure: str, on: str | Date, **kw: Any) -> Any:
    return testing.decide(b, POLICY, procedure, on, **kw)


def around(d: str) -> list[Date]:
    """The day before, the day of and the day after ``d``."""
    x = day(d)
    return [x.subtract(days=1), x, x.add(days=1)]


# --- the baseline --------------------------------------------------------------------


def test_ready_episode_is_eligible_for_a_first_block_with_every_criterion_met():
    """The factory's episode meets every mbb1 criterion on READY, and the plan says mbb1."""
    p = plan(ready(), READY)
    assert p.state == "conservative_care"
    mbb = p["mbb"]
    assert (mbb.procedure, mbb.step, mbb.status, mbb.earliest, mbb.until) == (
        "mbb",
        "mbb1",
        "eligible",
        READY,
        None,
    )
    rules = [c.rule for c in mbb.criteria]
    assert rules == [
        "region",
        "pain_duration",
        "adl_impairment",
        "therapy",
        "nsaid",
        "activity_modification",
        "facet_findings",
        "no_other_cause",
        "one_per_visit",
        "diagnosis",
    ]
    assert all(c.status == "met" for c in mbb.criteria)


def test_plan_has_entries_only_for_what_the_policy_addresses():
    """Centene addresses mbb, rfa, pulsed_rfa and ia_facet; no esi or cyst aspiration entry."""
    p = plan(ready(), READY)
    assert set(p) == {"mbb", "rfa", "pulsed_rfa", "ia_facet"}
    assert "esi" not in p
    assert p["rfa"].step == "rfa"
    assert p["rfa"].status == "blocked"
    assert crit(p["rfa"], "positive_blocks").status == "unmet"


def test_first_block_proposal_on_ready_day_is_approved():
    """evaluate() of a first block on READY is approved, step mbb1, every criterion met."""
    d = decide(ready(), "mbb", READY)
    assert (d.procedure, d.step, d.status, d.date) == ("mbb", "mbb1", "approved", READY)
    assert [c.rule for c in d.criteria if c.status != "met"] == []
    assert {"level_count", "one_per_visit"} <= {c.rule for c in d.criteria}


# --- I.A: region ---------------------------------------------------------------------


def test_thoracic_episode_is_blocked_citing_I_A():
    """A thoracic episode: mbb blocked by the region criterion, cited I.A; rfa by II.A; III."""
    p = plan(ready("thoracic"), READY)
    region = crit(p["mbb"], "region")
    assert p["mbb"].status == "blocked"
    assert p["mbb"].earliest is None
    assert region.status == "unmet"
    assert region.resolves_on is None
    assert region.citation == f"{CITE} I.A"
    assert "thoracic" in region.message
    assert crit(p["rfa"], "region").citation == f"{CITE} II.A; III"
    d = decide(ready("thoracic"), "mbb", READY, levels=["T10-T11"])
    assert d.status == "denied"
    assert crit(d, "region").status == "unmet"


def test_cervical_episode_is_covered():
    """A cervical episode ready for a block is eligible: the region criterion is met."""
    p = plan(ready("cervical"), READY)
    assert p["mbb"].status == "eligible"
    assert crit(p["mbb"], "region").status == "met"
    assert decide(ready("cervical"), "mbb", READY, levels=["C5-C6"]).status == "approved"


# --- I.A.2: pain at least 3 months -------------------------------------------------------


@pytest.mark.parametrize(
    ("onset", "boundary"),
    [
        ("2025-03-01", "2025-06-01"),
        ("2025-11-30", "2026-02-28"),  # month-end clamping
        ("2023-11-29", "2024-02-29"),  # Feb 29 of a leap year
    ],
)
@pytest.mark.parametrize(("offset", "status"), [(-1, "waiting"), (0, "eligible"), (1, "eligible")])
def test_pain_duration_three_months_boundary(onset, boundary, offset, status):
    """Pain at least 3 months holds from onset + 3 months (clamped), and not the day before."""
    on = day(boundary).add(days=offset)
    mbb = plan(ready(onset=onset), on)["mbb"]
    c = crit(mbb, "pain_duration")
    assert mbb.status == status
    if status == "waiting":
        assert (c.status, c.resolves_on, mbb.earliest) == ("unmet", day(boundary), day(boundary))
        assert [x.rule for x in mbb.unmet()] == ["pain_duration"]
    else:
        assert c.status == "met"
        assert mbb.earliest == on
    assert onset in c.message
    assert boundary in c.message
    assert c.citation == f"{CITE} I.A.2"


def test_no_symptom_onset_blocks():
    """Without a symptom onset, pain duration is unmet and nothing resolves it: blocked."""
    b = ready()
    b.events = [e for e in b.events if e["type"] != "symptom_onset"]
    mbb = plan(b, READY)["mbb"]
    assert mbb.status == "blocked"
    assert crit(mbb, "pain_duration").status == "unmet"
    assert crit(mbb, "pain_duration").resolves_on is None


# --- I.A.3.a: therapy at least 6 weeks ---------------------------------------------------


@pytest.mark.parametrize(("days", "status"), [(41, "blocked"), (42, "eligible"), (43, "eligible")])
def test_therapy_closed_course_length(days, status):
    """A closed therapy course of 41 days fails (for good), 42 and 43 days meet 6 weeks."""
    b = ready(omit=["therapy"])
    b.care("physical_therapy", "2025-03-02", day("2025-03-02").add(days=days))
    mbb = plan(b, READY)["mbb"]
    c = crit(mbb, "therapy")
    assert mbb.status == status
    assert c.status == ("unmet" if days == 41 else "met")
    assert c.resolves_on is None
    assert f"{days} days" in c.message
    assert c.citation == f"{CITE} I.A.3.a"


@pytest.mark.parametrize(
    ("end", "status"),
    [("2025-04-12", "blocked"), ("2025-04-13", "eligible"), ("2025-04-14", "eligible")],
)
def test_therapy_overlapping_courses_counted_once(end, status):
    """PT (30 days) and home exercise overlapping it are united: 41/42/43 days in all."""
    b = ready(omit=["therapy"])
    b.care("physical_therapy", "2025-03-02", "2025-04-01")
    b.care("home_exercise", "2025-03-20", end)  # alone 23-25 days; summed 53-55 days
    mbb = plan(b, READY)["mbb"]
    assert mbb.status == status
    assert crit(mbb, "therapy").status == ("unmet" if status == "blocked" else "met")


@pytest.mark.parametrize(("second_days", "status"), [(20, "blocked"), (21, "eligible")])
def test_therapy_disjoint_courses_add_up(second_days, status):
    """Disjoint therapy courses add up: 21 days of PT and 20 (or 21) of home exercise."""
    b = ready(omit=["therapy"])
    b.care("physical_therapy", "2025-03-02", "2025-03-23")
    b.care("home_exercise", "2025-04-01", day("2025-04-01").add(days=second_days))
    mbb = plan(b, READY)["mbb"]
    assert mbb.status == status
    assert f"{21 + second_days} days" in crit(mbb, "therapy").message


def test_therapy_counts_only_its_kinds():
    """An NSAID or activity-modification course does not count as therapy."""
    b = ready(omit=["therapy"])
    b.care("activity_modification", "2025-03-02", "2025-05-02")
    assert crit(plan(b, READY)["mbb"], "therapy").status == "unmet"


def test_therapy_chiropractic_counts():
    """A 6-week chiropractic course alone meets the therapy criterion."""
    b = ready(omit=["therapy"])
    b.care("chiropractic", "2025-03-02", "2025-04-13")
    assert crit(plan(b, READY)["mbb"], "therapy").status == "met"


@pytest.mark.parametrize(("offset", "status"), [(41, "waiting"), (42, "eligible"), (43, "eligible")])
def test_therapy_open_course_resolves_on_a_date(offset, status):
    """An open therapy course started on S is unmet with resolves_on S + 42 days, then met."""
    start = day("2025-05-01")
    b = ready(omit=["therapy"])
    b.care("physical_therapy", start, None)
    on = start.add(days=offset)
    mbb = plan(b, on)["mbb"]
    c = crit(mbb, "therapy")
    assert mbb.status == status
    if status == "waiting":
        assert (c.status, c.resolves_on) == ("unmet", day("2025-06-12"))
        assert mbb.earliest == day("2025-06-12")
    else:
        assert c.status == "met"


def test_therapy_response_improved_does_not_count():
    """A long therapy course whose response is 'improved' meets no failed-care criterion."""
    b = ready(omit=["therapy"])
    b.care("physical_therapy", "2025-03-02", "2025-05-02", response="improved")
    mbb = plan(b, READY)["mbb"]
    c = crit(mbb, "therapy")
    assert mbb.status == "blocked"
    assert (c.status, c.resolves_on) == ("unmet", None)


def test_therapy_response_partial_counts_as_inadequate():
    """A 'partial' response is an inadequate response: the course counts."""
    b = ready(omit=["therapy"])
    b.care("physical_therapy", "2025-03-02", "2025-05-02", response="partial")
    assert plan(b, READY)["mbb"].status == "eligible"


def test_therapy_response_null_needs_documentation():
    """A long enough therapy course with no documented response: needs_documentation."""
    b = ready(omit=["therapy"])
    b.care("physical_therapy", "2025-03-02", "2025-05-02", response=None)
    mbb = plan(b, READY)["mbb"]
    assert mbb.status == "needs_documentation"
    assert crit(mbb, "therapy").status == "unknown"
    assert "response" in crit(mbb, "therapy").message
    assert mbb.earliest == READY


def test_no_therapy_course_blocks():
    """No therapy course at all is unmet (absent is not unknown): blocked."""
    mbb = plan(ready(omit=["therapy"]), READY)["mbb"]
    assert mbb.status == "blocked"
    assert crit(mbb, "therapy").status == "unmet"


# --- I.A.3.b: NSAID at least 3 weeks, or not tolerated / contraindicated ------------------


@pytest.mark.parametrize(("days", "status"), [(20, "blocked"), (21, "eligible"), (22, "eligible")])
def test_nsaid_course_length(days, status):
    """A closed NSAID course of 20 days fails; 21 and 22 days meet 3 weeks."""
    b = ready(omit=["nsaid"])
    b.care("nsaid", "2025-03-02", day("2025-03-02").add(days=days))
    mbb = plan(b, READY)["mbb"]
    assert mbb.status == status
    assert crit(mbb, "nsaid").status == ("unmet" if days == 20 else "met")
    assert crit(mbb, "nsaid").citation == f"{CITE} I.A.3.b"


@pytest.mark.parametrize("flag", ["not_tolerated", "contraindicated"])
def test_nsaid_short_course_not_tolerated_or_contraindicated_meets(flag):
    """A 5-day NSAID course that was not tolerated (or is contraindicated) meets I.A.3.b."""
    b = ready(omit=["nsaid"])
    b.care("nsaid", "2025-03-02", "2025-03-07", **{flag: True})
    mbb = plan(b, READY)["mbb"]
    assert crit(mbb, "nsaid").status == "met"
    assert mbb.status == "eligible"


def test_nsaid_short_course_flag_false_fails():
    """A 5-day NSAID course with not_tolerated false is just too short: blocked."""
    b = ready(omit=["nsaid"])
    b.care("nsaid", "2025-03-02", "2025-03-07", not_tolerated=False)
    assert plan(b, READY)["mbb"].status == "blocked"


# --- I.A.3.c: activity modification at least 6 weeks --------------------------------------


@pytest.mark.parametrize(("days", "status"), [(41, "blocked"), (42, "eligible"), (43, "eligible")])
def test_activity_modification_length(days, status):
    """Activity modification of 41 days fails; 42 and 43 days meet 6 weeks."""
    b = ready(omit=["activity"])
    b.care("activity_modification", "2025-03-02", day("2025-03-02").add(days=days))
    mbb = plan(b, READY)["mbb"]
    assert mbb.status == status
    assert crit(mbb, "activity_modification").status == ("unmet" if days == 41 else "met")
    assert crit(mbb, "activity_modification").citation == f"{CITE} I.A.3.c"


@pytest.mark.parametrize(("offset", "status"), [(41, "waiting"), (42, "eligible"), (43, "eligible")])
def test_activity_modification_open_course(offset, status):
    """Open activity modification from S: waiting until S + 42 days, eligible from then."""
    start = day("2025-05-01")
    b = ready(omit=["activity"])
    b.care("activity_modification", start, None)
    mbb = plan(b, start.add(days=offset))["mbb"]
    assert mbb.status == status
    if status == "waiting":
        assert mbb.earliest == day("2025-06-12")
        assert crit(mbb, "activity_modification").resolves_on == day("2025-06-12")


# --- I.A.2 / I.A.3 (second): the exam and imaging ------------------------------------


@pytest.mark.parametrize(
    ("value", "status", "crit_status"),
    [
        (True, "eligible", "met"),
        (False, "blocked", "unmet"),
        (None, "needs_documentation", "unknown"),
    ],
)
def test_exam_adl_impairment(value, status, crit_status):
    """adl_impairment true meets I.A.2, false blocks, null needs documentation."""
    mbb = plan(ready(exam={"adl_impairment": value}), READY)["mbb"]
    c = crit(mbb, "adl_impairment")
    assert (mbb.status, c.status) == (status, crit_status)
    assert c.citation == f"{CITE} I.A.2"
    assert "2025-05-11" in c.message  # the exam's date
    if value is not True:
        assert "adl_impairment" in c.message


def test_no_exam_blocks():
    """With no exam at all, the exam criteria are unmet (not unknown): blocked."""
    mbb = plan(ready(omit=["exam"]), READY)["mbb"]
    assert mbb.status == "blocked"
    assert crit(mbb, "adl_impairment").status == "unmet"
    assert crit(mbb, "facet_findings").status == "unmet"


@pytest.mark.parametrize(
    ("value", "status", "crit_status"),
    [
        (True, "eligible", "met"),
        (False, "blocked", "unmet"),
        (None, "needs_documentation", "unknown"),
    ],
)
def test_exam_facet_signs(value, status, crit_status):
    """facet_signs true meets I.A.3 (second), false blocks, null needs documentation."""
    mbb = plan(ready(exam={"facet_signs": value}), READY)["mbb"]
    c = crit(mbb, "facet_findings")
    assert (mbb.status, c.status) == (status, crit_status)
    assert c.citation == f"{CITE} I.A.3 (second)"


@pytest.mark.parametrize(("value", "status"), [(True, "blocked"), (False, "eligible"), (None, "eligible")])
def test_exam_radicular_signs_not_true(value, status):
    """radicular_signs true blocks; false or not documented is 'not true' and passes."""
    mbb = plan(ready(exam={"radicular_signs": value}), READY)["mbb"]
    assert mbb.status == status
    assert crit(mbb, "facet_findings").status == ("unmet" if value else "met")


@pytest.mark.parametrize("finding", ["disc_herniation", "nerve_impingement"])
def test_imaging_other_cause_blocks(finding):
    """An MRI showing disc herniation or nerve impingement is another cause: blocked."""
    mbb = plan(ready(findings=["facet_arthropathy", finding]), READY)["mbb"]
    c = crit(mbb, "no_other_cause")
    assert mbb.status == "blocked"
    assert (c.status, c.resolves_on) == ("unmet", None)
    assert finding in c.message
    assert "2025-05-04" in c.message  # the MRI's date
    assert c.citation == f"{CITE} I.A.3 (second)"


# --- I.A.4: at most 3 levels --------------------------------------------------------------


@pytest.mark.parametrize(
    ("levels", "status"),
    [
        (["L4-L5", "L5-S1"], "approved"),
        (["L3-L4", "L4-L5", "L5-S1"], "approved"),
        (["L2-L3", "L3-L4", "L4-L5", "L5-S1"], "denied"),
    ],
)
def test_level_count_at_most_three(levels, status):
    """evaluate() approves a block at 2 or 3 levels and denies 4 (I.A.4)."""
    d = decide(ready(), "mbb", READY, levels=levels)
    c = crit(d, "level_count")
    assert d.status == status
    assert c.status == ("met" if status == "approved" else "unmet")
    assert c.citation == f"{CITE} I.A.4"
    assert [x.rule for x in d.unmet()] == ([] if status == "approved" else ["level_count"])


def test_evaluate_takes_a_procedure_object():
    """evaluate() of a Procedure object decides as its wire-format dict does."""
    from episodes import Procedure, ProcedureKind, Side

    ep = first_block().build()
    for when, status in (("2026-01-25", "denied"), ("2026-01-26", "approved")):
        obj = Procedure(
            id="x",
            procedure=ProcedureKind.MBB,
            date=day(when),
            levels=["L4-L5"],
            side=Side.BILATERAL,
        )
        d = evaluate(ep, POLICY, obj)
        assert (d.step, d.status) == ("mbb2", status)
        assert d.criteria == decide(ep, "mbb", when).criteria


def test_level_count_is_not_in_a_plan():
    """A plan has no proposal: the level count is left out; the same-day rule asks about the day."""
    criteria = {c.rule: c for c in plan(ready(), READY)["mbb"].criteria}
    assert "level_count" not in criteria
    assert criteria["one_per_visit"].status == "met"


def test_a_procedure_today_puts_the_next_off_a_day():
    """A plan on a day a procedure was done: the next waits for the day after (one per visit)."""
    b = ready()
    b.procedure("esi", READY, levels=["L4-L5"])
    mbb = plan(b, READY)["mbb"]
    assert (mbb.status, mbb.earliest) == ("waiting", READY.add(days=1))
    assert crit(mbb, "one_per_visit").resolves_on == READY.add(days=1)


# --- mbb2: at least 2 weeks after the previous block (I.A.1) --------------------------


def first_block(relief: float | None = 80, fi: bool | None = True) -> EpisodeBuilder:
    """The ready episode with a first block on 2026-01-12 (and its outcome, unless None)."""
    b = ready()
    block(b, "2026-01-12", relief, fi)
    return b


@pytest.mark.parametrize(
    ("when", "status"),
    [("2026-01-25", "denied"), ("2026-01-26", "approved"), ("2026-01-27", "approved")],
)
def test_mbb2_interval_two_weeks_evaluate(when, status):
    """A second block 13 days after the first is denied; 14 and 15 days are approved."""
    d = decide(first_block(), "mbb", when)
    c = crit(d, "interval")
    assert (d.step, d.status) == ("mbb2", status)
    assert c.status == ("unmet" if status == "denied" else "met")
    assert c.citation == f"{CITE} I.A.1"
    assert "2026-01-12" in c.message
    assert "2026-01-26" in c.message
    if status == "denied":
        assert [x.rule for x in d.unmet()] == ["interval"]
        assert "13 days" in c.message


def test_mbb2_plan_waiting_until_interval():
    """On 2026-01-20 the plan waits for the second block until 2026-01-26."""
    p = plan(first_block(), "2026-01-20")
    mbb = p["mbb"]
    c = crit(mbb, "interval")
    assert p.state == "mbb1"
    assert (mbb.step, mbb.status, mbb.earliest) == ("mbb2", "waiting", day("2026-01-26"))
    assert (c.status, c.resolves_on) == ("unmet", day("2026-01-26"))
    assert "2026-01-12" in c.message
    assert [x.rule for x in mbb.unmet()] == ["interval"]


@pytest.mark.parametrize(
    ("on", "status"),
    [("2026-01-25", "waiting"), ("2026-01-26", "eligible"), ("2026-01-27", "eligible")],
)
def test_mbb2_plan_interval_boundary(on, status):
    """The plan for the second block is waiting the day before 2 weeks, eligible on and after."""
    mbb = plan(first_block(), on)["mbb"]
    assert mbb.status == status
    assert mbb.earliest == (day("2026-01-26") if status == "waiting" else day(on))


# --- mbb2: previous block relief at least 75% (note under I.A) --------------------------


@pytest.mark.parametrize(
    ("relief", "state", "status"),
    [(74, "facet_negative", "blocked"), (75, "mbb1", "eligible"), (76, "mbb1", "eligible")],
)
def test_first_block_relief_threshold(relief, state, status):
    """A first block below 75% closes the pathway (facet_negative, blocked); 75 and 76 pass."""
    p = plan(first_block(relief), "2026-01-26")
    c = crit(p["mbb"], "relief")
    assert p.state == state
    assert (p["mbb"].step, p["mbb"].status) == ("mbb2", status)
    assert c.status == ("unmet" if relief < 75 else "met")
    assert c.resolves_on is None
    assert f"{relief}%" in c.message
    assert "2026-01-12" in c.message
    assert c.citation == f"{CITE} I.A, Note"
    d = decide(first_block(relief), "mbb", "2026-01-26")
    assert d.status == ("denied" if relief < 75 else "approved")


def test_first_block_relief_is_the_highest_outcome():
    """A block's relief is its highest relief_percent: 60 then 80 counts as 80."""
    b = first_block(60)
    b.outcome("p1", "2026-01-12", 80, True)
    p = plan(b, "2026-01-26")
    assert p.state == "mbb1"
    assert p["mbb"].status == "eligible"


def test_first_block_without_outcome_needs_documentation():
    """A first block with no outcome yet: relief unknown, needs_documentation, state mbb1."""
    p = plan(first_block(None), "2026-01-26")
    c = crit(p["mbb"], "relief")
    assert p.state == "mbb1"
    assert p["mbb"].status == "needs_documentation"
    assert c.status == "unknown"
    assert p["mbb"].earliest == day("2026-01-26")
    assert decide(first_block(None), "mbb", "2026-01-26").status == "pended"


def test_first_block_relief_needs_no_functional_improvement():
    """The mbb2 relief criterion is relief alone: 80% with functional_improvement false passes."""
    p = plan(first_block(80, fi=False), "2026-01-26")
    assert p.state == "mbb1"
    assert p["mbb"].status == "eligible"


# --- mbb_subsequent: not covered (I.A) ---------------------------------------------------


def test_third_block_not_covered():
    """After two blocks, the next block is mbb_subsequent: blocked, not covered, cited I.A."""
    b = first_block()
    block(b, "2026-01-26")
    p = plan(b, "2026-03-01")
    mbb = p["mbb"]
    assert (mbb.step, mbb.status, mbb.earliest) == ("mbb_subsequent", "blocked", None)
    c = crit(mbb, "not_covered")
    assert (c.status, c.citation) == ("unmet", f"{CITE} I.A")
    d = decide(b, "mbb", "2026-03-01")
    assert (d.step, d.status) == ("mbb_subsequent", "denied")


# --- rfa (II.A) --------------------------------------------------------------------------


def two_blocks(
    second_relief: float | None = 80,
    fi: bool | None = True,
    levels: Sequence[str] = ("L4-L5",),
    side: str = "bilateral",
    second_levels: Sequence[str] | None = None,
    second_side: str | None = None,
) -> EpisodeBuilder:
    """The ready episode with blocks on 2026-01-12 (80%) and 2026-01-26."""
    b = ready()
    block(b, "2026-01-12", 80, fi, levels, side)
    block(b, "2026-01-26", second_relief, fi, second_levels or levels, second_side or side)
    return b


def test_rfa_after_two_positive_blocks_is_eligible():
    """Two blocks of at least 75% with functional improvement: the ablation is eligible."""
    p = plan(two_blocks(), "2026-02-02")
    rfa = p["rfa"]
    assert p.state == "mbb2"
    assert (rfa.step, rfa.status, rfa.earliest) == ("rfa", "eligible", day("2026-02-02"))
    c = crit(rfa, "positive_blocks")
    assert c.status == "met"
    assert c.citation == f"{CITE} II.A.2"
    assert "2026-01-12" in c.message
    assert "2026-01-26" in c.message
    d = decide(two_blocks(), "rfa", "2026-02-02")
    assert (d.step, d.status) == ("rfa", "approved")


@pytest.mark.parametrize(
    ("fi", "status", "decision"),
    [
        (True, "eligible", "approved"),
        (None, "needs_documentation", "pended"),
        (False, "blocked", "denied"),
    ],
)
def test_rfa_functional_improvement(fi, status, decision):
    """Blocks' functional_improvement true: eligible; null: needs documentation; false: blocked."""
    rfa = plan(two_blocks(fi=fi), "2026-02-02")["rfa"]
    assert rfa.status == status
    assert crit(rfa, "positive_blocks").status == {True: "met", None: "unknown", False: "unmet"}[fi]
    assert decide(two_blocks(fi=fi), "rfa", "2026-02-02").status == decision


@pytest.mark.parametrize(("relief", "status"), [(74, "blocked"), (75, "eligible"), (76, "eligible")])
def test_rfa_second_block_relief_threshold(relief, status):
    """The second block must also show at least 75% relief."""
    rfa = plan(two_blocks(relief), "2026-02-02")["rfa"]
    assert rfa.status == status
    assert crit(rfa, "positive_blocks").status == ("unmet" if relief < 75 else "met")


def test_rfa_second_block_without_outcome_needs_documentation():
    """A second block with no outcome yet leaves the ablation pending documentation."""
    rfa = plan(two_blocks(None), "2026-02-02")["rfa"]
    assert rfa.status == "needs_documentation"
    assert crit(rfa, "positive_blocks").status == "unknown"


def test_rfa_one_block_is_blocked():
    """One positive block is not two: the ablation is blocked."""
    rfa = plan(first_block(), "2026-02-02")["rfa"]
    assert rfa.status == "blocked"
    assert crit(rfa, "positive_blocks").status == "unmet"


@pytest.mark.parametrize(
    ("rfa_levels", "rfa_side", "status"),
    [
        (["L4-L5", "L5-S1"], "bilateral", "approved"),
        (["L4-L5"], "left", "approved"),
        (["L3-L4", "L4-L5"], "bilateral", "denied"),
        (["L3-L4"], "right", "denied"),
    ],
)
def test_rfa_levels_covered_by_positive_blocks(rfa_levels, rfa_side, status):
    """An ablation must be at levels the positive blocks covered (II.A.2)."""
    b = two_blocks(levels=["L4-L5", "L5-S1"])
    d = decide(b, "rfa", "2026-02-02", levels=rfa_levels, side=rfa_side)
    c = crit(d, "levels_covered")
    assert d.status == status
    assert c.status == ("met" if status == "approved" else "unmet")
    assert c.citation == f"{CITE} II.A.2"
    if status == "denied":
        assert "L3-L4" in c.message
        assert [x.rule for x in d.unmet()] == ["levels_covered"]


@pytest.mark.parametrize(
    ("block_side", "rfa_side", "status"),
    [
        ("left", "left", "approved"),
        ("left", "right", "denied"),
        ("left", "bilateral", "denied"),
        ("bilateral", "right", "approved"),
    ],
)
def test_rfa_side_covered_by_blocks(block_side, rfa_side, status):
    """A left block does not cover a right (or bilateral) ablation; a bilateral one covers both."""
    b = two_blocks(side=block_side)
    d = decide(b, "rfa", "2026-02-02", side=rfa_side)
    assert d.status == status
    assert crit(d, "levels_covered").status == ("met" if status == "approved" else "unmet")


def test_rfa_level_not_covered_by_a_negative_block():
    """A level only a failed (<75%) block reached is not covered by the positive blocks."""
    b = ready()
    block(b, "2026-01-12", 80, True, ["L4-L5"])
    block(b, "2026-01-26", 80, True, ["L4-L5"])
    block(b, "2026-02-09", 40, True, ["L5-S1"])  # a third, recorded anyway
    d = decide(b, "rfa", "2026-02-16", levels=["L5-S1"])
    assert crit(d, "levels_covered").status == "unmet"
    assert d.status == "denied"


def test_rfa_level_needs_both_positive_blocks():
    """A level that had only one of the two positive blocks is not covered (II.A.2)."""
    b = two_blocks(levels=["L4-L5"], second_levels=["L5-S1"])
    d = decide(b, "rfa", "2026-02-02", levels=["L4-L5"])
    assert crit(d, "levels_covered").status == "unmet"
    assert d.status == "denied"


def test_rfa_side_needs_both_positive_blocks():
    """A right ablation after a left block and a bilateral block: the right side had one block."""
    b = two_blocks(side="left", second_side="bilateral")
    d = decide(b, "rfa", "2026-02-02", side="right")
    assert crit(d, "levels_covered").status == "unmet"


@pytest.mark.parametrize(
    ("first", "second", "status"),
    [
        ((["L4-L5"], "left"), (["L4-L5"], "left"), "met"),
        ((["L4-L5"], "left"), (["L4-L5"], "bilateral"), "met"),
        ((["L4-L5"], "left"), (["L4-L5"], "right"), "unmet"),
        ((["L4-L5"], "bilateral"), (["L5-S1"], "bilateral"), "unmet"),
        ((["L4-L5", "L4-L5"], "bilateral"), (["L5-S1"], "bilateral"), "unmet"),
    ],
)
def test_rfa_plan_needs_a_place_both_positive_blocks_covered(first, second, status):
    """A plan asks whether some level, at some side, had both positive blocks (II.A.2); a level
    written twice on one block is still one block there."""
    b = two_blocks(levels=first[0], side=first[1], second_levels=second[0], second_side=second[1])
    assert crit(plan(b, "2026-02-02")["rfa"], "levels_covered").status == status


@pytest.mark.parametrize(("n", "status"), [(3, "approved"), (4, "denied")])
def test_rfa_level_count(n, status):
    """An ablation at 3 levels is approved, at 4 denied (II.A.3)."""
    levels = ["L2-L3", "L3-L4", "L4-L5", "L5-S1"]
    b = two_blocks(levels=levels)  # blocks at 4 levels: recorded anyway
    d = decide(b, "rfa", "2026-02-02", levels=levels[:n])
    c = crit(d, "level_count")
    assert d.status == status
    assert c.status == ("met" if n == 3 else "unmet")
    assert c.citation == f"{CITE} II.A.3"


# --- repeat_rfa (II.B) -------------------------------------------------------------------


def sustained(*outcomes: tuple[str, float, bool | None]) -> EpisodeBuilder:
    """The ablated episode (rfa on 2025-08-31) with the given outcomes of the ablation."""
    b, rfa = ablated()
    for when, relief, fi in outcomes:
        b.outcome(rfa, when, relief, fi)
    return b


GOOD = (("2025-10-01", 70, None), ("2026-01-05", 60, True))


@pytest.mark.parametrize(
    ("when", "status"),
    [("2026-02-27", "denied"), ("2026-02-28", "approved"), ("2026-03-01", "approved")],
)
def test_repeat_rfa_six_months_after_previous_ablation(when, status):
    """Ablation on 2025-08-31: a repeat is allowed from 2026-02-28 (clamped), not the day before."""
    d = decide(sustained(*GOOD), "rfa", when)
    c = crit(d, "interval")
    assert (d.step, d.status) == ("repeat_rfa", status)
    assert c.status == ("unmet" if status == "denied" else "met")
    assert c.citation == f"{CITE} II.B.1"
    assert "2025-08-31" in c.message
    assert "2026-02-28" in c.message


def test_repeat_rfa_plan_waiting_until_six_months():
    """In January 2026 the plan waits for the repeat ablation until 2026-02-28."""
    p = plan(sustained(*GOOD), "2026-01-20")
    rfa = p["rfa"]
    assert p.state == "rfa"
    assert (rfa.step, rfa.status, rfa.earliest) == ("repeat_rfa", "waiting", day("2026-02-28"))
    assert crit(rfa, "interval").resolves_on == day("2026-02-28")
    assert [c.rule for c in rfa.unmet()] == ["interval"]


@pytest.mark.parametrize(
    ("on", "status"),
    [("2026-02-27", "waiting"), ("2026-02-28", "eligible"), ("2026-03-01", "eligible")],
)
def test_repeat_rfa_plan_boundary(on, status):
    """The repeat ablation's plan is waiting on 2026-02-27, eligible on and after 2026-02-28."""
    assert plan(sustained(*GOOD), on)["rfa"].status == status


@pytest.mark.parametrize(("relief", "status"), [(49, "blocked"), (50, "eligible"), (51, "eligible")])
def test_sustained_relief_early_outcome_threshold(relief, status):
    """An outcome below 50% before the 4 months are out fails II.B.2 for good; 50 and 51 pass."""
    rfa = plan(sustained(("2025-10-01", relief, None), ("2026-01-05", 60, True)), "2026-02-28")["rfa"]
    c = crit(rfa, "sustained_relief")
    assert rfa.status == status
    assert c.status == ("unmet" if relief < 50 else "met")
    assert c.citation == f"{CITE} II.B.2"
    if relief < 50:
        assert c.resolves_on is None
        assert "49%" in c.message
        assert "2025-10-01" in c.message


def test_sustained_relief_only_early_outcomes_needs_documentation():
    """Only outcomes before 2025-12-31 (P + 4 months), all >= 50%: unknown, resolving then."""
    rfa = plan(sustained(("2025-10-01", 70, True)), "2025-11-15")["rfa"]
    c = crit(rfa, "sustained_relief")
    assert rfa.status == "needs_documentation"
    assert (c.status, c.resolves_on) == ("unknown", day("2025-12-31"))
    assert "2025-12-31" in c.message
    assert rfa.earliest == day("2026-02-28")  # the timing allows it from the 6-month mark


@pytest.mark.parametrize(
    ("when", "status", "crit_status"),
    [
        ("2025-12-30", "needs_documentation", "unknown"),
        ("2025-12-31", "eligible", "met"),
        ("2026-01-01", "eligible", "met"),
    ],
)
def test_sustained_relief_four_month_outcome_boundary(when, status, crit_status):
    """The sustaining outcome must be dated on or after P + 4 months (2025-12-31)."""
    rfa = plan(sustained(("2025-10-01", 70, None), (when, 60, True)), "2026-02-28")["rfa"]
    assert rfa.status == status
    assert crit(rfa, "sustained_relief").status == crit_status


@pytest.mark.parametrize(
    ("fi", "status", "crit_status"),
    [
        (True, "eligible", "met"),
        (None, "needs_documentation", "unknown"),
        (False, "blocked", "unmet"),
    ],
)
def test_sustained_relief_functional_improvement(fi, status, crit_status):
    """II.B.2 wants functional improvement: null needs documentation, false blocks."""
    rfa = plan(sustained(("2026-01-05", 60, fi)), "2026-02-28")["rfa"]
    assert rfa.status == status
    assert crit(rfa, "sustained_relief").status == crit_status


def test_sustained_relief_late_outcome_below_threshold_blocks():
    """An outcome after the 4 months with 49% relief does not sustain 50%: blocked."""
    rfa = plan(sustained(("2026-01-05", 49, True)), "2026-02-28")["rfa"]
    assert rfa.status == "blocked"
    assert crit(rfa, "sustained_relief").status == "unmet"


def test_sustained_relief_failing_outcome_on_the_four_month_day():
    """An outcome of 40% on 2025-12-31 (P + 4 months) fails II.B.2, whatever comes after it."""
    rfa = plan(sustained(("2025-12-31", 40, True), ("2026-01-10", 60, True)), "2026-02-28")["rfa"]
    assert crit(rfa, "sustained_relief").status == "unmet"
    assert rfa.status == "blocked"


def test_sustained_relief_no_outcome_needs_documentation():
    """An ablation with no outcome recorded: relief is unknown, not unmet."""
    rfa = plan(sustained(), "2026-02-28")["rfa"]
    assert rfa.status == "needs_documentation"
    assert crit(rfa, "sustained_relief").status == "unknown"


@pytest.mark.parametrize(("n", "status"), [(3, "approved"), (4, "denied")])
def test_repeat_rfa_level_count(n, status):
    """A repeat ablation at 3 levels is approved, at 4 denied (II.B.3)."""
    levels = ["L2-L3", "L3-L4", "L4-L5", "L5-S1"]
    d = decide(sustained(*GOOD), "rfa", "2026-02-28", levels=levels[:n])
    assert d.status == status
    assert crit(d, "level_count").citation == f"{CITE} II.B.3"


def test_third_ablation_is_repeat_rfa_after_the_latest():
    """After a repeat ablation, the next is again repeat_rfa, 6 months after the latest one."""
    b = sustained(*GOOD)
    rid = b.procedure("rfa", "2026-03-02")
    b.outcome(rid, "2026-03-20", 70, True)
    b.outcome(rid, "2026-07-10", 60, True)
    p = plan(b, "2026-08-01")
    assert p.state == "repeat_rfa"
    assert (p["rfa"].step, p["rfa"].status, p["rfa"].earliest) == (
        "repeat_rfa",
        "waiting",
        day("2026-09-02"),
    )


# --- IV and V: not covered ---------------------------------------------------------------


@pytest.mark.parametrize(("procedure", "section"), [("pulsed_rfa", "IV"), ("ia_facet", "V")])
def test_not_covered_procedures(procedure, section):
    """Pulsed RFA and therapeutic facet injections are blocked, citing IV and V."""
    entry = plan(ready(), READY)[procedure]
    c = crit(entry, "not_covered")
    assert (entry.step, entry.status, entry.earliest) == (procedure, "blocked", None)
    assert (c.status, c.citation) == ("unmet", f"{CITE} {section}")
    d = decide(ready(), procedure, READY)
    assert d.status == "denied"
    assert crit(d, "not_covered").citation == f"{CITE} {section}"


# --- one procedure per visit (Policy/Criteria) -----------------------------------------


@pytest.mark.parametrize(
    ("esi_day", "status"),
    [("2026-01-25", "approved"), ("2026-01-26", "denied"), ("2026-01-27", "approved")],
)
def test_one_procedure_per_visit(esi_day, status):
    """An ESI on the day of a proposed block denies it; the day before or after does not."""
    b = first_block()
    b.procedure("esi", esi_day, approach="interlaminar")
    d = decide(b, "mbb", "2026-01-26")
    c = crit(d, "one_per_visit")
    assert d.status == status
    assert c.status == ("unmet" if status == "denied" else "met")
    assert c.citation == f"{CITE} Policy/Criteria"
    assert "2026-01-26" in c.message
    if status == "denied":
        assert "esi" in c.message
        assert [x.rule for x in d.unmet()] == ["one_per_visit"]


# --- citations and messages --------------------------------------------------------------


def _scenarios() -> list[tuple[str, Episode, Date]]:
    return [
        ("ready", ready().build(), READY),
        ("thoracic", ready("thoracic").build(), READY),
        ("no exam", ready(omit=["exam"]).build(), READY),
        ("first block", first_block().build(), day("2026-01-20")),
        ("facet negative", first_block(74).build(), day("2026-01-26")),
        ("two blocks", two_blocks().build(), day("2026-02-02")),
        ("ablated", sustained(*GOOD).build(), day("2026-01-20")),
    ]


@pytest.mark.parametrize(("name", "ep", "on"), _scenarios(), ids=[s[0] for s in _scenarios()])
def test_every_criterion_cites_centene(name, ep, on):
    """Every criterion of every plan entry and decision cites 'Centene CP.MP.171 ...'."""
    results = []
    p = next_eligible(ep, POLICY, as_of=on)
    for entry in p.entries.values():
        results += entry.criteria
    for procedure in ("mbb", "rfa", "pulsed_rfa", "ia_facet"):
        levels = [LEVEL[ep.region.value]]
        results += evaluate(ep, POLICY, proposal(procedure, on, levels=levels)).criteria
    assert results
    for c in results:
        assert c.citation.startswith(CITE), (c.rule, c.citation)
        assert c.message


# --- next_eligible reads today through pendulum ------------------------------------------


@pytest.mark.parametrize(
    ("today", "status"),
    [("2026-01-25", "waiting"), ("2026-01-26", "eligible"), ("2026-01-27", "eligible")],
)
def test_next_eligible_today_second_block(today, status):
    """as_of=None is today: frozen on 2026-01-25 the block waits, from 2026-01-26 it is eligible."""
    ep = first_block().build()
    with freeze_time(today):
        p = next_eligible(ep, POLICY)
    assert p.as_of == day(today)
    assert p["mbb"].status == status
    assert p["mbb"].earliest == max(day(today), day("2026-01-26"))


@pytest.mark.parametrize(("today", "status"), [("2026-02-27", "waiting"), ("2026-02-28", "eligible")])
def test_next_eligible_today_repeat_ablation(today, status):
    """Frozen on 2026-02-27 the repeat ablation waits; frozen on 2026-02-28 it is eligible."""
    ep = sustained(*GOOD).build()
    with freeze_time(today):
        p = next_eligible(ep, POLICY, as_of=None)
    assert p["rfa"].status == status
    assert p["rfa"].earliest == day("2026-02-28")


@freeze_time("2026-02-27")
def test_next_eligible_today_pain_duration():
    """Frozen on 2026-02-27, an onset of 2025-11-30 waits for 2026-02-28 (pendulum's today)."""
    p = next_eligible(ready(onset="2025-11-30").build(), POLICY)
    assert pendulum.today().date() == day("2026-02-27")
    assert (p["mbb"].status, p["mbb"].earliest) == ("waiting", day("2026-02-28"))


# --- the two queries agree -----------------------------------------------------------------


def _agree_pain() -> tuple[Episode, str, Date, list[str]]:
    return ready(onset="2025-11-30").build(), "mbb", day("2026-02-20"), ["L4-L5"]


def _agree_open_therapy() -> tuple[Episode, str, Date, list[str]]:
    b = ready(omit=["therapy"])
    b.care("physical_therapy", "2025-05-01", None)
    return b.build(), "mbb", day("2025-06-01"), ["L4-L5"]


def _agree_mbb2() -> tuple[Episode, str, Date, list[str]]:
    b = ready()
    block(b, "2026-01-12", 90, True, ["L4-L5", "L5-S1"])
    return b.build(), "mbb", day("2026-01-14"), ["L4-L5", "L5-S1"]


def _agree_repeat() -> tuple[Episode, str, Date, list[str]]:
    return sustained(*GOOD).build(), "rfa", day("2026-01-10"), ["L4-L5"]


AGREE: dict[str, Callable[[], tuple[Episode, str, Date, list[str]]]] = {
    "pain duration": _agree_pain,
    "open therapy course": _agree_open_therapy,
    "second block interval": _agree_mbb2,
    "repeat ablation": _agree_repeat,
}


@pytest.mark.parametrize("scenario", list(AGREE))
def test_queries_agree_on_earliest(scenario):
    """Where the plan waits until E, evaluate() on E is approved and on the day before it is not."""
    ep, procedure, as_of, levels = AGREE[scenario]()
    entry = next_eligible(ep, POLICY, as_of=as_of)[procedure]
    assert entry.status == "waiting"
    e = entry.earliest
    assert e is not None
    assert e > as_of
    assert next_eligible(ep, POLICY, as_of=e)[procedure].status == "eligible"
    assert next_eligible(ep, POLICY, as_of=e)[procedure].earliest == e
    on_e = evaluate(ep, POLICY, proposal(procedure, e, levels=levels))
    before = evaluate(ep, POLICY, proposal(procedure, e.subtract(days=1), levels=levels))
    assert on_e.status == "approved", [(c.rule, c.message) for c in on_e.unmet()]
    assert before.status != "approved"


@pytest.mark.parametrize(
    ("make", "procedure", "on", "levels"),
    [
        (lambda: ready().build(), "mbb", READY, ["L4-L5"]),
        (
            lambda: two_blocks(levels=["L4-L5", "L5-S1"]).build(),
            "rfa",
            day("2026-02-02"),
            ["L4-L5", "L5-S1"],
        ),
        (lambda: sustained(*GOOD).build(), "rfa", day("2026-03-05"), ["L4-L5"]),
    ],
    ids=["first block", "initial ablation", "repeat ablation"],
)
def test_queries_agree_when_eligible(make, procedure, on, levels):
    """Where the plan is eligible on d with earliest d, evaluate() on d is approved."""
    ep = make()
    entry = next_eligible(ep, POLICY, as_of=on)[procedure]
    assert (entry.status, entry.earliest) == ("eligible", on)
    assert evaluate(ep, POLICY, proposal(procedure, on, levels=levels)).status == "approved"


def test_events_after_as_of_are_ignored():
    """A block dated after as_of does not count: the plan on the day before is for mbb1."""
    p = plan(first_block(), "2026-01-11")
    assert p.state == "conservative_care"
    assert (p["mbb"].step, p["mbb"].status) == ("mbb1", "eligible")


# --- Exams: the latest exam recording a field decides it -------------------------------------


@pytest.mark.parametrize(
    ("radicular", "status"), [(True, "blocked"), (None, "eligible"), (False, "eligible")]
)
def test_a_later_exam_finding_radicular_signs_outweighs_an_earlier_one(radicular, status):
    """The exam at 10 weeks finds facet signs, no radicular signs; a later one (Jun 10) records
    radicular signs: true blocks the block (I.A.3), null leaves the earlier finding to decide."""
    b = ready().exam("2025-06-10", radicular_signs=radicular)
    e = plan(b, "2025-06-11")["mbb"]
    assert e.status == status
    assert crit(e, "facet_findings").status == ("unmet" if radicular else "met")
    assert decide(b, "mbb", "2025-06-11").status == ("denied" if radicular else "approved")


def test_the_exam_of_the_day_before_the_block_decides_not_a_later_one():
    """An exam after the proposal's date is not read: on Jun 9 the earlier exam decides."""
    b = ready().exam("2025-06-10", radicular_signs=True)
    assert plan(b, "2025-06-09")["mbb"].status == "eligible"
