"""The complaint on paper: the one-page 投诉单 (投诉 第十条(二) 保管好电子与纸质投诉单据) and the
《客户投诉特殊终止处理申请表》 (投诉 第七条(四)3, 附件5), one A4 portrait sheet each.

The 投诉单 is the 投诉台账's row (every round of it) with its stages, deadlines, result,
responsibility, special termination, re-assignments and evidence, and the lines to sign; it
is what the office files with the papers of the complaint. The 附件5 application follows the
attachment from top to bottom: 申请单位, 投诉单编号, 受理时间, 申请时间, 用户地址, 用户姓名,
用户电话, 投诉调查处理结果 (事件经过, 处理结果), 终止处理原因说明, 后续处理 (呼叫中心解释话术,
□后继以建议单方式传递), 服务理正审核意见, 一号位审核意见.

Both print full phone numbers for the office's own files; a form shared outside the unit is
made with ``share`` and shows 138****5678 (the caller masks: `ComplaintSheet.phone`). What a
customer said is written as text (`cells.put`), never as a formula.

    >>> wb = build_complaint_forms([ComplaintSheet("TS001", "客服部")], "2026-11")
    >>> wb.sheetnames
    ['TS001 客服部']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from .cells import put
from .printing import fit_row, form_sheet_title, one_page_form, page_header
from .style import BODY_FONT, BORDER, HEADER_FONT, NOTE_FONT, TITLE_FONT
from .writer import fixed_properties

__all__ = ["ComplaintSheet", "Round", "Stage", "TerminationForm", "build_complaint_forms", "build_termination_forms"]

SHEET_TITLE = "客户投诉单"
TERMINATION_TITLE = "客户投诉特殊终止处理申请表"
COLUMNS = 6  # A:F: label, value, three times over
# every column holds "2026-11-10 24:00" on one line (16 narrow characters: 16 × 6.7 px + 6 px
# padding = 113 px, 16.2 characters of 7 px): the stages and rounds tables put times in any column
WIDTHS = (16.5,) * COLUMNS
TOP = Alignment(vertical="top", wrap_text=True)
MIDDLE = Alignment(vertical="center", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
CHECKED, UNCHECKED = "☑", "☐"


@dataclass(frozen=True)
class Stage:
    """One line of the stages table: its name, deadline, done time and status."""

    name: str
    due: datetime | str | None = None
    done: datetime | None = None
    status: str = ""


@dataclass(frozen=True)
class Round:
    """One round of the complaint (投诉 第七条(二)3): when it started, what was found and
    done, and the office's review of it."""

    number: int
    start: datetime | None = None
    inv_done: datetime | None = None
    handle_done: datetime | None = None
    review: str = ""
    review_at: datetime | None = None


@dataclass(frozen=True)
class ComplaintSheet:
    """One complaint and department as the 投诉单 shows it (the latest round's row, with the
    earlier rounds listed)."""

    number: str
    dept: str
    accepted: datetime | None = None
    channel: str = ""
    level: str = ""
    major: str = ""
    customer: str = ""
    phone: str = ""  # as it should print: full, or masked for a shared form
    address: str = ""
    content: str = ""
    stages: tuple[Stage, ...] = ()
    rounds: tuple[Round, ...] = ()
    finding: str = ""
    result: str = ""
    callback: str = ""
    callback_note: str = ""
    resp: str = ""
    reason: str = ""
    resp_kind: str = ""
    resp_unit: str = ""
    points: float | str | None = None
    state: str = ""
    closed: datetime | None = None
    appeal: str = ""  # 申诉: 截止, 受理, 结果 in one line
    termination: str = ""  # 特殊终止: status, approver, date in one line
    reassignments: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    note: str = ""
    printed_at: datetime | None = None


@dataclass(frozen=True)
class TerminationForm:
    """附件5 as filled for one complaint."""

    number: str
    unit: str = ""  # 申请单位
    accepted: datetime | None = None
    applied: date | None = None
    address: str = ""
    customer: str = ""
    phone: str = ""
    events: str = ""  # 事件经过
    result: str = ""  # 处理结果
    reason: str = ""  # 终止处理原因说明
    script: str = ""  # 呼叫中心解释话术
    suggestion: bool = False  # □后继以建议单方式传递
    review: str = ""  # 服务理正审核意见 (the approval as recorded)
    approver_role: str = "客户服务理正"
    notes: tuple[str, ...] = field(default_factory=tuple)


def show(moment: date | datetime | str | None, with_time: bool = True) -> str:
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        return moment
    if isinstance(moment, datetime):
        if moment.time() == datetime.max.time().replace(microsecond=0):
            return f"{moment:%Y-%m-%d} 24:00"
        return f"{moment:%Y-%m-%d %H:%M}" if with_time else f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d}"


# --- drawing -------------------------------------------------------------------------------------


class _Page:
    """A form drawn row by row on columns A:F (labels in A, C, E; values beside them)."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 1
        for i, width in enumerate(WIDTHS):
            ws.column_dimensions[chr(ord("A") + i)].width = width

    def title(self, text: str, sub: str = "") -> None:
        cell = put(self.ws, self.row, 1, text)
        cell.font, cell.alignment = TITLE_FONT, CENTER
        self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=COLUMNS)
        self.ws.row_dimensions[self.row].height = 30
        self.row += 1
        if sub:
            cell = put(self.ws, self.row, 1, sub)
            cell.font, cell.alignment = NOTE_FONT, Alignment(horizontal="right", vertical="center")
            self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=COLUMNS)
            self.row += 1

    def cells(self, pairs: Sequence[tuple[str, object]], height: float | None = None) -> None:
        """Label, value pairs across the row; the last value spans to column F."""
        col = 1
        for i, (label, value) in enumerate(pairs):
            last = i == len(pairs) - 1
            self._box(col, label, HEADER_FONT, CENTER)
            end = COLUMNS if last else col + 1
            self._box(col + 1, value, BODY_FONT, MIDDLE, end)
            col = end + 1
        self._fit(height)

    def block(self, label: str, text: object, lines: int = 3) -> None:
        """A label in A and a text box over B:F, at least `lines` lines high."""
        self._box(1, label, HEADER_FONT, CENTER)
        self._box(2, text, BODY_FONT, TOP, COLUMNS)
        self._fit(lines * 14.5 + 4)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[object]], spans: Sequence[int]) -> None:
        """A small table: each header and value over `spans` columns (they add up to 6)."""
        for line, font, align in ((headers, HEADER_FONT, CENTER), *((r, BODY_FONT, MIDDLE) for r in rows)):
            col = 1
            for value, span in zip(line, spans, strict=True):
                self._box(col, value, font, align, col + span - 1)
                col += span
            self._fit(None)

    def note(self, text: str) -> None:
        cell = put(self.ws, self.row, 1, text)
        cell.font, cell.alignment = NOTE_FONT, MIDDLE
        self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=COLUMNS)
        self._fit(None)

    def signatures(self, names: Sequence[str]) -> None:
        """Lines to sign: "受理人：＿＿＿ 日期：＿＿" for each, two to a row."""
        for i in range(0, len(names), 2):
            pair = names[i:i + 2]
            for j, name in enumerate(pair):
                col = 1 + 3 * j
                self._box(col, f"{name}（签字）：", HEADER_FONT, MIDDLE, col + 1)
                self._box(col + 2, "　年　月　日", BODY_FONT, MIDDLE)
            self.ws.row_dimensions[self.row].height = 30
            self.row += 1

    def _box(self, col: int, value: object, font: object, align: Alignment, end: int | None = None) -> None:
        cell = put(self.ws, self.row, col, "" if value is None else value)
        cell.font, cell.alignment = font, align
        end = end or col
        for c in range(col, end + 1):
            self.ws.cell(row=self.row, column=c).border = BORDER
        if end > col:
            self.ws.merge_cells(start_row=self.row, start_column=col, end_row=self.row, end_column=end)

    def _fit(self, height: float | None) -> None:
        fit_row(self.ws, self.row)
        if height:
            current = self.ws.row_dimensions[self.row].height or 0
            if current < height:
                self.ws.row_dimensions[self.row].height = height
        elif not self.ws.row_dimensions[self.row].height:
            self.ws.row_dimensions[self.row].height = 20
        self.row += 1

    def finish(self, header: str) -> None:
        one_page_form(self.ws, f"A1:F{self.row - 1}", margins=(0.5, 0.7))
        page_header(self.ws, header)


def _points(value: float | str | None) -> str:
    if value is None or value == "":
        return "不计分"
    if isinstance(value, int | float):
        return f"{value:g}"
    return str(value)


def write_sheet(ws: Worksheet, s: ComplaintSheet, month: str | None) -> None:
    """One complaint on one page (fitted to one A4 page)."""
    page = _Page(ws)
    page.title(SHEET_TITLE, f"投诉单号：{s.number}　　打印时间：{show(s.printed_at)}")
    page.cells((("投诉单号", s.number), ("受理时间", show(s.accepted)), ("受理渠道", s.channel)))
    page.cells((("投诉级别", s.level or "（按渠道）"), ("疑似重大", s.major or "一般投诉")))
    page.cells((("客户姓名", s.customer), ("客户电话", s.phone), ("责任部门", s.dept)))
    page.cells((("客户地址", s.address),))
    page.block("投诉内容", s.content, 3)
    kind = s.resp_kind or "本单位部门"
    page.cells((("责任类别", kind), ("责任单位", s.resp_unit if kind != "本单位部门" else "—")))
    page.table(("环节", "时限", "完成时间", "状态"), [(x.name, show(x.due), show(x.done), x.status) for x in s.stages], (2, 1, 2, 1))
    if len(s.rounds) > 1 or any(r.review for r in s.rounds):
        page.table(("轮次", "本轮起算", "调查完成", "处理完成", "审核"),
                   [(f"第{r.number}轮", show(r.start), show(r.inv_done), show(r.handle_done),
                     f"{r.review} {show(r.review_at)}".strip()) for r in s.rounds], (1, 1, 1, 1, 2))
    page.block("调查结论", s.finding, 2)
    page.block("处理结果", s.result, 2)
    page.cells((("回访结果", s.callback), ("回访记录", s.callback_note)))
    page.cells((("有责/无责", s.resp or "有责"), ("无责原因", s.reason or "—")))
    page.cells((("扣分", _points(s.points)), ("投诉状态", s.state), ("办结时间", show(s.closed))))
    if s.appeal:
        page.cells((("申诉", s.appeal),))
    if s.termination:
        page.cells((("特殊终止", s.termination),))
    if s.reassignments:
        page.block("改派记录", "\n".join(s.reassignments), 1)
    if s.evidence:
        page.block("证据", "\n".join(s.evidence), 1)
    if s.note:
        page.cells((("备注", s.note),))
    page.signatures(("受理人", "调查/处理人", "责任部门负责人", "服务管理办公室审核"))
    page.note("依据：客户投诉管理办法第七条（调查、处理、回访、判定）、第十条(二)（保管好电子与纸质投诉单据）；时限至当日24:00止。")
    page.finish(f"{month or ''} 客户投诉单 · {s.number} {s.dept}".strip())


def write_termination(ws: Worksheet, f: TerminationForm, month: str | None) -> None:
    """附件5 on one page, its rows in the attachment's order."""
    page = _Page(ws)
    page.title(TERMINATION_TITLE, "客户投诉管理办法 附件5")
    page.cells((("申请单位", f.unit), ("投诉单编号", f.number)))
    page.cells((("受理时间", show(f.accepted)), ("申请时间", show(f.applied, False))))
    page.cells((("用户地址", f.address),))
    page.cells((("用户姓名", f.customer), ("用户电话", f.phone)))
    page.block("投诉调查处理结果：事件经过", f.events, 4)
    page.block("投诉调查处理结果：处理结果", f.result, 4)
    page.block("终止处理原因说明", f.reason, 4)
    page.block("后续处理：呼叫中心解释话术", f.script, 3)
    page.cells((("后续处理", f"{CHECKED if f.suggestion else UNCHECKED} 后继以建议单方式传递"),))
    page.block(f"服务理正审核意见（{f.approver_role}）", f.review + "\n\n签字：　　　　　　　　日期：　　　年　　月　　日", 4)
    page.block("一号位审核意见", "\n\n签字：　　　　　　　　日期：　　　年　　月　　日", 3)
    for text in f.notes:
        page.note(text)
    page.finish(f"{month or ''} {TERMINATION_TITLE} · {f.number}".strip())


def build_complaint_forms(sheets: Sequence[ComplaintSheet], month: str | None, now: datetime | None = None) -> Workbook:
    """One sheet per complaint and department (``TS001 客服部``)."""
    return _forms_book([(f"{s.number} {s.dept}", lambda ws, s=s: write_sheet(ws, s, month)) for s in sheets], now)


def build_termination_forms(forms: Sequence[TerminationForm], month: str | None, now: datetime | None = None) -> Workbook:
    """One 附件5 sheet per application."""
    return _forms_book([(f"{f.number} 特殊终止", lambda ws, f=f: write_termination(ws, f, month)) for f in forms], now)


def _forms_book(pages: Sequence[tuple[str, Callable[[Worksheet], None]]], now: datetime | None) -> Workbook:
    """A workbook of forms, one sheet each, named from its title (unique, valid)."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for title, write in pages:
        write(wb.create_sheet(form_sheet_title(title, taken, "投诉单")))
    return fixed_properties(wb, now) if now is not None else wb
