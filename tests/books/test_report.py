"""The 客户回访报告 and 流转单 books: 附件5 tables as values, native charts, phones masked or
people left out, customer text kept as text, one A4 sheet per flow form."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

from openpyxl import load_workbook

from xinao_xl.books.flow_form import FlowForm, build_flow_forms
from xinao_xl.books.report import (
    DETAIL,
    NO_PEOPLE,
    SHEET,
    DeptScore,
    ProblemRow,
    ReportData,
    TypeStats,
    UnsatisfiedCall,
    build_report,
    mask_phone,
)

DATA = ReportData(
    "2026-11",
    types=[TypeStats("维修", 200, 50, 48, 2), TypeStats("置换", 0, 0, 0, 0)],
    problems=[ProblemRow("=等待时间长", {"客服部": 2}), ProblemRow("服务态度差", {"客服部": 1, "管网部": 1})],
    departments=("客服部", "管网部"),
    scores=[DeptScore("客服部", 12.5, 2, 89.5, ""), DeptScore("管网部", 25, 0, 75, "C")],
    calls=[UnsatisfiedCall(date(2026, 11, 5), "维修", "张三", "13812345678", "客服部", "=等待时间长", "LZ001", "按时反馈")],
)


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
