"""Use case: 今日待办, the clerk's daily round (`xinao-xl today`, ribbon 今日待办).

    due = due_list(Path("D:/服务考核"))            # today, Beijing time
    print(due.text())

What is due, each with its workbook, sheet and cell, most urgent first (the deadline that
passed longest ago first):

- 回访: sampled calls (回访日期 filled) without a 回访结果, due 3 days after completion
  (回访 五.2, `deadlines.callback_due`); and today's calls per business type, sampled and
  still to make (the day's quota as the sampling took it, 回访 四.2);
- 流转单: flagged callbacks without a 反馈日期, due 2 natural days after the flow
  (回访 六.1, `deadlines.flow_form_due`, the 台账's 反馈时限 formula);
- 投诉: complaint stages not done whose deadline is today or has passed (投诉台账's 调查、
  处理、回访 and 申诉处理 deadlines: `deadlines.stage_due`, the ledger's formulas), with the
  time left;
- the month's reports and reviews due within the week (`WEEK_DAYS`): the 意见统计表 and the
  回访报告 before the 5th (回访 五.4(2), `deadlines.report_due`: the report not made yet, or
  its 整改建议 blank; 台账 opinions missing from the 意见统计表), the departments' 自评 and
  the office's 审核 on the 3rd to 6th (考核 3、5.2、5.3, `deadlines.review_due`).

Which books: the month of the day, and the month before while it is not closed (early in
a month its open items are still in its books; the close carries them into the new ones).
A workbook open in Excel is read live through `open_book` (the ribbon), else its file.
Nothing is written.

The day is Beijing's (`policy.clock.now`): a laptop set to another zone must not
move a deadline.
For another day (``--date``) the time left is counted from that day's 00:00.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, opinions
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.port import FileBook, WorkbookPort
from xinao_xl.books.report import SHEET as REPORT_SHEET
from xinao_xl.books.report import read_suggestion
from xinao_xl.policy import clock, deadlines
from xinao_xl.policy.errors import PolicyInputError, XinaoError
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import is_blank, parse_bool
from xinao_xl.policy.privacy import mask_phone
from xinao_xl.policy.rules import Rules

from .approval import read_reviews
from .month_books import MonthBooks
from .settings import rules_for_month

__all__ = ["WEEK_DAYS", "DueItem", "DueList", "TodayError", "due_list", "left_text"]

# The list's horizon for reports and reviews ("due this week"): a presentation choice of
# this list, not a number of the policies, so it is not in rules.toml.
WEEK_DAYS = 7
KINDS = ("投诉", "流转单", "回访", "报送", "考核")  # the order of items due at the same moment
HEADERS = ["截止时间", "剩余时间", "事项", "依据", "工作簿", "工作表", "单元格"]


class TodayError(XinaoError, ValueError):
    """No month folder to make the list from (Chinese message)."""


@dataclass(frozen=True)
class DueItem:
    """One thing to do: what, by when, and the cell to fill."""

    due: datetime | None  # None: cannot be computed (a date missing); listed first
    kind: str  # one of KINDS
    what: str
    workbook: str
    sheet: str
    cell: str
    clause: str = ""

    def sort_key(self, now: datetime) -> tuple[Any, ...]:
        """Earliest deadline first (one that cannot be computed before all); at the same
        moment by kind, then as found (the ledgers' row order, the departments' order)."""
        return (self.due or now - timedelta(days=36500), KINDS.index(self.kind))


@dataclass(frozen=True)
class QuotaRow:
    """Today's calls of one business type: sampled for the day, made, still to make."""

    business: str
    sampled: int
    made: int

    @property
    def left(self) -> int:
        return self.sampled - self.made


@dataclass
class DueList:
    day: date
    now: datetime
    items: list[DueItem] = field(default_factory=list)
    quotas: list[QuotaRow] = field(default_factory=list)
    months: list[str] = field(default_factory=list)  # the months whose books were read
    notes: list[str] = field(default_factory=list)

    def rows(self) -> list[list[str]]:
        """The items as table rows (`HEADERS`), most urgent first."""
        return [[f"{i.due:%Y-%m-%d %H:%M}" if i.due else "（无法计算）", left_text(i.due, self.now), i.what, i.clause,
                 i.workbook, i.sheet, i.cell] for i in self.items]

    def overdue(self) -> int:
        return sum(1 for i in self.items if i.due is not None and i.due < self.now)

    def head(self) -> str:
        counts = Counter(i.kind for i in self.items)
        parts = "，".join(f"{k} {counts[k]} 项" for k in KINDS if counts[k])
        moment = f"{self.now:%Y-%m-%d %H:%M}" if self.now.date() == self.day and self.now.time() != time() else f"{self.day:%Y-%m-%d} 0:00"
        if not self.items:
            return f"{self.day:%Y-%m-%d} 今日无待办（读取 {'、'.join(self.months)} 的工作簿；剩余时间按 {moment} 计）"
        return (f"{self.day:%Y-%m-%d} 今日待办 {len(self.items)} 项：{parts}；其中已超时 {self.overdue()} 项"
                f"（读取 {'、'.join(self.months)} 的工作簿；剩余时间按 {moment} 计）")

    def quota_text(self) -> str:
        if not self.quotas:
            return f"今日回访：回访台账中没有回访日期为 {self.day:%Y-%m-%d} 的抽样（导入完工数据并抽样后会列出每类业务的今日回访量）"
        parts = "，".join(f"{q.business} 剩 {q.left}/{q.sampled}" for q in self.quotas)
        return f"今日回访（回访 四.2，按今日抽取的工单）：{parts}"

    def text(self, limit: int | None = None) -> str:
        """The list as plain lines (the message box shows the first `limit` items)."""
        lines = [self.head(), self.quota_text()]
        shown = self.items if limit is None else self.items[:limit]
        for item, row in zip(shown, self.rows(), strict=False):
            where = f"{item.workbook} {item.sheet}!{item.cell}" if item.cell else f"{item.workbook}"
            lines.append(f"[{row[1]}] {item.what} — {where}")
        if limit is not None and len(self.items) > limit:
            lines.append(f"……另有 {len(self.items) - limit} 项，见新工作簿“今日待办”或运行 xinao-xl today")
        lines += [f"注意：{n}" for n in self.notes]
        return "\n".join(lines)


def left_text(due: datetime | None, now: datetime) -> str:
    """剩 5小时20分 / 剩 2天3小时 / 已超时 1天4小时 / 已到期 (to the minute, rounded down).

    A deadline at 23:59:59 is 24:00 of its day (deadlines.py), so the time left is counted to
    24:00: at 00:00 of the next day it is 已到期, a day later 已超时 1天."""
    if due is None:
        return "—"
    end = due + timedelta(seconds=1) if due.time() == deadlines.END_OF_DAY else due
    gap = end - now
    minutes = int(abs(gap).total_seconds() // 60)
    if minutes == 0:
        return "已到期" if gap.total_seconds() <= 0 else "剩 不足1分"
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        span = f"{days}天{hours}小时" if hours else f"{days}天"
    elif hours:
        span = f"{hours}小时{mins}分" if mins else f"{hours}小时"
    else:
        span = f"{mins}分"
    return f"已超时 {span}" if gap.total_seconds() < 0 else f"剩 {span}"


# --- the use case --------------------------------------------------------------------------------


def due_list(root: Path, day: date | None = None, now: datetime | None = None, rules: Rules | None = None,
             open_book: Callable[[Path], WorkbookPort | None] | None = None) -> DueList:
    """What is due on `day` (default: today in Beijing) in the month folders under `root`."""
    given = rules
    root = Path(root)
    if now is None:
        current = clock.now()
        now = current if day is None or day == current.date() else datetime.combine(day, time())
    day = day or now.date()
    result = DueList(day, now)
    month = Month.of(day)
    folders = [MonthFolder(root, m) for m in (month.prev(), month) if MonthFolder(root, m).path.is_dir()]
    if not folders:
        raise TodayError(f"{root} 中没有 {month.prev()} 或 {month} 的月份文件夹：请用 --dir 指定月份文件夹所在的目录")
    for mf in folders:
        books = _books(mf, open_book)
        if not books or mf.closed:  # a closed month's open items were carried into the next month's books
            continue
        result.months.append(mf.month)
        rules = given or rules_for_month(root, mf.month)  # each month with its own settings
        mb = MonthBooks(mf.month, books, rules, now)
        _callbacks(mb, result)
        _flow_forms(mb, result)
        _complaints(mb, result)
        _reports(mf, mb, result, rules)
        _reviews(mb, result, rules)
    result.items.sort(key=lambda i: i.sort_key(now))
    result.quotas = _quotas(result.quotas, given or rules_for_month(root, month))
    return result


def _books(mf: MonthFolder, open_book: Callable[[Path], WorkbookPort | None] | None) -> dict[str, WorkbookPort]:
    """The month's workbooks there are, live when open in Excel, else their files."""
    out: dict[str, WorkbookPort] = {}
    for stem, path in mf.books.items():
        if path.is_file():
            live = open_book(path) if open_book else None
            out[stem] = live if live is not None else FileBook(path)  # reading only: no lock needed
    return out


def _where(mb: MonthBooks, stem: str) -> str:
    return mb.books[stem].name


def _in_books(mb: MonthBooks, stem: str) -> bool:
    return stem in mb.books


def _callbacks(mb: MonthBooks, out: DueList) -> None:
    if not _in_books(mb, callback_ledger.STEM) or not mb.ledger.found:
        return
    t, book = mb.ledger, _where(mb, callback_ledger.STEM)
    for rec in t.records():
        called = rec.get("call_date")
        if called is None or called > out.day:
            continue
        business = mb.business(rec.get("business")) or "（业务类型未填）"
        done = not is_blank(rec.get("result"))
        if called == out.day:
            out.quotas.append(QuotaRow(business, 1, int(done)))
        if done:
            continue
        try:
            due = deadlines.callback_due(rec["done_date"], mb.rules) if rec.get("done_date") is not None else None
        except PolicyInputError:
            due = None
        what = " ".join(p for p in ("回访", business, str(rec.get("order") or ""), _customer(rec)) if p)
        if due is None:
            what += "：完工日期未填，无法计算回访时限"
        out.items.append(DueItem(due, "回访", what, book, t.sheet, t.address("result", rec["_row"]), "回访 五.2"))


def _customer(rec: dict[str, Any]) -> str:
    name = "" if is_blank(rec.get("customer")) else str(rec["customer"]).strip()
    phone = mask_phone(rec.get("phone"))
    return f"{name}（{phone}）" if name and phone else name or phone


def _quotas(rows: list[QuotaRow], rules: Rules) -> list[QuotaRow]:
    """One row per business type, in the rules' order (types staff typed otherwise last)."""
    sampled: Counter = Counter()
    made: Counter = Counter()
    for q in rows:
        sampled[q.business] += q.sampled
        made[q.business] += q.made
    order = [b.name for b in rules.business_types]
    names = sorted(sampled, key=lambda b: (order.index(b) if b in order else len(order), b))
    return [QuotaRow(b, sampled[b], made[b]) for b in names]


def _flow_forms(mb: MonthBooks, out: DueList) -> None:
    if not _in_books(mb, callback_ledger.STEM) or not mb.ledger.found:
        return
    t, book = mb.ledger, _where(mb, callback_ledger.STEM)
    for rec in t.records():
        if not _yes(rec.get("flow")) or rec.get("feedback_date") is not None:
            continue
        number = str(rec.get("flow_no") or f"台账第{rec['_row']}行")
        dept = mb.dept(rec.get("dept")) or "责任部门未填"
        if rec.get("flow_date") is None:
            out.items.append(DueItem(None, "流转单", f"流转单 {number} {dept}：已标记流转但未填流转日期，无法计算反馈时限",
                                     book, t.sheet, t.address("flow_date", rec["_row"]), "回访 六.1"))
            continue
        due = deadlines.flow_form_due(rec["flow_date"], mb.rules)
        out.items.append(DueItem(due, "流转单", f"流转单 {number} 待{dept}反馈（收到后填反馈日期）",
                                 book, t.sheet, t.address("feedback_date", rec["_row"]), "回访 六.1"))


def _yes(value: Any) -> bool:
    try:
        return not is_blank(value) and parse_bool(value)
    except PolicyInputError:
        return False


# stage key -> (start, done column, what to do); the start is the course's (`Course.start`:
# the round's start for 调查/处理, after a 驳回 the rejection); the 申诉处理 is done when its
# result is in
_STAGES = {
    "investigate": ("本轮起算", "inv_done", "调查取证反馈"),
    "handle": ("本轮起算", "handle_done", "最终处理、答复客户"),
    "revisit": ("handle_done", "revisit_done", "人工回访"),
    "appeal_handle": ("appeal_at", "appeal_result", "申诉处理"),
}


def _complaints(mb: MonthBooks, out: DueList) -> None:
    """Open stages due by the end of the day (today or overdue), as the ledger computes them."""
    if not _in_books(mb, complaint_ledger.STEM) or not mb.complaints.found:
        return
    t, book = mb.complaints, _where(mb, complaint_ledger.STEM)
    end = deadlines.end_of(out.day)
    course = mb.courses()
    for rec in t.records():
        c = course[int(rec["_row"])]
        if not c.counts:
            continue  # a rejected round, a cancelled or re-assigned ticket: the next row carries on
        if c.closed is not None and rec.get("appeal_at") is None:
            continue  # 办结 (a special termination counts as 办结)
        number = str(rec.get("no") or f"第{rec['_row']}行")
        dept = mb.dept(rec.get("dept")) or "责任部门未填"
        major = not is_blank(rec.get("major"))
        for stage, (_, done_key, name) in _STAGES.items():
            start = c.start(stage, rec)
            if start is None or not is_blank(rec.get(done_key)):
                continue
            if stage != "appeal_handle" and c.closed is not None:
                continue
            st = mb.rules.stages[stage]
            try:
                due: datetime | None = deadlines.stage_due(stage, start, major, rules=mb.rules)
            except PolicyInputError as exc:  # a year whose calendar is not confirmed
                due, name = None, f"{name}：{exc.message}"
            if due is not None and due > end:
                continue
            kind = "疑似重大" if major else "一般"
            out.items.append(DueItem(due, "投诉", f"投诉 {number} {dept} {name}（{kind}投诉）",
                                     book, t.sheet, t.address(done_key, rec["_row"]), st.clause))


def _reports(mf: MonthFolder, mb: MonthBooks, out: DueList, rules: Rules) -> None:
    """回访 五.4(2): the month's 意见统计表 and 回访报告, before the 5th of the next month."""
    due = deadlines.report_due(mf.month, rules)
    if due.date() > out.day + timedelta(days=WEEK_DAYS - 1):
        return
    report = mf.output("回访报告")
    kept = read_suggestion(report)
    if not report.is_file():
        out.items.append(DueItem(due, "报送", f"报送 {mf.month} 客户回访报告：尚未生成（按钮“生成回访报告”或 xinao-xl report --month {mf.month}），生成后填写整改建议",
                                 report.name, REPORT_SHEET, "", "回访 五.4(2)"))
    elif kept is not None and not kept.text:
        out.items.append(DueItem(due, "报送", f"报送 {mf.month} 客户回访报告：整改建议尚未填写", report.name, REPORT_SHEET, kept.cell, "回访 五.4(2)"))
    if _in_books(mb, callback_ledger.STEM) and _in_books(mb, opinions.STEM) and mb.ledger.found and mb.opinions.found:
        missing = len(mb.opinion_rows())
        if missing:
            t = mb.opinions
            last = max((r["_row"] for r in t.records()), default=t.header_row)
            out.items.append(DueItem(due, "报送", f"报送 {mf.month} 意见统计表：台账中有 {missing} 条不满意或有意见、建议的回访未列入（结账时也会自动补入结账副本）",
                                     _where(mb, opinions.STEM), t.sheet, t.address("customer", last + 1), "回访 五.4(2)"))


def _reviews(mb: MonthBooks, out: DueList, rules: Rules) -> None:
    """考核 3、5.2、5.3: each department's 自评 of the month, then the office's 审核, then the
    review and approval recorded on 汇总 (services/approval.py), by the 6th."""
    due = deadlines.review_due(mb.month, rules)
    if due.date() > out.day + timedelta(days=WEEK_DAYS - 1) or not _in_books(mb, assessment.STEM):
        return
    book = _where(mb, assessment.STEM)
    summary = assessment.summary_sheet(rules)
    reviews = read_reviews(mb)
    for dept in rules.departments:
        spec = assessment.department_sheet(dept)
        form = mb.form(spec)
        if not form.found:
            continue
        typed = [i for i in dept.indicators
                 if not i.kind_spec.from_complaints and i.kind_spec.direction != "entered" and not i.callback_type]
        for col, clause in (("self", "考核 5.2"), ("audit", "考核 3、5.3")):
            empty = [assessment.indicator_key(i) for i in typed if is_blank(form.raw(assessment.indicator_key(i), col))]
            if empty:
                row = spec.row_of(empty[0])
                whose = f"{dept.name}自评" if col == "self" else f"服务办公室审核 {dept.name}"
                how = "（部门交回的自评表用“收集自评”或 xinao-xl collect 写入）" if col == "self" else ""
                out.items.append(DueItem(due, "考核", f"{whose} {mb.month}：“{spec.column(col).header}”尚有 {len(empty)} 项未填{how}",
                                         book, spec.name, f"{spec.letter(col)}{row}", clause))
                break  # the 审核 follows the 自评: one item per department
        else:  # 自评 and 审核 typed: the review and the supervisor's approval recorded on 汇总
            missing = reviews[dept.name].missing
            if missing:
                key = "reviewer" if "审核" in missing else "approver"
                out.items.append(DueItem(due, "考核", f"登记 {dept.name} {mb.month} 的{'、'.join(missing)}：在“汇总”填写"
                                         f"{'审核人、审核日期' if key == 'reviewer' else '审批人、审批日期'}",
                                         book, summary.name, f"{summary.letter(key)}{summary.row_of(dept.name)}", "考核 5.3"))
