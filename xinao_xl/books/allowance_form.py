"""服务津贴申请 (考核 5.4): the allowance application the 兼职服务管理员 submits for approval.

"兼职服务管理员依据部门服务考核进行评分，并根据服务津贴发放标准编制服务津贴申请，报服务主管审批":
one A4 page, portrait: per department its 月度服务得分, 考核等级, 服务津贴基数 and 兼职服务津贴
with the total, the clause under each column's name, who reviewed and approved each
department's assessment (考核 5.3), the rule the allowance follows in words, and lines for
编制人 and 服务主管审批. The figures are the closed ones (the close's score cards, or the
close record for `xinao-xl allowance-form`): the application never computes its own.

    >>> from xinao_xl.policy.rules import load_rules
    >>> from io import BytesIO
    >>> from openpyxl import load_workbook
    >>> data = build_allowance_form("2026-11", [AllowanceLine("客服部", 98.5, "", 500, 492.5)], load_rules())
    >>> load_workbook(BytesIO(data)).sheetnames
    ['服务津贴申请']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from openpyxl.styles import Alignment

from xinao_xl.policy.rounding import excel_round, to_decimal
from xinao_xl.policy.rules import Rules

from .style import BODY_FONT, BORDER, HEADER_LOOK, NOTE_FONT, TITLE_FONT
from .xlsx import Book, Draft, one_page

__all__ = ["HEADERS", "SHEET", "AllowanceLine", "build_allowance_form", "clauses"]

SHEET = "服务津贴申请"
HEADERS = ("部门", "月度服务得分", "考核等级", "服务津贴基数（元）", "兼职服务津贴（元）", "审核 / 审批")
WIDTHS = (13, 12, 10, 15, 15, 28)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class AllowanceLine:
    """One department's closed figures (None: not set, e.g. no 服务津贴基数 typed)."""

    department: str
    score: float
    grade: str
    base: float | None
    allowance: float | None
    reviewed: str = ""  # 审核人 and 审批人 as the close recorded them


def clauses(rules: Rules) -> tuple[str, ...]:
    """The clause under each column: where the number comes from in the policy."""
    allowance = next((r.clause for r in rules.readings if r.key == "allowance"), "考核 9")
    return ("", f"{rules.param('base_score').clause}、7", rules.param("grade_c").clause, allowance, allowance, "考核 5.3")


def _sum(values: Sequence[float | None]) -> float:
    total = sum((to_decimal(v) for v in values if v is not None), Decimal(0))
    return float(excel_round(total, 2))


def build_allowance_form(month: str, lines: Sequence[AllowanceLine], rules: Rules, *, now: datetime | None = None,
                         closed: str = "", prepared_by: str = "", extra: Mapping[str, str] | None = None) -> bytes:
    """The month's 服务津贴申请 as an .xlsx file (one sheet, one A4 page), written with
    XlsxWriter in memory (`xlsx.Book`; with `now`, no save time goes into the file)."""
    d = Draft(SHEET)
    last = len(HEADERS)
    for i, width in enumerate(WIDTHS, start=1):
        d.widths[i] = width
    d.put(1, 1, f"{month} 兼职服务津贴申请")
    d.style(1, 1, font=TITLE_FONT, alignment=CENTER)
    d.merge(1, 1, 1, last)
    d.height(1, 34)
    d.put(2, 1, f"依据：服务考核管理办法（考核 5.4、9）；数字取自 {month} 结账结果" + (f"（{closed}）" if closed else ""))
    d.style(2, 1, font=NOTE_FONT, alignment=CENTER)
    d.merge(2, 1, 2, last)
    for c, text in enumerate(HEADERS, start=1):
        d.put(3, c, text, HEADER_LOOK)
    for c, text in enumerate(clauses(rules), start=1):
        d.put(4, c, f"（{text}）" if text else "依据条款")
        d.style(4, c, font=NOTE_FONT, alignment=CENTER, border=BORDER)
    d.height(3, 30)
    r = 5
    for line in lines:
        values = (line.department, line.score, line.grade or "—", line.base if line.base is not None else "未填",
                  line.allowance if line.allowance is not None else "—", line.reviewed)
        for c, value in enumerate(values, start=1):
            d.put(r, c, value)
            d.style(r, c, font=BODY_FONT, border=BORDER, alignment=LEFT if c == last else CENTER)
            if c in (2, 4, 5) and isinstance(value, float | int):
                d.style(r, c, number_format="0.00")
        d.height(r, 24)
        r += 1
    total = ("合计", None, None, _sum([x.base for x in lines]), _sum([x.allowance for x in lines]), None)
    for c, value in enumerate(total, start=1):
        d.put(r, c, value)
        d.style(r, c, font=BODY_FONT, border=BORDER, alignment=CENTER)
        if isinstance(value, float):
            d.style(r, c, number_format="0.00")
    d.height(r, 24)
    r += 2
    cap = float(rules.value("allowance_score_cap"))
    rule = ("兼职服务津贴 = 服务津贴基数 × 月度服务得分 ÷ 100" + (f"（得分最多按 {cap:g} 分计）" if cap > 0 else "（不封顶）")
            + f"；月度服务得分 = 基础分 {float(rules.value('base_score')):g} − 扣分合计 + 加分合计；考核等级为 {rules.value('grade_c')} 级的部门注明“{rules.value('grade_c')}”。未填基数的部门不计津贴。")
    d.put(r, 1, rule)
    d.style(r, 1, font=NOTE_FONT, alignment=LEFT)
    d.merge(r, 1, r, last)
    d.fit_row(r)
    r += 2
    for text in (f"编制人（兼职服务管理员）：{prepared_by or '　' * 8}　　　　日期：　　　　年　　月　　日",
                 "服务主管审批：　　　　　　　　　　　　　　　日期：　　　　年　　月　　日"):
        d.put(r, 1, text)
        d.style(r, 1, font=BODY_FONT, alignment=LEFT)
        d.merge(r, 1, r, last)
        d.height(r, 36)
        r += 1
    for key, text in (extra or {}).items():
        d.put(r, 1, f"{key}：{text}")
        d.style(r, 1, font=NOTE_FONT)
        d.merge(r, 1, r, last)
        r += 1
    d.page = one_page(f"A1:{chr(64 + last)}{r - 1}")
    book = Book(now)
    book.add(d)
    return book.to_bytes()
