"""What every criterion kind shares: the verdict it gives and what it reads.

A criterion kind is an attrs class: its fields are what a policy file sets
(numbers, comparisons, which procedures), and :meth:`Criterion.check` reads
the record and gives a :class:`Verdict`.  The engine holds no policy's
numbers; the policy files hold no code.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence, Sized
from functools import cached_property, lru_cache
from typing import Any, ClassVar, NamedTuple, TypeVar

from attrs import Attribute, field, frozen
from pendulum import Date

from .._events import Procedure, ProcedureKind, Side
from .._pathway import StepName
from .._record import Counts, Record
from .._time import Duration, day_after

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class CriterionStatus(enum.StrEnum):
    MET = "met"
    UNMET = "unmet"
    UNKNOWN = "unknown"


#: A message, or a function that makes it.  Checks pass functions: a message is
#: made only when someone reads it, so a plan read for its statuses and dates
#: (a clinic's whole list, a payer's population) costs no formatting.
Say = str | Callable[[], str]


class Verdict(NamedTuple):
    """One criterion's answer on a date.

    ``resolves_on``: where time alone decides, the first date it holds (for
    ``unknown``, the date the timing allows once the record is complete).
    ``until``: where a recency rule closes it, the last date it holds.
    A named tuple, not an attrs class: a plan makes dozens, and nothing keeps
    them but the plan's entries.
    """

    status: CriterionStatus
    say: Say
    resolves_on: Date | None = None
    until: Date | None = None

    @property
    def message(self) -> str:
        say = self.say
        return say if isinstance(say, str) else say()


_verdict = tuple.__new__  # Verdict(...) without the keyword handling: the checks' hot path
_MET, _UNMET, _UNKNOWN = CriterionStatus.MET, CriterionStatus.UNMET, CriterionStatus.UNKNOWN


def met(message: Say, until: Date | None = None) -> Verdict:
    return _verdict(Verdict, (_MET, message, None, until))


def unmet(message: Say, resolves_on: Date | None = None, until: Date | None = None) -> Verdict:
    return _verdict(Verdict, (_UNMET, message, resolves_on, until))


def unknown(message: Say, resolves_on: Date | None = None) -> Verdict:
    return _verdict(Verdict, (_UNKNOWN, message, resolves_on, None))


class Compare(enum.StrEnum):
    """A policy's comparison, kept as written: 80 is not "more than 80"."""

    AT_LEAST = "at_least"
    MORE_THAN = "more_than"

    def holds(self, value: float, threshold: float) -> bool:
        return value >= threshold if self is Compare.AT_LEAST else value > threshold

    def after(self, d: Date, length: Duration) -> Date:
        """The first date that is ``length`` (at least, or more than) after ``d``."""
        edge = length.after(d)
        return edge if self is Compare.AT_LEAST else day_after(edge)

    @property
    def words(self) -> str:
        return "at least" if self is Compare.AT_LEAST else "more than"


def non_empty(_: object, a: Attribute[Sized], value: Sized) -> None:
    """An attrs validator: a list a policy file must not leave empty (nothing would be read)."""
    if len(value) == 0:
        raise ValueError(f"{a.name} is empty: list at least one")


def non_empty_groups(_: object, a: Attribute[Any], value: tuple[Sized, ...]) -> None:
    """Each group of a list of groups names at least one."""
    if any(len(g) == 0 for g in value):
        raise ValueError(f"{a.name} has an empty group: list at least one in each")


def _kinds(values: Iterable[ProcedureKind | str]) -> tuple[ProcedureKind, ...]:
    return tuple(ProcedureKind(v) for v in values)


@frozen(cache_hash=True)
class Of:
    """Which procedures a criterion looks at: by kind, by step, or both (either matches)."""

    procedures: tuple[ProcedureKind, ...] = field(default=(), converter=_kinds)
    steps: tuple[StepName, ...] = field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        if not self.procedures and not self.steps:
            raise ValueError("of names no procedure and no step: list at least one")

    @cached_property
    def key(self) -> str:
        """Names what it picks, for the cut that keeps its picks."""
        return f"of {','.join(self.procedures)} {','.join(self.steps)}"

    def picks(self, p: Procedure, steps: Mapping[str, str]) -> bool:
        return p.procedure in self.procedures or steps[p.id] in self.steps

    def select(self, record: Record) -> Sequence[Procedure]:
        """The procedures on record this selects, in date order (worked out once a cut)."""
        return record.cut.select(self)

    def latest(self, record: Record) -> Procedure | None:
        chosen = self.select(record)
        return chosen[-1] if chosen else None

    def days(self, record: Record, on: Date, within: Duration | None = None) -> Sequence[Date]:
        """The days of the procedures this selects, each once, in order; with ``within``, only
        those days within it before ``on`` (an earlier day on X counts while ``on < X +
        within``)."""
        days = record.cut.days(self)
        return days if within is None else within.counting(days, on, _itself)

    def tally(self, record: Record, name: Hashable, counts: Counts[K]) -> Mapping[K, int]:
        """What the procedures this selects add up to (:meth:`Cut.tally`): the keys ``counts``
        gives for each, with its outcomes on record, counted; ``name`` names ``counts``."""
        return record.cut.tally(self, name, counts)

    def __str__(self) -> str:
        return " or ".join([*self.procedures, *self.steps]) or "procedure"


def _itself(d: Date) -> Date:
    return d


#: The diagnostic blocks: what most relief rules read, and whose latest sets a plan's levels
#: and side.
BLOCKS = Of(procedures=(ProcedureKind.MBB,))


class Levels(NamedTuple):
    """The levels a level rule allows in a plan (which has no levels of its own).

    ``only``: the levels it allows (``None``: any level of the region); ``without``: levels
    it rules out; ``side``: the side a proposal at them must take, where it matters;
    ``frees``: where a ruled-out level is ruled out for a time (a condition with an end),
    the day all of them are free again; ``say``: what limits them, in words.
    """

    only: frozenset[str] | None
    without: frozenset[str]
    say: Say
    side: Side | None = None
    frees: Date | None = None

    @property
    def message(self) -> str:
        say = self.say
        return say if isinstance(say, str) else say()


@frozen
class Ctx:
    """What a check reads: the record, the date, and the proposal if there is one."""

    record: Record
    on: Date
    proposal: Procedure | None = None
    #: Other procedures of the episode on the proposal's day (one procedure per visit).
    same_day: Sequence[Procedure] = ()


@frozen(kw_only=True)
class Criterion:
    """Fields every criterion has in a policy file.

    ``cite``: the section of the source it comes from.  ``text``: the policy's
    own words, shown beside the engine's message.  ``rule``: a stable id (by
    default the kind, numbered where a step has more than one of a kind).
    """

    kind: ClassVar[str]
    #: ``True`` for kinds that only a proposal can answer (levels, side, same day).
    proposal_only: ClassVar[bool] = False

    cite: str
    text: str | None = None
    rule: str | None = None

    def check(self, ctx: Ctx) -> Verdict:
        raise NotImplementedError

    def allowed_levels(self, ctx: Ctx) -> Levels | None:
        """In a plan: the levels the record lets this rule approve on ``ctx.on`` (``None``: it
        says nothing of levels).  A plan is eligible only at levels every rule allows."""
        return None

    def level_cap(self) -> int | None:
        """The most levels a proposal may name under this rule (``None``: no limit)."""
        return None

    def describe(self) -> str:
        """The rule in a few words, for ``episodes policies`` and the comparison page."""
        raise NotImplementedError


def judge_each(criteria: Iterable[Criterion], ctx: Ctx) -> list[Verdict]:
    """The verdicts of nested criteria (``any_of``, ``if_prior``); a plan skips the proposal-only."""
    return [c.check(ctx) for c in criteria if not (c.proposal_only and ctx.proposal is None)]


#: How many of a history's items a message lists: the latest; the earlier are counted.
LISTED = 6


def latest(items: Sequence[T], say: Callable[[T], str], join: Callable[[list[str]], str] = "; ".join) -> str:
    """The latest ``LISTED`` of ``items`` in words, joined, the earlier ones counted: a message
    stays short however long the history ("3 earlier, then d; e; f; g; h; i")."""
    shown = join([say(x) for x in items[-LISTED:]])
    hidden = len(items) - LISTED
    return f"{hidden} earlier, then {shown}" if hidden > 0 else shown


def fmt_days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def fmt_pct(x: float) -> str:
    return f"{x:g}%"


def listing(values: Sequence[str], joiner: str = "or") -> str:
    """``a, b or c``.  A tuple's listing is kept: most are a criterion's own (its kinds, say)."""
    return _listed(values, joiner) if type(values) is tuple else _listing(list(values), joiner)


def _listing(values: Sequence[str], joiner: str) -> str:
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} {joiner} {values[-1]}"


_listed = lru_cache(maxsize=1024)(_listing)
