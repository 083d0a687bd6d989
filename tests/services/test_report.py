"""The report and flow-form services on a hand-typed month: 附件5 figures from the 台账 and
完工量, problem types by department, phones masked."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.support.snapshot import snapshot, snapshot_diff
from xinao_xl.books.report import DETAIL, MASKED, NO_PEOPLE, SHEET
from xinao_xl.services.close import close_month
from xinao_xl.services.flow_forms import make_flow_forms
from xinao_xl.services.report import make_report

from . import hand_month as H


def test_report_figures_and_masked_phones(tmp_path: Path) -> None:
    H.build(tmp_path)
    wb = load_workbook(make_report(H.MONTH, tmp_path, now=H.NOW))
    ws = wb[SHEET]
    rows = {ws.cell(row=r, column=1).value: [ws.cell(row=r, column=c).value for c in range(2, 9)] for r in range(5, 13)}
    # 零散: 完工量 20 + 5 (table order) = 25; 5 valid calls, 4 满意, 1 不满意
    assert rows["零散"] == [25, 5, 0.2, 4, 0.8, 1, 0.2]
    # 维修: 完工量 20; 3 满意 (未接通 not a valid callback)
    assert rows["维修"] == [20, 3, 0.15, 3, 1.0, 0, 0.0]
    assert rows["合计"][1:] == pytest.approx([10, 10 / sum(20 + n for n in range(7)), 7, 0.7, 3, 0.3])
    problems = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(15, 22)}
    assert problems[H.EQ_REASON] == 1 and problems["停气通知不到位"] == 1
    detail = [[c.value for c in row] for row in wb[DETAIL].iter_rows(min_row=2)]
    phones = [r[3] for r in detail]
    assert sorted(phones) == ["139****0005", "139****0010", "139****0011"]
    everything = [str(c.value) for s in wb.worksheets for row in s.iter_rows() for c in row]
    assert not any("1390000" in v for v in everything)


def test_a_phone_inside_a_reason_is_masked_in_the_report(tmp_path: Path) -> None:
    """Reports mask phone numbers, also one typed inside a 不满原因 ("服务态度差，请回电
    13987654321"): 不满意明细 and 问题统计 show 139****4321 (first 3 and last 4 digits
    kept), no cell of the report holds the full number; the shared report masks it too."""
    H.build(tmp_path)
    ledger = next((tmp_path / H.MONTH).glob("*客户回访信息台账.xlsx"))
    wb = load_workbook(ledger)
    ws = wb["台账"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "服务态度差")
    cell.value = "服务态度差，请回电13987654321"
    wb.save(ledger)
    for people in (MASKED, NO_PEOPLE):
        report = load_workbook(make_report(H.MONTH, tmp_path, people=people, now=H.NOW))
        texts = [str(c.value) for s in report.worksheets for row in s.iter_rows() for c in row if c.value is not None]
        assert not any("13987654321" in t for t in texts), people
        assert "服务态度差，请回电139****4321" in [c.value for row in report[DETAIL].iter_rows() for c in row], people
        assert "服务态度差，请回电139****4321" in [c.value for row in report[SHEET].iter_rows() for c in row], people


def test_flow_forms_for_flagged_callbacks(tmp_path: Path) -> None:
    H.build(tmp_path)
    wb = load_workbook(make_flow_forms(H.MONTH, tmp_path, now=H.NOW).path)
    assert sorted(wb.sheetnames) == ["LZ001", "LZ002", "LZ003"]


@pytest.mark.parametrize("people", [MASKED, NO_PEOPLE])
def test_the_report_button_writes_the_close_s_report(tmp_path: Path, people: str) -> None:
    """One report path: before the close, the 生成回访报告 button (and `report --callbacks`)
    writes cell by cell the report the close then writes, file properties included, in the
    masked and in the shared (--share) version."""
    button, closing = tmp_path / "button", tmp_path / "close"
    H.build(button)
    H.build(closing)
    made = make_report(H.MONTH, button, people, now=H.NOW)
    closed = close_month(H.MONTH, closing, now=H.NOW, people=people).outputs["回访报告"]
    assert made.relative_to(button) == closed.relative_to(closing)
    assert snapshot_diff(snapshot(closed), snapshot(made)) == []
    assert snapshot(made)["creator"] == "xinao-xl"


SUGGESTION = "1. 维修人员上门前电话预约；\n2. =流转单两日内反馈，超时通报"


def _type_suggestion(path: Path, text: str) -> str:
    """Staff type 整改建议 into the report's text area (the cell under the heading's hint)."""
    wb = load_workbook(path)
    ws = wb[SHEET]
    heading = next(c for c in ws["A"] if c.value == "三、整改建议")
    cell = ws.cell(row=heading.row + 2, column=1)
    cell.value = text
    cell.data_type = "s"  # typed as text: a line starting with = stays text
    wb.save(path)
    return cell.coordinate


def test_the_suggestion_typed_into_the_report_is_kept_when_it_is_made_again(tmp_path: Path) -> None:
    """Issue 14: the button's report completed by hand before the 5th, then the close makes
    the report again: the words are still there (they were silently replaced)."""
    H.build(tmp_path)
    path = make_report(H.MONTH, tmp_path, now=H.NOW)
    cell = _type_suggestion(path, SUGGESTION)
    again = make_report(H.MONTH, tmp_path, now=H.NOW)  # the button again
    assert load_workbook(again)[SHEET][cell].value == SUGGESTION
    closed = close_month(H.MONTH, tmp_path, now=H.NOW).outputs["回访报告"]
    assert closed == path
    ws = load_workbook(closed)[SHEET]
    assert ws[cell].value == SUGGESTION and ws[cell].data_type == "s"  # text, never a formula
    assert (tmp_path / H.MONTH / "结账" / "历史版本").is_dir()  # the replaced report kept as well


def test_a_blank_report_stays_blank_and_the_shared_one_loses_customers(tmp_path: Path) -> None:
    H.build(tmp_path)
    path = make_report(H.MONTH, tmp_path, now=H.NOW)
    heading = next(c for c in load_workbook(path)[SHEET]["A"] if c.value == "三、整改建议")
    assert load_workbook(make_report(H.MONTH, tmp_path, now=H.NOW))[SHEET].cell(row=heading.row + 2, column=1).value is None
    cell = _type_suggestion(path, "客户10（13900000010）反映停气通知不到位，建议提前三天通知")
    shared = load_workbook(make_report(H.MONTH, tmp_path, NO_PEOPLE, now=H.NOW))[SHEET][cell].value
    assert shared == "***（***）反映停气通知不到位，建议提前三天通知"  # the month's name and phone both out


def test_a_closed_month_s_report_made_again_is_the_close_s(tmp_path: Path) -> None:
    """`report --month` on a closed month, days later: as of the close (the 结账记录's time),
    so the file is the one the close wrote, cell for cell. Closed on 11-29, LZ002 (流转
    11-28 15:00, due 11-30 24:00, no feedback) is 未反馈 in both, not judged again today."""
    from datetime import datetime

    H.build(tmp_path)
    closed = close_month(H.MONTH, tmp_path, now=datetime(2026, 11, 29, 9), force=True, reason="月底前试结账").outputs["回访报告"]
    statuses = [r[-1] for r in load_workbook(closed)[DETAIL].iter_rows(min_row=2, values_only=True)]
    assert "未反馈" in statuses
    before = snapshot(closed)
    again = make_report(H.MONTH, tmp_path, out=tmp_path / "again.xlsx")  # today, long after 11-30
    assert snapshot_diff(before, snapshot(again)) == []
