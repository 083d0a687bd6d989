"""The figure tables of the reports: what each column the history figures name is called and
how its numbers show (`COLUMNS`), and such a table written on a `xlsx.Draft` (`draft_table`).

Why a module of its own: the period report (books/period_report.py, openpyxl, with charts)
and the 服务通报 sheet of the monthly 回访报告 (books/bulletin.py, XlsxWriter) lay out the
same figures with the same headers; this one owns the headers and needs neither pandas
nor openpyxl's writer, so the close's start-up pays for neither (issue 16).

A table is a heading, a header row (30 pt high), one row per dict in ``rows`` (values,
text scrubbed of phone numbers), "无数据" when there is no row; the next free row is
returned, one blank row below, as `period_report.write_table` does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from xinao_xl.policy.privacy import redact_phones

from .schema import FMT_DATE, FMT_DATETIME, FMT_INT, FMT_PERCENT, FMT_POINTS
from .style import BODY_FONT, BORDER, CELL_ALIGN, HEADER_FONT, HEADER_LOOK, Look
from .xlsx import Draft

FMT_HOURS = "0.0"

# frame column -> (Chinese header, number format). The queries' frames use these names.
COLUMNS: dict[str, tuple[str, str | None]] = {
    "key": ("类别", None),
    "complaints": ("投诉（起）", FMT_INT),
    "rows": ("投诉（部门条）", FMT_INT),
    "responsible": ("有责（条）", FMT_INT),
    "not_responsible": ("无责（条）", FMT_INT),
    "points": ("扣分", FMT_POINTS),
    "share": ("占比", FMT_PERCENT),
    "stage": ("环节", None),
    "limit": ("时限", None),
    "total": ("环节数", FMT_INT),
    "on_time": ("按时完成", FMT_INT),
    "late": ("超时完成", FMT_INT),
    "open_overdue": ("未完成已超时", FMT_INT),
    "open": ("未完成未超时", FMT_INT),
    "on_time_rate": ("按时率", FMT_PERCENT),
    "median_hours": ("处理时长中位数（小时）", FMT_HOURS),
    "p90_hours": ("处理时长90%分位（小时）", FMT_HOURS),
    "no": ("投诉单号", None),
    "accepted": ("受理时间", FMT_DATETIME),
    "dept": ("责任部门", None),
    "level": ("投诉级别", None),
    "channel": ("受理渠道", None),
    "previous_no": ("前次投诉单号", None),
    "previous_closed": ("前次办结时间", FMT_DATETIME),
    "days_after": ("相隔天数", FMT_INT),
    "business": ("业务类型", None),
    "completed": ("业务总量", FMT_INT),
    "calls": ("回访量", FMT_INT),
    "satisfied": ("满意", FMT_INT),
    "unsatisfied": ("不满意", FMT_INT),
    "invalid": ("未接通/拒访", FMT_INT),
    "satisfaction": ("满意率", FMT_PERCENT),
    "month": ("月份", None),
    "flows": ("流转单", FMT_INT),
    "late_flows": ("超时反馈或未反馈", FMT_INT),
    "late_rate": ("超时比例", FMT_PERCENT),
    "deductions": ("扣分合计", FMT_POINTS),
    "bonuses": ("加分合计", FMT_POINTS),
    "score": ("月度服务得分", FMT_POINTS),
    "grade": ("考核等级", None),
    "category": ("扣分类别", None),
    # 投诉过程 (投诉 第七条)
    "reviewed": ("已审核（轮）", FMT_INT),
    "rejected": ("驳回（轮）", FMT_INT),
    "rejected_complaints": ("被驳回的投诉（条）", FMT_INT),
    "max_round": ("最多轮次", FMT_INT),
    "reject_rate": ("驳回率", FMT_PERCENT),
    "applied": ("申请（条）", FMT_INT),
    "approved": ("已批准", FMT_INT),
    "terminated": ("特殊终止办结", FMT_INT),
    "pending": ("待审批", FMT_INT),
    "refused": ("未批准", FMT_INT),
    "called": ("已回访", FMT_INT),
    "basically": ("基本满意", FMT_INT),
    "recheck": ("不满意待复查", FMT_INT),
    "kind": ("责任类别", None),
    "unit": ("单位或服务商", None),
}


HEADING = Look(font=HEADER_FONT)


def _value(value: Any) -> Any:
    """A blank (None, NaN) as None, text scrubbed of phone numbers (as `period_report._plain`)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return redact_phones(value) if isinstance(value, str) else value


def _look(value: Any, fmt: str | None) -> Look:
    if isinstance(value, datetime):
        fmt = fmt or FMT_DATETIME
    elif isinstance(value, date):
        fmt = fmt or FMT_DATE
    elif not (fmt and isinstance(value, int | float)):
        fmt = None
    return _LOOKS.get(fmt) or _LOOKS.setdefault(fmt, Look(font=BODY_FONT, border=BORDER, alignment=CELL_ALIGN, number_format=fmt))


_LOOKS: dict[str | None, Look] = {}


def draft_table(d: Draft, row: int, heading: str, rows: Sequence[Mapping[str, Any]], headers: Mapping[str, str] | None = None,
                formats: Mapping[str, str] | None = None) -> int:
    """The table from `row` on `d` (heading, header row, one row per dict of `rows`, its keys
    the columns); the next free row."""
    headers, formats = headers or {}, formats or {}
    d.put(row, 1, heading, HEADING)
    row += 1
    if not rows:
        d.put(row, 1, "无数据", _look("无数据", None))
        return row + 2
    cols = [str(c) for c in rows[0]]
    for c, name in enumerate(cols, start=1):
        d.put(row, c, headers.get(name) or COLUMNS.get(name, (name, None))[0], HEADER_LOOK)
    d.height(row, 30)
    fmts = [formats.get(name) or COLUMNS.get(name, ("", None))[1] for name in cols]
    for values in rows:
        row += 1
        for c, (name, fmt) in enumerate(zip(cols, fmts, strict=True), start=1):
            value = _value(values[name])
            d.put(row, c, value, _look(value, fmt))
    return row + 2


__all__ = ["COLUMNS", "FMT_HOURS", "draft_table"]
