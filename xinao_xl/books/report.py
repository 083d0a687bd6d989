"""客户回访报告 (回访办法 附件5), made at the monthly close: values, native charts.

Why values and not formulas: the report is mailed and previewed (WPS, mail clients,
phones) by viewers that do not recalculate (DESIGN.md); every number is computed in
Python by the close and written as a number. Charts are native Excel charts
(openpyxl.chart) over those values, so they print and stay editable.

Customer data: phones are always masked (138****5678); ``people="none"`` leaves names and
phones out altogether, for a report that travels further.

    >>> wb = build_report(ReportData("2026-11", types=[TypeStats("维修", 120, 30, 28, 2)]))
    >>> wb.sheetnames
    ['回访报告', '不满意明细']

`month_report` is the report as the close and the 生成回访报告 button write it: with the
服务通报 sheet (books/bulletin.py) and fixed file properties.

三、整改建议 is the one part staff write into the report. Made again (the close after the
button, a second close), the report keeps it: `read_suggestion` finds it in the report it
replaces and `ReportData.suggestion` writes it back, as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from xinao_xl.policy.month import Month
from xinao_xl.policy.privacy import mask_phone

from .bulletin import Bulletin, add_bulletin_sheet
from .cells import put
from .printing import fit_rows, print_setup
from .read import BookReader, BookReadError
from .schema import FMT_DATE, FMT_PERCENT, FMT_POINTS
from .style import (
    BODY_FONT,
    BORDER,
    CELL_ALIGN,
    HEADER_FONT,
    NOTE_FONT,
    TITLE_FONT,
    WRAP_ALIGN,
    Look,
    header_cells,
)
from .writer import fixed_properties

SHEET = "回访报告"
DETAIL = "不满意明细"
AGENTS = "回访人员情况"
AGENTS_NOTE = ("回访办法六.2：回访人员未建立回访登记台账、台账信息不齐全、信息流转不及时等问题，纳入个人绩效考核。"
               "此表只列事实，不打分。回访条数：回访日期在本月的台账行；超过{days}日回访：回访日期晚于完工日期{days}日以上（回访五.2）；"
               "流转不及时：流转日期晚于回访当天（五.4(1)“及时填写”，本系统读作回访当天）；信息不齐全行数：至少缺一项的行。")
MASKED = "masked"
NO_PEOPLE = "none"
SUGGESTION_HEADING = "三、整改建议"
SUGGESTION_ROWS = 8  # the text area under the heading's hint: 8 rows, merged across A:H
SUGGESTION_HINT = (
    "（经过回访，了解到客户感受，根据发现的问题和了解的真相，提出整改意见，此建议无关对错，建议可以是向公司提出的、"
    "针对员工提出的、对客服监督部门等提出的均可；目的是提高客户满意度，树立公司良好的品牌形象，规范员工工作流程等。）"
)


@dataclass(frozen=True)
class TypeStats:
    """One business type's row of the 附件5 table (未接通、拒访 are not in 回访量)."""

    business: str
    total: int  # 业务总量 (completed orders of the month)
    calls: int  # 回访量 = 满意 + 不满意
    satisfied: int
    unsatisfied: int

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def call_rate(self) -> float | None:
        return self.share(self.calls, self.total)

    @property
    def satisfied_rate(self) -> float | None:
        return self.share(self.satisfied, self.calls)

    @property
    def unsatisfied_rate(self) -> float | None:
        return self.share(self.unsatisfied, self.calls)


@dataclass(frozen=True)
class ProblemRow:
    """A problem type (不满原因) and how many of it each department had."""

    problem: str
    by_dept: dict[str, int]

    @property
    def count(self) -> int:
        return sum(self.by_dept.values())


@dataclass(frozen=True)
class DeptScore:
    department: str
    deductions: float
    bonuses: float
    score: float
    grade: str = ""


@dataclass(frozen=True)
class UnsatisfiedCall:
    call_date: date | None
    business: str
    customer: str
    phone: str
    department: str
    reason: str
    flow_no: str
    status: str  # 按时反馈 / 超时反馈 / 未反馈


@dataclass(frozen=True)
class AgentStats:
    """One 回访人's month (回访办法 六.2): facts only, no score (services/agents.py counts them)."""

    agent: str
    calls: int  # 回访条数
    incomplete: int  # rows missing at least one thing
    by_kind: tuple[int, ...]  # per kind of `ReportData.agent_kinds`
    late_calls: int  # 超过3日回访
    late_flows: int  # 流转不及时


@dataclass
class ReportData:
    month: str
    types: list[TypeStats] = field(default_factory=list)
    problems: list[ProblemRow] = field(default_factory=list)
    departments: tuple[str, ...] = ()
    scores: list[DeptScore] = field(default_factory=list)
    calls: list[UnsatisfiedCall] = field(default_factory=list)
    suggestion: str = ""  # 三、整改建议 as staff wrote it in the report this one replaces
    agents: list[AgentStats] = field(default_factory=list)
    agent_kinds: tuple[str, ...] = ()
    callback_days: int = 3  # 回访 五.2, the rules' `callback_within_days` (services/report.py sets it)


def _cell(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None, wrap: bool = False) -> None:
    _cell_look(fmt or None, wrap).apply(put(ws, row, col, value))


@cache
def _cell_look(fmt: str | None, wrap: bool) -> Look:
    """A table cell of the report (the detail sheet has a few thousand of them)."""
    return Look(font=BODY_FONT, border=BORDER, alignment=WRAP_ALIGN if wrap else CELL_ALIGN, number_format=fmt)


def _heading(ws: Worksheet, row: int, text: str) -> None:
    c = put(ws, row, 1, text)
    c.font = HEADER_FONT


def _types_table(ws: Worksheet, row: int, types: Sequence[TypeStats]) -> tuple[int, int]:
    """附件5 一、回访数据; returns (first data row, total row)."""
    header_cells(ws, row, ("业务类型", "业务总量", "回访量", "回访占比", "满意数量", "满意占比", "不满意数量", "不满意占比"))
    first = row + 1
    total = TypeStats("合计", sum(t.total for t in types), sum(t.calls for t in types), sum(t.satisfied for t in types), sum(t.unsatisfied for t in types))
    for r, t in enumerate([*types, total], start=first):
        values = (t.business, t.total, t.calls, t.call_rate, t.satisfied, t.satisfied_rate, t.unsatisfied, t.unsatisfied_rate)
        for c, v in enumerate(values, start=1):
            _cell(ws, r, c, v, FMT_PERCENT if c in (4, 6, 8) else None)
    return first, first + len(types)


def _problems_table(ws: Worksheet, row: int, problems: Sequence[ProblemRow], departments: Sequence[str]) -> int:
    """附件5 二、回访问题统计: 问题类型, 数量, 责任部门问题占有数量 (one column per department)."""
    depts = [d for d in departments if any(p.by_dept.get(d) for p in problems)] or list(departments)
    header_cells(ws, row, ("问题类型", "数量", *depts))
    r = row
    for r, p in enumerate(sorted(problems, key=lambda p: (-p.count, p.problem)), start=row + 1):
        _cell(ws, r, 1, p.problem, wrap=True)
        _cell(ws, r, 2, p.count)
        for c, d in enumerate(depts, start=3):
            _cell(ws, r, c, p.by_dept.get(d, 0))
    if not problems:
        r = row + 1
        _cell(ws, r, 1, "本月无不满意回访")
    note = put(ws, r + 1, 1, "注：问题类型按台账“不满原因”归类；右侧各列为责任部门问题占有数量。")
    note.font = NOTE_FONT
    return r + 2


def _scores_table(ws: Worksheet, row: int, scores: Sequence[DeptScore]) -> tuple[int, int]:
    header_cells(ws, row, ("部门", "扣分合计", "加分合计", "月度服务得分", "考核等级"))
    for r, s in enumerate(scores, start=row + 1):
        for c, v in enumerate((s.department, s.deductions, s.bonuses, s.score, s.grade), start=1):
            _cell(ws, r, c, v, FMT_POINTS if c in (2, 3, 4) else None)
    return row + 1, row + len(scores)


def _bar(title: str, y_title: str, ws: Worksheet, col: int, first: int, last: int, percent: bool) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = y_title
    chart.legend = None
    chart.height, chart.width = 7.5, 16
    chart.add_data(Reference(ws, min_col=col, min_row=first - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    chart.dataLabels.showSerName = chart.dataLabels.showCatName = chart.dataLabels.showLegendKey = False
    if percent:
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.max = 1
        chart.y_axis.scaling.min = 0
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    return chart


def build_report(data: ReportData, people: str = MASKED) -> Workbook:
    """The month's report workbook (not saved). ``people``: "masked" or "none"."""
    if people not in (MASKED, NO_PEOPLE):
        raise ValueError(people)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    title = put(ws, 1, 1, f"{Month(data.month).title}份客户回访报告")
    title.font = TITLE_FONT
    ws.merge_cells("A1:H1")
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28

    _heading(ws, 3, "一、回访数据")
    first, total = _types_table(ws, 4, data.types)
    r = total + 2
    _heading(ws, r, "二、回访问题统计")
    r = _problems_table(ws, r + 1, data.problems, data.departments) + 1
    _heading(ws, r, SUGGESTION_HEADING)
    hint = put(ws, r + 1, 1, SUGGESTION_HINT)
    hint.font, hint.alignment = NOTE_FONT, WRAP_ALIGN
    ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=8)
    ws.row_dimensions[r + 1].height = 42
    area = put(ws, r + 2, 1, data.suggestion or None)  # staff's words: text, never a formula
    area.border, area.alignment, area.font = BORDER, Alignment(vertical="top", wrap_text=True), BODY_FONT
    ws.merge_cells(start_row=r + 2, start_column=1, end_row=r + 1 + SUGGESTION_ROWS, end_column=8)
    for rr in range(r + 2, r + 2 + SUGGESTION_ROWS):
        for cc in range(1, 9):
            ws.cell(row=rr, column=cc).border = BORDER
    r += 11
    _heading(ws, r, "四、各部门服务考核得分（本月结账）")
    s_first, s_last = _scores_table(ws, r + 1, data.scores)

    for i, width in enumerate((14, 10, 9, 10, 10, 10, 11, 11), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    fit_rows(ws, first, s_last)
    # Charts under the tables, inside the printed area, on a page of their own (a page
    # break above them): a chart is never cut in two.
    end = max(s_last, r + 1) + 2
    if data.types or data.scores:
        ws.row_breaks.append(Break(id=end - 1))
    if data.types:
        ws.add_chart(_bar("各业务回访满意度", "满意占比", ws, 6, first, total - 1, percent=True), f"A{end}")
        end += 16
    if data.scores:
        ws.add_chart(_bar("各部门扣分", "扣分", ws, 2, s_first, s_last, percent=False), f"A{end}")
        end += 16
    print_setup(ws, None, f"{Month(data.month).title}份客户回访报告 · {SHEET}", landscape=False, print_area=f"A1:H{end}")
    _detail(wb, data, people)
    if data.agents:
        _agents(wb, data)
    return wb


def _agents(wb: Workbook, data: ReportData) -> None:
    """回访人员情况: a row per 回访人 and the 合计 (回访办法 六.2)."""
    ws = wb.create_sheet(AGENTS)
    headers = ("回访人", "回访条数", "信息不齐全行数", *data.agent_kinds, f"超过{data.callback_days}日回访", "流转不及时")
    title = put(ws, 1, 1, f"{Month(data.month).title}份回访人员台账情况（回访办法六.2）")
    title.font = TITLE_FONT
    header_cells(ws, 2, headers)
    for r, a in enumerate(data.agents, start=3):
        for c, v in enumerate((a.agent, a.calls, a.incomplete, *a.by_kind, a.late_calls, a.late_flows), start=1):
            _cell(ws, r, c, v)
    last = 2 + len(data.agents)
    note = put(ws, last + 2, 1, AGENTS_NOTE.format(days=data.callback_days))
    note.font, note.alignment = NOTE_FONT, WRAP_ALIGN
    ws.merge_cells(start_row=last + 2, start_column=1, end_row=last + 2, end_column=len(headers))
    ws.row_dimensions[last + 2].height = 48
    for i in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 12 if i == 1 else 9
    ws.row_dimensions[2].height = 42
    print_setup(ws, "2:2", f"{Month(data.month).title}份客户回访报告 · {AGENTS}", landscape=True, print_area=f"A1:{get_column_letter(len(headers))}{last + 2}")


def month_report(data: ReportData, people: str, bulletin: Bulletin | None, now: datetime) -> Workbook:
    """The month's 客户回访报告 as the close and the report button write it: `build_report`,
    then the 服务通报 sheet when its figures could be made, and no save time inside the file."""
    wb = build_report(data, people)
    if bulletin is not None:
        add_bulletin_sheet(wb, bulletin)
    return fixed_properties(wb, now)


def _detail(wb: Workbook, data: ReportData, people: str) -> None:
    ws = wb.create_sheet(DETAIL)
    with_people = people != NO_PEOPLE
    headers = ["回访日期", "业务类型", *(["客户姓名", "客户电话"] if with_people else []), "责任部门", "不满原因", "流转单号", "反馈情况"]
    header_cells(ws, 1, tuple(headers))
    for r, c in enumerate(data.calls, start=2):
        values: list[Any] = [c.call_date, c.business]
        if with_people:
            values += [c.customer, mask_phone(c.phone)]
        values += [c.department, c.reason, c.flow_no, c.status]
        for col, v in enumerate(values, start=1):
            _cell(ws, r, col, v, FMT_DATE if isinstance(v, date | datetime) else None, wrap=headers[col - 1] == "不满原因")
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = {"不满原因": 28, "客户电话": 13, "流转单号": 16}.get(h, 11)
    ws.freeze_panes = "A2"
    fit_rows(ws, 2, len(data.calls) + 1)
    print_setup(ws, "1:1", f"{Month(data.month).title}份客户回访报告 · {DETAIL}", landscape=True)


@dataclass(frozen=True)
class Suggestion:
    """三、整改建议 of a report file: its text ("" while blank) and the cell staff type it in."""

    text: str
    cell: str


def read_suggestion(path: Path) -> Suggestion | None:
    """The 整改建议 of the report at `path`; None when there is no such file or it cannot be
    read as a report (no 回访报告 sheet, no heading). The text area is merged across rows,
    which the reader fills from its corner: each line is taken once."""
    if not Path(path).is_file():
        return None
    try:
        reader = BookReader(path)
        rows = reader.rows(SHEET) if SHEET in reader.sheet_names else []
    except BookReadError:
        return None
    heading = next((i for i, row in enumerate(rows) if row and isinstance(row[0], str) and row[0].strip() == SUGGESTION_HEADING), None)
    if heading is None:
        return None
    first = heading + 2  # 0-based index of the text area's first row (the hint is between)
    lines: list[str] = []
    for row in rows[first:first + SUGGESTION_ROWS]:
        value = row[0] if row else None
        text = "" if value is None else str(value).strip()
        if text and (not lines or text != lines[-1]):
            lines.append(text)
    return Suggestion("\n".join(lines), f"A{first + 1}")
