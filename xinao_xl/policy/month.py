"""A month of the policies' calendar, as staff and the month folders write it: ``2026-11``.

Why a value of its own: the month is the unit everything is counted in (scores, quotas,
the close), its folder is named by it, and the arithmetic on it (next month, the three
months before, the last day) was written out by hand in seven places. `Month` is a `str`,
so it goes wherever a month was a string before (file names, dict keys, the history store,
JSON) and compares as one: ``Month("2026-11") == "2026-11"``, and text order is time order.

    >>> m = Month("2026-12")
    >>> m.next(), m.prev(3), m.first_day, m.last_day, m.title
    ('2027-01', '2026-09', datetime.date(2026, 12, 1), datetime.date(2026, 12, 31), '2026年12月')
    >>> Month.search("2026-11_客户投诉台账.xlsx"), Month.match("杂项")
    ('2026-11', None)
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from .errors import XinaoError, quote

__all__ = ["Month", "MonthError"]

_PATTERN = r"\d{4}-(?:0[1-9]|1[0-2])"
_FULL = re.compile(_PATTERN)
_ANYWHERE = re.compile(f"({_PATTERN})")


class MonthError(XinaoError, ValueError):
    """Text that is not a month ``YYYY-MM`` (the message says the form expected)."""


class Month(str):
    """``YYYY-MM``, checked when made; `year` and `number` (1–12) as ints."""

    year: int
    number: int

    def __new__(cls, text: str | date) -> Month:
        if isinstance(text, date):
            text = f"{text.year:04d}-{text.month:02d}"
        if isinstance(text, Month):
            return text
        if not isinstance(text, str) or not _FULL.fullmatch(text):
            raise MonthError(f"月份格式应为 YYYY-MM，如 2026-12，而不是“{quote(text)}”")
        self = super().__new__(cls, text)
        self.year, self.number = int(text[:4]), int(text[5:7])
        return self

    @classmethod
    def of(cls, day: date) -> Month:
        """The month `day` (a date or datetime) lies in."""
        return cls(day)

    @classmethod
    def match(cls, text: str) -> Month | None:
        """`text` as a month when it is one (a folder name), else None."""
        return cls(text) if isinstance(text, str) and _FULL.fullmatch(text) else None

    @classmethod
    def search(cls, text: str) -> Month | None:
        """The first month written anywhere in `text` (``2026-11_客户投诉台账.xlsx``), else None."""
        found = _ANYWHERE.search(text)
        return cls(found.group(1)) if found else None

    def plus(self, n: int) -> Month:
        """`n` months later (earlier when negative)."""
        index = self.year * 12 + self.number - 1 + n
        return Month(f"{index // 12:04d}-{index % 12 + 1:02d}")

    def next(self, n: int = 1) -> Month:
        return self.plus(n)

    def prev(self, n: int = 1) -> Month:
        return self.plus(-n)

    def back(self, n: int) -> list[Month]:
        """The `n` months ending with this one, oldest first (a trend's or a period's months)."""
        return [self.plus(i) for i in range(1 - n, 1)]

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.number, calendar.monthrange(self.year, self.number)[1])

    def days(self) -> list[date]:
        """Every day of the month, in order."""
        first = self.first_day
        return [first + timedelta(days=i) for i in range(self.last_day.day)]

    def contains(self, moment: object) -> bool:
        """Whether a date or datetime lies in the month (anything else does not)."""
        return isinstance(moment, date) and moment.year == self.year and moment.month == self.number

    @property
    def title(self) -> str:
        """The month as staff write it in a title: 2026年11月."""
        return f"{self.year}年{self.number}月"

    @property
    def folder_name(self) -> str:
        """The name of the month's folder (the month itself)."""
        return str(self)

    def __getnewargs__(self) -> tuple[str]:  # pickling and copying go through __new__ with the text
        return (str(self),)
