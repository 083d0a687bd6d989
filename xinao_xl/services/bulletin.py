"""The month's 服务通报 summary (回访办法 五.6(2)) from the same history queries as the period
reports, for the 回访报告 the close writes (laid out by books/bulletin.py).

    b = bulletin_or_note(mb, root, notes=notes)     # services/report.report_book

Why the queries' tables and not figures of its own: the 通报 and the quarterly report must
never disagree. At the close the month is not in the store yet (the store is written last,
once the month is safely closed), so the month's rows are counted here as the queries'
GROUP BYs count them in the store (`month_counts`: callbacks by business type and result,
不满意 by reason and department, flow forms by department and month), from the very
columns the store gets (`services.history.callback_figure_columns`, `flow_records`); the
figures' functions the queries use turn the counts into the tables
(`history.figures.types_rows`, `late_flow_rows`), as plain rows: the close imports no pandas
for them (issue 16). Nothing of the month is held beyond the counts: a copy of the
month's rows in an in-memory SQLite took 200 MB at 100,000 callbacks. Last month's
figures, for the comparison, come from the store when it holds them.

The summary is an extra sheet; a failure here never stops a close (a note says so, naming
only the error's type: its text may hold a customer's words).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xinao_xl.books.bulletin import Bulletin, Rows
from xinao_xl.history import figures as F
from xinao_xl.history import store as H
from xinao_xl.policy.month import Month
from xinao_xl.policy.privacy import scrub

from . import history
from .month_books import MonthBooks

TOP_PROBLEMS = 3


@dataclass
class MonthCounts:
    """The month's rows counted as the store's queries count them (rows in the columns
    `F.CALLBACK_COUNTS`, `F.REASON_COUNTS`, `F.FLOW_COUNTS`) and its 完工量 by business type."""

    callbacks: list[tuple[Any, ...]]
    reasons: list[tuple[Any, ...]]
    flows: list[tuple[Any, ...]]
    completed: dict[str, int]


def month_counts(mb: MonthBooks) -> MonthCounts:
    """The counts of the month's rows as the close's history write will store them
    (`services.history`, statuses as of ``mb.as_of``): what `queries.callback_counts`,
    `queries.unsatisfied_reasons` and `queries.late_flows` count once the month is in the
    store (rows ``in_month``; a reason left blank is `F.NO_REASON`)."""
    month = mb.month
    calls: Counter[tuple[Any, Any]] = Counter()
    reasons: Counter[tuple[Any, Any]] = Counter()
    f = history.callback_figure_columns(mb)  # the columns the store's rows are built on, by column
    unsatisfied = f.unsatisfied_word
    for i, in_month in enumerate(f.in_month):
        if in_month:
            result = f.result[i]
            calls[(f.business[i], result)] += 1
            if result == unsatisfied:
                reason = f.reason[i]
                reasons[(F.NO_REASON if reason is None else reason, f.dept[i])] += 1
    flows: dict[Any, list[int]] = {}
    for r in history.flow_records(mb, mb.as_of):
        if r["in_month"]:
            n = flows.setdefault(r["dept"], [0, 0])
            n[0] += 1
            n[1] += 1 if r["late"] else 0
    completed: dict[str, int] = {}
    for r in history.completed_records(mb):
        completed[r["business"]] = completed.get(r["business"], 0) + r["count"]
    return MonthCounts(callbacks=[(month, b, res, n) for (b, res), n in calls.items()],
                       reasons=[(k, d, n) for (k, d), n in reasons.items()],
                       flows=[(d, month, n, late) for d, (n, late) in flows.items()],
                       completed=completed)


def _previous_types(root: Path, month: str, company: str, db: str | Path | None, rules: Any) -> Rows | None:
    url = H.existing_url(db, root)
    if url is None:
        return None
    prev = Month(month).prev()
    with H.HistoryStore(url) as st, st.engine.connect() as conn:
        if not F.present_months(conn, [prev], company):
            return None
        return F.callbacks_by_type_rows(conn, [prev], company, rules)


def month_bulletin(mb: MonthBooks, root: Path, *, db: str | Path | None = None, company: str | None = None, terms: Iterable[str] = ()) -> Bulletin:
    """The month's figures and sentences; `terms` (customer names, phones…) are blanked out
    of the 不满原因 texts for a report that leaves the office."""
    company = H.company_name(company)
    rules, month = mb.rules, mb.month
    counts = month_counts(mb)
    types = F.types_rows(counts.callbacks, counts.completed, rules)
    flows = F.late_flow_rows(counts.flows, [month], rules)
    prev = _previous_types(root, month, company, db, rules)
    b = Bulletin(month, previous=Month(month).prev() if prev is not None else None)
    b.types = _types_table(types, prev)
    b.problems = _problems_table(counts.reasons, rules, set(terms))
    b.late_flows = [{k: r[k] for k in ("key", "flows", "late_flows")} for r in flows]
    b.lines = _sentences(month, types, prev, b.problems, flows, rules.value("late_flow_points"))
    return b


def _hundredths(x: float) -> float:
    """`x` rounded to 2 decimals as numpy rounds a float64 (``rint(x * 100) / 100``): the
    通报's 变化（百分点） as the frames gave it before (issue 16), not Python's decimal rounding."""
    return round(x * 100) / 100


def _types_table(types: Rows, prev: Rows | None) -> Rows:
    cols = ("business", "calls", "satisfied", "unsatisfied", "satisfaction")
    before = {r["business"]: r["satisfaction"] for r in prev} if prev is not None else {}
    out = []
    for r in types:
        row = {k: r[k] for k in cols}
        if prev is not None:
            now, was = r["satisfaction"], before.get(r["business"])
            row["previous"] = was
            row["change"] = None if F.missing(now) or F.missing(was) else _hundredths((now - was) * 100)
        if r["calls"] > 0 or r["business"] == "合计" or (prev is not None and not F.missing(row["previous"])):
            out.append(row)
    return out


def _problems_table(reasons: list[tuple[Any, ...]], rules: Any, terms: set[str]) -> Rows:
    by_key: dict[str, dict[Any, int]] = {}
    for key, dept, n in reasons:
        by_dept = by_key.setdefault(scrub(str(key), terms), {})
        dept = "未填部门" if F.missing(dept) or dept == "" else dept
        by_dept[dept] = by_dept.get(dept, 0) + int(n)
    rows = [{"key": key, "n": sum(by_dept.values()), "depts": "、".join(f"{d} {by_dept[d]}" for d in F.in_order(list(by_dept), rules.department_names))}
            for key, by_dept in by_key.items()]
    return sorted(rows, key=lambda r: (-r["n"], r["key"]))


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def _sentences(month: str, types: Rows, prev: Rows | None, problems: Rows, flows: Rows, points: float) -> list[str]:
    title = Month(month).title
    total = next(r for r in types if r["business"] == "合计")
    lines = []
    if total["calls"]:
        text = f"{title}有效回访 {int(total['calls'])} 次，满意 {int(total['satisfied'])} 次，不满意 {int(total['unsatisfied'])} 次，满意率 {_pct(total['satisfaction'])}"
        if prev is not None:
            was = next(r for r in prev if r["business"] == "合计")["satisfaction"]
            if not F.missing(was):
                diff = (total["satisfaction"] - was) * 100
                trend = "持平" if abs(diff) < 0.005 else f"{'上升' if diff > 0 else '下降'} {abs(diff):.2f} 个百分点"
                text += f"（上月 {_pct(was)}，{trend}）"
        lines.append(text + "。")
    else:
        lines.append(f"{title}没有有效回访。")
    if total["invalid"]:
        lines.append(f"未接通、拒访 {int(total['invalid'])} 次，不计入回访量和满意率。")
    rated = [r for r in types if r["business"] != "合计" and r["calls"] > 0]
    if len(rated) > 1:
        low = sorted(rated, key=lambda r: (r["satisfaction"], -r["calls"]))[0]
        lines.append(f"满意率最低的业务：{low['business']} {_pct(low['satisfaction'])}（有效回访 {int(low['calls'])} 次）。")
    if problems:
        top = "；".join(f"{r['key']} {r['n']} 次（{r['depts']}）" for r in problems[:TOP_PROBLEMS])
        lines.append(f"不满意原因居前：{top}。")
    if flows:
        t = next(r for r in flows if r["key"] == "合计")
        late = [r for r in flows if r["key"] != "合计" and r["late_flows"] > 0]
        text = f"流转单 {int(t['flows'])} 张，超时反馈或未反馈 {int(t['late_flows'])} 张"
        if late:
            text += "：" + "、".join(f"{r['key']} {int(r['late_flows'])} 张" for r in late) + f"（每张扣 {points:g} 分，回访办法六.1）"
        lines.append(text + "。")
    return lines


def bulletin_or_note(mb: MonthBooks, root: Path, *, db: str | Path | None = None, company: str | None = None,
                     terms: Iterable[str] = (), notes: list[str] | None = None) -> Bulletin | None:
    """`month_bulletin`, or None with a note when it cannot be made: the report is complete
    without its 服务通报 sheet."""
    try:
        return month_bulletin(mb, Path(root), db=db, company=company, terms=terms)
    except Exception as exc:
        if notes is not None:
            notes.append(f"回访报告未附服务通报摘要（{H.error_text(exc)}）")
        return None


__all__ = ["MonthCounts", "bulletin_or_note", "month_bulletin", "month_counts"]
