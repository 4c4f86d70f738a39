"""Conservative care: courses of the kinds a rule names, united, with their response."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Literal, NamedTuple, NewType, TypeVar

from attrs import field, frozen
from pendulum import Date

from .._events import Care, CareKind, Component, Response
from .._record import Pick, Record
from .._time import Duration, days_between, shift
from ._base import (
    Compare,
    Criterion,
    Ctx,
    Verdict,
    fmt_days,
    latest,
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
K = TypeVar("K", bound=Hashable)


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
        if not found.read("all"):
            with_ = f" listing {listing(self.listing)}" if self.listing else ""
            return unmet(lambda: f"no {listing(self.kinds)} course{with_} recorded")
        if self.accept_intolerance:
            spared = found.read("spared")
            if spared:
                first = spared[0]
                why = "not tolerated" if first.not_tolerated else "contraindicated"
                return met(lambda: f"{first.care} from {first.start} {why}")
        ok, told, when = self._enough(found, "counted")
        if ok:
            return met(told)
        pending = found.read("pending")
        if pending:
            ok2, _, when2 = self._enough(found, "with_pending")
            if ok2 or when2 is not None:
                return unknown(
                    lambda: (
                        f"{told()}; response not documented for "
                        + latest(pending, lambda c: f"{c.care} from {c.start}", ", ".join)
                    ),
                    resolves_on=when2,
                )
        if when is not None:
            return unmet(told, resolves_on=when)
        improved = found.read("improved")
        if improved and not found.read("counted"):
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
        """The courses on record this rule reads."""
        return _Courses(self._picks, record)

    @cached_property
    def _picks(self) -> dict[Which, Pick[Care]]:
        """Each choice of the rule's courses (see ``Which``), made once: plans ask for them many
        times.  Each but ``all`` is picked among ``all``."""
        kinds, listed, any_response = self.kinds, frozenset(self.listing), self.response == "any"
        key = f"care {self.response} {','.join(sorted(kinds))} {','.join(sorted(listed))}"
        every = Pick(
            Care, key, lambda c: c.care in kinds and (not listed or not listed.isdisjoint(c.components))
        )

        def counted(c: Care) -> bool:
            return any_response or c.response in _INADEQUATE

        def pending(c: Care) -> bool:
            return not any_response and c.response is None

        chosen: dict[Which, Callable[[Care], bool]] = {
            "counted": counted,
            "pending": pending,
            "with_pending": lambda c: counted(c) or pending(c),
            "spared": lambda c: bool(c.not_tolerated or c.contraindicated),
            "improved": lambda c: c.response is Response.IMPROVED,
        }
        picks: dict[Which, Pick[Care]] = {"all": every}
        for which, takes in chosen.items():
            picks[which] = Pick(Care, f"{key} {which}", takes, every)
        return picks

    def _enough(self, found: _Courses, which: Counted) -> tuple[bool, Callable[[], str], Date | None]:
        """Whether the counted courses (``with_pending``: those whose response is not
        documented too) meet the rule on the record's date, and why; else when time alone would
        make them."""
        on = found.on
        if self.each_of:
            done = found.count(which, "kinds", _kind_of).keys()
            missing = [g for g in self.each_of if done.isdisjoint(g)]
            if missing:
                return False, lambda: f"no counted {listing(missing[0])} course", None
        if self.components:
            parts = found.count(which, "components", _components_of).keys()
            lacking = [g for g in self.components if parts.isdisjoint(g)]
            if lacking:
                return False, lambda: f"no {listing(self.kinds)} course with {listing(lacking[0])}", None
        n = len(found.read(which))
        if n < self.min_courses:
            return (
                False,
                lambda: f"{n} counted {listing(self.kinds)} course(s); at least {self.min_courses} required",
                None,
            )
        if self.duration is None:
            return True, lambda: f"{n} counted {listing(self.kinds)} course(s)", None
        need = self._days_needed
        united = found.united(which)
        total = united.days(on)

        def told() -> str:
            return (
                f"{listing(self.kinds)}: {fmt_days(total)} by {on}; "
                f"{self.compare.words} {self.duration} required"
            )

        if total >= need:
            return True, told, None
        when = shift(on, need - total)
        if when <= united.reach(on):
            return False, lambda: f"{told()} (reached on {when} if the course goes on)", when
        return False, told, None

    @cached_property
    def _days_needed(self) -> int:
        """The days the courses must unite to (a course's length is in days or weeks)."""
        need = self.duration.days if self.duration is not None else None
        assert need is not None  # the loader refuses months for care
        return need + 1 if self.compare is Compare.MORE_THAN else need


#: Which of a rule's courses: all of them, those counted (by response), those whose
#: response is not documented, both of those, the first not tolerated or contraindicated,
#: those that improved.
Which = Literal["all", "counted", "pending", "with_pending", "spared", "improved"]
Counted = Literal["counted", "with_pending"]


def _kind_of(c: Care) -> tuple[CareKind]:
    return (c.care,)


def _components_of(c: Care) -> tuple[Component, ...]:
    return c.components


class _Courses:
    """A rule's courses on record, read from the record's cut: each choice of them (by
    response) picked once a cut (for an audit, once), and what they add up to (their kinds and
    components counted, their days united) worked out as they come in."""

    __slots__ = ("cut", "on", "picks")

    def __init__(self, picks: dict[Which, Pick[Care]], record: Record) -> None:
        self.picks, self.cut, self.on = picks, record.cut, record.on

    def read(self, which: Which) -> Sequence[Care]:
        """The courses ``which`` names, in order of their start."""
        return self.cut.events(self.picks[which])

    def count(self, which: Which, name: str, keys: Callable[[Care], Iterable[K]]) -> Mapping[K, int]:
        return self.cut.count(self.picks[which], name, keys)

    def united(self, which: Counted) -> _United:
        """The courses' days, united (overlaps once)."""
        return self.cut.scan(self.picks[which], "united", _unite, _NOTHING)


class _United(NamedTuple):
    """Courses united, taken in order of their start: the days of every stretch but the
    latest, and the latest stretch (its end the latest of its courses', open ones ``Date.max``).
    Every stretch but the latest ended before a later course began, and so before the date;
    only the latest can reach past it."""

    closed: int
    start: Date | None
    end: Date

    def days(self, on: Date) -> int:
        """The days the courses cover by ``on``."""
        return self.closed + (days_between(self.start, min(self.end, on)) if self.start is not None else 0)

    def reach(self, on: Date) -> Date:
        """How far the courses going on at ``on`` reach (``Date.min`` when none is)."""
        return self.end if self.start is not None and self.end > on else _NEVER


_NEVER: Date = Date.min  # type: ignore[assignment]
_OPEN: Date = Date.max  # type: ignore[assignment]
_NOTHING = _United(0, None, _NEVER)


def _unite(united: _United, c: Care) -> _United:
    """``united`` with one more course, which starts no earlier than any in it."""
    end = c.end if c.end is not None else _OPEN
    if united.start is None:
        return _United(0, c.start, end)
    if c.start > united.end:  # a gap: the latest stretch is closed
        return _United(united.closed + days_between(united.start, united.end), c.start, end)
    return _United(united.closed, united.start, max(united.end, end))
