"""The pathway state machine: states after sequences of procedures, facet_negative, one Machine."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import transitions

import policies
from episodes import State, _pathway, next_eligible
from episodes.testing import EpisodeBuilder, day

POLICY = policies.load("centene-facet")
#: Procedure dates, two weeks apart from 2026-01-12.
DATES = [day("2026-01-12").add(weeks=2 * i) for i in range(8)]
LATER = day("2026-12-31")


def episode(kinds: Sequence[str], reliefs: Sequence[float | None] | None = None) -> EpisodeBuilder:
    """A lumbar episode with the procedures ``kinds`` on DATES, each with its relief outcome
    (80% with functional improvement by default; None: no outcome)."""
    b = EpisodeBuilder("lumbar")
    b.onset("2025-06-01")
    reliefs = [80] * len(kinds) if reliefs is None else reliefs
    for kind, when, relief in zip(kinds, DATES[: len(kinds)], reliefs, strict=True):
        pid = b.procedure(kind, when, ["L4-L5"])
        if relief is not None:
            b.outcome(pid, when, relief, True)
    return b


def state(b: EpisodeBuilder, on=LATER) -> str:
    return next_eligible(b.build(), POLICY, as_of=on).state


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ([], "conservative_care"),
        (["esi"], "conservative_care"),
        (["mbb"], "mbb1"),
        (["esi", "mbb"], "mbb1"),
        (["mbb", "mbb"], "mbb2"),
        (["mbb", "mbb", "mbb"], "mbb2"),
        (["mbb", "mbb", "rfa"], "rfa"),
        (["mbb", "mbb", "rfa", "mbb"], "rfa"),
        (["mbb", "mbb", "rfa", "rfa"], "repeat_rfa"),
        (["mbb", "mbb", "rfa", "rfa", "rfa"], "repeat_rfa"),
        (["mbb", "mbb", "rfa", "rfa", "mbb"], "repeat_rfa"),
        (["rfa"], "rfa"),
        (["mbb", "rfa"], "rfa"),
    ],
)
def test_state_after_sequence(kinds, expected):
    """Blocks lead to mbb1 then mbb2, ablations to rfa then repeat_rfa; an ESI moves nothing."""
    s = state(episode(kinds))
    assert s == expected
    assert isinstance(s, State)


def test_state_counts_only_events_up_to_as_of():
    """The state on a date ignores procedures dated after it."""
    b = episode(["mbb", "mbb", "rfa"])
    assert state(b, DATES[0].subtract(days=1)) == "conservative_care"
    assert state(b, DATES[0]) == "mbb1"
    assert state(b, DATES[1]) == "mbb2"
    assert state(b, DATES[2]) == "rfa"


@pytest.mark.parametrize(("relief", "expected"), [(74, "facet_negative"), (75, "mbb1"), (76, "mbb1")])
def test_first_block_relief_closes_pathway(relief, expected):
    """Under centene a first block below 75% relief is facet_negative; 75% keeps mbb1."""
    assert state(episode(["mbb"], [relief])) == expected


@pytest.mark.parametrize(("relief", "expected"), [(74, "facet_negative"), (75, "mbb2")])
def test_second_block_relief_below_the_rfa_threshold_closes_pathway(relief, expected):
    """After two blocks the next facet step is rfa (each block at least 75%): a second block
    below it closes the pathway."""
    assert state(episode(["mbb", "mbb"], [80, relief])) == expected


def test_first_block_without_outcome_stays_mbb1():
    """A first block whose relief is not yet documented does not close the pathway."""
    assert state(episode(["mbb"], [None])) == "mbb1"


def test_facet_negative_only_from_the_outcome_date():
    """A block's 74% outcome dated the next day closes the pathway from that day on."""
    b = EpisodeBuilder("lumbar").onset("2025-06-01")
    pid = b.procedure("mbb", "2026-01-12")
    b.outcome(pid, "2026-01-13", 74)
    assert state(b, day("2026-01-12")) == "mbb1"
    assert state(b, day("2026-01-13")) == "facet_negative"


@pytest.mark.parametrize("second", [80, None])
def test_block_after_facet_negative_moves_to_mbb2(second):
    """History is replayed leniently: a block recorded after facet_negative moves to mbb2."""
    b = episode(["mbb"], [60])
    assert state(b, DATES[0]) == "facet_negative"
    pid = b.procedure("mbb", DATES[1])
    if second is not None:
        b.outcome(pid, DATES[1], second, True)
    assert state(b) == "mbb2"


def test_ablation_after_facet_negative_moves_to_rfa():
    """An ablation recorded after facet_negative moves to rfa (lenient replay)."""
    assert state(episode(["mbb", "rfa"], [50, 80])) == "rfa"


def test_facet_negative_plan_blocks_the_second_block():
    """In facet_negative the next block (mbb2) is blocked by the relief criterion."""
    plan = next_eligible(episode(["mbb"], [74]).build(), POLICY, as_of=LATER)
    assert plan.state == "facet_negative"
    assert (plan["mbb"].step, plan["mbb"].status) == ("mbb2", "blocked")
    relief = next(c for c in plan["mbb"].criteria if c.rule == "relief")
    assert (relief.status, relief.resolves_on) == ("unmet", None)
    assert "74%" in relief.message


def test_one_machine_module_level():
    """There is exactly one transitions Machine in episodes._pathway, with no model attached."""
    machines = [v for v in vars(_pathway).values() if isinstance(v, transitions.Machine)]
    assert machines == [_pathway.MACHINE]
    assert _pathway.MACHINE.models == []
    assert set(_pathway.MACHINE.states) == {s.value for s in State}


def test_no_machine_built_and_no_model_kept_by_queries(monkeypatch):
    """Queries on several episodes build no Machine and leave MACHINE holding no models."""
    built = []
    original = transitions.Machine.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(transitions.Machine, "__init__", counting)
    _pathway.replay.cache_clear()  # make the queries walk the machine, not the memo
    sequences = [
        ["mbb"],
        ["mbb", "mbb"],
        ["mbb", "mbb", "rfa"],
        ["mbb", "mbb", "rfa", "rfa"],
        ["esi"],
    ]
    states = [state(episode(kinds)) for kinds in sequences]
    assert states == ["mbb1", "mbb2", "rfa", "repeat_rfa", "conservative_care"]
    assert _pathway.replay.cache_info().misses >= 4
    assert built == []
    assert _pathway.MACHINE.models == []


def test_same_state_from_memo_and_machine():
    """A memoised replay gives the state a fresh walk through the machine gives."""
    b = episode(["mbb", "mbb", "rfa", "rfa"])
    _pathway.replay.cache_clear()
    fresh = state(b)
    memo = state(b)
    assert fresh == memo == "repeat_rfa"
    assert _pathway.replay.cache_info().hits >= 1


def test_facet_negative_is_a_guarded_move_of_the_machine():
    """The block's move to facet_negative is a transition of the machine whose condition is the
    relief guard, tried before the unguarded move on; there is no synthetic close move."""
    block = _pathway.MACHINE.events["block"]
    for source in ("conservative_care", "mbb1", "mbb2", "facet_negative"):
        first, then = block.transitions[source]
        assert (first.dest, [c.func for c in first.conditions]) == ("facet_negative", [_pathway.RELIEF_FAILS])
        assert then.conditions == []
    assert set(_pathway.MACHINE.events) == {"block", "ablate"}


@pytest.mark.parametrize(
    ("moves", "closes", "expected"),
    [
        (("block",), False, "mbb1"),
        (("block",), True, "facet_negative"),
        (("block", "block"), True, "facet_negative"),
        (("block", "block"), False, "mbb2"),
        (("block", "ablate"), True, "rfa"),  # the guard is the latest block's, and it moved on
        (("ablate", "block"), True, "rfa"),  # no guard on a block after an ablation
    ],
)
def test_replay_walks_the_guard_of_the_latest_block(moves, closes, expected):
    """Only the latest block's guard is asked; an earlier block that closed the pathway is
    left behind by the block after it."""
    _pathway.replay.cache_clear()
    assert _pathway.replay(tuple(_pathway.Move(m) for m in moves), closes) == expected


@pytest.mark.parametrize(("relief", "expected"), [(74, "facet_negative"), (75, "mbb1")])
def test_a_first_block_at_the_threshold_passes_the_guard(relief, expected):
    """Centene's guard after a first block is mbb2's relief rule (at least 75%): 74 closes the
    pathway through the machine, 75 moves on."""
    _pathway.replay.cache_clear()
    assert state(episode(["mbb"], [relief])) == expected
    assert _pathway.replay.cache_info().misses == 1


def test_the_diagram_labels_each_move_with_the_policy_words():
    """``episodes diagram``: mermaid text with every state, the relief guard in the policy's
    words with its section, and a step the policy does not cover said so."""
    from episodes._diagram import diagram

    text = diagram(POLICY)
    assert isinstance(text, str)
    for s in State:
        assert f'state "{s.value}" as {s.value}' in text
    assert (
        "conservative_care --> facet_negative: block (mbb1) "
        "[relief fails previous mbb - relief at least 75% (I.A, Note)]" in text
    )
    assert "mbb2 --> mbb2: block (mbb_subsequent) [not covered" in text
    assert "[*] --> conservative_care" in text


def test_a_policy_without_relief_rules_draws_no_closing_move():
    """sample-pa-64493 judges no block's relief: its diagram has no move to facet_negative."""
    from episodes._diagram import diagram

    text = str(diagram(policies.load("sample-pa-64493")))
    assert "--> facet_negative" not in text
    assert "conservative_care --> mbb1" in text
