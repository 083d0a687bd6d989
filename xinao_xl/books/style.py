"""Look and behaviour shared by every sheet: fonts, fills, protection, highlights.

Why one module: staff learn one visual language across the four workbooks — white cells
are theirs to fill, grey cells compute, blue is a header, red is overdue, amber is close
to the limit or below target. How sheets print is `printing`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "宋体"
BODY_FONT = Font(name=FONT_NAME, size=10)
HEADER_FONT = Font(name=FONT_NAME, size=10, bold=True)
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
NOTE_FONT = Font(name=FONT_NAME, size=9, italic=True, color="595959")

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
FORMULA_FILL = PatternFill("solid", fgColor="F2F2F2")
RULE_FILL = PatternFill("solid", fgColor="FFF2CC")
RED_FILL = PatternFill("solid", fgColor="FFC7CE")
AMBER_FILL = PatternFill("solid", fgColor="FFEB9C")
RED_FONT = Font(color="9C0006")
AMBER_FONT = Font(color="9C5700")

THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)

HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
CELL_ALIGN = Alignment(vertical="center")
WRAP_ALIGN = Alignment(vertical="center", wrap_text=True)
CENTER_ALIGN = Alignment(horizontal="center", vertical="center")


# --- looks: a cell's style named once, applied in one step --------------------------------

# Where each part of a look lives in openpyxl's per-cell StyleArray (the array that the
# public setters ``cell.font = …`` write the style table index into).
_SLOTS = tuple(
    (part, vars(StyleArray)[field].key)
    for part, field in (("font", "fontId"), ("fill", "fillId"), ("border", "borderId"), ("alignment", "alignmentId"),
                        ("protection", "protectionId"), ("number_format", "numFmtId"))
)
_RESOLVED: WeakKeyDictionary[Workbook, dict[Look, tuple[tuple[int, int], ...]]] = WeakKeyDictionary()
_PUBLIC_SETTERS: ContextVar[bool] = ContextVar("public_setters", default=False)


@dataclass(frozen=True, eq=False)
class Look:
    """The parts of a cell's style a writer sets together; ``None`` leaves a part as it is.

        BODY = Look(font=BODY_FONT, border=BORDER, alignment=CELL_ALIGN)
        BODY.apply(ws.cell(row=3, column=1))

    Why not ``cell.font = BODY_FONT`` and so on: each public setter looks its style object
    up in the workbook's style table, hashing the object field by field — that was half the
    time of a monthly close (165,000 assignments). A look is resolved once per workbook, by
    those same public setters on a scratch cell, into the table indices they store; applying
    it writes those indices into the cell's ``StyleArray`` (``Cell._style``, where the
    setters write them: openpyxl internals, stable through 3.1). Parts the look leaves as
    ``None`` keep the cell's value, as not calling a setter would, so the quote prefix
    `cells.put` set stays. ``with public_setters():`` makes `apply` call the setters
    themselves, which lets a test prove both ways write the same workbook.

    Looks compare by identity (the cache is keyed by the object): define them once, at
    module level or through a cached factory, not per cell.
    """

    font: Font | None = None
    fill: PatternFill | None = None
    border: Border | None = None
    alignment: Alignment | None = None
    protection: Protection | None = None
    number_format: str | None = None

    def apply(self, cell: Cell | MergedCell) -> Cell | MergedCell:
        """Give `cell` this look (the parts it names); returns the cell."""
        if _PUBLIC_SETTERS.get():
            for name, _ in _SLOTS:
                value = getattr(self, name)
                if value is not None:
                    setattr(cell, name, value)
            return cell
        wb = cell.parent.parent
        resolved = _RESOLVED.get(wb)
        if resolved is None:
            resolved = _RESOLVED[wb] = {}
        slots = resolved.get(self)
        if slots is None:
            slots = resolved[self] = self._resolve(cell.parent)
        style = cell._style
        if style is None:  # a cell nothing styled yet; the setters start from the same
            style = cell._style = StyleArray()
        for index, value in slots:
            style[index] = value
        return cell

    def _resolve(self, ws: Worksheet) -> tuple[tuple[int, int], ...]:
        """(StyleArray slot, style table index) for each part, as the public setters store them."""
        scratch = Cell(ws)  # not placed in the sheet: never written
        slots = []
        for name, index in _SLOTS:
            value = getattr(self, name)
            if value is not None:
                setattr(scratch, name, value)
                slots.append((index, scratch._style[index]))
        return tuple(slots)


@contextmanager
def public_setters() -> Iterator[None]:
    """Within the block, `Look.apply` uses openpyxl's public setters (slow; for tests)."""
    token = _PUBLIC_SETTERS.set(True)
    try:
        yield
    finally:
        _PUBLIC_SETTERS.reset(token)


def using_public_setters() -> bool:
    """Whether `public_setters` is in force (writers with their own fast path follow it)."""
    return _PUBLIC_SETTERS.get()


HEADER_LOOK = Look(font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=HEADER_ALIGN)
BOXED_WRAP = Look(font=BODY_FONT, border=BORDER, alignment=WRAP_ALIGN)  # a table's text cell


def protect(ws: Worksheet) -> None:
    """Protect without a password: formulas and rules are safe from slips, not from intent.

    Staff may still filter, sort, resize and format rows and columns; only locked cells
    (headers, formulas, rules) refuse typing.
    """
    ws.protection = sheet_protection()


def sheet_protection() -> SheetProtection:
    """The flags `protect` sets (a new object each time: `protect_ledger` changes its own)."""
    return SheetProtection(
        sheet=True,
        objects=True,
        scenarios=True,
        formatCells=False,
        formatColumns=False,
        formatRows=False,
        insertRows=True,
        deleteRows=True,
        sort=False,
        autoFilter=False,
        selectLockedCells=False,
        selectUnlockedCells=False,
    )


def protect_ledger(ws: Worksheet) -> None:
    """`protect`, and staff may also insert and delete rows: a ledger is a list that grows,
    gets a duplicate removed and is sorted (books/writer.py leaves its rows unlocked, which
    deleting and sorting on a protected sheet need in Excel and LibreOffice alike)."""
    protect(ws)
    ws.protection.insertRows = False
    ws.protection.deleteRows = False


def title_cell(ws: Worksheet, text: str, last_col: str) -> None:
    ws["A1"] = text
    ws["A1"].font = TITLE_FONT
    ws["A1"].alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[1].height = 24


def header_cell(ws: Worksheet, row: int, col: int, text: str) -> None:
    HEADER_LOOK.apply(ws.cell(row=row, column=col, value=text))


def header_cells(ws: Worksheet, row: int, headers: list[str] | tuple[str, ...]) -> None:
    for col, text in enumerate(headers, start=1):
        header_cell(ws, row, col, text)
    ws.row_dimensions[row].height = 30


def highlight_status(ws: Worksheet, cell_range: str) -> None:
    """SLA status cells: overdue red, due within the warning period amber."""
    for text in ("已超时", "超时完成"):
        ws.conditional_formatting.add(cell_range, CellIsRule(operator="equal", formula=[f'"{text}"'], fill=RED_FILL, font=RED_FONT))
    ws.conditional_formatting.add(cell_range, CellIsRule(operator="equal", formula=['"即将到期"'], fill=AMBER_FILL, font=AMBER_FONT))
    ws.conditional_formatting.add(cell_range, CellIsRule(operator="equal", formula=['"日历未确认"'], fill=RED_FILL, font=RED_FONT))


def highlight_equals(ws: Worksheet, cell_range: str, text: str, red: bool = True) -> None:
    fill, font = (RED_FILL, RED_FONT) if red else (AMBER_FILL, AMBER_FONT)
    ws.conditional_formatting.add(cell_range, CellIsRule(operator="equal", formula=[f'"{text}"'], fill=fill, font=font))


def highlight_positive(ws: Worksheet, cell_range: str, first_cell: str) -> None:
    """A deduction above zero (the row is below its target): amber."""
    ws.conditional_formatting.add(cell_range, FormulaRule(formula=[f"AND(ISNUMBER({first_cell}),{first_cell}>0)"], fill=AMBER_FILL, font=AMBER_FONT))


def highlight_below(ws: Worksheet, cell_range: str, first_cell: str, limit: str) -> None:
    ws.conditional_formatting.add(cell_range, FormulaRule(formula=[f"AND(ISNUMBER({first_cell}),{first_cell}<{limit})"], fill=AMBER_FILL, font=AMBER_FONT))
