"""Criteria only a proposal can answer: its levels, its side, its day.

A plan has no proposal, so these are left to ``evaluate()`` and ``audit()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property

from attrs import field, frozen

from .._events import LEVELS, Approach, Procedure, Side
from .._record import Documented, Record
from .._time import day_after
from ._base import (
    BLOCKS,
    Compare,
    Criterion,
    CriterionStatus,
    Ctx,
    Levels,
    Of,
    Verdict,
    fmt_pct,
    latest,
    listing,
    met,
    unknown,
    unmet,
)
from .outcomes import Percent, judge_relief
from .timing import Count


def _covers(done: Side, wanted: Side) -> bool:
    return done is Side.BILATERAL or done is wanted


#: The sides a procedure done on a side covers (from ``_covers``).
_SIDES_COVERED = {done: tuple(s for s in Side if _covers(done, s)) for done in Side}
_MET, _UNKNOWN = CriterionStatus.MET, CriterionStatus.UNKNOWN
#: What ``levels_covered`` counts: a procedure's status, a level and a side it covers there.
_Place = tuple[CriterionStatus, str, Side]


def _covered(places: Mapping[_Place, int], count: int) -> dict[Side, frozenset[str]]:
    """Of a tally of places (:meth:`LevelsCovered._places`): the levels covered by ``count``
    procedures that count or may (their relief not documented yet), at each side."""
    n: dict[tuple[str, Side], int] = {}
    for (status, lv, side), k in places.items():
        if status is not CriterionStatus.UNMET:
            n[lv, side] = n.get((lv, side), 0) + k
    return {side: frozenset(lv for (lv, s), k in n.items() if s is side and k >= count) for side in Side}


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
    of: Of = BLOCKS
    percent: Percent | None = None
    compare: Compare = Compare.AT_LEAST
    first: bool = False
    count: Count = Count(1)

    def check(self, ctx: Ctx) -> Verdict:
        p = ctx.proposal
        places = self._places(ctx.record)

        def unless() -> str:
            pending = [d for d in self._counted(ctx.record) if self._judged(ctx.record, d) is _UNKNOWN]
            undocumented = latest(
                pending, lambda d: f"{d.procedure} on {d.date}", lambda w: listing(w, "and")
            )
            return f"unless the relief of {undocumented} is documented"

        if p is None:
            return self._any_place(places, unless)
        side, count = p.side, self.count
        done = {lv: places.get((_MET, lv, side), 0) for lv in p.levels}
        missing = [lv for lv, n in done.items() if n < count]
        if missing and all(done[lv] + places.get((_UNKNOWN, lv, side), 0) >= count for lv in missing):
            return unknown(
                lambda: f"{listing(missing, 'and')} ({side}) not covered by {self._which} {unless()}"
            )
        if missing:
            return unmet(lambda: f"{listing(missing, 'and')} ({side}) not covered by {self._which}")
        return met(lambda: f"{listing(list(p.levels), 'and')} ({side}) covered by {self._which}")

    def _counted(self, record: Record) -> Sequence[Procedure]:
        """The procedures this rule reads: those ``of`` selects (with ``first``, the first)."""
        done = self.of.select(record)
        return done[:1] if self.first else done

    def _judged(self, record: Record, d: Procedure) -> CriterionStatus:
        return self._status(record.documented(d))

    def _status(self, said: Documented) -> CriterionStatus:
        """Whether a procedure counts (met), may count once its relief is documented
        (unknown), or does not (unmet)."""
        if self.percent is None:
            return _MET
        return judge_relief(said, self.compare, self.percent, False)

    def _place(self, d: Procedure, said: Documented) -> list[_Place]:
        """What a procedure adds to the tally: its status at each of its levels (a level written
        twice is still one), at each side it covers."""
        status, levels = self._status(said), set(d.levels)
        return [(status, lv, side) for side in _SIDES_COVERED[d.side] for lv in levels]

    def _places(self, record: Record) -> Mapping[_Place, int]:
        """How many counted procedures cover each level and side, by status."""
        if self.first:  # one procedure, its places each once
            return {place: 1 for d in self._counted(record) for place in self._place(d, record.documented(d))}
        return self.of.tally(record, self._name, self._place)

    @cached_property
    def _name(self) -> str:
        return f"levels_covered {self.compare} {self.percent}"

    @cached_property
    def _which(self) -> str:
        which = f"{'the first ' if self.first else ''}{self.of}"
        if self.count > 1:
            which = f"{self.count} {which}s"
        if self.percent is not None:
            which += f" with relief {self.compare.words} {fmt_pct(self.percent)}"
        return which

    def _any_place(self, places: Mapping[_Place, int], unless: Callable[[], str]) -> Verdict:
        """For a plan: some level, at one side, covered by ``count`` of the procedures that
        count (or, unknown, with those that may)."""
        count, one_sided = self.count, (Side.LEFT, Side.RIGHT)
        good = sorted(
            {
                f"{lv} ({side})"
                for (status, lv, side), k in places.items()
                if status is _MET and side in one_sided and k >= count
            }
        )
        if good:
            return met(lambda: f"{listing(good, 'and')} covered by {self._which}")
        if any(_covered(places, count)[side] for side in one_sided):
            return unknown(lambda: f"no level covered by {self._which} {unless()}")
        return unmet(lambda: f"no level, at any side, covered by {self._which}")

    def allowed_levels(self, ctx: Ctx) -> Levels:
        """The levels covered by ``count`` of the counted procedures (those whose relief is
        not documented yet counted too: the plan then needs documentation), at the one side
        that covers the most of them (bilateral first)."""
        covered = _covered(self._places(ctx.record), self.count)
        side = max((Side.BILATERAL, Side.LEFT, Side.RIGHT), key=lambda s: len(covered[s]))
        levels = covered[side]
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
        treated = self._treated_levels(record)
        if any(lv in treated for lv in p.levels):

            def told() -> str:
                d = next(d for d in self._treated(record) if any(lv in d.levels for lv in p.levels))
                return (
                    listing([lv for lv in p.levels if lv in d.levels], "and")
                    + f" treated by the {d.procedure} on {d.date}"
                    + f" ({fmt_pct(record.relief(d) or 0)} relief)"
                )

            return unmet(told)
        return met(
            lambda: (
                f"no requested level treated by an earlier {self.of} with relief {self.compare.words} "
                f"{fmt_pct(self.percent)}"
            )
        )

    def _passes(self, said: Documented) -> bool:
        return judge_relief(said, self.compare, self.percent, False) is _MET

    def _treated(self, record: Record) -> Iterator[Procedure]:
        """The earlier procedures of ``of`` whose relief passes, in order."""
        return (d for d in self.of.select(record) if self._passes(record.documented(d)))

    def _treated_levels(self, record: Record) -> Mapping[str, int]:
        """How many earlier procedures whose relief passes treated each level."""

        def levels(d: Procedure, said: Documented) -> Iterable[str]:
            return set(d.levels) if self._passes(said) else ()

        return self.of.tally(record, self._name, levels)

    @cached_property
    def _name(self) -> str:
        return f"levels_not_treated {self.compare} {self.percent}"

    def allowed_levels(self, ctx: Ctx) -> Levels | None:
        record = ctx.record
        without = frozenset(self._treated_levels(record))
        if not without:
            return None

        def said() -> str:
            return "not " + "; ".join(
                f"{listing(list(d.levels), 'and')} (treated by the {d.procedure} on {d.date}, "
                f"{fmt_pct(record.relief(d) or 0)} relief)"
                for d in self._treated(record)
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
