"""The 考核表's 汇入 sheet (books/imported.py): written by openpyxl, refreshed in place, read back.

The refresh writes into the staff's 考核表: only the 汇入 sheet's part may change (and
workbook.xml's request to recalculate on open); every other part keeps its compressed bytes.
The complaint rows are a block the refresh empties and writes anew, each cell in the look of
the first row, so fewer complaints than last time leave no old rows behind.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xinao_xl.books import assessment, imported
from xinao_xl.books.inplace import InPlaceRefusedError
from xinao_xl.books.read import BookReader, sheet_parts
from xinao_xl.books.save import history_versions, save_atomic
from xinao_xl.books.schema import NATIVE, UDF
from xinao_xl.books.zipparts import ZipParts
from xinao_xl.policy.rules import load_rules

RULES = load_rules()
LAYOUT = imported.Layout.of(RULES)
AS_OF = datetime(2026, 12, 3, 9, 0)


def complaint(n: int, dept: str = "客服部", **values: object) -> imported.ImportedComplaint:
    base = {"channel": "400", "level": "4级", "resp": "有责"}
    base.update(values)
    return imported.ImportedComplaint(f"TS{n:03d}", datetime(2026, 11, n, 9, 30), dept, **base)  # type: ignore[arg-type]


CALLBACKS = {b: {"维修": (18, 1), "零散": (3, 0)}.get(b, (0, 0)) for b in LAYOUT.businesses}  # every type, as the recount gives
LATE = {d: {"客服部": 2, "管网部": 1}.get(d, 0) for d in LAYOUT.departments}
IMPORTS = imported.Imports(AS_OF, CALLBACKS, LATE,
                           (complaint(1), complaint(2, "管网部", channel="95158", level=None, resp="否"),
                            complaint(3, level="=1+1"), complaint(4, level="二级", appeal="成立"), complaint(5, "计财部", level="五级")),
                           (imported.ImportedAdjustment("TS0931", "管网部", "2026-09", 15.0),))


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    """A blank 考核表 with what a department typed on its sheet."""
    wb = assessment.build_assessment("2026-11", RULES)
    wb["客服部"]["E3"] = 0.46
    return save_atomic(wb, tmp_path / "2026-11_服务绩效考核表.xlsx")


def _raw(package: ZipParts, name: str) -> bytes:
    m = next(m for m in package.members if m.name == name)
    return package.data[m.data_start:m.data_start + m.compressed]


def held(path: Path) -> imported.Imports | None:
    return imported.read_imports(BookReader(path).rows(imported.SHEET), RULES)


def test_a_blank_book_holds_blank_figures(book: Path) -> None:
    figures = held(book)
    assert figures is not None and figures.as_of is None and figures.complaints == ()
    assert set(figures.callbacks.values()) == {(0, 0)} and set(figures.late_flows.values()) == {0}


def test_the_refresh_changes_the_imports_sheet_only(book: Path) -> None:
    before = ZipParts(book.read_bytes())
    imported.refresh_in_place(book, IMPORTS, RULES, NATIVE)
    after = ZipParts(book.read_bytes())
    assert after.names == before.names
    changed = [n for n in before.names if before.read(n) != after.read(n)]
    # styles.xml: one style added, the complaint cell's look with Excel's quote prefix for the
    # text "=1+1"; openpyxl's workbook.xml asks for a recalculation on open already
    assert changed == [sheet_parts(book)[imported.SHEET], "xl/styles.xml"]
    for name in before.names:
        if name not in changed:
            assert _raw(after, name) == _raw(before, name), name
    assert len(history_versions(book)) == 1  # the previous file kept in 历史版本
    assert held(book) == IMPORTS  # read back as written (times, texts, blanks)
    assert load_workbook(book)["客服部"]["E3"].value == 0.46


def test_complaint_rows_are_values_and_formulas_in_the_first_rows_look(book: Path) -> None:
    imported.refresh_in_place(book, IMPORTS, RULES, NATIVE)
    ws = load_workbook(book)[imported.SHEET]
    first = LAYOUT.first_complaint_row
    third = first + 2
    assert ws[f"E{third}"].value == "=1+1" and ws[f"E{third}"].data_type == "s" and ws[f"E{third}"].quotePrefix  # text stays text
    assert ws[f"H{first}"].value.startswith("=IF(AND(E") and ws[f"I{first}"].value.startswith("=IF(AND(OR(NOT(")
    assert [ws[f"{col}{first}"].value for col in "KLMN"] == ["TS0931", "管网部", "2026-09", 15]  # the 申诉调整 beside
    for r in (first, first + 4):
        for col in "ABCDEFGHI":
            cell = ws[f"{col}{r}"]
            assert cell.border.left.style == "thin", f"{col}{r}"  # blanks too (the 95158 complaint has no level)
    assert ws[f"B{first}"].number_format == "yyyy-mm-dd hh:mm" and ws[f"H{first}"].number_format == "0.00"


def test_fewer_complaints_leave_no_old_rows(book: Path) -> None:
    imported.refresh_in_place(book, IMPORTS, RULES, NATIVE)
    fewer = imported.Imports(AS_OF, IMPORTS.callbacks, IMPORTS.late_flows, IMPORTS.complaints[:2])  # and no 申诉调整
    imported.refresh_in_place(book, fewer, RULES, NATIVE)
    assert held(book) == fewer
    ws = load_workbook(book)[imported.SHEET]
    row = LAYOUT.first_complaint_row + 2
    assert all(ws[f"{col}{row}"].value is None for col in "ABCDEFGHI")  # the third complaint's row is gone, formulas too
    assert all(ws[f"{col}{LAYOUT.first_complaint_row}"].value is None for col in "KLMN")
    none = imported.Imports(AS_OF, IMPORTS.callbacks, IMPORTS.late_flows, ())
    imported.refresh_in_place(book, none, RULES, NATIVE)
    assert held(book) == none
    imported.refresh_in_place(book, IMPORTS, RULES, NATIVE)  # the first row kept its look for the next refresh
    assert load_workbook(book)[imported.SHEET][f"A{LAYOUT.first_complaint_row}"].border.left.style == "thin"


def test_a_udf_book_gets_the_udf_formulas(tmp_path: Path) -> None:
    path = save_atomic(assessment.build_assessment("2026-11", RULES, UDF), tmp_path / "udf.xlsx")
    imported.refresh_in_place(path, IMPORTS, RULES, UDF)
    ws = load_workbook(path)[imported.SHEET]
    r = LAYOUT.first_complaint_row
    assert ws[f"H{r}"].value.startswith(f"=DEDUCT_COMPLAINT(E{r},D{r},IF(")  # the 申诉结果 first: 成立 is 无责


def test_differences_name_the_cells(book: Path) -> None:
    blank = held(book)
    assert blank is not None
    found = dict(imported.differences(blank, IMPORTS, RULES))
    维修, 零散 = LAYOUT.business_row("维修"), LAYOUT.business_row("零散")
    assert found[f"B{维修}"] == "维修回访 满意0/不满意0，台账现为 满意18/不满意1"
    assert f"B{零散}" in found and f"H{LAYOUT.department_row('客服部')}" in found
    assert found[f"A{LAYOUT.first_complaint_row}"] == "投诉 0 条，投诉台账现为 5 条（新增或改动 5 条）"
    assert found[f"K{LAYOUT.first_complaint_row}"] == "申诉调整 0 条，投诉台账现为 1 条"
    assert imported.differences(IMPORTS, IMPORTS, RULES) == []


def test_a_book_without_the_sheet_is_refused_and_left_alone(book: Path, tmp_path: Path) -> None:
    wb = load_workbook(book)
    del wb[imported.SHEET]
    old = save_atomic(wb, tmp_path / "old.xlsx")
    data = old.read_bytes()
    with pytest.raises(InPlaceRefusedError, match="没有“汇入”表"):
        imported.refresh_in_place(old, IMPORTS, RULES, NATIVE)
    assert old.read_bytes() == data


def test_the_rate_is_the_formulas_division() -> None:
    # 18 满意 of 19 valid callbacks: 94.7368…%, not the 94.74% a department types
    assert IMPORTS.rate("维修") == 18 / 19 and IMPORTS.rate("置换") is None


def test_recalculated_tells_a_refreshed_file_from_a_computed_one(book: Path) -> None:
    """The close's 核对 says 未核对 (not 不一致) while the 汇入 was refreshed and the 考核表 not yet
    computed again: 有效回访 (=满意+不满意) has no value until Excel computes it."""
    imported.refresh_in_place(book, IMPORTS, RULES, NATIVE)
    rows = BookReader(book).rows(imported.SHEET)
    assert imported.recalculated(rows, RULES) is False
    r = LAYOUT.first_row - 1
    rows[r] = [*rows[r][:3], 19.0, *rows[r][4:]]  # as a computed file holds it: 18 + 1
    assert imported.recalculated(rows, RULES) is True


def test_the_frozen_sheet_resolves_a_look_per_format_not_per_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """300 complaint rows × 9 cells are written in 9 number formats plus the frame's (int,
    percent, datetime): a look is resolved once per workbook and format, so the count stays
    the same whether a month has 3 or 300 complaints (it was one per cell: 0.9 s of a close)."""
    from xinao_xl.books.style import Look

    resolved = []
    real = Look._resolve
    monkeypatch.setattr(Look, "_resolve", lambda self, ws: resolved.append(self) or real(self, ws))

    def count(n: int) -> int:
        resolved.clear()
        wb = assessment.build_assessment("2026-11", RULES)
        resolved.clear()
        many = imported.Imports(AS_OF, CALLBACKS, LATE, tuple(complaint(1 + i % 28) for i in range(n)), ())
        imported.write_frozen(wb[imported.SHEET], many, RULES)
        return len(resolved)

    assert count(3) == count(300) <= 8
