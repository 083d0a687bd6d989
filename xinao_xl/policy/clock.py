"""The one clock: every "now", "today" and file time in the office's zone, Asia/Shanghai.

Why: the deadlines, the late flow forms, the close's "as of" and the dates staff type are
all wall-clock times in 聊城. A laptop set to UTC (or a CI runner) used to judge a flow form
due at 24:00 Beijing time as on time for eight more hours, and a close at 2026-12-01 16:30
UTC gave another score than the same close at 2026-12-02 00:30 Beijing time. Here the
instant comes from the system (seconds since the epoch, the same in every zone) and is shown
as Beijing wall time, whatever the machine's zone; `tzdata` supplies the zone on Windows.

Times in the workbooks are naive (Excel has no zones): `now()` and `local()` give naive
Beijing wall time; `stamp()` writes an instant for a record, with its +08:00.

Tests fix the instant, not the wall time, so the zone conversion is exercised too:

    >>> from datetime import UTC
    >>> with fixed(datetime(2026, 12, 1, 16, 30, tzinfo=UTC)):
    ...     now()
    datetime.datetime(2026, 12, 2, 0, 30)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

from .month import Month

ZONE_NAME = "Asia/Shanghai"
ZONE = ZoneInfo(ZONE_NAME)  # 聊城 keeps Beijing time; no daylight saving since 1991

_source: Callable[[], float] = time.time  # seconds since the epoch: the instant, zone-free


def instant() -> datetime:
    """Now as an aware datetime in the office's zone."""
    return datetime.fromtimestamp(_source(), ZONE)


def now() -> datetime:
    """Now as naive Beijing wall time, the way the workbooks hold times."""
    return instant().replace(tzinfo=None)


def today() -> date:
    return instant().date()


def local(moment: datetime) -> datetime:
    """A moment as naive Beijing wall time: an aware one is converted, a naive one is taken
    as Beijing time already (what staff typed, what a workbook holds)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(ZONE).replace(tzinfo=None)


def month_has_ended(month: str, moment: datetime | date) -> bool:
    """Whether `month` (``YYYY-MM``) is over at `moment` (Beijing time): its last day is
    behind. A month ends when its last day has ended in 聊城, not on the machine running the
    command (a laptop set to UTC would close "November" at 08:00 on 1 December Beijing time)."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return day > Month(month).last_day


def aware(moment: datetime) -> datetime:
    """A moment with the office's zone attached (a naive one read as Beijing wall time)."""
    return moment.replace(tzinfo=ZONE) if moment.tzinfo is None else moment.astimezone(ZONE)


def stamp(moment: datetime) -> str:
    """An instant for a record, to the second, with its offset: 2026-12-03T09:00:00+08:00."""
    return aware(moment).replace(microsecond=0).isoformat(timespec="seconds")


def from_timestamp(seconds: float) -> datetime:
    """A file time (seconds since the epoch, as os.stat gives) as naive Beijing wall time."""
    return datetime.fromtimestamp(seconds, ZONE).replace(tzinfo=None)


@contextmanager
def fixed(moment: datetime | float) -> Iterator[None]:
    """Fix the clock at an instant (tests, a re-run "as of" a recorded time): an aware
    datetime, a naive one (Beijing wall time) or seconds since the epoch."""
    global _source
    seconds = moment if isinstance(moment, int | float) else aware(moment).timestamp()
    previous = _source
    _source = lambda: float(seconds)  # noqa: E731 - the clock is a function of nothing
    try:
        yield
    finally:
        _source = previous


__all__ = ["ZONE", "ZONE_NAME", "aware", "fixed", "from_timestamp", "instant", "local", "month_has_ended", "now", "stamp", "today"]
