"""Reading a month's workbook fast, each value kept with its sheet and cell address.

Why calamine and not openpyxl: python-calamine reads a 10,000-row 台账 several times faster
(DESIGN.md, facts about the file libraries), and validation and the monthly close read
every ledger of the month. openpyxl stays the writer.

What staff do to a ledger and what the reader does about it:

- columns found by their Chinese header (`schema.Column.header`), wherever they are: an
  extra column is ignored, a missing one is reported in ``TableRead.missing``;
- a renamed sheet is found by its headers and reported (``TableRead.renamed_from``);
- blank rows in the middle and at the end are skipped (a row is a record when any entry
  column holds something), merged cells give their value to every cell they cover;
- phones and work orders (type ``id``) come back as text: 13812345678 typed as a number
  is "13812345678", never 1.38e10; text like "0635…" keeps its zero;
- dates typed as Excel serials, datetimes or text ("2026年11月3日") are normalised through
  the policy parsers; the value as typed stays (``TableRead.raw_column``) and a value
  that does not parse is listed in ``TableRead.problems``, so validation can name the cell.

Formula texts come from the sheet's XML (`read_formulas`): calamine does not expose them,
and openpyxl would parse every cell of the sheet to find the few formulas.

A `BookReader` reads its file's bytes once (`data`, with their SHA-256 in `sha256`) and
checks and parses those bytes: values, merged areas and formulas all come from the same
bytes, and the close records that very digest (a file saved meanwhile is not what it read).

    >>> t = read_table(path, callback_ledger.ledger_sheet())          # doctest: +SKIP
    >>> t.column("phone")[0], t.address("phone", t.excel_rows[0])  # doctest: +SKIP
    ('13812345678', 'F3')
"""

from __future__ import annotations

import hashlib
import html
import io
import operator
import posixpath
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import compress, count, repeat
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote

from defusedxml import ElementTree
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.parse import (
    is_blank,
    parse_count,
    parse_date,
    parse_datetime,
    parse_number,
)

from .filecheck import LIMITS, BookReadError, check_bytes, check_workbook, read_bytes
from .memory import gc_paused
from .schema import Column, FormSheet, TableSheet

__all__ = ["BookReadError", "BookReader", "CellProblem", "FormRead", "TableRead", "formula_link", "normalise", "read_form",
           "read_formula_cells", "read_formulas", "read_links", "read_table", "sheet_parts"]

ROW = "_row"  # the column (and record key) holding each record's Excel row number
HEADER_SCAN_ROWS = 12  # the header row is looked for in the first rows of a sheet


@dataclass(frozen=True)
class CellProblem:
    """A typed value that does not parse as its column's type."""

    key: str
    row: int
    raw: Any
    message: str


class TableRead:
    """One ledger sheet as read: records with their Excel rows, values normalised and raw.

    A column store of plain lists, one per column key, in record order (no pandas: its
    import alone cost a quarter of a second of every close, and its frames held each
    100,000-row 台账 twice more). ``excel_rows`` is the ``_row`` column. A column whose
    typed values are its values (a text column nobody padded with spaces, a formula
    column) keeps one list for both. The lists are shared with every caller: read them,
    never change them."""

    def __init__(self, workbook: str, sheet: str, spec: TableSheet, *, missing: tuple[str, ...] = (),
                 renamed_from: str | None = None) -> None:
        self.workbook = workbook  # file name, for messages
        self.sheet = sheet  # the sheet's name in the file (differs from spec.name when renamed)
        self.spec = spec
        self.header_row = 0  # 0: header row not found
        self.letters: dict[str, str] = {}  # key -> column letter in the file
        self.excel_rows: list[int] = []  # each record's Excel row (the ``_row`` column)
        self.values: dict[str, list[Any]] = {}  # key -> normalised values (None for blanks), columns found
        self.raws: dict[str, list[Any]] = {}  # key -> values as typed; the very list of `values` where equal
        self.missing = missing  # headers of the spec not found
        self.renamed_from = renamed_from  # the spec's sheet name when found under another name
        self.problems: list[CellProblem] = []
        # merged areas reaching below the header, 1-based (first row, first col, last row, last col)
        self.merged: list[tuple[int, int, int, int]] = []
        self._records: list[dict[str, Any]] | None = None

    def __repr__(self) -> str:
        return f"TableRead({self.workbook!r}, {self.sheet!r}, {self.size} records, columns={self.keys})"

    @property
    def found(self) -> bool:
        return self.header_row > 0

    @property
    def size(self) -> int:
        """The number of records (a table is never falsy: ``if table`` asks whether it was found)."""
        return len(self.excel_rows)

    @property
    def keys(self) -> list[str]:
        """The columns read, ``_row`` first, then the spec's columns found, in spec order."""
        return [ROW, *self.values]

    def has(self, key: str) -> bool:
        """Whether column `key` was found in the sheet (``_row`` always is)."""
        return key == ROW or key in self.values

    def address(self, key: str, row: int) -> str:
        """The cell of column `key` in Excel row `row`, e.g. ``F17`` (spec position if missing)."""
        letter = self.letters.get(key) or self.spec.letter(key)
        return f"{letter}{int(row)}"

    def column(self, key: str) -> list[Any]:
        """Column `key`'s values in record order (None for blanks; all None when the sheet
        lacks the column, as ``record.get(key)`` reads it): checks over a 100,000-row 台账
        go column by column instead of building a dict per row (`records`)."""
        if key == ROW:
            return self.excel_rows
        values = self.values.get(key)
        return values if values is not None else [None] * len(self.excel_rows)

    def raw_column(self, key: str) -> list[Any]:
        """Column `key` as typed (before `normalise`; blanks None), in record order; all
        None when the sheet lacks the column."""
        if key == ROW:
            return self.excel_rows
        raws = self.raws.get(key)
        return raws if raws is not None else [None] * len(self.excel_rows)

    def records_at(self, positions: Iterable[int]) -> list[dict[str, Any]]:
        """The records at `positions` (record order) as `records` gives them, without building
        the others: a derivation that needs a few rows of a 100,000-row 台账 (the 流转单, the
        意见统计表) picks them by column first."""
        if self._records is not None:
            return [self._records[i] for i in positions]
        keys = self.keys
        columns = [self.column(k) for k in keys]
        return [dict(zip(keys, [c[i] for c in columns], strict=True)) for i in positions]

    @gc_paused  # millions of cells become objects, none in a cycle (memory.py)
    def records(self) -> list[dict[str, Any]]:
        """The records as dicts (``_row`` and each column found; None for blanks), for
        row-by-row rules; built once (don't mutate)."""
        if self._records is None:
            keys = self.keys
            columns = [self.column(k) for k in keys]
            self._records = list(map(dict, map(zip, repeat(keys), zip(*columns, strict=True))))
        return self._records


class FormRead:
    """A form sheet (汇总, a department, 完工量, 抽样): values by (row key, column key).

    The form's rows are the spec's (``keys``, in order); each column key holds a list by
    row position, normalised (``values``, entry cells only) and as typed (``raws``)."""

    def __init__(self, workbook: str, sheet: str, spec: FormSheet) -> None:
        self.workbook = workbook
        self.sheet = sheet
        self.spec = spec
        self.keys: list[str] = []  # row keys, in the spec's order
        self.excel_rows: list[int] = []  # the Excel row of each
        self.values: dict[str, list[Any]] = {}  # column key -> value of each row (entry cells normalised)
        self.raws: dict[str, list[Any]] = {}  # column key -> value of each row as typed
        self.problems: list[CellProblem] = []
        self.found = False
        self._at: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"FormRead({self.workbook!r}, {self.sheet!r}, found={self.found})"

    @classmethod
    def of(cls, workbook: str, spec: FormSheet, rows: Mapping[str, Mapping[str, Any]]) -> FormRead:
        """A form holding the given values (row key -> column key -> value, typed as given,
        None where not given) at the spec's rows: a form as a test or a caller states it."""
        form = cls(workbook, spec.name, spec)
        form.found = True
        form._set_rows(list(rows), [spec.row_of(key) for key in rows])
        for c in spec.columns:
            form.values[c.key] = [values.get(c.key) for values in rows.values()]
            form.raws[c.key] = form.values[c.key]
        return form

    def _set_rows(self, keys: list[str], excel_rows: list[int]) -> None:
        self.keys, self.excel_rows = keys, excel_rows
        self._at = {k: i for i, k in enumerate(keys)}

    def has_row(self, key: str) -> bool:
        return key in self._at

    def excel_row(self, key: str) -> int:
        """The Excel row of row `key` (KeyError for a row the form does not have)."""
        return self.excel_rows[self._at[key]]

    def value(self, key: str, col: str) -> Any:
        """The normalised value of row `key`, column `col` (KeyError when either is unknown)."""
        if col == ROW:
            return self.excel_row(key)
        return self.values[col][self._at[key]]

    def raw(self, key: str, col: str) -> Any:
        """The value of row `key`, column `col` as typed (KeyError when either is unknown)."""
        if col == ROW:
            return self.excel_row(key)
        return self.raws[col][self._at[key]]

    def row(self, key: str) -> dict[str, Any]:
        """Row `key`'s normalised values by column key, ``_row`` first (KeyError for an
        unknown row)."""
        i = self._at[key]
        return {ROW: self.excel_rows[i], **{col: values[i] for col, values in self.values.items()}}

    def raw_row(self, key: str) -> dict[str, Any]:
        """Row `key` as typed, by column key, ``_row`` first (KeyError for an unknown row)."""
        i = self._at[key]
        return {ROW: self.excel_rows[i], **{col: raws[i] for col, raws in self.raws.items()}}

    def raw_at(self, excel_row: int, col: str) -> Any:
        """The value typed in column `col` of Excel row `excel_row`; None for a row or a
        column the form does not have."""
        if col not in self.raws or excel_row not in self.excel_rows:
            return None
        return self.raws[col][self.excel_rows.index(excel_row)]

    def address(self, col_key: str, row: int) -> str:
        return f"{self.spec.letter(col_key)}{int(row)}"


def _nan_to_none(values: list[Any]) -> list[Any]:
    """Float NaN (a ``<v>NaN</v>`` calamine reads as a float) as None; a column holding no
    float is returned as it is (its value types are gathered at C speed, not tested value
    by value)."""
    if not any(issubclass(t, float) for t in set(map(type, values))):
        return values
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in values]


def _same(values: list[Any], raws: list[Any]) -> list[Any]:
    """`raws` itself when `values` holds the very same objects (a text column that needed
    no strip): one list kept for both."""
    return raws if len(values) == len(raws) and all(map(operator.is_, values, raws)) else values


# --- values ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value).strip()


def normalise(column: Column, value: Any) -> Any:
    """The value of a cell as its column's type; raises `PolicyInputError` when it is not.

    Blank is None. ``id``/``text``/``choice`` are strings (whole floats lose their ``.0``),
    ``date`` a date, ``datetime`` a datetime, ``number``/``percent`` a float, ``int`` an int.
    """
    if value is None or value == "" or is_blank(value):
        return None
    kind = column.type
    if kind in ("text", "id", "choice"):
        return _text(value)
    if kind == "date":
        if type(value) is date:
            return value
        return parse_date(value)
    if kind == "datetime":
        if type(value) is datetime:
            return value
        return parse_datetime(value)
    if kind == "int":
        return parse_count(value, "无效整数")
    if kind in ("number", "percent"):
        return parse_number(value)
    return value


# --- the workbook ------------------------------------------------------------------------


class BookReader:
    """One workbook file opened with calamine; sheets are read once and cached.

    The file's bytes are read once (`data`; `sha256` is their digest), checked and parsed
    from memory; `data` may be given when the caller read them already."""

    def __init__(self, path: Path | str, data: bytes | None = None) -> None:
        self.path = Path(path)
        self.data = read_bytes(self.path) if data is None else data
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        # hostile and broken files stop here, before calamine (filecheck.py)
        check_bytes(self.data, self.path.name, digest=self.sha256)
        try:
            self._book = CalamineWorkbook.from_filelike(io.BytesIO(self.data))
        except Exception as exc:  # calamine raises its own error types and zip/xml errors
            raise BookReadError(f"无法读取工作簿 {self.path.name}：文件已损坏或不是 .xlsx 格式（{type(exc).__name__}）") from None
        self.sheet_names: list[str] = list(self._book.sheet_names)
        self._rows: dict[str, list[list[Any]]] = {}

    @property
    def name(self) -> str:
        return self.path.name

    @gc_paused
    def rows(self, sheet: str) -> list[list[Any]]:
        """Every row from A1 on (row i is Excel row i+1); merged areas filled from their corner."""
        if sheet not in self._rows:
            self._scan_formulas(sheet)  # meanwhile, in a worker thread
            try:
                s = self._book.get_sheet_by_name(sheet)
                rows = s.to_python(skip_empty_area=False)
                merged = s.merged_cell_ranges or []
            except Exception as exc:
                raise BookReadError(f"无法读取 {self.name} 的工作表“{sheet}”（{type(exc).__name__}）") from None
            self.__dict__.setdefault("_areas", {})[sheet] = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in merged]
            if merged:
                rows = [list(r) for r in rows]
                area = sum((min(r1, len(rows) - 1) - r0 + 1) * (c1 - c0 + 1) for (r0, c0), (r1, c1) in merged if r0 < len(rows))
                if area > LIMITS.cells:  # overlapping merges (Excel never writes them) would fill forever
                    raise BookReadError(f"{self.name} 的工作表“{sheet}”有 {len(merged):,} 个合并区域，共 {area:,} 个单元格：文件已损坏或被构造，已拒绝读取")
                for (r0, c0), (r1, c1) in merged:
                    corner = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
                    for r in range(r0, min(r1, len(rows) - 1) + 1):
                        for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                            rows[r][c] = corner
            self._rows[sheet] = rows
        return self._rows[sheet]

    def merged_areas(self, sheet: str) -> list[tuple[int, int, int, int]]:
        """0-based (first row, first col, last row, last col) of each merged area of `sheet`
        (whose values `rows` copied from the corner to every cell)."""
        if sheet not in self.__dict__.get("_areas", {}):
            self.rows(sheet)
        return self.__dict__.get("_areas", {}).get(sheet, [])

    def release(self) -> None:
        """Let go of the sheets' cells read so far (`rows`) and of their formula cells
        (`formula_cells`): the tables and forms read from them stay. Once its tables and
        the close's content digest have what they need, a 100,000-row 台账's cells are
        100 MB nobody reads again; a sheet asked for once more is read again from the same
        bytes (`data`), so every answer stays the same."""
        self._rows.clear()
        self.__dict__.pop("_cells", None)
        self.__dict__.pop("_scans", None)

    def find_header(self, sheet: str, headers: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(Excel row of the header, header -> 0-based column) or (0, {}) when not found.

        The row holding most of the headers among the first rows wins; at least half of
        them must be there, so a data row never passes for a header.
        """
        wanted = {_key(h): h for h in headers}
        best: tuple[int, dict[str, int]] = (0, {})
        for i, row in enumerate(self.rows(sheet)[:HEADER_SCAN_ROWS]):
            found: dict[str, int] = {}
            for c, value in enumerate(row):
                if isinstance(value, str) and _key(value) in wanted:
                    found.setdefault(wanted[_key(value)], c)
            if len(found) > len(best[1]):
                best = (i + 1, found)
        if len(best[1]) * 2 < len(headers):
            return (0, {})
        return best

    def table(self, spec: TableSheet, others: Iterable[str] = ()) -> TableRead:
        """Read the ledger `spec`; if its sheet is gone, look for it by headers among the
        sheets that are no other spec's (`others` are the names the book's spec uses).

        Read once per spec: validation and the close's computations share the result (a
        100,000-row 台账 read twice held its normalised columns twice). Callers read it,
        never change it."""
        # `others` only matter when the sheet is looked for by its headers: validation (which
        # names them) and the close's computations (which do not) share one read of a 台账
        key = (spec, tuple(others)) if spec.name not in self.sheet_names else (spec, ())
        tables = self.__dict__.setdefault("_tables", {})
        if key not in tables:
            tables[key] = self._table(spec, others)
        return tables[key]  # type: ignore[no-any-return]

    @gc_paused
    def _table(self, spec: TableSheet, others: Iterable[str] = ()) -> TableRead:
        sheet, renamed = spec.name, None
        if sheet not in self.sheet_names:
            taken = set(others) | {spec.name}
            for candidate in self.sheet_names:
                if candidate not in taken and self.find_header(candidate, spec.headers)[0]:
                    sheet, renamed = candidate, spec.name
                    break
            else:
                return TableRead(self.name, spec.name, spec, missing=spec.headers)
        header_row, columns = self.find_header(sheet, spec.headers)
        result = TableRead(self.name, sheet, spec, renamed_from=renamed)
        if not header_row:
            result.missing = spec.headers
            return result
        result.header_row = header_row
        result.merged = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for r0, c0, r1, c1 in self.merged_areas(sheet) if r1 + 1 > header_row]
        result.missing = tuple(h for h in spec.headers if h not in columns)
        present = [c for c in spec.columns if c.header in columns]
        result.letters = {c.key: get_column_letter(columns[c.header] + 1) for c in present}
        # Column by column (a 100,000-row 台账 is 2 million cells): each column's values,
        # blanks as None; the records are the rows with something in an entry column.
        body = self.rows(sheet)[header_row:]
        shortest = min(map(len, body), default=0)
        raw_columns = {c.key: _column(body, columns[c.header], shortest) for c in present}
        kept = _records_at([raw_columns[c.key] for c in present if c.is_entry], len(body))
        if len(kept) != len(body):
            raw_columns = {key: [values[i] for i in kept] for key, values in raw_columns.items()}
        excel_rows = [header_row + 1 + i for i in kept]
        result.excel_rows = excel_rows
        for c in present:
            raw = raw_columns.pop(c.key)
            result.raws[c.key] = raw
            # a formula column keeps its values as read (NaN, pandas' blank once, as None)
            values = _nan_to_none(raw) if c.is_formula else _normalise_column(c, raw, excel_rows, result.problems)
            result.values[c.key] = _same(values, raw)
        order = {c.key: n for n, c in enumerate(present)}
        result.problems.sort(key=lambda p: (p.row, order[p.key]))  # row by row, as staff read them
        return result

    def form(self, spec: FormSheet) -> FormRead:
        """Read a form sheet at the positions its spec gives (its rows are fixed); once per
        spec, as `table` (validation and the close share it; callers never change it)."""
        forms = self.__dict__.setdefault("_forms", {})
        if spec not in forms:
            forms[spec] = self._form(spec)
        return forms[spec]  # type: ignore[no-any-return]

    def _form(self, spec: FormSheet) -> FormRead:
        result = FormRead(self.name, spec.name, spec)
        if spec.name not in self.sheet_names:
            return result
        result.found = True
        rows = self.rows(spec.name)
        form_rows = spec.rows + spec.footer_rows
        result._set_rows([r.key for r in form_rows], [spec.first_row + n for n in range(len(form_rows))])
        for c in spec.columns:
            result.values[c.key], result.raws[c.key] = [], []
        for excel_row, form_row in zip(result.excel_rows, form_rows, strict=True):
            row = rows[excel_row - 1] if excel_row - 1 < len(rows) else []
            for ci, c in enumerate(spec.columns):
                value = row[ci] if ci < len(row) else None
                value = None if _blank(value) else value
                result.raws[c.key].append(value)
                if c.key not in form_row.entry_keys:
                    result.values[c.key].append(value)
                    continue
                try:
                    result.values[c.key].append(normalise(c, value))
                except PolicyInputError as exc:
                    result.values[c.key].append(None)
                    result.problems.append(CellProblem(c.key, excel_row, value, str(exc)))
        return result

    def links(self, sheet: str) -> dict[str, str]:
        """See `read_links`; from the same bytes."""
        return read_links(self.data, sheet)

    def formulas(self, sheet: str) -> dict[str, str]:
        """See `read_formulas`: the texts, read anew at each call and not kept (a 100,000-row
        台账 has 200,000 formula texts, 100 MB). Who only asks which cells hold a formula
        (validation, the close's content digest) asks `formula_cells`."""
        return read_formulas(self.data, sheet)

    def formula_cells(self, sheet: str) -> frozenset[str]:
        """The addresses of `sheet`'s formula cells (`read_formula_cells`), scanned once per
        file while `rows` read the sheet, and kept: validation and the close's content digest
        (integrity.py) share one scan of the sheet's XML."""
        cells = self.__dict__.setdefault("_cells", {})
        if sheet not in cells:
            scan = self.__dict__.get("_scans", {}).pop(sheet, None)
            cells[sheet] = scan.result() if scan is not None else read_formula_cells(self.data, sheet)
        return cells[sheet]  # type: ignore[no-any-return]

    def _scan_formulas(self, sheet: str) -> None:
        """Start finding `sheet`'s formula cells in a worker thread. Calamine lets go of the
        GIL while it parses a sheet, so on a machine with two cores the scan (the 90 MB of
        XML of a 100,000-row 台账) runs beside it at no cost in time; a check of tampered
        formula cells (validation, the close) then finds it done."""
        scans = self.__dict__.setdefault("_scans", {})
        if sheet not in scans and sheet not in self.__dict__.get("_cells", {}):
            scans[sheet] = _Background(read_formula_cells, self.data, sheet)


class _Background:
    """A call run in a daemon thread; `result` waits for it and raises what it raised."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn, args), name="xinao-xl-read", daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            self._value = fn(*args)
        except BaseException as exc:  # handed to whoever asks for the result
            self._error = exc

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _column(rows: list[list[Any]], idx: int, shortest: int) -> list[Any]:
    """Column `idx` of `rows`, blank cells (`_blank`) as None, None past a short row's end;
    equal entries as one object where they repeat (`_shared`)."""
    values = list(map(operator.itemgetter(idx), rows)) if idx < shortest else [row[idx] if idx < len(row) else None for row in rows]
    if set(map(type, values)) == {str}:
        # a text column (calamine gives "" for an empty cell), at C speed: "" is blank, and
        # so is a text of spaces, which the typing left rare
        spaces = list(compress(count(), map(str.isspace, values)))
        if _repeats(values):
            canon: dict[Any, Any] = {"": None}
            values = list(map(canon.setdefault, values, values))
        else:
            values = [v or None for v in values]
        for i in spaces:
            values[i] = None
        return values
    values = [None if v is None or (isinstance(v, str) and (not v or v.isspace())) else v for v in values]
    return _shared(values)


_SAMPLE = 1_000  # cells of a column looked at to tell whether its entries repeat


def _repeats(values: list[Any]) -> bool:
    """Whether a column's entries repeat (业务类型, 责任部门, 回访结果, a month's days…), as
    its first cells tell: names, phones and work orders do not."""
    sample = values[:_SAMPLE]
    return len(set(sample)) * 4 <= len(sample)


def _shared(values: list[Any]) -> list[Any]:
    """`values` with equal entries as one object, when the column holds one type of text or
    date (besides blanks) and its entries repeat (`_repeats`).

    Calamine makes an object of every cell: 100,000 cells saying "维修" were 100,000
    strings, held by the table after the sheet's cells are let go (`BookReader.release`).
    Equal values of one type are the same to every reader of the table. A column of
    distinct entries is left as it is: hashing them all would cost time and free nothing."""
    kinds = set(map(type, values))
    kinds.discard(type(None))
    if len(kinds) != 1 or kinds.pop() not in (str, date, datetime) or not _repeats(values):
        return values
    canon: dict[Any, Any] = {}
    return list(map(canon.setdefault, values, values))


def _records_at(entry: list[list[Any]], n: int) -> list[int]:
    """Positions of the rows with something in an entry column; the first column settles
    most rows (a record without 回访日期 or 业务类型 is rare), the rest look at the others."""
    if not entry:
        return []
    open_rows = [i for i, v in enumerate(entry[0]) if v is None]
    if not open_rows:
        return list(range(n))
    filled = [i for i in open_rows if any(column[i] is not None for column in entry[1:])]
    return sorted(set(range(n)).difference(open_rows).union(filled))


class _Unreadable:
    """A value `normalise` refused, remembered with its message."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _normalise_column(column: Column, values: list[Any], excel_rows: list[int], problems: list[CellProblem]) -> list[Any]:
    """`normalise` over one column's values (blanks already None); a value that does not
    parse becomes None and a `CellProblem`. Text takes the short way (strip); other types
    are parsed once per distinct value (a month's dates repeat thousands of times)."""
    if column.type in ("text", "id", "choice"):
        return [None if v is None else v.strip() if v.__class__ is str else normalise(column, v) for v in values]
    same = {"date": date, "datetime": datetime}.get(column.type)  # already the column's type
    memo: dict[tuple[type, Any], Any] = {}
    out: list[Any] = []
    for i, v in enumerate(values):
        if v is None or v.__class__ is same:
            out.append(v)
            continue
        key = (v.__class__, v)  # by type too: True, 1 and 1.0 are equal keys but read differently
        value = memo.get(key, memo)
        if value is memo:
            try:
                value = normalise(column, v)
            except PolicyInputError as exc:
                value = _Unreadable(str(exc))
            memo[key] = value
        if value.__class__ is _Unreadable:
            problems.append(CellProblem(column.key, excel_rows[i], v, value.message))
            value = None
        out.append(value)
    return out


def _key(header: str) -> str:
    return re.sub(r"\s+", "", header).replace("／", "/")


# --- formulas ----------------------------------------------------------------------------

_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# A cell whose first child is <f>: the schema puts <f> before <v> and <is>. Prefixes
# (<x:c>) appear in files written by the .NET Open XML SDK.
_FORMULA_CELL = re.compile(
    rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3}\d+)"[^>]*>\s*<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)',
    re.S,
)
# The layout openpyxl and Excel write — <c r="T3" …><f>…</f>, no prefix, nothing between —
# found in one C-level pass; trusted only when it finds every <f> tag of the part (else the
# general pattern above runs). A 100,000-row 台账 is 90 MB of XML: 1.7 s → 0.5 s.
_FORMULA_CELL_PLAIN = re.compile(rb'<c r="([A-Z]{1,3}\d++)"[^>]*+><f(?:>([^<]*+)</f>|[\s/][^>]*?(?:/>|>([^<]*+)</f>))')
_FORMULA_TAG = re.compile(rb"<f[\s>/]")
# The same, capturing the address only (`formula_cells_in_xml`).
_FORMULA_CELL_AT = re.compile(rb'<c r="([A-Z]{1,3}\d++)"[^>]*+><f(?:>[^<]*+</f>|[\s/][^>]*?(?:/>|>[^<]*+</f>))')


def _zip_source(source: Path | str | bytes) -> Any:
    """What zipfile opens: the file, or the bytes a reader read (checked either way)."""
    if isinstance(source, bytes):
        check_bytes(source, "工作簿")
        return io.BytesIO(source)
    check_workbook(source)
    return source


def sheet_parts(source: Path | str | bytes) -> dict[str, str]:
    """Sheet name -> its XML part in the zip (``xl/worksheets/sheet1.xml``); `source` is a
    file or the bytes a `BookReader` read."""
    path = source if not isinstance(source, bytes) else "工作簿"
    try:
        with zipfile.ZipFile(_zip_source(source)) as z:
            book = ElementTree.fromstring(z.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, ElementTree.ParseError) as exc:  # ValueError: defusedxml
        raise BookReadError(f"无法读取工作簿 {Path(path).name}（{type(exc).__name__}）") from None
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts = {}
    for el in book.iter():
        if el.tag.endswith("}sheet") and el.get(_NS_REL) in targets:
            target = targets[el.get(_NS_REL)]
            parts[el.get("name")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return parts


def read_formulas(source: Path | str | bytes, sheet: str) -> dict[str, str]:
    """Address -> formula text (with its ``=``) of every formula cell of `sheet` (of a file,
    or of the bytes a `BookReader` read).

    A cell sharing a formula written once for a range (Excel's ``<f t="shared" si="0"/>``)
    maps to ``"="``: it holds a formula, whose text lives in the range's first cell. That
    is enough to tell a formula from a value typed over it.
    """
    out: dict[str, str] = {}
    for found in _scan_part(source, sheet, formulas_in_xml):
        out.update(found)
    return out


def read_formula_cells(source: Path | str | bytes, sheet: str) -> frozenset[str]:
    """The addresses of `sheet`'s formula cells: the keys of `read_formulas`, found by the
    same patterns without decoding and unescaping each formula's text (all that validation
    and the content digest need to tell a formula from a value typed over it)."""
    out: set[str] = set()
    for found in _scan_part(source, sheet, formula_cells_in_xml):
        out.update(found)
    return frozenset(out)


def _scan_part(source: Path | str | bytes, sheet: str, scan: Callable[[bytes], Iterable[Any]]) -> Iterator[Iterable[Any]]:
    """`scan` of each piece of `sheet`'s XML part (`xml_pieces`); nothing for a sheet not there."""
    part = sheet_parts(source).get(sheet)
    if part is None:
        return
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z, z.open(part) as stream:
        for piece in xml_pieces(stream):
            yield scan(piece)


_CHUNK = 4 << 20  # bytes of XML scanned at a time
_ROW_END = re.compile(rb"</(?:\w+:)?row>")


def formulas_in_stream(stream: IO[bytes], chunk: int = _CHUNK) -> dict[str, str]:
    """`formulas_in_xml` of a worksheet part read piece by piece (`xml_pieces`)."""
    out: dict[str, str] = {}
    for piece in xml_pieces(stream, chunk):
        out.update(formulas_in_xml(piece))
    return out


def xml_pieces(stream: IO[bytes], chunk: int = _CHUNK) -> Iterator[bytes]:
    """A worksheet part read piece by piece, each piece ending where a row ends (no cell is
    cut in two): a 100,000-row 台账 is 90 MB of XML, and scanning it in one piece held the
    XML and every match at once (350 MB at the peak of a close)."""
    rest = b""
    while True:
        data = stream.read(chunk)
        buffer = rest + data
        if not data:
            if buffer:
                yield buffer
            return
        cut = buffer.rfind(b"</row>")
        if cut < 0:  # a prefixed </x:row>, or no row end in this piece yet
            ends = list(_ROW_END.finditer(buffer))
            cut = ends[-1].start() if ends else -1
        if cut < 0:
            rest = buffer
            continue
        yield buffer[:cut]
        rest = buffer[cut:]


def formulas_in_xml(xml: bytes) -> dict[str, str]:
    """The formula cells of one worksheet part (see `read_formulas`)."""
    if b":f" not in xml:  # no prefixed <x:f>
        found = _FORMULA_CELL_PLAIN.findall(xml)
        if len(found) == len(_FORMULA_TAG.findall(xml)):
            # Decoded and unescaped in one piece, split on NUL (which XML text cannot hold):
            # a character reference never spans two formulas of well-formed XML.
            addresses = b"\0".join(address for address, _, _ in found).decode("ascii").split("\0")
            texts = _unescape("=" + b"\0=".join(text or shared for _, text, shared in found).decode("utf-8")).split("\0")
            return dict(zip(addresses, texts, strict=True)) if found else {}
    out = {}
    for m in _FORMULA_CELL.finditer(xml):
        text = m.group(3)
        out[m.group(1).decode()] = "=" + _unescape(text.decode("utf-8")) if text else "="
    return out


def formula_cells_in_xml(xml: bytes) -> list[str]:
    """The addresses of the formula cells of one worksheet part: `formulas_in_xml`'s keys,
    by the same patterns, the texts left alone."""
    if b":f" not in xml:
        found = _FORMULA_CELL_AT.findall(xml)
        if len(found) == len(_FORMULA_TAG.findall(xml)):
            return b"\0".join(found).decode("ascii").split("\0") if found else []
    return [m.group(1).decode() for m in _FORMULA_CELL.finditer(xml)]


def _unescape(text: str) -> str:
    """XML character references in a formula's text, as `html.unescape` reads them; the
    five named ones (all a formula has, ``IF(A3&lt;&gt;"",…)``) without its regex."""
    if "&" not in text:
        return text
    plain = text.replace("&lt;", "<").replace("&gt;", ">")
    if "&" not in plain:
        return plain
    plain = plain.replace("&quot;", '"').replace("&apos;", "'")
    if "&" in plain.replace("&amp;", ""):  # a numeric reference or anything else: the general way
        return html.unescape(text)
    return plain.replace("&amp;", "&")


# --- shortcuts ---------------------------------------------------------------------------


def read_table(path: Path | str, spec: TableSheet) -> TableRead:
    """Read one ledger sheet of a workbook file."""
    return BookReader(path).table(spec)


def read_form(path: Path | str, spec: FormSheet) -> FormRead:
    return BookReader(path).form(spec)


def read_links(source: Path | str | bytes, sheet: str) -> dict[str, str]:
    """Address -> target of every hyperlink of `sheet` (插入→链接): a file or a web address
    as the workbook stores it (a file beside the workbook as a relative path, ``证据/照片1.jpg``
    or ``../2026-10/证据/a.jpg``), or ``#Sheet!A1`` for a place in the workbook. A range's
    link is given at each of its cells. Cells with a ``HYPERLINK(…)`` formula are not
    here (`formula_link` reads those)."""
    part = sheet_parts(source).get(sheet)
    if part is None:
        return {}
    rels_part = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
        xml = z.read(part)
        if b"hyperlink" not in xml:
            return {}
        try:
            rels = ElementTree.fromstring(z.read(rels_part))
        except KeyError:
            rels = None
        root = ElementTree.fromstring(xml)
    targets = {r.get("Id"): r.get("Target", "") for r in rels} if rels is not None else {}
    out: dict[str, str] = {}
    for el in root.iter():
        if not el.tag.endswith("}hyperlink"):
            continue
        target = targets.get(el.get(_NS_REL), "") if el.get(_NS_REL) else ""
        if not target and el.get("location"):
            target = "#" + el.get("location", "")
        for address in _cells_of(el.get("ref", "")):
            out[address] = unquote(target) if "%" in target and not target.startswith(("http://", "https://")) else target
    return out


def _cells_of(ref: str, limit: int = 10_000) -> list[str]:
    """The cells of an A1 range (``C5`` or ``C5:C7``), at most `limit`."""
    from openpyxl.utils.cell import range_boundaries

    try:
        c0, r0, c1, r1 = range_boundaries(ref)
    except (TypeError, ValueError):
        return []
    out = []
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            out.append(f"{get_column_letter(c)}{r}")
            if len(out) >= limit:
                return out
    return out


_HYPERLINK = re.compile(r'^=\s*HYPERLINK\(\s*"((?:[^"]|"")*)"', re.IGNORECASE)


def formula_link(formula: str) -> str | None:
    """The target of a ``=HYPERLINK("证据/a.jpg","照片")`` formula (its first argument when
    it is a text constant), None for any other formula."""
    m = _HYPERLINK.match(formula or "")
    return m.group(1).replace('""', '"') if m else None
