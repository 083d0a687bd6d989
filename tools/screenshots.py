"""Make the user guide's pictures: the demo month's workbooks and report, rendered to PNG.

    .venv/bin/python tools/screenshots.py --out docs/img

Why: docs/使用说明.md walks a newcomer through `xinao-xl demo`; its pictures must be of that
very month, not of a mock-up, and must be re-made when a workbook's layout changes. This

1. runs the demo as `xinao-xl demo` does (the CLI itself, into a scratch folder);
2. recalculates the staff workbooks in LibreOffice (openpyxl writes formulas without
   cached values; a spreadsheet computes them on opening, as Excel does for staff);
3. keeps, per picture, one sheet (and a useful block of its rows and columns) with the
   computed values, exports it to PDF with LibreOffice and renders the page with pdftoppm;
4. crops the page to what is printed and writes an 8-bit palette PNG (small files; numpy
   and zlib only, no imaging library needed).

It also makes one picture of the validation results (校验结果) on a copy of the demo month
into which a few typical mistakes were typed on purpose (`MISTAKES`).

What the pictures are: LibreOffice's print rendering of our .xlsx files. Excel shows the
same cells, fonts aside; the ribbon and the add-in functions exist only in Excel and are
not pictured. Cells that compare with NOW() (投诉 时限状态, 流转单 是否超时) show the moment
the script ran.

Needs LibreOffice (soffice) and pdftoppm (poppler-utils). About 20 s.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.cell import coordinate_from_string

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.libreoffice import recalculate_many, render_pdf_many  # noqa: E402
from xinao_xl.books import assessment, callback_ledger, complaint_ledger, imported, opinions  # noqa: E402
from xinao_xl.books.month_folder import EVIDENCE_DIR, OUT_DIR  # noqa: E402
from xinao_xl.books.report import SHEET as REPORT_SHEET  # noqa: E402
from xinao_xl.books.save import save_atomic  # noqa: E402
from xinao_xl.cli import main as cli_main  # noqa: E402
from xinao_xl.cli.demo import DEMO_MONTH, DEMO_NOW  # noqa: E402
from xinao_xl.services.validate import RESULT_SHEET, month_sources, validate_month, write_results  # noqa: E402

DPI = 120
FOOTER_IN = 0.6  # LibreOffice prints "第 1 页，共 N 页" in the bottom margin: not part of the picture
MARGIN_PX = 10  # white kept around the printed block
HEADER_ROWS = 2  # title and column headers above every table's records


@dataclass(frozen=True)
class Shot:
    """One picture: a sheet of a workbook (path relative to the month folder) and its block."""

    name: str  # PNG file stem
    book: str
    sheet: str = ""  # "" = the first sheet
    columns: str | None = None  # "A:N"; None keeps the print area's (or the used) columns
    rows: tuple[int, int] | None = None  # (first, last); None keeps the print area's rows
    recalc: bool = True  # staff workbooks hold formulas without cached values
    region: str = "all"  # report only: "tables" above the charts, "charts" the charts
    hide: tuple[str, ...] = ()  # columns left out of the picture ("C:J")
    where: tuple[str, str] | None = None  # (column, value): only record rows holding it
    portrait: bool = False  # A4 upright (report, flow form); else landscape, for room


def month_file(stem: str, closed: bool = False) -> str:
    return f"{OUT_DIR}/{DEMO_MONTH}_{stem}_结账.xlsx" if closed else f"{DEMO_MONTH}_{stem}.xlsx"


REPORT = f"{OUT_DIR}/{DEMO_MONTH}_客户回访报告.xlsx"
SHOTS: tuple[Shot, ...] = (
    Shot("考核表_汇总", month_file(assessment.STEM), assessment.SUMMARY),
    Shot("考核表_客服部", month_file(assessment.STEM), "客服部"),
    Shot("考核表_加减分明细", month_file(assessment.STEM), assessment.ITEMS, columns="A:H", rows=(1, 8)),
    Shot("考核表_汇入", month_file(assessment.STEM), imported.SHEET, columns="A:N", rows=(1, 22)),
    # 汇总's columns: A–J figures and 备注, K–N 审核/审批 (issue 19), O blank, P–S what the workbook showed and 核对
    Shot("考核表_结账汇总", month_file(assessment.STEM, closed=True), assessment.SUMMARY, columns="A:S", hide=("E:H", "J:O")),
    Shot("回访台账", month_file(callback_ledger.STEM), callback_ledger.LEDGER, columns="A:N", rows=(1, 20)),
    Shot("回访台账_流转", month_file(callback_ledger.STEM), callback_ledger.LEDGER, columns="A:U", hide=("C:D", "F:H", "J", "L:M"), where=("O", "是")),
    Shot("投诉台账", month_file(complaint_ledger.STEM), complaint_ledger.LEDGER, columns="A:J", rows=(1, 10)),
    Shot("投诉台账_时限", month_file(complaint_ledger.STEM), complaint_ledger.LEDGER, columns="A:AA", rows=(1, 10), hide=("B:I", "W:Z")),
    Shot("意见统计表", month_file(opinions.STEM, closed=True), opinions.SHEET, rows=(1, 14), recalc=False),
    Shot("回访报告_表格", REPORT, REPORT_SHEET, recalc=False, region="tables", portrait=True),
    Shot("回访报告_图表", REPORT, REPORT_SHEET, recalc=False, region="charts", portrait=True),
    Shot("回访报告_服务通报", REPORT, "服务通报", recalc=False, portrait=True),
    Shot("流转单", f"{OUT_DIR}/{DEMO_MONTH}_流转单.xlsx", recalc=False, portrait=True),
    Shot("服务津贴申请", f"{OUT_DIR}/{DEMO_MONTH}_服务津贴申请.xlsx", recalc=False, portrait=True),
)
CHECK_SHOT = Shot("校验结果", "", RESULT_SHEET, recalc=False, hide=("C",))

# Typical mistakes typed into a copy of the demo 考核表 for the 校验结果 picture:
# (sheet, cell, what staff typed).
MISTAKES: tuple[tuple[str, str, Any], ...] = (
    ("客服部", "E5", "九十五"),  # a rate written in words
    (assessment.ITEMS, "A4", "2026-11-31"),  # an impossible date, typed as text
    (assessment.ITEMS, "C6", "投诉"),  # a complaint typed here again (it reaches the 考核表 through the 汇入)
    (assessment.ITEMS, "E5", 8),  # media praise outside 3-5 points
    (assessment.ITEMS, "H3", -0.5),  # a formula overwritten by its value
)


# --- the month ----------------------------------------------------------------------------


def run_demo(folder: Path) -> str:
    """`xinao-xl demo --dir folder`; returns what it printed (the guide quotes it)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli_main(["demo", "--dir", str(folder)])
    if code != 0:
        raise SystemExit(f"xinao-xl demo failed ({code}):\n{out.getvalue()}")
    return out.getvalue()


def broken_copy(month: Path, target: Path) -> Path:
    """The demo 考核表 and 投诉台账 copied with `MISTAKES` typed in; its 校验结果 workbook made
    (validated as of the demo's close time, so the result does not depend on today)."""
    target.mkdir(parents=True, exist_ok=True)
    for stem in (assessment.STEM, complaint_ledger.STEM):
        shutil.copy2(month / month_file(stem), target / month_file(stem))
    if (month / EVIDENCE_DIR).is_dir():  # the 投诉台账's 证据 links point there (no warning the picture did not plant)
        shutil.copytree(month / EVIDENCE_DIR, target / EVIDENCE_DIR, dirs_exist_ok=True)
    path = target / month_file(assessment.STEM)
    wb = load_workbook(path)
    for sheet, cell, value in MISTAKES:
        wb[sheet][cell].value = value
    save_atomic(wb, path)
    findings = validate_month(target, now=DEMO_NOW)
    sources, _ = month_sources(target)
    return write_results(findings, {assessment.STEM: sources[assessment.STEM]}, month=DEMO_MONTH)


# --- one sheet per picture --------------------------------------------------------------------


def one_sheet(src: Path, shot: Shot, dst: Path) -> Path:
    """The shot's sheet alone: computed values instead of formulas, its block as the print
    area, one page wide. Row heights are the workbook's own (the tool stores the height of
    the rows it writes, `books.printing.fit_row`), so the picture is the printed page."""
    wb = load_workbook(src, data_only=True)
    sheet = shot.sheet or wb.sheetnames[0]
    for name in wb.sheetnames:
        if name != sheet:
            del wb[name]
    for name in list(wb.defined_names.keys()):
        del wb.defined_names[name]
    ws = wb[sheet]
    ws.data_validations.dataValidation = []
    first_col, last_col, first_row, last_row = _area(ws)
    if shot.columns:
        first_col, last_col = shot.columns.split(":")
    if shot.rows:
        first_row, last_row = shot.rows
    if shot.region != "all":
        first_row, last_row = _report_region(ws, shot.region, first_row, last_row)
    ws.print_area = f"{first_col}{first_row}:{last_col}{last_row}"
    ws.print_title_rows = None
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.page_setup.orientation = "portrait" if shot.portrait else "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.row_breaks.brk = []
    _split_columns(ws)
    for span in shot.hide:
        a, _, b = span.partition(":")
        for c in range(column_index_from_string(a), column_index_from_string(b or a) + 1):
            ws.column_dimensions[get_column_letter(c)].hidden = True
    if shot.where:
        column, value = shot.where
        shown = [r for r in range(HEADER_ROWS + 1, ws.max_row + 1) if ws[f"{column}{r}"].value == value]
        for r in range(HEADER_ROWS + 1, ws.max_row + 1):
            ws.row_dimensions[r].hidden = r not in shown
        last_row = max(shown, default=last_row)
        ws.print_area = f"{first_col}{first_row}:{last_col}{last_row}"
    return save_atomic(wb, dst)


def _area(ws: Any) -> tuple[str, str, int, int]:
    """The sheet's print area (first col, last col, first row, last row), else its used range."""
    area = ws.print_area
    if not area:
        return "A", get_column_letter(ws.max_column), 1, ws.max_row
    ref = area.split("!")[-1].replace("$", "")
    (c0, r0), (c1, r1) = (coordinate_from_string(a) for a in ref.split(":"))
    return c0, c1, r0, r1


def _report_region(ws: Any, region: str, first: int, last: int) -> tuple[int, int]:
    """Rows of the report above its first chart, or from it to the end of the print area."""
    top = min(chart.anchor._from.row for chart in ws._charts) + 1  # anchors count from 0
    return (first, top - 2) if region == "tables" else (top, last)


def _split_columns(ws: Any) -> None:
    """One column dimension per column: openpyxl keeps <col min="10" max="11"> as one entry
    under "J", so hiding J would hide K too and K's width would read as the default."""
    for dim in list(ws.column_dimensions.values()):
        if dim.min and dim.max and dim.max > dim.min:
            for c in range(dim.min + 1, dim.max + 1):
                letter = get_column_letter(c)
                ws.column_dimensions[letter].width = dim.width
                ws.column_dimensions[letter].hidden = dim.hidden
            dim.max = dim.min


# --- PDF page -> small PNG --------------------------------------------------------------------


def page_pixels(pdf: Path, page: int, work: Path) -> np.ndarray:
    """Page `page` of `pdf` at DPI as an RGB array (pdftoppm writes a binary PPM)."""
    stem = work / f"page-{pdf.stem}"
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(DPI), "-singlefile", str(pdf), str(stem)], check=True)
    return read_ppm(stem.with_suffix(".ppm"))


def read_ppm(path: Path) -> np.ndarray:
    data = path.read_bytes()
    magic, width, height, maxval, pixels = data.split(maxsplit=4)
    if magic != b"P6" or maxval != b"255":
        raise ValueError(f"{path}: not an 8-bit binary PPM")
    w, h = int(width), int(height)
    return np.frombuffer(pixels, dtype=np.uint8, count=w * h * 3).reshape(h, w, 3)


def crop_to_ink(img: np.ndarray) -> np.ndarray:
    """The printed block plus a white margin; the page footer (bottom margin) left out."""
    body = img[: img.shape[0] - int(FOOTER_IN * DPI)]
    ys, xs = np.nonzero(body.min(axis=2) < 245)
    if len(xs) == 0:
        raise SystemExit("a rendered page is blank")
    y0, y1 = max(ys.min() - MARGIN_PX, 0), min(ys.max() + 1 + MARGIN_PX, img.shape[0])
    x0, x1 = max(xs.min() - MARGIN_PX, 0), min(xs.max() + 1 + MARGIN_PX, img.shape[1])
    return img[y0:y1, x0:x1]


def palette_png(img: np.ndarray, path: Path, colors: int = 64) -> Path:
    """Write an RGB array as an 8-bit palette PNG.

    Rendered sheets hold few colours: white, black, anti-aliased greys, a few fills and
    chart colours. Colours are binned to 4 bits a channel; the most frequent bins (plus
    16 greys for anti-aliased text) form the palette, every pixel takes the nearest entry.
    A quarter of the size of pdftoppm's own 24-bit PNG, with no visible change.
    """
    rgb = img.astype(np.int32)
    bins = (rgb[..., 0] >> 4) << 8 | (rgb[..., 1] >> 4) << 4 | (rgb[..., 2] >> 4)
    counts = np.bincount(bins.ravel(), minlength=4096)
    # the bin's mean colour, so a fill of (221, 235, 247) stays that colour
    sums = np.stack([np.bincount(bins.ravel(), weights=rgb[..., i].ravel(), minlength=4096) for i in range(3)], axis=1)
    means = sums / np.maximum(counts, 1)[:, None]
    greys = np.repeat(np.linspace(0, 255, 16)[:, None], 3, axis=1)
    frequent = [b for b in np.argsort(counts)[::-1][: colors * 3] if counts[b] > 0]
    palette = [tuple(g) for g in greys]
    for b in frequent:
        colour = tuple(np.round(means[b]))
        if colour not in palette:
            palette.append(colour)
        if len(palette) == 16 + colors:
            break
    pal = np.array(palette, dtype=np.float64)
    used = np.nonzero(counts)[0]
    centres = means[used]
    nearest = np.argmin(((centres[:, None, :] - pal[None, :, :]) ** 2).sum(axis=2), axis=1)
    lookup = np.zeros(4096, dtype=np.uint8)
    lookup[used] = nearest
    index = lookup[bins]
    h, w = index.shape
    raw = np.concatenate([np.zeros((h, 1), dtype=np.uint8), index], axis=1).tobytes()  # filter 0 per line

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0))
           + chunk(b"PLTE", np.clip(np.round(pal), 0, 255).astype(np.uint8).tobytes())
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    path.write_bytes(png)
    return path


# --- main ---------------------------------------------------------------------------------------


def make(out: Path, scratch: Path) -> list[Path]:
    demo = scratch / "示例"
    (scratch / "demo.txt").write_text(run_demo(demo), encoding="utf-8")
    month = demo / DEMO_MONTH
    checked = broken_copy(month, scratch / "改错示例" / DEMO_MONTH)
    recalc_src = sorted({month / s.book for s in SHOTS if s.recalc})
    calc = dict(zip(recalc_src, recalculate_many(recalc_src, scratch / "calc"), strict=True))
    sheets = scratch / "sheets"
    sheets.mkdir(exist_ok=True)
    jobs = [(s, calc.get(month / s.book, month / s.book)) for s in SHOTS] + [(CHECK_SHOT, checked)]
    singles = [one_sheet(src, s, sheets / f"{s.name}.xlsx") for s, src in jobs]
    pdfs = render_pdf_many(singles, scratch / "pdf")
    out.mkdir(parents=True, exist_ok=True)
    return [palette_png(crop_to_ink(page_pixels(pdf, 1, scratch)), out / f"{s.name}.png") for (s, _), pdf in zip(jobs, pdfs, strict=True)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the user guide's pictures (docs/img) from the demo month.")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="where the PNGs go (default docs/img)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the scratch folder (demo month, PDFs) here")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="xinao-shots-")) if args.keep is None else args.keep
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        written = make(args.out, scratch)
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)
    total = 0
    for path in written:
        total += path.stat().st_size
        print(f"{path}  {path.stat().st_size // 1024} KB")
    print(f"{len(written)} PNG, {total // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
