"""Calendar arithmetic: days by ordinals, months by pendulum's clamping."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from episodes._time import Duration, day_after, day_before, days_between, shift
from episodes.testing import day

dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)).map(
    lambda d: pendulum.date(d.year, d.month, d.day)
)


@given(dates, st.integers(-4000, 4000))
def test_days_are_pendulums_days(d: pendulum.Date, n: int) -> None:
    length = Duration.parse(f"{abs(n)} days")
    moved = length.after(d) if n >= 0 else length.before(d)
    assert moved == d.add(days=n) == shift(d, n)
    assert type(moved) is pendulum.Date
    assert days_between(d, moved) == n


@given(dates, st.integers(0, 200))
def test_weeks_are_seven_days(d: pendulum.Date, n: int) -> None:
    assert Duration.parse(f"{n} weeks").after(d) == d.add(weeks=n)
    assert Duration.parse(f"{n} weeks").before(d) == d.subtract(weeks=n)


@pytest.mark.parametrize(
    ("start", "length", "expected"),
    [
        ("2023-08-31", "6 months", "2024-02-29"),  # into a leap February
        ("2025-08-31", "6 months", "2026-02-28"),
        ("2024-02-29", "1 year", "2025-02-28"),
        ("2024-02-29", "12 months", "2025-02-28"),
        ("2024-02-28", "1 day", "2024-02-29"),
        ("2024-02-29", "1 day", "2024-03-01"),
        ("2023-02-28", "1 day", "2023-03-01"),
        ("2026-12-31", "1 week", "2027-01-07"),
    ],
)
def test_month_ends_and_leap_days(start: str, length: str, expected: str) -> None:
    assert Duration.parse(length).after(pendulum.parse(start).date()) == pendulum.parse(expected).date()


def test_neighbours() -> None:
    leap = pendulum.date(2024, 2, 29)
    assert day_before(leap) == pendulum.date(2024, 2, 28)
    assert day_after(leap) == pendulum.date(2024, 3, 1)


@pytest.mark.parametrize(
    ("on", "still"),
    [
        # Aug 31 + 6 months is Feb 28 (2026 is not a leap year): counting through Feb 27
        ("2026-02-27", ["2025-08-31", "2025-09-30", "2026-01-15"]),
        ("2026-02-28", ["2025-09-30", "2026-01-15"]),
        # Sep 30 + 6 months is Mar 30
        ("2026-03-29", ["2025-09-30", "2026-01-15"]),
        ("2026-03-30", ["2026-01-15"]),
        ("2026-07-15", []),
    ],
)
def test_what_still_counts_within_a_window_is_the_latest(on: str, still: list[str]) -> None:
    """Dated X, an item counts on D while D < X + the window; found by bisection, as the
    latest, at the day before, of and after each edge (month ends clamped)."""
    dates = [day(d) for d in ("2025-08-31", "2025-09-30", "2026-01-15")]
    six = Duration.parse("6 months")
    assert list(six.counting(dates, day(on), lambda d: d)) == [day(d) for d in still]
    assert list(six.counting(dates, day(on), lambda d: d)) == [d for d in dates if day(on) < six.after(d)]
