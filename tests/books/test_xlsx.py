"""books/xlsx.py writes what the openpyxl helpers of books/ write: the same sheet made both
ways — styles and looks, numbers, dates, a formula, text that looks like a formula, merges,
sizes, fitted rows, data validations with prompts (lists.py, writer.FORMULA_GUARD),
protection (style.protect), print setup (printing.print_setup: titles, area, header and
footer, margins), freeze panes, defined names — compares equal once both are read back."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook

from tests.support.snapshot import same_meaning, snapshot, snapshot_diff, stored_cells
from xinao_xl.books import lists
from xinao_xl.books.cells import put, put_formula
from xinao_xl.books.names import define
from xinao_xl.books.printing import fit_row, print_setup
from xinao_xl.books.style import (
    BODY_FONT,
    BORDER,
    HEADER_LOOK,
    NOTE_FONT,
    WRAP_ALIGN,
    Look,
    protect,
    sheet_protection,
)
from xinao_xl.books.writer import FORMULA_GUARD, add_validation, fixed_properties
from xinao_xl.books.xlsx import Book, Draft, print_page

NOW = datetime(2026, 12, 3, 9)
AMOUNT = Look(font=BODY_FONT, border=BORDER, number_format="0.00")
VALIDATIONS = [  # (validation, title, cells)
    (lists.choice("部门列表", "责任部门"), "责任部门", (4, 1, 20, 1)),
    (lists.date_input("回访日期", with_time=True), "回访日期", (4, 2, 20, 2)),
    (lists.percent_input("满意率"), "满意率", (4, 3, 20, 3)),
    (lists.number_input("金额"), "金额", (4, 4, 20, 4)),
    (lists.count_input("户数"), "户数", (4, 5, 20, 5)),
    (lists.text_input("备注", 200), "备注", (4, 6, 20, 6)),
    (FORMULA_GUARD, "自动计算", (4, 7, 20, 7)),
]


def _openpyxl() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    for col, width in zip("ABCDEFG", (12, 18, 10, 10, 8, 30, 12), strict=True):
        ws.column_dimensions[col].width = width
    put(ws, 1, 1, "2026-11 客户回访信息台账").font = NOTE_FONT
    ws.merge_cells("A1:G1")
    ws.row_dimensions[1].height = 22.5
    for c, text in enumerate(("责任部门", "回访日期", "满意率", "金额", "户数", "备注", "合计"), start=1):
        HEADER_LOOK.apply(put(ws, 3, c, text))
    AMOUNT.apply(put(ws, 4, 4, 12.5))
    put(ws, 4, 5, 3)
    put(ws, 4, 2, datetime(2026, 11, 3, 15, 20))
    put(ws, 5, 2, date(2026, 11, 4))
    put(ws, 4, 1, "-客服部")  # typed text that looks like a formula
    cell = put(ws, 4, 6, "燃气表走字快，" * 12)
    cell.alignment = WRAP_ALIGN
    fit_row(ws, 4)
    AMOUNT.apply(put_formula(ws, 4, 7, "=SUM(D4:E4)"))
    put(ws, 5, 3, True)
    for v, title, (r1, c1, r2, c2) in VALIDATIONS:
        add_validation(ws, v, title, f"{ws.cell(r1, c1).coordinate}:{ws.cell(r2, c2).coordinate}")
    ws.freeze_panes = "B4"
    protect(ws)
    print_setup(ws, "3:3", "2026-11 客户回访信息台账 · 台账 & 附件", print_area="A1:G20", title_cols="A:B")
    define(wb, "部门列表", "台账", "A30:A36")
    out = BytesIO()
    fixed_properties(wb, NOW).save(out)
    return out.getvalue()


def _xlsxwriter() -> bytes:
    d = Draft("台账")
    for c, width in enumerate((12, 18, 10, 10, 8, 30, 12), start=1):
        d.widths[c] = width
    d.put(1, 1, "2026-11 客户回访信息台账")
    d.style(1, 1, font=NOTE_FONT)
    d.merge(1, 1, 1, 7)
    d.height(1, 22.5)
    for c, text in enumerate(("责任部门", "回访日期", "满意率", "金额", "户数", "备注", "合计"), start=1):
        d.put(3, c, text, HEADER_LOOK)
    d.put(4, 4, 12.5, AMOUNT)
    d.put(4, 5, 3)
    d.put(4, 2, datetime(2026, 11, 3, 15, 20))
    d.put(5, 2, date(2026, 11, 4))
    d.put(4, 1, "-客服部")
    d.put(4, 6, "燃气表走字快，" * 12)
    d.style(4, 6, alignment=WRAP_ALIGN)
    d.fit_row(4)
    d.formula(4, 7, "=SUM(D4:E4)", AMOUNT)
    d.put(5, 3, True)
    for v, title, cells in VALIDATIONS:
        d.validate(v, title, *cells)
    d.freeze = (4, 2)
    d.protection = sheet_protection()
    d.page = print_page("3:3", "2026-11 客户回访信息台账 · 台账 & 附件", print_area="A1:G20", title_cols="A:B")
    book = Book(NOW)
    book.add(d)
    book.define_name("部门列表", "台账", "A30:A36")
    return book.to_bytes()


def test_every_feature_as_openpyxl_wrote_it() -> None:
    old, new = _openpyxl(), _xlsxwriter()
    assert snapshot_diff(same_meaning(snapshot(BytesIO(old))), same_meaning(snapshot(BytesIO(new))), limit=8) == []
    assert stored_cells(old) == stored_cells(new)


def test_a_formula_is_a_formula_and_text_never_is() -> None:
    d = Draft("表")
    d.formula(1, 1, "=SUM(B1:B2)")
    d.put(1, 2, "=SUM(B1:B2)")
    d.put(1, 3, "＝1+1")  # full width: Excel may take it as a formula's start too
    with pytest.raises(ValueError):
        d.formula(2, 1, "SUM(B1)")
    book = Book()
    book.add(d)
    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(book.to_bytes()))["表"]
    assert (ws["A1"].value, ws["A1"].data_type) == ("=SUM(B1:B2)", "f")
    assert (ws["B1"].value, ws["B1"].data_type, ws["B1"].quotePrefix) == ("=SUM(B1:B2)", "s", True)
    assert ws["C1"].data_type == "s" and ws["C1"].quotePrefix


@pytest.mark.parametrize("formula", [
    "=SUM(D4:E4)", "=IF(AND(ISNUMBER(D9),D9>0),ROUND(D9*'规则'!$B$5,2),\"\")", "{=SUM(A1:A3*B1:B3)}",
    "=XLOOKUP(A1,B:B,C:C)", "=FILTER(A1:A9,B1:B9>0)", "=SINGLE(A1:A3)", "=@INGLE(1)", "=SORTBY(A1:A3,B1:B3)",
    "=_xlfn.XLOOKUP(A1,B:B,C:C)", "=LOOKUP(2,1/(A1:A9<>\"\"),ROW(A1:A9))", "=CONCAT(A1,B1)",
])
def test_formula_preparation_is_xlsxwriters(formula: str) -> None:
    """The quick path (one search instead of about 30 substitutions, ~10× faster a formula)
    prepares every formula as XlsxWriter's own preparation does, dynamic-array ones included."""
    from xlsxwriter.worksheet import Worksheet

    from xinao_xl.books.xlsx import _Sheet

    ours, theirs = _Sheet(), Worksheet()
    assert ours._prepare_formula(formula) == theirs._prepare_formula(formula)
    assert ours._prepare_formula(formula, True) == theirs._prepare_formula(formula, True)


def test_fitting_many_rows_at_once_fits_each_as_one_by_one() -> None:
    """`Draft.fit_rows` visits the cells once; it stores what `fit_row` row by row stores.
    40 Han characters (40 × 13.4 = 536 px) in a wrapped cell 10 units wide (10 × 7 − 6 = 64 px
    a line) take ceil(536 / 64) = 9 lines: 9 × 14.5 + 3 = 133.5 pt; row 3 is one line and
    gets no height, row 4 is 200 pt high already and stays so."""
    one, many = Draft("表"), Draft("表")
    for d in (one, many):
        d.widths[1] = 10
        d.put(2, 1, "字" * 40, Look(alignment=WRAP_ALIGN))
        d.put(3, 1, "短", Look(alignment=WRAP_ALIGN))
        d.put(4, 1, "字" * 40, Look(alignment=WRAP_ALIGN))
        d.height(4, 200)
    for row in range(1, 6):
        one.fit_row(row)
    many.fit_rows(1, 5)
    assert many.heights == one.heights == {2: 133.5, 4: 200}
    assert many.fitted == one.fitted == {2}
