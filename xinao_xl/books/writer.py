"""Writing a `TableSheet` (a ledger) with openpyxl: headers, formulas, validations, formats.

Entry columns get a column style (unlocked, number format, font) instead of thousands of
styled empty cells: Excel, WPS and LibreOffice apply a column's style to every cell the
sheet does not store, so staff can type in any row of an entry column of the protected
sheet, and the file stays small. Formula cells are written row by row, grey.

A ledger is protected (`style.protect_ledger`) so that staff can insert, delete and sort
its rows: Excel deletes or sorts rows on a protected sheet only when every cell of them
is unlocked (Protection.AllowDeletingRows, AllowSorting), and so does LibreOffice
(tests/books/test_ledger_protection.py). So the record rows hold no locked cell: the
formula cells are unlocked too, every column beyond the table has an unlocked column
style, and the title and header cells stay locked. Typing over a formula is stopped by a
data validation that accepts nothing (`FORMULA_GUARD`: Excel checks what is typed, not
what is pasted or copied), and validation reports a formula that was lost anyway, saying
which neighbouring cell to copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import datetime
from functools import cache
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from .cells import put, put_formula
from .printing import (
    print_setup,
    row_height,
    set_height,
    set_print_formula,
    text_lines,
    used_rows_area,
)
from .schema import NATIVE, Column, FormSheet, TableSheet, Validation
from .style import (
    BODY_FONT,
    BORDER,
    CELL_ALIGN,
    CENTER_ALIGN,
    FORMULA_FILL,
    UNLOCKED,
    WRAP_ALIGN,
    Look,
    header_cells,
    protect,
    protect_ledger,
    title_cell,
    using_public_setters,
)

MAX_COLUMN = 16384  # XFD, the last column of Excel and of LibreOffice since 7.4


def data_validation(v: Validation, title: str) -> DataValidation:
    """An openpyxl validation with the Chinese prompt shown on entry and a stop error."""
    dv = DataValidation(
        type=v.kind,
        formula1=v.formula1,
        formula2=v.formula2,
        operator=v.operator,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
    )
    dv.promptTitle = title[:32]
    dv.prompt = v.prompt[:255]
    dv.errorTitle = title[:32]
    dv.error = v.error[:255]
    return dv


def style_entry_column(ws: Worksheet, letter: str, column: Column) -> None:
    dim = ws.column_dimensions[letter]
    dim.number_format = column.fmt
    dim.protection = UNLOCKED
    dim.font = BODY_FONT
    dim.alignment = WRAP_ALIGN if column.wrap else CELL_ALIGN


@cache
def formula_look(fmt: str, wrap: bool) -> Look:
    """A ledger's formula cell: grey, bordered, in its column's format, unlocked so that its
    row can be deleted and sorted on the protected sheet (see the module docstring)."""
    return Look(number_format=fmt, fill=FORMULA_FILL, font=BODY_FONT, border=BORDER, alignment=WRAP_ALIGN if wrap else CELL_ALIGN,
                protection=UNLOCKED)


# What typing into a grey formula cell of a ledger meets: a validation that accepts nothing.
FORMULA_GUARD = Validation(
    "custom", "FALSE",
    error="灰色列是自动计算的，请不要在这里填写。公式被改动了：从上一行复制这一格，粘贴回来即可。",
)


@cache
def entry_look(fmt: str, wrap: bool) -> Look:
    """A value written for staff (`write_record`): unlocked, in its column's format."""
    return Look(number_format=fmt, protection=UNLOCKED, font=BODY_FONT, alignment=WRAP_ALIGN if wrap else CELL_ALIGN)


@cache
def form_look(fmt: str, align: str, entry: bool) -> Look:
    """A cell of a form sheet's frame: bordered; unlocked where staff type, else grey."""
    alignment = {"center": CENTER_ALIGN, "wrap": WRAP_ALIGN, "cell": CELL_ALIGN}[align]
    if entry:
        return Look(font=BODY_FONT, border=BORDER, number_format=fmt, alignment=alignment, protection=UNLOCKED)
    return Look(font=BODY_FONT, border=BORDER, number_format=fmt, alignment=alignment, fill=FORMULA_FILL)


def style_formula_cell(cell: Cell, column: Column) -> None:
    formula_look(column.fmt, column.wrap).apply(cell)


_ONE_ROW: ContextVar[bool] = ContextVar("one_row_tables", default=False)


@contextmanager
def one_row_tables() -> Iterator[None]:
    """Within the block, `write_table` prepares one row of each ledger instead of thousands.

    For validation, which builds a template only to read the formulas of its form sheets
    (统计, 抽样, 汇总 …; the ledgers' own formula columns are checked from the spec): building
    the 3,000-row 台账 and 投诉台账 for nothing was 0.35 s of every close."""
    token = _ONE_ROW.set(True)
    try:
        yield
    finally:
        _ONE_ROW.reset(token)


def write_table(wb: Workbook, spec: TableSheet, style: str = NATIVE, title: str | None = None, header: str | None = None) -> Worksheet:
    """Add the ledger sheet described by `spec`; returns it for book-specific extras.

    It prints on A4 one page wide, its header row on every page, `header` (month, book,
    sheet) above, and only the rows in use (`printing.used_rows_area`).
    """
    if _ONE_ROW.get():
        spec = replace(spec, rows=1)
    ws = wb.create_sheet(spec.name)
    last_letter = get_column_letter(len(spec.columns))
    title_cell(ws, title or spec.title, last_letter)
    header_cells(ws, spec.header_row, spec.headers)
    lines = max(text_lines(c.header, c.width) for c in spec.columns)  # a narrow column's header wraps
    if lines > 2:
        ws.row_dimensions[spec.header_row].height = row_height(lines)

    for i, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = column.width
        if column.is_entry:
            style_entry_column(ws, letter, column)
            if column.validation:
                dv = data_validation(column.validation, column.header)
                dv.add(f"{letter}{spec.first_row}:{letter}{spec.last_row}")
                ws.add_data_validation(dv)

    formula_columns = [(spec.index(c.key), c) for c in spec.formula_columns]
    formula_rows(ws, spec, formula_columns, spec.first_row, spec.last_row, style)
    if formula_columns:
        guard = data_validation(FORMULA_GUARD, "自动计算")
        guard.showInputMessage = False
        for col, _ in formula_columns:
            letter = get_column_letter(col)
            guard.add(f"{letter}{spec.first_row}:{letter}{spec.last_row}")
            ws.column_dimensions[letter].protection = UNLOCKED  # rows past the table: deletable too
        ws.add_data_validation(guard)
    beyond = ws.column_dimensions[get_column_letter(len(spec.columns) + 1)]
    beyond.min, beyond.max = len(spec.columns) + 1, MAX_COLUMN
    beyond.protection = UNLOCKED

    ws.freeze_panes = f"{spec.freeze_col}{spec.first_row}"
    ws.auto_filter.ref = f"A{spec.header_row}:{last_letter}{spec.last_row}"
    print_setup(ws, f"{spec.header_row}:{spec.header_row}", header or spec.title, landscape=spec.landscape)
    set_print_formula(ws, used_rows_area(spec))
    ws.print_options.gridLines = True
    protect_ledger(ws)
    return ws


def formula_rows(ws: Worksheet, spec: TableSheet, columns: list[tuple[int, Column]], first: int, last: int, style: str = NATIVE) -> None:
    """The formula cells of rows `first` to `last` (column number, column), each as
    `put_formula` and `style_formula_cell` make it.

    A ledger prepares thousands of them: past each column's first cell the cells are made
    directly (openpyxl's ``Cell`` with the first cell's style array, the formula as its
    value, as ``cell.value =`` stores a text starting with "="), which skips openpyxl's
    value checks and style lookups per cell — they were a third of building the 台账.
    The formulas are the spec's (`TableSheet.renderer`), never text from staff."""
    if using_public_setters() or last < first:
        for row in range(first, last + 1):
            for col, column in columns:
                style_formula_cell(put_formula(ws, row, col, spec.render(column, row, style)), column)
        return
    made = []
    for col, column in columns:
        render = spec.renderer(column, style)
        cell = put_formula(ws, first, col, render(first))
        style_formula_cell(cell, column)
        made.append((col, render, cell._style))
    add = ws._add_cell
    for row in range(first + 1, last + 1):
        for col, render, look in made:
            cell = Cell(ws, row, col, style_array=look)
            cell._value = render(row)
            cell.data_type = "f"
            add(cell)


def write_record(ws: Worksheet, spec: TableSheet, row: int, values: Mapping[str, Any]) -> None:
    """Write one record's entry values by column key, formatted as staff's typing would be.

    A cell openpyxl creates does not take its column's style, so the value gets the
    column's number format (a date shows as a date) and stays unlocked; strings stay text.
    Formula columns are refused: their cells belong to the template. The row gets the
    height its wrapped text needs (`printing.set_height`), so no line prints over the next.
    """
    for key, value in values.items():
        column = spec.column(key)
        if column.is_formula:
            raise ValueError(f"{spec.name}.{column.header} 为公式列，不能写入")
        if value is None:
            continue
        entry_look(column.fmt, column.wrap).apply(put(ws, row, spec.index(key), value))
    set_height(ws, row, record_lines(spec, values))


def record_lines(spec: TableSheet, values: Mapping[str, Any]) -> int:
    """The lines a record's wrapped text takes in its row (the longest of its wrapped columns)."""
    lines = 1
    for key, value in values.items():
        column = spec.column(key)
        if column.wrap and isinstance(value, str):
            lines = max(lines, text_lines(value, column.width))
    return lines


def write_rows(ws: Worksheet, spec: TableSheet, records: Iterable[Mapping[str, Any]], first: int | None = None) -> list[int]:
    """Write records (`write_record`) from row `first` (default: the table's first row) down;
    a row past the rows the template prepared also gets the table's formulas, as a row Excel
    adds to a table would. Returns the rows written."""
    r = spec.first_row if first is None else first
    formula_cols = [(spec.index(c.key), c) for c in spec.formula_columns]
    written = []
    for values in records:
        write_record(ws, spec, r, values)
        if r > spec.last_row:
            for col, column in formula_cols:
                style_formula_cell(put_formula(ws, r, col, spec.render(column, r, NATIVE)), column)
        written.append(r)
        r += 1
    return written


CREATOR = "xinao-xl"  # the author of every file the tool writes (docProps/core.xml)


def fixed_properties(wb: Workbook, now: datetime) -> Workbook:
    """No save time inside the file, only the day of `now`: made again from the same inputs on
    the same day, a file holds the same contents (the close's outputs, the report)."""
    wb.properties.creator = CREATOR
    wb.properties.created = wb.properties.modified = datetime(now.year, now.month, now.day)
    return wb


def write_form_frame(wb: Workbook, spec: FormSheet, title: str | None = None, header: str | None = None) -> Worksheet:
    """Add a form sheet: title, headers, borders and formats on every cell of every row.

    Cells of the row's ``entry_keys`` are unlocked; the book module then writes labels and
    formulas into the others (and fits the rows to them: `printing.fit_rows`). It prints
    on one A4 page width, `header` (month, book, sheet) above.
    """
    ws = wb.create_sheet(spec.name)
    last_letter = get_column_letter(len(spec.columns))
    title_cell(ws, title or spec.title, last_letter)
    header_cells(ws, spec.header_row, spec.headers)
    for i, column in enumerate(spec.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    for offset, form_row in enumerate(spec.rows + spec.footer_rows):
        r = spec.first_row + offset
        for i, column in enumerate(spec.columns, start=1):
            align = "center" if column.center else "wrap" if column.wrap else "cell"
            form_look(column.fmt, align, column.key in form_row.entry_keys).apply(ws.cell(row=r, column=i))
    ws.freeze_panes = f"A{spec.first_row}"
    print_setup(ws, f"{spec.header_row}:{spec.header_row}", header or spec.title, landscape=spec.landscape,
                print_area=f"A1:{last_letter}{spec.last_row}")
    protect(ws)
    return ws


def add_validation(ws: Worksheet, v: Validation, title: str, cells: str) -> None:
    dv = data_validation(v, title)
    dv.add(cells)
    ws.add_data_validation(dv)
