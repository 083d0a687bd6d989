"""Validation: each rule broken once in a small month, the finding at the right cell.

The broken month (tests/services/month.py) breaks every rule in its own row; one
validation run (module fixture) serves all the rule tests, so the suite stays quick.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

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
    assert (ITEMS.letter("type"), ITEMS.letter("pin"), ITEMS.letter("source")) == ("C", "E", "G")


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
    one(findings, KH, "加减分明细", "E3", ERROR, "填报分值为6分")


def test_complaint_stage_times_out_of_order(findings: list[Finding]) -> None:
    one(findings, TS, "投诉台账", "M6", ERROR, "早于调查完成时间")


def test_responsible_with_a_no_fault_reason(findings: list[Finding]) -> None:
    one(findings, TS, "投诉台账", "U7", ERROR, "附件2第3项")


# --- across workbooks ----------------------------------------------------------------------


def test_unsatisfied_callback_missing_from_opinions(findings: list[Finding]) -> None:
    one(findings, CB, "台账", "K9", ERROR, "意见统计表中没有")


def test_last_months_complaint_is_not_reported(findings: list[Finding]) -> None:
    assert at(findings, TS, "投诉台账", "A5") == []


def test_a_complaint_typed_in_items_again_is_an_error(findings: list[Finding]) -> None:
    # complaints reach the 考核表 through the 汇入 (issue 12): typed here, it would count twice
    f = one(findings, KH, "加减分明细", "C5", WARNING, "投诉不在加减分明细登记")  # not scored: a warning
    assert "汇入" in f.message and "投诉台账" in f.message


def test_imports_older_than_the_ledgers_say_so_at_their_cells(findings: list[Finding]) -> None:
    # the broken month's 汇入 was never refreshed: 维修 (row 5), 置换 (6) and 安检 (7) have
    # callbacks in the 台账 (维修: 满意 in rows 3, 7, 8, 10, 11, 13, 14 ("满 意", read as 满意),
    # 15, 16 = 9, 不满意 in row 9 = 1; row 12's date does not read), and the 投诉台账 has 6
    # complaints of the month (TS001, TS002, TS004-TS007; TS003 is October's), first row 14
    for cell, words in (("B5", "维修回访 满意0/不满意0，台账现为 满意9/不满意1"), ("B6", "置换回访"), ("B7", "安检回访"),
                        ("A14", "投诉 0 条，投诉台账现为 6 条")):
        f = one(findings, KH, "汇入", cell, WARNING, words)
        assert "汇入早于台账" in f.message and "刷新汇入" in f.message and "xinao-xl refresh 2026-11" in f.message


# --- tampering -------------------------------------------------------------------------------


def test_formula_overwritten_in_a_ledger_row(findings: list[Finding]) -> None:
    """Restored by copying the neighbouring row's cell (row 3 is the first: the row below),
    not by retyping a formula the message would have to spell out (issue 14, item 6)."""
    f = one(findings, CB, "台账", "U3", ERROR, "公式被改写为“否”")
    assert "从下一行复制" in f.message
    assert "=" not in f.message and "IF(" not in f.message


def test_formula_overwritten_on_a_form_sheet(findings: list[Finding]) -> None:
    f = one(findings, KH, "汇总", "D3", ERROR, "公式被改写为“100”")
    assert "空白模板“服务绩效考核表.xlsx”" in f.message and "D3 单元格" in f.message
    assert "=" not in f.message and "P_" not in f.message


# --- what the workbook cannot compute with (issue 14, item 5) ------------------------------------


def test_a_text_date_is_an_error_with_the_forms_excel_reads(findings: list[Finding]) -> None:
    """"2026.11.13" reads as a date to Python but is text to the workbook."""
    f = one(findings, CB, "台账", "A14", ERROR, "回访日期“2026.11.13”是文字，不是日期")
    assert "请删除后重新输入 2026-11-13" in f.message and "2026/11/3" in f.message


def test_a_text_datetime_is_an_error_with_the_moment_to_type(findings: list[Finding]) -> None:
    f = one(findings, TS, "投诉台账", "B9", ERROR, "受理时间“2026年11月21日14:55”是文字，不是日期")
    assert "请删除后重新输入 2026-11-21 14:55" in f.message


def test_a_count_stored_as_text_is_an_error(findings: list[Finding]) -> None:
    """"3天" in 数量: the 分值 formula shows #VALUE!, Python would read 3."""
    one(findings, KH, "加减分明细", "D9", ERROR, "数量“3天”是文字，不是数字：")


def test_a_level_spelled_unlike_the_list_is_a_warning(findings: list[Finding]) -> None:
    """"二级投诉": the 扣分 formula reads it as Python does (the 规则 sheet's spellings of a
    level, issue 12), so it scores the same everywhere; the dropdown's spelling is asked for."""
    f = one(findings, TS, "投诉台账", "D9", WARNING, "投诉级别“二级投诉”不是下拉列表中的写法")
    assert "请改为“2级”" in f.message


def test_a_result_with_a_space_is_an_error(findings: list[Finding]) -> None:
    """"满 意": 统计's COUNTIFS does not count it, Python's reading does."""
    f = one(findings, CB, "台账", "K14", ERROR, "回访结果“满 意”不是下拉列表中的写法")
    assert "请改为“满意”" in f.message


def test_a_phone_of_ten_digits_is_an_error(findings: list[Finding]) -> None:
    f = one(findings, CB, "台账", "F15", ERROR, "客户电话是10位数字，不是有效的电话号码")
    assert "1390000001" not in f.message  # a customer's number, even a broken one, is not repeated


def test_a_missing_name_and_phone_are_warnings(findings: list[Finding]) -> None:
    one(findings, CB, "台账", "E16", WARNING, "缺少客户姓名")
    one(findings, CB, "台账", "F16", WARNING, "缺少客户电话")


def test_nothing_else_is_reported(findings: list[Finding]) -> None:
    """Every finding of the broken month is one a test above expects."""
    expected = {
        (CB, "A7"), (CB, "F8"), (CB, "K9"), (CB, "O9"), (CB, "R10"), (CB, "A11"), (CB, "A12"), (CB, "K12"), (CB, "F13"), (CB, "U3"),
        (CB, "A14"), (CB, "K14"), (CB, "F15"), (CB, "E16"), (CB, "F16"),
        (TS, "M6"), (TS, "U7"), (TS, "V7"), (TS, "B9"), (TS, "D9"),
        (KH, "E3"), (KH, "C5"), (KH, "F3"), (KH, "D3"), (KH, "D9"), (KH, "B5"), (KH, "B6"), (KH, "B7"), (KH, "A14"),
    }
    assert {(f.workbook, f.cell) for f in findings} == expected
    assert has_errors(findings)


# --- output and CLI --------------------------------------------------------------------------


def link_target(results: Path, cell: Any) -> tuple[Path, str, str]:
    """(workbook, sheet, cell or range) a link of the results workbook opens."""
    assert cell.hyperlink is not None, cell.coordinate
    target = (results.parent / cell.hyperlink.target).resolve()
    sheet, _, address = (cell.hyperlink.location or "").rpartition("!")
    return target, sheet.strip("'").replace("''", "'"), address


def test_results_are_one_workbook_of_links_to_the_cells(broken_root: Path, findings: list[Finding], tmp_path: Path) -> None:
    """One 校验结果 workbook (not marked copies of the books); each finding's 单元格 links to
    the workbook it is about, by a path relative to the results, at the sheet and cell."""
    sources, month = month_sources(broken_root / MONTH)
    assert month == MONTH
    before = {p: p.read_bytes() for p in sources.values()}
    out = tmp_path / "elsewhere"
    path = write_results(findings, sources, out, month)
    assert path == out / f"{MONTH}_{RESULT_SHEET}.xlsx" and sorted(p.name for p in out.iterdir()) == [path.name]
    assert {p: p.read_bytes() for p in sources.values()} == before  # the books are only read
    wb = load_workbook(path)
    assert wb.sheetnames == [RESULT_SHEET]
    ws = wb[RESULT_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("序号", "级别", "工作簿", "工作表", "单元格", "说明")
    assert len(rows) == len(findings) + 1
    linked = 0
    for r, f in enumerate(findings, start=2):
        cell = ws.cell(row=r, column=5)
        assert cell.value == f.cell
        if not f.cell:
            continue
        target, sheet, address = link_target(path, cell)
        assert not cell.hyperlink.target.startswith("/") and "\\" not in cell.hyperlink.target  # relative, portable
        assert target == sources_by_name(sources)[f.workbook].resolve()
        book = load_workbook(target, read_only=True)
        assert sheet == f.sheet and sheet in book.sheetnames
        assert address == f.cell
        linked += 1
    assert linked >= 25


def sources_by_name(sources: dict[str, Path]) -> dict[str, Path]:
    return {p.name: p for p in sources.values()}


def test_results_replace_the_last_run_and_say_when_all_is_well(clean_folder: Path) -> None:
    sources, month = month_sources(clean_folder)
    first = write_results([Finding(ERROR, CB, "台账", "A3", "旧的")], sources, month=month)
    again = write_results([], sources, month=month)
    assert first == again == clean_folder / f"{MONTH}_{RESULT_SHEET}.xlsx"
    rows = list(load_workbook(again)[RESULT_SHEET].iter_rows(values_only=True))
    assert rows[1][-1] == "未发现问题" and len(rows) == 2
    assert not (clean_folder / "历史版本").exists()  # made again by every run: no kept versions
    assert month_sources(clean_folder)[0] == sources  # not taken for a workbook of the month
    again.unlink()


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


def test_a_message_asks_to_delete_a_row_only_where_rows_can_be_deleted(broken_root: Path, findings: list[Finding]) -> None:
    """"请删除本行" on a sheet protected against deleting rows was advice nobody could follow;
    the ledgers let rows be deleted (tests/books/test_ledger_protection.py shows it works)."""
    asking = [f for f in findings if "删除本行" in f.message or "删除重复的一行" in f.message]
    assert asking
    for f in asking:
        ws = load_workbook(broken_root / MONTH / f.workbook)[f.sheet]
        assert ws.protection.sheet and ws.protection.deleteRows is False, (f.sheet, f.cell)


@pytest.mark.libreoffice
def test_libreoffice_follows_each_link_to_its_cell(broken_root: Path, findings: list[Finding], tmp_path: Path) -> None:
    """Opened in LibreOffice, each link of the 校验结果 opens its workbook (the relative path
    resolved from the results' folder) with the finding's cell or rows selected.
    [仅 Excel] Excel reads the same hyperlink parts (target file, location); not run here."""
    from tests.support.lo_ui import hyperlinks
    from tests.support.uno_run import require_uno

    require_uno()
    sources, month = month_sources(broken_root / MONTH)
    path = write_results(findings, sources, tmp_path / "results", month)
    got = hyperlinks(path, 4, len(findings), follow=True)
    with_cells = [f for f in findings if f.cell]
    assert len(got["followed"]) == len(with_cells)
    for f, (url, selected) in zip(with_cells, got["followed"], strict=True):
        assert url.startswith((broken_root / MONTH).resolve().as_uri().rsplit("/", 1)[0])
        first, _, last = f.cell.partition(":")
        expected = "$" + f.sheet + "." + "".join(f"${part}" for part in re.findall(r"[A-Z]+|\d+", first))
        if last:
            expected += ":" + "".join(f"${part}" for part in re.findall(r"[A-Z]+|\d+", last))
        assert selected == expected, (f.cell, url, selected)


def test_template_formulas_from_one_row_ledgers_equal_the_full_templates() -> None:
    """Validation reads the form sheets' formulas from a template whose ledgers have one row
    (`writer.one_row_tables`): for every workbook, sheet for sheet and cell for cell, they are
    the formulas of the full template (the 3,000-row 台账 included in the build)."""
    from xinao_xl.books.workbooks import BOOKS, LEDGER_SHEETS
    from xinao_xl.policy.rules import load_rules
    from xinao_xl.services.validate_schema import template_formulas

    rules = load_rules()
    compared = 0
    for stem, build in BOOKS:
        full = {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.data_type == "f"}
                for ws in build(None, rules).worksheets if ws.title not in LEDGER_SHEETS}
        assert template_formulas(stem, rules) == {k: v for k, v in full.items() if v}, stem
        compared += sum(map(len, full.values()))
    assert compared > 100  # 统计, 抽样, 完工量, 汇总, the departments' sheets …
