"""Writing values staff or customers typed: text always stays text.

A customer's complaint may begin with "=" or "-" ("-气费多收了"), a phone with "+86".
openpyxl turns any string starting with "=" into a formula, and Excel re-parses a cell a
user edits; so every string goes in as a string cell, and one that Excel would read as a
formula once edited (`FORMULA_LEADS`) also gets Excel's quote prefix (the invisible
apostrophe), which is what Excel itself does for ``'=abc``.

`FORMULA_LEADS` are the characters OWASP's CSV-injection guidance names (= + - @, tab,
carriage return) and their full-width forms (＝＋－＠): East Asian versions of Excel may
take a full-width "＝" typed with the input method at full width as a formula's start.

    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> put(ws, 1, 1, "=HYPERLINK(\\"x\\")").data_type
    's'
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def looks_like_formula(text: str) -> bool:
    """Whether Excel (or a CSV reader) could take `text` for a formula: its first character."""
    return text.startswith(FORMULA_LEADS)


def set_value(cell: Cell, value: Any) -> Cell:
    """Set a typed value; a string is stored as text, never as a formula."""
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
        return cell
    if isinstance(value, datetime | date | int | float | bool) or value is None:
        cell.value = value
        return cell
    cell.value = str(value)
    cell.data_type = "s"
    return cell


def keep_text(wb: Workbook) -> int:
    """Give the quote prefix to every text cell of `wb` that looks like a formula; returns how many.

    For a copy of a staff workbook the close writes (the closed 考核表, the 意见统计表): a text
    such as "=1+1" that came in from an export or another tool has no quote prefix, and in
    the copy it would turn into a formula the first time someone edits the cell. Only the
    cells the sheet stores are visited (``_cells``: iterating rows would create every empty
    cell of a 3,000-row template).
    """
    n = 0
    for ws in wb.worksheets:
        for cell in ws._cells.values():
            if cell.data_type == "s" and isinstance(cell.value, str) and looks_like_formula(cell.value) and not cell.quotePrefix:
                cell.quotePrefix = True
                n += 1
    return n


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write one typed value at (row, column) as `set_value` does."""
    return set_value(ws.cell(row=row, column=column), value)


def put_formula(ws: Worksheet, row: int, column: int, formula: str) -> Cell:
    """Write a formula we generated (never text from staff)."""
    if not formula.startswith("="):
        raise ValueError(f"not a formula: {formula!r}")
    cell = ws.cell(row=row, column=column)
    cell.value = formula
    return cell
