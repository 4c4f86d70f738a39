"""How results are made: criteria and their messages on first read, a shared criterion judged once."""

import gc
import json
import pickle
import tomllib
import weakref
from pathlib import Path

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import policies
from episodes import audit, evaluate, load_episode, next_eligible
from episodes._episode import build_record
from episodes._report import to_data
from episodes._rules import Ctx
from episodes._rules.findings import ImagingRule
from episodes._rules.scope import RegionRule
from episodes.testing import EpisodeBuilder, criterion, proposal
from episodes.testing.strategies import as_of_dates, episodes

EXAMPLE = (Path(__file__).parent.parent / "docs" / "examples" / "lumbar-facet.json").read_text()
ON = pendulum.date(2026, 4, 10)
CENTENE = policies.load("centene-facet")


def policy_of(policy_id: str, steps: str) -> policies.Policy:
    """A lumbar policy of the given steps (TOML), read as a file would be."""
    head = f'id = "{policy_id}"\ntitle = "t"\npayer = "p"\nversion = "1"\neffective = 2026-01-01\n'
    head += 'source = "s"\ncitation = "P"\nregions = ["lumbar"]\n'
    return policies.parse(tomllib.loads(head + steps), f"{policy_id}.toml")


def block_with_relief(relief: int) -> EpisodeBuilder:
    b = EpisodeBuilder("lumbar").onset("2025-06-01")
    b.care("physical_therapy", "2025-07-01", "2025-10-01")
    b.imaging("2025-09-01")
    pid = b.procedure("mbb", "2026-01-05", ["L4-L5"])
    return b.outcome(pid, "2026-01-05", relief)


def test_criteria_are_made_once_and_read_the_same() -> None:
    plan = next_eligible(load_episode(EXAMPLE), CENTENE, ON)
    entry = plan["mbb"]
    first = entry.criteria
    assert first is entry.criteria  # made on the first read, kept
    assert first == next_eligible(load_episode(EXAMPLE), CENTENE, ON)["mbb"].criteria
    assert all(isinstance(c.message, str) and c.message for c in first)


def test_equality_and_repr_see_the_messages() -> None:
    """Two plans that differ only in a message's figures (80% or 90% relief, both enough) differ."""
    on = "2026-01-26"
    at_80 = next_eligible(block_with_relief(80).build(), CENTENE, on)
    at_90 = next_eligible(block_with_relief(90).build(), CENTENE, on)
    assert at_80["mbb"].status == at_90["mbb"].status
    assert criterion(at_80["mbb"], "relief").status == criterion(at_90["mbb"], "relief").status == "met"
    assert at_80 != at_90
    assert at_80 == next_eligible(block_with_relief(80).build(), CENTENE, on)
    assert "80% relief" in repr(at_80["mbb"])
    assert "90% relief" in repr(at_90["mbb"])


def test_messages_are_those_of_the_date_and_record_planned() -> None:
    """A message read after the episode has changed still speaks of the record as it was planned."""
    ep = block_with_relief(80).build()
    plan = next_eligible(ep, CENTENE, "2026-01-26")  # nothing read yet
    ep.record(
        {
            "type": "procedure",
            "id": "p2",
            "procedure": "mbb",
            "date": "2026-01-20",
            "levels": ["L4-L5"],
            "side": "bilateral",
        }
    )
    assert (
        "no relief documented"
        in criterion(next_eligible(ep, CENTENE, "2026-01-26")["rfa"], "positive_blocks").message
    )
    before = next_eligible(block_with_relief(80).build(), CENTENE, "2026-01-26")
    relief = criterion(plan["mbb"], "relief")
    assert relief.message.startswith("mbb on 2026-01-05: 80% relief;")
    assert relief.message == criterion(before["mbb"], "relief").message
    assert plan == before


def test_wire_keeps_criteria_in_their_place() -> None:
    ep = load_episode(EXAMPLE)
    plan = to_data(next_eligible(ep, CENTENE, ON))
    assert list(plan["entries"]["mbb"]) == [
        "procedure",
        "step",
        "status",
        "earliest",
        "until",
        "criteria",
        "levels",
        "codes",
        "authorization",
    ]
    first = plan["entries"]["mbb"]["criteria"][0]
    assert set(first) == {"rule", "status", "message", "citation", "resolves_on", "until", "text"}
    decision = to_data(evaluate(ep, CENTENE, proposal("mbb", "2026-04-10")))
    assert list(decision) == [
        "procedure",
        "step",
        "date",
        "status",
        "criteria",
        "procedure_id",
        "levels",
        "side",
        "codes",
        "authorization",
        "code_findings",
    ]
    assert json.loads(json.dumps(decision)) == decision  # plain data all through


def test_a_criterion_several_steps_share_is_judged_once_per_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cohere's region rule is in every step: one check per plan, and every entry reports it."""
    cohere = policies.load("cohere-neck-pain")
    calls: list[object] = []
    real = RegionRule.check

    def counted(self: RegionRule, ctx: object) -> object:
        calls.append(self)
        return real(self, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(RegionRule, "check", counted)
    ep = EpisodeBuilder("cervical").onset("2025-06-01").build()
    plan = next_eligible(ep, cohere, "2026-01-05")
    assert len(plan) >= 3
    assert all(criterion(plan[k], "region").status == "met" for k in plan)
    assert len(calls) == 1
    assert len({id(criterion(plan[k], "region")) for k in plan}) == 1  # and its result made once


def test_equal_criteria_written_in_two_steps_are_one() -> None:
    """A policy that writes the same criterion in two steps gets one object (judged once)."""
    policy = policy_of(
        "twice",
        """
[[steps.mbb1.criteria]]
kind = "region"
regions = ["lumbar"]
cite = "1"

[[steps.rfa.criteria]]
kind = "region"
regions = ["lumbar"]
cite = "1"
""",
    )
    (a,) = policy.rules("mbb1") or ()
    (b,) = policy.rules("rfa") or ()
    assert a.criterion is b.criterion


def test_plans_and_decisions_pickle_with_their_messages() -> None:
    """A payer's run across processes sends results back pickled: messages go made, not as closures."""
    ep = load_episode(EXAMPLE)
    plan = next_eligible(ep, CENTENE, ON)
    back = pickle.loads(pickle.dumps(plan))
    assert back == plan
    assert [c.message for c in back["mbb"].criteria] == [c.message for c in plan["mbb"].criteria]
    found = audit(ep, CENTENE)
    assert pickle.loads(pickle.dumps(found)) == found


def test_a_blocked_step_judges_the_rest_when_its_criteria_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """No symptom onset blocks Centene's first block at pain duration: the imaging rule after it
    cannot change that, so the plan leaves it to the first read of the criteria."""
    calls: list[object] = []
    real = ImagingRule.check

    def counted(self: ImagingRule, ctx: object) -> object:
        calls.append(self)
        return real(self, ctx)  # type: ignore[arg-type]

    monkeypatch.setattr(ImagingRule, "check", counted)
    b = EpisodeBuilder("lumbar")
    b.care("physical_therapy", "2025-07-01", "2025-10-01")
    b.imaging("2025-09-01")
    entry = next_eligible(b.build(), CENTENE, "2026-01-05")["mbb"]
    assert entry.status == "blocked"
    assert calls == []
    assert criterion(entry, "pain_duration").status == "unmet"
    assert [c.rule for c in entry.criteria] == [r.id for r in CENTENE.plan_rules("mbb1") or ()]
    assert criterion(entry, "no_other_cause").status == "met"
    assert len(calls) == 1


def test_a_denied_proposal_judges_the_rest_when_its_criteria_are_read() -> None:
    b = EpisodeBuilder("lumbar")
    b.care("physical_therapy", "2025-07-01", "2025-10-01")
    decision = evaluate(b.build(), CENTENE, proposal("mbb", "2026-01-05", ["L4-L5"]))
    assert decision.status == "denied"
    assert [c.rule for c in decision.criteria] == [r.id for r in CENTENE.rules("mbb1") or ()]
    assert criterion(decision, "pain_duration").status == "unmet"  # where judging stopped
    assert criterion(decision, "adl_impairment").status == "unmet"  # judged on this read


@pytest.mark.parametrize("policy_id", policies.available())
@given(data=st.data())
def test_criteria_read_later_are_those_judged_at_once(policy_id: str, data: st.DataObject) -> None:
    """Whether judging stopped early or not, every entry's criteria are each rule's own verdict."""
    policy = policies.load(policy_id)
    ep = data.draw(episodes(policy=policy))
    on = data.draw(as_of_dates(ep))
    ctx = Ctx(build_record(ep, on), on)
    for entry in next_eligible(ep, policy, on).entries.values():
        rules = policy.plan_rules(policy.judged_as(entry.step, ctx.record.count)) or ()
        made = [(c.rule, c.status, c.message, c.resolves_on, c.until) for c in entry.criteria]
        verdicts = [(r.id, r.criterion.check(ctx)) for r in rules]
        eager = [(i, v.status, v.message, v.resolves_on, v.until) for i, v in verdicts]
        assert made[: len(eager)] == eager
        assert len(made) - len(eager) in (0, 1)  # and the engine's own "window", where it shuts


def test_a_plan_read_lets_go_of_its_record() -> None:
    """Once every entry's criteria are made, the plan keeps strings, not the record or closures:
    a payer holding a population's read plans holds no records."""
    plan = next_eligible(load_episode(EXAMPLE), CENTENE, ON)
    record = weakref.ref(next(e._lazy.query for e in plan.entries.values()).ctx.record)  # type: ignore[union-attr]
    assert record() is not None
    for entry in plan.entries.values():
        entry.criteria  # noqa: B018 (made on the read)
    gc.collect()
    assert record() is None
    assert plan == next_eligible(load_episode(EXAMPLE), CENTENE, ON)


def test_care_rules_share_only_courses_read_the_same_way() -> None:
    """Two care rules over the same kinds, one counting any response and one only failed or
    partial ones: the record keeps each its own courses, so an improved course counts for one."""
    policy = policy_of(
        "care-twice",
        """
[[steps.mbb1.criteria]]
rule = "any_response"
kind = "care"
kinds = ["physical_therapy"]
duration = "6 weeks"
response = "any"
cite = "1"

[[steps.mbb1.criteria]]
rule = "inadequate"
kind = "care"
kinds = ["physical_therapy"]
duration = "6 weeks"
cite = "2"
""",
    )
    b = EpisodeBuilder("lumbar").care("physical_therapy", "2025-07-01", "2025-10-01", response="improved")
    entry = next_eligible(b.build(), policy, "2026-01-05")["mbb"]
    assert criterion(entry, "any_response").status == "met"
    assert criterion(entry, "inadequate").status == "unmet"
