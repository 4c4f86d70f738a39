"""Criteria only a proposal can answer: its levels, its side, its day.

A plan has no proposal, so these are left to ``evaluate()`` and ``audit()``.
"""

from __future__ import annotations

from attrs import frozen

from .._events import Procedure, ProcedureKind, Side
from .._time import day_after
from ._base import Compare, Criterion, Ctx, Of, Verdict, fmt_pct, listing, met, unknown, unmet
from .outcomes import Percent, judge_relief
from .timing import Count

_BLOCKS = Of(procedures=(ProcedureKind.MBB,))


def _covers(done: Side, wanted: Side) -> bool:
    return done is Side.BILATERAL or done is wanted


@frozen(kw_only=True)
class LevelCount(Criterion):
    """At most ``max`` levels in one session."""

    kind = "level_count"
    proposal_only = True
    max: Count

    def check(self, ctx: Ctx) -> Verdict:
        assert ctx.proposal is not None
        n = len(ctx.proposal.levels)
        told = f"{n} level(s) ({listing(list(ctx.proposal.levels), 'and')}); at most {self.max} a session"
        return met(told) if n <= self.max else unmet(told)

    def describe(self) -> str:
        return f"at most {self.max} levels a session"


@frozen(kw_only=True)
class LevelsCovered(Criterion):
    """Each requested level (and side) was covered by ``count`` procedures of ``of``.

    With ``percent``, only procedures whose relief passes ``compare percent``
    count (the positive blocks); with ``first``, only the first of them.
    "The levels to treat had those (two) blocks": ``count = 2``.

    In a plan (no proposal) it asks whether any level, at some side, is so
    covered: where none is, no proposal can be approved, and the plan says so.
    """

    kind = "levels_covered"
    of: Of = _BLOCKS
    percent: Percent | None = None
    compare: Compare = Compare.AT_LEAST
    first: bool = False
    count: Count = Count(1)

    def check(self, ctx: Ctx) -> Verdict:
        p = ctx.proposal
        done = self.of.select(ctx.record)
        if self.first:
            done = done[:1]
        pending = []  # procedures whose relief is not documented yet: they may count
        if self.percent is not None:
            judged = [(d, judge_relief(ctx.record, d, self.compare, self.percent, False)) for d in done]
            done = [d for d, status in judged if status == "met"]
            pending = [d for d, status in judged if status == "unknown"]
        which = f"{'the first ' if self.first else ''}{self.of}"
        if self.count > 1:
            which = f"{self.count} {which}s"
        if self.percent is not None:
            which += f" with relief {self.compare.words} {fmt_pct(self.percent)}"

        if p is None:
            return self._any_place(done, pending, which)

        def short(lv: str, procedures: list[Procedure]) -> bool:
            return sum(1 for d in procedures if lv in d.levels and _covers(d.side, p.side)) < self.count

        missing = [lv for lv in p.levels if short(lv, done)]
        if missing and not any(short(lv, done + pending) for lv in missing):
            undocumented = listing([f"{d.procedure} on {d.date}" for d in pending], "and")
            return unknown(
                f"{listing(missing, 'and')} ({p.side}) not covered by {which} unless the relief of "
                f"{undocumented} is documented"
            )
        if missing:
            return unmet(f"{listing(missing, 'and')} ({p.side}) not covered by {which}")
        return met(f"{listing(list(p.levels), 'and')} ({p.side}) covered by {which}")

    def _any_place(self, done: list[Procedure], pending: list[Procedure], which: str) -> Verdict:
        """For a plan: some level and side covered by ``count`` of ``done`` (or, unknown, with
        ``pending``)."""

        def places(procedures: list[Procedure]) -> list[tuple[str, Side]]:
            found = []
            for side in (Side.LEFT, Side.RIGHT):
                for lv in dict.fromkeys(lv for d in procedures for lv in d.levels):
                    if sum(1 for d in procedures if lv in d.levels and _covers(d.side, side)) >= self.count:
                        found.append((lv, side))
            return found

        good = places(done)
        if good:
            shown = listing(sorted({f"{lv} ({side})" for lv, side in good}), "and")
            return met(f"{shown} covered by {which}")
        if places(done + pending):
            undocumented = listing([f"{d.procedure} on {d.date}" for d in pending], "and")
            return unknown(f"no level covered by {which} unless the relief of {undocumented} is documented")
        return unmet(f"no level, at any side, covered by {which}")

    def describe(self) -> str:
        return f"levels covered by {'the first ' if self.first else ''}{self.of}"


@frozen(kw_only=True)
class LevelsNotTreated(Criterion):
    """No requested level was treated by an earlier ``of`` with relief ``compare percent``."""

    kind = "levels_not_treated"
    proposal_only = True
    of: Of
    percent: Percent
    compare: Compare = Compare.AT_LEAST

    def check(self, ctx: Ctx) -> Verdict:
        p = ctx.proposal
        assert p is not None
        for d in self.of.select(ctx.record):
            if judge_relief(ctx.record, d, self.compare, self.percent, False) != "met":
                continue
            overlap = [lv for lv in p.levels if lv in d.levels]
            if overlap:
                return unmet(
                    f"{listing(overlap, 'and')} treated by the {d.procedure} on {d.date} "
                    f"({fmt_pct(ctx.record.relief(d) or 0)} relief)"
                )
        return met(
            f"no requested level treated by an earlier {self.of} with relief {self.compare.words} "
            f"{fmt_pct(self.percent)}"
        )

    def describe(self) -> str:
        return (
            f"not at a level of an earlier {self.of} with relief {self.compare.words} {fmt_pct(self.percent)}"
        )


@frozen(kw_only=True)
class OnePerVisit(Criterion):
    """No other procedure on the proposal's day.

    In a plan: a procedure already recorded on the date puts the next one off
    to the day after.
    """

    kind = "one_per_visit"

    def check(self, ctx: Ctx) -> Verdict:
        if ctx.proposal is None:
            today = [p for p in ctx.record.procedures if p.date == ctx.on]
            if today:
                others = listing([p.procedure for p in today], "and")
                return unmet(f"{others} already on {ctx.on}; one procedure per visit", day_after(ctx.on))
            return met(f"no procedure yet on {ctx.on}")
        if ctx.same_day:
            others = listing([p.procedure for p in ctx.same_day], "and")
            return unmet(f"{others} also on {ctx.proposal.date}; one procedure per visit")
        return met(f"no other procedure on {ctx.proposal.date}")

    def describe(self) -> str:
        return "one procedure per visit"
