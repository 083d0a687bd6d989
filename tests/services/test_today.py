"""今日待办 (services/today.py) on the open month of tests/services/daily_month.py, seen on
Friday 2026-11-20 at 10:00: each kind of item with its cell and deadline as worked out by
hand there, most urgent first; the day's calls per business type; the reports and reviews
of the week; a quiet day; and the deadlines the same as the workbooks' own formulas compute.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.services import daily_month as D
from xinao_xl.books import callback_ledger, complaint_ledger
from xinao_xl.books.report import SHEET as REPORT_SHEET
from xinao_xl.policy import clock
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.close import close_month
from xinao_xl.services.new_month import create_month
from xinao_xl.services.report import make_report
from xinao_xl.services.today import QuotaRow, TodayError, due_list, left_text

CALLS = "2026-11_客户回访信息台账.xlsx"
COMPLAINTS = "2026-11_客户投诉台账.xlsx"


@pytest.fixture
def month(tmp_path: Path) -> Path:
    D.build(tmp_path)
    return tmp_path


def test_each_kind_with_its_cell_most_urgent_first(month: Path) -> None:
    due = due_list(month, D.NOW.date(), D.NOW)
    got = [(row[1], item.kind, item.workbook, item.sheet, item.cell) for item, row in zip(due.items, due.rows(), strict=True)]
    assert got == [
        ("—", "回访", CALLS, "台账", "K8"),  # GD06: no 完工日期, no deadline: first
        ("已超时 2天10小时", "回访", CALLS, "台账", "K6"),  # GD04: 11-14 + 3 = 11-17 24:00 → 11-20 10:00
        ("已超时 1天10小时", "投诉", COMPLAINTS, "投诉台账", "M7"),  # TS005 处理: 11-15 + 3 = 11-18 24:00
        ("已超时 10小时", "流转单", CALLS, "台账", "R10"),  # LZ002: 11-17 + 2 = 11-19 24:00
        ("剩 14小时", "投诉", COMPLAINTS, "投诉台账", "J3"),  # TS001 调查: 11-18 + 2 = 11-20 24:00
        ("剩 14小时", "投诉", COMPLAINTS, "投诉台账", "J4"),  # TS002 疑似重大 调查: 11-19 + 1
        ("剩 14小时", "投诉", COMPLAINTS, "投诉台账", "R5"),  # TS003 人工回访: 11-18 + 2
        ("剩 14小时", "投诉", COMPLAINTS, "投诉台账", "AM8"),  # TS006 申诉处理: Wed 18, Thu 19, Fri 20
        ("剩 14小时", "回访", CALLS, "台账", "K5"),  # GD03: 11-17 + 3 = 11-20 24:00
        ("剩 1天14小时", "流转单", CALLS, "台账", "R9"),  # LZ001: 11-19 + 2 = 11-21 24:00
        ("剩 1天14小时", "回访", CALLS, "台账", "K3"),  # GD01: 11-18 + 3 = 11-21 24:00
    ]
    assert due.items[1].due == datetime(2026, 11, 17, 23, 59, 59) and due.items[1].clause == "回访 五.2"
    assert due.overdue() == 3
    texts = [i.what for i in due.items]
    assert "TS001 客服部 调查取证反馈（一般投诉）" in texts[4] and "疑似重大" in texts[5] and "申诉处理" in texts[7]
    assert "LZ002 待市场工程部反馈" in texts[3]
    # left out: GD02 called, GD05 sampled for tomorrow, LZ003 answered, TS001/TS002 处理 due tomorrow, TS004 办结
    assert not [t for t in texts if any(k in t for k in ("GD02", "GD05", "LZ003", "TS004"))]
    assert not [i for i in due.items if i.cell in ("M3", "M4")]


def test_phones_are_masked_in_the_list(month: Path) -> None:
    text = due_list(month, D.NOW.date(), D.NOW).text()
    assert "139****0001" in text and "13900000001" not in text


def test_today_s_calls_per_business_type(month: Path) -> None:
    """维修: GD01 and GD02 sampled for 11-20, GD02 called → 1 of 2 left; 安检: GD03 → 1 of 1."""
    due = due_list(month, D.NOW.date(), D.NOW)
    assert due.quotas == [QuotaRow("维修", 2, 1), QuotaRow("安检", 1, 0)]
    assert due.quotas[0].left == 1
    assert "维修 剩 1/2，安检 剩 1/1" in due.quota_text()


def test_a_quiet_day(tmp_path: Path) -> None:
    create_month("2026-11", tmp_path)
    due = due_list(tmp_path, date(2026, 11, 10), datetime(2026, 11, 10, 9))
    assert due.items == [] and due.quotas == []
    assert "今日无待办" in due.head() and "没有回访日期为 2026-11-10 的抽样" in due.quota_text()


def test_no_month_folder_is_refused_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(TodayError, match="没有 2026-10 或 2026-11 的月份文件夹"):
        due_list(tmp_path, date(2026, 11, 10))


def test_another_day_counts_from_its_midnight(month: Path) -> None:
    """--date without a time: the time left is from 2026-11-21 00:00, so LZ001 (due 11-21
    24:00) has 1天 left and GD03 (due 11-20 24:00) has just expired."""
    due = due_list(month, date(2026, 11, 21))
    assert due.now == datetime(2026, 11, 21)
    left = {i.cell: row[1] for i, row in zip(due.items, due.rows(), strict=True) if i.workbook == CALLS}
    assert left["R9"] == "剩 1天" and left["K5"] == "已到期"


def test_the_report_and_reviews_of_the_week(month: Path) -> None:
    """Tuesday 12-01, November still open: the 意见统计表 and 回访报告 are due before the 5th
    (12-04 24:00), the 自评 and 审核 by the 6th (12-06 24:00)."""
    now = datetime(2026, 12, 1, 9, 0)
    due = due_list(month, now.date(), now)
    reports = [i for i in due.items if i.kind == "报送"]
    assert [(i.due, i.workbook, i.sheet, i.cell) for i in reports] == [
        (datetime(2026, 12, 4, 23, 59, 59), "2026-11_客户回访报告.xlsx", REPORT_SHEET, ""),  # not made yet
        # GD07, GD08, GD09 are 不满意 with a reason and not in the 意见统计表: its first row D3
        (datetime(2026, 12, 4, 23, 59, 59), "2026-11_客户回访意见统计表.xlsx", "意见统计表", "D3"),
    ]
    assert "尚未生成" in reports[0].what and "有 3 条" in reports[1].what
    reviews = [i for i in due.items if i.kind == "考核"]
    assert len(reviews) == 7 and {i.due for i in reviews} == {datetime(2026, 12, 6, 23, 59, 59)}
    assert (reviews[0].sheet, reviews[0].cell) == ("客服部", "E3") and "客服部自评" in reviews[0].what
    assert due_list(month, date(2026, 11, 27), datetime(2026, 11, 27, 9)).items[-1].kind != "报送"  # 12-04 is 8 days on


def test_the_report_item_follows_the_suggestion(month: Path) -> None:
    now = datetime(2026, 12, 1, 9, 0)
    path = make_report(D.MONTH, month, now=now)
    [item] = [i for i in due_list(month, now.date(), now).items if i.workbook == path.name]
    assert "整改建议尚未填写" in item.what and item.cell.startswith("A")
    wb = load_workbook(path)
    wb[REPORT_SHEET][item.cell] = "加强维修人员预约上门的培训"
    wb.save(path)
    assert not [i for i in due_list(month, now.date(), now).items if i.workbook == path.name]


def test_last_month_open_and_this_month_both_read(month: Path) -> None:
    """12-02: November not closed yet (its open items are still in its books), December's
    blank books there too: both are read. After the close November is left out: what was
    open went into December's books."""
    create_month("2026-12", month)
    now = datetime(2026, 12, 2, 9, 0)
    due = due_list(month, now.date(), now)
    assert due.months == ["2026-11", "2026-12"]
    assert any(i.cell == "R9" and i.workbook == CALLS for i in due.items)
    (month / "2026-12").rename(month / "12-blank")
    close_month(D.MONTH, month, force=True, reason="测试", now=now)
    after = due_list(month, now.date(), now)
    assert after.months == ["2026-12"]
    assert {i.workbook for i in after.items} <= {"2026-12_客户回访信息台账.xlsx", "2026-12_客户投诉台账.xlsx"}
    assert any("LZ001" in i.what for i in after.items)  # carried by the close, due 11-21: overdue


def test_left_text() -> None:
    now = datetime(2026, 11, 20, 10, 0)
    eod = datetime(2026, 11, 20, 23, 59, 59)  # 24:00
    assert left_text(eod, now) == "剩 14小时"
    assert left_text(eod, now.replace(minute=30)) == "剩 13小时30分"
    assert left_text(eod + timedelta(days=2), now) == "剩 2天14小时"
    assert left_text(datetime(2026, 11, 19, 23, 59, 59), now) == "已超时 10小时"
    assert left_text(eod, datetime(2026, 11, 21)) == "已到期"
    assert left_text(datetime(2026, 11, 20, 10, 5), now) == "剩 5分"
    assert left_text(None, now) == "—"


def test_the_day_is_beijing_s() -> None:
    """UTC + 8 hours, whatever zone the machine is set to."""
    beijing = datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=8)
    assert abs(clock.now() - beijing) < timedelta(seconds=5)


@pytest.mark.libreoffice
def test_deadlines_are_those_the_workbooks_compute(month: Path, tmp_path: Path, require_libreoffice: str) -> None:
    """One truth: each deadline the list gives is the one the ledger's own formula shows
    (反馈时限 of the 台账, 调查/处理/回访/申诉处理时限 of the 投诉台账), recalculated in LibreOffice."""
    from tests.support.libreoffice import recalculate_many

    folder = month / D.MONTH
    books = recalculate_many([folder / CALLS, folder / COMPLAINTS], tmp_path / "lo")
    calls = load_workbook(books[0], data_only=True)[callback_ledger.LEDGER]
    complaints = load_workbook(books[1], data_only=True)[complaint_ledger.LEDGER]
    # the cell to fill -> the formula's column: 反馈日期 R -> 反馈时限 T; a stage's 完成时间 ->
    # its 时限, 申诉结果 -> 申诉处理时限 (the 投诉台账's letters from its layout)
    spec = complaint_ledger.ledger_sheet(load_rules())
    due_column = {spec.letter(done): spec.letter(due) for due, _, done, _, _ in complaint_ledger.STAGE_COLUMNS.values() if done}
    due_column[spec.letter("appeal_result")] = spec.letter("appeal_handle_due")
    checked = 0
    for item in due_list(month, D.NOW.date(), D.NOW).items:
        row = int(item.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        if item.kind == "流转单":
            shown = calls[f"T{row}"].value
        elif item.kind == "投诉":
            shown = complaints[f"{due_column[item.cell.rstrip('0123456789')]}{row}"].value
        else:
            continue
        assert isinstance(shown, datetime), (item.cell, shown)
        assert abs(shown - item.due) < timedelta(seconds=1), (item.what, shown, item.due)
        checked += 1
    assert checked == 7  # 2 flow forms, 5 complaint stages


def test_after_the_audit_the_review_and_approval_are_due_on_the_summary(month: Path) -> None:
    """考核 5.3: once 客服部's 自评 and 审核 are typed, its item is the review and approval the
    汇总 records (审核人/审核日期, then 审批人/审批日期), due with the 审核 by the 6th."""
    from xinao_xl.books import assessment
    from xinao_xl.policy.rules import load_rules

    rules = load_rules()
    dept = next(d for d in rules.departments if d.name == "客服部")
    spec, summary = assessment.department_sheet(dept), assessment.summary_sheet(rules)
    path = month / D.MONTH / f"{D.MONTH}_服务绩效考核表.xlsx"
    wb = load_workbook(path)
    ws = wb[spec.name]
    for row in range(spec.first_row, spec.last_row + 1):  # every typed row: 自评 and 审核 alike
        for col in ("self", "audit"):
            cell = ws[f"{spec.letter(col)}{row}"]
            if cell.data_type != "f":
                cell.value = 1
    wb.save(path)
    now = datetime(2026, 12, 1, 9, 0)

    def kefu() -> list:
        return [i for i in due_list(month, now.date(), now).items if i.kind == "考核" and "客服部" in i.what]

    [item] = kefu()
    assert (item.sheet, item.cell) == ("汇总", f"{summary.letter('reviewer')}{summary.row_of('客服部')}")
    assert "审核、审批" in item.what and item.due == datetime(2026, 12, 6, 23, 59, 59) and item.clause == "考核 5.3"
    wb = load_workbook(path)
    row = summary.row_of("客服部")
    wb["汇总"][f"{summary.letter('reviewer')}{row}"] = "孙雪燕"
    wb["汇总"][f"{summary.letter('reviewed')}{row}"] = date(2026, 12, 4)
    wb.save(path)
    [item] = kefu()
    assert item.cell == f"{summary.letter('approver')}{row}" and "审批" in item.what and "审核" not in item.what.split("的")[1]
    wb = load_workbook(path)
    wb["汇总"][f"{summary.letter('approver')}{row}"] = "王主管"
    wb["汇总"][f"{summary.letter('approved')}{row}"] = date(2026, 12, 5)
    wb.save(path)
    assert kefu() == []
