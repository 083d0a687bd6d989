"""The UDF-variant workbooks computed by a third-party engine agree with LibreOffice's native ones.

Excel is not here, and LibreOffice cannot call our UDFs (they are VBA stubs into Python), so
the UDF variant (``xinao-xl new-month --formulas udf``) has no spreadsheet engine of its own
in the tests. The ``formulas`` package (PyPI; parses and computes Excel workbooks in Python)
does: each ``xinao_xl.excel.udfs`` function is registered as a ``formulas`` function, with
arguments passed as xlwings passes them (a cell as its value, an empty cell as None, a row or
column as a list, a block as a list of rows) and a datetime result returned as the serial
number Excel stores. One filled month (same seed, same entries) is written twice: native
formulas recalculated by LibreOffice, UDF formulas computed by ``formulas``; every formula
cell of every sheet must agree. This is the only arithmetic check of the UDF variant
without Excel.

Cost: ``formulas`` parses every formula cell (about 5 ms each) and a whole-column reference
makes it expand the column to 1 048 576 rows (8 s for one ``SUM(A:A)``); our workbooks have
none (`test_no_whole_column_or_row_references`), and the month here is written with
smaller templates (the row counts below, as many rows as the entries and a few blank ones)
so the whole check stays near half a minute.

The rules as in rules.toml: the UDFs read rules.toml, not the workbook's 规则 sheet (a
changed P_ value changes the native formulas only).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import formulas
import numpy as np
import pytest
import schedula
from formulas.functions import wrap_func
from openpyxl import load_workbook

from tests.books import fill
from tests.support.libreoffice import recalculate_many
from xinao_xl.books import assessment, callback_ledger, complaint_ledger, imported, opinions
from xinao_xl.books.save import save_atomic
from xinao_xl.books.schema import NATIVE, UDF
from xinao_xl.excel import udfs
from xinao_xl.policy.parse import datetime_to_excel_serial
from xinao_xl.policy.rules import load_rules

pytestmark = pytest.mark.libreoffice

SEED = 20261117
MONTH = "2026-10"
N_ITEMS, N_COMPLAINTS, N_CALLBACKS, N_OPINIONS = 60, 45, 70, 12
INVALID_LEVELS = ("六级", "0级")  # in no engine a level: #无效级别 (native) and #无效级别: 六级 (UDF)
SPARE = 3  # template rows after the entries (the invalid levels, then blank rows, compared too)
TOLERANCE = 1e-6  # 0.09 s for a date serial; scores are exact to far more


# --- our UDFs as formulas functions ---------------------------------------------------------


def _cell(value: Any) -> Any:
    if value is schedula.EMPTY:
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def xlwings_argument(value: Any) -> Any:
    """What xlwings hands a UDF for this formulas value: scalar, list (a row or a column) or rows."""
    if not isinstance(value, np.ndarray):
        return _cell(value)
    rows = [[_cell(v) for v in row] for row in np.atleast_2d(value).tolist()]
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    if len(rows) == 1:
        return rows[0]
    if all(len(row) == 1 for row in rows):
        return [row[0] for row in rows]
    return rows


def as_formulas_function(func: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        result = func(*(xlwings_argument(a) for a in args))
        return datetime_to_excel_serial(result) if isinstance(result, datetime | date) else result

    return wrap_func(call)


@pytest.fixture(scope="module")
def udf_engine() -> Iterator[dict[str, Any]]:
    """``formulas``' function table with our 17 UDFs added (removed afterwards)."""
    table = formulas.get_functions()
    added = {spec.name: as_formulas_function(getattr(udfs, spec.name)) for spec in udfs.UDF_SPECS}
    assert not set(added) & set(table), "a UDF name is a function formulas already knows"
    table.update(added)
    try:
        yield table
    finally:
        for name in added:
            table.pop(name, None)


def compute_with_formulas(path: Path) -> dict[tuple[str, str], Any]:
    """(sheet, cell) -> value of every cell ``formulas`` computed."""
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    out: dict[tuple[str, str], Any] = {}
    pattern = re.compile(r"^'\[[^\]]+\](.+)'!([A-Z]+[0-9]+)$")
    for ref, ranges in solution.items():
        match = pattern.match(ref)
        if match:
            out[(match.group(1).upper(), match.group(2))] = np.asarray(ranges.value)[0, 0]
    return out


# --- the month, written twice --------------------------------------------------------------


def write_month(folder: Path, style: str, now: datetime) -> dict[str, Path]:
    rules = load_rules()
    rng = random.Random(SEED)
    folder.mkdir()
    wb = assessment.build_assessment(MONTH, rules, style)
    # the 汇入's complaints end with levels no engine reads: a marker, totals still numbers
    fill.fill_assessment(wb, rules, rng, n_items=N_ITEMS, invalid_levels=INVALID_LEVELS, style=style)
    books = {"assessment": save_atomic(wb, folder / "考核表.xlsx")}
    wb = complaint_ledger.build_complaint_ledger(MONTH, rules, style)
    fill.fill_complaints(wb, rules, rng, now, n=N_COMPLAINTS)
    books["complaints"] = save_atomic(wb, folder / "投诉台账.xlsx")
    wb = callback_ledger.build_callback_ledger(MONTH, rules, style)
    fill.fill_callbacks(wb, rules, rng, now, n=N_CALLBACKS)
    books["callbacks"] = save_atomic(wb, folder / "回访台账.xlsx")
    wb = opinions.build_opinions(MONTH, rules, style)
    fill.fill_opinions(wb, rng, n=N_OPINIONS)
    books["opinions"] = save_atomic(wb, folder / "意见统计表.xlsx")
    return books


@pytest.fixture(scope="module")
def small_templates() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(assessment, "ITEM_ROWS", N_ITEMS + SPARE)
        mp.setattr(complaint_ledger, "LEDGER_ROWS", N_COMPLAINTS + SPARE)
        mp.setattr(callback_ledger, "LEDGER_ROWS", N_CALLBACKS + SPARE)
        mp.setattr(opinions, "ROWS", N_OPINIONS + SPARE)
        yield


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory, small_templates: None, udf_engine: dict[str, Any], require_libreoffice: str) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("udf_variant")
    now = datetime.now().replace(microsecond=0)
    native = write_month(tmp / "native", NATIVE, now)
    udf = write_month(tmp / "udf", UDF, now)
    started = time.monotonic()
    recalculated = dict(zip(native, recalculate_many(native.values(), tmp / "recalculated"), strict=True))
    lo_seconds = time.monotonic() - started
    started = time.monotonic()
    computed = {kind: compute_with_formulas(path) for kind, path in udf.items()}
    formulas_seconds = time.monotonic() - started
    if (datetime.now() + timedelta(seconds=2)).date() != now.date():
        pytest.skip("ran across midnight: NOW() differs by a day between the two engines")
    return {"native": native, "udf": udf, "recalculated": recalculated, "computed": computed,
            "seconds": (lo_seconds, formulas_seconds)}


# --- comparing ------------------------------------------------------------------------------


def canonical(value: Any) -> Any:
    """One form for both engines: "" for empty, error text, bool, float (dates as serials), str."""
    value = _cell(value)
    if value is None or value == "":
        return ""
    if type(value).__name__ == "XlError":
        return str(value)
    if isinstance(value, bool | str):
        return value
    if isinstance(value, datetime | date):
        return datetime_to_excel_serial(value)
    return float(value)


def same(udf_value: Any, native_value: Any) -> bool:
    """Equal; or a UDF's error text ``#code: detail`` where the native formula shows its short
    marker for the same case (``#无效级别: 六级`` and ``#无效级别``, ``#日历未确认: 2027年`` and
    ``日历未确认``): the UDF names the value, a native formula cannot."""
    a, b = udf_value, native_value
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))
    if isinstance(a, str) and isinstance(b, str) and a.startswith("#") and ": " in a:
        code = a.split(": ", 1)[0]
        return b in (code, code[1:])
    return type(a) is type(b) and a == b


UDF_CALL = re.compile(r"\b(" + "|".join(spec.name for spec in udfs.UDF_SPECS) + r")\(")


def compare(udf_book: Path, computed: dict[tuple[str, str], Any], native_recalculated: Path) -> tuple[list[str], int, int]:
    """Disagreements, formula cells compared, and UDF cells among them with a value."""
    formulas_wb = load_workbook(udf_book)
    lo = load_workbook(native_recalculated, data_only=True)
    problems, count, udf_cells = [], 0, 0
    for ws in formulas_wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                count += 1
                got = canonical(computed.get((ws.title.upper(), cell.coordinate), ""))
                want = canonical(lo[ws.title][cell.coordinate].value)
                if UDF_CALL.search(str(cell.value)) and got != "":
                    udf_cells += 1
                if not same(got, want):
                    problems.append(f"{udf_book.name} {ws.title}!{cell.coordinate}: formulas {got!r}, LibreOffice {want!r}  [{cell.value}]")
    return problems, count, udf_cells


def test_no_whole_column_or_row_references(month: dict[str, Any]) -> None:
    """A1:A-style references make formulas (and Excel) walk a million rows."""
    whole = re.compile(r"(?<![A-Za-z0-9_$])\$?[A-Z]{1,3}:\$?[A-Z]{1,3}(?![0-9A-Za-z_(])|(?<![A-Z$0-9])\$?[0-9]+:\$?[0-9]+(?![0-9])")
    for path in month["udf"].values():
        wb = load_workbook(path)
        names = [d.attr_text for d in wb.defined_names.values()]
        cells = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
        found = [f for f in names + cells if whole.search(re.sub(r'"[^"]*"', '""', str(f)))]
        assert found == [], f"{path.name}: {found[:3]}"
    assert whole.search("SUM(A:A)") and whole.search("SUM($1:$2)") and not whole.search("SUM(A1:A9)")


def test_formulas_with_our_udfs_agrees_with_libreoffice_native_cell_by_cell(month: dict[str, Any]) -> None:
    problems: list[str] = []
    total, with_udf = 0, 0
    for kind, udf_book in month["udf"].items():
        found, count, udf_cells = compare(udf_book, month["computed"][kind], month["recalculated"][kind])
        problems += found
        total += count
        with_udf += udf_cells
    lo_seconds, formulas_seconds = month["seconds"]
    print(f"UDF variant: {total} formula cells, {with_udf} computed by our UDFs; LibreOffice {lo_seconds:.1f} s, formulas {formulas_seconds:.1f} s")
    assert not problems, f"{len(problems)} of {total} cells disagree:\n" + "\n".join(problems[:25])
    assert total > 1500 and with_udf > 400


def test_a_udf_variant_formula_broken_on_purpose_disagrees(month: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison catches a wrong UDF formula: the 汇入 adding a complaint instead of deducting it."""
    right = imported.complaint_formulas

    def wrong(r: int, rules: Any, style: str) -> tuple[str, str]:
        points, grade = right(r, rules, style)
        return (points.replace("=DEDUCT_COMPLAINT(", "=-DEDUCT_COMPLAINT(") if style == UDF else points), grade

    monkeypatch.setattr(imported, "complaint_formulas", wrong)
    now = datetime.now().replace(microsecond=0)
    broken = write_month(tmp_path / "broken", UDF, now)["assessment"]
    problems, _, _ = compare(broken, compute_with_formulas(broken), month["recalculated"]["assessment"])
    assert any("汇入" in p for p in problems) and any("汇总" in p for p in problems)


def test_a_level_outside_the_list_shows_a_marker_and_the_totals_stay_numbers(month: dict[str, Any]) -> None:
    """Issue 17: 六级 among the complaints was #N/A (native) or #VALUE! (UDF), carried into 汇总;
    since issue 12 the complaints are the 汇入's rows."""
    rules = load_rules()
    summary = assessment.summary_sheet(rules)
    lay = imported.Layout.of(rules)
    lo = load_workbook(month["recalculated"]["assessment"], data_only=True)
    computed = month["computed"]["assessment"]
    held = lo[imported.SHEET]
    first_invalid = next(r for r in range(lay.first_complaint_row, lay.last_complaint_row) if str(held[f"A{r}"].value).startswith("TSX"))
    for i, level in enumerate(INVALID_LEVELS):
        cell = f"H{first_invalid + i}"  # 扣分 of the 汇入's complaint row
        assert lo[imported.SHEET][cell].value == "#无效级别"
        assert canonical(computed[(imported.SHEET.upper(), cell)]) == f"#无效级别: {level}"
        row = summary.row_of(rules.department_names[i])
        for col in "BCD":  # 扣分合计, 加分合计, 月度服务得分
            assert isinstance(lo[summary.name][f"{col}{row}"].value, int | float)
            assert isinstance(canonical(computed[(summary.name.upper(), f"{col}{row}")]), float)
