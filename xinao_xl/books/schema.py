"""The shape of every workbook as data: sheets, columns, validations, formulas, formats.

Why data and not writer code: the writer (issue 3), the reader and validator (issue 4)
and the tests all need the same facts — which header sits in which column, which cells
staff type and which hold formulas, what a cell accepts. Headers are constants here, so a
reader finds a column by its Chinese header and a renamed header breaks one place.

A formula template is Excel text with ``{key}`` for the cell of column ``key`` in the same
row, ``{above_key}`` for that column from the header row down to the row above (a COUNTIFS
over the earlier records) and ``{r}`` for the row number:

    >>> col = Column("due", "反馈时限", FORMULA, formula='=IF({flow}="","",INT({flow})+2)')
    >>> sheet = TableSheet("台账", "t", (Column("flow", "流转日期", type="date"), col), rows=10)
    >>> sheet.render(col, 5)
    '=IF(A5="","",INT(A5)+2)'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from openpyxl.utils import get_column_letter

ENTRY = "entry"
FORMULA = "formula"

NATIVE = "native"
UDF = "udf"
FORMULA_STYLES = (NATIVE, UDF)

# Number formats staff expect (yyyy-mm-dd, yyyy-mm-dd hh:mm, percent, text for IDs).
FMT_DATE = "yyyy-mm-dd"
FMT_DATETIME = "yyyy-mm-dd hh:mm"
# Short forms where a ledger must print narrow (the 投诉台账's printed columns): the month's
# year is in the title and the page header; a deadline ends at 24:00 of its day.
FMT_SHORT_DATETIME = "m-d hh:mm"
FMT_SHORT_DATE = "m-d"
FMT_PERCENT = "0.00%"
# A rate typed as 0.965 or as 96.5 (parse_rate accepts both) shows as 96.50% either way.
FMT_RATE_ENTRY = '[<=1]0.00%;0.00"%"'
FMT_POINTS = "0.00"
FMT_INT = "0"
FMT_TEXT = "@"
FMT_GENERAL = "General"

TYPE_FORMATS = {
    "text": FMT_GENERAL,
    "id": FMT_TEXT,
    "date": FMT_DATE,
    "datetime": FMT_DATETIME,
    "number": FMT_POINTS,
    "percent": FMT_PERCENT,
    "int": FMT_INT,
    "choice": FMT_GENERAL,
}


@dataclass(frozen=True)
class Validation:
    """An Excel data validation: a dropdown of a defined-name list or a number/date range.

    ``kind`` is the OOXML type (list, decimal, whole, date, textLength); ``formula1`` a
    defined name for lists (names survive every reader, cross-sheet ranges in the 2010
    extension format do not) or a bound for ranges.
    """

    kind: str
    formula1: str
    formula2: str | None = None
    operator: str | None = None
    prompt: str = ""
    error: str = ""


@dataclass(frozen=True)
class Column:
    """One column of a table sheet or form sheet."""

    key: str
    header: str
    role: str = ENTRY
    type: str = "text"  # text | id | date | datetime | number | percent | int | choice
    width: float = 12
    number_format: str | None = None
    validation: Validation | None = None
    formula: str | None = None  # native template
    udf: str | None = None  # template calling the add-in's UDFs; None: same as native
    wrap: bool = False
    center: bool = False
    # added after workbooks were in use (issue 18): a workbook made before lacks it, which
    # validation says once as a 警告 (the month goes on as before), not as 缺少列
    optional: bool = False

    @property
    def is_formula(self) -> bool:
        return self.role == FORMULA

    @property
    def is_entry(self) -> bool:
        return self.role == ENTRY

    @property
    def fmt(self) -> str:
        return self.number_format or TYPE_FORMATS[self.type]

    def template(self, style: str = NATIVE) -> str | None:
        if style == UDF and self.udf:
            return self.udf
        return self.formula


class _Refs(dict):
    """format_map helper: ``{key}`` → the key's cell in the row, ``{above_key}`` → the
    column from the header row to the row above, ``{r}`` → the row. The row and the row
    above are given as text (`_ROW` and `_ABOVE` stand for them in `TableSheet.renderer`)."""

    def __init__(self, letters: Mapping[str, str], row: str, above: str, header_row: int = 1) -> None:
        super().__init__()
        self.letters = letters
        self.row = row
        self.above = above
        self.header_row = header_row

    def __missing__(self, key: str) -> str:
        if key == "r":
            return self.row
        if key.startswith("above_") and key not in self.letters:
            letter = self.letters[key.removeprefix("above_")]
            return f"${letter}${self.header_row}:{letter}{self.above}"
        return f"{self.letters[key]}{self.row}"


# What a rendered template holds in place of the row and of the row above, until a row is
# put in (characters a formula never holds)
_ROW, _ABOVE = "\x00", "\x01"


@dataclass(frozen=True)
class TableSheet:
    """A ledger: a title row, a header row, then one record per row.

    ``rows`` is how many rows get their formulas and validations ahead of time; staff fill
    from ``first_row`` down.
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: int
    header_row: int = 2
    landscape: bool = True
    freeze_col: str = "A"  # columns left of this one stay in view
    printed: int | None = None  # how many columns, from A, go on paper (None: all)
    optional: bool = False  # a sheet added after workbooks were in use: missing is a 警告 (`Column.optional`)

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        return self.header_row + self.rows

    @property
    def print_columns(self) -> int:
        """The columns that print: the first `printed`, or all of them."""
        return len(self.columns) if self.printed is None else self.printed

    @cached_property
    def letters(self) -> dict[str, str]:
        """Column key -> letter (made once per spec: a ledger's formulas ask for it per cell;
        callers read it, never change it)."""
        return {c.key: get_column_letter(i) for i, c in enumerate(self.columns, start=1)}

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def by_header(self, header: str) -> Column:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)

    def letter(self, key: str) -> str:
        return self.letters[key]

    def index(self, key: str) -> int:
        """1-based column number."""
        return [c.key for c in self.columns].index(key) + 1

    def data_range(self, key: str, absolute: bool = True) -> str:
        """The column's record cells, e.g. ``'加减分明细'!$K$3:$K$302``."""
        letter = self.letter(key)
        if absolute:
            return f"'{self.name}'!${letter}${self.first_row}:${letter}${self.last_row}"
        return f"{letter}{self.first_row}:{letter}{self.last_row}"

    def render(self, column: Column, row: int, style: str = NATIVE) -> str:
        template = column.template(style)
        if template is None:
            raise ValueError(f"{self.name}.{column.key} has no formula")
        return template.format_map(_Refs(self.letters, str(row), str(row - 1), self.header_row))

    def renderer(self, column: Column, style: str = NATIVE) -> Callable[[int], str]:
        """`render` of `column` as a function of the row: the template is filled once, each
        row only puts its number in (a ledger's formula columns are thousands of cells)."""
        template = column.template(style)
        if template is None:
            raise ValueError(f"{self.name}.{column.key} has no formula")
        if _ROW in template or _ABOVE in template:
            raise ValueError(f"{self.name}.{column.key}: a formula holding a control character")
        marked = template.format_map(_Refs(self.letters, _ROW, _ABOVE, self.header_row))
        if _ABOVE in marked:
            return lambda row: marked.replace(_ROW, str(row)).replace(_ABOVE, str(row - 1))
        return lambda row: marked.replace(_ROW, str(row))

    @property
    def entry_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.is_entry)

    @property
    def formula_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.is_formula)


@dataclass(frozen=True)
class FormRow:
    """One fixed row of a form sheet (a department's indicator, a business type…)."""

    key: str
    label: str
    entry_keys: tuple[str, ...] = ()  # which columns staff fill in this row


@dataclass(frozen=True)
class FormSheet:
    """A sheet with fixed rows (汇总, a department, 统计, 抽样): cells are row × column.

    Formulas of a form sheet depend on the row (a satisfaction row and a day-limit row
    deduct differently), so the book module writes them; the spec says where things are.
    """

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[FormRow, ...]
    header_row: int = 2
    landscape: bool = True
    footer_rows: tuple[FormRow, ...] = field(default_factory=tuple)

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @cached_property
    def letters(self) -> dict[str, str]:
        """Column key -> letter (made once per spec; callers read it, never change it)."""
        return {c.key: get_column_letter(i) for i, c in enumerate(self.columns, start=1)}

    def letter(self, key: str) -> str:
        return self.letters[key]

    def row_of(self, key: str) -> int:
        for i, row in enumerate(self.rows + self.footer_rows):
            if row.key == key:
                return self.first_row + i
        raise KeyError(key)

    def cell(self, row_key: str, col_key: str) -> str:
        return f"{self.letter(col_key)}{self.row_of(row_key)}"

    @property
    def last_row(self) -> int:
        return self.first_row + len(self.rows) + len(self.footer_rows) - 1

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


@dataclass(frozen=True)
class WorkbookSpec:
    """One workbook: its file name stem and sheets in tab order."""

    stem: str  # e.g. 服务绩效考核表; file name YYYY-MM_<stem>.xlsx
    sheets: tuple[TableSheet | FormSheet, ...]

    def sheet(self, name: str) -> TableSheet | FormSheet:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)

    def file_name(self, month: str | None = None) -> str:
        return f"{month}_{self.stem}.xlsx" if month else f"{self.stem}.xlsx"
