"""Scenario tests of the cms-l38773 policy (Medicare LCD L38773, read as shared/policies.md fixes).

Each criterion is tested at its boundaries: the day before, of and after a time threshold,
its comparison's boundary value ("at least 80%": 79 fails, 80 passes), and the rolling caps
on the day an old session drops out.  Episodes start from ``ready()``: a lumbar episode ready
for a first diagnostic block on READY, so each test varies one thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from pendulum import Date

import policies
from episodes import Episode, testing
from episodes._episode import build_record
from episodes._rules import Ctx
from episodes.testing import EpisodeBuilder, day
from episodes.testing import criterion as crit

POLICY = policies.load("cms-l38773")
CITE = "CMS LCD L38773"

ONSET = "2025-01-01"
READY = day("2025-04-01")
LEVELS = ("L4-L5", "L5-S1")


def ready(
    *,
    care: str | None = "nsaid",
    response: str | None = "failed",
    not_tolerated: bool | None = None,
    exam: dict[str, Any] | None = None,
    with_exam: bool = True,
    disability_scale: bool = True,
    findings: Sequence[str] = ("facet_arthropathy",),
    imaging: bool = True,
) -> EpisodeBuilder:
    """A lumbar episode ready for a first block on READY (onset + 3 months).

    A failed NSAID course in January, an exam (NRS 6, no radicular signs), a disability
    scale and an MRI of L4-L5 and L5-S1, all on Mar 1.
    """
    b = EpisodeBuilder("lumbar").onset(ONSET)
    if care:
        extra = {} if not_tolerated is None else {"not_tolerated": not_tolerated}
        b.care(care, "2025-01-10", "2025-02-10", response=response, **extra)
    if with_exam:
        b.exam("2025-03-01", **{"nrs": 6, "radicular_signs": False, **(exam or {})})
    if disability_scale:
        b.document("disability_scale", "2025-03-01")
    if imaging:
        b.imaging("2025-03-01", "mri", findings, list(LEVELS))
    return b


def block(
    b: EpisodeBuilder,
    when: str | Date,
    relief: float | None,
    levels: Sequence[str] = LEVELS,
    procedure: str = "mbb",
    side: str = "bilateral",
) -> str:
    return b.block(when, relief, levels, side, procedure=procedure)


def plan(b: EpisodeBuilder | Episode, on: str | Date = READY) -> Any:
    return testing.plan(b, POLICY, on)


def decide(
    b: EpisodeBuilder | Episode,
    procedure: str,
    on: str | Date = READY,
    levels: Sequence[str] = LEVELS,
    side: str = "bilateral",
) -> Any:
    return testing.decide(b, POLICY, procedure, on, levels, side)


# --- mbb1: diagnostic facet joint procedures ------------------------------------------------


def test_ready_episode_is_eligible_for_a_first_block():
    """Every mbb1 criterion is met on READY; a block at two levels is approved."""
    mbb = plan(ready())["mbb"]
    assert (mbb.step, mbb.status, mbb.earliest) == ("mbb1", "eligible", READY)
    assert [c.rule for c in mbb.criteria] == [
        "pain_duration",
        "conservative_care",
        "pain_scale",
        "disability_scale",
        "no_radiculopathy",
        "no_other_cause",
        "diagnostic_sessions",
        "prior_fusion",
    ]
    d = decide(ready(), "mbb")
    assert d.status == "approved"
    assert {"level_count", "levels_not_treated"} <= {c.rule for c in d.criteria}
    assert crit(d, "diagnostic_sessions").citation == f"{CITE} Limitations (Frequency)"


@pytest.mark.parametrize(
    ("on", "status"),
    [("2025-03-31", "waiting"), ("2025-04-01", "eligible"), ("2025-04-02", "eligible")],
)
def test_pain_at_least_3_months(on, status):
    """Onset Jan 1: at least 3 months from Apr 1, not Mar 31."""
    mbb = plan(ready(), on)["mbb"]
    assert mbb.status == status
    if status == "waiting":
        assert [c.rule for c in mbb.unmet()] == ["pain_duration"]
        assert mbb.earliest == READY


@pytest.mark.parametrize(
    ("care", "response", "not_tolerated", "status"),
    [
        ("nsaid", "failed", None, "met"),
        ("physical_therapy", "partial", None, "met"),
        ("nsaid", "improved", None, "unmet"),
        ("nsaid", "improved", True, "met"),
        ("nsaid", None, None, "unknown"),
        (None, None, None, "unmet"),
    ],
)
def test_conservative_care_inadequate_or_not_tolerated(care, response, not_tolerated, status):
    """A course that failed, partly helped or was not tolerated; improved is not enough."""
    b = ready(care=care, response=response, not_tolerated=not_tolerated)
    assert crit(plan(b)["mbb"], "conservative_care").status == status


@pytest.mark.parametrize(
    ("with_exam", "exam", "status"), [(True, {"nrs": None}, "unknown"), (False, None, "unmet")]
)
def test_pain_scale_recorded_before_the_block(with_exam, exam, status):
    """An exam with an NRS: a null NRS is unknown; no exam at all is unmet."""
    assert crit(plan(ready(with_exam=with_exam, exam=exam))["mbb"], "pain_scale").status == status


def test_disability_scale_documented():
    """No disability scale on file: unmet, blocked."""
    mbb = plan(ready(disability_scale=False))["mbb"]
    assert mbb.status == "blocked"
    assert crit(mbb, "disability_scale").status == "unmet"


@pytest.mark.parametrize(("radicular", "status"), [(False, "met"), (None, "met"), (True, "unmet")])
def test_pain_not_associated_with_radiculopathy(radicular, status):
    """Radicular signs true fail; false or not documented pass ("not true")."""
    c = crit(plan(ready(exam={"radicular_signs": radicular}))["mbb"], "no_radiculopathy")
    assert c.status == status


@pytest.mark.parametrize(
    ("imaging", "findings", "status"),
    [
        (True, ["fracture"], "unmet"),
        (True, ["tumor"], "unmet"),
        (True, ["infection"], "unmet"),
        (True, ["disc_herniation"], "met"),
        (False, [], "met"),
    ],
)
def test_no_fracture_tumor_or_infection(imaging, findings, status):
    """Imaging showing fracture, tumor or infection blocks; no imaging shows none."""
    c = crit(plan(ready(imaging=imaging, findings=findings))["mbb"], "no_other_cause")
    assert c.status == status


def judge(step: str, rule_id: str, b: EpisodeBuilder, on: str) -> Any:
    """One criterion of ``step`` judged on its own on ``on``, on the record as it stands.

    Steps are counted per procedure: with four blocks on record the next block is a third-or-
    later one, and before a first ablation none is on record.  A cap of the first step is
    judged here directly, on the record as it stands.
    """
    rule = next(r for r in POLICY.rules(step) if r.id == rule_id)
    d = day(on)
    return rule.criterion.check(Ctx(build_record(b.build(), d), d))


@pytest.mark.parametrize(
    ("on", "status"), [("2026-01-09", "unmet"), ("2026-01-10", "met"), ("2026-01-11", "met")]
)
def test_at_most_4_diagnostic_sessions_in_the_rolling_12_months(on, status):
    """Sessions on Jan 10, Feb 10, Mar 10 and Apr 10 (two blocks that day): a fifth from Jan 10."""
    b = ready()
    for when in ("2025-01-10", "2025-02-10", "2025-03-10", "2025-04-10"):
        block(b, when, 90)
    block(b, "2025-04-10", 90, ["L3-L4"])
    v = judge("mbb1", "diagnostic_sessions", b, on)
    assert v.status == status
    if status == "unmet":
        assert v.resolves_on == day("2026-01-10")
        assert "2025-01-10" in v.message


def test_three_diagnostic_sessions_leave_room_for_a_fourth():
    """Three sessions in 12 months: the cap of 4 is met."""
    b = ready()
    for when in ("2025-01-10", "2025-02-10", "2025-03-10"):
        block(b, when, 90)
    assert judge("mbb1", "diagnostic_sessions", b, "2025-04-01").status == "met"


def test_prior_fusion_at_the_requested_level():
    """A fusion at L4-L5 denies a block there; L5-S1 alone is approved."""
    b = ready().condition("prior_fusion", "2020-01-01", levels=["L4-L5"])
    d = decide(b, "mbb", levels=["L4-L5"])
    assert d.status == "denied"
    assert crit(d, "prior_fusion").status == "unmet"
    assert decide(b, "mbb", levels=["L5-S1"]).status == "approved"


@pytest.mark.parametrize(
    ("levels", "status"),
    [
        (["L5-S1"], "approved"),
        (["L4-L5", "L5-S1"], "approved"),
        (["L3-L4", "L4-L5", "L5-S1"], "denied"),
    ],
)
def test_at_most_2_levels_a_session(levels, status):
    """Two levels are allowed in a diagnostic session; three are denied."""
    b = ready()
    b.imaging("2025-03-02", "mri", ["facet_arthropathy"], ["L3-L4"])
    d = decide(b, "mbb", levels=levels)
    assert d.status == status
    assert crit(d, "level_count").status == ("met" if status == "approved" else "unmet")


@pytest.mark.parametrize(("relief", "status"), [(49, "approved"), (50, "denied")])
def test_no_block_at_a_level_of_a_successful_ablation(relief, status):
    """A block at a level an earlier ablation relieved by at least 50% is denied; 49% is not."""
    b = ready()
    rfa = b.procedure("rfa", "2025-02-01", ["L4-L5"])
    b.outcome(rfa, "2025-03-01", relief)
    d = decide(b, "mbb", levels=["L4-L5"])
    assert d.status == status
    assert crit(d, "levels_not_treated").status == ("met" if relief == 49 else "unmet")


# --- mbb2 ---------------------------------------------------------------------------------


def first_block(
    relief: float = 90, levels: Sequence[str] = LEVELS, side: str = "bilateral"
) -> EpisodeBuilder:
    b = ready()
    block(b, READY, relief, levels, side=side)
    return b


@pytest.mark.parametrize(
    ("on", "status"),
    [("2025-04-14", "waiting"), ("2025-04-15", "eligible"), ("2025-04-16", "eligible")],
)
def test_second_block_at_least_2_weeks_after_the_first(on, status):
    """A first block on Apr 1: the second from Apr 15, not Apr 14."""
    mbb = plan(first_block(), on)["mbb"]
    assert (mbb.step, mbb.status) == ("mbb2", status)
    if status == "waiting":
        assert crit(mbb, "interval").resolves_on == day("2025-04-15")


@pytest.mark.parametrize(
    ("relief", "status", "state"), [(79, "blocked", "facet_negative"), (80, "eligible", "mbb1")]
)
def test_second_block_needs_at_least_80_percent(relief, status, state):
    """A first block at 79% closes the pathway; 80% is "at least 80%"."""
    p = plan(first_block(relief), "2025-04-15")
    assert p.state == state
    assert p["mbb"].status == status


@pytest.mark.parametrize(
    ("levels", "side", "status"),
    [
        (LEVELS, "bilateral", "approved"),
        (["L4-L5"], "left", "approved"),
        (["L3-L4"], "bilateral", "denied"),
    ],
)
def test_second_block_at_the_levels_of_the_first(levels, side, status):
    """The second block must be at levels (and sides) the first covered."""
    b = first_block()
    b.imaging("2025-03-02", "mri", ["facet_arthropathy"], ["L3-L4"])
    d = decide(b, "mbb", "2025-04-15", levels, side)
    assert d.status == status


def test_second_block_bilateral_after_a_left_first_block():
    """A first block on the left does not cover a bilateral second block."""
    d = decide(first_block(side="left"), "mbb", "2025-04-15")
    assert d.status == "denied"
    assert crit(d, "levels_covered").status == "unmet"


# --- mbb_subsequent and ia_facet: therapeutic facet joint procedures --------------------------


def diagnosed(second: float = 80, not_candidate: bool = True) -> EpisodeBuilder:
    """Diagnostic blocks on Apr 1 (85%) and Apr 15 (``second``); rfa_not_candidate on file."""
    b = ready()
    block(b, "2025-04-01", 85)
    block(b, "2025-04-15", second)
    if not_candidate:
        b.document("rfa_not_candidate", "2025-04-16")
    return b


def test_therapeutic_block_after_two_positive_diagnostic_blocks():
    """Two blocks of at least 80% and the RFA note: a third block is a therapeutic one, approved."""
    mbb = plan(diagnosed(), "2025-04-20")["mbb"]
    assert (mbb.step, mbb.status) == ("mbb_subsequent", "eligible")
    assert [c.rule for c in mbb.criteria] == [
        "positive_blocks",
        "sustained_relief",
        "rfa_not_candidate",
        "therapeutic_sessions",
    ]
    assert decide(diagnosed(), "mbb", "2025-04-20").status == "approved"


@pytest.mark.parametrize(("second", "status"), [(79, "unmet"), (80, "met")])
def test_therapeutic_needs_two_diagnostic_blocks_of_80_percent(second, status):
    """A second diagnostic block at 79% fails "at least 80%"; 80% passes."""
    assert crit(plan(diagnosed(second), "2025-04-20")["mbb"], "positive_blocks").status == status


def test_therapeutic_needs_the_not_a_candidate_for_rfa_note():
    """Without rfa_not_candidate on file the therapeutic block is blocked."""
    mbb = plan(diagnosed(not_candidate=False), "2025-04-20")["mbb"]
    assert mbb.status == "blocked"
    assert crit(mbb, "rfa_not_candidate").status == "unmet"


def test_ia_facet_is_judged_as_a_therapeutic_block():
    """ia_facet takes the mbb_subsequent criteria; with no diagnostic blocks it is denied."""
    assert [r.id for r in POLICY.rules("ia_facet")] == [r.id for r in POLICY.rules("mbb_subsequent")]
    d = decide(ready(), "ia_facet")
    assert d.status == "denied"
    assert crit(d, "positive_blocks").status == "unmet"
    assert decide(diagnosed(), "ia_facet", "2025-04-20").status == "approved"


def treated(kind: str, *outcomes: tuple[str, float]) -> EpisodeBuilder:
    """Diagnosed, then a therapeutic ``kind`` on May 1 with ``outcomes``."""
    b = diagnosed()
    pid = b.procedure(kind, "2025-05-01", list(LEVELS))
    for when, relief in outcomes:
        b.outcome(pid, when, relief)
    return b


@pytest.mark.parametrize("kind", ["mbb", "ia_facet"])
def test_next_therapeutic_waits_for_3_months_of_relief(kind):
    """A therapeutic procedure on May 1 with 60% that day: unknown on Jul 31, resolving Aug 1."""
    e = plan(treated(kind, ("2025-05-01", 60)), "2025-07-31")["ia_facet"]
    c = crit(e, "sustained_relief")
    assert (c.status, c.resolves_on) == ("unknown", day("2025-08-01"))
    assert e.status == "needs_documentation"
    assert e.earliest == day("2025-08-01")


@pytest.mark.parametrize("kind", ["mbb", "ia_facet"])
@pytest.mark.parametrize(("relief", "status"), [(49, "blocked"), (50, "eligible")])
def test_next_therapeutic_needs_50_percent_for_3_months(kind, relief, status):
    """The latest therapeutic procedure (block or ia_facet) sustained 50% to Aug 1; 49 fails."""
    b = treated(kind, ("2025-05-01", 60), ("2025-08-01", relief))
    assert plan(b, "2025-08-01")["ia_facet"].status == status
    assert plan(b, "2025-08-01")["mbb"].status == status


def therapeutic_series() -> EpisodeBuilder:
    """Diagnosed; four therapeutic sessions (blocks and ia_facet), each sustaining 55%."""
    b = diagnosed()
    for kind, when in (
        ("mbb", "2025-05-01"),
        ("ia_facet", "2025-08-01"),
        ("mbb", "2025-11-01"),
        ("ia_facet", "2026-02-01"),
    ):
        pid = b.procedure(kind, when, list(LEVELS))
        b.outcome(pid, when, 70)
        b.outcome(pid, str(day(when).add(months=3)), 55)
    return b


@pytest.mark.parametrize(
    ("on", "status"),
    [("2026-04-30", "denied"), ("2026-05-01", "approved"), ("2026-05-02", "approved")],
)
def test_at_most_4_therapeutic_sessions_in_the_rolling_12_months(on, status):
    """Sessions May 1, Aug 1, Nov 1 and Feb 1 (blocks and ia_facet alike): a fifth from May 1."""
    b = therapeutic_series()
    d = decide(b, "ia_facet", on)
    assert d.status == status
    c = crit(d, "therapeutic_sessions")
    if status == "denied":
        assert (c.status, c.resolves_on) == ("unmet", day("2026-05-01"))
        assert "2025-05-01" in c.message
    else:
        assert c.status == "met"


# --- rfa and repeat_rfa -------------------------------------------------------------------


@pytest.mark.parametrize(("second", "status"), [(79, "blocked"), (80, "eligible")])
def test_rfa_two_diagnostic_blocks_of_80_percent(second, status):
    """Two diagnostic blocks each at least 80%: 79% on the second blocks the ablation."""
    rfa = plan(diagnosed(second), "2025-04-20")["rfa"]
    assert (rfa.step, rfa.status) == ("rfa", status)
    assert crit(rfa, "ablation_sessions").status == "met"


@pytest.mark.parametrize(
    ("levels", "rules"),
    [
        (["L3-L4", "L4-L5", "L5-S1"], {"level_count", "levels_covered"}),
        (["L3-L4"], {"levels_covered"}),
        (list(LEVELS), set()),
    ],
)
def test_rfa_at_most_2_levels_covered_by_the_blocks(levels, rules):
    """At most 2 levels, each covered by the positive diagnostic blocks."""
    d = decide(diagnosed(), "rfa", "2025-04-20", levels)
    assert {c.rule for c in d.unmet()} == rules
    assert d.status == ("denied" if rules else "approved")


def test_rfa_levels_and_sides_of_both_blocks():
    """A second block on the left only: a bilateral ablation is denied, a left one approved."""
    b = ready()
    block(b, "2025-04-01", 85)
    block(b, "2025-04-15", 80, side="left")
    assert decide(b, "rfa", "2025-04-20", side="left").status == "approved"
    d = decide(b, "rfa", "2025-04-20")
    assert d.status == "denied"
    assert [c.rule for c in d.unmet()] == ["levels_covered"]


@pytest.mark.parametrize(
    ("on", "status"), [("2026-01-09", "unmet"), ("2026-01-10", "met"), ("2026-01-11", "met")]
)
def test_rfa_ablation_sessions_cap_judged_on_its_own(on, status):
    """The rfa step's cap, 2 in 12 months: ablations on Jan 10 and Feb 1 free a third Jan 10."""
    b = ready()
    b.procedure("rfa", "2025-01-10", list(LEVELS))
    b.procedure("rfa", "2025-02-01", list(LEVELS))
    v = judge("rfa", "ablation_sessions", b, on)
    assert v.status == status
    if status == "unmet":
        assert v.resolves_on == day("2026-01-10")


def ablated(*outcomes: tuple[str, float, bool | None]) -> EpisodeBuilder:
    """Diagnosed, then an ablation on 2025-06-01 with ``outcomes`` (date, relief, FI)."""
    b = diagnosed()
    pid = b.procedure("rfa", "2025-06-01", list(LEVELS))
    for when, relief, fi in outcomes:
        b.outcome(pid, when, relief, fi)
    return b


def test_repeat_rfa_waits_for_6_months_of_relief():
    """An ablation on Jun 1 with 60% that month: needs documentation, earliest Dec 1."""
    rfa = plan(ablated(("2025-06-15", 60, None)), "2025-11-30")["rfa"]
    assert (rfa.step, rfa.status, rfa.earliest) == (
        "repeat_rfa",
        "needs_documentation",
        day("2025-12-01"),
    )
    assert crit(rfa, "repeat_relief").resolves_on == day("2025-12-01")


@pytest.mark.parametrize(("relief", "status"), [(49, "blocked"), (50, "eligible")])
def test_repeat_rfa_50_percent_for_6_months(relief, status):
    """50% documented on Dec 1 (Jun 1 + 6 months) passes; 49% fails."""
    b = ablated(("2025-06-15", 60, False), ("2025-12-01", relief, False))
    assert plan(b, "2025-12-01")["rfa"].status == status


def test_repeat_rfa_or_functional_improvement():
    """Either-or: functional improvement sustained through Dec 1 (Jun 1 + 6 months) meets it
    even at 30% relief."""
    b = ablated(("2025-07-01", 30, True), ("2025-12-01", 30, True))
    rfa = plan(b, "2025-12-01")["rfa"]
    assert (rfa.status, rfa.earliest) == ("eligible", day("2025-12-01"))
    assert crit(rfa, "repeat_relief").status == "met"
    nope = plan(ablated(("2025-07-01", 30, False)), "2025-07-02")["rfa"]
    assert (nope.status, crit(nope, "repeat_relief").status) == ("blocked", "unmet")


@pytest.mark.parametrize(
    ("on", "status", "earliest"),
    [
        ("2025-07-02", "needs_documentation", "2025-12-01"),
        ("2025-11-30", "needs_documentation", "2025-12-01"),
        ("2025-12-01", "needs_documentation", "2025-12-01"),
    ],
)
def test_repeat_rfa_functional_improvement_must_be_sustained_6_months(on, status, earliest):
    """No repeat ablation days after the first: improvement documented on Jul 1 only waits for
    Dec 1 (Jun 1 + 6 months), the day before and the day itself, until it is documented then."""
    rfa = plan(ablated(("2025-07-01", 30, True)), on)["rfa"]
    assert (rfa.status, rfa.earliest) == (status, day(earliest))
    assert crit(rfa, "repeat_relief").status == "unknown"


@pytest.mark.parametrize(("day_of", "status"), [("2025-11-30", "unknown"), ("2025-12-01", "met")])
def test_repeat_rfa_functional_improvement_documented_on_the_sixth_month(day_of, status):
    """An outcome with improvement on Nov 30 is a day short of Jun 1 + 6 months; on Dec 1 it
    closes the 6 months."""
    rfa = plan(ablated(("2025-07-01", 30, True), (day_of, 30, True)), "2025-12-02")["rfa"]
    assert crit(rfa, "repeat_relief").status == status


def test_repeat_rfa_functional_improvement_lost_within_6_months():
    """Improvement found on Jul 1 and lost on Sep 1: the alternative is unmet."""
    b = ablated(("2025-07-01", 30, True), ("2025-09-01", 30, False), ("2025-12-01", 30, True))
    assert crit(plan(b, "2025-12-02")["rfa"], "repeat_relief").status == "unmet"


@pytest.mark.parametrize(
    ("on", "status"),
    [("2026-05-31", "denied"), ("2026-06-01", "approved"), ("2026-06-02", "approved")],
)
def test_at_most_2_ablation_sessions_in_the_rolling_12_months(on, status):
    """Ablations on Jun 1 and Dec 1, 2025: a third is allowed from Jun 1, 2026, not May 31."""
    b = ablated(("2025-07-01", 60, True))
    second = b.procedure("rfa", "2025-12-01", list(LEVELS))
    b.outcome(second, "2026-01-01", 60, True)
    b.outcome(second, "2026-06-01", 60, True)
    d = decide(b, "rfa", on)
    assert (d.step, d.status) == ("repeat_rfa", status)
    c = crit(d, "ablation_sessions")
    if status == "denied":
        assert (c.status, c.resolves_on) == ("unmet", day("2026-06-01"))


def test_repeat_rfa_at_most_2_levels():
    """A repeat ablation at three levels is denied by the level count."""
    b = ablated(("2025-07-01", 60, True), ("2025-12-01", 60, True))
    d = decide(b, "rfa", "2025-12-01", ["L3-L4", "L4-L5", "L5-S1"])
    assert d.status == "denied"
    assert [c.rule for c in d.unmet()] == ["level_count"]


# --- not covered ------------------------------------------------------------------------------


def test_pulsed_rfa_is_not_covered():
    """Non-thermal denervation: pulsed_rfa is blocked and denied, citing Limitations."""
    e = plan(diagnosed(), "2025-04-20")["pulsed_rfa"]
    assert e.status == "blocked"
    c = crit(e, "not_covered")
    assert c.status == "unmet"
    assert c.citation == f"{CITE} Limitations"
    assert decide(diagnosed(), "pulsed_rfa", "2025-04-20").status == "denied"


def test_esi_and_cyst_aspiration_are_not_addressed():
    """The LCD addresses facet procedures only: no esi entry; an ESI or cyst aspiration
    proposal is not_addressed, not denied; pulsed ablation, which it declares not covered,
    stays denied."""
    assert set(plan(ready())) == {"mbb", "ia_facet", "rfa", "pulsed_rfa"}
    assert decide(ready(), "esi").status == "not_addressed"
    assert decide(ready(), "facet_cyst_aspiration").status == "not_addressed"
    assert decide(ready(), "pulsed_rfa").status == "denied"


# --- Levels in plans (Reading rules: levels) -------------------------------------------------


def test_after_a_successful_ablation_the_plan_names_no_level_for_a_second_block():
    """A block at L4-L5/L5-S1, then an ablation there with 60% relief: every second block is
    denied (at those levels: ablated; elsewhere: not the first block's levels), so the plan
    is not eligible and names no levels."""
    b = ready()
    block(b, "2025-04-01", 85)
    pid = b.procedure("rfa", "2025-04-20", list(LEVELS))
    b.outcome(pid, "2025-05-01", 60, True)
    e = plan(b, "2025-06-01")["mbb"]
    assert (e.step, e.levels, e.status) == ("mbb2", (), "blocked")
    reason = e.reason()
    assert reason is not None
    assert reason.rule == "levels"
    for levels in (LEVELS, ("L3-L4",)):
        assert decide(b, "mbb", "2025-06-01", levels).status == "denied"


def test_a_second_block_plan_names_the_first_blocks_levels():
    """After one block at L4-L5/L5-S1 (85%), the plan's second block is at those levels."""
    b = ready()
    block(b, "2025-04-01", 85)
    e = plan(b, "2025-04-15")["mbb"]
    assert (e.step, e.status, e.levels) == ("mbb2", "eligible", LEVELS)
    assert decide(b, "mbb", "2025-04-15", e.levels).status == "approved"
    assert decide(b, "mbb", "2025-04-14", e.levels).status == "denied"  # the day before 2 weeks
