"""Criteria of scope and logic: the region, what is not covered, either-or, applies-if."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import field, frozen

from .._events import Region
from .._time import Duration, day_before
from ._base import Criterion, CriterionStatus, Ctx, Of, Verdict, listing, met, unknown, unmet
from .timing import Count


def _regions(values: Sequence[str]) -> tuple[Region, ...]:
    return tuple(Region(v) for v in values)


@frozen(kw_only=True)
class RegionRule(Criterion):
    """The episode's region is one of ``regions``."""

    kind = "region"
    regions: tuple[Region, ...] = field(converter=_regions)

    def check(self, ctx: Ctx) -> Verdict:
        covered = listing(self.regions, "and")
        region = ctx.record.region
        if ctx.record.region in self.regions:
            return met(f"{region} is covered ({covered})")
        return unmet(f"{region} is not covered; the policy covers {covered}")

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
    criteria: tuple[Criterion, ...] = field(converter=tuple)

    def check(self, ctx: Ctx) -> Verdict:
        verdicts = [c.check(ctx) for c in self.criteria if not (c.proposal_only and ctx.proposal is None)]
        told = " | or: ".join(v.message for v in verdicts)
        good = [v for v in verdicts if v.status is CriterionStatus.MET]
        if good:
            untils = [v.until for v in good]
            return met(good[0].message, until=None if None in untils else max(u for u in untils if u))
        dates = [v.resolves_on for v in verdicts if v.resolves_on is not None]
        if any(v.status is CriterionStatus.UNKNOWN for v in verdicts):
            return unknown(f"either: {told}", resolves_on=min(dates, default=None))
        return unmet(f"either: {told}", resolves_on=min(dates, default=None))

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

    def check(self, ctx: Ctx) -> Verdict:
        days = sorted({p.date for p in self.of.select(ctx.record)})
        if self.within is not None:
            days = [d for d in days if ctx.on < self.within.after(d)]
        span = f"within {self.within} before {ctx.on}" if self.within else f"before {ctx.on}"
        listed = f" ({', '.join(str(d) for d in days)})" if days else ""
        found = f"{len(days)} earlier {self.of} session(s) {span}{listed}"
        binds = (len(days) >= self.count) != self.unless
        if not binds:
            return met(f"{found}: {self._condition()} does not hold, so this does not apply")
        judged = [c for c in self.criteria if not (c.proposal_only and ctx.proposal is None)]
        verdicts = [c.check(ctx) for c in judged]
        told = f"{found}, so: " + "; ".join(v.message for v in verdicts)
        # The day the sessions age out and the criteria stop binding (never with no window).
        frees = self.within.after(days[len(days) - self.count]) if self.within is not None else None
        unmet_ = [v for v in verdicts if v.status is CriterionStatus.UNMET]
        if unmet_:
            dates = [v.resolves_on for v in unmet_]
            when = None if None in dates else max(d for d in dates if d is not None)
            if frees is not None:
                when = frees if when is None else min(when, frees)
                told += f" (from {frees} it no longer applies)"
            return unmet(told, resolves_on=when)
        if any(v.status is CriterionStatus.UNKNOWN for v in verdicts):
            later = [v.resolves_on for v in verdicts if v.resolves_on is not None]
            if frees is not None and later and frees <= max(later):
                # they stop binding before documentation could settle them: time alone does
                return unmet(f"{told} (from {frees} it no longer applies)", resolves_on=frees)
            return unknown(told, resolves_on=max(later) if later else None)
        until = min((v.until for v in verdicts if v.until is not None), default=None)
        if until is not None and frees is not None and until >= day_before(frees):
            until = None  # they stop binding before they lapse
        return met(told, until=until)

    def _condition(self) -> str:
        span = f" within {self.within}" if self.within else ""
        if self.unless:
            if self.count == 1:
                return f"no earlier {self.of}"
            return f"fewer than {self.count} earlier {self.of}"
        return f"at least {self.count} earlier {self.of}{span}"

    def describe(self) -> str:
        inner = "; ".join(c.describe() for c in self.criteria)
        return f"where {self._condition()}: {inner}"
