"""Unit tests of the workbook writer: validations, protection, layout, formats, names."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, imported, opinions
from xinao_xl.books.calendar_sheet import calendar_rows
from xinao_xl.books.cells import put
from xinao_xl.books.printing import PRINT_AREA, load_book, used_rows_area
from xinao_xl.books.schema import (
    FMT_DATE,
    FMT_DATETIME,
    FMT_PERCENT,
    FMT_RATE_ENTRY,
    FMT_SHORT_DATE,
    FMT_SHORT_DATETIME,
    TableSheet,
)
from xinao_xl.books.workbooks import write_books
from xinao_xl.policy.rules import load_rules

MONTH = "2026-12"
# Functions LibreOffice 7.4 or Excel 2010 lack (dynamic arrays, LET/LAMBDA, 2019+ additions).
FORBIDDEN = re.compile(r"(?<![A-Z_])(XLOOKUP|XMATCH|LET|LAMBDA|FILTER|SEQUENCE|UNIQUE|SORT|SORTBY|TEXTJOIN|CONCAT|IFS|SWITCH|MAXIFS|MINIFS|RANDARRAY)\(")
UDF_NAMES = {
    "DEDUCT_COMPLAINT", "DEDUCT_MYSTERY", "DEDUCT_SATISFACTION", "DEDUCT_PLATFORM", "DEDUCT_RATE",
    "DEDUCT_DAYS", "DEDUCT_LATE_FLOW", "BONUS_PRAISE", "DEPT_SCORE", "DEPT_GRADE", "DEPT_WEIGHT",
    "COMPANY_ITEM", "ALLOWANCE", "CALLBACK_QUOTA", "DUE_DATE", "WORKDAY_CN", "SLA_STATUS",
}


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("books")
    return {p.name.split("_", 1)[1].removesuffix(".xlsx"): p for p in write_books(folder, MONTH)}


@pytest.fixture(scope="module")
def loaded(books: dict[str, Path]) -> dict[str, Workbook]:
    return {stem: load_book(path) for stem, path in books.items()}


def _tables() -> list[tuple[str, TableSheet]]:
    rules = load_rules()
    return [
        (assessment.STEM, assessment.items_sheet(rules)),
        (complaint_ledger.STEM, complaint_ledger.ledger_sheet(rules)),
        (callback_ledger.STEM, callback_ledger.ledger_sheet()),
        (opinions.STEM, opinions.opinions_sheet()),
    ]


def test_file_names_carry_the_month(books: dict[str, Path]) -> None:
    assert sorted(p.name for p in books.values()) == sorted(
        f"{MONTH}_{s}.xlsx" for s in ("服务绩效考核表", "客户回访信息台账", "客户回访意见统计表", "客户投诉台账")
    )


@pytest.mark.parametrize(("stem", "spec"), _tables(), ids=lambda x: x if isinstance(x, str) else x.name)
def test_table_headers_and_every_entry_column_validated_in_chinese(loaded: dict[str, Workbook], stem: str, spec: TableSheet) -> None:
    ws = loaded[stem][spec.name]
    assert tuple(c.value for c in ws[spec.header_row]) == spec.headers
    by_range = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    for col in spec.entry_columns:
        letter = spec.letter(col.key)
        dv = by_range[f"{letter}{spec.first_row}:{letter}{spec.last_row}"]
        assert dv.showInputMessage and dv.showErrorMessage and dv.errorStyle == "stop"
        assert re.search(r"[\u4e00-\u9fff]", dv.prompt) and re.search(r"[\u4e00-\u9fff]", dv.error), col.header
        if col.type == "choice":
            assert dv.type == "list" and dv.formula1.startswith("L_")


@pytest.mark.parametrize(("stem", "spec"), _tables(), ids=lambda x: x if isinstance(x, str) else x.name)
def test_table_layout_protection_and_formats(loaded: dict[str, Workbook], stem: str, spec: TableSheet) -> None:
    ws = loaded[stem][spec.name]
    assert ws.protection.sheet and not ws.protection.password
    assert ws.protection.autoFilter is False  # filtering still works on the protected sheet
    # rows may be inserted, deleted and sorted (False: not protected against) ...
    assert (ws.protection.insertRows, ws.protection.deleteRows, ws.protection.sort) == (False, False, False)
    # ... which needs every cell of a record row unlocked: the columns past the table too
    beyond = ws.column_dimensions[get_column_letter(len(spec.columns) + 1)]
    assert (beyond.min, beyond.max, beyond.protection.locked) == (len(spec.columns) + 1, 16384, False)
    assert all(c.protection.locked for c in ws[spec.header_row] if c.value)  # the headers stay locked
    guards = [dv for dv in ws.data_validations.dataValidation if dv.type == "custom"]
    assert ws.freeze_panes == f"{spec.freeze_col}{spec.first_row}"
    assert ws.auto_filter.ref.startswith(f"A{spec.header_row}:")
    assert ws.print_title_rows.replace("$", "") == f"{spec.header_row}:{spec.header_row}"
    assert int(ws.page_setup.paperSize) == 9 and int(ws.page_setup.fitToWidth) == 1  # A4, one page wide
    assert ws.defined_names[PRINT_AREA].attr_text == used_rows_area(spec)  # only the rows in use print
    for col in spec.columns:
        letter = spec.letter(col.key)
        if col.is_entry:
            dim = ws.column_dimensions[letter]
            assert dim.protection.locked is False, col.header
            assert dim.number_format == col.fmt
        else:
            cell = ws[f"{letter}{spec.last_row}"]
            assert not cell.protection.locked and str(cell.value).startswith("="), col.header
            assert cell.number_format == col.fmt
            # typing over the formula meets a validation that accepts nothing, with a Chinese message
            (guard,) = guards
            assert f"{letter}{spec.first_row}:{letter}{spec.last_row}" in str(guard.sqref).split()
            assert guard.formula1 == "FALSE" and guard.errorStyle == "stop" and guard.showErrorMessage
            assert "自动计算" in guard.error and "从上一行复制" in guard.error
        if col.type == "date":
            assert col.fmt == FMT_DATE
        if col.type == "datetime":  # the 投诉台账's printed columns are short (m-d hh:mm; a deadline m-d): issue 18
            short = spec.printed is not None and spec.index(col.key) <= spec.print_columns
            assert col.fmt in ((FMT_SHORT_DATETIME, FMT_SHORT_DATE) if short else (FMT_DATETIME,)), col.header


def test_department_sheets_follow_the_policy_order(loaded: dict[str, Workbook]) -> None:
    wb = loaded[assessment.STEM]
    rules = load_rules()
    assert wb.sheetnames == ["汇总", *rules.department_names, "加减分明细", "汇入", "规则"]
    for dept in rules.departments:
        ws = wb[dept.name]
        spec = assessment.department_sheet(dept)
        names = [ws.cell(row=spec.first_row + i, column=2).value for i in range(len(dept.indicators))]
        assert names == [i.name for i in dept.indicators]
        for ind in dept.indicators:
            r = spec.row_of(assessment.indicator_key(ind))
            entry = ind.kind != "complaints"
            # a satisfaction row the 台账 counts: 自评 typed, 审核 the 汇入's rate (a formula, locked)
            audit = entry and not assessment.audit_from_ledger(ind)
            assert ws[f"E{r}"].protection.locked is not entry and ws[f"F{r}"].protection.locked is not audit
            if entry and not audit:
                assert ws[f"F{r}"].value == f"=IF('汇入'!$E${imported.Layout.of(rules).business_row(ind.callback_type)}=\"\",\"\",'汇入'!$E${imported.Layout.of(rules).business_row(ind.callback_type)})"
            assert ws[f"H{r}"].protection.locked
            if ind.is_rate:
                assert ws[f"E{r}"].number_format == FMT_RATE_ENTRY and ws[f"G{r}"].number_format == FMT_PERCENT
        assert ws.protection.sheet
        assert ws.page_setup.orientation == "landscape"
    summary = wb["汇总"]
    assert summary["H3"].protection.locked is False and summary["D3"].protection.locked


def test_rules_sheet_names_every_param_with_clause_and_flag(loaded: dict[str, Workbook]) -> None:
    rules = load_rules()
    for wb in loaded.values():
        ws = wb["规则"]
        assert ws.protection.sheet
        for p in rules.params.values():
            sheet, ref = wb.defined_names[p.defined_name].attr_text.split("!")
            row = int(ref.split("$")[-1])
            # plain Chinese for staff (issue 14 item 6, issue 15): the label, 是/否 for a switch
            assert sheet == "'规则'" and ws[f"A{row}"].value == p.name and not ws[f"A{row}"].value.isascii()
            assert ws[f"B{row}"].value == (p.shown() if p.is_switch else p.value) and ws[f"D{row}"].value == p.clause
            assert ws[f"E{row}"].value == (p.flag_text or ("制度暂定" if p.provisional else "制度规定"))
        assert wb.defined_names["MONTH"].attr_text == "'规则'!$B$3" and ws["B3"].value == MONTH
        assert ws["A2"].value == "项目" and "POLICY_RULES" not in " ".join(str(c.value) for c in ws["D"] if c.value)


def test_every_name_used_in_a_formula_is_defined(loaded: dict[str, Workbook]) -> None:
    token = re.compile(r"\b((?:P|L|D|CAL)_[A-Z0-9_]+|MONTH(?:_START)?)\b")
    for stem, wb in loaded.items():
        defined = set(wb.defined_names.keys())
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.data_type == "f":
                        missing = set(token.findall(c.value)) - defined
                        assert not missing, f"{stem}!{ws.title}!{c.coordinate}: {missing}"
                        assert not FORBIDDEN.search(c.value.upper()), c.value
                        assert len(c.value) < 8192


def test_udf_style_calls_only_the_udf_contract(tmp_path: Path) -> None:
    paths = write_books(tmp_path, MONTH, style="udf")
    used: set[str] = set()
    for path in paths:
        for ws in load_workbook(path).worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        used |= set(re.findall(r"\b([A-Z][A-Z_]+[A-Z])\(", c.value)) & (UDF_NAMES | {"DEDUCT_X"})
    assert {"DEDUCT_COMPLAINT", "DEDUCT_SATISFACTION", "DEDUCT_MYSTERY", "DEPT_SCORE", "DUE_DATE", "SLA_STATUS", "CALLBACK_QUOTA", "COMPANY_ITEM", "ALLOWANCE"} <= used
    book = load_workbook(paths[0])
    assert book["加减分明细"]["H3"].value.startswith('=IF(C3="","",IF(C3="表扬",BONUS_PRAISE(IF(D3="",1,D3))')
    # the late 流转单 of the 汇入 through DEDUCT_LATE_FLOW (客服部 is the 汇入's first department, row 5)
    spec = assessment.department_sheet(load_rules().department("客服部"))
    assert book["客服部"][f"H{spec.row_of('late_flow')}"].value == "=DEDUCT_LATE_FLOW('汇入'!$H$5)"


def test_conditional_formats_mark_overdue_and_below_target(loaded: dict[str, Workbook]) -> None:
    ws = loaded[complaint_ledger.STEM]["投诉台账"]
    ranges = {str(cf.sqref) for cf in ws.conditional_formatting}
    spec = complaint_ledger.ledger_sheet(load_rules())
    assert spec.data_range("inv_status", absolute=False) in ranges
    rules_text = [r.formula for cf in ws.conditional_formatting for r in cf.rules]
    assert ['"已超时"'] in rules_text and ['"即将到期"'] in rules_text
    dept = loaded[assessment.STEM]["客服部"]
    assert any("H3" in str(cf.sqref) for cf in dept.conditional_formatting)


def test_calendar_sheet_has_makeup_days_and_unconfirmed_years(loaded: dict[str, Workbook]) -> None:
    rows = {r.day: r for r in calendar_rows((2026, 2027))}
    assert len(rows) == 365 + 365
    assert rows[date(2026, 10, 10)].status == "工作日" and "调休" in rows[date(2026, 10, 10)].note
    assert rows[date(2026, 10, 1)].status == "休息日" and rows[date(2026, 10, 1)].note == "国庆节"
    assert rows[date(2027, 6, 1)].status == "未确认"  # not a weekday guess
    # the office confirms a year in one place, 制度设置.xlsx (issue 12 item 5): the month's
    # sheet is written from it and protected, so the workbook and Python never disagree
    ws = loaded[complaint_ledger.STEM]["工作日历"]
    assert ws["C3"].protection.locked and ws["F3"].protection.locked and ws.protection.sheet


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    for i, text in enumerate(("=SUM(A1)", "+86 138", "-气费多收", "@所有人", "普通"), start=1):
        put(ws, i, 1, text)
    put(ws, 6, 1, datetime(2026, 10, 10, 9, 30))
    wb.save(tmp_path / "t.xlsx")
    back = load_workbook(tmp_path / "t.xlsx").active
    assert [back.cell(row=i, column=1).data_type for i in range(1, 6)] == ["s"] * 5
    assert back["A1"].value == "=SUM(A1)" and back["A1"].quotePrefix
    assert back["A6"].value == datetime(2026, 10, 10, 9, 30)
