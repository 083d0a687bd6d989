"""The 客户回访报告 and 流转单 books: 附件5 tables as values, native charts, phones masked or
people left out, customer text kept as text, one A4 sheet per flow form; the report written
with XlsxWriter is the file openpyxl wrote (tests/support/openpyxl_report.py), cell by cell
and chart by chart (issue 16)."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from tests.support import openpyxl_report as before
from tests.support.snapshot import snapshot, snapshot_diff, stored_cells
from xinao_xl.books.bulletin import Bulletin
from xinao_xl.books.flow_form import FlowForm, build_flow_forms
from xinao_xl.books.report import (
    DETAIL,
    MASKED,
    NO_PEOPLE,
    SHEET,
    AgentStats,
    DeptScore,
    ProblemRow,
    ReportData,
    TypeStats,
    UnsatisfiedCall,
    mask_phone,
    month_report,
)
from xinao_xl.books.report import build_report as report_bytes

DATA = ReportData(
    "2026-11",
    types=[TypeStats("维修", 200, 50, 48, 2), TypeStats("置换", 0, 0, 0, 0)],
    problems=[ProblemRow("=等待时间长", {"客服部": 2}), ProblemRow("服务态度差", {"客服部": 1, "管网部": 1})],
    departments=("客服部", "管网部"),
    scores=[DeptScore("客服部", 12.5, 2, 89.5, ""), DeptScore("管网部", 25, 0, 75, "C")],
    calls=[UnsatisfiedCall(date(2026, 11, 5), "维修", "张三", "13812345678", "客服部", "=等待时间长", "LZ001", "按时反馈")],
)


NOW = datetime(2026, 12, 3, 9)
LONG = "客户反映维修人员上门时间比约定晚了两个多小时，而且没有提前电话告知，客户等了一上午，希望以后能提前联系"
FULL = ReportData(
    "2026-11",
    types=[TypeStats("维修", 200, 50, 48, 2), TypeStats("置换", 0, 0, 0, 0), TypeStats("安检", 1200, 300, 290, 10)],
    problems=[ProblemRow("=等待时间长", {"客服部": 2}), ProblemRow(LONG, {"客服部": 1, "管网部": 4}), ProblemRow("+1 服务态度", {"管网部": 1})],
    departments=("客服部", "管网部", "工程部"),
    scores=[DeptScore("客服部", 12.5, 2, 89.5, ""), DeptScore("管网部", 25, 0, 75, "C"), DeptScore("工程部", 0, 0, 100, "A")],
    calls=[UnsatisfiedCall(date(2026, 11, 5), "维修", "张三", "13812345678", "客服部", "=等待时间长", "LZ001", "按时反馈"),
           UnsatisfiedCall(None, "安检", "@李四", "0635-5086613", "管网部", LONG, "LZ002", "未反馈"),
           UnsatisfiedCall(datetime(2026, 11, 30, 15, 20), "置换", "王五", "", "", "", "", "超时反馈")],
    suggestion="=建议加强预约管理\n第二行",
    agents=[AgentStats("孙雪燕", 120, 3, (1, 2), 4, 0), AgentStats("合计", 120, 3, (1, 2), 4, 0)],
    agent_kinds=("缺电话", "缺地址"),
)
BULLETIN = Bulletin(
    "2026-11", ["2026年11月有效回访 52 次，满意 48 次。", f"不满意原因居前：{LONG}，客户电话 13812345678。"],
    types=[{"business": "维修", "calls": 50, "satisfied": 48, "unsatisfied": 2, "satisfaction": 0.96, "previous": 0.9, "change": 6.0},
           {"business": "置换", "calls": 0, "satisfied": 0, "unsatisfied": 0, "satisfaction": None, "previous": 0.5, "change": None}],
    problems=[{"key": "=等待时间长", "n": 2, "depts": "客服部 2"}],
    late_flows=[],
    previous="2026-10",
)


def build_report(data: ReportData, people: str = MASKED) -> Workbook:
    return load_workbook(BytesIO(report_bytes(data, people)))


def _old(data: ReportData, people: str, bulletin: Bulletin | None) -> bytes:
    out = BytesIO()
    before.month_report(data, people, bulletin, NOW).save(out)
    return out.getvalue()


@pytest.mark.parametrize(("data", "people", "bulletin"), [
    (DATA, MASKED, None), (FULL, MASKED, BULLETIN), (FULL, NO_PEOPLE, BULLETIN), (ReportData("2026-11"), MASKED, Bulletin("2026-11")),
], ids=["small", "full", "no-people", "empty"])
def test_xlsxwriter_report_equals_the_openpyxl_report(data: ReportData, people: str, bulletin: Bulletin | None) -> None:
    """Every cell's value and look, merges, sizes, print setup, page breaks and the charts
    (kind, titles, axes, series ranges, labels, anchor, size), and the cells merged areas cover."""
    old, new = _old(data, people, bulletin), month_report(data, people, bulletin, NOW)
    assert snapshot_diff(snapshot(BytesIO(old)), snapshot(BytesIO(new)), limit=5) == []
    assert stored_cells(old) == stored_cells(new)
    assert load_workbook(BytesIO(new)).properties.created == datetime(2026, 12, 3)


def test_the_comparison_sees_a_moved_chart_and_a_changed_axis() -> None:
    """The proof above can fail: a chart one row lower, or without its 0–100 % axis, is told apart."""
    for change in ("anchor", "axis"):
        wb = load_workbook(BytesIO(_old(FULL, MASKED, None)))
        chart = wb[SHEET]._charts[0]
        if change == "anchor":
            chart.anchor._from.row += 1
        else:
            chart.y_axis.scaling.max = None
        changed = BytesIO()
        wb.save(changed)
        assert snapshot_diff(snapshot(BytesIO(_old(FULL, MASKED, None))), snapshot(changed)) != [], change


def test_data_labels_state_every_flag() -> None:
    """Only the value on each bar, said in the file: a flag left out reads as shown to a reader
    that takes the OOXML default (LibreOffice does once openpyxl has re-saved the file)."""
    for chart in build_report(FULL)[SHEET]._charts:
        labels = chart.series[0].dLbls
        assert (labels.showVal, labels.showSerName, labels.showCatName, labels.showLegendKey, labels.showPercent) == (True, False, False, False, False)


def test_charts_and_page_break_as_the_tables_say() -> None:
    """Two column charts under the tables, on a page of their own: FULL's types table is
    rows 5-8 (维修, 置换, 安检; 合计 on 8 is not plotted) and 满意占比 column F; the scores
    table's 3 departments, 扣分合计 in column B."""
    ws = build_report(FULL)[SHEET]
    first, second = snapshot(BytesIO(report_bytes(FULL)))[f"sheet:{SHEET}"]["charts"]
    assert first[3] == "各业务回访满意度" and first[7][0][:3] == (f"{SHEET}!F4", f"{SHEET}!F5:F7", f"{SHEET}!A5:A7")
    assert first[6][2:5] == (("0%", False), 0.0, 1.0)  # 0–100 %
    assert second[3] == "各部门扣分" and second[7][0][1] == f"{SHEET}!B{ws.max_row - 2}:B{ws.max_row}"
    brk = ws.row_breaks.brk[0].id
    assert first[8][1][1] == brk and second[8][1][1] == brk + 16  # 0-based anchor row = the break's row: the page after it
    assert first[8][0] == second[8][0] == "OneCellAnchor" and first[8][2] == (605, 283)  # 16 × 7.5 cm
    assert all(c[7][0][3][0] for c in (first, second))  # the value on each bar


def _cells(ws) -> list:
    return [c for row in ws.iter_rows() for c in row if c.value is not None]


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(13812345678.0) == "138****5678"
    assert mask_phone("0635-5086613") == "063****6613"
    assert mask_phone("") == "" and mask_phone("12345") == "****"


def test_types_table_holds_values_and_shares() -> None:
    ws = build_report(DATA)[SHEET]
    rows = {ws.cell(row=r, column=1).value: [ws.cell(row=r, column=c).value for c in range(2, 9)] for r in range(5, 8)}
    assert rows["维修"] == [200, 50, 0.25, 48, 0.96, 2, 0.04]
    assert rows["置换"] == [0, 0, None, 0, None, 0, None]  # no division by zero, blank shares
    assert rows["合计"][:2] == [200, 50]
    assert not [c for c in _cells(ws) if c.data_type == "f"]  # values, never formulas
    assert len(ws._charts) == 2


def test_phones_masked_or_people_left_out() -> None:
    wb = build_report(DATA)
    values = [c.value for ws in wb.worksheets for c in _cells(ws)]
    assert "138****5678" in values and "13812345678" not in values and "张三" in values
    anonymous = build_report(DATA, people=NO_PEOPLE)
    values = [str(c.value) for ws in anonymous.worksheets for c in _cells(ws)]
    assert not any("5678" in v or "张三" in v for v in values)
    assert [c.value for c in anonymous[DETAIL][1]][:3] == ["回访日期", "业务类型", "责任部门"]


def test_customer_text_stays_text() -> None:
    wb = build_report(DATA)
    eq = [c for ws in wb.worksheets for c in _cells(ws) if str(c.value).startswith("=")]
    assert len(eq) == 2 and all(c.data_type == "s" for c in eq)


def test_flow_forms_one_a4_sheet_each() -> None:
    form = FlowForm("LZ/001", "客服部", "张三", "13812345678", "东昌路1号", "维修", "GD1", date(2026, 11, 4), "=不满意：上门太晚", "孙雪燕",
                    date(2026, 11, 5), datetime(2026, 11, 5, 10), datetime(2026, 11, 7, 23, 59, 59), "")
    wb = load_workbook(BytesIO(build_flow_forms([form, form], "2026-11")))
    assert wb.sheetnames == ["LZ_001", "LZ_001(2)"]
    ws = wb.worksheets[0]
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.fitToHeight == 1
    texts = [c.value for c in _cells(ws)]
    assert "客户回访信息流转单" in texts and "部门：客服部" in texts and "13812345678" in texts
    opinion = next(c for c in _cells(ws) if c.value == "=不满意：上门太晚")
    assert opinion.data_type == "s"
    assert load_workbook(BytesIO(build_flow_forms([], "2026-11"))).sheetnames == ["流转单"]
