"""`MonthFolder`: one owner for the names of a month's folder; `closed_months` once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from xinao_xl.books.month_folder import (
    MARKER,
    OUT_DIR,
    MonthFolder,
    MonthMissingError,
    closed_months,
)
from xinao_xl.books.save import HISTORY_DIR
from xinao_xl.policy.errors import XinaoError
from xinao_xl.policy.month import MonthError


def test_the_names_in_a_month_folder(tmp_path: Path) -> None:
    mf = MonthFolder(tmp_path, "2026-11")
    assert mf.path == tmp_path / "2026-11" and mf.month.number == 11
    assert [p.name for p in mf.books.values()] == ["2026-11_服务绩效考核表.xlsx", "2026-11_客户回访信息台账.xlsx",
                                                   "2026-11_客户回访意见统计表.xlsx", "2026-11_客户投诉台账.xlsx"]
    assert mf.marker == mf.path / "已结账.txt" and mf.record_path == mf.path / "2026-11_结账记录.json"
    assert mf.out_dir == mf.path / "结账" and mf.history_dir == mf.path / HISTORY_DIR
    assert mf.output_names() == {"考核表": "2026-11_服务绩效考核表_结账.xlsx", "意见统计表": "2026-11_客户回访意见统计表_结账.xlsx",
                                 "回访报告": "2026-11_客户回访报告.xlsx", "流转单": "2026-11_流转单.xlsx",
                                 "服务津贴申请": "2026-11_服务津贴申请.xlsx"}  # since issue 19
    assert mf.output("流转单") == mf.path / OUT_DIR / "2026-11_流转单.xlsx"
    assert mf.lock_path.parent == mf.path and mf.lock_path.suffix == ".lock"
    assert mf.next() == MonthFolder(tmp_path, "2026-12") and mf.prev(11).path.name == "2025-12"


def test_a_bad_month_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MonthError):
        MonthFolder(tmp_path, "2026-13")


def test_existing_books_names_what_is_missing(tmp_path: Path) -> None:
    mf = MonthFolder(tmp_path, "2026-11")
    mf.path.mkdir()
    for p in list(mf.books.values())[:3]:
        p.write_bytes(b"x")
    with pytest.raises(MonthMissingError, match="2026-11_客户投诉台账.xlsx") as info:
        mf.existing_books()
    assert isinstance(info.value, XinaoError) and isinstance(info.value, FileNotFoundError)
    mf.book("客户投诉台账").write_bytes(b"x")
    assert list(mf.existing_books()) == list(mf.books)


def test_marker_and_record(tmp_path: Path) -> None:
    mf = MonthFolder(tmp_path, "2026-11")
    mf.path.mkdir()
    assert not mf.closed and mf.closed_text() == "" and mf.closed_at() is None and mf.load_record() == {}
    mf.record_path.write_text("{broken", encoding="utf-8")
    assert mf.load_record() == {}
    mf.save_record({"结账人": "孙雪燕", "inputs": {"a.xlsx": "00"}})
    assert mf.load_record() == {"结账人": "孙雪燕", "inputs": {"a.xlsx": "00"}}
    mf.mark_closed(datetime(2026, 12, 3, 9, 0, 41), "孙雪燕")
    assert mf.closed and mf.closed_text().startswith("2026-12-03 09:00（孙雪燕，xinao-xl ")
    assert mf.closed_at() == datetime(2026, 12, 3, 9, 0)  # the marker keeps the minute


def test_closed_months_are_the_month_folders_with_the_marker(tmp_path: Path) -> None:
    assert closed_months(tmp_path / "nowhere") == []
    for name in ("2026-09", "2026-10", "2026-11", "2026-13", "杂项"):
        (tmp_path / name).mkdir()
        (tmp_path / name / MARKER).write_text("x", encoding="utf-8")
    (tmp_path / "2026-10" / MARKER).unlink()
    (tmp_path / "2026-10" / MARKER).mkdir()  # a folder named like the marker is no marker
    (tmp_path / "2026-12").mkdir()  # not closed
    (tmp_path / "2027-01").write_text("a file, not a folder", encoding="utf-8")
    assert closed_months(tmp_path) == ["2026-09", "2026-11"]
