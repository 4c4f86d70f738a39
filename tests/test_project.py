"""The planner's view: project() gives the fastest compliant pathway, each date one the
queries accept and not a day earlier."""

from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

import policies
from episodes import Episode, evaluate, load_episode, next_eligible, project
from episodes.testing import day
from episodes.testing.strategies import as_of_dates, episode_dicts

EXAMPLE = "docs/examples/lumbar-facet.json"
CENTENE = policies.load("centene-facet")


def example() -> Episode:
    with open(EXAMPLE) as f:
        return load_episode(f.read())


def test_centene_pathway_from_the_example():
    """After a first block on Apr 6 (85%): the second block on Apr 20 (the 2 weeks, I.A.1), the
    ablation the day after, the repeat ablation 6 months after it (II.B.1); then the stop."""
    p = project(example(), CENTENE, "2026-04-10")
    assert [(s.step, str(s.date), s.set_by) for s in p.steps] == [
        ("mbb2", "2026-04-20", "interval"),
        ("rfa", "2026-04-21", None),
        ("repeat_rfa", "2026-10-21", "interval"),
    ]
    assert p.steps[0].levels == ("L4-L5", "L5-S1")
    assert p.steps[0].assumed == "90% relief with functional improvement documented on 2026-04-20"
    assert "Centene CP.MP.171" in p.stop
    assert p.plans <= 20


@pytest.mark.parametrize(("relief", "steps", "state"), [(74, 1, "facet_negative"), (75, 3, "repeat_rfa")])
def test_a_relief_below_the_threshold_closes_the_pathway(relief, steps, state):
    """Centene wants at least 75%: assumed 74%, the second block closes the pathway
    (facet_negative) and the stop says so; 75% goes on to the ablations."""
    p = project(example(), CENTENE, "2026-04-10", relief=relief)
    assert (len(p.steps), p.state) == (steps, state)
    if state == "facet_negative":
        assert p.stop.startswith("the facet pathway closes (facet_negative) at 74% relief")
        assert "II.A.2" in p.stop


def test_the_episode_is_not_changed_and_today_is_the_default():
    """project() works on a copy; as_of None reads today (freezegun moves it)."""
    ep = example()
    before = ep.events
    with freeze_time("2026-04-10"):
        today = project(ep, CENTENE)
    assert ep.events == before
    assert today == project(ep, CENTENE, "2026-04-10")


def test_a_stop_names_what_only_a_person_can_supply():
    """Under cms-l38773 the example lacks the disability scale: nothing is projected, and the
    stop names the documentation and its section."""
    p = project(example(), policies.load("cms-l38773"), "2026-04-10")
    assert p.steps == ()
    assert "disability_scale" in p.stop
    assert "CMS LCD L38773" in p.stop


def side_of_blocks(work: Episode) -> str:
    """The side of the latest block, where a projected step is placed."""
    blocks = [e for e in work.events if e.type == "procedure" and e.procedure == "mbb"]  # type: ignore[union-attr]
    return blocks[-1].side.value if blocks else "bilateral"  # type: ignore[union-attr]


def record(ep: Episode, as_of: Any, steps: Any, upto: int, relief: float) -> Episode:
    """The episode as of ``as_of`` with the first ``upto`` projected steps recorded, each with
    its outcome."""
    work = Episode(ep.patient_id, ep.region).record([e for e in ep.events if e.when <= as_of])
    for i, s in enumerate(steps[:upto]):
        pid = f"checked-{i}"
        extra = {"approach": "interlaminar"} if s.procedure == "esi" else {}
        when = s.date.isoformat()
        work.record({"type": "procedure", "id": pid, "procedure": s.procedure.value, "date": when,
                     "levels": list(s.levels), "side": side_of_blocks(work), **extra})  # fmt: skip
        work.record({"type": "outcome", "procedure_id": pid, "date": when, "relief_percent": relief,
                     "functional_improvement": True})  # fmt: skip
    return work


@pytest.mark.parametrize("policy_id", policies.available())
@settings(max_examples=10)
@given(data=st.data())
def test_every_projected_date_is_one_the_queries_accept(policy_id: str, data: st.DataObject) -> None:
    """For generated episodes and every policy: recording the projected steps before each one,
    the plan on its date says eligible (not needs documentation: a sustained-relief outcome is
    then recorded on that date too) and evaluate approves it at the projected levels; where a
    rule fixes the date (set_by), the plan the day before does not say eligible.  (Where none
    does, the day before is the previous step's day: one procedure a day.)"""
    pol = policies.load(policy_id)
    raw = data.draw(episode_dicts(policy=pol, max_events=20))
    ep = load_episode(raw)
    as_of = data.draw(as_of_dates(raw))
    p = project(ep, pol, as_of)
    for i, s in enumerate(p.steps):
        work = record(ep, p.as_of, p.steps, i, 90)
        # a sustained-relief rule may want the previous outcome documented on this date
        prev = f"checked-{i - 1}"
        if i:
            work.record({"type": "outcome", "procedure_id": prev, "date": s.date.isoformat(),
                         "relief_percent": 90, "functional_improvement": True})  # fmt: skip
        entry = next_eligible(work, pol, s.date)[s.procedure.value]
        assert (entry.step, entry.status, entry.earliest) == (s.step, "eligible", s.date)
        side = side_of_blocks(work)
        extra = {"approach": "interlaminar"} if s.procedure == "esi" else {}
        decision = evaluate(work, pol, {"procedure": s.procedure.value, "date": s.date.isoformat(),
                                        "levels": list(s.levels), "side": side, **extra})  # fmt: skip
        assert decision.status == "approved", [c.message for c in decision.unmet()]
        if s.set_by is not None and s.date > p.as_of:  # a rule fixes the date: not the day before
            before = next_eligible(work, pol, s.date.subtract(days=1))[s.procedure.value]
            assert before.status != "eligible", (s.step, str(s.date))


def test_benchmark_bound_on_plans():
    """A projection costs a plan a step and one for the stop, and an extra one where an outcome
    must be documented later: at most about 20 (issue 14, point 6)."""
    for pid in policies.available():
        assert project(example(), policies.load(pid), day("2026-04-10")).plans <= 20


def test_a_recorded_id_like_a_projected_one_is_left_alone():
    """An episode whose own procedure is called 'projected-1' projects as another would."""
    raw = example()
    renamed = load_episode(
        {
            "patient_id": "p",
            "region": "lumbar",
            "events": [
                {**e, "id": "projected-1"} if e["type"] == "procedure" else
                ({**e, "procedure_id": "projected-1"} if e["type"] == "outcome" else e)
                for e in __import__("json").loads(__import__("episodes").dump_episode(raw))["events"]
            ],
        }
    )  # fmt: skip
    assert [s.date for s in project(renamed, CENTENE, "2026-04-10").steps] == [
        s.date for s in project(raw, CENTENE, "2026-04-10").steps
    ]
