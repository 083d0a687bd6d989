"""服务通报 sheet of the monthly 客户回访报告 (回访办法 五.6(2): the service office analyses last
month's callbacks and puts the results into the 服务通报): a few sentences to paste into the
通报, and the tables they come from. Values only, A4, no customer in it.

The figures are computed by `services.bulletin` with the same history queries as the
quarterly and annual report; this module only lays them out.

    >>> wb = Workbook(); add_bulletin_sheet(wb, Bulletin("2026-11", ["本月有效回访 3 次"])).title
    '服务通报'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from xinao_xl.policy.month import Month
from xinao_xl.policy.privacy import redact_phones

from .cells import put
from .period_report import Table, write_table
from .printing import fit_rows, print_setup
from .schema import FMT_INT, FMT_PERCENT
from .style import BODY_FONT, NOTE_FONT, TITLE_FONT, WRAP_ALIGN

SHEET = "服务通报"
WIDTH = 8


@dataclass
class Bulletin:
    """The month's 服务通报 figures: sentences, then tables (frames in `period_report` names)."""

    month: str
    lines: list[str] = field(default_factory=list)
    types: pd.DataFrame = field(default_factory=pd.DataFrame)  # business, calls, …, satisfaction, previous, change
    problems: pd.DataFrame = field(default_factory=pd.DataFrame)  # key (不满原因), n, depts
    late_flows: pd.DataFrame = field(default_factory=pd.DataFrame)  # key (department), flows, late_flows
    previous: str | None = None  # the month compared with, when the history holds it


def add_bulletin_sheet(wb: Workbook, b: Bulletin) -> Worksheet:
    """Append the 服务通报 sheet to `wb` (the month's report); returns it."""
    ws = wb.create_sheet(SHEET)
    t = put(ws, 1, 1, f"{Month(b.month).title} 服务通报（回访部分）")
    t.font = TITLE_FONT
    n = put(ws, 2, 1, "回访办法五.6(2)：服务办公室对上月回访结果进行分析总结，纳入服务通报。以下文字可直接引用。")
    n.font = NOTE_FONT
    row = 4
    for text in b.lines:
        c = put(ws, row, 1, redact_phones(text))
        c.font, c.alignment = BODY_FONT, WRAP_ALIGN
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
        ws.row_dimensions[row].height = 30
        row += 1
    row += 1
    prev = f"上月（{b.previous}）满意率" if b.previous else "上月满意率"
    row = write_table(ws, row, Table("一、各业务回访满意率", b.types, headers={"previous": prev, "change": "变化（百分点）"},
                                     formats={"previous": FMT_PERCENT, "change": "0.00"}))
    row = write_table(ws, row, Table("二、不满意原因", b.problems, headers={"key": "不满原因", "n": "次数", "depts": "责任部门（次数）"},
                                     formats={"n": FMT_INT}))
    row = write_table(ws, row, Table("三、流转单反馈（两个自然日内，回访办法六.1）", b.late_flows, headers={"key": "责任部门"}))
    for letter, width in zip("ABCDEFGH", (16, 9, 10, 9, 10, 14, 12, 10), strict=True):
        ws.column_dimensions[letter].width = width
    fit_rows(ws, 4, 4 + len(b.lines))
    print_setup(ws, None, f"{Month(b.month).title}份客户回访报告 · {SHEET}", landscape=False, print_area=f"A1:H{row}")
    return ws


__all__ = ["SHEET", "Bulletin", "add_bulletin_sheet"]
