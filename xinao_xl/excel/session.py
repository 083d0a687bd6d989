"""What a ribbon handler needs from Excel, and its xlwings implementation.

Handlers (`xinao_xl.excel.ribbon`) talk to a `Session`, not to xlwings, so every button can
be run in a test against workbook files with a fake session (``tests/excel/fake_session``)
while Excel gets `XlwingsSession`, built on ``xw.Book.caller()`` (the workbook the user has
open when they press the button).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from xinao_xl.books.port import WorkbookPort

from .addin.sources import ADDIN_NAME
from .live import LiveBook

__all__ = ["MarkableBook", "Session", "XlwingsSession"]

TITLE = "新奥服务"


class MarkableBook(WorkbookPort, Protocol):
    """The caller's book: a workbook port that can also remove the marks it made."""

    def clear_marks(self) -> int: ...


class Session(Protocol):
    def book_path(self) -> Path | None:
        """Full path of the user's workbook; None while it has never been saved."""
        ...

    def book(self) -> MarkableBook:
        """The user's workbook, live."""
        ...

    def open_book(self, path: Path) -> WorkbookPort | None:
        """The workbook at ``path`` if it is open in this Excel (read it live), else None."""
        ...

    def save(self) -> None:
        """Save the user's workbook (a service is about to read its file)."""
        ...

    def calculate(self) -> None: ...

    def status(self, text: str | None) -> None:
        """Show progress in the status bar; None gives the status bar back to Excel."""
        ...

    def alert(self, text: str, *, error: bool = False) -> None:
        """A message box titled 新奥服务."""
        ...

    def confirm(self, text: str) -> bool:
        """A 确定/取消 message box titled 新奥服务; True for 确定."""
        ...

    def show_rows(self, title: str, rows: Sequence[Sequence[Any]], widths: Sequence[float] = ()) -> None:
        """Show a table in a new workbook (help, lists too long for a message box)."""
        ...

    def choose_file(self, prompt: str) -> Path | None:
        """Ask the user for a workbook file (Excel's open dialog); None when cancelled."""
        ...

    def selection(self) -> tuple[str, int] | None:
        """The sheet and row of the active cell in the user's workbook (the complaint a form
        button prints); None when the active cell is in another workbook."""
        ...

    def closed(self, path: Path) -> AbstractContextManager[None]:
        """While in the block, the workbook at ``path`` is saved and closed in Excel (if it
        was open), so a file service may rewrite it; it is opened again afterwards."""
        ...


class XlwingsSession:
    """`Session` on the workbook that called ``RunPython`` (Windows, Excel, xlwings)."""

    def __init__(self, book: Any | None = None) -> None:
        import xlwings as xw

        self._xw = xw
        self.xw_book = book if book is not None else xw.Book.caller()
        self.app = self.xw_book.app

    def book_path(self) -> Path | None:
        full = str(self.xw_book.fullname)
        return Path(full) if ("\\" in full or "/" in full) else None

    def book(self) -> MarkableBook:
        return LiveBook(self.xw_book)

    def open_book(self, path: Path) -> WorkbookPort | None:
        book = self._find(path)
        return LiveBook(book) if book is not None else None

    def save(self) -> None:
        self.xw_book.save()

    def addin_path(self) -> Path | None:
        """Where Excel loaded our add-in from (an add-in is in ``Workbooks`` by name)."""
        try:
            return Path(str(self.app.api.Workbooks(ADDIN_NAME).FullName))
        except Exception:  # noqa: BLE001 - not loaded (run from a plain workbook) or renamed
            return None

    def calculate(self) -> None:
        """A full recalculation: ``Application.Calculate`` skips cells whose inputs did not
        change (``SLA_STATUS`` is volatile, so its statuses move with either)."""
        self.app.api.CalculateFull()

    def status(self, text: str | None) -> None:
        self.app.status_bar = text if text else False

    def alert(self, text: str, *, error: bool = False) -> None:
        self.app.alert(text[:1000], title=TITLE, mode="critical" if error else "info")

    def confirm(self, text: str) -> bool:
        # Excel's MsgBox takes 1,024 characters: the question (the last line) must survive the cut
        head, _, question = text.rpartition("\n")
        shown = (head[: 1000 - len(question) - 2] + "\n" + question) if head else question
        return self.app.alert(shown, title=TITLE, buttons="ok_cancel", mode="info") == "ok"

    def _find(self, path: Path) -> Any | None:
        target = str(Path(path).resolve()).lower()
        for book in self.app.books:
            try:
                if str(Path(str(book.fullname)).resolve()).lower() == target:
                    return book
            except OSError:
                continue
        return None

    @contextmanager
    def closed(self, path: Path) -> Iterator[None]:
        book = self._find(path)
        if book is None:
            yield
            return
        book.save()
        book.close()
        try:
            yield
        finally:
            self.app.books.open(str(path))

    def selection(self) -> tuple[str, int] | None:
        try:  # Application.ActiveCell: only Excel can show it (the ``excel``-marked contract tests)
            cell = self.app.api.ActiveCell
            sheet = cell.Worksheet
            if str(sheet.Parent.FullName) != str(self.xw_book.fullname):
                return None
            return str(sheet.Name), int(cell.Row)
        except Exception:  # noqa: BLE001 - no active cell (a chart sheet, a dialog open)
            return None

    def choose_file(self, prompt: str) -> Path | None:
        chosen = self.app.api.GetOpenFilename("Excel 工作簿 (*.xlsx;*.xls),*.xlsx;*.xls", 1, prompt)
        return Path(str(chosen)) if chosen not in (False, None, "False") else None

    def show_rows(self, title: str, rows: Sequence[Sequence[Any]], widths: Sequence[float] = ()) -> None:
        book = self.app.books.add()
        live = LiveBook(book)
        live.put_sheet(title, rows, widths)
        first = book.sheets[0]
        if first.name != title and len(book.sheets) > 1:
            first.delete()
