"""Criteria of time: how long the pain has lasted, intervals, recency, caps."""

from __future__ import annotations

from functools import cached_property
from typing import Literal, NewType

from attrs import frozen

from .._time import Duration, day_before, days_between
from ._base import Compare, Criterion, Ctx, Of, Verdict, fmt_days, latest, met, unmet

#: A whole number of at least 1 (the policy loader checks it).
Count = NewType("Count", int)


@frozen(kw_only=True)
class PainDuration(Criterion):
    """Pain for ``compare`` ``duration`` since the (earliest) symptom onset."""

    kind = "pain_duration"
    duration: Duration
    compare: Compare = Compare.AT_LEAST

    def check(self, ctx: Ctx) -> Verdict:
        onset = ctx.record.onset
        if onset is None:
            return unmet("no symptom onset recorded")
        start = self.compare.after(onset, self.duration)

        def told() -> str:
            return f"pain since {onset}: {self.compare.words} {self.duration} is from {start}"

        if ctx.on >= start:
            return met(told)
        return unmet(lambda: f"{told()}, after {ctx.on}", resolves_on=start)

    def describe(self) -> str:
        return f"pain {self.compare.words} {self.duration}"


@frozen(kw_only=True)
class Interval(Criterion):
    """``compare`` ``duration`` after the ``previous`` (or ``first``) procedure of ``after``.

    Met when there is no such procedure: an interval needs something to count from.
    """

    kind = "interval"
    after: Of
    duration: Duration
    compare: Compare = Compare.AT_LEAST
    since: Literal["previous", "first"] = "previous"

    def check(self, ctx: Ctx) -> Verdict:
        chosen = self.after.select(ctx.record)
        if not chosen:
            return met(lambda: f"no earlier {self.after} to count from")
        base = chosen[-1] if self.since == "previous" else chosen[0]
        start = self.compare.after(base.date, self.duration)

        def told() -> str:
            gap = days_between(base.date, ctx.on)
            return (
                f"{ctx.on} is {fmt_days(gap)} after the {self.since} {self.after} on {base.date}; "
                f"{self.compare.words} {self.duration} after it is from {start}"
            )

        if ctx.on >= start:
            return met(told)
        return unmet(told, resolves_on=start)

    def describe(self) -> str:
        return f"{self.compare.words} {self.duration} after the {self.since} {self.after}"


@frozen(kw_only=True)
class RecentProcedure(Criterion):
    """A procedure of ``of`` within ``within`` before the date."""

    kind = "recent_procedure"
    of: Of
    within: Duration

    def check(self, ctx: Ctx) -> Verdict:
        latest = self.of.latest(ctx.record)
        if latest is None:
            return unmet(lambda: f"no {self.of} recorded; one within {self.within} is required")
        lapse = self.within.after(latest.date)
        if ctx.on < lapse:
            last = day_before(lapse)
            return met(
                lambda: f"{self.of} on {latest.date} is within {self.within} (through {last})", until=last
            )
        return unmet(
            lambda: f"the latest {self.of}, on {latest.date}, is more than {self.within} before {ctx.on}"
        )

    def describe(self) -> str:
        return f"a {self.of} within {self.within}"


@frozen(kw_only=True)
class Cap(Criterion):
    """At most ``max`` sessions of ``of`` in a rolling ``window`` (or ever, without one).

    Sessions are days: two procedures of ``of`` on one day are one session.  An
    earlier session on X counts against a date D while D < X + window.  The
    proposed procedure is one session of its own.
    """

    kind = "cap"
    of: Of
    max: Count
    window: Duration | None = None

    def check(self, ctx: Ctx) -> Verdict:
        days = self.of.days(ctx.record, ctx.on, self.window)
        n, span = len(days), self._span
        if n < self.max:
            return met(lambda: f"{n} earlier {self.of} session(s) {span}; at most {self.max} {span}")

        def told() -> str:
            listed = latest(days, str, ", ".join)
            return f"{n} {self.of} session(s) {span} before {ctx.on} ({listed}); at most {self.max}"

        if self.window is None:
            return unmet(told)
        # The earliest date on which enough of them have dropped out of the window.
        frees = self.window.after(days[len(days) - self.max])
        return unmet(lambda: f"{told()}: the next is allowed from {frees}", resolves_on=frees)

    @cached_property
    def _span(self) -> str:
        return f"in {self.window}" if self.window else "in all"

    def describe(self) -> str:
        return (
            f"at most {self.max} {self.of} per {self.window}"
            if self.window
            else f"at most {self.max} {self.of} ever"
        )
