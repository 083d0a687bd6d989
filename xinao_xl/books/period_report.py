"""季度/年度分析报告 (投诉办法 第十条(二): monthly, quarterly and annual statistical analysis
of the 投诉信息记录数据库; 回访办法 五.6(2)): values, native Excel charts, A4.

Why values and not formulas: like the monthly 回访报告, this file is mailed and previewed
by viewers that do not recalculate; every number comes from the history store's queries
(`xinao_xl.history.queries`) and is written as a number. The charts are native Excel
charts over those cells, so they print, stay editable and follow a corrected cell.

Why this module knows the tables' Chinese headers: it is the report's schema. The queries
return frames with the English column names below (`COLUMNS`); the service hands them over
in a `PeriodData` and nothing else decides what a header says.

Customers: the report holds no phone and no customer name. Text cells pass through
`scrub` as a last guard (a phone number that slipped into a text is masked).

    >>> wb = build_period_report(PeriodData("2026Q4", "2026年第四季度", ("2026-10",), ("2026-10",)))
    >>> wb.sheetnames[:3]
    ['概览', '投诉统计', '投诉时效']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xinao_xl.policy.privacy import redact_phones

from .cells import put
from .figure_table import COLUMNS
from .printing import page_header
from .schema import FMT_DATE, FMT_DATETIME, FMT_INT, FMT_PERCENT, FMT_POINTS
from .style import (
    BODY_FONT,
    BORDER,
    CELL_ALIGN,
    HEADER_FONT,
    NOTE_FONT,
    TITLE_FONT,
    WRAP_ALIGN,
    header_cell,
)

CHART_ROWS = 17  # rows a chart takes below its table (7.5 cm high at the default row height)
WIDTH = 9  # columns the printed page spans

OVERVIEW = "概览"
COMPLAINTS = "投诉统计"
SLA = "投诉时效"
REPEATS = "重复投诉"
COURSE = "投诉过程"
CALLBACKS = "回访统计"
FLOWS = "流转单超时"
SCORES = "部门考核"
SHEETS = (OVERVIEW, COMPLAINTS, SLA, REPEATS, COURSE, CALLBACKS, FLOWS, SCORES)


@dataclass(frozen=True)
class ChartSpec:
    """A native chart over some of a table's columns; categories are the first column."""

    title: str
    columns: tuple[str, ...]  # frame columns (English names) plotted as series
    y_title: str = ""
    kind: str = "bar"  # bar | line
    percent: bool = False
    stacked: bool = False


@dataclass
class Table:
    """One heading, one frame (first column = row labels), an optional chart under it."""

    heading: str
    frame: pd.DataFrame
    chart: ChartSpec | None = None
    note: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)  # extra/overriding headers
    formats: Mapping[str, str] = field(default_factory=dict)  # extra/overriding formats


@dataclass
class PeriodData:
    """What the queries found for the period (frames keyed by the names the sheets use).

    ``frames`` keys: complaints_by_level, complaints_by_channel, complaints_by_dept,
    complaints_by_major, complaints_by_resp, sla, repeats, rejections, terminations,
    complaint_callbacks, outside_parties, callbacks_by_type, satisfaction_trend,
    late_flows, scores, deductions, deductions_by_category, score_trend. A key that is
    missing or an empty frame prints "无数据".
    """

    period: str  # 2026Q4, 2026, 2026-11
    title: str  # 2026年第四季度
    months: tuple[str, ...]  # the months the period asks for
    present: tuple[str, ...]  # the months the history holds
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    overview: list[tuple[str, Any, str | None]] = field(default_factory=list)  # (label, value, format)
    company: str = ""
    source: str = ""  # where the data came from (database, without a password): for the console, never in the report
    trend_months: tuple[str, ...] = ()

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(m for m in self.months if m not in self.present)

    def frame(self, key: str) -> pd.DataFrame:
        return self.frames.get(key, pd.DataFrame())


def scrub(value: Any) -> Any:
    """A text cell never carries a phone number (masked as the monthly report masks)."""
    return redact_phones(value) if isinstance(value, str) else value


def _plain(value: Any) -> Any:
    """pandas/numpy scalars → what openpyxl writes; NaN/NaT/NA → blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return scrub(value)


def _cell(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None) -> None:
    value = _plain(value)
    c = put(ws, row, col, value)
    c.font, c.border, c.alignment = BODY_FONT, BORDER, CELL_ALIGN
    if isinstance(value, datetime):
        c.number_format = fmt or FMT_DATETIME
    elif isinstance(value, date):
        c.number_format = fmt or FMT_DATE
    elif fmt and isinstance(value, int | float):
        c.number_format = fmt


def _title(ws: Worksheet, text: str, note: str) -> int:
    t = put(ws, 1, 1, text)
    t.font = TITLE_FONT
    t.alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[1].height = 26
    n = put(ws, 2, 1, note)
    n.font = NOTE_FONT
    return 4


def _chart(ws: Worksheet, spec: ChartSpec, cols: list[str], header_row: int, last_row: int) -> BarChart | LineChart:
    chart: BarChart | LineChart
    if spec.kind == "line":
        chart = LineChart()
    else:
        chart = BarChart()
        chart.type = "col"
        if spec.stacked:
            chart.grouping, chart.overlap = "stacked", 100
    chart.title = spec.title
    chart.y_axis.title = spec.y_title or None
    chart.height, chart.width = 7.5, 17
    for name in spec.columns:
        col = cols.index(name) + 1
        chart.add_data(Reference(ws, min_col=col, min_row=header_row, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    if len(spec.columns) == 1:
        chart.legend = None
    if spec.kind == "bar" and not spec.stacked and len(spec.columns) == 1 and last_row - header_row <= 12:
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showVal = True
        chart.dataLabels.showSerName = chart.dataLabels.showCatName = chart.dataLabels.showLegendKey = False
    if spec.kind == "line":
        for series in chart.series:  # a month alone between gaps still shows as a point
            series.marker.symbol, series.marker.size, series.smooth = "circle", 5, False
    if spec.percent:
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.max = 1
    else:
        chart.y_axis.number_format = "0"
    chart.y_axis.scaling.min = 0
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    return chart


def write_table(ws: Worksheet, row: int, table: Table) -> int:
    """The table from `row` (heading, header row, data) and its chart; the next free row."""
    h = put(ws, row, 1, table.heading)
    h.font = HEADER_FONT
    frame = table.frame
    row += 1
    if frame is None or frame.empty:
        _cell(ws, row, 1, "无数据", None)
        return row + 2
    cols = [str(c) for c in frame.columns]
    for c, name in enumerate(cols, start=1):
        header_cell(ws, row, c, table.headers.get(name) or COLUMNS.get(name, (name, None))[0])
    ws.row_dimensions[row].height = 30
    header_row = row
    formats = [table.formats.get(name) or COLUMNS.get(name, ("", None))[1] for name in cols]
    for values in frame.itertuples(index=False, name=None):
        row += 1
        for c, (v, fmt) in enumerate(zip(values, formats, strict=True), start=1):
            _cell(ws, row, c, v, fmt)
    row += 1
    if table.note:
        n = put(ws, row, 1, table.note)
        n.font = NOTE_FONT
        row += 1
    if table.chart and row - 1 > header_row:
        ws.add_chart(_chart(ws, table.chart, cols, header_row, header_row + len(frame)), f"A{row + 1}")
        row += CHART_ROWS + 1
    return row + 1


def _sheet(wb: Workbook, name: str, title: str, note: str, tables: Sequence[Table], widths: Sequence[float], landscape: bool = False) -> Worksheet:
    ws = wb.create_sheet(name)
    row = _title(ws, title, note)
    for t in tables:
        row = write_table(ws, row, t)
    last_col = max([WIDTH, *(len(t.frame.columns) for t in tables if t.frame is not None)])
    for i in range(1, last_col + 1):
        ws.column_dimensions[get_column_letter(i)].width = widths[i - 1] if i <= len(widths) else 10
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    page_header(ws, f"{title} · {name}")
    ws.print_area = f"A1:{get_column_letter(last_col)}{max(row, 3)}"
    return ws


def _by(data: PeriodData, key: str, heading: str, chart_title: str, header: str) -> Table:
    frame = data.frame(key)
    cols = [c for c in ("complaints", "rows") if c in frame.columns][:1]
    chart = ChartSpec(chart_title, tuple(cols), "条数" if cols == ["rows"] else "起数") if cols else None
    return Table(heading, frame, chart, headers={"key": header})


def _pivot_chart(frame: pd.DataFrame, title: str, y_title: str, percent: bool = False) -> ChartSpec | None:
    series = tuple(c for c in frame.columns[1:])
    return ChartSpec(title, series, y_title, kind="line", percent=percent) if series else None


def build_period_report(data: PeriodData) -> Workbook:
    """The period report workbook (not saved)."""
    wb = Workbook()
    wb.remove(wb.active)
    months = "、".join(data.present) or "无"
    note = f"统计月份：{months}"
    if data.missing:
        note += f"；历史库中缺少：{'、'.join(data.missing)}（未计入）"
    head = f"{data.company}" if data.company else ""

    # 概览
    ws = wb.create_sheet(OVERVIEW)
    row = _title(ws, f"{head}{data.title}客户服务分析报告", note)
    header_cell(ws, row, 1, "项目")
    header_cell(ws, row, 2, "数值")
    for label, value, fmt in data.overview:
        row += 1
        _cell(ws, row, 1, label, None)
        _cell(ws, row, 2, value, fmt)
    row += 2
    for text in (
        "数据来源：历史库中各月结账时写入的台账记录（投诉办法第十条(二)、回访办法五.6(2)）；工作簿为准，历史库可随时由已结账月份重建。",
        "投诉按“起”计数时，一起投诉涉及多个部门只计一次；按“部门条”计数时每个责任部门各计一条（投诉办法第六条(二)4）。",
        "报告中不含客户电话和姓名。",
    ):
        if text:
            n = put(ws, row, 1, text)
            n.font, n.alignment = NOTE_FONT, WRAP_ALIGN
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
            ws.row_dimensions[row].height = 28
            row += 1
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 14
    for i in range(3, WIDTH + 1):
        ws.column_dimensions[get_column_letter(i)].width = 9
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    page_header(ws, f"{head}{data.title}客户服务分析报告 · {OVERVIEW}")
    ws.print_area = f"A1:{get_column_letter(WIDTH)}{row}"

    narrow = (16, 11, 12, 10, 10, 10, 10, 10, 10)
    _sheet(wb, COMPLAINTS, f"{data.title}投诉统计", note, [
        _by(data, "complaints_by_level", "一、按投诉级别", "各级别投诉", "投诉级别"),
        _by(data, "complaints_by_channel", "二、按受理渠道", "各渠道投诉", "受理渠道"),
        Table("三、按责任部门", data.frame("complaints_by_dept"),
              ChartSpec("各部门投诉（有责/无责）", ("responsible", "not_responsible"), "条数", stacked=True), headers={"key": "责任部门"}),
        _by(data, "complaints_by_major", "四、按重大投诉类别（附件1）", "重大投诉类别", "重大投诉类别"),
        Table("五、有责/无责（无责按附件2原因）", data.frame("complaints_by_resp"), None, headers={"key": "有责/无责"}),
    ], narrow)
    _sheet(wb, SLA, f"{data.title}投诉处理时效", note, [
        Table("各环节按时完成情况", data.frame("sla"), ChartSpec("各环节按时率", ("on_time_rate",), "按时率", percent=True),
              note="处理时长以小时计，从环节起算时间（受理或最终处理反馈）到完成时间，只统计已完成的环节；按时率 = 按时完成 ÷ （按时完成 + 超时完成 + 未完成已超时）。"),
    ], (18, 25, 8, 9, 9, 11, 11, 9, 13, 13), landscape=True)
    _sheet(wb, REPEATS, f"{data.title}重复投诉", note, [
        Table("同一客户在前次投诉办结后3个月内再次投诉（投诉办法附件3第7种情形）", data.frame("repeats"),
              note="客户按电话识别（无电话时按姓名和地址）；报告中不列客户信息。"),
    ], (15, 16, 11, 9, 9, 15, 16, 9))
    _sheet(wb, COURSE, f"{data.title}投诉处理过程", note, [
        Table("一、服务管理办公室审核与驳回（投诉办法第七条(二)3）", data.frame("rejections"), None, headers={"key": "责任部门"},
              note="驳回的一轮不计分，责任部门继续调查为新一轮；驳回率 = 驳回（轮）÷ 已审核（轮）。"),
        Table("二、投诉回访结果（投诉办法第七条(三)）", data.frame("complaint_callbacks"),
              ChartSpec("各部门投诉回访满意率", ("satisfaction",), "满意率", percent=True), headers={"key": "责任部门"},
              note="只计投诉台账中计分的行（最后一轮）；满意率 = （满意 + 基本满意）÷ 已回访。"),
        Table("三、特殊终止（投诉办法第七条(四)3、附件5）", data.frame("terminations"), None, headers={"key": "责任部门"},
              note="只有无责投诉经客户服务理正审批后可特殊终止，按办结计，有责/无责不变。"),
        Table("四、外包服务方、内部协同单位导致的投诉（投诉办法第七条(四)2）", data.frame("outside_parties"), None,
              headers={"dept": "责任部门（服务商管理部门）"},
              note="外包服务方的投诉归服务商管理部门并扣该部门的分；内部协同单位的投诉责任归属该单位。"),
    ], (16, 14, 14, 10, 10, 10, 10, 10, 10))
    trend = data.frame("satisfaction_trend")
    _sheet(wb, CALLBACKS, f"{data.title}回访统计", note, [
        Table("一、各业务回访量与满意率", data.frame("callbacks_by_type"), ChartSpec("各业务满意率", ("satisfaction",), "满意率", percent=True),
              note="未接通、拒访不计入回访量和满意率（满意率 = 满意 ÷ （满意 + 不满意））。"),
        Table("二、满意率逐月变化", trend, _pivot_chart(trend, "满意率逐月变化", "满意率", percent=True), headers={"month": "月份"},
              formats={c: FMT_PERCENT for c in trend.columns if c != "month"}),
    ], narrow)
    flows = data.frame("late_flows")
    _sheet(wb, FLOWS, f"{data.title}流转单超时反馈", note, [
        Table("各责任部门流转单超时（两个自然日内未反馈，回访办法六.1）", flows,
              ChartSpec("各部门超时流转单", ("late_flows",), "张数") if "late_flows" in flows.columns else None,
              headers={"key": "责任部门"}, formats={c: FMT_INT for c in flows.columns if c not in ("key", "late_rate")}),
    ], narrow)
    scores, deductions, trend12 = data.frame("scores"), data.frame("deductions"), data.frame("score_trend")
    by_month = {c: FMT_POINTS for c in (*scores.columns, *deductions.columns, *trend12.columns) if c not in ("key", "month")}
    span = f"{data.trend_months[0]}至{data.trend_months[-1]}" if data.trend_months else "近12个月"
    _sheet(wb, SCORES, f"{data.title}部门服务考核", note, [
        Table("一、各部门月度服务得分", scores, None, headers={"key": "部门"}, formats=by_month),
        Table("二、各部门月度扣分合计", deductions, None, headers={"key": "部门"}, formats=by_month),
        Table("三、本期扣分按类别", data.frame("deductions_by_category"), None, headers={"key": "部门"},
              formats={c: FMT_POINTS for c in data.frame("deductions_by_category").columns if c != "key"}),
        Table(f"四、得分趋势（{span}，空白为历史库中无该月）", trend12, _pivot_chart(trend12, "各部门月度服务得分趋势", "得分"),
              headers={"month": "月份"}, formats=by_month),
    ], (12, 10, 10, 10, 10, 10, 10, 10, 10), landscape=True)
    wb.active = 0
    return wb


__all__ = ["COLUMNS", "ChartSpec", "PeriodData", "SHEETS", "Table", "build_period_report", "scrub", "write_table"]
