"""Render a filled 考核表 department sheet and a 投诉台账 page to PDF and PNG, to look at.

    .venv/bin/python tools/render_pdf.py [OUT_DIR]      # default out/render (gitignored)

Why: a workbook that computes right can still print wrong (cut columns, unreadable
headers). This fills sample entries (tests/books/fill.py, fixed seed), recalculates in
LibreOffice, keeps one sheet with its computed values and formats, exports it to PDF with
LibreOffice and to PNG with pdftoppm, for a person to check on A4.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.books import fill  # noqa: E402
from tests.support.libreoffice import recalculate_many, render_pdf_many  # noqa: E402
from xinao_xl.books.assessment import build_assessment  # noqa: E402
from xinao_xl.books.complaint_ledger import LEDGER, build_complaint_ledger  # noqa: E402
from xinao_xl.books.save import save_atomic  # noqa: E402
from xinao_xl.policy import clock  # noqa: E402
from xinao_xl.policy.rules import load_rules  # noqa: E402

MONTH = "2026-10"


def single_sheet(src: Path, sheet: str, dst: Path, last_row: int | None = None) -> Path:
    """Keep one sheet of a recalculated workbook, values instead of formulas, formats kept."""
    wb = load_workbook(src, data_only=True)
    for name in wb.sheetnames:
        if name != sheet:
            del wb[name]
    for name in list(wb.defined_names.keys()):
        del wb.defined_names[name]
    ws = wb[sheet]
    ws.data_validations.dataValidation = []  # row heights stay the workbook's own (books.printing.fit_row)
    if last_row:
        ws.print_area = f"A1:{ws.cell(row=1, column=ws.max_column).column_letter}{last_row}"
    return save_atomic(wb, dst)


def main(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    rules = load_rules()
    rng = random.Random(7)
    src, calc = out / "src", out / "calc"
    src.mkdir(exist_ok=True)
    a = build_assessment(MONTH, rules)
    fill.fill_assessment(a, rules, rng, n_items=60)
    c = build_complaint_ledger(MONTH, rules)
    rows = fill.fill_complaints(c, rules, rng, clock.now(), n=40)
    pa = save_atomic(a, src / "考核表.xlsx")
    pc = save_atomic(c, src / "投诉台账.xlsx")
    done_a, done_c = recalculate_many([pa, pc], calc)
    dept = single_sheet(done_a, "客服部", out / "客服部.xlsx")
    summary = single_sheet(done_a, "汇总", out / "汇总.xlsx")
    ledger = single_sheet(done_c, LEDGER, out / "投诉台账.xlsx", last_row=2 + len(rows))
    pngs = []
    for pdf in render_pdf_many([dept, summary, ledger], out):
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(pdf.with_suffix(""))], check=True)
        pngs += sorted(out.glob(pdf.stem + "-*.png"))
    return pngs


if __name__ == "__main__":
    for png in main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "out" / "render"):
        print(png)
