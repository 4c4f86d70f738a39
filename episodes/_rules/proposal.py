"""Criteria only a proposal can answer: its levels, its side, its day.

A plan has no proposal, so these are left to ``evaluate()`` and ``audit()``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from attrs import field, frozen

from .._events import LEVELS, Approach, Procedure, ProcedureKind, Side
from .._time import day_after
from ._base import Compare, Criterion, Ctx, Levels, Of, Verdict, fmt_pct, listing, met, unknown, unmet
from .outcomes import Percent, judge_relief
from .timing import Count

_BLOCKS = Of(procedures=(ProcedureKind.MBB,))


def _covers(done: Side, wanted: Side) -> bool:
    return done is Side.BILATERAL or done is wanted


#: The one-sided places a procedure done on a side covers (from ``_covers``).
_SIDES_COVERED = {done: tuple(s for s in (Side.LEFT, Side.RIGHT) if _covers(done, s)) for done in Side}


@frozen(kw_only=True)
class LevelCount(Criterion):
    """At most ``max`` levels in one session."""

    kind = "level_count"
    proposal_only = True
    max: Count

    def check(self, ctx: Ctx) -> Verdict:
        assert ctx.proposal is not None
        levels = ctx.proposal.levels

        def told() -> str:
            return f"{len(levels)} level(s) ({listing(list(levels), 'and')}); at most {self.max} a session"

        return met(told) if len(levels) <= self.max else unmet(told)

    def level_cap(self) -> int:
        return self.max

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
        done = list(self.of.select(ctx.record))
        if self.first:
            done = done[:1]
        pending: list[Procedure] = []  # procedures whose relief is not documented yet: they may count
        if self.percent is not None:
            judged = [(d, judge_relief(ctx.record, d, self.compare, self.percent, False)) for d in done]
            done = [d for d, status in judged if status == "met"]
            pending = [d for d, status in judged if status == "unknown"]

        def unless() -> str:
            undocumented = listing([f"{d.procedure} on {d.date}" for d in pending], "and")
            return f"unless the relief of {undocumented} is documented"

        if p is None:
            return self._any_place(done, pending, unless)

        def short(lv: str, procedures: list[Procedure]) -> bool:
            return sum(1 for d in procedures if lv in d.levels and _covers(d.side, p.side)) < self.count

        missing = [lv for lv in p.levels if short(lv, done)]
        if missing and not any(short(lv, done + pending) for lv in missing):
            return unknown(
                lambda: f"{listing(missing, 'and')} ({p.side}) not covered by {self._which} {unless()}"
            )
        if missing:
            return unmet(lambda: f"{listing(missing, 'and')} ({p.side}) not covered by {self._which}")
        return met(lambda: f"{listing(list(p.levels), 'and')} ({p.side}) covered by {self._which}")

    @cached_property
    def _which(self) -> str:
        which = f"{'the first ' if self.first else ''}{self.of}"
        if self.count > 1:
            which = f"{self.count} {which}s"
        if self.percent is not None:
            which += f" with relief {self.compare.words} {fmt_pct(self.percent)}"
        return which

    def _any_place(
        self, done: list[Procedure], pending: list[Procedure], unless: Callable[[], str]
    ) -> Verdict:
        """For a plan: some level and side covered by ``count`` of ``done`` (or, unknown, with
        ``pending``)."""

        def places(procedures: list[Procedure]) -> list[tuple[str, Side]]:
            covered: dict[tuple[str, Side], int] = {}
            for d in procedures:
                for side in _SIDES_COVERED[d.side]:
                    for lv in set(d.levels):  # a level written twice is still one
                        covered[lv, side] = covered.get((lv, side), 0) + 1
            return [place for place, n in covered.items() if n >= self.count]

        good = places(done)
        if good:
            return met(
                lambda: (
                    listing(sorted({f"{lv} ({side})" for lv, side in good}), "and")
                    + f" covered by {self._which}"
                )
            )
        if places(done + pending):
            return unknown(lambda: f"no level covered by {self._which} {unless()}")
        return unmet(lambda: f"no level, at any side, covered by {self._which}")

    def allowed_levels(self, ctx: Ctx) -> Levels:
        """The levels covered by ``count`` of the counted procedures (those whose relief is
        not documented yet counted too: the plan then needs documentation), at the one side
        that covers the most of them (bilateral first)."""
        done = list(self.of.select(ctx.record))
        if self.first:
            done = done[:1]
        if self.percent is not None:
            done = [
                d for d in done if judge_relief(ctx.record, d, self.compare, self.percent, False) != "unmet"
            ]
        best: tuple[frozenset[str], Side] = (frozenset(), Side.BILATERAL)
        for side in (Side.BILATERAL, Side.LEFT, Side.RIGHT):
            counted: dict[str, int] = {}
            for d in done:
                if _covers(d.side, side):
                    for lv in set(d.levels):
                        counted[lv] = counted.get(lv, 0) + 1
            levels = frozenset(lv for lv, n in counted.items() if n >= self.count)
            if len(levels) > len(best[0]):
                best = (levels, side)
        levels, side = best
        return Levels(
            levels,
            frozenset(),
            lambda: f"only {listing(sorted(levels), 'and') or 'no level'} ({side}) covered by {self._which}",
            side,
        )

    def describe(self) -> str:
        return f"levels (and sides) covered by {self._which}"


@frozen(kw_only=True)
class LevelsNotTreated(Criterion):
    """No requested level was treated by an earlier ``of`` with relief ``compare percent``."""

    kind = "levels_not_treated"
    proposal_only = True
    of: Of
    percent: Percent
    compare: Compare = Compare.AT_LEAST

    def check(self, ctx: Ctx) -> Verdict:
        p, record = ctx.proposal, ctx.record
        assert p is not None
        treated = next(
            (
                d
                for d in self.of.select(record)
                if any(lv in d.levels for lv in p.levels)
                and judge_relief(record, d, self.compare, self.percent, False) == "met"
            ),
            None,
        )
        if treated is not None:
            return unmet(
                lambda: (
                    listing([lv for lv in p.levels if lv in treated.levels], "and")
                    + f" treated by the {treated.procedure} on {treated.date}"
                    + f" ({fmt_pct(record.relief(treated) or 0)} relief)"
                )
            )
        return met(
            lambda: (
                f"no requested level treated by an earlier {self.of} with relief {self.compare.words} "
                f"{fmt_pct(self.percent)}"
            )
        )

    def allowed_levels(self, ctx: Ctx) -> Levels | None:
        record = ctx.record
        treated = [
            d
            for d in self.of.select(record)
            if judge_relief(record, d, self.compare, self.percent, False) == "met"
        ]
        if not treated:
            return None
        without = frozenset(lv for d in treated for lv in d.levels)

        def said() -> str:
            return "not " + "; ".join(
                f"{listing(list(d.levels), 'and')} (treated by the {d.procedure} on {d.date}, "
                f"{fmt_pct(record.relief(d) or 0)} relief)"
                for d in treated
            )

        return Levels(None, without, said)

    def describe(self) -> str:
        return (
            f"not at a level of an earlier {self.of} with relief {self.compare.words} {fmt_pct(self.percent)}"
        )


@frozen(kw_only=True)
class ApproachLimit:
    """One recommended approach and the most levels it takes in a session."""

    approach: Approach = field(converter=Approach)
    levels: Count


@frozen(kw_only=True)
class ApproachRule(Criterion):
    """The approach of an injection, and the levels it takes: ``max_levels`` by approach (an
    approach not listed is not recommended).  Where an approach allows more than one level,
    more than one must be adjacent levels on one side (both sides of one level, or one side of
    two adjacent levels).  With no approach documented, one level is met (every listed approach
    allows one) and more is unknown.
    """

    kind = "approach"
    proposal_only = True
    recommended: tuple[ApproachLimit, ...] = field(converter=tuple)

    def __attrs_post_init__(self) -> None:
        if not self.recommended:
            raise ValueError("approach: recommended is empty")

    @cached_property
    def max_levels(self) -> dict[Approach, int]:
        return {a.approach: a.levels for a in self.recommended}

    def check(self, ctx: Ctx) -> Verdict:
        p = ctx.proposal
        assert p is not None
        levels, approach = p.levels, p.approach
        n = len(levels)
        if approach is None:
            if n <= self.level_cap():
                return met(lambda: f"{n} level; every recommended approach allows one")
            return unknown(
                lambda: (
                    f"{n} levels ({listing(list(levels), 'and')}) and no approach documented; {self._allowed}"
                )
            )
        most = self.max_levels.get(approach)
        if most is None:
            return unmet(lambda: f"a {approach} approach is not recommended; {self._allowed}")
        if n > most:
            return unmet(lambda: f"{n} levels by a {approach} approach; {self._allowed}")
        if n > 1:
            spots = sorted(LEVELS.index(lv) for lv in set(levels))
            if p.side is Side.BILATERAL or len(spots) < n or spots[-1] - spots[0] != n - 1:
                return unmet(
                    lambda: (
                        f"{listing(list(levels), 'and')} ({p.side}) by a {approach} approach: more than "
                        "one level must be adjacent levels on one side"
                    )
                )
        return met(lambda: f"{n} level(s) ({p.side}) by a {approach} approach; {self._allowed}")

    @cached_property
    def _allowed(self) -> str:
        return "recommended: " + ", ".join(
            f"{a} at most {n} level{'' if n == 1 else 's'}" for a, n in self.max_levels.items()
        )

    def level_cap(self) -> int:
        return min(self.max_levels.values())

    def describe(self) -> str:
        return self._allowed + " (more than one: adjacent, one side)"


@frozen(kw_only=True)
class OnePerVisit(Criterion):
    """No other procedure on the proposal's day.

    In a plan: a procedure already recorded on the date puts the next one off
    to the day after.
    """

    kind = "one_per_visit"

    def check(self, ctx: Ctx) -> Verdict:
        on, proposal = ctx.on, ctx.proposal
        if proposal is None:
            today = [p for p in ctx.record.procedures if p.date == on]
            if today:
                return unmet(
                    lambda: (
                        f"{listing([p.procedure for p in today], 'and')} already on {on}; "
                        "one procedure per visit"
                    ),
                    day_after(on),
                )
            return met(lambda: f"no procedure yet on {on}")
        if ctx.same_day:
            return unmet(
                lambda: (
                    f"{listing([p.procedure for p in ctx.same_day], 'and')} also on {proposal.date}; "
                    "one procedure per visit"
                )
            )
        return met(lambda: f"no other procedure on {proposal.date}")

    def describe(self) -> str:
        return "one procedure per visit"
