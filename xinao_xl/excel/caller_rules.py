"""The rules a worksheet function computes with: those of the month of the workbook that calls it.

Why: a cell of ``D:/服务考核/2027-01/2027-01_服务绩效考核表.xlsx`` must give the number the
close of 2027-01 gives, with the office's settings in effect for 2027-01 (制度设置.xlsx in
``D:/服务考核``), while a 2026-12 workbook open beside it keeps 2026-12's. xlwings hands a UDF
the calling cell when the function has an argument named ``caller`` (it is not shown in
Excel: the VBA stub passes ``Nothing`` and xlwings puts the calling Range there); its
workbook's full name gives the month folder.

Cost: Excel recalculates thousands of cells; the month's rules are kept per workbook and the
settings file is looked at again (its size and time) at most every `RECHECK` seconds, so a
call after the first costs a dictionary lookup and a clock read (tests/excel/test_caller_rules.py
checks 3,000 calls read the settings once; benchmarks/ measures the microseconds). Reaching the workbook's name through COM
(``caller.sheet.book.fullname``) is Excel-only and not measured here.

    >>> rules_for_caller(None) is load_rules()   # no caller (a test, the function wizard)
    True
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xinao_xl.books.settings_book import month_rules, settings_path
from xinao_xl.policy.errors import SETTINGS_BOOK, PolicyInputError, SettingsError
from xinao_xl.policy.month import Month
from xinao_xl.policy.rules import Rules, load_rules

__all__ = ["RECHECK", "book_path", "clear", "rules_for_caller", "rules_for_path"]

RECHECK = 2.0  # seconds between looks at 制度设置.xlsx for a workbook already seen


@dataclass
class _Entry:
    rules: Rules
    stamp: tuple[int, int] | None  # the settings file's (mtime_ns, size) when read; None: no file
    checked: float  # time.monotonic() of the last look


_CACHE: dict[str, _Entry] = {}
_LOCK = threading.Lock()


def book_path(caller: Any) -> str | None:
    """The calling workbook's full name (a path once saved), or None.

    Excel-only in practice: xlwings' Range → Sheet → Book → fullname, each a COM call."""
    try:
        return str(caller.sheet.book.fullname)
    except Exception:  # noqa: BLE001 - no workbook behind the caller: the packaged rules
        return None


def rules_for_caller(caller: Any) -> Rules:
    """The rules of the calling workbook's month (packaged rules when there is no caller or
    the workbook is not in a month folder)."""
    if caller is None:
        return load_rules()
    path = book_path(caller)
    return load_rules() if path is None else rules_for_path(path)


def rules_for_path(path: str) -> Rules:
    """`rules_for_caller` once the workbook's path is known (cached per path)."""
    now = time.monotonic()
    entry = _CACHE.get(path)
    if entry is not None and now - entry.checked < RECHECK:
        return entry.rules
    place = _month_place(path)
    if place is None:
        return load_rules()
    root, month = place
    stamp = _stamp(settings_path(root))
    if entry is not None and entry.stamp == stamp:
        entry.checked = now
        return entry.rules
    try:
        rules = month_rules(root, month)
    except SettingsError as exc:  # a cell shows a short text; 校验 and the commands name the cell
        raise PolicyInputError("制度设置有误", SETTINGS_BOOK, exc.problems[0].text if exc.problems else "") from None
    with _LOCK:
        _CACHE[path] = _Entry(rules, stamp, now)
    return rules


def _month_place(path: str) -> tuple[Path, Month] | None:
    """(root, month) of ``root/2027-01/2027-01_….xlsx``; the folder's name first, then the file's."""
    p = Path(path)
    month = Month.match(p.parent.name)
    if month is not None:
        return p.parent.parent, month
    month = Month.search(p.name)
    return (p.parent, month) if month is not None else None


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


def clear() -> None:
    """Forget every workbook's rules (tests; after a refresh the recheck finds the change anyway)."""
    with _LOCK:
        _CACHE.clear()
