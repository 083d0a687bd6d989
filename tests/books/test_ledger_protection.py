"""A clerk can delete, insert and sort rows of the protected ledgers — proved in LibreOffice's
own menu commands; what only Excel can show is said, not claimed.

Excel's rule (Protection.AllowDeletingRows / AllowSorting: "the rows containing the cells to
be deleted must be unlocked", "sorting can only be performed on unlocked cells") is the one
LibreOffice follows too: with the old protection (formula cells locked, rows not to be
inserted or deleted) every one of these commands did nothing. The ledgers now leave their
record rows unlocked (books/writer.py) and guard the formula cells against typing with a
validation instead; the form sheets keep the strict protection (the control below).
[仅 Excel] That Excel's own Delete, Insert and Sort commands follow the same rule is its
documentation's word; the checklist in the guide asks the office to try it once.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.services.month import build_month
from tests.support.lo_ui import row_operations
from tests.support.staff_edits import require_uno
from xinao_xl.books import assessment, callback_ledger, complaint_ledger
from xinao_xl.books.schema import TableSheet
from xinao_xl.books.workbooks import file_name
from xinao_xl.books.writer import write_record
from xinao_xl.policy.rules import load_rules

RULES = load_rules()
LEDGERS: list[tuple[str, TableSheet, str]] = [
    # workbook, ledger, the key column shown after each step
    (callback_ledger.STEM, callback_ledger.ledger_sheet(), "order"),
    (complaint_ledger.STEM, complaint_ledger.ledger_sheet(RULES), "no"),
    (assessment.STEM, assessment.items_sheet(RULES), "source"),
]


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand month, with two more 加减分明细 lines: since issue 12 complaints come from the
    汇入, so the sheet holds only MT01 and BY01, and after deleting row 4 one line could not
    show a sort. Row 5 (11-02) sorts last and row 6 (11-25) first, descending by date."""
    folder = build_month(tmp_path_factory.mktemp("rows"))
    path = folder / file_name(assessment.STEM, "2026-11")
    wb = load_workbook(path)
    items = assessment.items_sheet(RULES)
    write_record(wb[items.name], items, items.first_row + 2, {"date": date(2026, 11, 2), "dept": "计财部", "type": "手工扣分", "pin": 1, "source": "SG01"})
    write_record(wb[items.name], items, items.first_row + 3, {"date": date(2026, 11, 25), "dept": "客服部", "type": "表扬", "count": 1, "source": "BY02"})
    wb.save(path)
    return folder


def _row_of(formula: str) -> set[int]:
    """The rows a formula's relative references point at (D_… and P_… names aside)."""
    return {int(n) for n in re.findall(r"(?<![A-Z_$])[A-Z]{1,2}(\d+)", formula)}


@pytest.mark.parametrize(("stem", "spec", "key"), LEDGERS, ids=[s.name for _, s, _ in LEDGERS])
def test_rows_can_be_deleted_inserted_and_sorted(month: Path, stem: str, spec: TableSheet, key: str) -> None:
    require_uno()
    formula = spec.letter(spec.formula_columns[0].key)
    last = spec.letter(spec.columns[-1].key)
    got = row_operations(month / file_name(stem, "2026-11"), spec.name, spec.letter(key), formula, last)
    assert got["protected"]
    before = got["before"]["keys"]
    # delete row 4: row 5 moves up; every formula still points at its own row
    assert got["delete"]["keys"] == [before[0], *before[2:], ""]
    # insert a row at 4: an empty row (no formula yet: validation says to copy the one above)
    inserted = got["insert"]
    assert inserted["keys"][1] == "" and inserted["keys"][2:4] == got["delete"]["keys"][1:3]
    assert inserted["formulas"][1] == ""
    # sort descending by column A (the date, or the complaint number): rows move whole
    keys = got["sort"]["keys"]
    filled = [k for k in inserted["keys"] if k]
    assert keys != inserted["keys"] and sorted(k for k in keys if k) == sorted(filled)  # moved, none lost
    assert all(keys[:len(filled)]) and not any(keys[len(filled):])  # the empty rows sorted last
    for r, text in zip(range(3, 9), got["sort"]["formulas"], strict=True):
        assert not text or _row_of(text) == {r}, (r, text)
    guard = got["guard"]
    assert guard["type"] == "CUSTOM" and guard["formula"] in ("FALSE", "0") and guard["stop"]  # LibreOffice reads FALSE as 0
    assert "自动计算" in guard["message"]


def test_a_form_sheet_keeps_its_rows(month: Path) -> None:
    """The control: 汇总 (a form with locked formula cells) refuses the same commands."""
    require_uno()
    got = row_operations(month / file_name(assessment.STEM, "2026-11"), assessment.SUMMARY, "A", "D", "H")
    assert got["protected"]
    assert got["delete"]["keys"] == got["before"]["keys"] == got["sort"]["keys"]
