"""Use case: the history store fed from the closed months (`xinao-xl history rebuild`, and the
last step of every monthly close).

    record_close(root, "2026-11", mb, cards)          # at the close (services/close.py)
    result = rebuild(Path("D:/服务考核"))              # from every folder with 已结账.txt
    print(result.summary())

Why the records are derived here and not stored as the close computes them elsewhere: a
rebuild must give exactly the rows the closes wrote. So both paths run `month_rows` on
the month's books read as `MonthBooks`, with the statuses and late flags as of the close's
time taken from the 结账记录 (``结账时间``, whole seconds), and the ``months`` row from that
record. Nothing here depends on when it runs.

Why the callbacks and flow forms are made one at a time: the close streams them into the
store and keeps none (a 100,000-callback month's rows took 150 MB held); a rebuild, which
writes every month in one transaction, holds them as lists (`month_records`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xinao_xl.books import callback_ledger
from xinao_xl.books import lists as L
from xinao_xl.books.closing import CARRIED
from xinao_xl.books.month_folder import MonthFolder, closed_months
from xinao_xl.history import store as H
from xinao_xl.policy import clock, deadlines, scoring
from xinao_xl.policy import complaint_process as P
from xinao_xl.policy import complaints as C
from xinao_xl.policy.callbacks import customer_key
from xinao_xl.policy.complaint_process import RowKey
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import is_blank, parse_bool, parse_channel, parse_count, parse_level
from xinao_xl.policy.rules import Rules
from xinao_xl.policy.scoring import ScoreCard

from .month_books import MonthBooks
from .settings import closed_month_rules

Records = dict[str, list[dict[str, Any]]]
RecordStream = dict[str, Iterable[dict[str, Any]]]  # rows made as the store takes them (`record_close`)
Progress = Callable[[int, int, str], None]


# --- one month's records ---------------------------------------------------------------------


def _s(value: Any) -> str | None:
    """Text as typed (None when blank): what a text column of the store holds."""
    if value.__class__ is str:  # the usual cell, asked for of ten columns of every callback
        return value.strip() or None  # blank is empty or whitespace (`is_blank`): strips to ""
    return None if is_blank(value) else str(value).strip()


def _yes(value: Any) -> bool:
    try:
        return not is_blank(value) and parse_bool(value)
    except PolicyInputError:
        return False


def _try(fn: Callable[..., Any], *args: Any, default: Any = None, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``: a value the policy computes from what staff typed; `default`
    when it does not parse (validation reported it; the store keeps what it can)."""
    try:
        return fn(*args, **kwargs)
    except (PolicyInputError, ValueError, TypeError, KeyError):
        return default


def _carried(rec: dict[str, Any]) -> bool:
    return CARRIED in str(rec.get("note") or "")


def _hours(start: Any, done: Any) -> float | None:
    if not isinstance(start, datetime) or not isinstance(done, datetime):
        return None
    return round((done - start).total_seconds() / 3600, 4)


@dataclass(frozen=True)
class CallbackFigures:
    """The columns of the callbacks' store rows that the month's figures count by (in the
    month, business type, result, reason, department), one list per column in the 台账's
    record order: the close's 服务通报 (`services.bulletin`) counts these without building
    the rows, and the rows are built on them (`callback_records`), so the two cannot
    disagree. Made once per close (`callback_figure_columns`); five lists of pointers,
    4 MB at 100,000 callbacks, where the rows themselves took 150 MB."""

    in_month: list[bool]
    business: list[str]
    result: list[str]
    reason: list[str | None]
    dept: list[str]
    satisfied_word: str
    unsatisfied_word: str

    def row(self, i: int) -> dict[str, Any]:
        """The figures of the `i`-th record (satisfied and unsatisfied from its result)."""
        result = self.result[i]
        return {"in_month": self.in_month[i], "business": self.business[i], "result": result,
                "satisfied": result == self.satisfied_word, "unsatisfied": result == self.unsatisfied_word,
                "reason": self.reason[i], "dept": self.dept[i]}


def callback_figure_columns(mb: MonthBooks) -> CallbackFigures:
    """The `CallbackFigures` of every row of the 台账, computed column by column, once per
    read of the 台账 (`MonthBooks.per_ledger`): the bulletin and the store's rows share them."""
    return mb.per_ledger("callback_figures", lambda: _figure_columns(mb))


def _figure_columns(mb: MonthBooks) -> CallbackFigures:
    ledger, month, rules = mb.ledger, Month(mb.month), mb.rules
    return CallbackFigures(
        in_month=[month.contains(d) for d in ledger.column("call_date")],
        business=[mb.business(v) for v in ledger.column("business")],
        result=[mb.result_of(v) for v in ledger.column("result")],
        reason=[_s(v) for v in ledger.column("reason")],
        dept=[mb.dept(v) for v in ledger.column("dept")],
        satisfied_word=rules.callback_satisfied, unsatisfied_word=rules.callback_unsatisfied)


def callback_figure_rows(mb: MonthBooks) -> Iterator[dict[str, Any]]:
    """The figures of each row of the 台账 (`CallbackFigures.row`), one at a time."""
    figures = callback_figure_columns(mb)
    for i in range(mb.ledger.size):
        yield figures.row(i)


def callback_records(mb: MonthBooks) -> Iterator[dict[str, Any]]:
    """The month's ``callbacks`` rows, one at a time: a 100,000-callback month's rows held
    at once took 150 MB of a close that only streams them into the store."""
    f = callback_figure_columns(mb)
    satisfied, unsatisfied = mb.rules.callback_satisfied, mb.rules.callback_unsatisfied
    for i, r in enumerate(mb.ledger.records()):
        result = f.result[i]
        yield {
            "row_no": int(r["_row"]), "call_date": r.get("call_date"), "in_month": f.in_month[i],
            "business": f.business[i], "order_no": _s(r.get("order")), "done_date": r.get("done_date"),
            "customer": _s(r.get("customer")), "phone": _s(r.get("phone")), "address": _s(r.get("address")),
            "customer_key": customer_key(r.get("phone"), r.get("customer"), r.get("address")) or None,
            "staff": _s(r.get("staff")), "dept": f.dept[i], "agent": _s(r.get("agent")), "result": result,
            "satisfied": result == satisfied, "unsatisfied": result == unsatisfied,
            "opinion": _s(r.get("opinion")), "suggestion": _s(r.get("suggestion")), "reason": f.reason[i],
            "flow": _yes(r.get("flow")), "flow_no": _s(r.get("flow_no")), "carried": _carried(r), "note": _s(r.get("note")),
        }


def flow_status(due: datetime, feedback: Any, as_of: datetime) -> tuple[str, bool]:
    """(status, late) of a flow form as of `as_of` (回访 六.1), as `MonthBooks` judges it."""
    if feedback is None:
        return ("未反馈（已超时）", True) if as_of > due else ("未反馈", False)
    return ("按时反馈", False) if deadlines.done_in_time(feedback, due) else ("超时反馈", True)


def flow_records(mb: MonthBooks, as_of: datetime) -> Iterator[dict[str, Any]]:
    """The month's ``flow_forms`` rows (statuses as of `as_of`), one at a time."""
    month = Month(mb.month)
    for r in mb.ledger.records():
        if not _yes(r.get("flow")) or r.get("flow_date") is None:
            continue
        due = deadlines.flow_form_due(r["flow_date"], mb.rules)
        status, late = flow_status(due, r.get("feedback_date"), as_of)
        yield {
            "row_no": int(r["_row"]), "flow_no": _s(r.get("flow_no")), "dept": mb.dept(r.get("dept")), "business": mb.business(r.get("business")),
            "order_no": _s(r.get("order")), "call_date": r.get("call_date"), "customer": _s(r.get("customer")), "phone": _s(r.get("phone")),
            "flow_date": r["flow_date"], "due": due, "feedback_date": r.get("feedback_date"), "status": status, "late": late,
            "in_month": month.contains(r["flow_date"]), "handling": _s(r.get("handling")), "carried": _carried(r),
        }


# store prefix -> (rules stage key, start column, done column)
STAGES = {"inv": ("investigate", "accepted", "inv_done"), "handle": ("handle", "accepted", "handle_done"), "revisit": ("revisit", "handle_done", "revisit_done")}


def complaint_records(mb: MonthBooks, as_of: datetime) -> list[dict[str, Any]]:
    rules, month = mb.rules, Month(mb.month)
    course = mb.courses()
    evidence: dict[str, int] = {}
    if mb.evidence.found:
        for e in mb.evidence.records():
            number = RowKey.of(e.get("no"), "").number
            evidence[number] = evidence.get(number, 0) + 1
    out = []
    for r in mb.complaints.records():
        c = course[int(r["_row"])]
        level, channel, resp = r.get("level"), r.get("channel"), r.get("resp")
        major_text = r.get("major")
        major = _try(C.major_item, major_text, rules)
        is_major = not is_blank(major_text)
        responsible = True if is_blank(resp) else _try(parse_bool, resp, default=True)
        rec: dict[str, Any] = {
            "row_no": int(r["_row"]), "complaint_no": _s(r.get("no")), "accepted": r.get("accepted"), "in_month": month.contains(r.get("accepted")),
            "channel": _try(parse_channel, channel, rules), "level": None if is_blank(level) else _try(parse_level, level),
            "major": major.code if major else None, "major_class": major.class_name if major else None,
            "customer": _s(r.get("customer")), "phone": _s(r.get("phone")), "address": _s(r.get("address")),
            "customer_key": customer_key(r.get("phone"), r.get("customer"), r.get("address")) or None,
            "content": _s(r.get("content")), "dept": mb.dept(r.get("dept")), "responsible": bool(responsible),
            "no_fault_reason": _try(C.no_fault_reason, r.get("reason"), rules),
            "points": None if is_blank(level) and is_blank(channel) else _try(scoring.complaint_deduction, level, channel, resp, rules),
            "grade_c": bool(_try(scoring.is_grade_c, level, resp, rules, default=False)),
        }
        for prefix, (stage, _, done_key) in STAGES.items():
            start, done = c.start(stage, r), r.get(done_key)
            due = None if start is None else _try(deadlines.stage_due, stage, start, is_major, rules=rules)
            rec[f"{prefix}_due"], rec[f"{prefix}_done"] = due, done
            rec[f"{prefix}_status"] = None if due is None else _try(deadlines.sla_status, due, done, as_of, rules)
            rec[f"{prefix}_hours"] = _hours(start, done)
        closed, appeal_at = r.get("closed"), r.get("appeal_at")
        rec.update({
            "closed": closed, "appeal_at": appeal_at, "appeal_result": _s(r.get("appeal_result")), "carried": _carried(r), "note": _s(r.get("note")),
            "appeal_due": None if c.closed is None else _try(deadlines.stage_due, "appeal", c.closed, is_major, rules=rules),
            "appeal_handle_due": None if appeal_at is None else _try(deadlines.stage_due, "appeal_handle", appeal_at, is_major, rules=rules),
        })
        # 投诉 第七条: the row's place in the complaint's course (services/complaint_course.py)
        rec.update({
            "review": _try(P.review_result, r.get("review"), rules), "review_at": r.get("review_at"), "round_no": c.round,
            "round_start": c.round_start, "callback_result": _try(P.callback_result, r.get("callback"), rules),
            "recheck": bool(_try(P.needs_recheck, r.get("callback"), r.get("revisit_done"), r.get("review_at"), rules, default=False)) and c.counts,
            "resp_kind": c.kind, "resp_unit": _s(r.get("resp_unit")), "state": c.state, "counted": c.counts,
            "charged_dept": c.charged if c.counts else None, "closed_effective": c.closed,
            "finding": _s(r.get("finding")), "result": _s(r.get("result")), "callback_note": _s(r.get("callback_note")),
            "term_applied": _day(r.get("term_applied")), "term_reason": _s(r.get("term_reason")), "term_approver": _s(r.get("term_approver")),
            "term_approved": _day(r.get("term_approved")), "term_status": _try(P.termination_status, r.get("term_status"), rules),
            "evidence": evidence.get(RowKey.of(r.get("no"), "").number, 0),
        })
        if not c.counts:
            rec["points"], rec["grade_c"] = None, False  # a rejected round, a cancelled or moved-away row: counts nothing
        elif c.charged is None and rec["points"] is not None:
            rec["points"], rec["grade_c"] = 0.0, False  # an internal partner unit's, not charged to our departments
        out.append(rec)
    return out


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def reassignment_records(mb: MonthBooks) -> list[dict[str, Any]]:
    """The 改派记录 lines (投诉 第七条(一)5、6)."""
    if not mb.reassign.found:
        return []
    return [{"row_no": int(r["_row"]), "complaint_no": _s(r.get("no")), "reassigned_at": r.get("at"), "way": _s(r.get("way")),
             "from_dept": mb.dept(r.get("from_dept")) or None, "to_dept": mb.dept(r.get("to_dept")) or None, "new_no": _s(r.get("new_no")),
             "agent": _s(r.get("agent")), "why": _s(r.get("why"))} for r in mb.reassign.records()]


def completed_records(mb: MonthBooks) -> list[dict[str, Any]]:
    form = mb.form(callback_ledger.completed_sheet(mb.rules), callback_ledger.STEM)
    out = []
    for b in mb.rules.business_types:
        value = form.value(b.name, "count") if form.found else None
        out.append({"business": b.name, "count": int(value) if isinstance(value, int | float) and value == value else 0})
    return out


def card_records(cards: dict[str, ScoreCard]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows, items = [], []
    for c in cards.values():
        rows.append({"dept": c.department, "deductions": c.deductions, "bonuses": c.bonuses, "score": c.score, "grade": c.grade or "",
                     "weight": c.weight, "company_item": c.company_item, "allowance_base": c.allowance_base, "allowance": c.allowance})
        for seq, i in enumerate(c.items):
            items.append({"dept": c.department, "seq": seq, "category": i.category, "item_text": i.text, "clause": i.clause or None,
                          "points": i.points + 0.0, "source": i.source or None})  # -0.0 (a 无责 complaint) stored as 0.0
    return rows, items


def praise_records(mb: MonthBooks) -> list[dict[str, Any]]:
    rules = mb.rules
    out = []
    for r in mb.items.records():
        kind = r.get("type")
        if kind == L.ITEM_PRAISE:
            count = 1 if r.get("count") is None else _try(parse_count, r["count"], default=0)
            points = _try(scoring.praise_bonus, count, None, rules)
        elif kind == L.ITEM_MEDIA:
            count = 1
            points = _try(scoring.media_points, r.get("pin"), rules)
        else:
            continue
        out.append({"row_no": int(r["_row"]), "praise_date": r.get("date"), "dept": mb.dept(r.get("dept")), "kind": kind, "count": int(count),
                    "points": points, "description": _s(r.get("desc")), "source": _s(r.get("source"))})
    return out


def month_info(root: Path, month: str) -> dict[str, Any]:
    """The ``months`` row from the close's 结账记录 (else from the marker's time)."""
    mf = MonthFolder(root, month)
    return record_info(mf.load_record(), mf.closed_at)


def record_info(record: Mapping[str, Any], marked_at: Callable[[], datetime | None]) -> dict[str, Any]:
    """The ``months`` row of a 结账记录 (the close gives the one it is about to write: the
    store then holds what a rebuild from the record would); `marked_at` when it has no time."""
    closed_at = None
    if record.get("结账时间"):
        moment = _try(datetime.fromisoformat, str(record["结账时间"]))  # +08:00 since issue 12; naive before
        closed_at = clock.local(moment).replace(microsecond=0) if moment else None
    if closed_at is None:
        closed_at = marked_at()
    return {"closed_at": closed_at, "closed_by": record.get("结账人") or None, "forced": bool(record.get("强制结账", False)),
            "tool_version": record.get("工具版本"), "rules_file": record.get("规则文件"),
            "inputs_sha256": json.dumps(record["inputs"], ensure_ascii=False, sort_keys=True) if record.get("inputs") else None}


def month_rows(mb: MonthBooks, cards: dict[str, ScoreCard], info: dict[str, Any]) -> RecordStream:
    """Every table's rows for the month (see `xinao_xl.history.schema`); statuses as of
    ``info["closed_at"]``. The callbacks and flow forms are made as they are read (the
    close streams them into the store, `record_close`)."""
    as_of = info.get("closed_at") or mb.as_of
    cards_rows, items = card_records(cards)
    return {
        "months": [info],
        "callbacks": callback_records(mb),
        "flow_forms": flow_records(mb, as_of),
        "complaints": complaint_records(mb, as_of),
        "completed_orders": completed_records(mb),
        "score_cards": cards_rows,
        "score_items": items,
        "praise": praise_records(mb),
        "complaint_reassignments": reassignment_records(mb),
    }


def month_records(mb: MonthBooks, cards: dict[str, ScoreCard], info: dict[str, Any]) -> Records:
    """`month_rows` as lists: a rebuild holds every month's rows until its one transaction
    (and so not every month's books)."""
    return {table: list(rows) for table, rows in month_rows(mb, cards, info).items()}


def read_month(root: Path, month: str, rules: Rules | None = None) -> Records:
    """A closed month's records read from its folder, as of its close."""
    info = month_info(root, month)
    # the settings the month was closed with (its 结账记录), so the store holds what was scored
    mb = MonthBooks.open(root, month, as_of=info["closed_at"], rules=rules or closed_month_rules(root, month))
    return month_records(mb, mb.score_cards(), info)


# --- at the close ----------------------------------------------------------------------------


@dataclass
class Recorded:
    """What a write to the store did, for the close's summary."""

    where: str
    month: str
    company: str
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        return f"历史库（{self.where}）已写入 {self.month}：回访 {self.counts.get('callbacks', 0)} 条、投诉 {self.counts.get('complaints', 0)} 条、得分卡 {self.counts.get('score_cards', 0)} 张"


def record_close(root: Path, month: str, mb: MonthBooks, cards: dict[str, ScoreCard], *, db: str | Path | None = None,
                 company: str | None = None, prepared: PreparedClose | None = None) -> Recorded | None:
    """Write the closed month to the store (None when the store is off); called by the close
    after its record and marker, with the books and cards it computed: the rows it prepared
    (`prepare_close`), else made as the store takes them, from the record."""
    if prepared is not None:
        t0 = time.perf_counter()
        try:
            counts = prepared.store.write_prepared(prepared.rows)
        finally:
            prepared.close()
        return Recorded(prepared.where, month, prepared.rows.company, counts, prepared.seconds + time.perf_counter() - t0)
    url = H.resolve_url(db, root)
    if url is None:
        return None
    t0 = time.perf_counter()
    company = H.company_name(company)
    with H.HistoryStore(url) as st:
        counts = st.write_month(company, month, month_rows(mb, cards, month_info(root, month)))
    return Recorded(H.show_url(url), month, company, counts, time.perf_counter() - t0)


@dataclass
class PreparedClose:
    """The month's rows as the store will take them, and the store open to take them."""

    where: str  # the store, for messages (`store.show_url`)
    store: H.HistoryStore
    rows: H.PreparedMonth
    seconds: float

    def close(self) -> None:
        self.store.close()


def prepare_close(root: Path, month: str, mb: MonthBooks, cards: dict[str, ScoreCard], info: dict[str, Any], *,
                  db: str | Path | None = None, company: str | None = None) -> PreparedClose | None:
    """The store opened and the month's rows made as it takes them, before the close writes
    them (`record_close`, after its marker, in a short transaction): the close does this while
    its second process builds outputs (services/spawned.py). `info`: the ``months`` row of the
    record the close will write (`record_info`). None when the store is off or not there yet
    (the close then makes it after its marker: a failed close must not leave a new, empty
    store behind), or when anything here fails (the write after the marker says why)."""
    url = H.existing_url(db, root)
    if url is None:
        return None
    t0 = time.perf_counter()
    try:
        store = H.HistoryStore(url)
    except Exception:
        return None
    try:
        rows = store.prepare_month(H.company_name(company), month, month_records(mb, cards, info))
    except Exception:
        store.close()
        return None
    return PreparedClose(H.show_url(url), store, rows, time.perf_counter() - t0)


# --- rebuild ---------------------------------------------------------------------------------


@dataclass
class Rebuilt:
    where: str
    company: str
    months: list[str]
    counts: dict[str, int]
    fingerprint: dict[str, tuple[int, str]]
    seconds: float

    def summary(self) -> str:
        lines = [f"历史库（{self.where}）已按 {len(self.months)} 个已结账月份重建（{self.company}）：{'、'.join(self.months) or '无'}，用时 {self.seconds:.1f} 秒"]
        for table, (n, digest) in self.fingerprint.items():
            lines.append(f"  {table:<16} {n:>8} 行  SHA-256 {digest[:16]}")
        return "\n".join(lines)


def rebuild(root: Path, db: str | Path | None = None, company: str | None = None, progress: Progress | None = None,
            rules: Rules | None = None) -> Rebuilt:
    """Drop the company's rows and write every closed month folder under `root` again, in
    one transaction (a failure leaves the store as it was)."""
    url = H.resolve_url(db, root)
    if url is None:
        raise H.HistoryError("历史库已关闭（XINAO_XL_DB=off）：请用 --db 指定要重建的数据库")
    company = H.company_name(company)
    t0 = time.perf_counter()
    months = closed_months(root)
    data = []
    for n, month in enumerate(months, start=1):
        if progress:
            progress(n, len(months) + 1, f"读取 {month}")
        data.append((month, read_month(root, month, rules)))
    if progress:
        progress(len(months) + 1, len(months) + 1, "写入历史库")
    try:
        with H.HistoryStore(url) as st:
            counts = st.replace_company(company, data)
            fp = st.fingerprint(company)
    except H.HistoryError:
        raise
    except Exception as exc:  # the database refused (server down, no rights): one transaction, nothing changed
        raise H.HistoryError(f"历史库重建失败，数据库保持原样（{H.error_text(exc)}）") from exc
    return Rebuilt(H.show_url(url), company, months, counts, fp, time.perf_counter() - t0)


@dataclass
class StoreStatus:
    where: str
    company: str
    months: list[str]
    counts: dict[str, int]
    version: int


def store_status(url: str, company: str | None = None) -> StoreStatus:
    """What the store at `url` holds for the company (`xinao-xl history status`)."""
    company = H.company_name(company)
    try:
        with H.HistoryStore(url) as st:
            months, counts, versions = st.months(company), st.counts(company), st.applied_versions()
    except H.HistoryError:
        raise
    except Exception as exc:  # a server that does not answer, a file that is not a database
        raise H.HistoryError(f"无法打开历史库 {H.show_url(url)}（{H.error_text(exc)}）") from exc
    return StoreStatus(H.show_url(url), company, months, counts, max(versions, default=0))
