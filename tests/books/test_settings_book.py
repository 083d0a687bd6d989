"""制度设置.xlsx (books/settings_book.py): every setting a row with the policy's words, read
back with the cell of each value, and a month's books refreshed from it."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xinao_xl.books import complaint_ledger
from xinao_xl.books.settings_book import (
    HEADERS,
    build_settings_book,
    ensure_settings_book,
    load_settings,
    month_rules,
    settings_path,
)
from xinao_xl.books.workbooks import refresh_books, write_books
from xinao_xl.policy.errors import SettingsError
from xinao_xl.policy.rules import load_rules
from xinao_xl.policy.settings import setting_params

RULES = load_rules()


def set_value(root: Path, label: str, value: object, since: object = None, *, new_row: bool = False) -> str:
    """Type the office's value for `label` (on its own row, or on a change row below); returns the value's cell."""
    path = settings_path(root)
    wb = load_workbook(path)
    ws = wb["制度设置"]
    rows = [r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == label]
    r = rows[0] if rows and not new_row else next(r for r in range(rows[-1] + 2, ws.max_row + 2) if r > 3 + len(setting_params(RULES)) and ws.cell(r, 1).value is None)
    ws.cell(r, 1).value = label
    ws.cell(r, 5).value = value
    ws.cell(r, 6).value = since
    wb.save(path)
    return f"E{r}"


def test_every_setting_is_a_row_with_the_policys_words(tmp_path: Path) -> None:
    wb = build_settings_book(RULES)
    assert wb.sheetnames == ["说明", "制度设置", "放假安排", "已确认年度"]
    ws = wb["制度设置"]
    assert tuple(c.value for c in ws[2]) == HEADERS
    rows = {ws.cell(r, 1).value: [c.value for c in ws[r]] for r in range(3, 3 + len(setting_params(RULES)))}
    assert set(rows) == {p.name for p in setting_params(RULES)} and len(rows) >= 40
    assert rows["无责投诉是否扣分"][3:7] == ["否", None, None, "本系统默认解读"]
    assert rows["E城平台综合上门及时率标准"][2] == "服务指标数据(E城平台)综合上门及时率50%(暂定)"
    assert rows["E城平台综合上门及时率标准"][3:7] == ["50%", None, None, "制度暂定"]
    assert rows["三级投诉每起扣分"][6] == "制度规定"
    # the ten open points of issue 15 are all there
    for label in ("无责的一、二级投诉是否定C级", "营业厅、加气站、收款室管理的计分", "其他比率类指标每低1个百分点扣分", "每项考核内容扣分上限（0为不封顶）",
                  "不足1个百分点（1分、1天）的计算", "车用燃气部客户回访满意度标准", "自然日时限是否计入起算当日", "自然日时限最后一日是休息日时是否顺延",
                  "兼职服务津贴所用得分上限（0为不封顶）", "附件3“3个内”的单位", "一周内回访过的客户是否一律不抽", "E城平台客户好评率标准",
                  "服务超时客户跟催次数（疑似重大）", "意见统计表、回访报告报送截止日（次月，之前）", "部门自评开始日（次月）"):
        assert label in rows, label
    assert ws["E3"].protection.locked is False and ws["A3"].protection.locked and ws.protection.sheet
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    row = 3 + [p.name for p in setting_params(RULES)].index("无责投诉是否扣分")
    assert lists[f"E{row}"] == '"是,否"'


def test_a_fresh_book_reads_as_no_settings_and_is_never_overwritten(tmp_path: Path) -> None:
    assert ensure_settings_book(tmp_path) == settings_path(tmp_path)
    settings = load_settings(tmp_path, RULES)
    assert settings.is_empty()
    before = settings_path(tmp_path).read_bytes()
    assert ensure_settings_book(tmp_path) is None and settings_path(tmp_path).read_bytes() == before
    assert month_rules(tmp_path, "2027-01").value("platform_visit_target") == 0.5


def test_values_typed_in_the_book_reach_the_months_rules(tmp_path: Path) -> None:
    ensure_settings_book(tmp_path)
    set_value(tmp_path, "E城平台综合上门及时率标准", 0.6, "2027-01")
    set_value(tmp_path, "无责投诉是否扣分", "是", datetime(2027, 3, 1), new_row=True)  # Excel made 2027-03 a date
    assert month_rules(tmp_path, "2026-12").value("platform_visit_target") == 0.5
    assert month_rules(tmp_path, "2027-01").value("platform_visit_target") == 0.6
    assert month_rules(tmp_path, "2027-02").value("no_fault_deducts") is False
    assert month_rules(tmp_path, "2027-03").value("no_fault_deducts") is True


def test_a_bad_value_names_the_file_sheet_and_cell(tmp_path: Path) -> None:
    ensure_settings_book(tmp_path)
    cell = set_value(tmp_path, "E城平台综合上门及时率标准", 1.5, "2027-01")  # 150%
    with pytest.raises(SettingsError, match=f"制度设置.xlsx 制度设置!{cell}：“E城平台综合上门及时率标准”的本单位取值“1.5”有误（比率应在 0% 到 100% 之间）"):
        month_rules(tmp_path, "2027-01")


def test_the_calendar_sheets_confirm_a_year(tmp_path: Path) -> None:
    ensure_settings_book(tmp_path)
    wb = load_workbook(settings_path(tmp_path))
    wb["放假安排"].append([date(2027, 1, 1), "休", "元旦", "国办发明电〔2026〕X号"])
    wb["已确认年度"]["A3"] = 2027
    wb.save(settings_path(tmp_path))
    calendar = month_rules(tmp_path, "2026-12").work_calendar
    assert calendar.knows(2027) and not calendar.is_workday(date(2027, 1, 1)) and calendar.is_workday(date(2027, 1, 4))


def test_refresh_writes_the_new_values_and_calendar_into_a_months_books(tmp_path: Path) -> None:
    paths = write_books(tmp_path / "2026-12", "2026-12")
    ledger = tmp_path / "2026-12" / "2026-12_客户投诉台账.xlsx"
    assert load_workbook(ledger)["工作日历"]["C368"].value == "未确认"  # 2027-01-01
    ensure_settings_book(tmp_path)
    set_value(tmp_path, "无责投诉是否扣分", "是")
    wb = load_workbook(settings_path(tmp_path))
    wb["放假安排"].append([date(2027, 1, 1), "休", "元旦", "国办发明电〔2026〕X号"])
    wb["已确认年度"]["A3"] = 2027
    wb.save(settings_path(tmp_path))
    before = {p.name: zipfile.ZipFile(p).read("xl/worksheets/sheet1.xml") for p in paths}
    done = {r.path.name: r for r in refresh_books(paths, month_rules(tmp_path, "2026-12"))}
    # in place: the sheets staff type in keep every byte (only 规则, 工作日历 and the recalculation flag change)
    assert all(zipfile.ZipFile(p).read("xl/worksheets/sheet1.xml") == before[p.name] for p in paths)
    assert done[ledger.name].values == ["无责投诉是否扣分"] and done[ledger.name].days == 365
    ws = load_workbook(ledger)["工作日历"]
    assert (ws["A368"].value.date(), ws["C368"].value, ws["D368"].value, ws["E368"].value) == (date(2027, 1, 1), "休息日", "元旦", "国办发明电〔2026〕X号")
    rules_ws = load_workbook(ledger)["规则"]
    row = next(r for r in range(3, rules_ws.max_row + 1) if rules_ws.cell(r, 1).value == "无责投诉是否扣分")
    assert rules_ws.cell(row, 2).value == "是" and rules_ws.cell(row, 5).value == "本单位"
    # nothing else changed in the ledger's table; a second refresh changes nothing
    assert load_workbook(ledger)[complaint_ledger.LEDGER].max_row == load_workbook(paths[3])[complaint_ledger.LEDGER].max_row
    assert not any(r.changed for r in refresh_books(paths, month_rules(tmp_path, "2026-12")))
