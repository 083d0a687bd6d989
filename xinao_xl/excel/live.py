"""The live-book adapter: the workbook port (`xinao_xl.books.port`) on an open ``xlwings.Book``.

The ribbon buttons run the same service code as the CLI; only the adapter differs. Reading
reuses the file reader's logic (`BookReader`: columns by header, cell addresses, values
normalised through the policy parsers) on the values Excel holds, so a live read and a file
read of the same workbook give the same `TableRead`. Writing goes through Excel itself (the
live path never re-saves a staff workbook through openpyxl, DESIGN.md).

Marks (校验本簿) are a fill colour and a note starting with `MARK_TAG`; the cell's former fill
and note are kept on a very hidden sheet (`MARKS_SHEET`), so 清除标记 restores them and removes
only our marks.

Only the xlwings API that open-source xlwings offers on Windows is used (``sheet.used_range``,
``range.options(ndim=2).value``, ``range.formula``, ``range.color``, ``range.note`` /
``add_note``, ``merge_cells`` / ``merge_area``, ``book.sheets.add``), so a small fake of those
can stand in for Excel in tests here; the contract tests in ``tests/excel/test_live_contract.py``
run against real Excel on Windows (marked ``excel``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from xinao_xl.books.port import MARK_FILLS, WARNING, Formula
from xinao_xl.books.read import BookReader, FormRead, TableRead
from xinao_xl.books.schema import FormSheet, TableSheet

__all__ = ["MARKS_SHEET", "MARK_TAG", "LiveBook", "hex_to_rgb", "text_for_excel"]

MARK_TAG = "【新奥校验】"
"""Every note the add-in writes starts with this; 清除标记 removes only such notes."""

MARKS_SHEET = "_xinao_marks"
"""Very hidden sheet remembering each marked cell's former fill and note."""

_MARKS_HEADER = ["工作表", "单元格", "原底色", "原批注"]
_XL_SHEET_VERY_HIDDEN = 2


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``"FFC7CE"`` -> ``(255, 199, 206)``, the form xlwings sets ``range.color`` with."""
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def text_for_excel(text: str) -> str:
    """A str as Excel must store it: as text, never as a formula, number or date.

    Excel parses what is assigned to ``Range.Value`` as if typed; a leading apostrophe makes
    it text ("0635…" keeps its zero, "=1+1" stays text) and is not part of the value.
    """
    return "'" + text


def _rgb_to_hex(color: Any) -> str:
    if not color:
        return ""
    r, g, b = color
    return f"{r:02X}{g:02X}{b:02X}"


class _LiveReader(BookReader):
    """`BookReader` whose rows come from Excel's values instead of calamine."""

    def __init__(self, book: Any) -> None:  # noqa: D107 - deliberately not calling super()
        self._xw = book
        self.path = Path(str(book.fullname))
        self.sheet_names = [s.name for s in book.sheets]
        self._rows: dict[str, list[list[Any]]] = {}

    @property
    def name(self) -> str:
        return str(self._xw.name)

    def release(self) -> None:
        """Nothing is let go: the open book may have changed since it was read, and reads
        see it as it was when first read (the port's contract)."""

    def _grid(self, sheet: str, attribute: str) -> list[list[Any]]:
        ws = self._xw.sheets[sheet]
        last = ws.used_range.last_cell
        block = ws.range((1, 1), (last.row, last.column))
        if attribute == "value":
            values = block.options(ndim=2).value
        else:
            values = block.formula
            values = [list(values)] if values and not isinstance(values[0], list | tuple) else values
        return [list(row) for row in (values or [])]

    def rows(self, sheet: str) -> list[list[Any]]:
        if sheet not in self._rows:
            rows = self._grid(sheet, "value")
            for r0, c0, r1, c1 in self._merged(sheet, len(rows), len(rows[0]) if rows else 0):
                corner = rows[r0][c0]
                for r in range(r0, min(r1, len(rows) - 1) + 1):
                    for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                        rows[r][c] = corner
            self._rows[sheet] = rows
        return self._rows[sheet]

    def _merged(self, sheet: str, nrows: int, ncols: int) -> list[tuple[int, int, int, int]]:
        """0-based (first row, first col, last row, last col) of each merged area.

        ``MergeCells`` is False for a range with no merged cell, so whole rows without one
        are skipped with one call each; only rows that have one are walked cell by cell.
        """
        if not nrows or not ncols:
            return []
        ws = self._xw.sheets[sheet]
        if ws.range((1, 1), (nrows, ncols)).merge_cells is False:
            return []
        areas: set[tuple[int, int, int, int]] = set()
        for r in range(1, nrows + 1):
            if ws.range((r, 1), (r, ncols)).merge_cells is False:
                continue
            for c in range(1, ncols + 1):
                cell = ws.range((r, c))
                if cell.merge_cells:
                    area = cell.merge_area
                    first, last = area[0], area.last_cell
                    areas.add((first.row - 1, first.column - 1, last.row - 1, last.column - 1))
        return sorted(areas)

    def formulas(self, sheet: str) -> dict[str, str]:
        """Formula cells: ``Range.Formula`` starts with ``=`` and differs from the value.

        ``Formula`` of a text cell typed as ``'=abc`` is ``=abc`` too (the apostrophe is not
        part of it), but its value is the same text, which a formula's value never is.
        """
        values = self.rows(sheet)
        out = {}
        for r, row in enumerate(self._grid(sheet, "formula")):
            for c, text in enumerate(row):
                if not (isinstance(text, str) and text.startswith("=")):
                    continue
                value = values[r][c] if r < len(values) and c < len(values[r]) else None
                if value != text:
                    out[f"{get_column_letter(c + 1)}{r + 1}"] = text
        return out

    def formula_cells(self, sheet: str) -> frozenset[str]:
        """The addresses of `formulas` (through COM; the book has no file bytes to scan)."""
        return frozenset(self.formulas(sheet))


class LiveBook:
    """`WorkbookPort` on an open ``xlwings.Book`` (see the module docstring)."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._reader: _LiveReader | None = None

    @property
    def name(self) -> str:
        return str(self.book.name)

    @property
    def path(self) -> Path:
        return Path(str(self.book.fullname))

    @property
    def reader(self) -> _LiveReader:
        """Reads see the book as it was when first read (the port's contract)."""
        if self._reader is None:
            self._reader = _LiveReader(self.book)
        return self._reader

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets if s.name != MARKS_SHEET]

    def read_table(self, spec: TableSheet, others: Iterable[str] = ()) -> TableRead:
        return self.reader.table(spec, others)

    def read_form(self, spec: FormSheet) -> FormRead:
        return self.reader.form(spec)

    def read_formulas(self, sheet: str) -> dict[str, str]:
        return self.reader.formulas(sheet)

    def read_formula_cells(self, sheet: str) -> AbstractSet[str]:
        return self.reader.formula_cells(sheet)

    def read_links(self, sheet: str) -> dict[str, str]:
        """The sheet's hyperlinks through COM (``Worksheet.Hyperlinks``: ``Address`` is the
        file or web address as Excel keeps it, relative to the workbook for a file beside
        it; ``SubAddress`` a place in a workbook). Only Excel can run this; the file adapter
        reads the same from the saved file (`books.read.read_links`)."""
        out: dict[str, str] = {}
        try:
            links = self.book.sheets[sheet].api.Hyperlinks
            for i in range(1, int(links.Count) + 1):
                link = links.Item(i)
                target = str(link.Address or "") or ("#" + str(link.SubAddress or ""))
                out[str(link.Range.Address).replace("$", "").split(":")[0]] = target
        except Exception:  # noqa: BLE001 - a sheet without links, or COM not there (a fake in tests)
            return out
        return out

    # --- writing ---------------------------------------------------------------------

    @staticmethod
    def _put(cell: Any, value: Any) -> None:
        if isinstance(value, Formula):
            cell.formula = str(value)
        elif isinstance(value, str):
            cell.value = text_for_excel(value) if value else None
        else:
            cell.value = value

    def write_cells(self, sheet: str, values: Mapping[str, Any]) -> None:
        ws = self.book.sheets[sheet]
        for address, value in values.items():
            self._put(ws.range(address), value)

    def put_sheet(self, name: str, rows: Sequence[Sequence[Any]], widths: Sequence[float] = ()) -> None:
        """Add sheet ``name`` after the last one (replacing one of that name) holding ``rows``."""
        names = [s.name for s in self.book.sheets]
        if name in names:
            self.book.sheets[name].delete()
        sheets = self.book.sheets
        ws = sheets.add(name, after=sheets[len(sheets) - 1])
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None and value != "":
                    self._put(ws.range((r, c)), value)
        if rows:
            ws.range((1, 1), (1, max(1, len(rows[0])))).font.bold = True
        for i, width in enumerate(widths, start=1):
            ws.range((1, i)).column_width = width

    # --- marks -----------------------------------------------------------------------

    def _marks_sheet(self, create: bool) -> Any:
        if MARKS_SHEET in [s.name for s in self.book.sheets]:
            return self.book.sheets[MARKS_SHEET]
        if not create:
            return None
        sheets = self.book.sheets
        ws = sheets.add(MARKS_SHEET, after=sheets[len(sheets) - 1])
        for c, header in enumerate(_MARKS_HEADER, start=1):
            ws.range((1, c)).value = header
        try:
            ws.api.Visible = _XL_SHEET_VERY_HIDDEN
        except Exception:  # noqa: BLE001 - a fake book in tests has no COM object
            ws.visible = False
        return ws

    def _recorded(self, ws: Any) -> list[list[Any]]:
        last = ws.used_range.last_cell
        if last.row < 2:
            return []
        values = ws.range((2, 1), (last.row, len(_MARKS_HEADER))).options(ndim=2).value
        return [list(row) for row in values if row and row[0]]

    def mark_cell(self, sheet: str, address: str, severity: str, note: str) -> None:
        """Fill the cell by severity and add a tagged note; remember what it had before."""
        cell = self.book.sheets[sheet].range(address)
        registry = self._marks_sheet(create=True)
        rows = self._recorded(registry)
        known = any(row[0] == sheet and row[1] == address for row in rows)
        old_note = cell.note.text if cell.note is not None else ""
        if not known:
            r = len(rows) + 2
            previous = [sheet, address, _rgb_to_hex(cell.color), "" if old_note.startswith(MARK_TAG) else old_note]
            for c, value in enumerate(previous, start=1):
                registry.range((r, c)).value = text_for_excel(value) if value else None
        cell.color = hex_to_rgb(MARK_FILLS.get(severity, MARK_FILLS[WARNING]))
        if old_note.startswith(MARK_TAG):
            cell.note.text = (old_note + "\n" + note)[:2000]
        else:
            text = (MARK_TAG + note + ("\n\n" + old_note if old_note else ""))[:2000]
            if cell.note is not None:
                cell.note.delete()
            cell.add_note(text)

    def clear_marks(self) -> int:
        """Remove our marks, restoring each cell's former fill and note; returns how many."""
        registry = self._marks_sheet(create=False)
        cleared: set[tuple[str, str]] = set()
        if registry is not None:
            sheets = set(self.sheet_names())
            for sheet, address, color, old_note in self._recorded(registry):
                if sheet not in sheets:
                    continue
                cell = self.book.sheets[sheet].range(address)
                cell.color = hex_to_rgb(color) if color else None
                if cell.note is not None and cell.note.text.startswith(MARK_TAG):
                    cell.note.delete()
                    if old_note:
                        cell.add_note(str(old_note))
                cleared.add((sheet, address))
            registry.delete()
        # A tagged note whose registry row is gone (the sheet deleted by hand): drop the
        # note; the fill cannot be restored without the registry.
        orphans = 0
        for ws in self.book.sheets:
            for note in list(ws.notes):
                if note.text.startswith(MARK_TAG):
                    note.delete()
                    orphans += 1
        return len(cleared) + orphans

    def save(self, path: Path) -> Path:
        """Save a copy through Excel at a *new* path (the open book stays what it was)."""
        path = Path(path)
        if path.resolve() == self.path.resolve():
            raise ValueError(f"不能覆盖原工作簿 {self.name}：结果须写入新文件")
        self.book.api.SaveCopyAs(str(path))
        return path

    def save_in_place(self) -> None:
        """Save the open book (before a service reads its file)."""
        self.book.save()
