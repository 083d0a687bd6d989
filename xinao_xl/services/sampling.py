"""Use case: the day's callback sampling (`xinao-xl sample`, ribbon 导入完工数据并抽样).

    result = sample_day(Path("完工工单.xlsx"), date(2026, 11, 20), "孙雪燕", Path("D:/服务考核"))
    print(result.summary())

Reads the business system's export of completed orders, applies the policy (回访 三.3 no
customer twice within 7 days, looking back into last month's 台账; 五.1 only orders
completed in the last 3 days; 四.2 quotas per type with the shortfall passed on), appends
the chosen orders to the month's 台账 pre-filled (回访日期, 业务类型, 工单号, 完工日期,
客户, 电话, 地址, 上门人员, 责任部门, 回访人) and writes the types' available orders into
the 抽样 sheet, whose live formulas then show the day's quotas.

Writing the 台账: the file path never re-saves a staff workbook (DESIGN.md), but appending
rows is the point here. So: before any work, refuse the 台账, the export and last month's 台账
while open (lock file) and a read-only 台账 or folder (`books.save.preflight`); then write the
rows into the 台账 in place (`books.append`): only the 台账 and 抽样 sheets' parts change
(plus styles.xml when a cell needs a format the file lacks, and workbook.xml's request to
recalculate on open); pictures, charts, comments, x14 validations and every other part staff
added stay byte for byte, and what cannot be kept is refused with a message. The new file
replaces the 台账 atomically, the previous one kept in ``历史版本`` (books/save.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xinao_xl.books import callback_ledger
from xinao_xl.books.completed_export import ALIASES, SHEET, export_sheet
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.read import BookReader, TableRead
from xinao_xl.books.save import HISTORY_DIR, preflight, sweep_temps
from xinao_xl.books.schema import Column, TableSheet
from xinao_xl.policy import clock
from xinao_xl.policy.callbacks import CompletedOrder, PastCallback, SampleResult, sample_orders
from xinao_xl.policy.errors import XinaoError, quote
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import is_blank, normalize_text
from xinao_xl.policy.rules import Rules, load_rules

from .lookback import Lookback, lookback
from .month_writer import month_writer, refuse_closed
from .settings import rules_for_month


class SamplingError(XinaoError, ValueError):
    """The export or the month cannot be sampled (Chinese message)."""


@dataclass
class SamplingResult:
    """What the day's sampling did, for the console and the ribbon's message box."""

    day: date
    agent: str
    ledger: Path
    sample: SampleResult
    rows: list[int] = field(default_factory=list)  # 台账 rows written
    exported: Counter = field(default_factory=Counter)  # orders in the export per type
    eligible: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def reasons(self) -> Counter:
        """Why orders were left out, counted by reason (names of customers left out)."""
        out: Counter = Counter()
        for _, reason in self.sample.skipped:
            out["该客户7日内已回访" if "日内不重复回访" in reason else reason] += 1
        return out

    def table_rows(self, rules: Rules | None = None) -> list[list[Any]]:
        rules = rules or load_rules()
        taken = self.sample.taken_by_type()
        return [[b.name, self.exported.get(b.name, 0), self.eligible.get(b.name, 0), self.sample.quotas.get(b.name, 0), taken.get(b.name, 0)]
                for b in rules.business_types]

    def summary(self) -> str:
        lines = [f"{self.day:%Y-%m-%d} {self.agent}：抽取 {len(self.sample.taken)} 条，已追加到 {self.ledger.name} 第{self.rows[0]}-{self.rows[-1]}行"
                 if self.rows else f"{self.day:%Y-%m-%d} {self.agent}：没有可抽取的工单"]
        for reason, n in sorted(self.reasons().items(), key=lambda x: -x[1]):
            lines.append(f"  未抽取 {n} 条：{reason}")
        if self.rows:
            lines.append(f"  原台账已保留在 {HISTORY_DIR} 文件夹中")
        lines += [f"注意：{n}" for n in self.notes]
        return "\n".join(lines)


# --- reading the export ----------------------------------------------------------------------


def read_export(path: Path, rules: Rules | None = None) -> list[CompletedOrder]:
    """The completed orders of an export; columns by header or alias, the first sheet that
    has them. Missing 工单号, 业务类型 or 完工时间 columns are refused."""
    reader = BookReader(path)
    base = export_sheet()
    for sheet in ([SHEET] if SHEET in reader.sheet_names else []) + [s for s in reader.sheet_names if s != SHEET]:
        spec = _spec_for(reader, sheet, base)
        if spec is None:
            continue
        t = reader.table(spec)
        return _orders(t)
    raise SamplingError(f"{Path(path).name} 中没有找到完工工单（须有“工单号”“业务类型”“完工时间”列）")


def _spec_for(reader: BookReader, sheet: str, base: TableSheet) -> TableSheet | None:
    """The export spec with each header replaced by the name this file uses for it."""
    seen: dict[str, tuple[int, int]] = {}
    for i, row in enumerate(reader.rows(sheet)[:10]):
        for value in row:
            if isinstance(value, str):
                seen.setdefault(normalize_text(value), (i + 1, 0))
    columns = []
    header_row = 0
    for c in base.columns:
        for name in (c.header, *ALIASES.get(c.header, ())):
            if name in seen:
                columns.append(Column(c.key, name, type=c.type))
                header_row = header_row or seen[name][0]
                break
    keys = {c.key for c in columns}
    if not {"order", "business", "done_at"} <= keys:
        return None
    return TableSheet(sheet, base.title, tuple(columns), rows=0, header_row=header_row)


def _orders(t: TableRead) -> list[CompletedOrder]:
    bad = [p for p in t.problems if p.key == "done_at"]
    if bad:
        first = bad[0]
        more = f"；另有 {len(bad) - 1} 行同样无法识别" if len(bad) > 1 else ""
        raise SamplingError(f"{t.workbook} 工作表“{t.sheet}”{t.address('done_at', first.row)} 单元格：{t.spec.column('done_at').header}"
                            f"“{quote(first.raw)}”无法识别（应为日期时间，如 2026-11-19 15:20）{more}；请改正导出文件后再抽样")
    out = []
    for rec in t.records():
        if is_blank(rec.get("order")) or rec.get("done_at") is None:
            continue
        done = rec["done_at"]
        if not isinstance(done, datetime):
            done = datetime.combine(done, datetime.min.time())
        out.append(CompletedOrder(str(rec["order"]), str(rec.get("business") or ""), done, rec.get("customer") or "", rec.get("phone") or "",
                                  rec.get("address") or "", rec.get("staff") or "", rec.get("dept") or ""))
    return out


# --- history ------------------------------------------------------------------------------------


def ledger_path(root: Path, month: str) -> Path:
    return MonthFolder(root, month).book(callback_ledger.STEM)


def history(ledgers: list[TableRead]) -> list[PastCallback]:
    """Calls already made or planned (未接通 is no call: the customer may be tried again)."""
    out = []
    for t in ledgers:
        for rec in t.records():
            if rec.get("call_date") is None or normalize_text(rec.get("result") or "") == "未接通":
                continue
            out.append(PastCallback(rec["call_date"], rec.get("phone") or "", rec.get("customer") or "", rec.get("address") or ""))
    return out


def past_calls(past: Lookback) -> list[PastCallback]:
    """The look-back's calls (history store or last month's 台账) as the policy takes them."""
    return [PastCallback(c["call_date"], c.get("phone") or "", c.get("customer") or "", c.get("address") or "") for c in past.calls]


# --- the use case ---------------------------------------------------------------------------------


def sample_day(export: Path, day: date, agent: str, root: Path, *, seed: int | None = None,
               rules: Rules | None = None, db: str | Path | None = None, company: str | None = None) -> SamplingResult:
    """Sample `day`'s callbacks for `agent` from `export` into ``root/YYYY-MM``'s 台账.

    Last month's calls (the 7-day rule across the month boundary) come from the history
    store when it holds last month (`db`, else the setting, else 历史库.sqlite in `root`),
    else from last month's 台账 (`lookback.lookback`).

    Deterministic for (export, day, history, seed). Running it again the same day only
    tops the day up: the agent's rows already dated `day` count against the quotas, orders
    already in the 台账 and customers already sampled are left out.
    """
    month = Month.of(day)
    rules = rules or rules_for_month(root, month)  # the office's settings of the month (the 7-day rule's reading)
    path = ledger_path(root, month)
    if not path.exists():
        raise SamplingError(f"找不到本月回访台账 {path}：请先生成 {month} 的工作簿（xinao-xl new-month {month}）")
    prev = ledger_path(root, month.prev())
    refuse_closed(MonthFolder(root, month), "抽样写入回访台账")
    preflight(read=[Path(export), prev], write=[path])
    with month_writer(MonthFolder(root, month), "抽样", user=agent) as lock:
        result = _sample(export, day, agent, root, month, path, seed=seed, rules=rules, db=db, company=company)
    if lock.interrupted_note():
        result.notes.append(lock.interrupted_note())
    return result


def _sample(export: Path, day: date, agent: str, root: Path, month: Month, path: Path, *, seed: int | None, rules: Rules,
            db: str | Path | None, company: str | None) -> SamplingResult:
    """`sample_day` under the month's lock."""
    sweep_temps([path.parent])
    spec = callback_ledger.ledger_sheet()
    reader = BookReader(path)  # read once: the rows are chosen from, and written into, these bytes
    current = reader.table(spec)
    if not current.found:
        raise SamplingError(f"{path.name} 中没有找到“{spec.name}”表")
    mine = [r for r in current.records() if r.get("call_date") == day and normalize_text(r.get("agent") or "") == normalize_text(agent)]
    past = lookback(root, month, db=db, company=company, rules=rules, complaint_months=0)

    orders = read_export(Path(export), rules)
    known = {normalize_text(str(r["order"])) for r in current.records() if not is_blank(r.get("order"))}
    fresh = [o for o in orders if normalize_text(o.order_no) not in known]
    sample = sample_orders(fresh, day, history([current]) + past_calls(past), seed=seed, rules=rules)
    sample.skipped[:0] = [(o, "该工单已在台账中") for o in orders if normalize_text(o.order_no) in known]
    _keep_within_quota(sample, Counter(_type(r.get("business"), rules) for r in mine))

    result = SamplingResult(day, agent, path, sample)
    for o in orders:
        try:
            result.exported[rules.business_type(o.business).name] += 1
        except KeyError:
            result.exported[o.business] += 1
    result.eligible = {b: n for b, n in _eligible(sample, rules).items()}
    if sample.taken:
        last = max((r["_row"] for r in current.records()), default=spec.first_row - 1)
        result.rows = callback_ledger.append_calls(path, _records(sample, agent, rules), last + 1, result.eligible, rules, data=reader.data)
    return result


def _records(sample: SampleResult, agent: str, rules: Rules) -> list[dict[str, Any]]:
    """The 台账 rows of the day's taken orders, pre-filled (回访日期 … 回访人)."""
    out = []
    for o in sample.taken:
        values = {"call_date": sample.day, "business": o.business, "order": o.order_no, "done_date": o.completed_at.date(), "customer": o.customer,
                  "phone": o.phone, "address": o.address, "staff": o.staff, "dept": _dept(o.department, rules), "agent": agent}
        out.append({k: v for k, v in values.items() if not is_blank(v)})
    return out


def _type(name: Any, rules: Rules) -> str:
    try:
        return rules.business_type(str(name)).name
    except KeyError:
        return str(name)


def _keep_within_quota(sample: SampleResult, already: Counter) -> None:
    """A second run on the same day tops the day up to its quota instead of doubling it:
    the agent's rows already dated today count against each type's quota."""
    if not already:
        return
    kept, seen = [], Counter()
    for o in sample.taken:
        seen[o.business] += 1
        if seen[o.business] + already.get(o.business, 0) > sample.quotas.get(o.business, 0):
            sample.skipped.append((o, "今日该类型已抽取足量"))
        else:
            kept.append(o)
    sample.taken = kept


def _eligible(sample: SampleResult, rules: Rules) -> dict[str, int]:
    """Orders per type that passed the rules (taken plus left out only for the quota)."""
    out = Counter(o.business for o in sample.taken)
    for o, reason in sample.skipped:
        if reason in ("超出当日回访量", "今日该类型已抽取足量"):
            out[o.business] += 1
    return {b.name: out.get(b.name, 0) for b in rules.business_types}


def _dept(name: str, rules: Rules) -> str:
    """The export's department if it is one of ours, else blank (staff choose it)."""
    try:
        return rules.department(name).name
    except KeyError:
        return ""


def sample_completed(export: Path, month: str, root: Path, agent: str, day: date | None = None) -> SamplingResult:
    """The ribbon's entry: today's sampling into `month`'s 台账 (today must lie in it)."""
    day = day or clock.today()
    if Month.of(day) != month:
        raise SamplingError(f"今天是 {day:%Y-%m-%d}，不在 {month}：请在当月的回访台账中抽样")
    return sample_day(export, day, agent, root)
