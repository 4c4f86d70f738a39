"""Conservative care: courses of the kinds a rule names, united, with their response."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Literal, NewType

from attrs import field, frozen
from pendulum import Date

from .._events import Care, CareKind, Component, Response
from .._record import Record
from .._time import Duration, days_between, shift
from ._base import (
    Compare,
    Criterion,
    Ctx,
    Verdict,
    fmt_days,
    listing,
    met,
    non_empty,
    non_empty_groups,
    unknown,
    unmet,
)
from .timing import Count

#: A course's length: days or weeks (a month has no fixed number of days).
CareDuration = NewType("CareDuration", Duration)

_INADEQUATE = (Response.FAILED, Response.PARTIAL)


def _kinds(values: Sequence[str]) -> tuple[CareKind, ...]:
    return tuple(CareKind(v) for v in values)


def _components(values: Sequence[str]) -> tuple[Component, ...]:
    return tuple(Component(v) for v in values)


def _kind_groups(values: Sequence[Sequence[str]]) -> tuple[tuple[CareKind, ...], ...]:
    return tuple(_kinds(g) for g in values)


def _component_groups(values: Sequence[Sequence[str]]) -> tuple[tuple[Component, ...], ...]:
    return tuple(_components(g) for g in values)


@frozen(kw_only=True)
class CareCourses(Criterion):
    """Courses of ``kinds`` with an inadequate response, united, for ``compare`` ``duration``.

    - ``each_of``: groups of kinds; some counted course must be of each group
      ("at least one therapy and one medication course").
    - ``components``: groups of PT components; some counted course must list
      one of each group.
    - ``listing``: only courses listing one of these PT components count ("6 weeks of
      supervised exercise" within a therapy course).
    - ``min_courses``: at least this many counted courses.
    - ``accept_intolerance``: a course ``not_tolerated`` or ``contraindicated``
      meets the rule by itself ("NSAID ≥ 3 weeks or not tolerated").
    - ``response``: ``"inadequate"`` (failed or partial; the default) or ``"any"``.

    A course's length is ``end - start`` in days; an open course (or one that
    ends after the date) runs to the date.  Overlapping days count once.
    """

    kind = "care"
    kinds: tuple[CareKind, ...] = field(converter=_kinds, validator=non_empty)
    duration: CareDuration | None = None
    compare: Compare = Compare.AT_LEAST
    response: Literal["inadequate", "any"] = "inadequate"
    each_of: tuple[tuple[CareKind, ...], ...] = field(
        default=(), converter=_kind_groups, validator=non_empty_groups
    )
    components: tuple[tuple[Component, ...], ...] = field(
        default=(), converter=_component_groups, validator=non_empty_groups
    )
    listing: tuple[Component, ...] = field(default=(), converter=_components)
    min_courses: Count = Count(1)
    accept_intolerance: bool = False

    def check(self, ctx: Ctx) -> Verdict:
        found = self._courses(ctx.record)
        courses, counted, pending = found.courses, found.counted, found.pending
        if not courses:
            with_ = f" listing {listing(self.listing)}" if self.listing else ""
            return unmet(lambda: f"no {listing(self.kinds)} course{with_} recorded")
        if self.accept_intolerance:
            spared = next((c for c in courses if c.not_tolerated or c.contraindicated), None)
            if spared is not None:
                why = "not tolerated" if spared.not_tolerated else "contraindicated"
                return met(lambda: f"{spared.care} from {spared.start} {why}")
        ok, told, when = self._enough(found, False)
        if ok:
            return met(told)
        if pending:
            ok2, _, when2 = self._enough(found, True)
            if ok2 or when2 is not None:
                return unknown(
                    lambda: (
                        f"{told()}; response not documented for "
                        + ", ".join(f"{c.care} from {c.start}" for c in pending)
                    ),
                    resolves_on=when2,
                )
        if when is not None:
            return unmet(told, resolves_on=when)
        improved = [c for c in courses if c.response is Response.IMPROVED]
        if improved and not counted:
            c = improved[0]
            return unmet(lambda: f"{told()}; {listing(self.kinds)} improved ({c.care} from {c.start})")
        return unmet(told)

    def describe(self) -> str:
        parts = [listing(self.kinds)]
        if self.listing:
            parts[0] += f" listing {listing(self.listing)}"
        if self.duration is not None:
            parts.append(f"{self.compare.words} {self.duration}")
        if self.response != "any":
            parts.append("inadequate response")
        if self.accept_intolerance:
            parts.append("or not tolerated")
        if self.min_courses > 1:
            parts.append(f"at least {self.min_courses} courses")
        parts += [f"one of {listing(g)}" for g in (*self.each_of, *self.components)]
        return ", ".join(parts)

    def _courses(self, record: Record) -> _Courses:
        """The courses on record this rule reads (kept on the record for the rules that read the same)."""
        return record.memo.get(
            self._memo_key,
            lambda: _Courses(
                [
                    c
                    for c in record.care
                    if c.care in self.kinds
                    and (not self.listing or not self.listing_set.isdisjoint(c.components))
                ],
                self.response,
                record.on,
            ),
        )

    @cached_property
    def listing_set(self) -> frozenset[Component]:
        return frozenset(self.listing)

    @cached_property
    def _memo_key(self) -> str:
        return f"care:{self.response}:{','.join(sorted(self.kinds))}:{','.join(sorted(self.listing))}"

    def _enough(self, found: _Courses, pending: bool) -> tuple[bool, Callable[[], str], Date | None]:
        """Whether the counted courses (with ``pending``, those whose response is not
        documented too) meet the rule on the record's date, and why; else when time alone would
        make them."""
        on = found.on
        courses = found.with_pending if pending else found.counted
        done = {c.care for c in courses}
        missing = [g for g in self.each_of if done.isdisjoint(g)]
        if missing:
            return False, lambda: f"no counted {listing(missing[0])} course", None
        lacking = [g for g in self.components if not any(set(g) & set(c.components) for c in courses)]
        if lacking:
            return False, lambda: f"no {listing(self.kinds)} course with {listing(lacking[0])}", None
        n = len(courses)
        if n < self.min_courses:
            return (
                False,
                lambda: f"{n} counted {listing(self.kinds)} course(s); at least {self.min_courses} required",
                None,
            )
        if self.duration is None:
            return True, lambda: f"{n} counted {listing(self.kinds)} course(s)", None
        need = self._days_needed
        total = found.united_days(pending)

        def told() -> str:
            return (
                f"{listing(self.kinds)}: {fmt_days(total)} by {on}; "
                f"{self.compare.words} {self.duration} required"
            )

        if total >= need:
            return True, told, None
        when = shift(on, need - total)
        if when <= _reach(courses, on):
            return False, lambda: f"{told()} (reached on {when} if the course goes on)", when
        return False, told, None

    @cached_property
    def _days_needed(self) -> int:
        """The days the courses must unite to (a course's length is in days or weeks)."""
        need = self.duration.days if self.duration is not None else None
        assert need is not None  # the loader refuses months for care
        return need + 1 if self.compare is Compare.MORE_THAN else need


class _Courses:
    """The courses of a rule's kinds on record: all of them, those counted (by response) and
    those whose response is not documented; their united days worked out once."""

    __slots__ = ("_days", "counted", "courses", "on", "pending", "with_pending")

    def __init__(self, courses: list[Care], response: str, on: Date) -> None:
        self.courses, self.on = courses, on
        if response == "any":
            self.counted, self.pending = courses, []
        else:
            self.counted = [c for c in courses if c.response in _INADEQUATE]
            self.pending = [c for c in courses if c.response is None]
        self.with_pending = self.counted + self.pending
        self._days: dict[bool, int] = {}

    def united_days(self, pending: bool) -> int:
        """The days the counted courses (with ``pending``, and the pending ones) cover by ``on``."""
        days = self._days.get(pending)
        if days is None:
            days = self._days[pending] = _united_days(self.with_pending if pending else self.counted, self.on)
        return days


def _united_days(courses: list[Care], on: Date) -> int:
    """Days covered by the courses up to ``on``, overlaps once."""
    spans = sorted((c.start, min(c.end, on) if c.end is not None else on) for c in courses if c.start <= on)
    total = 0
    cur_start: Date | None = None
    cur_end: Date | None = None
    for s, e in spans:
        if cur_end is None or s > cur_end:
            if cur_end is not None and cur_start is not None:
                total += days_between(cur_start, cur_end)
            cur_start, cur_end = s, e
        elif e > cur_end:
            cur_end = e
    if cur_end is not None and cur_start is not None:
        total += days_between(cur_start, cur_end)
    return total


def _reach(courses: list[Care], on: Date) -> Date:
    """How far the courses going on at ``on`` reach (``Date.min`` when none is)."""
    ends = [c.end for c in courses if c.start <= on and (c.end is None or c.end > on)]
    if not ends:
        return Date.min  # type: ignore[return-value]
    return Date.max if None in ends else max(e for e in ends if e is not None)  # type: ignore[return-value]
