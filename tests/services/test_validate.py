"""Validation: each rule broken once in a small month, the finding at the right cell.

The broken month (tests/services/month.py) breaks every rule in its own row; one
validation run (module fixture) serves all the rule tests, so the suite stays quick.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from xinao_xl.books.port import ERROR, WARNING
from xinao_xl.cli import main
from xinao_xl.services.validate import (
    RESULT_SHEET,
    Finding,
    has_errors,
    mask_phone,
    month_sources,
    validate_month,
    write_results,
)

from .month import COMPLAINTS, ITEMS, LEDGER, MONTH, NOW, build_month, build_previous

CB = f"{MONTH}_客户回访信息台账.xlsx"
TS = f"{MONTH}_客户投诉台账.xlsx"
KH = f"{MONTH}_服务绩效考核表.xlsx"


@pytest.fixture(scope="module")
def broken_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("broken")
    build_month(root, broken=True)
    build_previous(root)
    return root


@pytest.fixture(scope="module")
def clean_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_month(tmp_path_factory.mktemp("clean"))


@pytest.fixture(scope="module")
def findings(broken_root: Path) -> list[Finding]:
    return validate_month(broken_root / MONTH, now=NOW)


def at(findings: list[Finding], workbook: str, sheet: str, cell: str) -> list[Finding]:
    return [f for f in findings if (f.workbook, f.sheet, f.cell) == (workbook, sheet, cell)]


def one(findings: list[Finding], workbook: str, sheet: str, cell: str, severity: str, words: str) -> Finding:
    hits = [f for f in at(findings, workbook, sheet, cell) if words in f.message]
    assert len(hits) == 1, (cell, words, at(findings, workbook, sheet, cell))
    assert hits[0].severity == severity
    return hits[0]


def test_letters_used_below_are_the_schema_columns() -> None:
    assert (LEDGER.letter("call_date"), LEDGER.letter("phone"), LEDGER.letter("result"), LEDGER.letter("flow"), LEDGER.letter("feedback_date"), LEDGER.letter("late")) == ("A", "F", "K", "O", "R", "U")
    # the 投诉台账's printed columns come first (issue 18: the rest to their right, off paper)
    assert (COMPLAINTS.letter("no"), COMPLAINTS.letter("handle_done"), COMPLAINTS.letter("resp"), COMPLAINTS.letter("reason")) == ("A", "M", "U", "V")
    assert (ITEMS.letter("level"), ITEMS.letter("pin"), ITEMS.letter("source")) == ("E", "H", "J")


def test_clean_month_has_no_findings(clean_folder: Path) -> None:
    assert validate_month(clean_folder, now=NOW) == []


# --- schema ----------------------------------------------------------------------------------


def test_schema_type_bad_date(findings: list[Finding]) -> None:
    f = one(findings, CB, "台账", "A12", ERROR, "“上周”不是日期")
    assert "2026-11-03" in f.message


def test_schema_dropdown_value(findings: list[Finding]) -> None:
    one(findings, CB, "台账", "K12", ERROR, "“很满意”不在下拉列表中")


def test_schema_dropdown_other_spelling_is_a_warning(findings: list[Finding]) -> None:
    one(findings, TS, "投诉台账", "V7", WARNING, "请改为“3.")


def test_schema_range_on_a_department_sheet(findings: list[Finding]) -> None:
    one(findings, KH, "客服部", "F3", ERROR, "96.5%")


def test_schema_date_order_callback_before_completion(findings: list[Finding]) -> None:
    one(findings, CB, "台账", "A11", ERROR, "回访日期（2026-11-02）早于完工日期（2026-11-04）")


# --- policy ----------------------------------------------------------------------------------


def test_callback_more_than_3_days_after_completion(findings: list[Finding]) -> None:
    one(findings, CB, "台账", "A7", WARNING, "晚7天")


def test_same_customer_within_7_days_masks_the_phone(findings: list[Finding]) -> None:
    f = one(findings, CB, "台账", "F8", WARNING, "台账第3行")
    assert "138****5678" in f.message and "13812345678" not in f.message


def test_same_customer_within_7_days_looks_into_last_month(findings: list[Finding]) -> None:
    one(findings, CB, "台账", "F13", WARNING, "上月台账第3行")


def test_unsatisfied_without_flow_form(findings: list[Finding]) -> None:
    one(findings, CB, "台账", "O9", ERROR, "须开具流转单")


def test_flow_form_without_feedback_past_deadline(findings: list[Finding]) -> None:
    one(findings, CB, "台账", "R10", WARNING, "2026-11-22 24:00")


def test_media_praise_outside_3_to_5(findings: list[Finding]) -> None:
    one(findings, KH, "加减分明细", "H5", ERROR, "填报分值为6分")


def test_complaint_stage_times_out_of_order(findings: list[Finding]) -> None:
    one(findings, TS, "投诉台账", "M6", ERROR, "早于调查完成时间")


def test_responsible_with_a_no_fault_reason(findings: list[Finding]) -> None:
    one(findings, TS, "投诉台账", "U7", ERROR, "附件2第3项")


# --- across workbooks ----------------------------------------------------------------------


def test_unsatisfied_callback_missing_from_opinions(findings: list[Finding]) -> None:
    one(findings, CB, "台账", "K9", ERROR, "意见统计表中没有")


def test_complaint_missing_from_items(findings: list[Finding]) -> None:
    one(findings, TS, "投诉台账", "A8", ERROR, "未登记在服务绩效考核表的加减分明细")


def test_last_months_complaint_is_not_required_in_items(findings: list[Finding]) -> None:
    assert at(findings, TS, "投诉台账", "A5") == []


def test_complaint_points_disagree(findings: list[Finding]) -> None:
    one(findings, KH, "加减分明细", "E3", ERROR, "扣20分，投诉台账为扣15分")


def test_item_complaint_not_in_ledger(findings: list[Finding]) -> None:
    one(findings, KH, "加减分明细", "J7", ERROR, "投诉台账中没有这个投诉单号")


# --- tampering -------------------------------------------------------------------------------


def test_formula_overwritten_in_a_ledger_row(findings: list[Finding]) -> None:
    f = one(findings, CB, "台账", "U3", ERROR, "公式被改写为“否”")
    assert "=IF(T3=" in f.message


def test_formula_overwritten_on_a_form_sheet(findings: list[Finding]) -> None:
    one(findings, KH, "汇总", "D3", ERROR, "公式被改写为“100”")


def test_nothing_else_is_reported(findings: list[Finding]) -> None:
    """Every finding of the broken month is one a test above expects."""
    expected = {
        (CB, "A7"), (CB, "F8"), (CB, "K9"), (CB, "O9"), (CB, "R10"), (CB, "A11"), (CB, "A12"), (CB, "K12"), (CB, "F13"), (CB, "U3"),
        (TS, "M6"), (TS, "U7"), (TS, "V7"), (TS, "A8"),
        (KH, "E3"), (KH, "H5"), (KH, "J7"), (KH, "F3"), (KH, "D3"),
    }
    assert {(f.workbook, f.cell) for f in findings} == expected
    assert has_errors(findings)


# --- output and CLI --------------------------------------------------------------------------


def test_results_go_to_a_copy_with_the_cells_marked(broken_root: Path, findings: list[Finding], tmp_path: Path) -> None:
    sources, month = month_sources(broken_root / MONTH)
    assert month == MONTH
    before = (broken_root / MONTH / CB).read_bytes()
    paths = write_results(findings, sources, tmp_path)
    assert sorted(p.name for p in paths) == sorted(f"{Path(n).stem}_{RESULT_SHEET}.xlsx" for n in (CB, TS, KH))
    assert (broken_root / MONTH / CB).read_bytes() == before
    wb = load_workbook(tmp_path / f"{Path(CB).stem}_{RESULT_SHEET}.xlsx")
    rows = list(wb[RESULT_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("序号", "级别", "工作簿", "工作表", "单元格", "说明")
    assert ("台账", "U3") in {(r[3], r[4]) for r in rows[1:]}
    assert wb["台账"]["U3"].comment is not None and "公式" in wb["台账"]["U3"].comment.text


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(13812345678.0) == "138****5678"
    assert mask_phone("0635-5086613") == "063****6613"


def test_cli_exit_codes(broken_root: Path, clean_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(clean_folder), "--now", "2026-12-01T10:00"]) == 0
    assert "共 0 个错误" in capsys.readouterr().out
    files = [str(broken_root / MONTH / n) for n in (CB, TS)]
    assert main(["validate", *files, "--previous", str(broken_root / "2026-10"), "--out", str(tmp_path), "--now", "2026-12-01T10:00"]) == 1
    out = capsys.readouterr().out
    assert "U3" in out and "137****0000" in out and "校验结果" in out
    bad = tmp_path / "2026-11_客户投诉台账.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main(["validate", str(bad)]) == 2
    assert "无法读取" in capsys.readouterr().err


def test_cli_refuses_an_open_workbook(clean_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = clean_folder / f".~lock.{CB}#"
    lock.write_bytes(b"")
    try:
        assert main(["validate", str(clean_folder)]) == 2
        assert "正在被" in capsys.readouterr().err
    finally:
        lock.unlink()
