"""Properties of the queries, stated as tests, run against every bundled policy.

The episodes come from :mod:`episodes.testing.strategies`: realistic records,
many of them ready for a block, with dates on month ends and Feb 29.  The
policies are those bundled when the tests are collected, so a new policy file
is checked as soon as it is added.
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Collection, Mapping
from typing import Any

import pytest
from freezegun import freeze_time
from hypothesis import assume, given
from hypothesis import strategies as st
from pendulum import Date

import policies
from episodes import (
    Condition,
    ConditionKind,
    CriterionStatus,
    Decision,
    DecisionStatus,
    DuplicateEventId,
    Episode,
    Outcome,
    Plan,
    Procedure,
    State,
    Status,
    audit,
    dump_episode,
    evaluate,
    load_episode,
    next_eligible,
)
from episodes._rules.proposal import LevelCount
from episodes.testing import EpisodeBuilder, day, proposal
from episodes.testing.strategies import (
    REGION_LEVELS,
    as_of_dates,
    episode_dicts,
    episodes,
    proposals,
)

POLICY_IDS = policies.available()
each_policy = pytest.mark.parametrize("policy_id", POLICY_IDS)

#: The steps of a procedure by how many of its kind came before (shared contract, Steps).
STEPS = {"mbb": ("mbb1", "mbb2", "mbb_subsequent"), "rfa": ("rfa", "repeat_rfa")}

#: How bad each status is: the plan's status is the worst of its criteria's.
WORST = (Status.ELIGIBLE, Status.WAITING, Status.NEEDS_DOCUMENTATION, Status.BLOCKED)


@functools.cache
def policy(policy_id: str) -> policies.Policy:
    """A bundled policy, loaded once."""
    return policies.load(policy_id)


@st.composite
def cases(draw: st.DrawFn, policy_id: str) -> tuple[dict[str, Any], Date]:
    """An episode dict made for the policy, and a date to plan on around its events."""
    raw = draw(episode_dicts(policy=policy(policy_id)))
    return raw, draw(as_of_dates(raw))


def when(event: Mapping[str, Any]) -> str:
    """A wire-format event's date (its start, for care and conditions)."""
    return str(event.get("date") or event["start"])


def cut(raw: Mapping[str, Any], as_of: Date) -> Episode:
    """The episode as it stood on ``as_of``: only the events dated on or before it."""
    on = as_of.isoformat()
    return load_episode({**raw, "events": [e for e in raw["events"] if when(e) <= on]})


def criterion_status(status: CriterionStatus, resolves_on: Date | None) -> Status:
    """What one criterion makes of a plan entry on its own."""
    if status is CriterionStatus.MET:
        return Status.ELIGIBLE
    if status is CriterionStatus.UNKNOWN:
        return Status.NEEDS_DOCUMENTATION
    return Status.BLOCKED if resolves_on is None else Status.WAITING


Place = tuple[tuple[str, ...], str]


def covers(done: str, wanted: str) -> bool:
    """Whether a procedure done on side ``done`` covers side ``wanted``."""
    return done in ("bilateral", wanted)


def shared_places(blocks: list[Procedure]) -> list[Place]:
    """The levels two blocks have in common, at each side both cover."""
    out = []
    for a, b in itertools.combinations(blocks, 2):
        common = tuple(lv for lv in a.levels if lv in b.levels)
        for side in ("bilateral", "left", "right"):
            if common and covers(a.side.value, side) and covers(b.side.value, side):
                out.append((common, side))
    return out


def leveled(ep: Episode, on: Date | None = None, kinds: Collection[ConditionKind] = ()) -> set[str]:
    """The levels of the conditions recorded at levels (active on ``on`` and of ``kinds``,
    if given)."""
    return {
        lv
        for c in ep.events
        if type(c) is Condition
        and c.levels
        and (on is None or c.active_on(on))
        and (not kinds or c.condition in kinds)
        for lv in c.levels
    }


def candidates(
    ep: Episode, pol: policies.Policy, kind: str, step: str, levels: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Where a scheduler would propose the next ``kind``: levels and side, without a date.

    Where the plan names levels (``levels``), there, at each side: the plan says some set of
    levels would be approved, and names it.  Otherwise (any level will do):

    At the levels and side of each diagnostic block, and at the levels two blocks
    share (an ablation treats what both positive blocks covered); beyond the facet
    pathway, also at those of each earlier procedure of the kind and at each single
    level.  A first block, which no earlier block locates, at each single level of
    the region, bilateral.  Each is also tried without the levels a condition is
    recorded at (a fused level, say), and cut to the step's level cap
    (``level_count``): a scheduler proposes neither.
    """
    if levels:
        return [
            {"procedure": kind, "levels": list(levels), "side": side}
            for side in ("bilateral", "left", "right")
        ]
    done = [e for e in ep.events if type(e) is Procedure]
    blocks = [p for p in done if p.procedure.value == "mbb"]
    places = [(p.levels, p.side.value) for p in blocks] + shared_places(blocks)
    if kind != "mbb":
        places += [(p.levels, p.side.value) for p in done if p.procedure.value == kind]
    if kind not in ("mbb", "rfa") or not places:
        places += [((lv,), "bilateral") for lv in REGION_LEVELS[ep.region]]
    avoid = leveled(ep)
    places += [
        (kept, side) for levels, side in places if (kept := tuple(lv for lv in levels if lv not in avoid))
    ]
    caps = [r.criterion.max for r in pol.rules(step) or () if isinstance(r.criterion, LevelCount)]
    cap = min(caps, default=None)
    unique = dict.fromkeys((levels[:cap], side) for levels, side in places)
    return [{"procedure": kind, "levels": list(levels), "side": side} for levels, side in unique]


def decide_at(ep: Episode, pol: policies.Policy, places: list[dict[str, Any]], on: Date) -> list[Decision]:
    """The decisions of proposals at each of ``places`` on ``on``; the approved ones first."""
    decisions = [evaluate(ep, pol, {**place, "date": on.isoformat()}) for place in places]
    return sorted(decisions, key=lambda d: d.status is not DecisionStatus.APPROVED)


def describe(decision: Decision) -> str:
    """A decision in a line: its status, date and the criteria not met."""
    return f"{decision.status} on {decision.date}: " + "; ".join(
        f"{c.rule}: {c.status} ({c.message})" for c in decision.unmet()
    )


# -- (a) the two queries agree ---------------------------------------------------------------


#: What evaluate() on earliest may give where the plan says each status: approved where
#: every criterion holds by then; not denied where documentation is missing (the timing
#: allows it, and by then time alone may have settled what was undocumented).
ON_EARLIEST = {
    Status.ELIGIBLE: {DecisionStatus.APPROVED},
    Status.WAITING: {DecisionStatus.APPROVED},
    Status.NEEDS_DOCUMENTATION: {DecisionStatus.APPROVED, DecisionStatus.PENDED},
}
#: And what a plan asked on earliest may say.
PLAN_ON_EARLIEST = {
    Status.ELIGIBLE: {Status.ELIGIBLE},
    Status.WAITING: {Status.ELIGIBLE},
    Status.NEEDS_DOCUMENTATION: {Status.ELIGIBLE, Status.NEEDS_DOCUMENTATION},
}


def as_planned(
    ep: Episode, pol: policies.Policy, places: list[dict[str, Any]], want: set[Any], on: Date
) -> bool:
    """Whether a proposal at one of ``places`` on ``on`` is decided as ``want`` says."""
    return any(d.status in want for d in decide_at(ep, pol, places, on))


def check_agreement(pol: policies.Policy, raw: dict[str, Any], as_of: Date) -> None:
    """That the plan on ``as_of`` and evaluate() agree (:func:`test_plan_and_evaluate_agree`)."""
    ep = cut(raw, as_of)
    plan = next_eligible(ep, pol, as_of)
    for kind, entry in plan.entries.items():
        if entry.earliest is None:
            continue
        places = candidates(ep, pol, kind, entry.step, entry.levels)
        want = ON_EARLIEST[entry.status]
        assert as_planned(ep, pol, places, want, entry.earliest), (
            f"{kind}: plan {entry.status} on {as_of}, "
            f"{describe(decide_at(ep, pol, places, entry.earliest)[0])}"
        )
        again = next_eligible(ep, pol, entry.earliest)[kind]
        assert (again.earliest, again.status in PLAN_ON_EARLIEST[entry.status]) == (entry.earliest, True)
        if entry.earliest > as_of:
            before = decide_at(ep, pol, places, entry.earliest.subtract(days=1))
            assert before[0].status is not DecisionStatus.APPROVED, describe(before[0])
        if entry.until is not None:
            assert as_planned(ep, pol, places, want, entry.until), entry.until
            after = decide_at(ep, pol, places, entry.until.add(days=1))
            assert all(d.status is DecisionStatus.DENIED for d in after), describe(after[0])


@each_policy
@given(data=st.data())
def test_plan_and_evaluate_agree(policy_id: str, data: st.DataObject) -> None:
    """Where the plan says a procedure is eligible or waiting with earliest E, a proposal
    of it on E (at the levels of the diagnostic blocks) is approved; where it says
    needs_documentation, such a proposal is not denied (the timing allows it).  The day
    before E (when E is after as_of) no such proposal is approved; a plan asked on E
    says eligible (or, where documentation was missing, still needs_documentation),
    with earliest E; and where a recency rule closes the window on U (until), a
    proposal on U is decided as on E, and every proposal the day after U is denied.

    Where the plan names levels, the proposals are at those levels (at some side); where
    it names none, any level will do, and they are where a scheduler would put them.
    The episode is cut at as_of: evaluate() reads the events up to its date, and
    events after as_of did not exist when the plan was asked.
    """
    raw, as_of = data.draw(cases(policy_id))
    check_agreement(policy(policy_id), raw, as_of)


def ready_centene() -> EpisodeBuilder:
    """A lumbar patient ready for a first block under centene-facet from 2026-04-01."""
    b = EpisodeBuilder("lumbar").onset("2026-01-01").diagnosis("M47.816", "2026-01-01")
    for care in ("physical_therapy", "nsaid", "activity_modification"):
        b.care(care, "2026-01-01", "2026-03-01")
    b.exam("2026-02-01", facet_signs=True, radicular_signs=False, adl_impairment=True)
    return b.imaging("2026-02-01", "mri", ["facet_arthropathy"], ["L4-L5"])


def test_plan_and_evaluate_agree_on_a_day_with_a_procedure() -> None:
    """An ESI done on 2026-05-04: the plan on that day says mbb is eligible, earliest
    2026-05-04; a block proposed that day must then be approved."""
    b = ready_centene()
    b.procedure("esi", "2026-05-04", ["L4-L5"])
    ep, on = b.build(), day("2026-05-04")
    entry = next_eligible(ep, policy("centene-facet"), on)["mbb"]
    decision = evaluate(ep, policy("centene-facet"), proposal("mbb", on, ["L4-L5"]))
    assert (entry.status, entry.earliest) != (Status.ELIGIBLE, on) or decision.status is (
        DecisionStatus.APPROVED
    ), describe(decision)


def test_plan_and_evaluate_agree_on_blocks_at_opposite_sides() -> None:
    """A left block, then a right one, both at L4-L5 with 90% relief: the plan on
    2026-06-01 says rfa is eligible; an ablation at L4-L5, on some side, must then be
    approved."""
    b = ready_centene()
    for pid, when, side in (("b1", "2026-04-06", "left"), ("b2", "2026-04-20", "right")):
        b.procedure("mbb", when, ["L4-L5"], side, id=pid)
        b.outcome(pid, when, 90, True)
    ep, on = b.build(), day("2026-06-01")
    entry = next_eligible(ep, policy("centene-facet"), on)["rfa"]
    decisions = [
        evaluate(ep, policy("centene-facet"), proposal("rfa", on, ["L4-L5"], side))
        for side in ("bilateral", "left", "right")
    ]
    assert (entry.status, entry.earliest) != (Status.ELIGIBLE, on) or any(
        d.status is DecisionStatus.APPROVED for d in decisions
    ), describe(decisions[0])


def test_plan_and_evaluate_agree_on_a_fused_level() -> None:
    """Under cohere-neck-pain, an MRI shows facet arthropathy at C5-C6 only, and C5-C6
    is fused: where the plan on 2026-05-01 says mbb is eligible, a first block at some level
    must be approved (it is blocked: no level passes both rules)."""
    b = EpisodeBuilder("cervical").onset("2026-01-01").diagnosis("M54.2", "2026-01-01")
    b.care("physical_therapy", "2026-01-01", "2026-04-15").care("nsaid", "2026-01-01", "2026-04-15")
    b.imaging("2026-02-01", "mri", ["facet_arthropathy"], ["C5-C6"])
    b.condition("prior_fusion", "2025-06-01", levels=["C5-C6"])
    ep, on, pol = b.build(), day("2026-05-01"), policy("cohere-neck-pain")
    entry = next_eligible(ep, pol, on)["mbb"]
    decisions = [evaluate(ep, pol, proposal("mbb", on, [lv])) for lv in REGION_LEVELS[ep.region]]
    assert (entry.status, entry.earliest) != (Status.ELIGIBLE, on) or any(
        d.status is DecisionStatus.APPROVED for d in decisions
    ), [describe(d) for d in decisions]
    assert not any(d.status is DecisionStatus.APPROVED for d in decisions)
    assert (entry.status, [c.rule for c in entry.unmet()]) == (Status.BLOCKED, ["levels"])


# -- (b) events after as_of are ignored --------------------------------------------------------


@each_policy
@given(data=st.data())
def test_later_events_are_ignored(policy_id: str, data: st.DataObject) -> None:
    """A plan on as_of is the same whether or not the episode holds events dated after it."""
    pol = policy(policy_id)
    raw, as_of = data.draw(cases(policy_id))
    assert next_eligible(load_episode(raw), pol, as_of) == next_eligible(cut(raw, as_of), pol, as_of)


@each_policy
@given(data=st.data())
def test_a_held_episode_answers_as_a_fresh_one(policy_id: str, data: st.DataObject) -> None:
    """An episode asked again and again (it keeps its latest record cut) answers each plan,
    proposal and audit as a freshly loaded copy does, at any dates in any order, and
    again after ``record()`` adds to it."""
    pol = policy(policy_id)
    raw = data.draw(episode_dicts(policy=pol))
    split = data.draw(st.integers(1, len(raw["events"])))
    first = {**raw, "events": raw["events"][:split]}
    held = load_episode(first)
    for part in (first, raw):
        if part is raw:
            held.record(raw["events"][split:])
        for as_of in data.draw(st.lists(as_of_dates(part), min_size=1, max_size=3)):
            asked = data.draw(proposals(held.region, as_of))
            assert next_eligible(held, pol, as_of) == next_eligible(load_episode(part), pol, as_of)
            assert evaluate(held, pol, asked) == evaluate(load_episode(part), pol, asked)
        assert audit(held, pol) == audit(load_episode(part), pol)


@each_policy
@given(data=st.data())
def test_as_of_none_is_today(policy_id: str, data: st.DataObject) -> None:
    """With the clock frozen on as_of, a plan for today (as_of None) is the plan on as_of."""
    pol = policy(policy_id)
    raw, as_of = data.draw(cases(policy_id))
    ep = load_episode(raw)
    with freeze_time(as_of.isoformat()):
        today = next_eligible(ep, pol)
    assert today == next_eligible(ep, pol, as_of)


# -- (c) the wire format loses nothing ------------------------------------------------------------


@given(raw=episode_dicts())
def test_round_trip(raw: dict[str, Any]) -> None:
    """Loading what was dumped gives the same events, and dumping it again the same text."""
    ep = load_episode(raw)
    text = dump_episode(ep)
    again = load_episode(text)
    assert again.events == ep.events
    assert (again.patient_id, again.region) == (ep.patient_id, ep.region)
    assert dump_episode(again) == text


@given(raw=episode_dicts(), data=st.data())
def test_round_trip_keeps_empty_lists(raw: dict[str, Any], data: st.DataObject) -> None:
    """Empty lists survive too: an imaging study or a condition with levels [] (none) comes back
    with [] (not null, which says 'not documented'), a study with no findings comes back so."""
    events = raw["events"]
    for event in events:
        if event["type"] in ("imaging", "condition") and data.draw(st.booleans()):
            event["levels"] = []
        if event["type"] == "imaging" and data.draw(st.booleans()):
            event["findings"] = []
    ep = load_episode(raw)
    again = load_episode(dump_episode(ep))
    assert again.events == ep.events
    for before, after in zip(ep.events, again.events, strict=True):
        if before.type in ("imaging", "condition"):
            assert (before.levels == ()) is (after.levels == ())  # type: ignore[union-attr]


# -- (d) more of the contract ----------------------------------------------------------------------


@each_policy
@given(data=st.data())
def test_plan_entries_are_consistent(policy_id: str, data: st.DataObject) -> None:
    """Each entry's status is the worst its criteria make of it (blocked over
    needs_documentation over waiting over eligible); earliest is None exactly when
    blocked, as_of when eligible, after it when waiting, and the latest date a
    criterion resolves on; until, where given, is not before earliest."""
    pol = policy(policy_id)
    raw, as_of = data.draw(cases(policy_id))
    plan = next_eligible(load_episode(raw), pol, as_of)
    assert (plan.as_of, plan.policy) == (as_of, pol.id)
    for kind, entry in plan.entries.items():
        assert entry.procedure.value == kind
        worst = max((criterion_status(c.status, c.resolves_on) for c in entry.criteria), key=WORST.index)
        assert entry.status is worst, kind
        assert (entry.earliest is None) == (entry.status is Status.BLOCKED), kind
        for c in entry.criteria:
            assert c.status is not CriterionStatus.MET or c.resolves_on is None, c
            assert c.resolves_on is None or c.resolves_on > as_of, c
        if entry.earliest is None:
            continue
        pending = [c.resolves_on for c in entry.criteria if c.resolves_on is not None]
        assert entry.earliest == max([as_of, *pending]), kind
        if entry.status is Status.ELIGIBLE:
            assert entry.earliest == as_of
        if entry.status is Status.WAITING:
            assert entry.earliest > as_of
        assert entry.until is None or entry.until >= entry.earliest, kind


def expected_state(plan: Plan, ep: Episode) -> set[State]:
    """The states the counts of blocks and ablations up to as_of allow."""
    done = [e for e in ep.events if type(e) is Procedure and e.date <= plan.as_of]
    blocks = sum(p.procedure.value == "mbb" for p in done)
    ablations = sum(p.procedure.value == "rfa" for p in done)
    if ablations:
        return {State.RFA if ablations == 1 else State.REPEAT_RFA}
    if blocks == 0:
        return {State.CONSERVATIVE_CARE}
    return {State.MBB1 if blocks == 1 else State.MBB2, State.FACET_NEGATIVE}


@each_policy
@given(data=st.data())
def test_state_and_steps_follow_the_record(policy_id: str, data: st.DataObject) -> None:
    """The pathway state follows the blocks and ablations done by as_of; the pathway
    closes only on a latest block with documented relief; the plan has an entry for
    each procedure the policy addresses, in its order, each the next step of it (a
    step the policy does not cover included, blocked)."""
    pol = policy(policy_id)
    raw, as_of = data.draw(cases(policy_id))
    ep = load_episode(raw)
    plan = next_eligible(ep, pol, as_of)
    assert plan.state in expected_state(plan, ep)
    done = [e for e in ep.events if type(e) is Procedure and e.date <= as_of]
    if plan.state is State.FACET_NEGATIVE:
        block = [p for p in done if p.procedure.value == "mbb"][-1]
        outcomes = [e for e in ep.events if type(e) is Outcome and e.procedure_id == block.id]
        assert any(o.date <= as_of for o in outcomes)
    assert list(plan.entries) == [k.value for k in pol.procedures]
    for kind, entry in plan.entries.items():
        n = sum(p.procedure.value == kind for p in done)
        steps = STEPS.get(kind, (kind,))
        assert entry.step == steps[min(n, len(steps) - 1)]


@given(raw=episode_dicts(), rnd=st.randoms(use_true_random=False))
def test_record_order_does_not_matter(raw: dict[str, Any], rnd: random.Random) -> None:
    """Recording the same events in any order, same-day events kept in their order,
    gives the same events in the same order."""
    events = raw["events"]
    days = sorted({when(e) for e in events})
    shuffled = rnd.sample(range(len(events)), len(events))
    # the shuffled positions each day's events take, filled in that day's recorded order
    by_day = {d: iter([e for e in events if when(e) == d]) for d in days}
    order = [next(by_day[when(events[i])]) for i in shuffled]
    assert load_episode({**raw, "events": order}).events == load_episode(raw).events


@given(raw=episode_dicts())
def test_duplicate_id_changes_nothing(raw: dict[str, Any]) -> None:
    """Recording a procedure whose id is taken raises DuplicateEventId and changes nothing."""
    ep = load_episode(raw)
    taken = [e for e in raw["events"] if e["type"] == "procedure"]
    assume(taken)
    before, version = ep.events, ep.version
    extra = {"type": "exam", "date": taken[0]["date"], "nrs": 5}
    with pytest.raises(DuplicateEventId):
        ep.record(extra, {**taken[-1], "date": taken[0]["date"]})
    assert (ep.events, ep.version) == (before, version)


@each_policy
@given(data=st.data())
def test_audit_judges_each_procedure(policy_id: str, data: st.DataObject) -> None:
    """The audit gives one decision per recorded procedure, in order, each at the step
    the procedures of its kind before it make, and the one evaluate() gives for that
    procedure; a decision is approved when every criterion is met, denied when one is
    unmet, pended otherwise; a procedure the policy does not address at all is
    not_addressed, with the one criterion saying so."""
    pol = policy(policy_id)
    ep = data.draw(episodes(policy=pol))
    done = [e for e in ep.events if type(e) is Procedure]
    findings = audit(ep, pol)
    assert [(d.procedure_id, d.date, d.procedure) for d in findings] == [
        (p.id, p.date, p.procedure) for p in done
    ]
    for i, (p, decision) in enumerate(zip(done, findings, strict=True)):
        n = sum(q.procedure is p.procedure for q in done[:i])
        steps = STEPS.get(p.procedure.value, (p.procedure.value,))
        assert decision.step == steps[min(n, len(steps) - 1)]
        assert evaluate(ep, pol, p) == decision
        statuses = {c.status for c in decision.criteria}
        if pol.rules(decision.step) is None and p.procedure.value not in ("mbb", "rfa"):
            assert decision.status is DecisionStatus.NOT_ADDRESSED
            assert [c.rule for c in decision.criteria] == ["not_addressed"]
        elif CriterionStatus.UNMET in statuses:
            assert decision.status is DecisionStatus.DENIED
        elif CriterionStatus.UNKNOWN in statuses:
            assert decision.status is DecisionStatus.PENDED
        else:
            assert decision.status is DecisionStatus.APPROVED
