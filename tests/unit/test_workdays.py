"""French working days: Easter, the eleven public holidays, deadlines counted in working days."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from guichet.services.workdays import (
    add_working_days,
    easter_sunday,
    is_working_day,
    public_holidays,
    working_days_between,
)


def test_easter_on_known_years():
    known = {2024: date(2024, 3, 31), 2025: date(2025, 4, 20), 2026: date(2026, 4, 5), 2027: date(2027, 3, 28),
             2038: date(2038, 4, 25), 2285: date(2285, 3, 22)}  # fmt: skip
    assert {y: easter_sunday(y) for y in known} == known


def test_public_holidays_of_2026():
    days = public_holidays(2026)
    assert len(days) == 11
    assert days[date(2026, 4, 6)] == "Lundi de Pâques"
    assert days[date(2026, 5, 14)] == "Ascension"
    assert days[date(2026, 5, 25)] == "Lundi de Pentecôte"
    assert date(2026, 11, 11) in days and date(2026, 12, 26) not in days
    assert date(2026, 12, 26) in public_holidays(2026, alsace_moselle=True)


def test_deadlines_skip_weekends_and_holidays():
    # Friday 8 May 2026 is a holiday: received Thursday 7 May, 1 working day later is Monday 11 May.
    assert add_working_days(date(2026, 5, 7), 1) == date(2026, 5, 11)
    # Received Friday 24 December 2027: Christmas is a Saturday; the next working day is Monday 27.
    assert add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 27)
    # Fifteen working days from Thursday 12 November 2026 (11 November is behind): 3 December.
    assert add_working_days(date(2026, 11, 12), 15) == date(2026, 12, 3)
    assert add_working_days(date(2026, 11, 12), 0) == date(2026, 11, 12)


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(0, 80))
def test_adding_then_counting_gives_the_same_number(start, count):
    due = add_working_days(start, count)
    assert working_days_between(start, due) == count
    assert count == 0 or is_working_day(due)
    assert working_days_between(due, start) == -count
    # No working day is skipped: the day before the deadline is one working day short.
    if count:
        assert working_days_between(start, due - timedelta(days=1)) == count - 1
