"""Worksheet functions compute with the month of the workbook that calls them (issue 15 item 2):
xlwings passes the calling cell as ``caller`` (Excel-only; here a fake with the same
attributes, ``caller.sheet.book.fullname``), and after the first call the rules are a
dictionary lookup away (measured: each function stays under 20 µs)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook

from xinao_xl.books.settings_book import ensure_settings_book, settings_path
from xinao_xl.excel import caller_rules, udfs


def fake_caller(path: Path) -> Any:
    """What xlwings gives a UDF's ``caller``, as far as `caller_rules` looks at it."""
    return SimpleNamespace(sheet=SimpleNamespace(book=SimpleNamespace(fullname=str(path))))


def set_setting(root: Path, label: str, value: Any, since: str | None = None) -> None:
    wb = load_workbook(settings_path(root))
    ws = wb["制度设置"]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == label)
    ws.cell(row, 5).value, ws.cell(row, 6).value = value, since
    wb.save(settings_path(root))


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    caller_rules.clear()
    monkeypatch.setattr(caller_rules, "RECHECK", 0.0)  # look at the file on every call in these tests
    for month in ("2026-12", "2027-01"):
        (tmp_path / month).mkdir()
    ensure_settings_book(tmp_path)
    set_setting(tmp_path, "E城平台综合上门及时率标准", 0.6, "2027-01")
    return tmp_path


def test_each_workbook_gets_its_months_settings(root: Path) -> None:
    december = fake_caller(root / "2026-12" / "2026-12_服务绩效考核表.xlsx")
    january = fake_caller(root / "2027-01" / "2027-01_服务绩效考核表.xlsx")
    # 入户及时率 55%: 2026-12's target 50% → 0; 2027-01's 60% → (60 − 55) × 2 = 10
    assert udfs.DEDUCT_PLATFORM(0.55, "入户及时率", december) == 0
    assert udfs.DEDUCT_PLATFORM(0.55, "入户及时率", january) == 10
    assert udfs.DEDUCT_PLATFORM(0.55, "入户及时率") == 0  # no caller (the function wizard, a script): the policy's value
    outside = fake_caller(root / "草稿.xlsx")  # not in a month folder: the policy's values
    assert udfs.DEDUCT_PLATFORM(0.55, "入户及时率", outside) == 0


def test_a_changed_setting_reaches_the_cells(root: Path) -> None:
    january = fake_caller(root / "2027-01" / "2027-01_客户投诉台账.xlsx")
    assert udfs.DEDUCT_COMPLAINT("四级", "400", "无责", january) == 0
    set_setting(root, "无责投诉是否扣分", "是", "2027-01")
    assert udfs.DEDUCT_COMPLAINT("四级", "400", "无责", january) == 15  # 7.1.1 as written: 400四级 15


def test_a_bad_setting_shows_a_short_text_in_the_cell(root: Path) -> None:
    set_setting(root, "E城平台综合上门及时率标准", "六十", "2027-01")
    january = fake_caller(root / "2027-01" / "2027-01_服务绩效考核表.xlsx")
    assert udfs.DEDUCT_PLATFORM(0.55, "入户及时率", january) == "#制度设置有误: 制度设置.xlsx"


def test_the_office_calendar_reaches_workday_cn(root: Path) -> None:
    january = fake_caller(root / "2027-01" / "2027-01_客户投诉台账.xlsx")
    assert udfs.WORKDAY_CN("2026-12-30", 3, january) == "#日历未确认: 2027年"
    wb = load_workbook(settings_path(root))
    wb["放假安排"].append(["2027-01-01", "休", "元旦", "国办发明电〔2026〕X号"])
    wb["已确认年度"]["A3"] = 2027
    wb.save(settings_path(root))
    # 12-31 1, 01-01 休, weekend, 01-04 2, 01-05 3
    assert udfs.WORKDAY_CN("2026-12-30", 3, january).date().isoformat() == "2027-01-05"


def test_each_function_reads_the_settings_book_once_for_thousands_of_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel recalculates thousands of cells: after the first call a function must not read
    制度设置.xlsx again (a read costs milliseconds, a call must cost microseconds; the
    microseconds themselves are measured in benchmarks/, not asserted on a shared machine)."""
    caller_rules.clear()
    (tmp_path / "2027-01").mkdir()
    ensure_settings_book(tmp_path)
    me = fake_caller(tmp_path / "2027-01" / "2027-01_服务绩效考核表.xlsx")
    reads: list[object] = []
    real = caller_rules.month_rules
    monkeypatch.setattr(caller_rules, "month_rules", lambda *a: reads.append(a) or real(*a))
    calls = [
        lambda: udfs.DEDUCT_COMPLAINT("400四级", "400", "有责", me),
        lambda: udfs.DEDUCT_SATISFACTION(0.965, None, me),
        lambda: udfs.DEPT_SCORE([5, 3], [2], me),
        # xlwings hands a date cell over as a datetime
        lambda: udfs.DUE_DATE(datetime(2026, 11, 3, 15, 20), "调查", False, me),
        lambda: udfs.WORKDAY_CN(datetime(2026, 9, 30), 3, me),
        lambda: udfs.SLA_STATUS(datetime(2026, 11, 5, 23, 59, 59), None, datetime(2026, 11, 4, 10), me),
    ]
    for _ in range(500):
        for call in calls:
            call()
    assert len(reads) == 1  # 3,000 calls, one read of the settings book
