"""Calendar arithmetic, all of it pendulum's, in one place.

A duration is added to the earlier date: weeks as 7 days, months as calendar
months with the day clamped to the month's end (Aug 31 + 6 months is Feb 28,
or Feb 29 in a leap year).  See docs/guide.md, "How time is counted".
"""

from __future__ import annotations

import enum
import re
from datetime import date
from functools import lru_cache

import attrs
import pendulum
from pendulum import Date

_DURATION = re.compile(r"^\s*(\d+)\s+(day|week|month|year)s?\s*$")


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
            raise ValueError(f"expected a duration like '2 weeks' or '6 months', got {text!r}")
        return cls(int(m.group(1)), Unit(m.group(2)))

    def after(self, d: date) -> Date:
        """``d`` plus this duration (months clamped to the month's end)."""
        return _add(d, self.n, self.unit)

    def before(self, d: date) -> Date:
        """``d`` minus this duration (months clamped to the month's end)."""
        return _add(d, -self.n, self.unit)

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
    return pendulum.date(d.year, d.month, d.day)


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
    """Strict ISO ``YYYY-MM-DD`` to a pendulum ``Date``.

    Cached: the dates of a population repeat, and a ``Date`` is immutable, so
    events share one object per date (less memory, less parsing).
    """
    if not isinstance(text, str) or len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError("expected a date as YYYY-MM-DD")
    try:
        return pendulum.date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        raise ValueError("expected a date as YYYY-MM-DD") from None
