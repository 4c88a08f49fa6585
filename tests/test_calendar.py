"""The working-day calendar: known years, the office-hours rule, overrides, properties."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.domain import calendar as cal
from parindex.domain.calendar import Override, WorkingCalendar

PLAIN = WorkingCalendar()


def off_weekdays(calendar, year):
    """The weekdays (Mon–Fri) of a year that are days off."""
    day, found = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5 and not calendar.is_working_day(day):
            found.append(day)
        day += timedelta(days=1)
    return found


def test_2025_tet_liberation_day_and_the_swapped_saturday():
    days = off_weekdays(PLAIN, 2025)
    assert [d for d in days if d.month in (1, 2)] == [
        date(2025, 1, 1),
        *(date(2025, 1, d) for d in (27, 28, 29, 30, 31)),
    ]
    assert date(2025, 4, 7) in days  # Giỗ Tổ Hùng Vương, 10/3 âm lịch
    assert {date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2)} <= set(days)
    assert PLAIN.is_working_day(date(2025, 4, 26))  # Saturday worked for Friday 2/5
    assert {date(2025, 9, 1), date(2025, 9, 2)} <= set(days)


def test_2026_tet_and_the_compensatory_giỗ_tổ():
    days = off_weekdays(PLAIN, 2026)
    assert [d for d in days if d.month == 2] == [date(2026, 2, d) for d in (16, 17, 18, 19, 20)]
    assert date(2026, 4, 27) in days  # Giỗ Tổ on Sunday 26/4 → Monday 27/4
    assert PLAIN.day_off(date(2026, 4, 26)) is not None


def test_2024_tet():
    days = off_weekdays(PLAIN, 2024)
    assert [d for d in days if d.month == 2] == [date(2024, 2, d) for d in (8, 9, 12, 13, 14)]
    assert PLAIN.is_working_day(date(2024, 5, 4))  # Saturday worked for Monday 29/4


def test_add_working_days_across_tet():
    # Thursday 23/01/2025 + 5 working days: Friday 24, then Tết, then 3, 4, 5, 6 February.
    assert PLAIN.add_working_days(date(2025, 1, 23), 5) == date(2025, 2, 6)
    assert PLAIN.add_working_days(date(2025, 1, 23), 0) == date(2025, 1, 23)


def test_office_hours_rule():
    friday = datetime(2025, 1, 24, 16, 59)
    assert PLAIN.add_working_days(friday, 1) == date(2025, 2, 3)
    late = datetime(2025, 1, 24, 17, 30)  # after the close: counting starts on 3 February
    assert PLAIN.start_day(late) == date(2025, 2, 3)
    assert PLAIN.add_working_days(late, 1) == date(2025, 2, 4)
    early = datetime(2025, 1, 24, 6, 30)  # before opening: that day counts
    assert PLAIN.start_day(early) == date(2025, 1, 24)
    saturday = datetime(2025, 3, 8, 9, 0)
    assert PLAIN.start_day(saturday) == date(2025, 3, 10)


def test_due_dates_by_unit_of_time_limit():
    monday = datetime(2025, 3, 3, 9, 0)
    assert PLAIN.due_date(monday, 5, cal.WORKING_DAYS) == date(2025, 3, 10)
    assert PLAIN.due_date(monday, 16, cal.HOURS) == date(2025, 3, 5)
    assert PLAIN.due_date(monday, 5, cal.DAYS) == date(2025, 3, 10)  # Saturday 8 → Monday 10
    with pytest.raises(ValueError):
        PLAIN.due_date(monday, 5, "weeks")


def test_overrides_win_over_the_package():
    calendar = WorkingCalendar(
        [
            Override(date(2026, 1, 5), cal.HOLIDAY, "QĐ tỉnh", "ngày thành lập tỉnh"),
            Override(date(2026, 1, 10), cal.SWAPPED_WORKDAY, "QĐ tỉnh"),
            Override(date(2026, 2, 20), cal.WORKDAY, "Thông báo"),
        ]
    )
    assert calendar.day_off(date(2026, 1, 5)) == "ngày thành lập tỉnh"
    assert calendar.is_working_day(date(2026, 1, 10))  # a Saturday
    assert calendar.is_working_day(date(2026, 2, 20))
    assert calendar.add_working_days(date(2026, 1, 2), 1) == date(2026, 1, 6)
    kinds = {day: kind for day, _reason, kind in calendar.days_off(2026)}
    assert (
        kinds[date(2026, 1, 5)] == cal.HOLIDAY and kinds[date(2026, 1, 10)] == cal.SWAPPED_WORKDAY
    )


def test_working_days_between():
    assert PLAIN.working_days_between(date(2025, 1, 23), date(2025, 2, 6)) == 5
    assert PLAIN.working_days_between(date(2025, 2, 6), date(2025, 1, 23)) == -5
    assert PLAIN.working_days_between(date(2025, 3, 3), date(2025, 3, 3)) == 0


days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))


@settings(max_examples=60, deadline=None)
@given(days, st.integers(min_value=0, max_value=400))
def test_adding_never_lands_on_a_day_off(start, n):
    due = PLAIN.add_working_days(start, n)
    assert PLAIN.is_working_day(due)
    assert due >= start


@settings(max_examples=60, deadline=None)
@given(days, st.integers(min_value=0, max_value=300), st.integers(min_value=0, max_value=30))
def test_monotone_and_inverse(start, n, more):
    first, later = PLAIN.add_working_days(start, n), PLAIN.add_working_days(start, n + more)
    assert first <= later
    assert PLAIN.working_days_between(first, later) == more
    if PLAIN.is_working_day(start):
        assert PLAIN.working_days_between(start, first) == n
