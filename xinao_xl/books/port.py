"""The workbook port: the few things a use case does to a workbook, on a file or live in Excel.

Validation, the monthly close, reports and sampling are written against `WorkbookPort`, so
the same code runs headless on files (`FileBook`, here: calamine to read, openpyxl to
write) and on a live ``xlwings.Book`` inside Excel (`excel.live.LiveBook`). Both live in
the layers that write workbooks (books, excel); the use cases (services) only call them.

The contract (what every adapter guarantees):

- **reading** returns the books-level results (`TableRead`, `FormRead`): records with their
  Excel rows and column letters, normalised and raw values, problems per cell. Reads see
  the workbook as it was opened; a use case does not read back its own writes.
- **formulas**: ``read_formulas(sheet)`` maps each formula cell's address to its text
  (``"="`` alone when the text is shared from another cell); a cell not in the map holds a
  value or nothing. ``read_formula_cells(sheet)`` gives the same addresses without the
  texts (all a check of overwritten formulas needs; read once per file and shared).
  ``read_links(sheet)`` maps each hyperlinked cell to its target.
- **writing**: ``write_cells`` takes ``{address: value}``; a ``str`` is always written as
  text (never parsed as a formula, DESIGN.md safety rules), a `Formula` as a formula.
  ``put_sheet`` adds a sheet of plain rows, replacing one of the same name.
  ``mark_cell`` flags a cell for the user (fill colour by severity and a note).
- **saving**: ``save(path)`` writes atomically to a *new* path. A file adapter never saves
  over the workbook it read (re-saving through openpyxl would drop what openpyxl does not
  model); the live adapter saves through Excel.

No Excel-only notion (ranges, COM objects, screen updating) appears here.

    >>> book = FileBook.open(Path("2026-11/2026-11_客户回访信息台账.xlsx"))   # doctest: +SKIP
    >>> ledger = book.read_table(callback_ledger.ledger_sheet())             # doctest: +SKIP
    >>> book.put_sheet("校验结果", [["级别", "单元格"], ["错误", "A3"]])      # doctest: +SKIP
    >>> book.save(Path("out/2026-11_客户回访信息台账_校验结果.xlsx"))         # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from .cells import put_formula, set_value
from .filecheck import load_workbook  # checked before openpyxl parses (hostile files)
from .read import BookReader, FormRead, TableRead
from .save import WorkbookOpenError, lock_files, preflight, refuse_open, save_atomic
from .schema import FormSheet, TableSheet
from .style import BODY_FONT, header_cells

__all__ = ["ERROR", "WARNING", "FileBook", "Formula", "WorkbookOpenError", "WorkbookPort", "lock_files", "refuse_open"]

ERROR = "错误"
WARNING = "警告"
MARK_FILLS = {ERROR: "FFC7CE", WARNING: "FFEB9C"}  # Excel's own "bad" red and "neutral" yellow


class Formula(str):
    """A formula the code generated (``Formula("=SUM(A1:A3)")``); any other str is text."""


@runtime_checkable
class WorkbookPort(Protocol):
    """What a use case needs from one workbook (see the module docstring for the contract)."""

    @property
    def name(self) -> str:
        """File name (or the book's name in Excel), for messages."""
        ...

    def sheet_names(self) -> list[str]: ...

    def read_table(self, spec: TableSheet, others: Iterable[str] = ()) -> TableRead: ...

    def read_form(self, spec: FormSheet) -> FormRead: ...

    def read_formulas(self, sheet: str) -> dict[str, str]: ...

    def read_formula_cells(self, sheet: str) -> AbstractSet[str]:
        """The addresses `read_formulas` would give, without the texts (read once, shared)."""
        ...

    def read_links(self, sheet: str) -> dict[str, str]:
        """Address -> hyperlink target of each linked cell (`books.read.read_links`)."""
        ...

    def write_cells(self, sheet: str, values: Mapping[str, Any]) -> None: ...

    def put_sheet(self, name: str, rows: Sequence[Sequence[Any]], widths: Sequence[float] = ()) -> None: ...

    def mark_cell(self, sheet: str, address: str, severity: str, note: str) -> None: ...

    def save(self, path: Path) -> Path: ...


class FileBook:
    """`WorkbookPort` on an .xlsx file: reads with calamine, writes to an openpyxl copy.

    ``FileBook.open(path)`` reads a staff workbook (refused while it is open elsewhere);
    ``FileBook.new()`` starts an empty one for an output file. Writes are kept in memory
    until ``save(path)``, which never targets the file that was read.
    """

    def __init__(self, source: Path | None = None) -> None:
        self.source = Path(source) if source is not None else None
        self._reader = BookReader(self.source) if self.source is not None else None
        self._wb: Workbook | None = None

    @classmethod
    def open(cls, path: Path | str) -> FileBook:
        path = Path(path)
        refuse_open(path)
        return cls(path)

    @classmethod
    def new(cls) -> FileBook:
        return cls(None)

    @property
    def name(self) -> str:
        return self.source.name if self.source else "新工作簿"

    @property
    def reader(self) -> BookReader:
        if self._reader is None:
            raise ValueError("新工作簿没有可读取的内容")
        return self._reader

    def sheet_names(self) -> list[str]:
        if self._wb is not None:
            return list(self._wb.sheetnames)
        return list(self._reader.sheet_names) if self._reader else []

    def read_table(self, spec: TableSheet, others: Iterable[str] = ()) -> TableRead:
        return self.reader.table(spec, others)

    def read_form(self, spec: FormSheet) -> FormRead:
        return self.reader.form(spec)

    def read_formulas(self, sheet: str) -> dict[str, str]:
        return self.reader.formulas(sheet)

    def read_formula_cells(self, sheet: str) -> AbstractSet[str]:
        return self.reader.formula_cells(sheet)

    def read_links(self, sheet: str) -> dict[str, str]:
        return self.reader.links(sheet)

    # --- writing ---------------------------------------------------------------------

    @property
    def workbook(self) -> Workbook:
        """The openpyxl copy writes go to (loaded on the first write)."""
        if self._wb is None:
            if self.source is None:
                self._wb = Workbook()
                self._wb.remove(self._wb.active)
            else:
                self._wb = load_workbook(self.source)
        return self._wb

    def write_cells(self, sheet: str, values: Mapping[str, Any]) -> None:
        ws = self.workbook[sheet]
        for address, value in values.items():
            cell = ws[address]
            if isinstance(value, Formula):
                put_formula(ws, cell.row, cell.column, str(value))
            else:
                set_value(cell, value)

    def put_sheet(self, name: str, rows: Sequence[Sequence[Any]], widths: Sequence[float] = ()) -> None:
        """Add sheet `name` (replacing it if present) with a header row and plain rows."""
        wb = self.workbook
        index = None
        if name in wb.sheetnames:
            index = wb.sheetnames.index(name)
            wb.remove(wb[name])
        ws = wb.create_sheet(name, index)
        if rows:
            header_cells(ws, 1, tuple(str(h) for h in rows[0]))
        for r, row in enumerate(rows[1:], start=2):
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c)
                if isinstance(value, Formula):
                    put_formula(ws, r, c, str(value))
                else:
                    set_value(cell, value)
                cell.font = BODY_FONT
        for i, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        if rows:
            ws.freeze_panes = "A2"

    def mark_cell(self, sheet: str, address: str, severity: str, note: str) -> None:
        ws = self.workbook[sheet]
        cell = ws[address]
        color = MARK_FILLS.get(severity, MARK_FILLS[WARNING])
        cell.fill = PatternFill("solid", start_color=color, end_color=color)
        text = note if cell.comment is None else f"{cell.comment.text}\n{note}"
        cell.comment = Comment(text[:2000], "xinao-xl")

    def save(self, path: Path) -> Path:
        path = Path(path)
        if self.source is not None and path.resolve() == self.source.resolve():
            raise ValueError(f"不能覆盖原工作簿 {self.source.name}：结果须写入新文件")
        preflight(write=[path])
        return save_atomic(self.workbook, path)
