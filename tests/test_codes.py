"""The claims dialect's codes: the lines to request, proposals given as codes, and the audit's check."""

from __future__ import annotations

from pathlib import Path

import pytest

import policies
from episodes import Episode, InvalidEvent, audit, evaluate, load_episode, next_eligible
from episodes._codes import CodeLine, Intent, approach_of, kind_of, lines, lookup, problems, side_of
from episodes._events import Approach, ProcedureKind, Region, Side
from episodes.testing import day

L, C = Region.LUMBAR, Region.CERVICAL


def test_bilateral_two_level_block_is_primary_and_add_on_with_modifier_50() -> None:
    """A bilateral two-level lumbar block: 64493-50 and 64494-50, one unit each."""
    assert lines(ProcedureKind.MBB, L, 2, Side.BILATERAL) == (
        CodeLine("64493", 1, ("50",)),
        CodeLine("64494", 1, ("50",)),
    )


def test_one_side_is_lt_or_rt_and_third_level_takes_the_last_add_on_once() -> None:
    """Three levels on the left: the primary, the add-on, and the last add-on once, each LT."""
    assert lines(ProcedureKind.IA_FACET, C, 3, Side.LEFT) == (
        CodeLine("64490", 1, ("LT",)),
        CodeLine("64491", 1, ("LT",)),
        CodeLine("64492", 1, ("LT",)),
    )
    assert lines(ProcedureKind.MBB, L, 4, Side.RIGHT)[-1] == CodeLine("64495", 1, ("RT",))


def test_ablation_takes_one_add_on_unit_per_further_joint() -> None:
    """Three lumbar joints ablated: 64635 once and 64636 with 2 units."""
    assert lines(ProcedureKind.RFA, L, 3, Side.RIGHT) == (
        CodeLine("64635", 1, ("RT",)),
        CodeLine("64636", 2, ("RT",)),
    )
    assert lines(ProcedureKind.RFA, C, 1, Side.BILATERAL) == (CodeLine("64633", 1, ("50",)),)


def test_any_level_is_one_level_without_a_side_modifier() -> None:
    """A plan entry whose levels are open: the codes of one level, no modifier."""
    assert lines(ProcedureKind.MBB, L, 0, None) == (CodeLine("64493"),)


def test_epidurals_by_approach_and_unlisted_procedures() -> None:
    """Interlaminar (and caudal) is one line, with imaging guidance; transforaminal per level."""
    assert lines(ProcedureKind.ESI, L, 2, Side.BILATERAL) == (CodeLine("62323", 1, ("50",)),)
    assert lines(ProcedureKind.ESI, C, 1, None, Approach.CAUDAL) == (CodeLine("62321"),)
    assert lines(ProcedureKind.ESI, L, 2, Side.LEFT, Approach.TRANSFORAMINAL) == (
        CodeLine("64483", 1, ("LT",)),
        CodeLine("64484", 1, ("LT",)),
    )
    assert lines(ProcedureKind.PULSED_RFA, L, 2, Side.LEFT) == (CodeLine("64999", 1, ("LT",)),)


def test_codes_name_a_kind_by_intent() -> None:
    """64493/64494 are a block unless the intent is therapeutic; 64999 names no one kind."""
    assert kind_of(["64493", "64494"]) is ProcedureKind.MBB
    assert kind_of(["64493", "64494"], Intent.THERAPEUTIC) is ProcedureKind.IA_FACET
    assert kind_of(["64635"], "therapeutic") is ProcedureKind.RFA
    assert kind_of(["64999"]) is None
    assert kind_of(["99999"]) is None
    assert approach_of(["64483"]) is Approach.TRANSFORAMINAL
    assert side_of(["64493-LT"]) is Side.LEFT
    assert side_of(["64493"]) is None


def test_codes_that_agree_have_no_problems() -> None:
    """Codes matching the region, the levels and the side."""
    assert problems(["64493-50", "64494-50"], L, 2, Side.BILATERAL, ProcedureKind.MBB) == ()
    assert problems(["64635", "64636"], L, 3, Side.LEFT) == ()
    assert problems(["62323"], L, 1) == ()


def test_a_code_for_the_wrong_region_names_the_field() -> None:
    """A cervical code on a lumbar procedure."""
    (p,) = problems(["64490"], L, 1)
    assert p.field == "codes[0]"
    assert "cervical" in p.reason
    assert "lumbar" in p.reason


@pytest.mark.parametrize(
    ("codes", "levels"),
    [(["64493", "64494"], 1), (["64493"], 2), (["64494"], 1), (["64493", "64494"], 3), (["64635"], 2)],
)
def test_codes_that_disagree_with_the_level_count(codes: list[str], levels: int) -> None:
    """The level count the codes say differs from the procedure's."""
    found = problems(codes, L, levels)
    assert [p.field for p in found] == ["codes"]
    assert f"has {levels}" in found[0].reason


def test_kind_side_and_unknown_code_disagreements() -> None:
    """An ablation code on a block, a left modifier on a bilateral procedure, a code not in the table."""
    assert [p.field for p in problems(["64635"], L, 1, kind=ProcedureKind.MBB)] == ["codes[0]"]
    assert [p.field for p in problems(["64493-LT"], L, 1, Side.BILATERAL)] == ["codes[0]"]
    assert "not a code" in problems(["12345"], L, 1)[0].reason


def test_the_table_lists_the_seed_codes() -> None:
    """Every code the seeds name for these services is in the table."""
    for code in ("64490", "64491", "64492", "64493", "64494", "64495", "64633", "64634", "64635", "64636"):
        assert lookup(code) is not None


# --- in the queries -------------------------------------------------------------------------

EXAMPLE = Path(__file__).parent.parent / "docs" / "examples" / "lumbar-facet.json"
CENTENE = policies.load("centene-facet")


def example() -> Episode:
    return load_episode(EXAMPLE.read_text())


def wire(codes: list[str], levels: list[str], **extra: object) -> dict[str, object]:
    return {"codes": codes, "date": "2026-04-20", "levels": levels, "side": "bilateral", **extra}


def test_a_proposal_given_as_codes_is_judged_as_its_procedure() -> None:
    """64493+64494 bilateral on Apr 20 is the second block (approved); therapeutic is ia_facet (denied, V)."""
    d = evaluate(example(), CENTENE, wire(["64493", "64494"], ["L4-L5", "L5-S1"]))
    assert (d.procedure, d.step, d.status, d.side) == ("mbb", "mbb2", "approved", "bilateral")
    assert d.codes == (CodeLine("64493", 1, ("50",)), CodeLine("64494", 1, ("50",)))
    t = evaluate(example(), CENTENE, wire(["64493", "64494"], ["L4-L5", "L5-S1"], intent="therapeutic"))
    assert (t.procedure, t.status) == ("ia_facet", "denied")


@pytest.mark.parametrize(
    ("codes", "levels", "extra", "field"),
    [
        (["64490"], ["L4-L5"], {}, "codes[0]"),  # a cervical code for a lumbar episode
        (["64493", "64494"], ["L4-L5"], {}, "codes"),  # two levels' codes, one level
        (["64493"], ["L4-L5"], {"intent": "curative"}, "intent"),
        (["64999"], ["L4-L5"], {}, "codes"),  # unlisted: names no one procedure
        (["64493"], ["L4-L5"], {"procedure": "rfa"}, "codes[0]"),
        ("64493", ["L4-L5"], {}, "codes"),
    ],
)
def test_codes_that_disagree_are_bad_input_naming_the_field(
    codes: list[str], levels: list[str], extra: dict[str, object], field: str
) -> None:
    """Codes of another region, another level count, an unknown intent: an EpisodeError naming the field."""
    with pytest.raises(InvalidEvent) as err:
        evaluate(example(), CENTENE, wire(codes, levels, **extra))
    assert err.value.field == field


def test_the_plan_names_its_codes_and_the_audit_checks_recorded_ones() -> None:
    """The plan's mbb2 entry requests 64493-50 and 64494-50 (the blocks' levels and side); a
    recorded block billed as one level is found to disagree with its two levels."""
    ep = example()
    entry = next_eligible(ep, CENTENE, as_of=day("2026-04-20"))["mbb"]
    assert entry.levels == ("L4-L5", "L5-S1")
    assert [str(c) for c in entry.codes] == ["64493-50", "64494-50"]
    ep.record(
        {
            "type": "procedure",
            "id": "b2",
            "procedure": "mbb",
            "date": "2026-04-20",
            "levels": ["L4-L5", "L5-S1"],
            "side": "bilateral",
            "codes": ["64493-LT"],
        }
    )
    found = {d.procedure_id: d.code_findings for d in audit(ep, CENTENE)}
    assert found["b1"] == ()
    assert found["b2"] == (
        "codes[0] 64493-LT: modifier LT does not say bilateral",
        "codes 64493-LT: codes for one level; the procedure has 2",
    )
