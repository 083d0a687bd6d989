"""Working days as the State Council's yearly notice sets them, 调休 makeup days included.

The maintained source is the chinesecalendar package (2004 to its last published year).
The office can declare any date 工作日 or 休息日 (a late notice, a local arrangement) and
can confirm a year the package does not know yet by entering its notice (制度设置.xlsx,
policy/settings.py); a date in a year nobody confirmed is an error ("日历未确认"), never a
weekends-only guess, because a wrong appeal deadline costs a department real points.

    >>> cal = WorkCalendar()
    >>> cal.add_workdays(date(2026, 9, 30), 3)   # 10-01..07 off; 10-08, 10-09, 10-10 (调休 Saturday)
    datetime.date(2026, 10, 10)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from .errors import CalendarUnknownError

WORKDAY = "工作日"
RESTDAY = "休息日"


@dataclass(frozen=True)
class CalendarOverride:
    """A date the office declares 工作日 or 休息日, with where that comes from."""

    day: date
    kind: str  # 工作日 | 休息日
    note: str = ""
    notice: str = ""

    def __post_init__(self) -> None:
        if self.kind not in (WORKDAY, RESTDAY):
            raise ValueError(f"日历类型应为“{WORKDAY}”或“{RESTDAY}”: {self.kind}")


class WorkCalendar:
    """Chinese working days: overrides first, then the package, then confirmed years."""

    def __init__(self, overrides: Iterable[CalendarOverride] = (), confirmed_years: Iterable[int] | Mapping[int, str] = ()) -> None:
        self.entries = {o.day: o for o in overrides}
        self.overrides = {day: o.kind == WORKDAY for day, o in self.entries.items()}
        self.confirmed_years = frozenset(confirmed_years)
        # a confirmed year's notice number (通知文号), when given as a mapping
        self.notices: dict[int, str] = dict(confirmed_years) if isinstance(confirmed_years, Mapping) else {}
        # chinese_calendar.is_workday scans its holiday tables on every call (~50 µs a
        # date); a deadline walks several dates and WORKDAY_CN recalculates per cell, so
        # each date's answer is kept (a year is 365 entries; the tables never change)
        self._known: dict[date, bool] = {}
        self._years: dict[int, bool] = {}

    def package_knows(self, year: int) -> bool:
        known = self._years.get(year)
        if known is None:
            try:
                chinese_calendar.is_workday(date(year, 6, 1))
                known = True
            except NotImplementedError:
                known = False
            self._years[year] = known
        return known

    def last_package_year(self) -> int:
        """The last year the package knows (its latest published notice)."""
        year = 2004
        while self.package_knows(year + 1):
            year += 1
        return year

    def knows(self, year: int) -> bool:
        return year in self.confirmed_years or self.package_knows(year)

    def is_workday(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.confirmed_years and not self.package_knows(day.year):
            # The office entered this year's notice as overrides; the other days follow the week.
            return day.weekday() < 5
        if not self.package_knows(day.year):
            raise CalendarUnknownError(day.year)
        return bool(chinese_calendar.is_workday(day))

    def add_workdays(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (start itself never counts, 民法典 201)."""
        if days < 0:
            raise ValueError("工作日天数不能为负")
        current, left = start, days
        while left:
            current += timedelta(days=1)
            if self.is_workday(current):
                left -= 1
        return current

    def days_of_year(self, year: int) -> Iterator[tuple[date, bool]]:
        """Every date of a year with its working-day flag (the 工作日历 sheet's rows)."""
        day = date(year, 1, 1)
        while day.year == year:
            yield day, self.is_workday(day)
            day += timedelta(days=1)


_DEFAULT = WorkCalendar()


def default_calendar() -> WorkCalendar:
    return _DEFAULT
