"""客户回访意见统计表 (回访办法 附件4): the opinions and suggestions of the month's callbacks.

Filled from the 台账 at the monthly close and by hand; due to the service office before the
5th of the next month with the 回访报告 (回访 五.4(2)). No formulas: every cell is typed.
"""

from __future__ import annotations

from openpyxl import Workbook

from xinao_xl.policy.month import Month
from xinao_xl.policy.rules import Rules, load_rules

from . import lists as L
from .printing import book_header
from .rules_sheet import write_rules_sheet
from .schema import Column, TableSheet, WorkbookSpec
from .writer import write_table

STEM = "客户回访意见统计表"
SHEET = "意见统计表"
ROWS = 500

HEADERS = ("序号", "上门日期", "上门人员", "客户姓名", "客户电话", "客户地址", "回访日期", "客户意见", "客户建议", "客户不满原因", "责任部门", "备注")


def opinions_sheet() -> TableSheet:
    text = L.text_input
    return TableSheet(
        SHEET,
        "客户回访意见统计表",
        (
            Column("seq", "序号", type="int", width=5, validation=L.count_input("序号")),
            Column("visit_date", "上门日期", type="date", width=11, validation=L.date_input("上门日期")),
            Column("staff", "上门人员", width=9, validation=text("上门人员", 64)),
            Column("customer", "客户姓名", width=9, validation=text("客户姓名", 64)),
            Column("phone", "客户电话", type="id", width=12, validation=text("客户电话", 32)),
            Column("address", "客户地址", width=18, wrap=True, validation=text("客户地址")),
            Column("call_date", "回访日期", type="date", width=11, validation=L.date_input("回访日期")),
            Column("opinion", "客户意见", width=24, wrap=True, validation=text("客户意见", 1000)),
            Column("suggestion", "客户建议", width=20, wrap=True, validation=text("客户建议", 1000)),
            Column("reason", "客户不满原因", width=16, wrap=True, validation=text("客户不满原因", 1000)),
            Column("dept", "责任部门", type="choice", width=10, validation=L.choice(L.L_DEPARTMENTS, "责任部门")),
            Column("note", "备注", width=12, wrap=True, validation=text("备注")),
        ),
        rows=ROWS,
    )


def opinions_spec(rules: Rules | None = None) -> WorkbookSpec:
    return WorkbookSpec(STEM, (opinions_sheet(),))


def build_opinions(month: str | None, rules: Rules | None = None, style: str = "native") -> Workbook:
    """The month's 客户回访意见统计表 (附件4) as an openpyxl Workbook (not saved); None: the template."""
    rules = rules or load_rules()
    wb = Workbook()
    wb.remove(wb.active)
    write_table(wb, opinions_sheet(), style, f"{Month(month).title if month else ''}客户回访意见统计表", book_header(month, STEM, SHEET))
    write_rules_sheet(wb, rules, month)
    wb.active = 0
    return wb
