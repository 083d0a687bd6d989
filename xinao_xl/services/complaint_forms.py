"""Use case: a complaint on paper — ``xinao-xl complaint-form TS2026110001 --dir D [--termination]``
and the ribbon's 投诉单 / 特殊终止申请表 buttons.

    result = make_complaint_form("TS2026110001", Path("D:/服务考核"))
    # → D:/服务考核/2026-11/投诉单/2026-11_投诉单_TS2026110001.xlsx (one A4 page per department)
    result = make_complaint_form("TS2026110001", root, termination=True)
    # → …/投诉单/2026-11_特殊终止申请表_TS2026110001.xlsx (附件5)

投诉 第十条(二): the office keeps the complaint's papers (保管好电子与纸质投诉单据); 第七条(四)3:
a 无责 complaint is terminated with the 《客户投诉特殊终止处理申请表》 (附件5) the 客户服务理正
approves. The complaint is looked for in the month folders, the newest first (a complaint
carried into the next month is there in its latest state); the form goes into that month's
folder under its lock (services/month_writer.py), and a closed month is refused unless the
form is written elsewhere (``out``). Phones print in full for the office's files; ``share``
masks them (138****5678) for a form that leaves the unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from xinao_xl.books import complaint_ledger
from xinao_xl.books.complaint_form import (
    ComplaintSheet,
    Round,
    Stage,
    TerminationForm,
    build_complaint_forms,
    build_termination_forms,
)
from xinao_xl.books.complaint_form import show as _show
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.read import BookReader, formula_link
from xinao_xl.books.save import save_atomic
from xinao_xl.history.store import company_name
from xinao_xl.policy import clock, deadlines, scoring
from xinao_xl.policy import complaint_process as P
from xinao_xl.policy import complaints as C
from xinao_xl.policy.complaint_process import RowKey
from xinao_xl.policy.errors import PolicyInputError, XinaoError, quote
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import is_blank, normalize_text
from xinao_xl.policy.privacy import mask_phone
from xinao_xl.policy.rules import Rules

from .complaint_course import Course, responsible
from .month_books import MonthBooks
from .month_writer import month_writer, refuse_closed
from .settings import rules_for_month

__all__ = ["ComplaintFormError", "ComplaintFormResult", "find_complaint", "make_complaint_form"]


class ComplaintFormError(XinaoError, ValueError):
    """No such complaint, or a form the policy does not allow (Chinese message)."""


@dataclass
class ComplaintFormResult:
    number: str
    month: str
    path: Path
    termination: bool
    sheets: list[str] = field(default_factory=list)
    shared: bool = False

    def summary(self) -> str:
        what = "客户投诉特殊终止处理申请表（附件5）" if self.termination else "投诉单"
        phones = "电话已遮蔽（对外版）" if self.shared else "电话完整（内部存档）"
        return f"已生成投诉 {self.number}（{self.month}）的{what} {len(self.sheets)} 页（每页一张A4，{phones}）：\n  {self.path}"


def find_complaint(root: Path, number: str, month: str | None = None) -> str:
    """The newest month folder under `root` whose 投诉台账 holds `number` (or `month`, checked)."""
    root = Path(root)
    if month is not None:
        months = [Month(month)]
    else:
        months = sorted((m for p in root.iterdir() if p.is_dir() and (m := Month.match(p.name)) is not None), reverse=True) if root.is_dir() else []
    wanted = RowKey.of(number, "").number
    spec = complaint_ledger.ledger_sheet(rules_for_month(root, months[0]) if months else None)
    for m in months:
        path = MonthFolder(root, m).book(complaint_ledger.STEM)
        if not path.is_file():
            continue
        if any(RowKey.of(r.get("no"), "").number == wanted for r in BookReader(path).table(spec).records()):
            return str(m)
    where = f"{month} 的投诉台账" if month else f"{root} 下各月份的投诉台账"
    raise ComplaintFormError(f"在 {where} 中找不到投诉单号 {quote(number)}：请核对单号（大小写、全角半角不影响）")


def make_complaint_form(number: str, root: Path, *, termination: bool = False, month: str | None = None, share: bool = False,
                        now: datetime | None = None, out: Path | None = None, rules: Rules | None = None) -> ComplaintFormResult:
    """Write the complaint's 投诉单 (or its 附件5 application) — see the module docstring."""
    now = now or clock.now()
    root = Path(root)
    month = find_complaint(root, number, month)
    mf = MonthFolder(root, month)
    target = Path(out) if out else mf.complaint_form_file(number, termination)
    doing = "生成特殊终止申请表" if termination else "生成投诉单"
    if out is None:
        refuse_closed(mf, doing + "（命令行可用 --out 写到月份文件夹之外）")
        with month_writer(mf, doing):
            return _write(number, root, month, target, termination, share, now, rules)
    return _write(number, root, month, target, termination, share, now, rules)


def _write(number: str, root: Path, month: str, target: Path, termination: bool, share: bool, now: datetime,
           rules: Rules | None) -> ComplaintFormResult:
    mb = MonthBooks.open(root, month, as_of=now, rules=rules)
    wanted = RowKey.of(number, "").number
    rows = [r for r in mb.complaints.records() if RowKey.of(r.get("no"), "").number == wanted]
    course = mb.courses()
    by_dept: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_dept.setdefault(RowKey.of(r.get("no"), r.get("dept")).dept, []).append(r)
    if termination:
        forms = [termination_form(group, course, mb, share) for group in by_dept.values()]
        wb = build_termination_forms(forms, month, now)
        names = [f"{f.number} 特殊终止" for f in forms]
    else:
        sheets = [complaint_sheet(group, course, mb, share, now) for group in by_dept.values()]
        wb = build_complaint_forms(sheets, month, now)
        names = [f"{s.number} {s.dept}" for s in sheets]
    path = save_atomic(wb, target)
    return ComplaintFormResult(str(rows[0].get("no") or number), month, path, termination, names, share)


def _final(group: Sequence[dict[str, Any]], course: Mapping[int, Course]) -> dict[str, Any]:
    """The row that stands for the complaint and department: the last one that counts, else the last."""
    counting = [r for r in group if course[int(r["_row"])].counts]
    return (counting or list(group))[-1]


def _phone(value: Any, share: bool) -> str:
    if is_blank(value):
        return ""
    return mask_phone(value) if share else str(value)


def _text(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip()


def complaint_sheet(group: Sequence[dict[str, Any]], course: Mapping[int, Course], mb: MonthBooks, share: bool, now: datetime) -> ComplaintSheet:
    """The 投诉单 of one complaint and department (its rows in ledger order, one per round)."""
    rules = mb.rules
    rec = _final(group, course)
    c = course[int(rec["_row"])]
    major = not is_blank(rec.get("major"))
    stages = []
    for key, name in (("investigate", "调查取证反馈"), ("handle", "最终处理、答复客户"), ("revisit", "人工回访"),
                      ("appeal", "申诉提出"), ("appeal_handle", "申诉处理")):
        done_key = complaint_ledger.STAGE_COLUMNS[key][2]
        start = c.start(key, rec)
        if start is None:
            stages.append(Stage(name))
            continue
        try:
            due: datetime | str = deadlines.stage_due(key, start, major, rules=rules)
        except PolicyInputError as exc:
            stages.append(Stage(name, exc.code))
            continue
        done = rec.get(done_key) if done_key else None
        status = deadlines.sla_status(due, done, now, rules) if done_key else ""
        if key == "revisit":
            status = P.callback_status(status, rec.get("callback"), done, rec.get("review_at"), rules) if not is_blank(rec.get("callback")) else status
        stages.append(Stage(name, due, done, status))
    rounds = tuple(Round(course[int(r["_row"])].round, course[int(r["_row"])].round_start, r.get("inv_done"), r.get("handle_done"),
                         _text(r.get("review")), r.get("review_at")) for r in group)
    points: float | str | None
    if is_blank(rec.get("level")) and is_blank(rec.get("channel")):
        points = "—"
    elif not c.counts:
        points = None
    elif c.charged is None:
        points = 0.0
    else:
        try:
            points = scoring.complaint_deduction(rec.get("level"), rec.get("channel"), C.responsible_after_appeal(rec.get("resp"), rec.get("appeal_result")), rules)
        except PolicyInputError as exc:
            points = exc.cell_text
    appeal = ""
    if rec.get("appeal_at") is not None or not is_blank(rec.get("appeal_result")):
        appeal = f"申诉受理 {_show(rec.get('appeal_at'))}，申诉结果：{_text(rec.get('appeal_result')) or '待定'}"
    termination = ""
    if not is_blank(rec.get("term_status")):
        termination = (f"{_text(rec.get('term_status'))}；申请 {_show(rec.get('term_applied'), False)}；"
                       f"审批人 {_text(rec.get('term_approver')) or '—'} {_show(rec.get('term_approved'), False)}；原因：{_text(rec.get('term_reason'))}")
    number_key = RowKey.of(rec.get("no"), "").number
    moved = [f"{_show(r.get('at'))} {_text(r.get('way'))}：{_text(r.get('from_dept'))} → {_text(r.get('to_dept'))}"
             f"{('，新单号 ' + _text(r.get('new_no'))) if not is_blank(r.get('new_no')) else ''}"
             f"{('（' + _text(r.get('why')) + '）') if not is_blank(r.get('why')) else ''}"
             for r in (mb.reassign.records() if mb.reassign.found else [])
             if number_key in (RowKey.of(r.get("no"), "").number, RowKey.of(r.get("new_no"), "").number)]
    return ComplaintSheet(
        number=_text(rec.get("no")), dept=_text(rec.get("dept")), accepted=rec.get("accepted"), channel=_text(rec.get("channel")),
        level=_text(rec.get("level")), major=_text(rec.get("major")), customer=_text(rec.get("customer")), phone=_phone(rec.get("phone"), share),
        address=_text(rec.get("address")), content=_text(rec.get("content")), stages=tuple(stages), rounds=rounds,
        finding=_text(rec.get("finding")), result=_text(rec.get("result")), callback=_text(rec.get("callback")),
        callback_note=_text(rec.get("callback_note")), resp="有责" if responsible(rec) else "无责", reason=_text(rec.get("reason")),
        resp_kind=c.kind, resp_unit=_text(rec.get("resp_unit")), points=points, state=c.state, closed=c.closed, appeal=appeal,
        termination=termination, reassignments=tuple(moved), evidence=tuple(_evidence(mb, number_key)), note=_text(rec.get("note")),
        printed_at=now)


def _evidence(mb: MonthBooks, number: str) -> list[str]:
    """The 证据 lines of the complaint: kind, file (as linked) and note."""
    if not mb.evidence.found:
        return []
    book = mb.books[complaint_ledger.STEM]
    links, formulas = book.read_links(mb.evidence.sheet), book.read_formulas(mb.evidence.sheet)
    out = []
    for r in mb.evidence.records():
        if RowKey.of(r.get("no"), "").number != number:
            continue
        cell = mb.evidence.address("file", r["_row"])
        target = links.get(cell) or formula_link(formulas.get(cell, "")) or _text(r.get("file"))
        out.append("　".join(x for x in (_text(r.get("kind")), target, _text(r.get("desc"))) if x))
    return out


def termination_form(group: Sequence[dict[str, Any]], course: Mapping[int, Course], mb: MonthBooks, share: bool) -> TerminationForm:
    """附件5 of one complaint and department; refused for a 有责 complaint (投诉 第七条(四)3:
    only one judged 无责 whose customer keeps following up)."""
    rules = mb.rules
    rec = _final(group, course)
    step = rules.step("termination")
    if responsible(rec):
        raise ComplaintFormError(f"投诉 {_text(rec.get('no'))}（{_text(rec.get('dept'))}）为有责投诉，不能申请特殊终止（投诉办法第七条(四)3："
                                 f"仅“已判定为无责投诉客户仍追加反馈的”可填报《{step.word('form')}》）")
    status = _text(rec.get("term_status"))
    review = ""
    if status and status != step.choices("statuses")[0]:
        review = f"{status}　审批人：{_text(rec.get('term_approver'))}　审批日期：{_show(rec.get('term_approved'), False)}"
    events = "\n".join(x for x in (_text(rec.get("content")), _text(rec.get("finding"))) if x)
    dept = _text(rec.get("dept"))
    suggest = normalize_text(rec.get("term_suggest") or "") in ("是", "√", "Y", "y")
    return TerminationForm(
        number=_text(rec.get("no")), unit=f"{company_name()}　{dept}".strip(), accepted=rec.get("accepted"), applied=rec.get("term_applied"),
        address=_text(rec.get("address")), customer=_text(rec.get("customer")), phone=_phone(rec.get("phone"), share), events=events,
        result=_text(rec.get("result")), reason=_text(rec.get("term_reason")), script=_text(rec.get("term_script")), suggestion=suggest,
        review=review, approver_role=f"本单位{step.word('approver')}",
        notes=(f"依据：客户投诉管理办法第七条(四)3——已判定为无责投诉客户仍追加反馈的，经本单位{step.word('approver')}审批后，可终止该投诉处理至办结状态；"
               "后期处理方案发生改变时，须及时将最新处理方案同步至客户服务中心。",))
