"""A payer policy as the engine reads it: steps, each a list of criteria.

Loaded from TOML by :mod:`policies`; built here so the engine's types and
the policy's are one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import cast

from attrs import field, frozen
from pendulum import Date

from ._authorization import AuthorizationTerms
from ._events import ProcedureKind, Region
from ._pathway import PROCEDURE_OF_STEP, StepName
from ._rules import Criterion
from ._rules.outcomes import BlockRule
from ._rules.scope import IfPrior


@frozen(kw_only=True)
class Step:
    """A step's criteria; ``includes`` names steps whose criteria it takes first.

    ``ordinal_of``: the step is judged by the criteria of another step, chosen by how many
    procedures of the kinds ``counting`` came before it (the first of ``ordinal_of`` for none
    before, the last for as many as it has and more): "a therapeutic facet injection is judged
    as the facet injection of its ordinal".  Such a step has no criteria of its own.
    """

    criteria: tuple[Criterion, ...] = field(default=(), converter=tuple)
    includes: tuple[StepName, ...] = field(default=(), converter=tuple)
    ordinal_of: tuple[StepName, ...] = field(default=(), converter=tuple)
    counting: tuple[ProcedureKind, ...] = field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        if self.ordinal_of and (self.criteria or self.includes):
            raise ValueError("a step judged by ordinal_of has no criteria or includes of its own")
        if bool(self.ordinal_of) != bool(self.counting):
            raise ValueError("ordinal_of and counting go together")


@frozen(kw_only=True)
class Rule:
    """A criterion as a step applies it: its stable id, and its full citation."""

    id: str
    criterion: Criterion
    citation: str
    #: The criterion's place among the policy's (one per distinct criterion): a plan keeps
    #: each verdict there, so a criterion several steps share is judged once.
    slot: int


@frozen(kw_only=True)
class Policy:
    """A payer policy.  ``citation`` prefixes every section it cites ("Centene CP.MP.171")."""

    id: str
    title: str
    payer: str
    version: str
    effective: Date
    source: str
    citation: str
    regions: tuple[Region, ...] = field(converter=tuple)
    #: What the source says that is not encoded, and why.
    not_encoded: tuple[str, ...] = field(default=(), converter=tuple)
    #: Criteria every step applies (one procedure per visit, say).
    common: tuple[Criterion, ...] = field(default=(), converter=tuple)
    steps: dict[StepName, Step] = field(factory=dict)
    #: How long an approval holds and when a denial's peer-to-peer review is due (``None``: the
    #: policy says nothing of authorization).
    authorization: AuthorizationTerms | None = None
    # Derived once at load: a plan reads these for every episode.
    _rules: dict[str, tuple[Rule, ...]] = field(init=False, repr=False, eq=False)
    _plan_rules: dict[str, tuple[Rule, ...]] = field(init=False, repr=False, eq=False)
    _slots: int = field(init=False, repr=False, eq=False)
    _block_rules: dict[str, tuple[BlockRule, ...]] = field(init=False, repr=False, eq=False)
    _procedures: tuple[ProcedureKind, ...] = field(init=False, repr=False, eq=False)
    _level_rules: dict[str, tuple[Rule, ...]] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        rules = {}
        # Equal criteria in several steps become one object, in one slot: a plan judges each once.
        slots: dict[Criterion, tuple[int, Criterion]] = {}
        for name in self.steps:
            own = self._gather(name, ())
            gathered = own + [c for c in self.common if c not in own]
            rules[name] = _number(gathered, self.cite, slots)
        blocks = {
            name: tuple(r.criterion for r in found if isinstance(r.criterion, BlockRule))
            for name, found in rules.items()
        }
        procedures = tuple(dict.fromkeys(PROCEDURE_OF_STEP[s] for s in self.steps))
        object.__setattr__(self, "_rules", rules)
        object.__setattr__(self, "_slots", len(slots))
        plan_rules = {
            name: tuple(r for r in found if not r.criterion.proposal_only) for name, found in rules.items()
        }
        object.__setattr__(self, "_plan_rules", plan_rules)
        object.__setattr__(self, "_block_rules", blocks)
        object.__setattr__(self, "_procedures", procedures)
        level_rules = {
            name: tuple(r for r in found if _speaks_of_levels(r.criterion)) for name, found in rules.items()
        }
        object.__setattr__(self, "_level_rules", level_rules)
        for name, step in self.steps.items():
            for other in step.ordinal_of:
                if other not in self.steps or self.steps[other].ordinal_of:
                    raise ValueError(
                        f"steps.{name}.ordinal_of: no step {other!r} with criteria in the policy"
                    )

    def _gather(self, name: str, seen: tuple[str, ...]) -> list[Criterion]:
        if name in seen:
            raise ValueError(f"steps.{name}.includes: a cycle ({' -> '.join((*seen, name))})")
        step = self.steps[cast(StepName, name)]
        out: list[Criterion] = []
        for inc in step.includes:
            if inc not in self.steps:
                raise ValueError(f"steps.{name}.includes: no step {inc!r} in the policy")
            out += [c for c in self._gather(inc, (*seen, name)) if c not in out]
        return out + [c for c in step.criteria if c not in out]

    def judged_as(self, step: str, count: Callable[[ProcedureKind], int]) -> str:
        """The step whose criteria judge ``step``: itself, or for a step judged by its ordinal
        (``Step.ordinal_of``), the step of that ordinal, ``count`` giving the procedures of a
        kind before it."""
        own = self.steps.get(cast(StepName, step))
        if own is None or not own.ordinal_of:
            return step
        n = sum(count(k) for k in own.counting)
        return own.ordinal_of[min(n, len(own.ordinal_of) - 1)]

    def level_rules(self, step: str) -> tuple[Rule, ...]:
        """The step's rules that speak of levels (see ``Criterion.allowed_levels``): a plan
        judges them over the levels the record allows."""
        return self._level_rules.get(step, ())

    def rules(self, step: str) -> tuple[Rule, ...] | None:
        """The step's rules, or ``None`` where the policy does not address the step."""
        return self._rules.get(step)

    @property
    def slots(self) -> int:
        """How many distinct criteria the policy has (see ``Rule.slot``)."""
        return self._slots

    def plan_rules(self, step: str) -> tuple[Rule, ...] | None:
        """The step's rules a plan answers (those a proposal alone can answer left out)."""
        return self._plan_rules.get(step)

    @property
    def procedures(self) -> tuple[ProcedureKind, ...]:
        """The procedures the policy addresses, in the order of its steps."""
        return self._procedures

    def block_rules(self, step: str) -> tuple[BlockRule, ...]:
        """The step's rules that judge one block's relief (they close the facet pathway)."""
        return self._block_rules.get(step, ())

    def cite(self, section: str) -> str:
        return f"{self.citation} {section}"


def _speaks_of_levels(c: Criterion) -> bool:
    inner = getattr(c, "criteria", None)
    if isinstance(c, IfPrior) and inner:
        return any(_speaks_of_levels(i) for i in inner)
    cls = type(c)
    return cls.allowed_levels is not Criterion.allowed_levels or cls.level_cap is not Criterion.level_cap


def _number(
    criteria: list[Criterion], cite: Callable[[str], str], slots: dict[Criterion, tuple[int, Criterion]]
) -> tuple[Rule, ...]:
    """Stable ids: the criterion's ``rule``, else its kind, numbered where a kind repeats.

    ``slots`` numbers the policy's distinct criteria; an equal one already there is taken
    in place of the new one.
    """
    names = [c.rule or c.kind for c in criteria]
    counts = Counter(names)
    seen: Counter[str] = Counter()
    out = []
    for name, c in zip(names, criteria, strict=True):
        seen[name] += 1
        rule_id = name if counts[name] == 1 else f"{name}-{seen[name]}"
        slot, one = slots.setdefault(c, (len(slots), c))
        out.append(Rule(id=rule_id, criterion=one, citation=cite(c.cite), slot=slot))
    return tuple(out)


__all__ = ["Policy", "Rule", "Step"]
