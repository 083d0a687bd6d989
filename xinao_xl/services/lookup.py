"""Use case: a customer's callbacks and complaints across months (`xinao-xl lookup`).

    found = lookup_customer(Path("D:/服务考核"), "13812345678")     # or a name: "张三"
    print(found.summary())

A phone (7 digits or more, written any way: 138-1234-5678, +86 …) finds the customer the
way the 7-day rule knows them (`callbacks.customer_key`: the phone's digits); anything else
is a name, found in the 客户姓名 of every row that contains it. Each month comes from the
history store when the store holds it (closed months), else from the month's workbooks
(the open month, an office without the store), as the cross-month rules read them
(services/lookback.py). A row carried into the next month's books at the close is shown
once, in its latest state. Phones are masked (138****5678), in the texts too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xinao_xl.books import callback_ledger, complaint_ledger
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.port import FileBook
from xinao_xl.history import store as H
from xinao_xl.policy import clock
from xinao_xl.policy.callbacks import customer_key
from xinao_xl.policy.errors import XinaoError, quote, staff_text
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import normalize_text
from xinao_xl.policy.privacy import mask_phone, redact_phones
from xinao_xl.policy.rules import Rules

from .history import callback_records, complaint_records
from .month_books import MonthBooks
from .settings import rules_for_month

__all__ = ["CALL_HEADERS", "COMPLAINT_HEADERS", "CustomerLookupError", "LookupResult", "lookup_customer"]

PHONE_DIGITS = 7  # as customer_key: a shorter number is no phone
CALL_HEADERS = ["月份", "回访日期", "业务类型", "工单号", "客户", "电话", "回访结果", "意见、建议或不满原因", "流转单号", "位置"]
COMPLAINT_HEADERS = ["月份", "投诉单号", "受理时间", "渠道/级别", "责任部门", "投诉内容", "客户", "电话", "办结", "位置"]
TEXT_LIMIT = 40  # characters of a free text shown in a table cell


class CustomerLookupError(XinaoError, ValueError):
    """A query that finds no one to look for (Chinese message)."""


@dataclass
class LookupResult:
    query: str  # as shown (a phone masked)
    calls: list[dict[str, Any]] = field(default_factory=list)
    complaints: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # 2026-10、2026-11 历史库 / 2026-12 工作簿
    notes: list[str] = field(default_factory=list)

    def call_rows(self) -> list[list[Any]]:
        return [[r["month"], _day(r.get("call_date")), r.get("business") or "", r.get("order_no") or "", r.get("customer") or "",
                 mask_phone(r.get("phone")), r.get("result") or "（未填）", _words(r), r.get("flow_no") or "", r["where"]] for r in self.calls]

    def complaint_rows(self) -> list[list[Any]]:
        return [[r["month"], r.get("complaint_no") or "", _moment(r.get("accepted")), _level(r), r.get("dept") or "",
                 _short(r.get("content")), r.get("customer") or "", mask_phone(r.get("phone")),
                 _day(r.get("closed")) if r.get("closed") else "未办结", r["where"]] for r in self.complaints]

    def summary(self) -> str:
        months = sorted({r["month"] for r in self.calls + self.complaints})
        span = f"（{months[0]} 至 {months[-1]}）" if len(months) > 1 else (f"（{months[0]}）" if months else "")
        head = (f"{self.query}：回访 {len(self.calls)} 次、投诉 {len(self.complaints)} 条{span}" if self.calls or self.complaints
                else f"没有找到{self.query}{'' if self.query.endswith('”') else ' '}的回访和投诉")
        return "\n".join([head, f"查找范围：{'；'.join(self.sources) or '没有月份文件夹，也没有历史库'}", *(f"注意：{n}" for n in self.notes)])


def _day(value: Any) -> str:
    return f"{value:%Y-%m-%d}" if isinstance(value, date) else ""


def _moment(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if isinstance(value, datetime) else _day(value)


def _short(value: Any) -> str:
    text = redact_phones(" ".join(str(value or "").split()))
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "…"


def _words(r: dict[str, Any]) -> str:
    return _short("；".join(str(r[k]) for k in ("opinion", "suggestion", "reason") if r.get(k)))


def _level(r: dict[str, Any]) -> str:
    parts = [str(r["channel"]) if r.get("channel") else "", f"{r['level']}级" if r.get("level") else ""]
    return " ".join(p for p in parts if p)


def _query(text: str) -> tuple[list[str], str | None, str]:
    """(customer keys, name, the query as shown): a phone by its digits, else a name.

    The keys are the phone's `customer_key` with and without the country code (a ledger may
    hold 13812345678, +86 138 1234 5678 or 0086…), so one customer is found however typed."""
    text = str(text).strip()
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
    if len(digits) >= PHONE_DIGITS:
        for prefix in ("0086", "86"):
            if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
                digits = digits[len(prefix):]
        keys = [customer_key(p + digits) for p in ("", "86", "0086")] if len(digits) == 11 else [customer_key(digits)]
        return keys, None, f"电话 {mask_phone(text)}"
    name = normalize_text(text)
    if len(name) < 2:
        raise CustomerLookupError(f"请输入客户电话（至少{PHONE_DIGITS}位数字）或姓名（至少两个字），而不是“{quote(text)}”")
    return [], name, f"客户“{name}”"


def _matches(rec: dict[str, Any], keys: list[str], name: str | None) -> bool:
    if keys:
        return customer_key(rec.get("phone"), rec.get("customer"), rec.get("address")) in keys
    return bool(name) and name in normalize_text(rec.get("customer") or "")


def lookup_customer(root: Path, query: str, *, db: str | Path | None = None, company: str | None = None,
                    rules: Rules | None = None, now: datetime | None = None) -> LookupResult:
    """Every callback and complaint of the customer `query` names, oldest first."""
    given = rules
    root = Path(root)
    keys, name, shown = _query(query)
    result = LookupResult(shown)
    folders = sorted(m for m in (Month.match(p.name) for p in root.iterdir() if p.is_dir()) if m is not None) if root.is_dir() else []
    calls: list[dict[str, Any]] = []
    complaints: list[dict[str, Any]] = []
    held: list[str] = []
    url = H.existing_url(db, root)
    if url is not None:
        company = H.company_name(company)
        try:
            with H.HistoryStore(url) as st:
                held = st.months(company)
                for r in st.customer_rows("callbacks", company, held, keys=keys, name=name):
                    calls.append({**r, "where": _place(r["month"], callback_ledger.STEM, callback_ledger.LEDGER, r["row_no"])})
                for r in st.customer_rows("complaints", company, held, keys=keys, name=name):
                    complaints.append({**r, "where": _place(r["month"], complaint_ledger.STEM, complaint_ledger.LEDGER, r["row_no"])})
        except Exception as exc:  # a store we cannot read: the workbooks are the source
            held, calls, complaints = [], [], []
            result.notes.append(f"历史库无法读取，改读各月工作簿（{staff_text(exc)}）")
    if held:
        result.sources.append(f"{_span(held)} 历史库")
    read = [m for m in folders if m not in held]
    for m in read:
        _from_books(root, m, given or rules_for_month(root, m), now or clock.now(), keys, name, calls, complaints, result)
    if read:
        result.sources.append(f"{'、'.join(read)} 工作簿")
    result.calls = _latest(calls, lambda r: (r.get("order_no") or f"#{r['month']}:{r['row_no']}", r.get("call_date"), r.get("customer_key")))
    result.complaints = _latest(complaints, lambda r: (r.get("complaint_no") or f"#{r['month']}:{r['row_no']}", r.get("dept")))
    result.calls.sort(key=lambda r: (r.get("call_date") or date.min, r["month"], r["row_no"]))
    result.complaints.sort(key=lambda r: (r.get("accepted") or datetime.min, r["month"], r["row_no"]))
    return result


def _span(months: list[str]) -> str:
    return f"{months[0]} 至 {months[-1]}" if len(months) > 2 else "、".join(months)


def _place(month: str, stem: str, sheet: str, row: int) -> str:
    return f"{month}_{stem}.xlsx {sheet} 第{row}行"


def _from_books(root: Path, month: Month, rules: Rules, now: datetime, keys: list[str], name: str | None,
                calls: list[dict[str, Any]], complaints: list[dict[str, Any]], result: LookupResult) -> None:
    """The month's two ledgers as the store would hold them (services/history.py's records)."""
    mf = MonthFolder(root, month)
    books = {stem: FileBook(path) for stem, path in mf.books.items()
             if stem in (callback_ledger.STEM, complaint_ledger.STEM) and path.is_file()}
    mb = MonthBooks(month, books, rules, now)
    try:
        if callback_ledger.STEM in books and mb.ledger.found:
            for r in callback_records(mb):
                if _matches(r, keys, name):
                    calls.append({**r, "month": month, "where": _place(month, callback_ledger.STEM, callback_ledger.LEDGER, r["row_no"])})
        if complaint_ledger.STEM in books and mb.complaints.found:
            for r in complaint_records(mb, now):
                if _matches(r, keys, name):
                    complaints.append({**r, "month": month, "where": _place(month, complaint_ledger.STEM, complaint_ledger.LEDGER, r["row_no"])})
    except XinaoError as exc:  # one unreadable month does not hide the others
        result.notes.append(f"{month} 的工作簿无法读取：{exc.message}")


def _latest(rows: list[dict[str, Any]], key: Any) -> list[dict[str, Any]]:
    """One row per record: a row carried into later months keeps its latest month's state."""
    by_key: dict[Any, dict[str, Any]] = {}
    for r in sorted(rows, key=lambda r: (r["month"], r["row_no"])):
        by_key[key(r)] = r
    return list(by_key.values())
