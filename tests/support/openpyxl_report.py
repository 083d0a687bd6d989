"""The 客户回访报告 (with its 服务通报 sheet) as openpyxl and openpyxl.chart built it before
books/xlsx.py (issue 16): the reference tests/books/test_report.py compares the XlsxWriter
file with, cell by cell and chart by chart. Kept as it was, for tests only: the report's
content (its texts, headers, data classes, the rows of the detail and of the 通报's tables)
is taken from the live modules, so this compares the two ways of writing, not two copies
of what is written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from xinao_xl.books.bulletin import SHEET as BULLETIN
from xinao_xl.books.bulletin import WIDTH, Bulletin
from xinao_xl.books.cells import put
from xinao_xl.books.figure_table import COLUMNS
from xinao_xl.books.printing import fit_rows, print_setup
from xinao_xl.books.report import (
    AGENTS,
    AGENTS_NOTE,
    DETAIL,
    MASKED,
    NO_PEOPLE,
    NO_PROBLEMS,
    PROBLEMS_NOTE,
    SCORES_CHART,
    SCORES_HEADERS,
    SCORES_HEADING,
    SHEET,
    SUGGESTION_HEADING,
    SUGGESTION_HINT,
    SUGGESTION_ROWS,
    TYPES_CHART,
    TYPES_HEADERS,
    WIDTHS,
    DeptScore,
    ProblemRow,
    ReportData,
    TypeStats,
    agent_headers,
    detail_headers,
    detail_values,
    detail_width,
    page_header,
    problem_columns,
    report_title,
)
from xinao_xl.books.schema import FMT_DATE, FMT_DATETIME, FMT_INT, FMT_PERCENT, FMT_POINTS
from xinao_xl.books.style import (
    BODY_FONT,
    BORDER,
    CELL_ALIGN,
    HEADER_FONT,
    NOTE_FONT,
    TITLE_FONT,
    WRAP_ALIGN,
    Look,
    header_cell,
    header_cells,
)
from xinao_xl.books.writer import fixed_properties
from xinao_xl.policy.month import Month
from xinao_xl.policy.privacy import redact_phones


def _cell(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None, wrap: bool = False) -> None:
    Look(font=BODY_FONT, border=BORDER, alignment=WRAP_ALIGN if wrap else CELL_ALIGN, number_format=fmt or None).apply(put(ws, row, col, value))


def _heading(ws: Worksheet, row: int, text: str) -> None:
    put(ws, row, 1, text).font = HEADER_FONT


def _types_table(ws: Worksheet, row: int, types: Sequence[TypeStats]) -> tuple[int, int]:
    header_cells(ws, row, TYPES_HEADERS)
    first = row + 1
    total = TypeStats("合计", sum(t.total for t in types), sum(t.calls for t in types), sum(t.satisfied for t in types), sum(t.unsatisfied for t in types))
    for r, t in enumerate([*types, total], start=first):
        values = (t.business, t.total, t.calls, t.call_rate, t.satisfied, t.satisfied_rate, t.unsatisfied, t.unsatisfied_rate)
        for c, v in enumerate(values, start=1):
            _cell(ws, r, c, v, FMT_PERCENT if c in (4, 6, 8) else None)
    return first, first + len(types)


def _problems_table(ws: Worksheet, row: int, problems: Sequence[ProblemRow], departments: Sequence[str]) -> int:
    depts = problem_columns(problems, departments)
    header_cells(ws, row, ("问题类型", "数量", *depts))
    r = row
    for r, p in enumerate(sorted(problems, key=lambda p: (-p.count, p.problem)), start=row + 1):
        _cell(ws, r, 1, p.problem, wrap=True)
        _cell(ws, r, 2, p.count)
        for c, d in enumerate(depts, start=3):
            _cell(ws, r, c, p.by_dept.get(d, 0))
    if not problems:
        r = row + 1
        _cell(ws, r, 1, NO_PROBLEMS)
    put(ws, r + 1, 1, PROBLEMS_NOTE).font = NOTE_FONT
    return r + 2


def _scores_table(ws: Worksheet, row: int, scores: Sequence[DeptScore]) -> tuple[int, int]:
    header_cells(ws, row, SCORES_HEADERS)
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
    if people not in (MASKED, NO_PEOPLE):
        raise ValueError(people)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    title = put(ws, 1, 1, report_title(data.month))
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
    area = put(ws, r + 2, 1, data.suggestion or None)
    area.border, area.alignment, area.font = BORDER, Alignment(vertical="top", wrap_text=True), BODY_FONT
    ws.merge_cells(start_row=r + 2, start_column=1, end_row=r + 1 + SUGGESTION_ROWS, end_column=8)
    for rr in range(r + 2, r + 2 + SUGGESTION_ROWS):
        for cc in range(1, 9):
            ws.cell(row=rr, column=cc).border = BORDER
    r += 11
    _heading(ws, r, SCORES_HEADING)
    s_first, s_last = _scores_table(ws, r + 1, data.scores)

    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    fit_rows(ws, first, s_last)
    end = max(s_last, r + 1) + 2
    if data.types or data.scores:
        ws.row_breaks.append(Break(id=end - 1))
    if data.types:
        ws.add_chart(_bar(TYPES_CHART, "满意占比", ws, 6, first, total - 1, percent=True), f"A{end}")
        end += 16
    if data.scores:
        ws.add_chart(_bar(SCORES_CHART, "扣分", ws, 2, s_first, s_last, percent=False), f"A{end}")
        end += 16
    print_setup(ws, None, page_header(data.month, SHEET), landscape=False, print_area=f"A1:H{end}")
    _detail(wb, data, people)
    if data.agents:
        _agents(wb, data)
    return wb


def _agents(wb: Workbook, data: ReportData) -> None:
    ws = wb.create_sheet(AGENTS)
    headers = agent_headers(data)
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
    print_setup(ws, "2:2", page_header(data.month, AGENTS), landscape=True, print_area=f"A1:{get_column_letter(len(headers))}{last + 2}")


def _detail(wb: Workbook, data: ReportData, people: str) -> None:
    ws = wb.create_sheet(DETAIL)
    headers = detail_headers(people)
    header_cells(ws, 1, tuple(headers))
    for r, c in enumerate(data.calls, start=2):
        for col, v in enumerate(detail_values(c, people), start=1):
            _cell(ws, r, col, v, FMT_DATE if isinstance(v, date | datetime) else None, wrap=headers[col - 1] == "不满原因")
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = detail_width(h)
    ws.freeze_panes = "A2"
    fit_rows(ws, 2, len(data.calls) + 1)
    print_setup(ws, "1:1", page_header(data.month, DETAIL), landscape=True)


# --- the 服务通报 sheet, as books/bulletin.py wrote it with period_report.write_table ---------------


def _table_cell(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None) -> None:
    value = redact_phones(value) if isinstance(value, str) else value
    c = put(ws, row, col, value)
    c.font, c.border, c.alignment = BODY_FONT, BORDER, CELL_ALIGN
    if isinstance(value, datetime):
        c.number_format = fmt or FMT_DATETIME
    elif isinstance(value, date):
        c.number_format = fmt or FMT_DATE
    elif fmt and isinstance(value, int | float):
        c.number_format = fmt


def _write_table(ws: Worksheet, row: int, heading: str, rows: Sequence[Mapping[str, Any]], headers: Mapping[str, str],
                 formats: Mapping[str, str]) -> int:
    put(ws, row, 1, heading).font = HEADER_FONT
    row += 1
    if not rows:
        _table_cell(ws, row, 1, "无数据", None)
        return row + 2
    cols = list(rows[0])
    for c, name in enumerate(cols, start=1):
        header_cell(ws, row, c, headers.get(name) or COLUMNS.get(name, (name, None))[0])
    ws.row_dimensions[row].height = 30
    fmts = [formats.get(name) or COLUMNS.get(name, ("", None))[1] for name in cols]
    for values in rows:
        row += 1
        for c, (name, fmt) in enumerate(zip(cols, fmts, strict=True), start=1):
            _table_cell(ws, row, c, values[name], fmt)
    return row + 2


def add_bulletin_sheet(wb: Workbook, b: Bulletin) -> Worksheet:
    ws = wb.create_sheet(BULLETIN)
    put(ws, 1, 1, f"{Month(b.month).title} 服务通报（回访部分）").font = TITLE_FONT
    put(ws, 2, 1, "回访办法五.6(2)：服务办公室对上月回访结果进行分析总结，纳入服务通报。以下文字可直接引用。").font = NOTE_FONT
    row = 4
    for text in b.lines:
        c = put(ws, row, 1, redact_phones(text))
        c.font, c.alignment = BODY_FONT, WRAP_ALIGN
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
        ws.row_dimensions[row].height = 30
        row += 1
    row += 1
    prev = f"上月（{b.previous}）满意率" if b.previous else "上月满意率"
    row = _write_table(ws, row, "一、各业务回访满意率", b.types, {"previous": prev, "change": "变化（百分点）"},
                       {"previous": FMT_PERCENT, "change": "0.00"})
    row = _write_table(ws, row, "二、不满意原因", b.problems, {"key": "不满原因", "n": "次数", "depts": "责任部门（次数）"}, {"n": FMT_INT})
    row = _write_table(ws, row, "三、流转单反馈（两个自然日内，回访办法六.1）", b.late_flows, {"key": "责任部门"}, {})
    for letter, width in zip("ABCDEFGH", (16, 9, 10, 9, 10, 14, 12, 10), strict=True):
        ws.column_dimensions[letter].width = width
    fit_rows(ws, 4, 4 + len(b.lines))
    print_setup(ws, None, page_header(b.month, BULLETIN), landscape=False, print_area=f"A1:H{row}")
    return ws


def month_report(data: ReportData, people: str, bulletin: Bulletin | None, now: datetime) -> Workbook:
    wb = build_report(data, people)
    if bulletin is not None:
        add_bulletin_sheet(wb, bulletin)
    return fixed_properties(wb, now)
