"""客户回访信息流转单 (回访办法 附件3): one printable A4 sheet per flagged callback.

The layout follows the attachment from top to bottom: 部门; 客户姓名, 家庭住址, 客户电话,
业务内容; 客户意见或建议 with 回访人; 问题处理结果 with 责任部门负责人; 风险防范措施 with
部门召集人（签字）; 说明 1–2. The form goes to the responsible department, which has to call
the customer back, so the phone is printed in full (unlike the report). Everything the
customer said is written as text (`xlsx.Draft.put`), never as a formula.

The workbook is written with XlsxWriter in memory (`books.xlsx`) and handed over as the
file's bytes (the close adds them to its batch, `flow-forms` writes them atomically).

    >>> from openpyxl import load_workbook
    >>> from io import BytesIO
    >>> data = build_flow_forms([FlowForm("LZ001", "客服部", "张三", "13900000001", "东昌路1号",
    ...     "维修", "GD0001", None, "=不满意", "孙雪燕", None, None, None, "")], "2026-11")
    >>> load_workbook(BytesIO(data)).sheetnames
    ['LZ001']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl.styles import Alignment, Border

from .memory import gc_paused
from .printing import form_sheet_title
from .style import BODY_FONT, BORDER, HEADER_FONT, NOTE_FONT, THIN, TITLE_FONT
from .xlsx import Book, Draft, Page

TITLE = "客户回访信息流转单"
NOTES = (
    "说明：",
    "1.流转单信息为日常回访过程中发现的客户意见或建议。由责任部门进行问题处理，制定有效的整改措施。",
    "2.流转单转到责任部门后应立即处理，并于两个自然日内由召集人签字后反馈服务办公室。",
)
TOP = Alignment(vertical="top", wrap_text=True)
MIDDLE = Alignment(vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
# a section's box (no inner lines): (column, part of the section) -> the cell's border
_SECTION = {
    (c, part): Border(left=THIN if c == 1 else None, right=THIN if c == 4 else None,
                      top=THIN if part == "top" else None, bottom=THIN if part == "bottom" else None)
    for c in range(1, 5) for part in ("top", "middle", "bottom")
}


@dataclass(frozen=True)
class FlowForm:
    """One flagged callback as the form shows it."""

    flow_no: str
    department: str
    customer: str
    phone: str
    address: str
    business: str
    order: str
    done_date: date | None
    opinion: str  # 客户意见或建议 (opinion, suggestion and 不满原因 joined)
    agent: str
    call_date: date | None
    flow_date: datetime | None
    due: datetime | None
    handling: str  # 处理结果 already fed back, if any


def _show(moment: date | datetime | None, with_time: bool = False) -> str:
    if moment is None:
        return ""
    if with_time and isinstance(moment, datetime):
        return f"{moment:%Y-%m-%d %H:%M}"
    return f"{moment:%Y-%m-%d}"


def _box(d: Draft, first: int, last: int) -> None:
    for r in range(first, last + 1):
        for c in range(1, 5):
            d.style(r, c, border=BORDER)


def _merged(d: Draft, row: int, text: str, height: float | None = None, first: int = 1, last: int = 4, align: Alignment = MIDDLE) -> None:
    d.put(row, first, text)
    d.style(row, first, font=BODY_FONT, alignment=align)
    if last > first:
        d.merge(row, first, row, last)
    if height:
        d.height(row, height)


def _texts(f: FlowForm) -> dict[tuple[int, int], str]:
    """(row, column) -> text of every cell that differs from one form to the next."""
    business = f"{f.business}　工单号 {f.order}　完工日期 {_show(f.done_date)}".strip()
    return {
        (2, 1): f"流转单号：{f.flow_no}    流转日期：{_show(f.flow_date, True)}    反馈时限：{_show(f.due, True)}",
        (3, 1): f"部门：{f.department}",
        (4, 2): f.customer,
        (4, 4): f.phone,
        (5, 2): f.address,
        (6, 2): business,
        (8, 1): f.opinion,
        (9, 1): f"回访人：{f.agent}　　回访日期：{_show(f.call_date)}",
        (11, 1): f.handling,
    }


def write_form(d: Draft, f: FlowForm) -> str:
    """The 附件3 layout on one sheet, A4 portrait, fitted to one page; returns the print area."""
    text = _texts(f)
    for col, width in enumerate((14, 30, 14, 30), start=1):
        d.widths[col] = width
    d.put(1, 1, TITLE)
    d.style(1, 1, font=TITLE_FONT, alignment=Alignment(horizontal="center", vertical="center"))
    d.merge(1, 1, 1, 4)
    d.height(1, 32)
    _merged(d, 2, text[2, 1], 18)
    d.style(2, 1, font=NOTE_FONT)
    _merged(d, 3, text[3, 1], 24)
    rows = ((4, "客户姓名", text[4, 2], "客户电话", text[4, 4]),)
    for r, l1, v1, l2, v2 in rows:
        for c, v in ((1, l1), (2, v1), (3, l2), (4, v2)):
            d.put(r, c, v)
            d.style(r, c, font=HEADER_FONT if c in (1, 3) else BODY_FONT, alignment=MIDDLE)
        d.height(r, 24)
    for r, label, value in ((5, "家庭住址", text[5, 2]), (6, "业务内容", text[6, 2])):
        d.put(r, 1, label)
        d.style(r, 1, font=HEADER_FONT, alignment=MIDDLE)
        _merged(d, r, value, 24, first=2)
    _box(d, 3, 6)

    sections = (
        ("客户意见或建议：", text[8, 1], text[9, 1]),
        ("问题处理结果：", text[11, 1], "责任部门负责人：　　　　　　　反馈日期：　　　年　　月　　日"),
        ("风险防范措施：", "", "部门召集人（签字）："),
    )
    r = 7
    for label, body, sign in sections:
        d.put(r, 1, label)
        d.style(r, 1, font=HEADER_FONT)
        d.merge(r, 1, r, 4)
        _merged(d, r + 1, body, 110, align=TOP)
        _merged(d, r + 2, sign, 22, align=RIGHT)
        for c in range(1, 5):  # a box around the section, no inner lines
            d.style(r, c, border=_SECTION[c, "top"])
            d.style(r + 1, c, border=_SECTION[c, "middle"])
            d.style(r + 2, c, border=_SECTION[c, "bottom"])
        r += 3
    for note in NOTES:
        _merged(d, r + 1, note, 30 if note != NOTES[0] else 16, align=MIDDLE)
        d.style(r + 1, 1, font=NOTE_FONT)
        r += 1
    _fit_texts(d)
    area = f"A1:D{r}"
    d.page = Page(fit=(1, 1), center_horizontally=True, margins=(0.6, 0.6, 1.0, 1.0, 0.5, 0.5), area=area)
    return area


def _fit_texts(d: Draft) -> None:
    """A long opinion or handling text makes its box taller (the page still fits one A4)."""
    for row in (2, 5, 6, 8, 11):
        d.fit_row(row)


BLANK = FlowForm("", "", "", "", "", "", "", None, "", "", None, None, None, "")
# The blank form's draft, which each form's sheet copies (it is never a sheet of the book);
# `form_sheet_title` never makes a name with an apostrophe, so no form's sheet can meet it.
BLANK_SHEET = "流转单'空白"


@gc_paused  # hundreds of sheets of cells, none of them garbage yet (books/memory.py)
def build_flow_forms(forms: Sequence[FlowForm], month: str, now: datetime | None = None) -> bytes:
    """The .xlsx file: one sheet per flow form (named by its number); an empty month gets
    one note sheet.

    Every form has the same layout, so it is drawn once, on a blank form, and each form's
    sheet is a copy of that draft with the form's texts written in (and its rows fitted
    to them). With `now`, no save time goes into the file (`xlsx.Book`: the close).
    """
    book = Book(now)
    taken: set[str] = set()
    if forms:
        blank = Draft(BLANK_SHEET)
        write_form(blank, BLANK)
        for f in forms:
            d = blank.copy(form_sheet_title(f.flow_no, taken, "流转单"))
            for (r, c), text in _texts(f).items():
                d.put(r, c, text)
            _fit_texts(d)
            book.add(d)
    else:
        d = Draft("流转单")
        d.put(1, 1, f"{month} 没有需要流转的回访")
        book.add(d)
    return book.to_bytes()
