"""Workbooks built from nothing, written with XlsxWriter in memory.

Why not openpyxl for these: openpyxl builds a tree of cell objects and serialises it; the
流转单 of a 10,000-callback month (275 sheets) took 0.7 s to build and 0.4 s to save that
way, XlsxWriter writes the same file in a fraction of it. openpyxl stays where a staff file
is copied or edited (XlsxWriter cannot read).

The vocabulary stays ours: a sheet is drawn on a `Draft` with the style objects of
`books.style` (fonts, fills, borders, alignments, protections, number formats, `Look`),
the print setup of `books.printing` (`Page`) and `schema.Validation`, so a builder reads as
it did with openpyxl; `Book.add` turns a draft into XlsxWriter calls, one cached
XlsxWriter ``Format`` per distinct cell style. What a reader sees is what openpyxl wrote
(tests/books/test_flow_form.py compares the files cell by cell), with these exceptions,
none visible: colours carry the alpha FF instead of 00 (Excel ignores it), border sides
without a line are written empty instead of left out, the first sheet's tab is marked
selected, an empty text is an empty shared string (`tests/support/snapshot.same_meaning`).

Safety as in `cells`: text is written as a string cell, never as a formula (the workbook
is made with ``strings_to_formulas`` off and strings go through ``write_string``), and a
text Excel would read as a formula once edited (`cells.looks_like_formula`) carries the
quote prefix. Formulas we generate go through `Draft.formula`.

    >>> from io import BytesIO
    >>> from openpyxl import load_workbook
    >>> d = Draft("表")
    >>> d.put(1, 1, "=1+1")
    >>> book = Book()
    >>> _ = book.add(d)
    >>> cell = load_workbook(BytesIO(book.to_bytes()))["表"]["A1"]
    >>> cell.value, cell.data_type, cell.quotePrefix
    ('=1+1', 's', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from io import BytesIO
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection
from openpyxl.styles.borders import Side
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.protection import SheetProtection
from xlsxwriter import Workbook as XlsxWorkbook
from xlsxwriter.chart_column import ChartColumn
from xlsxwriter.drawing import Drawing, DrawingTypes
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet as XlsxWorksheet

from .cells import looks_like_formula
from .names import absolute
from .printing import FORM_MARGINS, HEADER_MARGIN, PAGE_FOOTER, row_height, text_lines
from .schema import Validation
from .style import Look

__all__ = ["Book", "ColumnChart", "Draft", "Page", "add_column_chart", "one_page", "print_page", "row_breaks"]

# A cell's style, as openpyxl keeps it: one object per part (None: the workbook's default).
# font, fill, border, alignment, protection, number format, quote prefix
Style = tuple[Font | None, PatternFill | None, Border | None, Alignment | None, Protection | None, str | None, bool]
PLAIN: Style = (None, None, None, None, None, None, False)
_LOOK_PARTS = ("font", "fill", "border", "alignment", "protection", "number_format")

# openpyxl's page margins when none are set (inches): what a sheet prints with by default
OPENPYXL_MARGINS = (0.75, 0.75, 1.0, 1.0, 0.5, 0.5)
DATETIME_FORMAT = "yyyy-mm-dd h:mm:ss"  # openpyxl's for a datetime in a General cell
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "h:mm:ss"

_BORDER_STYLES = {
    None: 0, "thin": 1, "medium": 2, "dashed": 3, "dotted": 4, "thick": 5, "double": 6, "hair": 7, "mediumDashed": 8,
    "dashDot": 9, "mediumDashDot": 10, "dashDotDot": 11, "mediumDashDotDot": 12, "slantDashDot": 13,
}
_HORIZONTAL = {"general": None, "left": "left", "center": "center", "right": "right", "fill": "fill", "justify": "justify",
               "centerContinuous": "center_across", "distributed": "distributed"}
_VERTICAL = {"top": "top", "center": "vcenter", "bottom": "bottom", "justify": "vjustify", "distributed": "vdistributed"}
_VALIDATE = {"list": "list", "decimal": "decimal", "whole": "integer", "date": "date", "time": "time",
             "textLength": "length", "custom": "custom"}
_CRITERIA = {None: "between", "between": "between", "notBetween": "not between", "equal": "equal to",
             "notEqual": "not equal to", "greaterThan": "greater than", "lessThan": "less than",
             "greaterThanOrEqual": "greater than or equal to", "lessThanOrEqual": "less than or equal to"}
# openpyxl SheetProtection flag -> XlsxWriter `protect` option (the flag says "refused",
# the option "allowed")
_PROTECTION = {"objects": "objects", "scenarios": "scenarios", "formatCells": "format_cells", "formatColumns": "format_columns",
               "formatRows": "format_rows", "insertColumns": "insert_columns", "insertRows": "insert_rows",
               "insertHyperlinks": "insert_hyperlinks", "deleteColumns": "delete_columns", "deleteRows": "delete_rows",
               "selectLockedCells": "select_locked_cells", "sort": "sort", "autoFilter": "autofilter",
               "pivotTables": "pivot_tables", "selectUnlockedCells": "select_unlocked_cells"}

# The functions XlsxWriter's formula preparation rewrites when future functions are off
# (worksheet._prepare_formula: about 30 regex substitutions a formula). One search says
# whether any can apply; only then is its preparation run ("INGLE(" covers its pattern
# "\SINGLE\(", which matches any character before INGLE).
_DYNAMIC = re.compile(r"ANCHORARRAY\(|BYCOL\(|BYROW\(|CHOOSECOLS\(|CHOOSEROWS\(|DROP\(|EXPAND\(|FILTER\(|HSTACK\(|LAMBDA\("
                      r"|MAKEARRAY\(|MAP\(|RANDARRAY\(|REDUCE\(|SCAN\(|INGLE\(|SEQUENCE\(|SORT\(|SORTBY\(|SWITCH\(|TAKE\("
                      r"|TEXTSPLIT\(|TOCOL\(|TOROW\(|UNIQUE\(|VSTACK\(|WRAPCOLS\(|WRAPROWS\(|XLOOKUP\(")


class _Sheet(XlsxWorksheet):
    """XlsxWriter's worksheet with three of our needs: rows whose height the tool fitted to
    their text are stored without ``customHeight`` (`printing.FittedRow`: Excel refits
    them when the text changes); fit-to-page states "1 page" as openpyxl did (XlsxWriter
    leaves a 1 out, the schema's default, which readers such as openpyxl take as unset);
    formulas skip the preparation that cannot change them."""

    fitted_rows: frozenset[int] = frozenset()  # zero-based

    def _write_page_setup(self) -> None:
        if not self.fit_page:
            return super()._write_page_setup()
        write = self._xml_empty_tag

        def stating_ones(tag: str, attributes: Any = None) -> None:
            names = {name for name, _ in attributes}
            at = ("paperSize" in names) + ("scale" in names)  # where XlsxWriter puts them
            for name, value in (("fitToWidth", self.fit_width), ("fitToHeight", self.fit_height)):
                if name not in names:
                    attributes.insert(at, (name, value))
                at += 1
            write(tag, attributes)

        self._xml_empty_tag = stating_ones  # type: ignore[method-assign]
        try:
            super()._write_page_setup()
        finally:
            del self._xml_empty_tag

    def _xml_start_tag_unencoded(self, tag: str, attributes: Any = None) -> None:
        super()._xml_start_tag_unencoded(tag, self._row_attributes(tag, attributes))

    def _xml_empty_tag_unencoded(self, tag: str, attributes: Any = None) -> None:
        super()._xml_empty_tag_unencoded(tag, self._row_attributes(tag, attributes))

    def _row_attributes(self, tag: str, attributes: Any) -> Any:
        if tag == "row" and attributes and attributes[0][1] - 1 in self.fitted_rows:
            return [a for a in attributes if a[0] != "customHeight"]
        return attributes

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if expand_future_functions or self.use_future_functions or _DYNAMIC.search(formula):
            return super()._prepare_formula(formula, expand_future_functions)
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula

    def _prepare_chart(self, index: int, chart_id: int, drawing_id: int) -> None:
        super()._prepare_chart(index, chart_id, drawing_id)
        if type(self.drawing) is Drawing:  # charts anchored to one cell (`add_column_chart`)
            self.drawing.__class__ = _OneCellDrawing


@dataclass
class Page:
    """How a sheet prints (the parts `printing.print_setup` / `one_page_form` set).

    ``fit`` is (pages wide, pages tall) of fit-to-page, 0 for "as many as needed"; None
    prints at 100 %. Margins in inches: left, right, top, bottom, header, footer.
    ``header`` and ``footer`` are Excel's header/footer codes (``&C&9…``).
    """

    paper: int = 9  # A4
    landscape: bool = False
    fit: tuple[int, int] | None = None
    center_horizontally: bool = False
    margins: tuple[float, float, float, float, float, float] = OPENPYXL_MARGINS
    area: str | None = None  # "A1:D19"
    title_rows: tuple[int, int] | None = None  # 1-based, inclusive
    title_cols: tuple[int, int] | None = None
    header: str | None = None
    footer: str | None = None


def print_page(title_rows: str | None, header: str, landscape: bool = True, print_area: str | None = None,
               title_cols: str | None = None, fit_height: bool = False) -> Page:
    """`printing.print_setup` as a `Page`: A4, one page wide, the header rows (and key
    columns, "A:B") repeated, `header` in the page header, 第 N 页 共 M 页 in the footer."""

    def span(text: str | None, letters: bool) -> tuple[int, int] | None:
        if not text:
            return None
        first, last = text.split(":")
        return (column_index_from_string(first), column_index_from_string(last)) if letters else (int(first), int(last))

    return Page(landscape=landscape, fit=(1, 1 if fit_height else 0), center_horizontally=True,
                margins=(0.4, 0.4, 0.7, 0.7, HEADER_MARGIN, HEADER_MARGIN), area=print_area, title_rows=span(title_rows, False),
                title_cols=span(title_cols, True), header=_centre(header.replace("&", "&&")), footer=_centre(PAGE_FOOTER))


def _centre(text: str, size: int = 9) -> str:
    """The header/footer code openpyxl writes for centred text of `size` points (`page_header`)."""
    return f"&C&{size} {text}"


def one_page(area: str, margins: tuple[float, float] = FORM_MARGINS) -> Page:
    """`printing.one_page_form` as a `Page`: a form printed as one upright A4 page, fitted
    both ways, centred; `margins` (sides, top/bottom) in inches."""
    side, top = margins
    return Page(fit=(1, 1), center_horizontally=True, margins=(side, side, top, top, HEADER_MARGIN, HEADER_MARGIN), area=area)


@dataclass
class _Cell:
    value: Any = None
    formula: str | None = None
    style: Style = PLAIN


@dataclass
class Draft:
    """One sheet as it will be written: cells with their styles, merges, sizes, print setup,
    validations, protection. Rows and columns are 1-based, as in openpyxl."""

    name: str
    cells: dict[tuple[int, int], _Cell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    fitted: set[int] = field(default_factory=set)  # rows whose height is fitted (not custom)
    page: Page | None = None
    protection: SheetProtection | None = None  # style.sheet_protection()
    freeze: tuple[int, int] | None = None  # first unfrozen (row, column), as "A3" names it
    validations: list[tuple[Validation, str, tuple[int, int, int, int]]] = field(default_factory=list)

    def copy(self, name: str) -> Draft:
        """The same sheet under another name (cells copied one level: a cell is replaced, not changed)."""
        return Draft(name, {k: _Cell(c.value, c.formula, c.style) for k, c in self.cells.items()}, list(self.merges),
                     dict(self.widths), dict(self.heights), set(self.fitted), self.page, self.protection, self.freeze,
                     list(self.validations))

    def _cell(self, row: int, col: int) -> _Cell:
        cell = self.cells.get((row, col))
        if cell is None:
            cell = self.cells[row, col] = _Cell()
        return cell

    def put(self, row: int, col: int, value: Any, look: Look | None = None) -> None:
        """A typed value as `cells.set_value` writes it: a string as text (with the quote
        prefix when it looks like a formula), numbers, dates and booleans as themselves,
        anything else as its text."""
        cell = self._cell(row, col)
        cell.formula = None
        if isinstance(value, str):
            cell.value = value
            if looks_like_formula(value):
                cell.style = cell.style[:6] + (True,)
        elif isinstance(value, datetime | date | time | int | float | bool) or value is None:
            cell.value = value
        else:
            cell.value = str(value)
        if look is not None:
            self.style(row, col, look)

    def formula(self, row: int, col: int, formula: str, look: Look | None = None) -> None:
        """A formula we generated (never text from staff)."""
        if not formula.startswith("="):
            raise ValueError(f"not a formula: {formula!r}")
        cell = self._cell(row, col)
        cell.value, cell.formula = None, formula
        if look is not None:
            self.style(row, col, look)

    def style(self, row: int, col: int, look: Look | None = None, **parts: Any) -> None:
        """Set the parts `look` (and the keyword parts: font=…, border=…) name; the others stay."""
        cell = self._cell(row, col)
        style = list(cell.style)
        for i, name in enumerate(_LOOK_PARTS):
            value = parts.get(name, getattr(look, name) if look is not None else None)
            if value is not None:
                style[i] = value
        cell.style = tuple(style)  # type: ignore[assignment]

    def value(self, row: int, col: int) -> Any:
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        self.merges.append((first_row, first_col, last_row, last_col))

    def height(self, row: int, height: float) -> None:
        self.heights[row] = height
        self.fitted.discard(row)

    def fit_row(self, row: int, last_col: int | None = None) -> None:
        """`printing.fit_row` on a draft: the height the wrapped text of `row` needs, stored
        as a fitted (not custom) height unless the row is already as tall."""
        self.fit_rows(row, row, last_col)

    def fit_rows(self, first: int, last: int, last_col: int | None = None) -> None:
        """`fit_row` for rows `first` to `last`, the draft's cells visited once (as
        `printing.fit_rows`: row by row, a detail sheet's 2,000 rows scanned every cell each)."""
        rows: dict[int, list[tuple[int, _Cell]]] = {}
        for (r, c), cell in self.cells.items():
            if first <= r <= last and (last_col is None or c <= last_col):
                rows.setdefault(r, []).append((c, cell))
        spans = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in self.merges if first <= r1 <= last}
        for row in range(first, last + 1):
            lines = 1
            for c, cell in rows.get(row, ()):
                value, alignment = cell.value, cell.style[3]
                if not isinstance(value, str) or not value or cell.formula or not (alignment and alignment.wrap_text):
                    continue
                last_row, end = spans.get((row, c), (row, c))
                if last_row > row:
                    continue
                width = sum(self.widths.get(k, 8.43) for k in range(c, end + 1))
                if width:
                    lines = max(lines, text_lines(value, width))
            if lines <= 1:
                continue
            height = row_height(lines)
            old = self.heights.get(row)
            if old is not None and old >= height:
                continue
            self.heights[row] = height
            self.fitted.add(row)

    def validate(self, validation: Validation, title: str, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        """`writer.add_validation`: the Chinese prompt on entry, a stop error, blanks allowed."""
        self.validations.append((validation, title, (first_row, first_col, last_row, last_col)))


def _rgb(color: Any) -> str | None:
    """'#RRGGBB' of an openpyxl colour given as ARGB (themes and indexed colours are not used here)."""
    if color is None or getattr(color, "type", "rgb") != "rgb" or not isinstance(color.rgb, str):
        return None
    return "#" + color.rgb[-6:]


def _format_properties(style: Style) -> dict[str, Any]:
    font, fill, border, alignment, protection, number_format, quote = style
    out: dict[str, Any] = {}
    if font is not None:
        # no <family>, <scheme> or theme colour where openpyxl writes none
        out.update(font_name=font.name or "Calibri", font_size=font.sz or 11, font_family=int(font.family or 0), theme=-1)
        if font.b:
            out["bold"] = True
        if font.i:
            out["italic"] = True
        if font.u:
            out["underline"] = {"single": 1, "double": 2, "singleAccounting": 33, "doubleAccounting": 34}.get(font.u, 1)
        if font.strike:
            out["font_strikeout"] = True
        if (rgb := _rgb(font.color)) is not None:
            out["font_color"] = rgb
            del out["theme"]
    if fill is not None and fill.fill_type:
        if fill.fill_type != "solid":
            raise ValueError(f"fill {fill.fill_type!r} is not written by books/xlsx.py")
        out["pattern"] = 1
        fg, bg = _rgb(fill.fgColor), _rgb(fill.bgColor)
        if fg is not None and bg is not None:  # XlsxWriter swaps the two of a solid fill when both are given
            out["fg_color"], out["bg_color"] = bg, fg
        elif fg is not None:
            out["fg_color"] = fg
    if border is not None:
        for side in ("left", "right", "top", "bottom"):
            s: Side | None = getattr(border, side)
            if s is not None and s.style:
                out[side] = _BORDER_STYLES[s.style]
                if (rgb := _rgb(s.color)) is not None:
                    out[f"{side}_color"] = rgb
    if alignment is not None:
        if alignment.horizontal and _HORIZONTAL[alignment.horizontal]:
            out["align"] = _HORIZONTAL[alignment.horizontal]
        if alignment.vertical:
            out["valign"] = _VERTICAL[alignment.vertical]
        if alignment.wrap_text:
            out["text_wrap"] = True
        if alignment.shrink_to_fit:
            out["shrink"] = True
        if alignment.indent:
            out["indent"] = int(alignment.indent)
        if alignment.text_rotation:
            out["rotation"] = int(alignment.text_rotation)
    if protection is not None:
        if protection.locked is False:
            out["locked"] = False
        if protection.hidden:
            out["hidden"] = True
    if number_format and number_format != "General":
        out["num_format"] = number_format
    if quote:
        out["quote_prefix"] = True
    return out


def _validation_options(v: Validation, title: str) -> dict[str, Any]:
    """`writer.data_validation` in XlsxWriter's terms."""
    kind = _VALIDATE[v.kind]
    options: dict[str, Any] = {"validate": kind, "ignore_blank": True, "show_input": True, "show_error": True,
                               "error_type": "stop"}
    if kind == "list":
        options["source"] = v.formula1 if v.formula1.startswith('"') else "=" + v.formula1.lstrip("=")
        if v.formula1.startswith('"'):
            options["source"] = v.formula1.strip('"').split(",")
    elif kind == "custom":
        options["value"] = "=" + v.formula1.lstrip("=")
    else:
        options["criteria"] = _CRITERIA[v.operator]
        low = "=" + v.formula1.lstrip("=")
        if options["criteria"] in ("between", "not between"):
            options["minimum"], options["maximum"] = low, "=" + (v.formula2 or "").lstrip("=")
        else:
            options["value"] = low
    if title:
        options["input_title"] = options["error_title"] = title[:32]
    if v.prompt:
        options["input_message"] = v.prompt[:255]
    if v.error:
        options["error_message"] = v.error[:255]
    return options


class Book:
    """One workbook in memory: add drafts (in sheet order), then `to_bytes`.

    With `now`, the document properties are fixed as `writer.fixed_properties` means them to
    be (creator xinao-xl, created and modified the day of `now`): the same inputs on the same
    day give the same bytes (XlsxWriter stamps its zip entries 1980-01-01). openpyxl wrote
    the save time as "modified" whatever it was given.
    """

    def __init__(self, now: datetime | None = None) -> None:
        self._buffer = BytesIO()
        self._wb = XlsxWorkbook(self._buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                               "strings_to_urls": False})
        if now is not None:
            day = datetime(now.year, now.month, now.day)
            self._wb.set_properties({"author": "xinao-xl", "created": day})
        self._formats: dict[tuple[int, ...] | tuple[Any, ...], Format] = {}
        self._keep: list[Style] = []  # the style objects whose ids key `_formats`

    def format(self, style: Style) -> Format | None:
        """The XlsxWriter format of a cell style, made once per distinct style."""
        if style == PLAIN:
            return None
        key = (*map(id, style[:5]), style[5], style[6])
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = self._formats[key] = self._wb.add_format(_format_properties(style))
            self._keep.append(style)
        return fmt

    def add(self, draft: Draft) -> XlsxWorksheet:
        ws: _Sheet = self._wb.add_worksheet(draft.name, worksheet_class=_Sheet)
        for col, width in sorted(draft.widths.items()):
            ws.set_column_pixels(col - 1, col - 1, width * ws.max_digit_width)  # stored as `width`, like openpyxl
        for row, height in sorted(draft.heights.items()):
            ws.set_row_pixels(row - 1, height * 4 / 3)  # stored as `height` points (not rounded to pixels)
        ws.fitted_rows = frozenset(r - 1 for r in draft.fitted)
        for r1, c1, r2, c2 in draft.merges:
            ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "")  # no format: writes no cell; the cells follow
        fmt_of = self.format
        for (row, col), cell in draft.cells.items():
            fmt = fmt_of(cell.style)
            value = cell.value
            if cell.formula is not None:
                ws.write_formula(row - 1, col - 1, cell.formula, fmt)
            elif isinstance(value, str):
                ws.write_string(row - 1, col - 1, value, fmt)
            elif value is None:
                if fmt is not None:
                    ws.write_blank(row - 1, col - 1, None, fmt)
            elif isinstance(value, bool):
                ws.write_boolean(row - 1, col - 1, value, fmt)
            elif isinstance(value, int | float):
                ws.write_number(row - 1, col - 1, value, fmt)
            else:  # a date or time: openpyxl's format for it when the cell has none
                if cell.style[5] is None:
                    default = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT if isinstance(value, date) else TIME_FORMAT
                    fmt = fmt_of(cell.style[:5] + (default, cell.style[6]))
                ws.write_datetime(row - 1, col - 1, value, fmt)
        for validation, title, (r1, c1, r2, c2) in draft.validations:
            ws.data_validation(r1 - 1, c1 - 1, r2 - 1, c2 - 1, _validation_options(validation, title))
        if draft.freeze is not None:
            ws.freeze_panes(draft.freeze[0] - 1, draft.freeze[1] - 1)
        if draft.protection is not None:
            ws.protect("", {option: not getattr(draft.protection, flag) for flag, option in _PROTECTION.items()})
        if draft.page is not None:
            _page(ws, draft.page)
        else:  # the margins a sheet gets when nothing is set (XlsxWriter's own are Excel 2007's)
            _margins(ws, OPENPYXL_MARGINS)
        return ws

    def define_name(self, name: str, sheet: str, ref: str) -> None:
        """A workbook-wide defined name, as `names.define` writes it (``'规则'!$B$5``)."""
        self._wb.define_name(name, "=" + absolute(sheet, ref))

    def sheet_names(self) -> list[str]:
        return [ws.name for ws in self._wb.worksheets()]

    def to_bytes(self) -> bytes:
        """The finished .xlsx file (the book takes no more sheets)."""
        self._wb.close()
        return self._buffer.getvalue()


def _page(ws: XlsxWorksheet, page: Page) -> None:
    ws.set_paper(page.paper)
    if page.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    if page.fit is not None:
        ws.fit_to_pages(*page.fit)
    if page.center_horizontally:
        ws.center_horizontally()
    if page.header is not None:
        ws.set_header(page.header)
    if page.footer is not None:
        ws.set_footer(page.footer)
    _margins(ws, page.margins)
    if page.area:
        ws.print_area(page.area)
    if page.title_rows:
        ws.repeat_rows(page.title_rows[0] - 1, page.title_rows[1] - 1)
    if page.title_cols:
        ws.repeat_columns(page.title_cols[0] - 1, page.title_cols[1] - 1)


def _margins(ws: XlsxWorksheet, margins: tuple[float, float, float, float, float, float]) -> None:
    left, right, top, bottom, header, footer = margins
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    ws.margin_header, ws.margin_footer = header, footer  # set_header's margin, without a header text too


# --- charts and page breaks (the 回访报告, books/report.py) -------------------------------------

EMU_PER_CM = 360000
EMU_PER_PX = 9525  # at 96 px an inch


@dataclass(frozen=True)
class ColumnChart:
    """A native column chart over one column of a sheet, as the 回访报告 draws them (openpyxl's
    ``BarChart`` with ``type = "col"`` before): the series named by the cell above its values,
    the categories in column A beside them, no legend, the value on each bar.

    ``values``: (column, first row, last row), 1-based; ``anchor``: the cell of its top left
    corner; the size in centimetres (Excel keeps whole pixels: 16 × 7.5 cm is 605 × 283 px).
    ``percent``: the value axis as 0–100 %; else its numbers as the cells show them
    (``number_format``, the values' format: the axis is linked to it).
    """

    title: str
    y_title: str
    values: tuple[int, int, int]
    anchor: str
    width_cm: float = 16
    height_cm: float = 7.5
    percent: bool = False
    number_format: str | None = None


class _OneCellDrawing(Drawing):
    """XlsxWriter's drawing part, with a chart placed "move but don't size with cells"
    (``object_position`` 2) written as a one-cell anchor (its cell and its size), as
    openpyxl wrote the report's charts, instead of a two-cell anchor: the two-cell anchor's
    far corner is a cell reached with Excel's column widths, which LibreOffice (and any
    reader whose digit is wider) turns into a wider chart."""

    def _write_two_cell_anchor(self, index: int, drawing: Any) -> None:
        if drawing._anchor != 2 or drawing._drawing_type != DrawingTypes.CHART:
            return super()._write_two_cell_anchor(index, drawing)
        col, row, col_offset, row_offset = drawing._dimensions[:4]
        self._xml_start_tag("xdr:oneCellAnchor")
        self._write_from(col, row, col_offset, row_offset)
        self._write_xdr_ext(drawing._width * EMU_PER_PX, drawing._height * EMU_PER_PX)
        self._write_graphic_frame(index, drawing)
        self._write_client_data()
        self._xml_end_tag("xdr:oneCellAnchor")
        return None


class _LabelledColumns(ChartColumn):
    """XlsxWriter's column chart, its data labels stating every flag, the false ones too
    (``<c:showSerName val="0"/>`` …), as openpyxl's did: XlsxWriter writes only the true
    ones, and a reader that takes the OOXML default (true) for a missing flag (LibreOffice,
    for a file not stamped as Excel 2007's, e.g. once openpyxl re-saved it) then labels each
    bar with its series and category names too."""

    def _write_d_lbls(self, labels: Any) -> None:
        if not labels:
            return
        self._xml_start_tag("c:dLbls")
        for tag, shown in (("c:showLegendKey", False), ("c:showVal", bool(labels.get("value"))), ("c:showCatName", False),
                           ("c:showSerName", False), ("c:showPercent", False), ("c:showBubbleSize", False)):
            self._xml_empty_tag(tag, [("val", int(shown))])
        self._xml_end_tag("c:dLbls")


def add_column_chart(book: Book, ws: XlsxWorksheet, spec: ColumnChart) -> None:
    """Put `spec` on `ws` (a sheet `Book.add` made): anchored to its cell, moved with it and not
    resized with the rows and columns around it (a one-cell anchor, `_OneCellDrawing`)."""
    col, first, last = spec.values
    sheet = ws.name
    chart = book._wb.add_chart({"type": "column"})
    chart.__class__ = _LabelledColumns
    chart.add_series({
        "name": [sheet, first - 2, col - 1],
        "values": [sheet, first - 1, col - 1, last - 1, col - 1],
        "categories": [sheet, first - 1, 0, last - 1, 0],
        "data_labels": {"value": True},
    })
    chart.set_title({"name": spec.title})
    plain = {"major_tick_mark": "none", "minor_tick_mark": "none"}  # as openpyxl's charts had them
    chart.set_x_axis(plain)
    axis: dict[str, Any] = {"name": spec.y_title, **plain}
    if spec.percent:
        axis.update(num_format="0%", min=0, max=1)
    elif spec.number_format:
        axis.update(num_format=spec.number_format, num_format_linked=True)
    chart.set_y_axis(axis)
    chart.set_legend({"none": True})
    chart.set_size({"width": round(spec.width_cm * EMU_PER_CM / EMU_PER_PX), "height": round(spec.height_cm * EMU_PER_CM / EMU_PER_PX)})
    ws.insert_chart(spec.anchor, chart, {"object_position": 2})


def row_breaks(ws: XlsxWorksheet, rows: list[int]) -> None:
    """Manual page breaks below each of `rows` (1-based; openpyxl's ``Break(id=row)``)."""
    ws.set_h_pagebreaks(rows)
