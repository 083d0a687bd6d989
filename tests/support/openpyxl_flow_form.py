"""The 流转单 as openpyxl built it before books/xlsx.py (commit 9b85732): the reference
tests/books/test_flow_form.py compares the XlsxWriter workbook with, cell by cell. Kept
as it was, for tests only: the form's content (its texts, `FlowForm`, the blank form) is
taken from the live module, so this compares the two ways of writing, not two copies of
what is written."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
from openpyxl.worksheet.worksheet import Worksheet

from xinao_xl.books.cells import put
from xinao_xl.books.flow_form import BLANK, BLANK_SHEET, NOTES, TITLE, FlowForm, _texts
from xinao_xl.books.printing import fit_row, form_sheet_title
from xinao_xl.books.style import (
    BODY_FONT,
    BORDER,
    HEADER_FONT,
    NOTE_FONT,
    THIN,
    TITLE_FONT,
    using_public_setters,
)
from xinao_xl.books.writer import fixed_properties

TOP = Alignment(vertical="top", wrap_text=True)
MIDDLE = Alignment(vertical="center", wrap_text=True)


def _box(ws: Worksheet, first: int, last: int) -> None:
    for r in range(first, last + 1):
        for c in range(1, 5):
            ws.cell(row=r, column=c).border = BORDER


def _merged(ws: Worksheet, row: int, text: str, height: float | None = None, first: int = 1, last: int = 4, align: Alignment = MIDDLE) -> None:
    cell = put(ws, row, first, text)
    cell.font, cell.alignment = BODY_FONT, align
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    if height:
        ws.row_dimensions[row].height = height


def write_form(ws: Worksheet, f: FlowForm) -> str:
    """The 附件3 layout on one sheet, A4 portrait, fitted to one page; returns the print area."""
    text = _texts(f)
    for letter, width in zip("ABCD", (14, 30, 14, 30), strict=True):
        ws.column_dimensions[letter].width = width
    title = put(ws, 1, 1, TITLE)
    title.font, title.alignment = TITLE_FONT, Alignment(horizontal="center", vertical="center")
    ws.merge_cells("A1:D1")
    ws.row_dimensions[1].height = 32
    _merged(ws, 2, text[2, 1], 18)
    ws.cell(row=2, column=1).font = NOTE_FONT
    _merged(ws, 3, text[3, 1], 24)
    rows = ((4, "客户姓名", text[4, 2], "客户电话", text[4, 4]),)
    for r, l1, v1, l2, v2 in rows:
        for c, v in ((1, l1), (2, v1), (3, l2), (4, v2)):
            cell = put(ws, r, c, v)
            cell.font = HEADER_FONT if c in (1, 3) else BODY_FONT
            cell.alignment = MIDDLE
        ws.row_dimensions[r].height = 24
    for r, label, value in ((5, "家庭住址", text[5, 2]), (6, "业务内容", text[6, 2])):
        cell = put(ws, r, 1, label)
        cell.font, cell.alignment = HEADER_FONT, MIDDLE
        _merged(ws, r, value, 24, first=2)
    _box(ws, 3, 6)

    sections = (
        ("客户意见或建议：", text[8, 1], text[9, 1]),
        ("问题处理结果：", text[11, 1], "责任部门负责人：　　　　　　　反馈日期：　　　年　　月　　日"),
        ("风险防范措施：", "", "部门召集人（签字）："),
    )
    r = 7
    for label, body, sign in sections:
        head = put(ws, r, 1, label)
        head.font = HEADER_FONT
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        _merged(ws, r + 1, body, 110, align=TOP)
        _merged(ws, r + 2, sign, 22, align=Alignment(horizontal="right", vertical="center"))
        _box(ws, r, r + 2)
        for c in range(1, 5):  # no inner lines inside a section
            ws.cell(row=r, column=c).border = Border(left=THIN if c == 1 else None, right=THIN if c == 4 else None, top=THIN)
            ws.cell(row=r + 1, column=c).border = Border(left=THIN if c == 1 else None, right=THIN if c == 4 else None)
            ws.cell(row=r + 2, column=c).border = Border(left=THIN if c == 1 else None, right=THIN if c == 4 else None, bottom=THIN)
        r += 3
    for note in NOTES:
        _merged(ws, r + 1, note, 30 if note != NOTES[0] else 16, align=MIDDLE)
        ws.cell(row=r + 1, column=1).font = NOTE_FONT
        r += 1
    _fit_texts(ws)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_area = f"A1:D{r}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.6
    return f"A1:D{r}"


def _fit_texts(ws: Worksheet) -> None:
    """A long opinion or handling text makes its box taller (the page still fits one A4)."""
    for row in (2, 5, 6, 8, 11):
        fit_row(ws, row)


def build_flow_forms(forms: Sequence[FlowForm], month: str, now: datetime | None = None) -> Workbook:
    """One sheet per flow form (named by its number); an empty month gets one note sheet.

    Every form has the same layout, so it is drawn once, on a blank form, and each form's
    sheet is a copy of that (``copy_worksheet``: cells with their styles, merges, sizes,
    page setup) with the form's texts written in: drawing the borders of merged areas
    cell by cell for each of a month's hundreds of forms was most of the time it took.
    The print area is the one thing the copy leaves out; it is set on each sheet.
    With `now`, no save time goes into the file (`writer.fixed_properties`: the close).
    Inside ``with style.public_setters()`` each sheet is drawn on its own (the reference
    a test compares the copies with).
    """
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    if using_public_setters():  # the reference way: every sheet drawn on its own
        for f in forms:
            write_form(wb.create_sheet(form_sheet_title(f.flow_no, taken, "流转单")), f)
    elif forms:
        blank = wb.create_sheet(BLANK_SHEET)
        area = write_form(blank, BLANK)
        # The copies take the merged areas as ranges: the blank's cells already carry the
        # borders merging gave them (copying its MergedCellRanges would merge them again).
        merged = [r.coord for r in blank.merged_cells]  # in the blank's order: same file
        blank.merged_cells = MultiCellRange()
        for f in forms:
            ws = wb.copy_worksheet(blank)
            ws.merged_cells = MultiCellRange([CellRange(coord) for coord in merged])
            ws.title = form_sheet_title(f.flow_no, taken, "流转单")
            for (r, c), text in _texts(f).items():
                put(ws, r, c, text)
            _fit_texts(ws)
            ws.print_area = area
        wb.remove(blank)
    if not forms:
        ws = wb.create_sheet("流转单")
        put(ws, 1, 1, f"{month} 没有需要流转的回访")
    return fixed_properties(wb, now) if now is not None else wb
