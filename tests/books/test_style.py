"""`style.Look`: applying a look gives a cell exactly what openpyxl's public setters give it."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from xinao_xl.books.cells import put
from xinao_xl.books.style import (
    BODY_FONT,
    BORDER,
    FORMULA_FILL,
    HEADER_LOOK,
    UNLOCKED,
    WRAP_ALIGN,
    Look,
    public_setters,
    using_public_setters,
)

FULL = Look(font=BODY_FONT, fill=FORMULA_FILL, border=BORDER, alignment=WRAP_ALIGN, protection=UNLOCKED, number_format="yyyy-mm-dd")
PART = Look(font=Font(name="宋体", size=12, bold=True), number_format="0.00")


def _public(cell, look: Look) -> None:
    """What a writer did before looks existed: one public setter per part."""
    for part in ("font", "fill", "border", "alignment", "protection", "number_format"):
        value = getattr(look, part)
        if value is not None:
            setattr(cell, part, value)


def _seen(cell) -> tuple:
    """What the cell shows, by content (style proxies compared through their repr)."""
    return (repr(cell.font), repr(cell.fill), repr(cell.border), repr(cell.alignment), repr(cell.protection), cell.number_format, cell.quotePrefix)


def test_look_equals_public_setters_on_new_and_styled_cells() -> None:
    wb = Workbook()
    ws = wb.active
    for look in (FULL, PART, HEADER_LOOK):
        fast, slow = ws.cell(row=1, column=1), ws.cell(row=1, column=2)
        look.apply(fast)
        _public(slow, look)
        assert _seen(fast) == _seen(slow)
    # a styled cell keeps the parts the look leaves alone, as with the setters
    for col in (3, 4):
        cell = put(ws, 2, col, "=不是公式")  # quote prefix set by put
        cell.fill = PatternFill("solid", fgColor="FF0000")
        cell.alignment = Alignment(horizontal="right")
    PART.apply(ws.cell(row=2, column=3))
    _public(ws.cell(row=2, column=4), PART)
    fast, slow = ws.cell(row=2, column=3), ws.cell(row=2, column=4)
    assert _seen(fast) == _seen(slow)
    assert fast.quotePrefix and fast.fill.fgColor.rgb == "00FF0000" and fast.alignment.horizontal == "right"
    assert fast.font.bold and fast.number_format == "0.00"


def test_look_is_resolved_per_workbook() -> None:
    """Style indices belong to one workbook: a look used in a second (or loaded) one is
    resolved there again, even when that workbook's style table is ordered differently."""
    first, second = Workbook(), Workbook()
    second.active.cell(row=1, column=1).font = Font(name="Arial", size=20)  # shifts the font table
    FULL.apply(first.active.cell(row=1, column=1))
    FULL.apply(second.active.cell(row=2, column=1))
    assert _seen(first.active["A1"]) == _seen(second.active["A2"])
    buffer = BytesIO()
    second.save(buffer)
    loaded = load_workbook(BytesIO(buffer.getvalue()))
    PART.apply(loaded.active.cell(row=3, column=1))
    _public(loaded.active.cell(row=3, column=2), PART)
    assert _seen(loaded.active["A3"]) == _seen(loaded.active["B3"])
    assert repr(loaded.active["A2"].fill) == repr(FORMULA_FILL) and not loaded.active["A2"].protection.locked


def test_public_setters_switch() -> None:
    assert not using_public_setters()
    ws = Workbook().active
    with public_setters():
        assert using_public_setters()
        FULL.apply(ws.cell(row=1, column=1))
    assert not using_public_setters()
    FULL.apply(ws.cell(row=1, column=2))
    assert _seen(ws["A1"]) == _seen(ws["B1"])
