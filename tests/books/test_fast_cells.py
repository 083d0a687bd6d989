"""The bulk cells of the month's books (a ledger's prepared formula rows, the 工作日历's
days) are made directly, not through openpyxl's setters (`writer.formula_rows`,
`calendar_sheet._more_days`): they must hold what the per-cell way wrote."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import Workbook

from tests.support.snapshot import snapshot, snapshot_diff
from xinao_xl.books import assessment, callback_ledger, complaint_ledger, opinions
from xinao_xl.books.calendar_sheet import FIRST_ROW, SHEET, write_calendar_sheet
from xinao_xl.books.schema import FORMULA, NATIVE, UDF, Column, TableSheet
from xinao_xl.books.style import public_setters
from xinao_xl.books.workbooks import BOOKS
from xinao_xl.policy.calendar import RESTDAY, CalendarOverride, WorkCalendar
from xinao_xl.policy.rules import load_rules


def _ledgers() -> list[TableSheet]:
    rules = load_rules()
    return [callback_ledger.ledger_sheet(), complaint_ledger.ledger_sheet(rules), complaint_ledger.reassign_sheet(),
            complaint_ledger.evidence_sheet(), assessment.items_sheet(rules), opinions.opinions_sheet()]


@pytest.mark.parametrize("style", [NATIVE, UDF])
def test_renderer_gives_render_for_every_row(style: str) -> None:
    """Row 3 → "…Q3…", row 3,002 → "…Q3002…", "{above_x}" → "$X$2:X3001" on row 3,002."""
    checked = 0
    for spec in _ledgers():
        for column in spec.formula_columns:
            if column.template(style) is None:
                continue
            render = spec.renderer(column, style)
            for row in range(spec.first_row, spec.last_row + 2):  # and the first row past the table
                assert render(row) == spec.render(column, row, style), (spec.name, column.key, row)
                checked += 1
    assert checked > 10_000


def test_renderer_fills_above_and_row() -> None:
    spec = TableSheet("表", "表", (Column("a", "甲"), Column("n", "序", FORMULA, formula="=COUNT({above_a})+{a}*{r}")), rows=5)
    assert spec.renderer(spec.column("n"))(7) == "=COUNT($A$2:A6)+A7*7" == spec.render(spec.column("n"), 7)


@pytest.mark.filterwarnings("ignore:Print area cannot be set")
@pytest.mark.parametrize(("month", "style"), [("2026-12", UDF), (None, NATIVE)])
def test_books_equal_cell_by_cell_setters(month: str | None, style: str) -> None:
    """The month's books and the templates as the per-cell setters build them (the close's
    next month, NATIVE with a month, is tests/services/test_close_equivalence.py's)."""
    rules = load_rules()
    for stem, build in BOOKS:
        fast = build(month, rules, style)
        with public_setters():
            slow = build(month, rules, style)
        assert snapshot_diff(snapshot(slow), snapshot(fast)) == [], stem


def test_calendar_note_typed_by_the_office_stays_text() -> None:
    """A 说明 from 制度设置.xlsx that looks like a formula, on a day after the first, is text
    with the quote prefix; the day's other cells keep the column's look."""
    cal = WorkCalendar([CalendarOverride(date(2026, 3, 2), RESTDAY, "=停电+检修", "-1号")], confirmed_years=(2026, 2027))
    wb = Workbook()
    write_calendar_sheet(wb, (2026, 2027), cal, month="2026-12")
    ws = wb[SHEET]
    r = FIRST_ROW + (date(2026, 3, 2) - date(2026, 1, 1)).days
    assert ws.cell(row=r, column=1).value == date(2026, 3, 2)
    note, notice = ws.cell(row=r, column=4), ws.cell(row=r, column=5)
    assert (note.value, note.data_type, note.quotePrefix) == ("=停电+检修", "s", True)
    assert (notice.value, notice.data_type, notice.quotePrefix) == ("-1号", "s", True)
    assert ws.cell(row=r, column=3).value == RESTDAY
    assert not ws.cell(row=r + 1, column=4).quotePrefix and ws.cell(row=r + 1, column=4).value is None
    assert ws.cell(row=r, column=6).value == f"=F{r - 1}+IF(C{r}=\"工作日\",1,IF(C{r}=\"休息日\",0,NA()))"
    assert repr(note.fill) == repr(ws.cell(row=r + 1, column=4).fill) and note.fill.fgColor.rgb.endswith("F2F2F2")
