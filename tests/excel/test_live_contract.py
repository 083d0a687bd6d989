"""The workbook port's contract, run against each adapter: files, the live adapter on a fake of
xlwings (here), and the live adapter on real Excel (Windows with Excel only: ``-m excel``).

Every test takes an `Adapter`: it opens a copy of a month's workbook as a port and can read
back what a cell holds afterwards, the way that adapter stores it.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.excel.fake_xlwings import FakeBook
from tests.services.month import build_month
from xinao_xl.books import callback_ledger, complaint_ledger
from xinao_xl.books.port import MARK_FILLS, FileBook, Formula
from xinao_xl.excel.live import MARK_TAG, MARKS_SHEET, LiveBook
from xinao_xl.policy.rules import load_rules

LEDGER = callback_ledger.ledger_sheet()
COMPLAINTS = complaint_ledger.ledger_sheet(load_rules())


@dataclass
class Adapter:
    port: Any
    readback: Callable[[str, str], tuple[Any, str | None, str | None]]  # value, fill hex, note


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_month(tmp_path_factory.mktemp("month"))


def _ledger(folder: Path) -> Path:
    return next(folder.glob(f"*{callback_ledger.STEM}*.xlsx"))


def _file_adapter(path: Path, tmp: Path) -> Iterator[Adapter]:
    book = FileBook(path)

    def readback(sheet: str, address: str) -> tuple[Any, str | None, str | None]:
        out = book.save(tmp / "out.xlsx")
        cell = load_workbook(out)[sheet][address]
        fill = str(cell.fill.fgColor.rgb)[-6:] if cell.fill.fill_type == "solid" else None
        return cell.value, fill, cell.comment.text if cell.comment else None

    yield Adapter(book, readback)


def _fake_adapter(path: Path, tmp: Path) -> Iterator[Adapter]:
    fake = FakeBook(path)
    live = LiveBook(fake)

    def readback(sheet: str, address: str) -> tuple[Any, str | None, str | None]:
        rng = fake.sheets[sheet].range(address)
        color = rng.color
        return rng._cell().value, ("{:02X}{:02X}{:02X}".format(*color) if color else None), rng.note.text if rng.note else None

    yield Adapter(live, readback)


def _excel_adapter(path: Path, tmp: Path) -> Iterator[Adapter]:  # pragma: no cover - Windows + Excel
    if not sys.platform.startswith("win"):
        pytest.skip("needs Excel on Windows (xlwings drives Excel through COM); run with -m excel there")
    import xlwings as xw

    app = xw.App(visible=False, add_book=False)
    book = app.books.open(str(path))
    live = LiveBook(book)

    def readback(sheet: str, address: str) -> tuple[Any, str | None, str | None]:
        rng = book.sheets[sheet].range(address)
        color = rng.color
        return rng.value, ("{:02X}{:02X}{:02X}".format(*color) if color else None), rng.note.text if rng.note else None

    try:
        yield Adapter(live, readback)
    finally:
        book.close()
        app.quit()


ADAPTERS = [
    pytest.param(_file_adapter, id="file"),
    pytest.param(_fake_adapter, id="live-fake"),
    pytest.param(_excel_adapter, id="live-excel", marks=pytest.mark.excel),
]


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest, month: Path, tmp_path: Path) -> Iterator[Adapter]:
    copy = tmp_path / _ledger(month).name
    shutil.copy(_ledger(month), copy)
    yield from request.param(copy, tmp_path)


def test_reads_the_ledger_as_the_file_reader_does(adapter: Adapter, month: Path) -> None:
    expected = FileBook(_ledger(month)).read_table(LEDGER)
    got = adapter.port.read_table(LEDGER)
    assert got.found and got.header_row == expected.header_row
    assert got.letters == expected.letters
    assert got.records() == expected.records()
    assert [(p.key, p.row) for p in got.problems] == [(p.key, p.row) for p in expected.problems]


def test_formula_cells_are_listed(adapter: Adapter, month: Path) -> None:
    expected = FileBook(_ledger(month)).read_formulas(LEDGER.name)
    assert expected, "the ledger has formula cells"
    assert adapter.port.read_formulas(LEDGER.name).keys() == expected.keys()


def test_text_is_written_as_text_and_formulas_as_formulas(adapter: Adapter) -> None:
    adapter.port.write_cells(LEDGER.name, {"Z3": "0635123", "Z4": "=1+1", "Z5": Formula("=1+1"), "Z6": 12.5})
    assert adapter.readback(LEDGER.name, "Z3")[0] == "0635123"
    assert adapter.readback(LEDGER.name, "Z4")[0] == "=1+1"  # text, shown as typed
    z5 = adapter.readback(LEDGER.name, "Z5")[0]
    assert z5 in ("=1+1", 2)  # the formula (file, fake) or its result (Excel)
    assert adapter.readback(LEDGER.name, "Z6")[0] == 12.5


def test_mark_fills_by_severity_and_adds_a_note(adapter: Adapter) -> None:
    adapter.port.mark_cell(LEDGER.name, "B3", "错误", "错误：回访日期早于完工日期")
    _, fill, note = adapter.readback(LEDGER.name, "B3")
    assert fill == MARK_FILLS["错误"]
    assert note is not None and "回访日期早于完工日期" in note


def test_put_sheet_adds_rows(adapter: Adapter) -> None:
    adapter.port.put_sheet("校验结果", [["级别", "说明"], ["错误", "=不是公式"]], (6, 40))
    assert "校验结果" in adapter.port.sheet_names()
    assert adapter.readback("校验结果", "B2")[0] == "=不是公式"


# --- the live adapter only: marks are ours to remove ---------------------------------------


@pytest.fixture(params=[pytest.param("fake", id="live-fake"), pytest.param("excel", id="live-excel", marks=pytest.mark.excel)])
def live(request: pytest.FixtureRequest, month: Path, tmp_path: Path) -> Iterator[Adapter]:
    if request.param == "excel":
        if not sys.platform.startswith("win"):
            pytest.skip("needs Excel on Windows (xlwings drives Excel through COM); run with -m excel there")
        factory = _excel_adapter
    else:
        factory = _fake_adapter
    copy = tmp_path / _ledger(month).name
    shutil.copy(_ledger(month), copy)
    yield from factory(copy, tmp_path)


def test_clear_marks_restores_fill_and_staff_notes(live: Adapter) -> None:
    port: LiveBook = live.port
    formula_cell = next(iter(port.read_formulas(LEDGER.name)))
    before = live.readback(LEDGER.name, formula_cell)
    port.book.sheets[LEDGER.name].range("C3").add_note("员工的批注")
    port.mark_cell(LEDGER.name, formula_cell, "警告", "警告：公式被改写")
    port.mark_cell(LEDGER.name, "C3", "错误", "错误：业务类型无效")
    port.mark_cell(LEDGER.name, "C3", "警告", "警告：第二条")
    assert MARKS_SHEET in [s.name for s in port.book.sheets]
    assert MARKS_SHEET not in port.sheet_names()
    c3 = live.readback(LEDGER.name, "C3")
    assert c3[2].startswith(MARK_TAG) and "第二条" in c3[2] and "员工的批注" in c3[2]

    assert port.clear_marks() == 2
    assert live.readback(LEDGER.name, formula_cell)[1:] == before[1:]
    assert live.readback(LEDGER.name, "C3")[1:] == (None, "员工的批注")
    assert MARKS_SHEET not in [s.name for s in port.book.sheets]
    assert port.clear_marks() == 0


def test_clear_marks_leaves_other_notes(live: Adapter) -> None:
    port: LiveBook = live.port
    port.book.sheets[LEDGER.name].range("D3").add_note("别人的批注")
    assert port.clear_marks() == 0
    assert live.readback(LEDGER.name, "D3")[2] == "别人的批注"


def test_complaint_ledger_reads_alike(month: Path) -> None:
    path = next(month.glob(f"*{complaint_ledger.STEM}*.xlsx"))
    assert LiveBook(FakeBook(path)).read_table(COMPLAINTS).records() == FileBook(path).read_table(COMPLAINTS).records()
