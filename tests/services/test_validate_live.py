"""One truth: what the workbook shows and what validation says agree (issue 14, item 5).

A month holding what staff paste or type past a dropdown — a date and a count stored as text,
a result and a department spelled unlike the list, a level and a 有责/无责 neither engine
knows, a rate pasted as full-width text — is recalculated by LibreOffice. Every formula cell that then shows an error (#VALUE!,
#N/A, #无效级别 …) must sit in a row validation reports as 错误, and every one of the odd
entries is a 错误 at its cell (also those the workbook computes wrongly without showing an
error: "满 意" is not counted by 统计, "待定" deducts as 有责, "客服 部" counts for no
department). (Since issue 12 a level or a 无责 word the 规则 sheet's spelling table knows —
"二级投诉", "否" — reads alike in both engines: a warning, tests/services/test_validate_input.py;
and 加减分明细 no longer holds complaints or late 流转单.) The clean month, recalculated,
shows no error at all: the scan itself finds nothing where nothing is wrong.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.support.libreoffice import recalculate_many
from xinao_xl.books import assessment, calendar_sheet, callback_ledger, complaint_ledger
from xinao_xl.books.cells import put
from xinao_xl.books.port import ERROR
from xinao_xl.books.workbooks import BOOKS
from xinao_xl.books.writer import write_record
from xinao_xl.services.validate import Finding, validate_month
from xinao_xl.services.validate_schema import SPELLING_READ_BY_FORMULAS

from .month import COMPLAINTS, ITEMS, LEDGER, MONTH, NOW, RULES, build_month

pytestmark = pytest.mark.libreoffice

CB, TS, KH = (f"{MONTH}_{stem}.xlsx" for stem in (callback_ledger.STEM, complaint_ledger.STEM, assessment.STEM))
DEPT = RULES.department("客服部")
DEPT_SHEET = assessment.department_sheet(DEPT)
RATE_ROW = DEPT_SHEET.row_of(assessment.indicator_key(next(i for i in DEPT.indicators if i.is_rate)))

# (workbook, sheet, row, what the row holds besides, the odd cell's key and its raw value)
ODD: list[tuple[str, Any, int, dict[str, Any], str, Any]] = [
    (CB, LEDGER, 7, {"flow": "是", "flow_no": "LZ7"}, "flow_date", "2026.11.21 14:55"),
    (CB, LEDGER, 8, {}, "result", "满 意"),
    (TS, COMPLAINTS, 6, {"channel": "400", "resp": "有责"}, "level", "二至三级"),
    (TS, COMPLAINTS, 7, {"channel": "400", "level": "4级", "resp": "有责"}, "accepted", "2026.11.12 09:30"),
    (TS, COMPLAINTS, 8, {"channel": "400", "level": "4级"}, "resp", "待定"),
    (KH, ITEMS, 8, {"dept": "客服部", "type": "表扬"}, "count", "3天"),
    (KH, ITEMS, 9, {"type": "表扬", "count": 1, "source": "BY-X"}, "dept", "客服 部"),
]


def _record(spec: Any, row: int) -> dict[str, Any]:
    """A valid record for `row` of `spec`, the odd cell then typed over it."""
    if spec is LEDGER:
        return {"call_date": date(2026, 11, row + 10), "business": "维修", "order": f"N{row}", "done_date": date(2026, 11, row + 9),
                "customer": "赵六", "phone": f"1390000{row:04d}", "agent": "孙雪燕", "result": "满意"}
    if spec is COMPLAINTS:
        return {"no": f"TS9{row}", "accepted": datetime(2026, 11, 12, 9, 30), "dept": "客服部", "customer": "钱七", "phone": f"1350000{row:04d}"}
    return {"date": date(2026, 11, 20)}


def _odd_month(root: Path) -> Path:
    folder = build_month(root)
    for workbook, spec, row, values, key, raw in ODD:
        path = folder / workbook
        wb = load_workbook(path)
        write_record(wb[spec.name], spec, row, {**_record(spec, row), **values})
        put(wb[spec.name], row, spec.index(key), raw)
        wb.save(path)
    path = folder / KH
    wb = load_workbook(path)
    put(wb[DEPT.name], RATE_ROW, 5, "９６．５％")
    wb.save(path)
    return folder


def shown_errors(folder: Path, out: Path) -> dict[tuple[str, str], list[int]]:
    """(workbook, sheet) -> the rows of every formula cell LibreOffice computes to an error
    (an Excel error value or one of our "#…" texts). The 工作日历 is left out: its 2027 rows
    say "#日历未确认" until the State Council publishes the year (nothing staff typed)."""
    paths = sorted(folder.glob("*.xlsx"))
    found: dict[tuple[str, str], list[int]] = {}
    for src, done in zip(paths, recalculate_many(paths, out), strict=True):
        formulas = load_workbook(src)
        values = load_workbook(done, data_only=True)
        for ws in formulas.worksheets:
            if ws.title == calendar_sheet.SHEET:
                continue
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type != "f":
                        continue
                    value = values[ws.title][cell.coordinate].value
                    if isinstance(value, str) and value.startswith("#"):
                        found.setdefault((src.name, ws.title), []).append(cell.row)
    return found


def _rows(f: Finding) -> range:
    m = re.fullmatch(r"[A-Z]+(\d+)(?::[A-Z]+(\d+))?", f.cell)
    if not m:
        return range(0)
    return range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1)


@pytest.fixture(scope="module")
def clean_and_odd(tmp_path_factory: pytest.TempPathFactory, require_libreoffice: str) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("live")
    clean = build_month(root / "clean")
    odd = _odd_month(root / "odd")
    return {
        "clean": shown_errors(clean, root / "clean_calc"),
        "odd": shown_errors(odd, root / "odd_calc"),
        "findings": validate_month(odd, now=NOW),
    }


def test_the_clean_month_shows_no_error(clean_and_odd: dict[str, Any]) -> None:
    assert clean_and_odd["clean"] == {}


def test_every_error_the_workbook_shows_is_an_error_of_validation(clean_and_odd: dict[str, Any]) -> None:
    shown, findings = clean_and_odd["odd"], clean_and_odd["findings"]
    assert shown, "the odd entries make some formulas show an error"
    ledgers = {LEDGER.name, COMPLAINTS.name, ITEMS.name}
    for (workbook, sheet), rows in shown.items():
        errors = [f for f in findings if f.is_error and f.workbook == workbook]
        assert errors, (workbook, sheet)
        if sheet in ledgers:  # in a ledger, on the row itself; elsewhere the error it comes from
            for row in set(rows):
                assert any(f.sheet == sheet and row in _rows(f) for f in errors), (workbook, sheet, row)


def test_every_odd_entry_is_an_error_at_its_cell(clean_and_odd: dict[str, Any]) -> None:
    findings = clean_and_odd["findings"]
    for workbook, spec, row, _, key, raw in ODD:
        cell = f"{spec.letter(key)}{row}"
        assert any(f.severity == ERROR and f.workbook == workbook and f.sheet == spec.name and row in _rows(f)
                   and f.cell.startswith(spec.letter(key)) for f in findings), (workbook, cell, raw)
    assert any(f.severity == ERROR and f.sheet == DEPT.name and f.cell == f"E{RATE_ROW}" and "是文字" in f.message for f in findings)


def test_the_dropdown_columns_read_by_formulas_are_the_ones_listed() -> None:
    """`SPELLING_READ_BY_FORMULAS` against the formulas themselves: a dropdown column is
    listed when a formula of its row, or a formula over its range on another sheet, reads
    it — except 疑似重大, which the formulas only test for being blank, and the level and
    有责/无责, which they read through the 规则 sheet's spelling tables as Python does
    (`SPELLING_TABLES`: another spelling is a warning, issue 12)."""
    from xinao_xl.books.schema import TableSheet
    from xinao_xl.services.validate import _specs

    specs = _specs(RULES)
    read: dict[str, set[str]] = {}
    for stem, build in BOOKS:
        wb = build(MONTH, RULES)
        texts = [(ws.title, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
        for sheet in specs[stem].sheets:
            if not isinstance(sheet, TableSheet):
                continue
            for column in sheet.entry_columns:
                if column.type != "choice":
                    continue
                letter, first = sheet.letter(column.key), sheet.first_row
                own = re.compile(rf"(?<![A-Z$_]){letter}{first}(?!\d)")
                cross = f"'{sheet.name}'!${letter}${first}"
                if any((title == sheet.name and own.search(text)) or (title != sheet.name and cross in text) for title, text in texts):
                    read.setdefault(sheet.name, set()).add(column.key)
    read[COMPLAINTS.name].discard("major")  # IF(E3<>"",…): any entry counts as 疑似重大, as in Python
    assert {"level", "resp"} <= read[COMPLAINTS.name]  # read, through the spelling tables
    read[COMPLAINTS.name] -= {"level", "resp"}
    assert read == {k: set(v) for k, v in SPELLING_READ_BY_FORMULAS.items()}
