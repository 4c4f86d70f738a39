"""Criteria of scope and logic: the region, what is not covered, either-or, applies-if."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from attrs import field, frozen
from pendulum import Date

from .._events import Region
from .._time import Duration, day_before
from ._base import (
    Criterion,
    CriterionStatus,
    Ctx,
    Levels,
    Of,
    Verdict,
    judge_each,
    latest,
    listing,
    met,
    non_empty,
    unknown,
    unmet,
)
from .timing import Count


def _regions(values: Sequence[str]) -> tuple[Region, ...]:
    return tuple(Region(v) for v in values)


@frozen(kw_only=True)
class RegionRule(Criterion):
    """The episode's region is one of ``regions``."""

    kind = "region"
    regions: tuple[Region, ...] = field(converter=_regions, validator=non_empty)

    def check(self, ctx: Ctx) -> Verdict:
        region = ctx.record.region
        if region in self.regions:
            return met(lambda: f"{region} is covered ({listing(self.regions, 'and')})")
        return unmet(lambda: f"{region} is not covered; the policy covers {listing(self.regions, 'and')}")

    def describe(self) -> str:
        return f"region {listing(self.regions)}"


@frozen(kw_only=True)
class NotCovered(Criterion):
    """The step is not covered by the policy (never met)."""

    kind = "not_covered"
    reason: str = "not covered by the policy"

    def check(self, ctx: Ctx) -> Verdict:
        return unmet(self.reason)

    def describe(self) -> str:
        return f"not covered: {self.reason}"


@frozen(kw_only=True)
class AnyOf(Criterion):
    """Either-or: met when any of ``criteria`` is met.

    Otherwise unknown when any is unknown, else unmet, resolving on the
    earliest date one of them would be met.
    """

    kind = "any_of"
    criteria: tuple[Criterion, ...] = field(converter=tuple, validator=non_empty)

    def check(self, ctx: Ctx) -> Verdict:
        verdicts = judge_each(self.criteria, ctx)
        if not verdicts:  # a plan, and every alternative is the proposal's to answer
            return met(lambda: f"left to the proposal: {self.describe()}")
        good = [v for v in verdicts if v.status is CriterionStatus.MET]
        if good:
            untils = [v.until for v in good]
            return met(good[0].say, until=None if None in untils else max(u for u in untils if u))

        def told() -> str:
            if len(verdicts) == 1:
                return verdicts[0].message
            return "either: " + " | or: ".join(v.message for v in verdicts)

        soonest = min((v.resolves_on for v in verdicts if v.resolves_on is not None), default=None)
        if any(v.status is CriterionStatus.UNKNOWN for v in verdicts):
            return unknown(told, resolves_on=soonest)
        return unmet(told, resolves_on=soonest)

    def describe(self) -> str:
        return "either " + " | or ".join(c.describe() for c in self.criteria)


_ONE = Count(1)


@frozen(kw_only=True)
class IfPrior(Criterion):
    """Applies-if: ``criteria`` (all of them) bind only where at least ``count`` earlier
    sessions of ``of`` fall within ``within`` before the date (ever, without ``within``);
    with ``unless``, only where fewer do.  Where they do not bind, it is met.

    "Where 2 or more ESIs fall within 6 months, the previous one sustained 50%
    for 3 months": ``of = esi, count = 2, within = "6 months"``.  "If this is
    the first request": ``of = the procedure, count = 1, unless = true``.

    Sessions are days, as for ``cap``; an earlier session on X counts on D while
    D < X + within.  Where the criteria bind and are unmet, the answer resolves
    (at the latest) on the day enough sessions have aged out of the window and
    they stop binding; so does an unknown answer, where that day comes before
    documentation could settle it.  ``unless`` takes no ``within``: criteria that
    would start to bind as sessions age out cannot be foreseen from one date.
    """

    kind = "if_prior"
    of: Of
    count: Count = _ONE
    within: Duration | None = None
    unless: bool = False
    criteria: tuple[Criterion, ...] = field(converter=tuple)

    def __attrs_post_init__(self) -> None:
        if self.unless and self.within is not None:
            raise ValueError("if_prior: unless takes no within")
        if not self.criteria:
            raise ValueError("if_prior: criteria is empty")

    def _days(self, ctx: Ctx) -> Sequence[Date]:
        return self.of.days(ctx.record, ctx.on, self.within)

    def allowed_levels(self, ctx: Ctx) -> Levels | None:
        """Where the criteria bind, the levels all of them allow."""
        if (len(self._days(ctx)) >= self.count) == self.unless:
            return None
        found = [lv for c in self.criteria if (lv := c.allowed_levels(ctx)) is not None]
        if not found:
            return None
        only: frozenset[str] | None = None
        for lv in found:
            if lv.only is not None:
                only = lv.only if only is None else only & lv.only
        without = frozenset().union(*(lv.without for lv in found))
        sides = [lv.side for lv in found if lv.side is not None]
        frees = [lv.frees for lv in found if lv.without]
        return Levels(
            only,
            without,
            lambda: "; ".join(lv.message for lv in found),
            sides[0] if sides else None,
            None if not frees or None in frees else max(d for d in frees if d is not None),
        )

    def level_cap(self) -> int | None:
        return min((n for c in self.criteria if (n := c.level_cap()) is not None), default=None)

    def check(self, ctx: Ctx) -> Verdict:
        on, within = ctx.on, self.within
        days = self._days(ctx)

        def found() -> str:
            span = f"within {within} before {on}" if within else f"before {on}"
            listed = f" ({latest(days, str, ', '.join)})" if days else ""
            return f"{len(days)} earlier {self.of} session(s) {span}{listed}"

        binds = (len(days) >= self.count) != self.unless
        if not binds:
            return met(lambda: f"{found()}: {self._condition} does not hold, so this does not apply")
        verdicts = judge_each(self.criteria, ctx)

        def told() -> str:
            return f"{found()}, so: " + "; ".join(v.message for v in verdicts)

        # The day the sessions age out and the criteria stop binding (never with no window).
        frees = within.after(days[len(days) - self.count]) if within is not None else None

        def told_freed() -> str:
            return f"{told()} (from {frees} it no longer applies)"

        unmet_ = [v for v in verdicts if v.status is CriterionStatus.UNMET]
        if unmet_:
            dates = [v.resolves_on for v in unmet_]
            when = None if None in dates else max(d for d in dates if d is not None)
            if frees is None:
                return unmet(told, resolves_on=when)
            return unmet(told_freed, resolves_on=frees if when is None else min(when, frees))
        if any(v.status is CriterionStatus.UNKNOWN for v in verdicts):
            later = [v.resolves_on for v in verdicts if v.resolves_on is not None]
            if frees is not None and later and frees <= max(later):
                # they stop binding before documentation could settle them: time alone does
                return unmet(told_freed, resolves_on=frees)
            return unknown(told, resolves_on=max(later) if later else None)
        until = min((v.until for v in verdicts if v.until is not None), default=None)
        if until is not None and frees is not None and until >= day_before(frees):
            until = None  # they stop binding before they lapse
        return met(told, until=until)

    @cached_property
    def _condition(self) -> str:
        span = f" within {self.within}" if self.within else ""
        if self.unless:
            if self.count == 1:
                return f"no earlier {self.of}"
            return f"fewer than {self.count} earlier {self.of}"
        return f"at least {self.count} earlier {self.of}{span}"

    def describe(self) -> str:
        inner = "; ".join(c.describe() for c in self.criteria)
        return f"where {self._condition}: {inner}"
