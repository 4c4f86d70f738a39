"""Criteria of scope and logic: the region, what is not covered, either-or."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import field, frozen

from .._events import Region
from ._base import Criterion, CriterionStatus, Ctx, Verdict, listing, met, unknown, unmet


def _regions(values: Sequence[str]) -> tuple[Region, ...]:
    return tuple(Region(v) for v in values)


@frozen(kw_only=True)
class RegionRule(Criterion):
    """The episode's region is one of ``regions``."""

    kind = "region"
    regions: tuple[Region, ...] = field(converter=_regions)

    def check(self, ctx: Ctx) -> Verdict:
        covered = listing([r.value for r in self.regions], "and")
        region = ctx.record.region.value
        if ctx.record.region in self.regions:
            return met(f"{region} is covered ({covered})")
        return unmet(f"{region} is not covered; the policy covers {covered}")

    def describe(self) -> str:
        return f"region {listing([r.value for r in self.regions])}"


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
