"""A stand-in for the small part of xlwings the live adapter uses, over an openpyxl workbook.

It behaves as Excel does where the adapter depends on it: assigning ``"'text"`` stores the
text without the apostrophe, assigning ``"=..."`` stores a formula, ``value`` of a formula
cell is its last computed value (none here: files written by openpyxl hold no cached
values, like what calamine sees), ``merge_cells`` is False / True / None (mixed). The real
thing is exercised by the ``excel``-marked contract tests on Windows.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter, range_boundaries


class FakeApp:
    def __init__(self) -> None:
        self.books: list[FakeBook] = []
        self.status_bar: str | bool = False
        self.alerts: list[tuple[str, str]] = []
        self.calculations = 0

    def calculate(self) -> None:
        self.calculations += 1

    def alert(self, prompt: str, title: str | None = None, mode: str | None = None, **_: Any) -> None:
        self.alerts.append((prompt, mode or ""))


class FakeBook:
    def __init__(self, path: Path | None = None, app: FakeApp | None = None) -> None:
        self.path = Path(path) if path else None
        self.wb = load_workbook(path) if path else Workbook()
        self.app = app or FakeApp()
        self.app.books.append(self)
        self.saves = 0

    @property
    def name(self) -> str:
        return self.path.name if self.path else "工作簿1"

    @property
    def fullname(self) -> str:
        return str(self.path) if self.path else self.name

    @property
    def sheets(self) -> FakeSheets:
        return FakeSheets(self)

    def save(self) -> None:
        assert self.path is not None
        self.wb.save(self.path)
        self.saves += 1


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book

    def _all(self) -> list[FakeSheet]:
        return [FakeSheet(self.book, ws) for ws in self.book.wb.worksheets]

    def __iter__(self) -> Iterator[FakeSheet]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self.book.wb.worksheets)

    def __getitem__(self, key: int | str) -> FakeSheet:
        if isinstance(key, int):
            return self._all()[key]
        return FakeSheet(self.book, self.book.wb[key])

    def add(self, name: str, after: FakeSheet | None = None) -> FakeSheet:
        index = self.book.wb.worksheets.index(after.ws) + 1 if after is not None else 0
        return FakeSheet(self.book, self.book.wb.create_sheet(name, index))


class FakeNote:
    def __init__(self, cell: Any) -> None:
        self.cell = cell

    @property
    def text(self) -> str:
        return self.cell.comment.text

    @text.setter
    def text(self, value: str) -> None:
        self.cell.comment = Comment(value, "Excel")

    def delete(self) -> None:
        self.cell.comment = None


class FakeSheet:
    def __init__(self, book: FakeBook, ws: Any) -> None:
        self.book, self.ws = book, ws
        self.visible = True

    @property
    def name(self) -> str:
        return self.ws.title

    @property
    def api(self) -> Any:
        raise AttributeError("no COM object in a fake")

    def range(self, first: Any, last: Any = None) -> FakeRange:
        if isinstance(first, str):
            c1, r1, c2, r2 = range_boundaries(first.replace("$", ""))
            return FakeRange(self, r1, c1, r2, c2)
        r1, c1 = first
        r2, c2 = last if last is not None else first
        return FakeRange(self, r1, c1, r2, c2)

    def __getitem__(self, address: str) -> FakeRange:
        return self.range(address)

    @property
    def used_range(self) -> FakeRange:
        return FakeRange(self, 1, 1, max(self.ws.max_row, 1), max(self.ws.max_column, 1))

    @property
    def notes(self) -> list[FakeNote]:
        return [FakeNote(c) for row in self.ws.iter_rows() for c in row if c.comment is not None]

    def delete(self) -> None:
        self.book.wb.remove(self.ws)


class _Font:
    def __init__(self) -> None:
        self.bold = False


class FakeRange:
    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int) -> None:
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2
        self.font = _Font()
        self.column_width = None
        self._ndim = None

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    @property
    def address(self) -> str:
        return f"${get_column_letter(self.c1)}${self.r1}"

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self.r2, self.c2, self.r2, self.c2)

    def __getitem__(self, i: int) -> FakeRange:
        assert i == 0
        return FakeRange(self.sheet, self.r1, self.c1, self.r1, self.c1)

    def options(self, ndim: int | None = None) -> FakeRange:
        self._ndim = ndim
        return self

    def _cell(self) -> Any:
        return self.sheet.ws.cell(self.r1, self.c1)

    def _grid(self, what: str) -> list[list[Any]]:
        out = []
        for r in range(self.r1, self.r2 + 1):
            row = []
            for c in range(self.c1, self.c2 + 1):
                cell = self.sheet.ws.cell(r, c)
                v = cell.value
                if what == "value" and cell.data_type == "f":
                    v = None  # no cached result in an openpyxl-written file
                if what == "formula":
                    v = "" if v is None else (v if isinstance(v, str) else str(v))
                row.append(v)
            out.append(row)
        return out

    @property
    def value(self) -> Any:
        grid = self._grid("value")
        if self._ndim == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return grid

    @value.setter
    def value(self, v: Any) -> None:
        cell = self._cell()
        if isinstance(v, str) and v.startswith("'"):
            cell.value = v[1:]
            cell.data_type = "s"
        else:
            cell.value = v

    @property
    def formula(self) -> Any:
        grid = self._grid("formula")
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return tuple(tuple(row) for row in grid)

    @formula.setter
    def formula(self, text: str) -> None:
        self._cell().value = text
        self._cell().data_type = "f"

    @property
    def color(self) -> tuple[int, int, int] | None:
        fill = self._cell().fill
        if fill is None or fill.fill_type != "solid":
            return None
        rgb = str(fill.fgColor.rgb)[-6:]
        return int(rgb[0:2], 16), int(rgb[2:4], 16), int(rgb[4:6], 16)

    @color.setter
    def color(self, rgb: tuple[int, int, int] | None) -> None:
        if rgb is None:
            self._cell().fill = PatternFill(fill_type=None)
        else:
            hex_ = "{:02X}{:02X}{:02X}".format(*rgb)
            self._cell().fill = PatternFill("solid", fgColor=hex_)

    @property
    def note(self) -> FakeNote | None:
        cell = self._cell()
        return FakeNote(cell) if cell.comment is not None else None

    def add_note(self, text: str) -> FakeNote:
        assert self._cell().comment is None, "This cell already has a note"
        self._cell().comment = Comment(text, "Excel")
        return FakeNote(self._cell())

    def _merged_with(self) -> list[Any]:
        return [
            m
            for m in self.sheet.ws.merged_cells.ranges
            if not (m.max_row < self.r1 or m.min_row > self.r2 or m.max_col < self.c1 or m.min_col > self.c2)
        ]

    @property
    def merge_cells(self) -> bool | None:
        hits = self._merged_with()
        if not hits:
            return False
        if self.r1 == self.r2 and self.c1 == self.c2:
            return True
        return None

    @property
    def merge_area(self) -> FakeRange:
        hits = self._merged_with()
        if not hits:
            return self
        m = hits[0]
        return FakeRange(self.sheet, m.min_row, m.min_col, m.max_row, m.max_col)
