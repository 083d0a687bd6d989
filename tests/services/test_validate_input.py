"""Validation of what the bad-input corpus found unreported or unusable: merged cells among
the records, a work order or complaint entered twice, and a column of pasted noise (the
first findings listed, the rest counted at the header)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.corpus import staff as S
from xinao_xl.books.cells import put
from xinao_xl.books.port import ERROR, WARNING
from xinao_xl.services.validate import Finding, validate_month
from xinao_xl.services.validate_context import LISTED_PER_COLUMN

from .month import COMPLAINTS, LEDGER, MONTH, NOW, build_month

CB = f"{MONTH}_客户回访信息台账.xlsx"
TS = f"{MONTH}_客户投诉台账.xlsx"


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_month(tmp_path_factory.mktemp("clean"))


def broken(clean: Path, tmp_path: Path, make) -> list[Finding]:  # type: ignore[no-untyped-def]
    folder = tmp_path / MONTH
    shutil.copytree(clean, folder)
    make(folder)
    return validate_month(folder, now=NOW)


def test_merged_across_columns_is_an_error_down_a_column_a_warning(clean: Path, tmp_path: Path) -> None:
    findings = broken(clean, tmp_path, S.ledger_merged)
    across = [f for f in findings if f.cell == "E7"]
    down = [f for f in findings if f.cell == "A8"]
    assert [f.severity for f in across] == [ERROR] and "E7:G7" in across[0].message and "“客户电话”" in across[0].message
    assert [f.severity for f in down] == [WARNING] and "A8:A10" in down[0].message
    assert not [f for f in findings if f.cell in ("A9", "A10", "F7", "G7")]  # the merged cells read as their corner


def test_a_work_order_twice_names_the_first_row(clean: Path, tmp_path: Path) -> None:
    findings = broken(clean, tmp_path, S.ledger_duplicate_orders)
    assert [(f.workbook, f.cell) for f in findings if "已在第" in f.message] == [(CB, "C7"), (CB, "C9")]
    assert "已在第3行" in next(f.message for f in findings if f.cell == "C7")
    assert "已在第8行" in next(f.message for f in findings if f.cell == "C9")


def test_a_call_not_reached_may_be_dialled_again(clean: Path, tmp_path: Path) -> None:
    def make(folder: Path) -> None:
        S.edit(folder, S.CB, lambda wb: S._calls(wb, {7: {"order": "0101", "result": "未接通"}, 8: {"order": "0101"}}))
    assert not [f for f in broken(clean, tmp_path, make) if "已在第" in f.message]


def test_a_complaint_twice_for_one_department(clean: Path, tmp_path: Path) -> None:
    def make(folder: Path) -> None:
        def change(wb) -> None:  # type: ignore[no-untyped-def]
            ws = wb[COMPLAINTS.name]
            for r, dept in ((6, "客服部"), (7, "管网部"), (8, "客服部")):
                S.write_record(ws, COMPLAINTS, r, {**S.COMPLAINT, "dept": dept})
        S.edit(folder, S.TS, change)
    twice = [f for f in broken(clean, tmp_path, make) if "已在第" in f.message]
    assert [(f.workbook, f.cell, f.severity) for f in twice] == [(TS, "A8", ERROR)]  # TS101 for 管网部 is another row
    assert "已在第6行" in twice[0].message


def test_a_column_of_noise_lists_the_first_and_counts_the_rest(clean: Path, tmp_path: Path) -> None:
    """Bad results in every other row (a good one between: no run of consecutive rows)."""
    bad = LISTED_PER_COLUMN + 50

    def make(folder: Path) -> None:
        path = S.path_of(folder, S.CB)
        wb = load_workbook(path)
        ws = wb[LEDGER.name]
        for n in range(2 * bad):
            r = 7 + n
            S.write_record(ws, LEDGER, r, {**S.CALL, "order": f"N{r}", "phone": f"1370000{r:04d}"})
            if n % 2 == 0:
                put(ws, r, LEDGER.index("result"), "好")
        wb.save(path)
    findings = broken(clean, tmp_path, make)
    results = [f for f in findings if f.cell.startswith("K") and f.cell != "K2"]
    assert len(results) == LISTED_PER_COLUMN  # rows 7, 9, ..., 205
    assert results[0].cell == "K7" and results[-1].cell == f"K{7 + 2 * (LISTED_PER_COLUMN - 1)}"
    (summary,) = [f for f in findings if f.cell == "K2"]
    assert summary.severity == ERROR
    assert f"另有 {bad - LISTED_PER_COLUMN} 个错误" in summary.message  # 150 - 100 = 50
    assert f"第{7 + 2 * LISTED_PER_COLUMN}–{7 + 2 * (bad - 1)}行" in summary.message  # rows 207-305


def test_consecutive_rows_of_one_kind_are_one_finding_with_the_range(clean: Path, tmp_path: Path) -> None:
    """150 rows with the same bad 回访结果, one under the other: one line for K7:K156."""
    bad = LISTED_PER_COLUMN + 50

    def make(folder: Path) -> None:
        path = S.path_of(folder, S.CB)
        wb = load_workbook(path)
        ws = wb[LEDGER.name]
        for r in range(7, 7 + bad):
            S.write_record(ws, LEDGER, r, {**S.CALL, "order": f"N{r}", "phone": f"1370000{r:04d}"})
            put(ws, r, LEDGER.index("result"), "好")
        wb.save(path)
    findings = broken(clean, tmp_path, make)
    (results,) = [f for f in findings if f.cell.startswith("K")]
    assert results.cell == "K7:K156" and results.severity == ERROR  # 7 + 150 - 1 = 156
    assert results.message.startswith("第7–156行（共150行）：回访结果")
    assert "不在下拉列表中" in results.message
    assert results.cells()[:2] == ["K7", "K8"] and len(results.cells()) == 150
    from xinao_xl.services import validate

    path = validate.write_results(findings, validate.month_sources(tmp_path / MONTH)[0], month=MONTH)
    ws = load_workbook(path)[validate.RESULT_SHEET]
    (row,) = [r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=5).value == "K7:K156"]
    assert ws.cell(row=row, column=5).hyperlink.location == "'台账'!K7:K156"  # the link selects the rows


def test_the_results_hold_the_findings_not_a_copy_of_the_book(clean: Path, tmp_path: Path) -> None:
    """The results workbook is the findings table alone, whatever the size of the books (a
    marked copy of a 20,000-row 台账 took 20 s and was a second 台账 to type into)."""
    from xinao_xl.services import validate

    folder = tmp_path / MONTH
    shutil.copytree(clean, folder)
    S.ledger_blank_rows(folder)
    findings = validate_month(folder, now=NOW)
    sources = {S.CB: S.path_of(folder, S.CB)}
    path = validate.write_results(findings, sources, month=MONTH)
    wb = load_workbook(path)
    assert wb.sheetnames == [validate.RESULT_SHEET]
    row = [c.value for c in wb[validate.RESULT_SHEET][2]]
    assert row[2:5] == [CB, LEDGER.name, "K31"]
    link = wb[validate.RESULT_SHEET].cell(row=2, column=5).hyperlink
    assert (link.target, link.location) == (CB, "'台账'!K31")  # beside the book: its bare name


def test_two_kinds_one_after_the_other_are_two_ranges(clean: Path, tmp_path: Path) -> None:
    """Levels "4 级", "四级", "４级" (rows 6-8: spelled unlike the list) then "六级", "level 4",
    "0级" (rows 9-11: not levels): two findings, D9:D11 a 错误 (the 扣分 formula shows
    #无效级别) and D6:D8 a 警告 — since issue 12 the formulas read every spelling of the 规则
    sheet's level table as Python does, so rows 6-8 deduct alike in both (errors are listed
    first)."""
    findings = [f for f in broken(clean, tmp_path, S.complaint_levels) if f.cell.startswith("D")]
    assert [(f.cell, f.severity) for f in findings] == [("D9:D11", ERROR), ("D6:D8", WARNING)]
    assert "不在下拉列表中" in findings[0].message and "不是下拉列表中的写法" in findings[1].message


def test_the_close_preview_counts_each_row_of_a_range_finding() -> None:
    """validation's "K3:K82" is 80 callbacks to the preview (services/close_summary.py)."""
    from xinao_xl.services.close_summary import group_findings

    grouped = Finding(WARNING, CB, "台账", "K3:K82", "第3–82行（共80行）：回访结果尚未填写：回访后请填写回访结果")
    single = Finding(WARNING, CB, "台账", "K90", "回访结果尚未填写：回访后请填写回访结果")
    (g,) = group_findings([grouped, single])
    assert g.count == 81 and g.label == "回访结果尚未填写"  # 80 + 1
    assert g.cells[:2] == ["K3", "K4"] and "×81" in g.line()
    assert grouped.size == 80 and grouped.kind_message.startswith("回访结果尚未填写")


def test_only_the_appeal_result_the_formula_compares_with_must_be_spelled_as_listed(clean: Path, tmp_path: Path) -> None:
    """申诉结果: the 扣分 formula turns a complaint 无责 on "成立" alone. "成 立" reads as 成立 to
    Python but not to the formula: 错误. "驳回" reads as 不成立 to both: a 警告 (the spelling)."""
    def make(folder: Path) -> None:
        def change(wb) -> None:  # type: ignore[no-untyped-def]
            ws = wb[COMPLAINTS.name]
            for r, result in ((6, "成 立"), (7, "驳回")):
                S.write_record(ws, COMPLAINTS, r, {**S.COMPLAINT, "no": f"TS1{r:02d}", "resp": "有责", "reason": None,
                                                   "closed": datetime(2026, 11, 13, 9), "appeal_at": datetime(2026, 11, 14, 9)})
                put(ws, r, COMPLAINTS.index("appeal_result"), result)
        S.edit(folder, S.TS, change)
    letter = COMPLAINTS.letter("appeal_result")
    found = {f.cell: f for f in broken(clean, tmp_path, make) if f.cell.startswith(letter)}
    assert found[f"{letter}6"].severity == ERROR and "请改为“成立”" in found[f"{letter}6"].message
    assert found[f"{letter}7"].severity == WARNING and "请改为“不成立”" in found[f"{letter}7"].message
