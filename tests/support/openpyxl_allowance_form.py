"""The 服务津贴申请 as openpyxl built it before books/xlsx.py (commit 9b85732): the reference
tests/books/test_allowance_form.py compares the XlsxWriter workbook with. Kept as it was,
for tests only: the form's content (its headers, widths, lines, clauses, sums) is taken from
the live module, so this compares the two ways of writing, not two copies of what is written."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from openpyxl import Workbook

from xinao_xl.books.allowance_form import (
    CENTER,
    HEADERS,
    LEFT,
    SHEET,
    WIDTHS,
    AllowanceLine,
    _sum,
    clauses,
)
from xinao_xl.books.cells import put
from xinao_xl.books.printing import fit_row, one_page_form
from xinao_xl.books.style import BODY_FONT, BORDER, HEADER_LOOK, NOTE_FONT, TITLE_FONT
from xinao_xl.books.writer import fixed_properties
from xinao_xl.policy.rules import Rules


def build_allowance_form(month: str, lines: Sequence[AllowanceLine], rules: Rules, *, now: datetime | None = None,
                         closed: str = "", prepared_by: str = "", extra: Mapping[str, str] | None = None) -> Workbook:
    """The month's 服务津贴申请 as a workbook (one sheet, one A4 page)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    last = len(HEADERS)
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    title = put(ws, 1, 1, f"{month} 兼职服务津贴申请")
    title.font, title.alignment = TITLE_FONT, CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.row_dimensions[1].height = 34
    sub = put(ws, 2, 1, f"依据：服务考核管理办法（考核 5.4、9）；数字取自 {month} 结账结果" + (f"（{closed}）" if closed else ""))
    sub.font, sub.alignment = NOTE_FONT, CENTER
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    for c, text in enumerate(HEADERS, start=1):
        HEADER_LOOK.apply(ws.cell(row=3, column=c, value=text))
    for c, text in enumerate(clauses(rules), start=1):
        cell = put(ws, 4, c, f"（{text}）" if text else "依据条款")
        cell.font, cell.alignment, cell.border = NOTE_FONT, CENTER, BORDER
    ws.row_dimensions[3].height = 30
    r = 5
    for line in lines:
        values = (line.department, line.score, line.grade or "—", line.base if line.base is not None else "未填",
                  line.allowance if line.allowance is not None else "—", line.reviewed)
        for c, value in enumerate(values, start=1):
            cell = put(ws, r, c, value)
            cell.font, cell.border = BODY_FONT, BORDER
            cell.alignment = LEFT if c == last else CENTER
            if c in (2, 4, 5) and isinstance(value, float | int):
                cell.number_format = "0.00"
        ws.row_dimensions[r].height = 24
        r += 1
    total = ("合计", None, None, _sum([x.base for x in lines]), _sum([x.allowance for x in lines]), None)
    for c, value in enumerate(total, start=1):
        cell = put(ws, r, c, value)
        cell.font, cell.border, cell.alignment = BODY_FONT, BORDER, CENTER
        if isinstance(value, float):
            cell.number_format = "0.00"
    ws.row_dimensions[r].height = 24
    r += 2
    cap = float(rules.value("allowance_score_cap"))
    rule = ("兼职服务津贴 = 服务津贴基数 × 月度服务得分 ÷ 100" + (f"（得分最多按 {cap:g} 分计）" if cap > 0 else "（不封顶）")
            + f"；月度服务得分 = 基础分 {float(rules.value('base_score')):g} − 扣分合计 + 加分合计；考核等级为 {rules.value('grade_c')} 级的部门注明“{rules.value('grade_c')}”。未填基数的部门不计津贴。")
    note = put(ws, r, 1, rule)
    note.font, note.alignment = NOTE_FONT, LEFT
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
    fit_row(ws, r)
    r += 2
    for text in (f"编制人（兼职服务管理员）：{prepared_by or '　' * 8}　　　　日期：　　　　年　　月　　日",
                 "服务主管审批：　　　　　　　　　　　　　　　日期：　　　　年　　月　　日"):
        cell = put(ws, r, 1, text)
        cell.font, cell.alignment = BODY_FONT, LEFT
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
        ws.row_dimensions[r].height = 36
        r += 1
    for key, text in (extra or {}).items():
        put(ws, r, 1, f"{key}：{text}").font = NOTE_FONT
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
        r += 1
    one_page_form(ws, f"A1:{chr(64 + last)}{r - 1}")
    return fixed_properties(wb, now) if now is not None else wb
