"""Calendar arithmetic, all of it pendulum's, in one place.

A duration is added to the earlier date: weeks as 7 days, months as calendar
months with the day clamped to the month's end (Aug 31 + 6 months is Feb 28,
or Feb 29 in a leap year).  See docs/guide.md, "How time is counted".
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from typing import TypeVar

import attrs
import pendulum
from pendulum import Date

from ._errors import InvalidEvent, shown

_DURATION = re.compile(r"^\s*(\d{1,6})\s+(day|week|month|year)s?\s*$", re.ASCII)
#: The longest duration a policy may name, in each unit: 100 years (no rule looks further).
_MOST = {"day": 36525, "week": 5218, "month": 1200, "year": 100}
#: The years a date may fall in: wide enough for any record, narrow enough that no policy's
#: duration added to one leaves the calendar.
YEARS = range(1900, 2200)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
T = TypeVar("T")


class Unit(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@attrs.frozen
class Duration:
    """A policy's length of time: ``Duration.parse("6 weeks")``."""

    n: int
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Duration:
        m = _DURATION.match(text) if isinstance(text, str) else None
        if m is None:
            raise ValueError(f"expected a duration like '2 weeks' or '6 months', got {shown(text)}")
        n, unit = int(m.group(1)), m.group(2)
        if n > _MOST[unit]:
            raise ValueError(f"expected at most 100 years, got {shown(text)}")
        return cls(n, Unit(unit))

    def after(self, d: date) -> Date:
        """``d`` plus this duration (months clamped to the month's end)."""
        return _add(d, self.n, self.unit)

    def before(self, d: date) -> Date:
        """``d`` minus this duration (months clamped to the month's end)."""
        return _add(d, -self.n, self.unit)

    def counting(self, items: Sequence[T], on: date, when: Callable[[T], date]) -> Sequence[T]:
        """Of ``items`` in date order, those still counting on ``on``: dated X with ``on < X +
        this``.  X + this never goes back as X goes on, so they are the latest, found by
        bisection."""
        return items[bisect_right(items, on, key=lambda x: self.after(when(x))) :]

    @property
    def days(self) -> int | None:
        """The length in days, where it has one (not for months or years)."""
        if self.unit is Unit.DAY:
            return self.n
        if self.unit is Unit.WEEK:
            return 7 * self.n
        return None

    def __str__(self) -> str:
        return f"{self.n} {self.unit}{'' if self.n == 1 else 's'}"  # a StrEnum formats as its value


@lru_cache(maxsize=65536)
def _add(d: date, n: int, unit: Unit) -> Date:
    base = as_date(d)
    if unit is Unit.DAY or unit is Unit.WEEK:
        # Days are whole numbers on the calendar's ordinal line: the same date as
        # pendulum's add(days=n), in a quarter of the time.
        return Date.fromordinal(base.toordinal() + (n if unit is Unit.DAY else 7 * n))
    if unit is Unit.MONTH:
        return base.add(months=n)
    return base.add(years=n)


def as_date(d: date | str) -> Date:
    """A pendulum ``Date`` for any ``datetime.date``, or for ``YYYY-MM-DD``."""
    if isinstance(d, Date):
        return d
    if isinstance(d, str):
        return parse_date(d)
    if not isinstance(d, date):
        raise TypeError(f"expected a date or 'YYYY-MM-DD', got {type(d).__name__}")
    return pendulum.date(d.year, d.month, d.day)


def query_day(as_of: date | str | None) -> Date:
    """The date a query is asked on: ``as_of`` (a date or ``YYYY-MM-DD``, in ``YEARS``), or
    today.  A bad value is an :class:`~episodes.EpisodeError` naming ``as_of``; a value of
    another Python type, a ``TypeError``."""
    if as_of is None:
        return today()
    if type(as_of) is Date and as_of.year in YEARS:
        return as_of
    try:
        day = as_date(as_of)
    except ValueError as exc:
        raise InvalidEvent(None, "as_of", as_of, str(exc)) from None
    if day.year not in YEARS:
        raise InvalidEvent(None, "as_of", as_of, f"expected a year from {YEARS[0]} to {YEARS[-1]}")
    return day


def days_between(earlier: date, later: date) -> int:
    """Whole calendar days from ``earlier`` to ``later``.

    An ordinal difference: pendulum's ``later - earlier`` builds an Interval
    (about 70 times slower) for the same integer.
    """
    return later.toordinal() - earlier.toordinal()


def shift(d: date, days: int) -> Date:
    """``d`` plus ``days`` (negative: minus), cached like every other addition here."""
    return _add(d, days, Unit.DAY)


def day_after(d: date) -> Date:
    return _add(d, 1, Unit.DAY)


def day_before(d: date) -> Date:
    return _add(d, -1, Unit.DAY)


def today() -> Date:
    """Today's date, read through pendulum (so freezegun moves it)."""
    return pendulum.today().date()


@lru_cache(maxsize=8192)
def parse_date(text: str) -> Date:
    """Strict ISO ``YYYY-MM-DD`` to a pendulum ``Date``: ASCII digits, a real day, a year of
    ``YEARS``.

    Cached: the dates of a population repeat, and a ``Date`` is immutable, so
    events share one object per date (less memory, less parsing).
    """
    m = _DATE.match(text) if type(text) is str else None
    if m is None:
        raise ValueError("expected a date as YYYY-MM-DD")
    year = int(m.group(1))
    if year not in YEARS:
        raise ValueError(f"expected a year from {YEARS[0]} to {YEARS[-1]}")
    try:
        return pendulum.date(year, int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError("expected a real day, as YYYY-MM-DD") from None
