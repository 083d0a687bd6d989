"""服务通报 sheet of the monthly 客户回访报告 (回访办法 五.6(2): the service office analyses last
month's callbacks and puts the results into the 服务通报): a few sentences to paste into the
通报, and the tables they come from. Values only, A4, no customer in it.

The figures are computed by `services.bulletin` with the same figures as the quarterly
and annual report (`history.figures`); this module only lays them out, on a `xlsx.Draft`
the report's book writes (books/report.py). Tables are plain rows (dicts, the columns
named as in `figure_table.COLUMNS`): the close makes no pandas frame for them.

    >>> bulletin_draft(Bulletin("2026-11", ["本月有效回访 3 次"])).name
    '服务通报'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xinao_xl.policy.month import Month
from xinao_xl.policy.privacy import redact_phones

from .figure_table import draft_table
from .schema import FMT_INT, FMT_PERCENT
from .style import BODY_FONT, NOTE_FONT, TITLE_FONT, WRAP_ALIGN, Look
from .xlsx import Draft, print_page

SHEET = "服务通报"
WIDTH = 8
Rows = list[dict[str, Any]]


@dataclass
class Bulletin:
    """The month's 服务通报 figures: sentences, then tables (rows keyed by column name)."""

    month: str
    lines: list[str] = field(default_factory=list)
    types: Rows = field(default_factory=list)  # business, calls, …, satisfaction, previous, change
    problems: Rows = field(default_factory=list)  # key (不满原因), n, depts
    late_flows: Rows = field(default_factory=list)  # key (department), flows, late_flows
    previous: str | None = None  # the month compared with, when the history holds it


def bulletin_draft(b: Bulletin) -> Draft:
    """The 服务通报 sheet, to follow the month's report sheets."""
    d = Draft(SHEET)
    d.put(1, 1, f"{Month(b.month).title} 服务通报（回访部分）", Look(font=TITLE_FONT))
    d.put(2, 1, "回访办法五.6(2)：服务办公室对上月回访结果进行分析总结，纳入服务通报。以下文字可直接引用。", Look(font=NOTE_FONT))
    row = 4
    for text in b.lines:
        d.put(row, 1, redact_phones(text), Look(font=BODY_FONT, alignment=WRAP_ALIGN))
        d.merge(row, 1, row, WIDTH)
        d.height(row, 30)
        row += 1
    row += 1
    prev = f"上月（{b.previous}）满意率" if b.previous else "上月满意率"
    row = draft_table(d, row, "一、各业务回访满意率", b.types, headers={"previous": prev, "change": "变化（百分点）"},
                      formats={"previous": FMT_PERCENT, "change": "0.00"})
    row = draft_table(d, row, "二、不满意原因", b.problems, headers={"key": "不满原因", "n": "次数", "depts": "责任部门（次数）"},
                      formats={"n": FMT_INT})
    row = draft_table(d, row, "三、流转单反馈（两个自然日内，回访办法六.1）", b.late_flows, headers={"key": "责任部门"})
    for col, width in enumerate((16, 9, 10, 9, 10, 14, 12, 10), start=1):
        d.widths[col] = width
    d.fit_rows(4, 4 + len(b.lines))
    d.page = print_page(None, f"{Month(b.month).title}份客户回访报告 · {SHEET}", landscape=False, print_area=f"A1:H{row}")
    return d


__all__ = ["SHEET", "Bulletin", "bulletin_draft"]
