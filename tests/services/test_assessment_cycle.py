"""The assessment cycle (考核 5.1–5.3): hand the 自评表 out, fill each as its department would,
collect, review and approve.

One month is handed out and returned the way it happens: some files saved through
LibreOffice (a different writer than ours), one renamed, one late, one with a locked cell
changed, one with its rows moved, one out of range, one naming the wrong department, one of
another month; one department never returns. The collect must write exactly the right 自评
into the 考核表, say the right things (file and cell in each), and leave every other part of
the 考核表 as it was.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.services.month import MONTH, NOW, build_month
from tests.support import libreoffice
from xinao_xl.books import assessment
from xinao_xl.books import self_assessment as sa
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.read import BookReader
from xinao_xl.policy import clock
from xinao_xl.policy.rules import load_rules
from xinao_xl.services import self_assessment as cycle
from xinao_xl.services.month_writer import ClosedMonthError

RULES = load_rules()


def _at(day: int, hour: int = 10) -> float:
    """A file time: 2026-12-<day> <hour>:00 Beijing time, as seconds."""
    return clock.aware(datetime(2026, 12, day, hour)).timestamp()


def _fill(path: Path, values: dict[int, object], edits: dict[str, object] | None = None) -> None:
    """Type into the 自评实际 cells (row -> value), and any other cell (address -> value)."""
    wb = load_workbook(path)
    ws = wb[sa.SHEET]
    for row, value in values.items():
        ws.cell(row=row, column=sa.SELF_COL, value=value)
    for address, value in (edits or {}).items():
        ws[address] = value
    wb.save(path)


def _cells(path: Path) -> dict[tuple[str, str], object]:
    """Every cell (values and formulas as stored) of every sheet."""
    wb = load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


@pytest.fixture
def handed(tmp_path: Path) -> MonthFolder:
    build_month(tmp_path)
    cycle.handout_month(MONTH, tmp_path, now=NOW)
    return MonthFolder(tmp_path, MONTH)


def test_handout_writes_one_locked_sheet_per_department_with_its_rows_and_deductions(handed: MonthFolder) -> None:
    files = sorted(p.name for p in handed.self_dir.glob("*.xlsx"))
    assert files == sorted(f"{d.name}_自评.xlsx" for d in RULES.departments)
    wb = load_workbook(handed.handout_file("客服部"))
    ws = wb[sa.SHEET]
    assert ws.protection.sheet  # the rest locked
    assert (ws["B2"].value, ws["D2"].value, ws["F2"].value) == ("客服部", MONTH, "2026-12-06")  # 次月 6 日: review_to_day
    dept = RULES.department("客服部")
    rows = [r for r in ws.iter_rows(min_row=sa.HEADER_ROW + 1, max_row=sa.HEADER_ROW + len(sa.self_entries(dept)), values_only=True)]
    assert [r[1] for r in rows] == [i.name for i in dept.indicators if i.kind != "complaints"]
    for r in range(sa.HEADER_ROW + 1, sa.HEADER_ROW + 1 + len(rows)):
        assert ws.cell(row=r, column=sa.SELF_COL).protection.locked is False
        assert ws.cell(row=r, column=2).protection.locked is not False
    # the month's line items of 客服部 below, read-only: TS001 (4级, 有责) and the media praise (4 points)
    texts = [c.value for c in ws["A"] if c.value]
    assert sa.ITEMS_TITLE in texts and "投诉" in texts and "媒体表扬" in texts
    assert "TS001" in [c.value for c in ws["E"]]
    media = next(c.row for c in ws["A"] if c.value == "媒体表扬")
    assert ws.cell(row=media, column=4).value == 4  # the 4 points typed in 加减分明细


def test_collect_writes_the_right_self_assessments_says_why_and_keeps_the_rest(handed: MonthFolder, tmp_path: Path,
                                                                               require_libreoffice: str) -> None:
    d = handed.self_dir
    book = handed.book(assessment.STEM)
    before_cells, before_parts = _cells(book), _parts(book)

    # 客服部: filled, saved by LibreOffice, renamed on the way back
    kf = d / "客服部_自评.xlsx"
    _fill(kf, {5: 0.97, 6: 0.955, 7: 0.92, 8: 0.96, 9: 0.99, 10: 96, 11: 95, 12: 0.5})  # 5 rates, 2 mystery scores, a hand deduction
    lo = libreoffice.resave(kf, tmp_path / "lo1")
    kf.unlink()
    shutil.copy(lo, d / "客服部自评（张三）.xlsx")
    # 市场工程部: saved by LibreOffice, returned on 12-08, after the 6th
    mf = d / "市场工程部_自评.xlsx"
    _fill(mf, {5: 0.98, 6: 0.96})
    shutil.copy(libreoffice.resave(mf, tmp_path / "lo2"), mf)
    # 车用燃气部: its target in D5 (96%, car_gas_satisfaction_target) changed (a locked cell): warned, not taken; the 自评 taken
    _fill(d / "车用燃气部_自评.xlsx", {5: 0.93}, {"D5": 0.5})
    # 管网部: rows 5 and 6 swapped (moved rows found by 考核内容)
    gw = d / "管网部_自评.xlsx"
    wb = load_workbook(gw)
    ws = wb[sa.SHEET]
    for c in range(1, 7):
        a, b = ws.cell(row=5, column=c), ws.cell(row=6, column=c)
        a.value, b.value = b.value, a.value
    ws["E5"] = 1  # now 设施改造停气工作 (entered deduction: 1)
    ws["E6"] = 0.99  # now 带气作业停气通知率
    wb.save(gw)
    # 调度中心: a rate of 150%: out of range, the file not collected
    _fill(d / "调度中心_自评.xlsx", {5: "150%", 6: 0.9})
    # 安保部's file holding 计财部 in its 部门 cell: the wrong department
    _fill(d / "安保部_自评.xlsx", {5: 0.9}, {"B2": "计财部"})
    # a copy of 客服部's from another month
    shutil.copy(lo, d / "旧的.xlsx")
    _fill(d / "旧的.xlsx", {}, {"D2": "2026-10"})
    # 计财部 returns nothing
    for p in d.glob("*.xlsx"):
        os.utime(p, (_at(5), _at(5)))
    os.utime(mf, (_at(8), _at(8)))

    result = cycle.collect_month(MONTH, handed.root, keep_previous=False)

    # the 自评 in the 考核表: row of indicator n is assessment.department_sheet(...).row_of("i<n>")
    def self_cell(dept: str, number: int) -> object:
        spec = assessment.department_sheet(RULES.department(dept))
        return load_workbook(book)[dept].cell(row=spec.row_of(f"i{number}"), column=5).value

    kfu = [i for i in RULES.department("客服部").indicators if i.kind != "complaints"]
    typed = [0.97, 0.955, 0.92, 0.96, 0.99, 96, 95, 0.5]
    assert [self_cell("客服部", i.number) for i in kfu] == typed
    assert (self_cell("市场工程部", 1), self_cell("市场工程部", 2)) == (0.98, 0.96)
    assert self_cell("车用燃气部", 1) == 0.93
    assert (self_cell("管网部", 1), self_cell("管网部", 2)) == (0.99, 1)
    assert self_cell("调度中心", 1) is None  # not collected

    assert list(result.collected) == ["客服部", "市场工程部", "车用燃气部", "管网部"]
    assert result.rejected == ["调度中心"]
    assert result.not_returned == ["计财部", "安保部"]
    assert result.late == ["市场工程部"]
    said = {(m.severity, m.file, m.cell) for m in result.messages}
    assert ("警告", "车用燃气部_自评.xlsx", "自评!D5") in said
    assert ("警告", "管网部_自评.xlsx", "自评!B5") in said and ("警告", "管网部_自评.xlsx", "自评!B6") in said
    assert ("错误", "调度中心_自评.xlsx", "自评!E5") in said
    assert ("错误", "安保部_自评.xlsx", "自评!B2") in said
    assert ("错误", "旧的.xlsx", "自评!D2") in said
    text = result.summary()
    assert "未交回：计财部、安保部" in text and "逾期交回（12-06 之后）：市场工程部（12-08）" in text
    assert "车用燃气部_自评.xlsx 自评!D5：锁定的单元格被改动（发放时为“0.96”，现为“0.5”）" in text
    assert "调度中心_自评.xlsx 自评!E5" in text and "150%" in text
    assert "文件名是安保部的自评表，表内部门却是计财部" in text
    assert "月份是“2026-10”" in text
    # no message without its file
    assert all(m.file for m in result.messages)

    # everything else of the 考核表 unchanged: cells, and every part but the four sheets written
    after_cells = _cells(book)
    written = {(dept, cell) for dept, cell in (w.split("!") for w in result.written)}
    assert len(written) == len(result.written) == 8 + 2 + 1 + 2
    assert {k: v for k, v in after_cells.items() if k not in written} == {k: v for k, v in before_cells.items() if k not in written}
    after_parts = _parts(book)
    changed = {n for n in before_parts if before_parts[n] != after_parts.get(n)}
    sheets = {f"xl/worksheets/sheet{i}.xlsx"[:-5] + ".xml" for i in range(2, 6)}  # 客服部 … 管网部: sheets 2–5
    assert changed <= sheets | {"xl/workbook.xml"} and changed & sheets == sheets

    again = cycle.collect_month(MONTH, handed.root, keep_previous=False)
    assert again.written == [] and _parts(book) == after_parts  # nothing new: the file untouched


def test_collect_before_the_hand_out_and_in_a_closed_month_is_refused(tmp_path: Path) -> None:
    build_month(tmp_path)
    with pytest.raises(cycle.NotHandedOutError, match="尚未发放"):
        cycle.collect_month(MONTH, tmp_path)
    cycle.handout_month(MONTH, tmp_path, now=NOW)
    MonthFolder(tmp_path, MONTH).mark_closed(NOW, "测试")
    with pytest.raises(ClosedMonthError, match="已于"):
        cycle.collect_month(MONTH, tmp_path)


def test_a_returned_file_is_not_handed_out_again(handed: MonthFolder) -> None:
    _fill(handed.handout_file("管网部"), {5: 0.99})
    filled = handed.handout_file("管网部").read_bytes()
    again = cycle.handout_month(MONTH, handed.root, now=NOW)
    assert again.kept == ["管网部"] and handed.handout_file("管网部").read_bytes() == filled
    assert len(again.written) == len(RULES.departments) - 1


def test_the_deadline_is_the_office_setting_of_the_month() -> None:
    assert cycle.due_day("2026-11", RULES).isoformat() == "2026-12-06"
    assert cycle.due_day("2026-11", RULES.with_values({"review_to_day": 8})).isoformat() == "2026-12-08"


def test_read_return_reads_department_and_month_whatever_the_file_is_called(handed: MonthFolder, tmp_path: Path) -> None:
    renamed = tmp_path / "随便.xlsx"
    shutil.copy(handed.handout_file("计财部"), renamed)
    got = sa.read_return(renamed, None, None)
    assert (got.found, got.department, got.month) == (True, "计财部", MONTH)
    assert BookReader(renamed).sheet_names == [sa.SHEET]
