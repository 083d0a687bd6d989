"""The month's 服务通报 summary (回访办法 五.6(2)) from the same history queries as the period
reports, for the 回访报告 the close writes (laid out by books/bulletin.py).

    b = bulletin_or_note(mb, root, notes=notes)     # services/report.report_book

Why the queries' tables and not figures of its own: the 通报 and the quarterly report must
never disagree. At the close the month is not in the store yet (the store is written last,
once the month is safely closed), so the month's rows are counted here as the queries'
GROUP BYs count them in the store (`month_counts`: callbacks by business type and result,
不满意 by reason and department, flow forms by department and month), from the very
columns the store gets (`services.history.callback_figures`, `flow_records`); the
queries' own functions turn the counts into the tables (`queries.types_table`,
`late_flows_table`). Nothing of the month is held beyond the counts: a copy of the
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

import pandas as pd

from xinao_xl.books.bulletin import Bulletin
from xinao_xl.history import queries as Q
from xinao_xl.history import store as H
from xinao_xl.policy.month import Month
from xinao_xl.policy.privacy import scrub

from . import history
from .month_books import MonthBooks

TOP_PROBLEMS = 3


@dataclass
class MonthCounts:
    """The month's rows counted as the store's queries count them (`Q.CALLBACK_COUNTS`,
    `Q.REASON_COUNTS`, `Q.FLOW_COUNTS` frames) and its 完工量 by business type."""

    callbacks: pd.DataFrame
    reasons: pd.DataFrame
    flows: pd.DataFrame
    completed: dict[str, int]


def month_counts(mb: MonthBooks) -> MonthCounts:
    """The counts of the month's rows as the close's history write will store them
    (`services.history`, statuses as of ``mb.as_of``): what `Q.callback_counts`,
    `Q.unsatisfied_reasons` and `Q.late_flows` count once the month is in the store (rows
    ``in_month``; a reason left blank is `Q.NO_REASON`)."""
    month = mb.month
    calls: Counter[tuple[Any, Any]] = Counter()
    reasons: Counter[tuple[Any, Any]] = Counter()
    for f in history.callback_figure_rows(mb):
        if f["in_month"]:
            calls[(f["business"], f["result"])] += 1
            if f["unsatisfied"]:
                reasons[(Q.NO_REASON if f["reason"] is None else f["reason"], f["dept"])] += 1
    flows: dict[Any, list[int]] = {}
    for r in history.flow_records(mb, mb.as_of):
        if r["in_month"]:
            n = flows.setdefault(r["dept"], [0, 0])
            n[0] += 1
            n[1] += 1 if r["late"] else 0
    completed: dict[str, int] = {}
    for r in history.completed_records(mb):
        completed[r["business"]] = completed.get(r["business"], 0) + r["count"]
    return MonthCounts(callbacks=Q.frame_of([(month, b, res, n) for (b, res), n in calls.items()], Q.CALLBACK_COUNTS),
                       reasons=Q.frame_of([(k, d, n) for (k, d), n in reasons.items()], Q.REASON_COUNTS),
                       flows=Q.frame_of([(d, month, n, late) for d, (n, late) in flows.items()], Q.FLOW_COUNTS),
                       completed=completed)


def _previous_types(root: Path, month: str, company: str, db: str | Path | None, rules: Any) -> pd.DataFrame | None:
    url = H.existing_url(db, root)
    if url is None:
        return None
    prev = Month(month).prev()
    with H.HistoryStore(url) as st, st.engine.connect() as conn:
        if not Q.present_months(conn, [prev], company):
            return None
        return Q.callbacks_by_type(conn, [prev], company, rules)


def month_bulletin(mb: MonthBooks, root: Path, *, db: str | Path | None = None, company: str | None = None, terms: Iterable[str] = ()) -> Bulletin:
    """The month's figures and sentences; `terms` (customer names, phones…) are blanked out
    of the 不满原因 texts for a report that leaves the office."""
    company = H.company_name(company)
    rules, month = mb.rules, mb.month
    counts = month_counts(mb)
    types = Q.types_table(counts.callbacks, counts.completed, rules)
    reasons = counts.reasons
    flows = Q.late_flows_table(counts.flows, [month], rules)
    prev = _previous_types(root, month, company, db, rules)
    terms = set(terms)
    b = Bulletin(month, previous=Month(month).prev() if prev is not None else None)
    b.types = _types_table(types, prev)
    b.problems = _problems_table(reasons, rules, terms)
    b.late_flows = flows[["key", "flows", "late_flows"]] if not flows.empty else flows
    b.lines = _sentences(month, types, prev, b.problems, flows, rules.value("late_flow_points"))
    return b


def _types_table(types: pd.DataFrame, prev: pd.DataFrame | None) -> pd.DataFrame:
    out = types[["business", "calls", "satisfied", "unsatisfied", "satisfaction"]].copy()
    if prev is not None:
        before = prev.set_index("business")["satisfaction"]
        out["previous"] = [before.get(b) for b in out["business"]]
        out["change"] = [None if pd.isna(now) or pd.isna(was) else round((now - was) * 100, 2) for now, was in zip(out["satisfaction"], out["previous"], strict=True)]
    keep = (out["calls"] > 0) | (out["business"] == "合计")
    if prev is not None:
        keep |= out["previous"].notna()
    return out[keep].reset_index(drop=True)


def _problems_table(reasons: pd.DataFrame, rules: Any, terms: set[str]) -> pd.DataFrame:
    if reasons.empty:
        return pd.DataFrame(columns=["key", "n", "depts"])
    reasons = reasons.assign(key=[scrub(str(k), terms) for k in reasons["key"]], dept=reasons["dept"].fillna("").replace("", "未填部门"))
    rows = []
    for key, part in reasons.groupby("key"):
        by_dept = part.groupby("dept")["n"].sum()
        order = Q.in_order(list(by_dept.index), rules.department_names)
        rows.append({"key": key, "n": int(part["n"].sum()), "depts": "、".join(f"{d} {int(by_dept[d])}" for d in order)})
    return pd.DataFrame(rows).sort_values(["n", "key"], ascending=[False, True]).reset_index(drop=True)


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def _sentences(month: str, types: pd.DataFrame, prev: pd.DataFrame | None, problems: pd.DataFrame, flows: pd.DataFrame, points: float) -> list[str]:
    title = Month(month).title
    total = types.set_index("business").loc["合计"]
    lines = []
    if total["calls"]:
        text = f"{title}有效回访 {int(total['calls'])} 次，满意 {int(total['satisfied'])} 次，不满意 {int(total['unsatisfied'])} 次，满意率 {_pct(total['satisfaction'])}"
        if prev is not None:
            was = prev.set_index("business").loc["合计", "satisfaction"]
            if not pd.isna(was):
                diff = (total["satisfaction"] - was) * 100
                trend = "持平" if abs(diff) < 0.005 else f"{'上升' if diff > 0 else '下降'} {abs(diff):.2f} 个百分点"
                text += f"（上月 {_pct(was)}，{trend}）"
        lines.append(text + "。")
    else:
        lines.append(f"{title}没有有效回访。")
    if total["invalid"]:
        lines.append(f"未接通、拒访 {int(total['invalid'])} 次，不计入回访量和满意率。")
    rated = types[(types["business"] != "合计") & (types["calls"] > 0)]
    if len(rated) > 1:
        low = rated.sort_values(["satisfaction", "calls"], ascending=[True, False]).iloc[0]
        lines.append(f"满意率最低的业务：{low['business']} {_pct(low['satisfaction'])}（有效回访 {int(low['calls'])} 次）。")
    if not problems.empty:
        top = "；".join(f"{r.key} {r.n} 次（{r.depts}）" for r in problems.head(TOP_PROBLEMS).itertuples())
        lines.append(f"不满意原因居前：{top}。")
    if not flows.empty:
        t = flows.set_index("key").loc["合计"]
        late = flows[(flows["key"] != "合计") & (flows["late_flows"] > 0)]
        text = f"流转单 {int(t['flows'])} 张，超时反馈或未反馈 {int(t['late_flows'])} 张"
        if not late.empty:
            text += "：" + "、".join(f"{r.key} {int(r.late_flows)} 张" for r in late.itertuples()) + f"（每张扣 {points:g} 分，回访办法六.1）"
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
