"""How a sheet prints: A4 one page wide, header and footer, the rows in use, rows as tall
as their text, and which sheets stay off paper.

The ledgers hold their formula cells (grey, bordered) ahead of time in a block of a few
hundred or thousand rows, so staff can type in any row; Excel and LibreOffice count those
cells as used and would print the whole block (the blank 回访台账 printed 70 pages). So a
ledger's print area is a formula (`used_rows_area`): from the title to the last row in
which any entry column holds something, and never less than `BLANK_ROWS` empty rows (the
blank ledger prints as a one-page form). Excel evaluates a print area given as a formula
when it prints; LibreOffice (7.4, measured) only takes a print area that is a plain
reference and otherwise prints the whole used block. The workbooks are made for Excel; the
LibreOffice proof (tests/books/test_print.py) evaluates the same formula in LibreOffice
and prints the rows it names, which is what Excel prints.

openpyxl drops a print area that is a formula when it loads a file (with a warning);
`load_book` loads a staff workbook and puts them back, for the few places that edit one.

Row heights: LibreOffice keeps the height stored for a row when it opens an .xlsx and does
not fit wrapped text (measured), so a long address would print over the next row. Excel
fits a row to its wrapped text when the row has no height of its own (at load and when
staff type). For rows the tool writes, `fit_row` stores the height the text needs with
Excel's narrower metrics (宋体 10 pt: a Han character is 1.9 column units, LibreOffice's
fallback font 1.5), so no program prints text over the next row, and marks it not
custom, so Excel still refits the row when staff change the text. Rows staff type are
left to the program they type in: both fit a non-custom row as text is entered.
"""

from __future__ import annotations

import io
import math
import re
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path

from defusedxml import ElementTree
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from .filecheck import load_workbook
from .schema import TableSheet

PAGE_FOOTER = "第 &P 页 共 &N 页"
PRINT_AREA = "_xlnm.Print_Area"
BLANK_ROWS = 20  # empty rows a blank ledger prints below its header (a form to fill by hand)
FORM_MARGINS = (0.5, 0.75)  # a one-page form's sides and top/bottom, inches
HEADER_MARGIN = 0.3  # the page header and footer from the paper's edge, inches

# Text metrics for row heights (10-point body text). Excel: a column unit is 7 px (the
# digit of the default 11-point font), a 宋体 Han character 13.3 px, a Latin one half of
# it; LibreOffice's fallback fonts fit more on a line (measured: 12 Han characters in a
# column of 18 units, Excel 9), so these heights are enough for both.
UNIT_PX = 7.0
PADDING_PX = 6.0
WIDE_PX = 13.4  # a Han character, a full-width sign
NARROW_PX = 6.7  # a digit, a Latin letter
LINE_PT = 14.5  # one line of 10-point text (LibreOffice's Noto CJK needs 14.4)
DEFAULT_WIDTH = 8.43


def print_setup(ws: Worksheet, title_rows: str | None, header: str, landscape: bool = True, print_area: str | None = None,
                title_cols: str | None = None, fit_height: bool = False) -> None:
    """A4, every column on one page width, header rows (and key columns) repeated, the
    month and sheet in the page header and 第 N 页 共 M 页 in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if fit_height else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.page_margins.header = ws.page_margins.footer = HEADER_MARGIN
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    page_header(ws, header)
    if print_area:
        ws.print_area = print_area


PRINT_MIN_PT = 6.0  # the smallest text a printed ledger may have, in points on paper
A4_LONG_PT, A4_SHORT_PT = 842, 595
# A column unit is the width of a digit of the workbook's default font (Calibri 11): 7 px in
# Excel; 9 px where Calibri is missing and DejaVu Sans stands in (LibreOffice on a machine
# without Carlito; the office's WPS may differ too). A page split by hand must fit the wider.
WIDEST_DIGIT_PX = 9


def column_pt(width: float, digit_px: float = WIDEST_DIGIT_PX) -> float:
    """A column `width` units wide on the page at 100 %, in points (a unit of `digit_px`
    plus 5 px of padding, at 96 px an inch)."""
    return (width * digit_px + 5) * 0.75


def two_pages_wide(ws: Worksheet, widths: Sequence[float], split_after: int, repeat: str) -> int:
    """Print a ledger too wide for one A4 width as two pages side by side: columns up to
    `split_after` on the first, the rest on the second, each row's `repeat` columns (its key,
    e.g. "A:C") on both, and the pages in the order "over, then down" (页面顺序：先行后列),
    so a row's two halves are consecutive pages. The scale is the largest whole percent at
    which the wider half fits with the widest digit (`WIDEST_DIGIT_PX`); returns it.

    Why not "fit to 2 pages wide": Excel ignores a manual page break under "fit to", and
    would cut the columns wherever the width ran out."""
    first, last = (column_index_from_string(c) for c in repeat.split(":"))
    keys = sum(column_pt(w) for w in widths[first - 1:last])
    halves = (sum(column_pt(w) for w in widths[:split_after]), keys + sum(column_pt(w) for w in widths[split_after:]))
    page = A4_LONG_PT if ws.page_setup.orientation == "landscape" else A4_SHORT_PT
    room = page - 72 * (ws.page_margins.left + ws.page_margins.right)
    scale = min(100, math.floor(100 * room / max(halves)))
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = scale
    ws.page_setup.pageOrder = "overThenDown"
    ws.print_title_cols = repeat
    ws.col_breaks.append(Break(id=split_after))
    ws.oddHeader.center.size = ws.oddFooter.center.size = 10  # scaled with the sheet, as large as its cells
    return scale


def one_page_form(ws: Worksheet, area: str, margins: tuple[float, float] = FORM_MARGINS) -> None:
    """A form (流转单, 投诉单, 附件5, 服务津贴申请) printed as one upright A4 page, whatever
    its rows: fitted to the page both ways, centred; `margins` (sides, top/bottom) in inches,
    the header and footer 0.3 in from the edge so a page header is not clipped."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = margins[0]
    ws.page_margins.top = ws.page_margins.bottom = margins[1]
    ws.page_margins.header = ws.page_margins.footer = HEADER_MARGIN
    ws.print_area = area


def form_sheet_title(text: str, taken: set[str], fallback: str) -> str:
    """A valid, unique sheet name for one form of a workbook of forms (31 characters, none of
    []:*?/\\ or an apostrophe); `taken` is updated."""
    base = re.sub(r"[\[\]:*?/\\']", "_", text or fallback)[:28] or fallback
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:25]}({n})", n + 1
    taken.add(name)
    return name


def page_header(ws: Worksheet, text: str) -> None:
    """The page header (month, workbook, sheet or department) and the page footer."""
    ws.oddHeader.center.text = text.replace("&", "&&")
    ws.oddHeader.center.size = 9
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.oddFooter.center.size = 9


def month_prefix(month: str | None) -> str:
    """"2026-11 " before a title, nothing for a template (which has no month: its month is
    the one of the folder or file name it is copied to)."""
    return f"{month} " if month else ""


def book_header(month: str | None, book: str, sheet: str) -> str:
    """"2026-11 客户回访信息台账 · 台账"; "2026-11 · 规则" for a sheet every book has."""
    return " ".join(part for part in (month, book, "·", sheet) if part)


# --- the rows in use ---------------------------------------------------------------------------


def used_rows_area(spec: TableSheet) -> str:
    """The print area of a ledger as a formula: title to the last row in use, across the
    columns that print (`TableSheet.printed`: the 投诉台账 keeps its rarely printed columns
    to the right of them, on screen only).

    A row is in use when any entry column holds something; LOOKUP(2,1/…) finds the last
    such row without an array entry and passes over the #DIV/0! of the empty ones (and over
    an error value typed into a cell). INDEX keeps the reference non-volatile.
    """
    sheet = spec.name.replace("'", "''")
    first, last = spec.first_row, spec.last_row
    used = "+".join(f"('{sheet}'!${spec.letter(c.key)}${first}:${spec.letter(c.key)}${last}<>\"\")" for c in spec.entry_columns)
    last_used = f"IFERROR(LOOKUP(2,1/(({used})>0),ROW('{sheet}'!$A${first}:$A${last})),{spec.header_row})"
    end = f"MAX({last_used},{min(spec.header_row + BLANK_ROWS, last)})"
    letter = get_column_letter(spec.print_columns)
    return f"'{sheet}'!$A$1:INDEX('{sheet}'!${letter}$1:${letter}${last},{end})"


def set_print_formula(ws: Worksheet, formula: str) -> None:
    """Give `ws` a print area that is a formula (openpyxl's `print_area` takes references only)."""
    ws.defined_names[PRINT_AREA] = DefinedName(PRINT_AREA, attr_text=formula)


def print_formula(ws: Worksheet) -> str | None:
    name = ws.defined_names.get(PRINT_AREA)
    return name.attr_text if name is not None else None


def load_book(source: Path | bytes, *, name: str | None = None) -> Workbook:
    """`filecheck.load_workbook` (checked, then openpyxl) keeping the print areas given as formulas.

    openpyxl reads a print area as references only: it warns and drops a formula, and the
    file it saves would print every prepared row again. `source` is a file or the bytes a
    reader read (`name` says which file in messages).
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Print area cannot be set")
        wb = load_workbook(source, name=name)
    for index, formula in print_formulas(source).items():
        if index < len(wb.sheetnames):
            ws = wb[wb.sheetnames[index]]
            if isinstance(ws, Worksheet) and not ws.print_area:
                set_print_formula(ws, formula)
    return wb


def print_formulas(source: Path | bytes) -> dict[int, str]:
    """Sheet index -> print area text, for the print areas that are not plain references."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
        root = ElementTree.fromstring(z.read("xl/workbook.xml"))
    out = {}
    for dn in root.iter(f"{ns}definedName"):
        text = dn.text or ""
        if dn.get("name") == PRINT_AREA and dn.get("localSheetId") is not None and "(" in text:
            out[int(dn.get("localSheetId"))] = text
    return out


def not_printed(ws: Worksheet) -> None:
    """Keep a reference sheet (规则, 工作日历, 问卷) out of "print the whole workbook".

    OOXML has no "do not print" flag for a sheet; Excel and LibreOffice leave hidden sheets
    out of printing and PDF export, and staff show one again with 右键工作表标签 → 取消隐藏.
    Printing the active sheet (Excel's default) never takes them.
    """
    ws.sheet_state = "hidden"


# --- row heights ---------------------------------------------------------------------------------


class FittedRow(RowDimension):
    """A row height the tool worked out, stored without ``customHeight``: Excel takes it as
    the row's automatic height and fits it again when the text changes."""

    @property
    def customHeight(self) -> bool:  # noqa: N802 - the OOXML attribute's name
        return False


def text_lines(text: str, width: float) -> int:
    """Lines `text` takes in a wrapped cell `width` column units wide (Excel's metrics)."""
    room = max(width * UNIT_PX - PADDING_PX, WIDE_PX)
    lines = 0
    for part in str(text).split("\n"):
        px = sum(WIDE_PX if ord(ch) > 0x2E7F else NARROW_PX for ch in part)
        lines += max(1, math.ceil(px / room))
    return lines


def row_height(lines: int) -> float:
    return round(lines * LINE_PT + 3, 1)


def set_height(ws: Worksheet, row: int, lines: int) -> None:
    """Give `row` the height of `lines` lines of text, unless it is one line or already taller."""
    if lines <= 1:
        return
    height = row_height(lines)
    old = ws.row_dimensions.get(row)
    if old is not None and old.height is not None and old.height >= height:
        return
    ws.row_dimensions[row] = FittedRow(ws, index=row, ht=height, hidden=bool(old and old.hidden),
                                       outlineLevel=old.outlineLevel if old else 0)


def fit_row(ws: Worksheet, row: int, last_col: int | None = None) -> None:
    """Store the height the wrapped text of `row` needs, in columns up to `last_col` (merged
    ranges spanning columns count their whole width; one spanning rows keeps its heights)."""
    fit_rows(ws, row, row, last_col)


def fit_rows(ws: Worksheet, first: int, last: int, last_col: int | None = None) -> None:
    """`fit_row` for rows `first` to `last`. Only the cells the sheet stores are visited, in
    one pass: ``ws[row]`` would scan every cell of the sheet for its width on each row (a
    2,000-row detail sheet took 0.4 s) and create the empty cells it lists."""
    cells: dict[int, list[Cell]] = {}
    for (r, c), cell in ws._cells.items():
        if first <= r <= last and (last_col is None or c <= last_col):
            cells.setdefault(r, []).append(cell)
    spans = {(m.min_row, m.min_col): m for m in ws.merged_cells.ranges if first <= m.min_row <= last}
    widths = _widths(ws) if cells else {}
    for row in range(first, last + 1):
        lines = 1
        for cell in cells.get(row, ()):
            value = cell.value
            if not isinstance(value, str) or not value or cell.data_type == "f" or not (cell.alignment and cell.alignment.wrap_text):
                continue
            merged = spans.get((row, cell.column))
            if merged is not None and merged.max_row > row:
                continue
            end = merged.max_col if merged is not None else cell.column
            width = sum(widths.get(c, DEFAULT_WIDTH) for c in range(cell.column, end + 1))
            if width:
                lines = max(lines, text_lines(value, width))
        set_height(ws, row, lines)


def _widths(ws: Worksheet) -> dict[int, float]:
    """Column number -> width (0 for a hidden column); openpyxl keeps a group of columns
    (<col min="10" max="11">) under its first letter."""
    out = {}
    for dim in ws.column_dimensions.values():
        lo = dim.min or column_index_from_string(dim.index)
        hi = max(dim.max or lo, lo)
        for c in range(lo, hi + 1):
            out[c] = 0.0 if dim.hidden else dim.width or DEFAULT_WIDTH
    return out
