"""The planner's view: project() gives the fastest compliant pathway, each date one the
queries accept and not a day earlier."""

from __future__ import annotations

import json
from typing import Any

import pytest
from freezegun import freeze_time
from hypothesis import given, settings
from hypothesis import strategies as st

import policies
from episodes import Episode, dump_episode, evaluate, load_episode, next_eligible, project
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
    assert p.assumed == "90% relief with functional improvement"
    assert p.steps[0].assumed == "90% relief with functional improvement documented on 2026-04-20"
    assert "Centene CP.MP.171" in p.stop
    # a plan a step, one for the day the repeat's sustained relief is documented, one to stop
    assert p.plans == 5


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


def check(ep: Episode, pol: Any, as_of: Any, relief: float = 90) -> int:
    """Each projected step, recorded after the ones before it (with the assumed outcomes): the
    plan on its date says eligible (not needs documentation: a sustained-relief outcome is then
    recorded on that date too), evaluate approves it at the projected levels, and the day before
    it is not eligible, where that day is after ``as_of`` and after the previous step's day (one
    procedure a day). Returns how many steps were checked."""
    p = project(ep, pol, as_of, relief=relief)
    for i, s in enumerate(p.steps):
        work = record(ep, p.as_of, p.steps, i, relief)
        # a sustained-relief rule may want the previous outcome documented on this date
        prev = f"checked-{i - 1}"
        if i:
            work.record({"type": "outcome", "procedure_id": prev, "date": s.date.isoformat(),
                         "relief_percent": relief, "functional_improvement": True})  # fmt: skip
        entry = next_eligible(work, pol, s.date)[s.procedure.value]
        assert (entry.step, entry.status, entry.earliest) == (s.step, "eligible", s.date)
        side = side_of_blocks(work)
        extra = {"approach": "interlaminar"} if s.procedure == "esi" else {}
        decision = evaluate(work, pol, {"procedure": s.procedure.value, "date": s.date.isoformat(),
                                        "levels": list(s.levels), "side": side, **extra})  # fmt: skip
        assert decision.status == "approved", [c.message for c in decision.unmet()]
        free = s.date > p.as_of and (i == 0 or s.date > p.steps[i - 1].date.add(days=1))
        if free or (s.set_by is not None and s.date > p.as_of):
            before = next_eligible(work, pol, s.date.subtract(days=1))[s.procedure.value]
            assert before.status != "eligible", (s.step, str(s.date))
    return len(p.steps)


@pytest.mark.parametrize("policy_id", policies.available())
@settings(max_examples=10)
@given(data=st.data())
def test_every_projected_date_is_one_the_queries_accept(policy_id: str, data: st.DataObject) -> None:
    """For generated episodes and every policy, each projected step is one the queries accept on
    its day and not the day before (``check``)."""
    pol = policies.load(policy_id)
    raw = data.draw(episode_dicts(policy=pol, max_events=20))
    ep = load_episode(raw)
    check(ep, pol, data.draw(as_of_dates(raw)))


def _ready(policy_id: str) -> tuple[Episode, Any]:
    """Each policy's tests' episode ready for a first block, and that day."""
    import test_centene
    import test_cervical_facet
    import test_cms
    import test_cohere
    import test_sample_pa

    mod: Any = {
        "centene-facet": test_centene,
        "cervical-facet-64490": test_cervical_facet,
        "cms-l38773": test_cms,
        "cohere-neck-pain": test_cohere,
        "sample-pa-64493": test_sample_pa,
    }[policy_id]
    return mod.ready().build(), mod.READY


@pytest.mark.parametrize("policy_id", policies.available())
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_projections_of_ready_episodes_are_accepted(policy_id: str, data: st.DataObject) -> None:
    """Generated episodes rarely reach a projected step, so: each policy's ready episode,
    projected from a day around it with an assumed relief either side of the thresholds, passes
    the same ``check``, and the full relief projects at least the first block."""
    pol = policies.load(policy_id)
    ep, ready = _ready(policy_id)
    as_of = ready.add(days=data.draw(st.integers(-20, 60)))
    relief = data.draw(st.sampled_from([100, 90, 80, 79, 75, 74, 50]))
    steps = check(ep, pol, as_of, relief)
    if relief == 100 and as_of >= ready:
        assert steps >= 1


def test_benchmark_bound_on_plans():
    """A projection costs a plan a step and one for the stop, and an extra one where an outcome
    must be documented later (issue 14, point 6): Centene projects 3 steps with 5 plans; the
    others, which cannot take this lumbar history further, stop after the first."""
    asked = {pid: project(example(), policies.load(pid), day("2026-04-10")) for pid in policies.available()}
    assert {pid: (len(p.steps), p.plans) for pid, p in asked.items()} == {
        "centene-facet": (3, 5),
        "cervical-facet-64490": (0, 1),
        "cms-l38773": (0, 1),
        "cohere-neck-pain": (0, 1),
        "sample-pa-64493": (0, 1),
    }


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
                for e in json.loads(dump_episode(raw))["events"]
            ],
        }
    )  # fmt: skip
    assert [s.date for s in project(renamed, CENTENE, "2026-04-10").steps] == [
        s.date for s in project(raw, CENTENE, "2026-04-10").steps
    ]


def test_the_epidural_track_follows_the_policys_cap(tmp_path: Any) -> None:
    """Cohere caps epidurals at 3 in a rolling 6 months: three are projected (Aug 1, Aug 22 after
    the 3-week interval, Nov 22 after 3 months of sustained relief); the same policy with a cap of
    2 projects two."""
    from importlib import resources

    import test_cohere

    ep = test_cohere.esi_ready().build()
    shots = [
        s for s in project(ep, policies.load("cohere-neck-pain"), "2025-08-01").steps if s.procedure == "esi"
    ]
    assert [str(s.date) for s in shots] == ["2025-08-01", "2025-08-22", "2025-11-22"]
    text = resources.files("policies").joinpath("cohere-neck-pain.toml").read_text()
    capped = 'max = 3\nwindow = "6 months"'
    assert capped in text
    path = tmp_path / "cohere-two.toml"
    path.write_text(text.replace(capped, 'max = 2\nwindow = "6 months"'))
    two = project(ep, policies.load_file(path), "2025-08-01").steps
    assert [str(s.date) for s in two if s.procedure == "esi"] == ["2025-08-01", "2025-08-22"]
    # the cap written by step, not by procedure, binds the same
    by_step = tmp_path / "cohere-two-by-step.toml"
    by_step.write_text(
        path.read_text().replace(
            'of = { procedures = ["esi"] }\nmax = 2', 'of = { steps = ["esi"] }\nmax = 2'
        )
    )
    assert 'of = { steps = ["esi"] }' in by_step.read_text()
    two = project(ep, policies.load_file(by_step), "2025-08-01").steps
    assert [str(s.date) for s in two if s.procedure == "esi"] == ["2025-08-01", "2025-08-22"]
