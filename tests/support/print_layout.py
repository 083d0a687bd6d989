"""Print workbooks as Excel would, through LibreOffice, and read the pages back.

A ledger's print area is a formula (`xinao_xl.books.printing.used_rows_area`): Excel
evaluates it when it prints, LibreOffice ignores a print area that is not a plain reference
and prints every prepared row. So `print_as_excel`

1. copies each workbook with a probe sheet asking ``ROWS()``/``COLUMNS()`` of each such
   formula, and lets LibreOffice compute them (the formula proven in a real engine);
2. writes a copy whose print areas are the ranges those formulas named, and exports it
   to PDF with LibreOffice — the pages Excel prints, LibreOffice's fonts aside.

`pages` reads a PDF back: per page its size and the sheet it belongs to (the page header
carries the sheet, `printing.book_header`) and its text.

    >>> pdfs = print_as_excel([book], tmp_path)
    >>> [p.sheet for p in pages(pdfs[0], ["台账", "完工量"])]
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.support.libreoffice import recalculate_many, render_pdf_many
from xinao_xl.books.printing import PRINT_AREA, load_book, print_formulas
from xinao_xl.books.save import save_atomic

PROBE = "__print_probe"
A4 = (595, 842)  # points, upright


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    sheet: str | None  # the sheet named in the page header, None when no header matched
    text: str  # the page's text without white space

    @property
    def a4(self) -> bool:
        return sorted((round(self.width), round(self.height))) == list(A4)


def resolve_print_areas(srcs: Sequence[Path], work: Path) -> list[Path]:
    """Copies of `srcs` whose print-area formulas are replaced by the ranges LibreOffice
    computes for them; a workbook without one is copied unchanged."""
    work.mkdir(parents=True, exist_ok=True)
    probes, jobs = [], []
    for i, src in enumerate(srcs):
        formulas = print_formulas(src)
        if not formulas:
            continue
        wb = load_book(src)
        ws = wb.create_sheet(PROBE)
        order = sorted(formulas)
        for r, index in enumerate(order, start=1):
            ws.cell(row=r, column=1, value=f"=ROWS({formulas[index]})")
            ws.cell(row=r, column=2, value=f"=COLUMNS({formulas[index]})")
        probe = work / "probe" / f"{i:02d}_{src.name}"
        probe.parent.mkdir(exist_ok=True)
        save_atomic(wb, probe)
        probes.append(probe)
        jobs.append((i, order))
    areas: dict[int, dict[int, tuple[int, int]]] = {}
    for (i, order), done in zip(jobs, recalculate_many(probes, work / "probed"), strict=True):
        ws = load_workbook(done, data_only=True)[PROBE]
        areas[i] = {index: (ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value) for r, index in enumerate(order, start=1)}
    out = []
    for i, src in enumerate(srcs):
        dst = work / "print" / f"{i:02d}_{src.name}"
        dst.parent.mkdir(exist_ok=True)
        if i not in areas:
            shutil.copyfile(src, dst)
        else:
            wb = load_book(src)
            for index, (rows, cols) in areas[i].items():
                if not isinstance(rows, int | float) or not isinstance(cols, int | float):
                    raise AssertionError(f"{src.name}: print area of sheet {index} computes to {rows!r} × {cols!r}")
                ws = wb[wb.sheetnames[index]]
                del ws.defined_names[PRINT_AREA]
                ws.print_area = f"A1:{get_column_letter(int(cols))}{int(rows)}"
            save_atomic(wb, dst)
        out.append(dst)
    return out


def print_as_excel(srcs: Sequence[Path], work: Path) -> list[tuple[Path, Path]]:
    """(resolved copy, PDF) of each of `srcs`, printed with the print areas Excel would use."""
    resolved = resolve_print_areas(srcs, work)
    return list(zip(resolved, render_pdf_many(resolved, work / "pdf"), strict=True))


def pages(pdf: Path, sheets: Iterable[str]) -> list[Page]:
    """The pages of `pdf`, each with the sheet whose name its header carries (" · 名称")."""
    from pypdf import PdfReader

    names = sorted(set(sheets), key=len, reverse=True)
    out = []
    for n, page in enumerate(PdfReader(pdf).pages, start=1):
        text = re.sub(r"\s+", "", page.extract_text() or "")
        sheet = next((s for s in names if "·" + re.sub(r"\s+", "", s) in text), None)
        box = page.mediabox
        out.append(Page(n, float(box.width), float(box.height), sheet, text))
    return out


def printed_rows(path: Path) -> dict[str, tuple[int, int]]:
    """Sheet -> (last row, last column) of its print area in a resolved copy."""
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        area = ws.print_area
        if area:
            ref = area.split("!")[-1].replace("$", "").split(":")[-1]
            m = re.match(r"([A-Z]+)(\d+)", ref)
            if m:
                from openpyxl.utils import column_index_from_string

                out[ws.title] = (int(m.group(2)), column_index_from_string(m.group(1)))
    return out


def text_sizes(pdf: Path) -> list[dict[str, float]]:
    """Per page, each piece of text and the size it is printed at, in points on paper: the
    font size times the vertical scale of the text and current matrices (a sheet fitted to
    the page width is drawn scaled down, its 10-point text smaller on paper)."""
    from pypdf import PdfReader

    out = []
    for page in PdfReader(pdf).pages:
        sizes: dict[str, float] = {}

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float, sizes: dict[str, float] = sizes) -> None:
            if not text.strip():
                return
            c, d = tm[2], tm[3]  # the text matrix's y axis, then through the current matrix
            y = (c * cm[0] + d * cm[2], c * cm[1] + d * cm[3])
            printed = size * (y[0] ** 2 + y[1] ** 2) ** 0.5
            key = text.strip()
            sizes[key] = min(printed, sizes.get(key, printed))

        page.extract_text(visitor_text=visit)
        out.append(sizes)
    return out

