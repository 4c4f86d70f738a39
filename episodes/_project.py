"""The planner's view: the fastest compliant pathway ahead, with the date of each step.

``project`` asks the queries themselves, step by step, on a copy of the episode: the plan on
a day gives the next step's earliest date; the step is recorded there, with an outcome of the
assumed relief, and the plan is asked again from the day after.  So a projected date is one
``next_eligible`` says ``eligible`` and ``evaluate`` approves, by construction (and by a
property test).  A projection costs a plan (and one or two proposals) a step.
"""

from __future__ import annotations

from datetime import date
from itertools import count

from attrs import frozen
from pendulum import Date

from ._episode import Episode, build_record
from ._events import Approach, Authorization, Imaging, Outcome, Procedure, ProcedureKind, Side
from ._pathway import step_for
from ._policy import Policy
from ._query import REGION_LEVELS, DecisionStatus, Eligibility, Status, evaluate, next_eligible
from ._rules._base import BLOCKS
from ._rules.timing import Cap
from ._time import day_after, query_day

#: How many epidural injections a projection takes at most where the policy sets no cap.
ESI_AHEAD = 3
#: A projection never takes more steps than this (blocks, ablations, injections).
_MOST_STEPS = 8


@frozen
class ProjectedStep:
    """One step ahead: its earliest compliant day, until when, at which levels, and why then."""

    procedure: ProcedureKind
    step: str
    date: Date
    until: Date | None
    levels: tuple[str, ...]
    #: The rule whose ``resolves_on`` fixes the date (``None``: nothing but the day before).
    set_by: str | None
    #: What was assumed to get here, in words.
    assumed: str


@frozen
class Projection:
    """The fastest compliant pathway from the record on ``as_of``, and why it ends."""

    as_of: Date
    policy: str
    steps: tuple[ProjectedStep, ...]
    #: Why the pathway ends, with the rule and its citation.
    stop: str
    #: The pathway's state where the projection ends (``facet_negative``: a block's assumed
    #: relief failed the next step's relief rule).
    state: str = ""
    #: How many plans the projection asked (its cost).
    plans: int = 0
    #: The outcome assumed of each projected procedure, in words ("90% relief with functional
    #: improvement"); each step says the day it is documented.
    assumed: str = ""


def project(
    episode: Episode,
    policy: Policy,
    as_of: date | str | None = None,
    *,
    relief: float = 90,
    functional_improvement: bool = True,
) -> Projection:
    """The fastest compliant pathway ahead of ``episode`` under ``policy`` from ``as_of``.

    Each projected procedure is assumed to have an outcome of ``relief`` percent (and
    ``functional_improvement``) documented on its day, and again on the day a sustained-relief
    rule needs it.  The episode itself is not changed.
    """
    on = query_day(as_of)
    assumed = f"{relief:g}% relief" + (" with functional improvement" if functional_improvement else "")
    work = Episode(episode.patient_id, episode.region).record([e for e in episode.events if e.when <= on])
    steps: list[ProjectedStep] = []
    plans = 0
    day = on
    esi = 0
    esi_ahead = _esi_cap(policy)
    stop = ""
    done: set[str] = set()  # each repeatable step is projected once
    fixed: str | None = None  # the rule that fixed the date, seen before documenting outcomes
    state = ""
    taken = {e.id for e in work.events if isinstance(e, Procedure | Authorization)}
    ours: set[str] = set()  # the ids of the projected procedures (never one of the record's)
    while len(steps) < _MOST_STEPS:
        plan = next_eligible(work, policy, day)
        plans += 1
        state = plan.state.value
        facet, blocked = _facet_entry(plan.entries, done)
        chosen = facet
        shot = plan.entries.get(ProcedureKind.ESI.value)
        if (
            shot is not None
            and esi < esi_ahead
            and _open(shot)
            and (
                chosen is None or shot.earliest < chosen.earliest  # type: ignore[operator]
            )
        ):
            chosen = shot
        if chosen is None:
            stop = _why_stop(blocked, shot if esi < esi_ahead else None, policy)
            if state == "facet_negative":
                stop = f"the facet pathway closes (facet_negative) at {relief:g}% relief: {stop}"
            break
        assert chosen.earliest is not None
        if chosen.status is Status.NEEDS_DOCUMENTATION:
            # Outcomes of projected procedures are documented on the day the timing allows (a
            # sustained-relief rule); anything else only a person can supply.
            latest = next((p for p in reversed(work.events) if type(p) is Procedure), None)
            if latest is None or latest.id not in ours or chosen.earliest <= day:
                stop = _needs(chosen, policy)
                break
            work.record(_outcome_of(latest.id, chosen.earliest, relief, functional_improvement))
            fixed = _set_by(chosen, chosen.earliest)
            day = chosen.earliest
            continue
        when = chosen.earliest
        levels, side = _place(work, policy, chosen, when)
        if levels is None:
            stop = f"no levels at which {chosen.step} would be approved on {when} ({policy.citation})"
            break
        pid = next(f"projected-{n}" for n in count(1) if f"projected-{n}" not in taken)
        taken.add(pid)
        ours.add(pid)
        approach = Approach.INTERLAMINAR if chosen.procedure is ProcedureKind.ESI else None
        work.record(Procedure(pid, chosen.procedure, when, levels, side, approach))
        work.record(_outcome_of(pid, when, relief, functional_improvement))
        steps.append(
            ProjectedStep(
                procedure=chosen.procedure,
                step=chosen.step,
                date=when,
                until=chosen.until,
                levels=levels,
                set_by=_set_by(chosen, when) or (fixed if when == day else None),
                assumed=f"{assumed} documented on {when}",
            )
        )
        if chosen.procedure is ProcedureKind.ESI:
            esi += 1
        else:
            done.add(chosen.step)
        fixed = None
        day = day_after(when)
    else:
        stop = f"projected {_MOST_STEPS} steps ahead; ask again after them"
    return Projection(on, policy.id, tuple(steps), stop, state, plans, assumed)


_ESI_STEP = step_for(ProcedureKind.ESI, 0)


def _esi_cap(policy: Policy) -> int:
    """How many injections to project: the policy's cap on epidurals in its rolling window
    (Cohere: fewer than 3 in 6 months), else ``ESI_AHEAD``."""
    caps = [
        int(r.criterion.max)
        for r in policy.rules(ProcedureKind.ESI.value) or ()
        if isinstance(r.criterion, Cap)
        and (ProcedureKind.ESI in r.criterion.of.procedures or _ESI_STEP in r.criterion.of.steps)
    ]
    return min(caps, default=ESI_AHEAD)


def _facet_entry(
    entries: dict[str, Eligibility], done: set[str]
) -> tuple[Eligibility | None, Eligibility | None]:
    """The facet step that moves the pathway on (the ablation where it can be had, else a
    diagnostic block), and, where there is none, the entry that says why."""
    rfa, mbb = entries.get(ProcedureKind.RFA.value), entries.get(ProcedureKind.MBB.value)
    for entry in (rfa, mbb):
        if entry is not None and _open(entry) and entry.step not in done:
            return entry, None
    # Why none: the blocks' entry while the pathway still wants blocks, else the ablation's.
    wants_blocks = mbb is not None and mbb.step in ("mbb1", "mbb2") and mbb.step not in done
    if wants_blocks:
        return None, mbb
    if rfa is not None and rfa.step not in done:
        return None, rfa
    return None, None


def _open(entry: Eligibility) -> bool:
    """Time alone (or the outcomes the projection documents) will bring it; not a third block."""
    return (
        entry.status is not Status.BLOCKED and entry.earliest is not None and entry.step != "mbb_subsequent"
    )


def _why_stop(facet: Eligibility | None, shot: Eligibility | None, policy: Policy) -> str:
    """Why the pathway ends: the facet step that cannot be had (or the epidural's), in the
    policy's words and section."""
    for entry in (facet, shot):
        if entry is None:
            continue
        if entry.status is Status.NEEDS_DOCUMENTATION:
            return _needs(entry, policy)
        reason = entry.reason()
        if reason is not None:
            return f"{entry.step}: {reason.message} [{reason.citation}]"
    return (
        "the facet pathway is projected through its last step of each kind (a further repeat "
        f"comes under the same rules) ({policy.citation})"
    )


def _needs(entry: Eligibility, policy: Policy) -> str:
    missing = [c for c in entry.unmet() if c.status == "unknown"]
    words = "; ".join(f"{c.rule}: {c.message} [{c.citation}]" for c in missing[:3])
    return f"{entry.step} needs what only a person can supply: {words or policy.citation}"


def _set_by(entry: Eligibility, when: Date) -> str | None:
    return next((c.rule for c in entry.criteria if c.resolves_on == when), None)


def _outcome_of(pid: str, when: Date, relief: float, fi: bool) -> Outcome:
    """The assumed outcome of a projected procedure."""
    return Outcome(pid, when, relief, fi)


def _place(
    work: Episode, policy: Policy, entry: Eligibility, when: Date
) -> tuple[tuple[str, ...] | None, Side]:
    """Levels and side at which ``evaluate`` approves the step on ``when``: the plan's levels
    where it names them, else those of the latest block, of imaging, or one level at a time."""
    record = build_record(work, when)
    block = BLOCKS.latest(record)
    side = block.side if block is not None else Side.BILATERAL
    tries: list[tuple[str, ...]] = []
    if entry.levels:
        tries.append(entry.levels[:1] if entry.procedure is ProcedureKind.ESI else entry.levels)
    if block is not None:
        tries.append(block.levels)
    tries += [study.levels[:1] for study in record.of(Imaging) if study.levels]
    tries += [(lv,) for lv in REGION_LEVELS[work.region]]
    for levels in dict.fromkeys(tries):
        proposal = {"procedure": entry.procedure.value, "date": when.isoformat(), "levels": list(levels)}
        proposal["side"] = side.value
        if entry.procedure is ProcedureKind.ESI:
            proposal["approach"] = Approach.INTERLAMINAR.value
        if evaluate(work, policy, proposal).status is DecisionStatus.APPROVED:
            return tuple(levels), side
    return None, side
