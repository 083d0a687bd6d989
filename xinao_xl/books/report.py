"""客户回访报告 (回访办法 附件5), made at the monthly close: values, native charts.

Why values and not formulas: the report is mailed and previewed (WPS, mail clients,
phones) by viewers that do not recalculate (DESIGN.md); every number is computed in
Python by the close and written as a number. Charts are native Excel column charts over
those values, so they print and stay editable.

Written with XlsxWriter in memory (`books.xlsx`: our style vocabulary on a `Draft`, the
charts as `xlsx.ColumnChart`) and handed over as the file's bytes: the report was made
with openpyxl and openpyxl.chart before (issue 16: importing them cost a third of the
close's start-up); tests/books/test_report.py compares both files
(tests/support/openpyxl_report.py keeps the openpyxl writing).

Customer data: phones are always masked (138****5678); ``people="none"`` leaves names and
phones out altogether, for a report that travels further.

    >>> from io import BytesIO
    >>> from openpyxl import load_workbook
    >>> data = build_report(ReportData("2026-11", types=[TypeStats("维修", 120, 30, 28, 2)]))
    >>> load_workbook(BytesIO(data)).sheetnames
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

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from xinao_xl.policy.month import Month
from xinao_xl.policy.privacy import mask_phone

from .bulletin import Bulletin, bulletin_draft
from .read import BookReader, BookReadError
from .schema import FMT_DATE, FMT_PERCENT, FMT_POINTS
from .style import (
    BODY_FONT,
    BORDER,
    CELL_ALIGN,
    HEADER_FONT,
    HEADER_LOOK,
    NOTE_FONT,
    TITLE_FONT,
    WRAP_ALIGN,
    Look,
)
from .xlsx import Book, ColumnChart, Draft, add_column_chart, print_page, row_breaks

SHEET = "回访报告"
DETAIL = "不满意明细"
AGENTS = "回访人员情况"
AGENTS_NOTE = ("回访办法六.2：回访人员未建立回访登记台账、台账信息不齐全、信息流转不及时等问题，纳入个人绩效考核。"
               "此表只列事实，不打分。回访条数：回访日期在本月的台账行；超过{days}日回访：回访日期晚于完工日期{days}日以上（回访五.2）；"
               "流转不及时：流转日期晚于回访当天（五.4(1)“及时填写”，本系统读作回访当天）；信息不齐全行数：至少缺一项的行。")
MASKED = "masked"
NO_PEOPLE = "none"
SUGGESTION_HEADING = "三、整改建议"
SCORES_HEADING = "四、各部门服务考核得分（本月结账）"
TYPES_HEADERS = ("业务类型", "业务总量", "回访量", "回访占比", "满意数量", "满意占比", "不满意数量", "不满意占比")
SCORES_HEADERS = ("部门", "扣分合计", "加分合计", "月度服务得分", "考核等级")
NO_PROBLEMS = "本月无不满意回访"
PROBLEMS_NOTE = "注：问题类型按台账“不满原因”归类；右侧各列为责任部门问题占有数量。"
TYPES_CHART, SCORES_CHART = "各业务回访满意度", "各部门扣分"
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


TOP_WRAP = Alignment(vertical="top", wrap_text=True)
CENTRED = Alignment(horizontal="center", vertical="center")
TITLE = Look(font=TITLE_FONT)
HEADING = Look(font=HEADER_FONT)
NOTE = Look(font=NOTE_FONT)
WRAPPED_NOTE = Look(font=NOTE_FONT, alignment=WRAP_ALIGN)
WIDTHS = (14, 10, 9, 10, 10, 10, 11, 11)  # 回访报告, columns A:H
CHART_ROWS = 16  # rows a chart of 7.5 cm takes at the default row height, with a gap


@cache
def _cell_look(fmt: str | None, wrap: bool) -> Look:
    """A table cell of the report (the detail sheet has a few thousand of them)."""
    return Look(font=BODY_FONT, border=BORDER, alignment=WRAP_ALIGN if wrap else CELL_ALIGN, number_format=fmt)


def _cell(d: Draft, row: int, col: int, value: Any, fmt: str | None = None, wrap: bool = False) -> None:
    d.put(row, col, value, _cell_look(fmt or None, wrap))


def _header_cells(d: Draft, row: int, headers: Sequence[str]) -> None:
    """`style.header_cells` on a draft."""
    for col, text in enumerate(headers, start=1):
        d.put(row, col, text, HEADER_LOOK)
    d.height(row, 30)


def _types_table(d: Draft, row: int, types: Sequence[TypeStats]) -> tuple[int, int]:
    """附件5 一、回访数据; returns (first data row, total row)."""
    _header_cells(d, row, TYPES_HEADERS)
    first = row + 1
    total = TypeStats("合计", sum(t.total for t in types), sum(t.calls for t in types), sum(t.satisfied for t in types), sum(t.unsatisfied for t in types))
    for r, t in enumerate([*types, total], start=first):
        values = (t.business, t.total, t.calls, t.call_rate, t.satisfied, t.satisfied_rate, t.unsatisfied, t.unsatisfied_rate)
        for c, v in enumerate(values, start=1):
            _cell(d, r, c, v, FMT_PERCENT if c in (4, 6, 8) else None)
    return first, first + len(types)


def problem_columns(problems: Sequence[ProblemRow], departments: Sequence[str]) -> list[str]:
    """The departments the 问题统计 has a column for: those with a problem (all when none has)."""
    return [d for d in departments if any(p.by_dept.get(d) for p in problems)] or list(departments)


def _problems_table(d: Draft, row: int, problems: Sequence[ProblemRow], departments: Sequence[str]) -> int:
    """附件5 二、回访问题统计: 问题类型, 数量, 责任部门问题占有数量 (one column per department)."""
    depts = problem_columns(problems, departments)
    _header_cells(d, row, ("问题类型", "数量", *depts))
    r = row
    for r, p in enumerate(sorted(problems, key=lambda p: (-p.count, p.problem)), start=row + 1):
        _cell(d, r, 1, p.problem, wrap=True)
        _cell(d, r, 2, p.count)
        for c, dept in enumerate(depts, start=3):
            _cell(d, r, c, p.by_dept.get(dept, 0))
    if not problems:
        r = row + 1
        _cell(d, r, 1, NO_PROBLEMS)
    d.put(r + 1, 1, PROBLEMS_NOTE, NOTE)
    return r + 2


def _scores_table(d: Draft, row: int, scores: Sequence[DeptScore]) -> tuple[int, int]:
    _header_cells(d, row, SCORES_HEADERS)
    for r, s in enumerate(scores, start=row + 1):
        for c, v in enumerate((s.department, s.deductions, s.bonuses, s.score, s.grade), start=1):
            _cell(d, r, c, v, FMT_POINTS if c in (2, 3, 4) else None)
    return row + 1, row + len(scores)


def _report_sheet(data: ReportData) -> tuple[Draft, list[ColumnChart], list[int]]:
    """The 回访报告 sheet, its charts and its page breaks."""
    d = Draft(SHEET)
    d.put(1, 1, report_title(data.month), TITLE)
    d.merge(1, 1, 1, 8)
    d.style(1, 1, alignment=CENTRED)
    d.height(1, 28)

    d.put(3, 1, "一、回访数据", HEADING)
    first, total = _types_table(d, 4, data.types)
    r = total + 2
    d.put(r, 1, "二、回访问题统计", HEADING)
    r = _problems_table(d, r + 1, data.problems, data.departments) + 1
    d.put(r, 1, SUGGESTION_HEADING, HEADING)
    d.put(r + 1, 1, SUGGESTION_HINT, WRAPPED_NOTE)
    d.merge(r + 1, 1, r + 1, 8)
    d.height(r + 1, 42)
    d.put(r + 2, 1, data.suggestion or None, Look(font=BODY_FONT, border=BORDER, alignment=TOP_WRAP))  # staff's words: text, never a formula
    d.merge(r + 2, 1, r + 1 + SUGGESTION_ROWS, 8)
    for rr in range(r + 2, r + 2 + SUGGESTION_ROWS):
        for cc in range(1, 9):
            d.style(rr, cc, border=BORDER)
    r += 11
    d.put(r, 1, SCORES_HEADING, HEADING)
    s_first, s_last = _scores_table(d, r + 1, data.scores)

    for i, width in enumerate(WIDTHS, start=1):
        d.widths[i] = width
    d.fit_rows(first, s_last)
    # Charts under the tables, inside the printed area, on a page of their own (a page
    # break above them): a chart is never cut in two.
    end = max(s_last, r + 1) + 2
    breaks = [end - 1] if data.types or data.scores else []
    charts = []
    if data.types:
        charts.append(ColumnChart(TYPES_CHART, "满意占比", (6, first, total - 1), f"A{end}", percent=True))
        end += CHART_ROWS
    if data.scores:
        charts.append(ColumnChart(SCORES_CHART, "扣分", (2, s_first, s_last), f"A{end}", number_format=FMT_POINTS))
        end += CHART_ROWS
    d.page = print_page(None, page_header(data.month, SHEET), landscape=False, print_area=f"A1:H{end}")
    return d, charts, breaks


def report_title(month: str) -> str:
    return f"{Month(month).title}份客户回访报告"


def page_header(month: str, sheet: str) -> str:
    """The page header of a sheet of the report."""
    return f"{report_title(month)} · {sheet}"


def _agents(data: ReportData) -> Draft:
    """回访人员情况: a row per 回访人 and the 合计 (回访办法 六.2)."""
    d = Draft(AGENTS)
    headers = agent_headers(data)
    d.put(1, 1, f"{Month(data.month).title}份回访人员台账情况（回访办法六.2）", TITLE)
    _header_cells(d, 2, headers)
    for r, a in enumerate(data.agents, start=3):
        for c, v in enumerate((a.agent, a.calls, a.incomplete, *a.by_kind, a.late_calls, a.late_flows), start=1):
            _cell(d, r, c, v)
    last = 2 + len(data.agents)
    d.put(last + 2, 1, AGENTS_NOTE.format(days=data.callback_days), WRAPPED_NOTE)
    d.merge(last + 2, 1, last + 2, len(headers))
    d.height(last + 2, 48)
    for i in range(1, len(headers) + 1):
        d.widths[i] = 12 if i == 1 else 9
    d.height(2, 42)
    d.page = print_page("2:2", page_header(data.month, AGENTS), landscape=True, print_area=f"A1:{get_column_letter(len(headers))}{last + 2}")
    return d


def agent_headers(data: ReportData) -> tuple[str, ...]:
    return ("回访人", "回访条数", "信息不齐全行数", *data.agent_kinds, f"超过{data.callback_days}日回访", "流转不及时")


def detail_headers(people: str) -> list[str]:
    return ["回访日期", "业务类型", *(["客户姓名", "客户电话"] if people != NO_PEOPLE else []), "责任部门", "不满原因", "流转单号", "反馈情况"]


def detail_values(c: UnsatisfiedCall, people: str) -> list[Any]:
    """A 不满意 callback's row of the detail sheet: the phone masked, no person with ``people="none"``."""
    values: list[Any] = [c.call_date, c.business]
    if people != NO_PEOPLE:
        values += [c.customer, mask_phone(c.phone)]
    return [*values, c.department, c.reason, c.flow_no, c.status]


def detail_width(header: str) -> float:
    return {"不满原因": 28, "客户电话": 13, "流转单号": 16}.get(header, 11)


def _detail(data: ReportData, people: str) -> Draft:
    d = Draft(DETAIL)
    headers = detail_headers(people)
    _header_cells(d, 1, headers)
    wrap = [h == "不满原因" for h in headers]
    for r, c in enumerate(data.calls, start=2):
        for col, v in enumerate(detail_values(c, people), start=1):
            _cell(d, r, col, v, FMT_DATE if isinstance(v, date | datetime) else None, wrap=wrap[col - 1])
    for i, h in enumerate(headers, start=1):
        d.widths[i] = detail_width(h)
    d.freeze = (2, 1)
    d.fit_rows(2, len(data.calls) + 1)
    d.page = print_page("1:1", page_header(data.month, DETAIL), landscape=True)
    return d


def _book(data: ReportData, people: str, bulletin: Bulletin | None, now: datetime | None) -> bytes:
    if people not in (MASKED, NO_PEOPLE):
        raise ValueError(people)
    book = Book(now)
    sheet, charts, breaks = _report_sheet(data)
    ws = book.add(sheet)
    for chart in charts:
        add_column_chart(book, ws, chart)
    row_breaks(ws, breaks)
    book.add(_detail(data, people))
    if data.agents:
        book.add(_agents(data))
    if bulletin is not None:
        book.add(bulletin_draft(bulletin))
    return book.to_bytes()


def build_report(data: ReportData, people: str = MASKED) -> bytes:
    """The month's report workbook, as the file's bytes. ``people``: "masked" or "none"."""
    return _book(data, people, None, None)


def month_report(data: ReportData, people: str, bulletin: Bulletin | None, now: datetime) -> bytes:
    """The month's 客户回访报告 as the close and the report button write it (the file's bytes):
    `build_report`, then the 服务通报 sheet when its figures could be made, and no save time
    inside the file (the day of `now`, as `writer.fixed_properties`)."""
    return _book(data, people, bulletin, now)


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
