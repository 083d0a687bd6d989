"""What the cross-month rules see of the months before the one at hand: the callbacks of
last month (回访 三.3, no customer twice within 7 days) and the complaints closed in the
last 3 months (投诉 附件3 第7项, the same closed complaint raised again).

    lb = lookback(Path("D:/服务考核"), "2026-11")
    lb.calls[0]["where"], lb.sources        # '上月台账第12行', ['2026-10 台账（历史库）', …]

Each month comes from the history store when the store holds it (the month was closed and
recorded), else from that month's workbook in its folder: early in a month the previous
one is usually not closed yet, and an office without the store keeps working as before.
A store that cannot be opened (server down) is reported in ``sources`` and the workbooks
are read instead. The month being checked always comes from its own workbooks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xinao_xl.books import callback_ledger, complaint_ledger
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.read import BookReader, BookReadError
from xinao_xl.history import store as H
from xinao_xl.policy.callbacks import customer_key
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import normalize_text
from xinao_xl.policy.rules import Rules, load_rules


@dataclass
class Lookback:
    """Past records for the cross-month rules, each with ``where`` (for the message)."""

    calls: list[dict[str, Any]] = field(default_factory=list)  # call_date, phone, customer, address, order_no, where
    closed: list[dict[str, Any]] = field(default_factory=list)  # complaint_no, customer_key, closed, dept, where
    sources: list[str] = field(default_factory=list)  # 2026-10 台账（历史库）/ 2026-10 台账（工作簿）/ problems


def _call_where(month: str, current: str, row: int) -> str:
    return f"上月台账第{row}行" if month == Month(current).prev() else f"{month}台账第{row}行"


def lookback(root: Path, month: str, *, db: str | Path | None = None, company: str | None = None, rules: Rules | None = None,
             call_months: int = 1, complaint_months: int | None = None, migrate: bool = True) -> Lookback:
    """The callbacks of the `call_months` months before `month` and the closed complaints of
    the `complaint_months` (the rules' 3) months before it, from the store or the workbooks."""
    rules = rules or load_rules()
    root, month = Path(root), Month(month)
    n_complaints = int(rules.value("repeat_complaint_months")) if complaint_months is None else complaint_months
    call_ms = [month.prev(i) for i in range(call_months, 0, -1)]
    complaint_ms = [month.prev(i) for i in range(n_complaints, 0, -1)]
    out = Lookback()
    held: set[str] = set()
    url = H.existing_url(db, root)
    if url is not None:
        company = H.company_name(company)
        try:
            with H.HistoryStore(url, migrate=migrate) as st:  # migrate=False: read only (预结账 writes nothing)
                held = set(st.months(company)) & (set(call_ms) | set(complaint_ms))
                for r in st.past_calls(company, sorted(held & set(call_ms))):
                    out.calls.append({**r, "where": _call_where(r["month"], month, r["row_no"])})
                for r in st.closed_complaints(company, sorted(held & set(complaint_ms))):
                    out.closed.append({**r, "where": f"{r['month']}投诉台账第{r['row_no']}行"})
        except Exception as exc:  # a store we cannot read must not stop validation or sampling
            held = set()
            out.calls, out.closed = [], []
            out.sources.append(f"历史库（{H.show_url(url)}）无法读取，改读各月工作簿（{H.error_text(exc)}）")
    for m in call_ms:
        if m in held:
            out.sources.append(f"{m} 台账（历史库）")
        elif _read_calls(root, m, month, out):
            out.sources.append(f"{m} 台账（工作簿）")
    for m in complaint_ms:
        if m in held:
            out.sources.append(f"{m} 投诉台账（历史库）")
        elif _read_closed(root, m, rules, out):
            out.sources.append(f"{m} 投诉台账（工作簿）")
    out.closed = _latest(out.closed)
    return out


def _read_calls(root: Path, m: str, current: str, out: Lookback) -> bool:
    path = MonthFolder(root, m).book(callback_ledger.STEM)
    if not path.exists():
        return False
    try:
        t = BookReader(path).table(callback_ledger.ledger_sheet())
    except BookReadError as exc:
        out.sources.append(str(exc))
        return False
    for rec in t.records():
        if rec.get("call_date") is None or normalize_text(rec.get("result") or "") == "未接通":
            continue
        out.calls.append({"month": m, "row_no": rec["_row"], "call_date": rec["call_date"], "phone": rec.get("phone"), "customer": rec.get("customer"),
                          "address": rec.get("address"), "order_no": rec.get("order"), "where": _call_where(m, current, rec["_row"])})
    return True


def _read_closed(root: Path, m: str, rules: Rules, out: Lookback) -> bool:
    path = MonthFolder(root, m).book(complaint_ledger.STEM)
    if not path.exists():
        return False
    try:
        t = BookReader(path).table(complaint_ledger.ledger_sheet(rules))
    except BookReadError as exc:
        out.sources.append(str(exc))
        return False
    for rec in t.records():
        key = customer_key(rec.get("phone"), rec.get("customer"), rec.get("address"))
        if rec.get("closed") is None or not key:
            continue
        out.closed.append({"month": m, "row_no": rec["_row"], "complaint_no": rec.get("no"), "customer_key": key, "closed": rec["closed"],
                           "phone": rec.get("phone"), "dept": rec.get("dept"), "where": f"{m}投诉台账第{rec['_row']}行"})
    return True


def _latest(closed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (complaint, department): a complaint carried into later months is listed
    in each; its latest month holds its final state."""
    by_key: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in sorted(closed, key=lambda r: (r["month"], r["row_no"])):
        no = normalize_text(r.get("complaint_no") or "") or f"#{r['month']}:{r['row_no']}"
        by_key[(no, normalize_text(r.get("dept") or ""), r["customer_key"])] = r
    return list(by_key.values())
