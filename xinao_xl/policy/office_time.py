"""The office's clock: Asia/Shanghai, whatever the machine's own time zone says.

Why its own function: a month has ended when its last day has ended in 聊城, not on the
machine running the command (a laptop set to UTC closes "November" at 08:00 on 1 December
Beijing time; a server in UTC would refuse it until then). Everything that asks "what day
is it for the office" asks here.

    >>> office_today() >= date(2026, 1, 1)
    True
    >>> month_has_ended("2026-11", datetime(2026, 12, 1, 0, 0))
    True
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

OFFICE_TZ = ZoneInfo("Asia/Shanghai")  # the IANA data comes from tzdata (a pandas dependency) on Windows


def office_now() -> datetime:
    """Now in the office's time zone, as a naive datetime (the workbooks hold naive times)."""
    return datetime.now(UTC).astimezone(OFFICE_TZ).replace(tzinfo=None)


def office_today() -> date:
    return office_now().date()


def month_last_day(month: str) -> date:
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, calendar.monthrange(year, mon)[1])


def month_has_ended(month: str, now: datetime | date) -> bool:
    """Whether `month` (``YYYY-MM``) is over at `now` (office time): its last day is behind."""
    day = now.date() if isinstance(now, datetime) else now
    return day > month_last_day(month)
