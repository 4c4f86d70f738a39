"""Criteria of outcome: relief after a procedure, positive blocks, sustained relief."""

from __future__ import annotations

from functools import cached_property
from typing import Literal, NewType

from attrs import frozen

from .._events import Outcome, Procedure
from .._record import Documented, Record
from .._time import Duration
from ._base import (
    BLOCKS,
    Compare,
    Criterion,
    CriterionStatus,
    Ctx,
    Of,
    Say,
    Verdict,
    fmt_pct,
    latest,
    met,
    unknown,
    unmet,
)
from .timing import Count

#: A percent from 0 to 100 (the policy loader checks the range).
Percent = NewType("Percent", float)


def judge_relief(said: Documented, compare: Compare, percent: float, fi: bool) -> CriterionStatus:
    """Whether a procedure's documented relief passes ``compare percent`` (and, with ``fi``,
    an outcome shows functional improvement); ``said``: what its outcomes document."""
    if said.relief is None:
        return CriterionStatus.UNKNOWN
    if not compare.holds(said.relief, percent):
        return CriterionStatus.UNMET
    if fi and not said.improved:
        return CriterionStatus.UNKNOWN if said.unsaid else CriterionStatus.UNMET
    return CriterionStatus.MET


def _relief_words(record: Record, p: Procedure) -> str:
    relief = record.relief(p)
    where = f"{p.procedure} on {p.date}"
    return f"{where}: no relief documented" if relief is None else f"{where}: {fmt_pct(relief)} relief"


class BlockRule:
    """Mixin for rules that judge one block's relief.

    A kind deriving it, in the next facet step, closes the pathway (``facet_negative``)
    when the latest block fails it: the pathway asks for this base, not for named kinds.
    """

    __slots__ = ()  # the kinds deriving it stay slotted

    of: Of
    compare: Compare
    percent: float
    functional_improvement: bool

    def judge(self, record: Record, p: Procedure) -> CriterionStatus:
        return judge_relief(record.documented(p), self.compare, self.percent, self.functional_improvement)

    def threshold(self) -> str:
        fi = " with functional improvement" if self.functional_improvement else ""
        return f"{self.compare.words} {fmt_pct(self.percent)}{fi}"


@frozen(kw_only=True)
class Relief(BlockRule, Criterion):
    """The previous procedure of ``of`` had relief ``compare`` ``percent``.

    With ``within``, only a previous procedure within that time counts: an
    older one no longer binds (met once it ages out).  ``if_none``: the answer
    when there is no previous procedure (``"unmet"`` by default).
    """

    kind = "relief"
    of: Of = BLOCKS
    percent: Percent
    compare: Compare = Compare.AT_LEAST
    functional_improvement: bool = False
    within: Duration | None = None
    if_none: Literal["met", "unmet"] = "unmet"

    def check(self, ctx: Ctx) -> Verdict:
        record = ctx.record
        prev = self.of.latest(record)
        if prev is None:
            if self.if_none == "met":
                return met(lambda: f"no earlier {self.of}")
            return unmet(lambda: f"no earlier {self.of}; relief {self.threshold()} required")
        lapse = self.within.after(prev.date) if self.within is not None else None
        if lapse is not None and ctx.on >= lapse:
            return met(
                lambda: f"the previous {self.of}, on {prev.date}, is more than {self.within} before {ctx.on}"
            )
        status = self.judge(record, prev)

        def told() -> str:
            return f"{_relief_words(record, prev)}; {self.threshold()} required"

        if status is CriterionStatus.MET:
            return met(told)
        if status is CriterionStatus.UNKNOWN:
            if record.relief(prev) is not None:
                return unknown(lambda: f"{told()}; functional improvement not documented")
            return unknown(told)
        return unmet(told, resolves_on=lapse)

    def describe(self) -> str:
        within = f" (if within {self.within})" if self.within else ""
        return f"previous {self.of}{within}: relief {self.threshold()}"


@frozen(kw_only=True)
class PositiveBlocks(BlockRule, Criterion):
    """At least ``count`` procedures of ``of`` each with relief ``compare`` ``percent``."""

    kind = "positive_blocks"
    of: Of = BLOCKS
    count: Count = Count(2)
    percent: Percent
    compare: Compare = Compare.AT_LEAST
    functional_improvement: bool = False

    def check(self, ctx: Ctx) -> Verdict:
        record = ctx.record
        judged = self.of.tally(record, self._name, self._judged)
        good = judged.get(CriterionStatus.MET, 0)

        def told() -> str:
            done = self.of.select(record)
            listed = latest(done, lambda p: _relief_words(record, p)) or f"no {self.of} recorded"
            return (
                f"{good} of the {self.count} required ({self.of}) with relief {self.threshold()} ({listed})"
            )

        if good >= self.count:
            return met(told)
        if good + judged.get(CriterionStatus.UNKNOWN, 0) >= self.count:
            return unknown(lambda: f"{told()}; documentation missing")
        return unmet(told)

    @cached_property
    def _name(self) -> str:
        return f"positive_blocks {self.threshold()}"

    def _judged(self, _: Procedure, said: Documented) -> tuple[CriterionStatus]:
        """What a block adds to the tally: whether its relief passes."""
        return (judge_relief(said, self.compare, self.percent, self.functional_improvement),)

    def describe(self) -> str:
        return f"{self.count} {self.of} with relief {self.threshold()}"


@frozen(kw_only=True)
class SustainedRelief(Criterion):
    """The previous procedure of ``of`` sustained relief ``compare`` ``percent`` for ``duration``.

    For a procedure on P: every outcome up to P + duration passes, and one
    dated on or after P + duration passes.  A failing outcome up to then makes
    it unmet; only passing outcomes before then make it unknown, resolving on
    P + duration.  With ``functional_improvement``, an outcome must also show it.
    ``if_none``: the answer when there is no previous procedure.
    """

    kind = "sustained_relief"
    of: Of
    percent: Percent
    duration: Duration
    compare: Compare = Compare.AT_LEAST
    functional_improvement: bool = False
    if_none: Literal["met", "unmet"] = "unmet"

    def check(self, ctx: Ctx) -> Verdict:
        prev = self.of.latest(ctx.record)
        if prev is None:
            if self.if_none == "met":
                return met(lambda: f"no earlier {self.of}")
            return unmet(lambda: f"no earlier {self.of}; relief {self._wanted} required")
        edge = self.duration.after(prev.date)
        outcomes = ctx.record.outcomes_of(prev)

        def head() -> str:
            return f"{prev.procedure} on {prev.date}: relief {self._wanted} (through {edge}) required"

        def seen(o: Outcome) -> Say:
            return lambda: f"{head()}; {fmt_pct(o.relief_percent)} on {o.date}"

        # every outcome up to and including P + L must pass; one on or after it must too
        holds, percent = self.compare.holds, self.percent
        early_bad = next(
            (o for o in outcomes if o.date <= edge and not holds(o.relief_percent, percent)), None
        )
        if early_bad is not None:
            return unmet(seen(early_bad))
        late = [o for o in outcomes if o.date >= edge]
        late_ok = [o for o in late if holds(o.relief_percent, percent)]
        if late and not late_ok:
            return unmet(seen(late[0]))
        if not late_ok:
            since = f"; documented through {outcomes[-1].date}" if outcomes else "; no outcome documented"
            return unknown(lambda: head() + since, resolves_on=edge if ctx.on < edge else None)
        if self.functional_improvement:
            flags = [o.functional_improvement for o in outcomes]
            if True not in flags:
                if None in flags:
                    return unknown(lambda: f"{head()}; functional improvement not documented")
                return unmet(lambda: f"{head()}; no functional improvement")
        return met(seen(late_ok[0]))

    @cached_property
    def _wanted(self) -> str:
        return f"{self.compare.words} {fmt_pct(self.percent)} for {self.duration}"

    def describe(self) -> str:
        fi = " with functional improvement" if self.functional_improvement else ""
        return f"previous {self.of}: relief {self._wanted}{fi}"


@frozen(kw_only=True)
class FunctionalImprovement(Criterion):
    """An outcome of the previous procedure of ``of`` shows functional improvement.

    With ``sustained`` (a duration L), it must be sustained as relief is: for a procedure on
    P, every outcome up to P + L documents it, and one dated on or after P + L does.  One
    that finds none up to then makes it unmet; one that leaves it undocumented, unknown; only
    outcomes before P + L showing it, unknown, resolving on P + L.
    """

    kind = "functional_improvement"
    of: Of
    sustained: Duration | None = None

    def check(self, ctx: Ctx) -> Verdict:
        prev = self.of.latest(ctx.record)
        if prev is None:
            return unmet(lambda: f"no earlier {self.of}")
        if self.sustained is not None:
            return self._sustained(ctx, prev, self.sustained)
        flags = [o.functional_improvement for o in ctx.record.outcomes_of(prev)]
        if True in flags:
            return met(lambda: f"{prev.procedure} on {prev.date}: functional improvement documented")
        if not flags or None in flags:
            return unknown(lambda: f"{prev.procedure} on {prev.date}: functional improvement not documented")
        return unmet(lambda: f"{prev.procedure} on {prev.date}: no functional improvement")

    def _sustained(self, ctx: Ctx, prev: Procedure, length: Duration) -> Verdict:
        edge = length.after(prev.date)
        outcomes = ctx.record.outcomes_of(prev)

        def head() -> str:
            wanted = f"functional improvement for {length} (through {edge}) required"
            return f"{prev.procedure} on {prev.date}: {wanted}"

        upto = [o for o in outcomes if o.date <= edge]
        lost = next((o for o in upto if o.functional_improvement is False), None)
        if lost is not None:
            return unmet(lambda: f"{head()}; none on {lost.date}")
        late = [o for o in outcomes if o.date >= edge]
        if any(o.functional_improvement is False for o in late) and not any(
            o.functional_improvement for o in late
        ):
            return unmet(lambda: f"{head()}; none on {late[0].date}")
        blank = next((o for o in upto if o.functional_improvement is None), None)
        if blank is not None:
            return unknown(lambda: f"{head()}; not documented on {blank.date}")
        if not any(o.functional_improvement for o in late):
            since = f"; documented through {outcomes[-1].date}" if outcomes else "; no outcome documented"
            return unknown(lambda: head() + since, resolves_on=edge if ctx.on < edge else None)
        return met(lambda: f"{head()}; documented through {outcomes[-1].date}")

    def describe(self) -> str:
        span = f" sustained for {self.sustained}" if self.sustained else ""
        return f"previous {self.of}: functional improvement{span}"
