"""Working days of the Vietnamese public administration, for deadlines counted in working days.
Pure: no Django.

Statutory days off come from the `holidays` package (Bộ luật Lao động 2019 Điều 112: Tết
Dương lịch, Tết Âm lịch on the Vietnamese lunar calendar, Giỗ Tổ Hùng Vương, 30/4, 1/5, 2/9 and
its adjacent day, compensatory days when a holiday falls on a weekend, and the swapped days it
knows: a Saturday worked for a bridge day off). The package cannot know every year's Prime
Minister's decision in advance nor a province's own decisions: an override table is layered on
top, each entry with its legal basis (`Override`). An override wins over the package:

- holiday, compensatory, swapped_day_off: a day off;
- swapped_workday: a (Saturday) worked in exchange for a day off;
- workday: a working day after all (the package's day off did not happen).

Working day = (Monday–Friday, or a swapped Saturday) and not a day off.

The office-hours rule (onestop-and-documents.md §3.2): a dossier received after the afternoon
close, or on a day off, is counted from the next working day; the due date of N working days
is the N-th working day after the day counting starts from.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache

import holidays

from parindex.domain.i18n import gettext_noop as N_

HOLIDAY = "holiday"
COMPENSATORY = "compensatory"
SWAPPED_DAY_OFF = "swapped_day_off"
SWAPPED_WORKDAY = "swapped_workday"
WORKDAY = "workday"
KINDS = (HOLIDAY, COMPENSATORY, SWAPPED_DAY_OFF, SWAPPED_WORKDAY, WORKDAY)
DAYS_OFF = frozenset({HOLIDAY, COMPENSATORY, SWAPPED_DAY_OFF})

KIND_LABELS = {
    HOLIDAY: N_("day off (holiday)"),
    COMPENSATORY: N_("compensatory day off"),
    SWAPPED_DAY_OFF: N_("day off in exchange for a working day"),
    SWAPPED_WORKDAY: N_("working day in exchange for a day off"),
    WORKDAY: N_("working day (not a holiday after all)"),
}
# Vietnamese words an override file may use for the kinds.
KIND_WORDS = {
    "nghỉ lễ": HOLIDAY,
    "ngày lễ": HOLIDAY,
    "nghỉ": HOLIDAY,
    "nghỉ bù": COMPENSATORY,
    "nghỉ hoán đổi": SWAPPED_DAY_OFF,
    "làm bù": SWAPPED_WORKDAY,
    "làm việc bù": SWAPPED_WORKDAY,
    "đi làm bù": SWAPPED_WORKDAY,
    "làm việc": WORKDAY,
    "ngày làm việc": WORKDAY,
}

WORKING_HOURS_PER_DAY = 8
SATURDAY = 5

# The unit of a procedure's time limit (thời hạn giải quyết).
WORKING_DAYS = "working_days"
DAYS = "days"
HOURS = "hours"


@dataclass(frozen=True)
class Override:
    date: date
    kind: str
    legal_basis: str
    note: str = ""


@dataclass(frozen=True)
class OfficeHours:
    """Office hours of a one-stop desk (TD's defaults: 07:00–11:30 and 13:30–17:00)."""

    opens: time = time(7, 0)
    morning_close: time = time(11, 30)
    afternoon_open: time = time(13, 30)
    closes: time = time(17, 0)


DEFAULT_OFFICE_HOURS = OfficeHours()


@lru_cache(maxsize=64)
def _statutory(year: int):
    """The package's days off of one year (Vietnamese names) and its swapped working days."""
    days = holidays.country_holidays("VN", years=year, language="vi")
    return dict(days.items()), frozenset(d for d in days.weekend_workdays if d.year == year)


class WorkingCalendar:
    """The working days: the `holidays` package's days off with `overrides` on top."""

    def __init__(self, overrides=()):
        self.overrides: dict[date, Override] = {o.date: o for o in overrides}
        self._sorted: dict[int, list[date]] = {}  # year → its working days, ascending

    # --- one day ---------------------------------------------------------------------------

    def day_off(self, day: date) -> str | None:
        """Why `day` is no working day (the holiday's name, the override's legal basis, or a
        weekday name), or None for a working day."""
        override = self.overrides.get(day)
        if override is not None:
            if override.kind in DAYS_OFF:
                return override.note or override.legal_basis
            return None
        statutory, swapped = _statutory(day.year)
        name = statutory.get(day)
        if name is not None:
            return name
        if day.weekday() >= SATURDAY and day not in swapped:
            return "Thứ Bảy" if day.weekday() == SATURDAY else "Chủ nhật"
        return None

    def is_working_day(self, day: date) -> bool:
        return self.day_off(day) is None

    # --- counting --------------------------------------------------------------------------

    def working_days(self, first: date, last: date) -> list[date]:
        """Every working day in [first, last], ascending (for vectorised checks: a sorted
        list a data frame can join or search)."""
        days: list[date] = []
        for year in range(first.year, last.year + 1):
            for day in self._year(year):
                if first <= day <= last:
                    days.append(day)
        return days

    def _year(self, year: int) -> list[date]:
        if year not in self._sorted:
            day, days = date(year, 1, 1), []
            while day.year == year:
                if self.is_working_day(day):
                    days.append(day)
                day += timedelta(days=1)
            self._sorted[year] = days
        return self._sorted[year]

    def _next(self, day: date) -> date:
        """The first working day after `day`."""
        year = day.year
        while True:
            days = self._year(year)
            index = bisect.bisect_right(days, day)
            if index < len(days):
                return days[index]
            year += 1
            if year > day.year + 2:  # a calendar without working days is a broken override set
                raise ValueError("no working day within two years")

    def start_day(self, received: date | datetime, office: OfficeHours | None = None) -> date:
        """The day counting starts from: the reception day, or the next working day when the
        dossier came on a day off or (with office hours) after the afternoon close."""
        office = DEFAULT_OFFICE_HOURS if office is None else office
        if isinstance(received, datetime):
            day = received.date()
            if received.time() > office.closes:
                return self._next(day)
        else:
            day = received
        return day if self.is_working_day(day) else self._next(day)

    def add_working_days(
        self, start: date | datetime, n: int, office: OfficeHours | None = None
    ) -> date:
        """The n-th working day after the day counting starts from (`start_day`); n = 0: that
        day itself."""
        if n < 0:
            raise ValueError("n must be 0 or more")
        day = self.start_day(start, office)
        days = self._year(day.year)
        index = bisect.bisect_left(days, day)
        year = day.year
        while index + n >= len(days):
            n -= len(days) - index
            year += 1
            days, index = self._year(year), 0
            if year > day.year + 200:
                raise ValueError("too many working days")
        return days[index + n]

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        for year in range(start.year, end.year + 1):
            days = self._year(year)
            low = bisect.bisect_right(days, start) if year == start.year else 0
            high = bisect.bisect_right(days, end) if year == end.year else len(days)
            count += max(0, high - low)
        return count

    def days_off(self, year: int) -> list[tuple[date, str, str]]:
        """Every day off of `year` other than ordinary weekends, and every swapped working
        Saturday: (day, reason, source) with source "holidays" (the package) or "override"."""
        found = []
        day = date(year, 1, 1)
        statutory, swapped = _statutory(year)
        while day.year == year:
            override = self.overrides.get(day)
            if override is not None:
                found.append((day, override.note or override.legal_basis, override.kind))
            elif day in statutory:
                found.append((day, statutory[day], HOLIDAY))
            elif day in swapped:
                found.append((day, "Làm việc bù", SWAPPED_WORKDAY))
            day += timedelta(days=1)
        return found

    def due_date(
        self,
        received: date | datetime,
        limit: Decimal | int | float,
        unit: str = WORKING_DAYS,
        office: OfficeHours | None = None,
    ) -> date:
        """The due date of a procedure's time limit: in working days, calendar days (the last
        one pushed off a day off) or working hours (8 a day)."""
        if unit == WORKING_DAYS:
            return self.add_working_days(received, math.ceil(Decimal(str(limit))), office)
        if unit == DAYS:
            start = received.date() if isinstance(received, datetime) else received
            day = start + timedelta(days=math.ceil(Decimal(str(limit))))
            return day if self.is_working_day(day) else self._next(day)
        if unit == HOURS:
            return self.add_working_days(
                received, math.ceil(Decimal(str(limit)) / WORKING_HOURS_PER_DAY), office
            )
        raise ValueError(f"unknown unit of a time limit: {unit}")
