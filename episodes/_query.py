"""The three questions: what is next and when (``next_eligible``), may this be
done (``evaluate``), was what was done within the policy (``audit``)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

from attrs import field, frozen
from pendulum import Date

from ._audit import AuditCuts
from ._authorization import AuthorizationResult, AuthorizationState, Filed, standing
from ._codes import CodeLine, Intent, approach_of, lines, problems
from ._codes import kind_of as kind_of_codes
from ._episode import Episode, build_record
from ._errors import HIDDEN, InvalidEvent, kind_of
from ._events import LEVELS, Authorization, Procedure, ProcedureKind, Region, Side, region_of
from ._pathway import BLOCK_LEVEL_STEPS, FACET_PROCEDURES, JUDGED_BY, Move, State, replay, step_for
from ._policy import Policy, Rule
from ._record import Record
from ._rules import CriterionStatus, Ctx, Verdict
from ._rules._base import _MET, _UNKNOWN, _UNMET, BLOCKS, Levels
from ._time import query_day
from ._wire import structure_event

#: The levels of each region, head to tail.
REGION_LEVELS: dict[Region, tuple[str, ...]] = {
    r: tuple(lv for lv in LEVELS if region_of(lv) is r) for r in Region
}


class Status(enum.StrEnum):
    """A plan entry's status; the worst criterion wins, in this order."""

    BLOCKED = "blocked"
    NEEDS_DOCUMENTATION = "needs_documentation"
    WAITING = "waiting"
    ELIGIBLE = "eligible"


class DecisionStatus(enum.StrEnum):
    APPROVED = "approved"
    PENDED = "pended"
    DENIED = "denied"
    #: The policy has no rule for the procedure at all (an epidural under a facet-only policy):
    #: it neither allows nor forbids it.
    NOT_ADDRESSED = "not_addressed"


@frozen
class CriterionResult:
    """One criterion of a step, judged: ``rule`` is a stable id, ``citation`` the
    policy and section, ``text`` the policy's own words where the file gives them."""

    rule: str
    status: CriterionStatus
    message: str
    citation: str
    resolves_on: Date | None = None
    until: Date | None = None
    text: str | None = None


class QueryVerdicts:
    """One query's context, and by slot (see ``Rule.slot``) the verdicts given and the results
    made, so a criterion several steps share is judged once and its result (message and all)
    made once.  Filled in as the query (and later reads of its criteria) judge."""

    __slots__ = ("ctx", "made", "seen")

    def __init__(self, ctx: Ctx, slots: int) -> None:
        self.ctx = ctx
        self.seen: list[Verdict | None] = [None] * slots
        self.made: list[CriterionResult | None] = [None] * slots

    def verdict(self, rule: Rule) -> Verdict:
        v = self.seen[rule.slot]
        if v is None:
            v = self.seen[rule.slot] = rule.criterion.check(self.ctx)
        return v

    def result(self, rule: Rule, v: Verdict) -> CriterionResult:
        made = self.made[rule.slot]
        if made is None or made.rule != rule.id:  # one criterion may go by two ids in two steps
            made = self.made[rule.slot] = CriterionResult(
                rule.id, v.status, v.message, rule.citation, v.resolves_on, v.until, rule.criterion.text
            )
        return made


class LazyCriteria:
    """A step's criteria, judged as far as the query needed: each rule beside its verdict, and
    ``extra``, results of the engine's own (a window that shuts before it opens, a step not
    covered).

    A query stops judging at the first criterion that settles the answer whatever the rest say
    (an unmet one that time does not resolve); the others are judged, through the query's
    :class:`QueryVerdicts`, when the criteria are read.  The results are made on the first call
    of :meth:`results` and kept (the one change after construction); what made them is let go.
    """

    __slots__ = ("_made", "extra", "query", "rules", "verdicts")

    def __init__(
        self,
        rules: tuple[Rule, ...],
        verdicts: tuple[Verdict, ...],
        extra: tuple[CriterionResult, ...] = (),
        query: QueryVerdicts | Callable[[], QueryVerdicts] | None = None,
    ) -> None:
        self.rules, self.verdicts, self.extra = rules, verdicts, extra
        #: The query, or (an audit's) how to make it again when the criteria are read.
        self.query = query
        self._made: tuple[CriterionResult, ...] | None = None

    def _query(self) -> QueryVerdicts | None:
        query = self.query
        if query is not None and not isinstance(query, QueryVerdicts):
            query = self.query = query()
        return query

    def results(self) -> tuple[CriterionResult, ...]:
        made = self._made
        if made is None:
            made = self._made = self._make()
            # Made: the verdicts (their message functions) and the query's record can go.
            self.verdicts, self.query = (), None
        return made

    def _make(self) -> tuple[CriterionResult, ...]:
        query = self._query()
        if query is None:
            return self.extra
        result, verdict = query.result, query.verdict
        given = self.verdicts
        made = [result(r, given[i] if i < len(given) else verdict(r)) for i, r in enumerate(self.rules)]
        return (*made, *self.extra)

    def first(self, settles: bool) -> CriterionResult | None:
        """The first criterion not met (with ``settles``, the first unmet that time does not
        resolve), its result made alone: those after it are neither judged nor worded."""
        query = self._query()
        if query is None:  # made already, or only the engine's own
            return next((c for c in self.results() if _explains(c.status, c.resolves_on, settles)), None)
        given = self.verdicts
        for i, r in enumerate(self.rules):
            v = given[i] if i < len(given) else query.verdict(r)
            if _explains(v.status, v.resolves_on, settles):
                return query.result(r, v)
        return next((c for c in self.extra if _explains(c.status, c.resolves_on, settles)), None)

    def __reduce__(self) -> tuple[type[LazyCriteria], tuple[object, ...]]:
        # Pickled (to another process, say) as the results themselves: a message function
        # is a closure, and closures do not pickle.
        return LazyCriteria, ((), (), self.results())


def _explains(status: CriterionStatus, resolves_on: Date | None, settles: bool) -> bool:
    if status is _MET:
        return False
    return not settles or (status is _UNMET and resolves_on is None)


class WithCriteria:
    """What a plan entry and a decision share: their criteria, made on first read."""

    __slots__ = ()
    _lazy: LazyCriteria

    @property
    def criteria(self) -> tuple[CriterionResult, ...]:
        """Every criterion of the step, with its message, in the policy's order."""
        return self._lazy.results()

    def unmet(self) -> tuple[CriterionResult, ...]:
        """The criteria not met (unmet or unknown): the reasons, in the policy's order."""
        return tuple(c for c in self.criteria if c.status is not CriterionStatus.MET)


def _results(judged: LazyCriteria) -> tuple[CriterionResult, ...]:
    return judged.results()


def _results_repr(judged: LazyCriteria) -> str:
    return repr(judged.results())


@frozen
class Eligibility(WithCriteria):
    """Whether the next procedure of a kind may be done, when, and until when.

    ``criteria`` (every criterion of the step, with its message) is made on
    first read: a scheduler reading only statuses and dates pays for no words,
    nor for the criteria after one that blocks the step (judged on that read).
    """

    procedure: ProcedureKind
    step: str
    status: Status
    earliest: Date | None
    until: Date | None
    _lazy: LazyCriteria = field(alias="lazy", eq=_results, repr=_results_repr)
    #: The levels at which the step is eligible or waiting (for ``mbb2`` and ``rfa``, of the
    #: diagnostic blocks); empty where any level of the region will do.
    levels: tuple[str, ...] = ()
    #: The code lines to request for the step at ``levels`` (any level: one, without a side).
    codes: tuple[CodeLine, ...] = ()
    #: Where prior authorization stands (``None``: the policy says nothing of it).
    authorization: AuthorizationResult | None = None

    def reason(self) -> CriterionResult | None:
        """The criterion that explains the status, made alone (its message, no other's).

        ``blocked``: the one that blocks the step (the first unmet that time does not
        resolve, or the engine's ``window`` or ``not_covered``), not an earlier one that
        only waits; ``waiting`` and ``needs_documentation``: the first not met, in the
        policy's order; ``eligible``: none.
        """
        if self.status is Status.ELIGIBLE:
            return None
        return self._lazy.first(settles=self.status is Status.BLOCKED)


@frozen
class Plan:
    """The next step of each procedure a policy addresses, on ``as_of``."""

    as_of: Date
    policy: str
    state: State
    entries: dict[str, Eligibility]

    def __getitem__(self, procedure: str) -> Eligibility:
        return self.entries[procedure]

    def __contains__(self, procedure: object) -> bool:
        return procedure in self.entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


@frozen
class Decision(WithCriteria):
    """A proposed (or, in an audit, a recorded) procedure, judged; ``criteria`` made on first read."""

    procedure: ProcedureKind
    step: str
    date: Date
    status: DecisionStatus
    _lazy: LazyCriteria = field(alias="lazy", eq=_results, repr=_results_repr)
    procedure_id: str | None = None
    levels: tuple[str, ...] = ()
    side: Side | None = None
    #: The code lines to request (or, in an audit, that bill it as Medicare bills it).
    codes: tuple[CodeLine, ...] = ()
    #: Where prior authorization stands on the date (``None``: the policy says nothing of it).
    authorization: AuthorizationResult | None = None
    #: In an audit, where the procedure's recorded ``codes`` disagree with its levels, side,
    #: region or kind (each naming the code).
    code_findings: tuple[str, ...] = ()


def next_eligible(episode: Episode, policy: Policy, as_of: date | str | None = None) -> Plan:
    """For each procedure the policy addresses: is its next step eligible on ``as_of``
    (today when ``None``), from when, until when, and if not, why."""
    on = query_day(as_of)
    record = build_record(episode, on)
    query = QueryVerdicts(Ctx(record, on), policy.slots)
    entries: dict[str, Eligibility] = {}
    # A plan reads only what stood on as_of (a later decision is no part of it).
    authorizations = Filed(record.of(Authorization)) if policy.authorization is not None else _NONE
    # The side the entries' code lines take: the latest diagnostic block's.
    block = BLOCKS.latest(record)
    side = block.side if block is not None else None
    for kind in policy.procedures:
        step = step_for(kind, record.count(kind))
        ruling = policy.judged_as(step, record.count)
        rules = policy.plan_rules(ruling)
        if rules is None:
            if kind in FACET_PROCEDURES:
                uncovered = LazyCriteria((), (), (_uncovered(policy, step),))
                entries[kind.value] = Eligibility(
                    procedure=kind,
                    step=step,
                    status=Status.BLOCKED,
                    earliest=None,
                    until=None,
                    lazy=uncovered,
                    codes=_plan_codes(record.region, kind, (), None),
                    authorization=_standing(authorizations, policy, kind, (), on),
                )
            continue
        status, earliest, until, judged, levels = _plan_step(rules, query, policy.level_rules(ruling), ruling)
        auth = _standing(authorizations, policy, kind, levels, on)
        if (
            auth is not None
            and auth.status is AuthorizationState.APPROVED
            and auth.valid_through is not None
            and status is not Status.BLOCKED
            and (until is None or auth.valid_through < until)
        ):
            until = auth.valid_through  # an approval bounds the window
        entries[kind.value] = Eligibility(
            procedure=kind,
            step=step,
            status=status,
            earliest=earliest,
            until=until,
            lazy=judged,
            levels=levels,
            codes=_plan_codes(record.region, kind, levels, side),
            authorization=auth,
        )
    return Plan(on, policy.id, pathway_state(record, policy), entries)


def evaluate(episode: Episode, policy: Policy, proposal: Procedure | Mapping[str, Any]) -> Decision:
    """Whether a proposed procedure meets the policy on its date.

    A proposal that is a recorded procedure of the episode (by id) is judged as
    the audit judges it: against what stood before it.
    """
    p = _proposal(episode, proposal)
    events = episode.events
    recorded = next((e for e in events if type(e) is Procedure and e.id == p.id), None)
    if recorded is not None and recorded == p:
        same_day = tuple(e for e in events if type(e) is Procedure and e.date == p.date and e is not recorded)
        before = build_record(episode, p.date, audited=recorded)
        query = QueryVerdicts(Ctx(before, p.date, recorded, same_day), policy.slots)
        return _decide(policy, recorded, query, audited=True, authorizations=_authorizations(episode, policy))
    record = build_record(episode, p.date)
    same = tuple(e for e in record.procedures if e.date == p.date)
    query = QueryVerdicts(Ctx(record, p.date, p, same), policy.slots)
    return _decide(policy, p, query, audited=False, authorizations=_authorizations(episode, policy))


def audit(episode: Episode, policy: Policy) -> tuple[Decision, ...]:
    """A decision for each recorded procedure, judged against what stood before it."""
    cuts = AuditCuts(episode.events)
    found = _authorizations(episode, policy)
    decisions = []
    for k, p in enumerate(cuts.procedures):
        again = _AuditQuery(cuts, k, episode.region, policy.slots)
        decisions.append(_decide(policy, p, again(), audited=True, authorizations=found, again=again))
    return tuple(decisions)


class _AuditQuery:
    """The query judging an audit's ``k``-th procedure against what stood before it, made
    anew each call.  An audit's decision keeps this, not the query it was judged with: the
    query holds a record, verdicts and their message functions, some 30 objects the garbage
    collector walks for every decision an audit holds (for 5,000 procedures, more time than
    the audit).  Criteria read later are judged again, to the same verdicts."""

    __slots__ = ("cuts", "k", "region", "slots")

    def __init__(self, cuts: AuditCuts, k: int, region: Region, slots: int) -> None:
        self.cuts, self.k, self.region, self.slots = cuts, k, region, slots

    def __call__(self) -> QueryVerdicts:
        cuts, k = self.cuts, self.k
        p = cuts.procedures[k]
        record = Record(self.region, p.date, cuts.before(k))
        return QueryVerdicts(Ctx(record, p.date, p, cuts.same_day(k)), self.slots)


def pathway_state(record: Record, policy: Policy) -> State:
    """The state of the facet pathway, replayed through the machine.

    The machine's guard on a block's moves (``RELIEF_FAILS``) is whether that block's
    documented relief fails a relief rule of the next facet step; only the latest block's can
    leave the pathway closed, so only it is judged, and only where the history ends with it.
    """
    moves = tuple(record.moves)  # a tuple already, but for an audit's cut
    if not moves or moves[-1] is not Move.BLOCK:
        return replay(moves)
    block = BLOCKS.latest(record)
    assert block is not None  # the latest move is a block's
    closes = any(
        block in rule.of.select(record) and rule.judge(record, block) is CriterionStatus.UNMET
        for rule in policy.block_rules(JUDGED_BY[record.steps[block.id]])
    )
    return replay(moves, closes)


def _decide(
    policy: Policy,
    p: Procedure,
    query: QueryVerdicts,
    *,
    audited: bool,
    authorizations: Filed,
    again: Callable[[], QueryVerdicts] | None = None,
) -> Decision:
    """A procedure judged on its day by ``query`` (against the record, for a recorded
    procedure what stood before it, and the episode's other procedures of that day);
    ``authorizations``: the episode's, every one (a proposal before an approval is told so);
    ``again``: how to make the query again when the criteria are read (the decision keeps
    that, not the query)."""
    record = query.ctx.record
    step = step_for(p.procedure, record.count(p.procedure))
    rules = policy.rules(policy.judged_as(step, record.count))
    if rules is None and p.procedure not in FACET_PROCEDURES:
        judged = LazyCriteria((), (), (_not_addressed(policy, p.procedure),))
        status = DecisionStatus.NOT_ADDRESSED
    elif rules is None:
        judged = LazyCriteria((), (), (_uncovered(policy, step),))
        status = DecisionStatus.DENIED
    else:
        status = DecisionStatus.APPROVED
        verdicts: list[Verdict] = []
        for rule in rules:
            v = query.verdict(rule)
            verdicts.append(v)
            if v.status is _UNMET:  # denied whatever the rest say: they are judged when read
                status = DecisionStatus.DENIED
                break
            if v.status is _UNKNOWN:
                status = DecisionStatus.PENDED
        judged = (
            LazyCriteria(rules, (), (), again) if again else LazyCriteria(rules, tuple(verdicts), (), query)
        )
    findings: tuple[str, ...] = ()
    if audited and p.codes:
        findings = tuple(map(str, problems(p.codes, record.region, len(p.levels), p.side, p.procedure)))
    return Decision(
        procedure=p.procedure,
        step=step,
        date=p.date,
        status=status,
        lazy=judged,
        procedure_id=p.id if audited else None,
        levels=p.levels,
        side=p.side,
        codes=lines(p.procedure, record.region, len(p.levels), p.side, p.approach),
        authorization=_standing(authorizations, policy, p.procedure, p.levels, p.date),
        code_findings=findings,
    )


def _plan_codes(
    region: Region, kind: ProcedureKind, levels: tuple[str, ...], side: Side | None
) -> tuple[CodeLine, ...]:
    """The lines a plan entry requests: at its levels, on ``side`` (that of the latest
    diagnostic block); where any level will do, one level without a side."""
    if not levels:
        return lines(kind, region, 0, None)
    return lines(kind, region, len(levels), side)


def _authorizations(episode: Episode, policy: Policy) -> Filed:
    """The episode's authorizations, where the policy says anything of them."""
    if policy.authorization is None:
        return _NONE
    return Filed(e for e in episode.events if type(e) is Authorization)


_NONE = Filed(())


def _standing(
    found: Filed,
    policy: Policy,
    kind: ProcedureKind,
    levels: tuple[str, ...],
    on: Date,
) -> AuthorizationResult | None:
    terms = policy.authorization
    if terms is None:
        return None
    return standing(found, terms, kind, levels, on, policy.citation)


def _not_addressed(policy: Policy, kind: ProcedureKind) -> CriterionResult:
    return CriterionResult(
        "not_addressed",
        CriterionStatus.UNKNOWN,
        f"the policy does not address {kind}: it neither allows nor forbids it",
        policy.citation,
    )


def _uncovered(policy: Policy, step: str) -> CriterionResult:
    return CriterionResult(
        "not_covered",
        CriterionStatus.UNMET,
        f"the policy has no rule for {step}: not covered",
        policy.citation,
    )


def _plan_step(
    rules: tuple[Rule, ...], query: QueryVerdicts, level_rules: tuple[Rule, ...] = (), step: str = ""
) -> tuple[Status, Date | None, Date | None, LazyCriteria, tuple[str, ...]]:
    """A step's status, earliest, until, criteria and levels on the query's date, judging its
    ``rules`` in order up to the first that blocks it; then, where the step is not blocked, its
    ``level_rules`` over the levels the record allows on ``earliest`` (no level left: a criterion
    of the engine's own, as is one for a window that shuts before it opens)."""
    seen, ctx = query.seen, query.ctx
    on = ctx.on
    earliest, until, closing = on, None, -1
    waiting = documenting = False
    verdicts: list[Verdict] = []
    for i, rule in enumerate(rules):
        v = seen[rule.slot]  # query.verdict(rule), without the call: the plan's hot loop
        if v is None:
            v = seen[rule.slot] = rule.criterion.check(ctx)
        verdicts.append(v)
        if v.status is not _MET:
            if v.resolves_on is None:
                if v.status is _UNMET:  # blocked whatever the rest say: they are judged when read
                    return Status.BLOCKED, None, None, LazyCriteria(rules, tuple(verdicts), (), query), ()
            elif v.resolves_on > earliest:
                earliest = v.resolves_on
            waiting = True
            documenting = documenting or v.status is _UNKNOWN
        if v.until is not None and (until is None or v.until < until):
            until, closing = v.until, i
    levels: tuple[str, ...] = ()
    extra: tuple[CriterionResult, ...] = ()
    if level_rules or step in BLOCK_LEVEL_STEPS:
        levels, no_level = _levels_on(level_rules, ctx if earliest == on else Ctx(ctx.record, earliest), step)
        if no_level is not None:
            extra = (no_level,)
            if no_level.resolves_on is None:
                return Status.BLOCKED, None, None, LazyCriteria(rules, tuple(verdicts), extra, query), ()
            earliest, waiting = no_level.resolves_on, True
            levels, _ = _levels_on(level_rules, Ctx(ctx.record, earliest), step)
    if until is not None and earliest > until:
        first = rules[closing]
        shut = CriterionResult(
            "window",
            CriterionStatus.UNMET,
            f"{first.id} holds only through {until}, before the timing allows on {earliest}",
            first.citation,
        )
        return Status.BLOCKED, None, None, LazyCriteria(rules, tuple(verdicts), (*extra, shut), query), ()
    judged = LazyCriteria(rules, tuple(verdicts), extra, query)
    if documenting:
        return Status.NEEDS_DOCUMENTATION, earliest, until, judged, levels
    if waiting:
        return Status.WAITING, earliest, until, judged, levels
    return Status.ELIGIBLE, earliest, until, judged, levels


def _levels_on(
    level_rules: tuple[Rule, ...], ctx: Ctx, step: str
) -> tuple[tuple[str, ...], CriterionResult | None]:
    """The levels (head to tail, as many as the step's level cap allows) that every rule of
    ``level_rules`` allows on ``ctx.on``: empty where any level will do.  Where none is left, a
    criterion saying why: unmet, resolving on the day the levels ruled out for a time are free
    (if that leaves some), else never."""
    only: frozenset[str] | None = None
    without: set[str] = set()
    found: list[tuple[Rule, Levels]] = []
    cap: int | None = None
    for rule in level_rules:
        c = rule.criterion
        n = c.level_cap()
        if n is not None and (cap is None or n < cap):
            cap = n
        allowed = c.allowed_levels(ctx)
        if allowed is None:
            continue
        found.append((rule, allowed))
        if allowed.only is not None:
            only = allowed.only if only is None else only & allowed.only
        without.update(allowed.without)
    record = ctx.record
    if only is None and step in BLOCK_LEVEL_STEPS:
        block = BLOCKS.latest(record)
        if block is not None:
            only = frozenset(block.levels)
    if only is None and not without:
        return (), None
    left = [lv for lv in REGION_LEVELS[record.region] if (only is None or lv in only) and lv not in without]
    if left:
        return tuple(left[:cap] if cap is not None else left), None
    frees = [a.frees for _, a in found if a.without]
    resolves = None
    if frees and None not in frees:
        later = max(d for d in frees if d is not None)
        if _levels_on(level_rules, Ctx(record, later), step)[1] is None:
            resolves = later

    def told() -> str:
        said = "; ".join(f"{rule.id}: {allowed.message}" for rule, allowed in found)
        return f"on {ctx.on} no set of levels passes every rule on levels: {said}"

    citations = "; ".join(dict.fromkeys(rule.citation for rule, _ in found))
    return (), CriterionResult("levels", CriterionStatus.UNMET, told(), citations, resolves)


def _proposal(episode: Episode, proposal: Procedure | Mapping[str, Any]) -> Procedure:
    if isinstance(proposal, Mapping):
        raw = {"type": "procedure", "id": "proposal", **proposal}
        _from_codes(raw)
        p = structure_event(raw, 0)
        if type(p) is not Procedure:
            raise InvalidEvent(0, "type", raw.get("type"), "a proposal must be a procedure")
    elif type(proposal) is Procedure:
        p = proposal
    else:
        raise InvalidEvent(
            0, None, HIDDEN, f"a proposal must be a procedure or its JSON object, got {kind_of(proposal)}"
        )
    for j, level in enumerate(p.levels):
        if region_of(level) is not episode.region:
            raise InvalidEvent(0, f"levels[{j}]", level, f"level is not {episode.region.value}")
    if p.codes:
        found = problems(p.codes, episode.region, len(p.levels), p.side, p.procedure)
        if found:
            raise InvalidEvent(0, found[0].field, found[0].value[:80], found[0].reason)
    return p


def _from_codes(raw: dict[str, Any]) -> None:
    """A proposal given as ``codes`` (and ``intent``): its ``procedure`` (and ESI ``approach``)
    from the codes, in place; ``intent`` taken out (it is no field of a procedure)."""
    intent = raw.pop("intent", None)
    codes = raw.get("codes")
    if intent is not None and intent not in set(Intent):
        raise InvalidEvent(0, "intent", str(intent)[:80], "expected 'diagnostic' or 'therapeutic'")
    if codes is None:
        if intent is not None:
            raise InvalidEvent(0, "intent", intent, "an intent goes with codes")
        return
    if not isinstance(codes, list | tuple) or not codes or not all(isinstance(c, str) for c in codes):
        raise InvalidEvent(
            0, "codes", str(codes)[:80], "expected a list of CPT/HCPCS codes such as ['64493']"
        )
    named = kind_of_codes(codes, intent)
    if raw.get("procedure") is None:
        if named is None:
            raise InvalidEvent(
                0, "codes", ", ".join(codes)[:80], "the codes name no one procedure: give 'procedure' too"
            )
        raw["procedure"] = named.value
    elif intent is not None and named is not None and named.value != raw["procedure"]:
        raise InvalidEvent(0, "intent", intent, f"the codes with this intent name {named}, not the procedure")
    approach = approach_of(codes)
    if raw.get("approach") is None and approach is not None:
        raw["approach"] = approach.value
