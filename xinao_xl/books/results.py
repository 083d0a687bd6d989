"""The 校验结果 workbook: every finding of a validation run in one table, each with a link
that opens the workbook at the cell to fix.

Why one workbook of links and not marked copies of the books (what validation wrote
before): a copy of a 台账 is a second 台账, and a clerk who fixes the copy has fixed the
wrong file; a copy opened on its first sheet with the findings on the last tab, and the
copies piled up beside the month's books. The links point at the books themselves, by a
path relative to this workbook (moved together with the month folder, they still work);
the link's place names the sheet and the cell or the rows of a range (``'台账'!K3:K82``).
The ribbon's 校验本簿 marks the cells in the open book instead; that stays as it was.

    >>> write_results_book(Path("2026-11/2026-11_校验结果.xlsx"), rows, links)   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from .cells import set_value
from .printing import print_setup
from .save import save_atomic
from .style import BODY_FONT, WRAP_ALIGN, header_cells

__all__ = ["LINK_COLUMN", "Link", "SHEET", "write_results_book"]

SHEET = "校验结果"
LINK_COLUMN = 5  # 单元格: the column that carries the link (1-based)
LINK_FONT = Font(name=BODY_FONT.name, size=BODY_FONT.size, color="0563C1", underline="single")


@dataclass(frozen=True)
class Link:
    """Where a finding's link goes: a workbook by its path relative to the results
    workbook (``/``-separated), and a place in it (``'台账'!K3``; "" opens the workbook)."""

    target: str
    location: str = ""

    @staticmethod
    def place(sheet: str, cell: str) -> str:
        """``'台账'!K3`` (the sheet name quoted, as Excel writes a name with other characters)."""
        return f"'{sheet.replace(chr(39), chr(39) * 2)}'!{cell}"


def write_results_book(path: Path, rows: Sequence[Sequence[Any]], links: Sequence[Link | None],
                       widths: Sequence[float] = (), title: str = "") -> Path:
    """Write the findings table (`rows`: header first, then one row per finding) with the
    link of each finding (`links`, one per data row, None for none) on its 单元格 cell.

    Texts are written as text (a message quoting "=…" stays a text); the file is replaced
    atomically and, being made again by every run, not kept in 历史版本."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    header_cells(ws, 1, tuple(str(h) for h in rows[0]))
    for r, (row, link) in enumerate(zip(rows[1:], [*links, *[None] * (len(rows) - 1 - len(links))], strict=True), start=2):
        for c, value in enumerate(row, start=1):
            cell = set_value(ws.cell(row=r, column=c), value)
            cell.font = BODY_FONT
            cell.alignment = WRAP_ALIGN
        if link is not None:
            cell = ws.cell(row=r, column=LINK_COLUMN)
            if cell.value in (None, ""):
                cell.value = "打开"
            cell.hyperlink = Hyperlink(ref=cell.coordinate, target=link.target, location=link.location or None,
                                       tooltip=f"打开 {link.target}" + (f" 的 {link.location}" if link.location else ""))
            cell.font = LINK_FONT
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    last = get_column_letter(len(rows[0]))
    ws.freeze_panes = "A2"
    if len(rows) > 1:
        ws.auto_filter.ref = f"A1:{last}{len(rows)}"
    print_setup(ws, "1:1", title or SHEET, landscape=True, print_area=f"A1:{last}{len(rows)}")
    return save_atomic(wb, Path(path), keep_previous=False)
