"""books/printing.py: row heights from the text, the rows-in-use print area, load_book."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment

from xinao_xl.books.printing import (
    LINE_PT,
    fit_row,
    fit_rows,
    load_book,
    print_formula,
    row_height,
    set_print_formula,
    text_lines,
    used_rows_area,
)
from xinao_xl.books.schema import FORMULA, Column, TableSheet


def test_lines_follow_excel_metrics() -> None:
    # a column 18 units wide holds 18 × 7 − 6 = 120 px of text; a Han character is 13.4 px
    assert text_lines("一" * 8, 18) == 1  # 8 × 13.4 = 107.2 px
    assert text_lines("一" * 9, 18) == 2  # 9 × 13.4 = 120.6 px > 120
    assert text_lines("0" * 17, 18) == 1  # 17 × 6.7 = 113.9 px
    assert text_lines("0" * 18, 18) == 2  # 18 × 6.7 = 120.6 px
    assert text_lines("一" * 19, 18) == 3  # 254.6 px / 120 → 3 lines
    assert text_lines("甲\n乙", 18) == 2  # a line break starts a line
    assert row_height(3) == 3 * LINE_PT + 3


def test_a_fitted_row_is_not_custom_height(tmp_path: Path) -> None:
    """Excel refits a row without customHeight when its text changes; LibreOffice uses ht."""
    wb = Workbook()
    ws = wb.active
    ws.column_dimensions["B"].width = 18
    ws["B2"] = "东昌府区铁塔路八号" + "1" * 9  # 9 Han (120.6 px) + 9 digits (60.3 px) = 180.9 px: 2 lines
    ws["B2"].alignment = Alignment(wrap_text=True)
    ws["B3"] = "短"
    ws["B3"].alignment = Alignment(wrap_text=True)
    fit_row(ws, 2)
    fit_row(ws, 3)
    assert ws.row_dimensions[2].height == row_height(2) and ws.row_dimensions[3].height is None
    wb.save(tmp_path / "a.xlsx")
    xml = zipfile.ZipFile(tmp_path / "a.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert f'<row r="2" ht="{row_height(2):g}"' in xml and "customHeight" not in xml



def test_fit_rows_fits_each_row_and_creates_no_cell() -> None:
    """Rows 2–4 of a sheet with wrapped text in B (18 units) and a merged C:D (2 × 10 units):
    B2 takes 2 lines as above; C4:D4 is 9 Han = 120.6 px, which fits the merged 2 × 10 units
    but not C's 10 alone, so row 4 stays one line; row 3 has nothing. No empty cell is
    created on the way (openpyxl's ``ws[row]`` creates a cell in every column to the last)."""
    wb = Workbook()
    ws = wb.active
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = ws.column_dimensions["D"].width = 10
    wrap = Alignment(wrap_text=True)
    ws["B2"], ws["C4"], ws["H9"] = "东昌府区铁塔路八号" + "1" * 9, "东昌府区铁塔路八号", "far"
    ws["B2"].alignment = ws["C4"].alignment = wrap
    ws.merge_cells("C4:D4")
    stored = len(ws._cells)
    fit_rows(ws, 2, 4)
    assert ws.row_dimensions[2].height == row_height(2)
    assert ws.row_dimensions[3].height is None and ws.row_dimensions[4].height is None
    assert len(ws._cells) == stored
    ws["C4"] = "东昌府区铁塔路八号东昌府区"  # 13 Han = 174.2 px > the merged width: 2 lines
    fit_rows(ws, 4, 4)
    assert ws.row_dimensions[4].height == row_height(2)

SPEC = TableSheet("台账", "t", (Column("a", "甲"), Column("f", "计算", FORMULA, formula="={a}"), Column("b", "乙")), rows=30)


def test_the_print_area_runs_to_the_last_row_any_entry_column_uses() -> None:
    assert used_rows_area(SPEC) == (
        "'台账'!$A$1:INDEX('台账'!$C$1:$C$32,MAX(IFERROR(LOOKUP(2,1/(((\'台账\'!$A$3:$A$32<>\"\")+('台账'!$C$3:$C$32<>\"\"))>0),"
        "ROW('台账'!$A$3:$A$32)),2),22))"
    )


def test_load_book_keeps_a_print_area_formula_openpyxl_drops(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.title = "台账"
    set_print_formula(wb.active, used_rows_area(SPEC))
    wb.save(tmp_path / "b.xlsx")
    assert print_formula(load_book(tmp_path / "b.xlsx")["台账"]) == used_rows_area(SPEC)
