"""Text that looks like a formula is written as text (cells.put), and stays text on disk."""

from __future__ import annotations

import zipfile
from pathlib import Path

from openpyxl import Workbook, load_workbook

from xinao_xl.books.cells import FORMULA_LEADS, looks_like_formula, put, put_formula

# What staff and customers type, and what business-system exports hold.
HOSTILE = [
    '=HYPERLINK("http://x","点击")',
    "@SUM(1+1)",
    "+86 13812345678",
    "-1+1",
    "\t=1+2",
    "\r=1+2",
    "＝SUM(1,2)",
    "＋86 13812345678",
    "－1+1",
    "＠SUM(1+1)",
    "=cmd|' /C calc'!A0",
]


def test_every_lead_is_covered() -> None:
    assert {text[0] for text in HOSTILE} == set(FORMULA_LEADS)
    assert not looks_like_formula("东昌路1号") and not looks_like_formula(" =1")  # a leading space is text in Excel too


def test_hostile_text_is_a_string_cell_with_quote_prefix(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    for r, text in enumerate(HOSTILE, start=1):
        cell = put(ws, r, 1, text)
        assert cell.data_type == "s" and cell.quotePrefix
    put(ws, 1, 2, "普通文字")
    put_formula(ws, 1, 3, "=1+1")
    path = tmp_path / "t.xlsx"
    wb.save(path)

    ws = load_workbook(path).active
    for r, text in enumerate(HOSTILE, start=1):
        cell = ws.cell(row=r, column=1)
        # a carriage return survives as &#13; (openpyxl with lxml; the standard library's writer
        # left it bare, and XML reads a bare one as a line feed)
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert ws["B1"].quotePrefix is False and ws["C1"].data_type == "f"
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert xml.count("<f>") == 1  # only the formula we generated


def test_a_number_in_text_stays_text() -> None:
    ws = Workbook().active
    assert put(ws, 1, 1, "0635").value == "0635"
    assert put(ws, 1, 2, 1.5).data_type == "n"
