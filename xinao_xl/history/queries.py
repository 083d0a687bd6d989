"""Period figures from the history store (SQLAlchemy Core), as pandas frames.

One function per figure of the period report (投诉办法 第十条(二): 月度、季度、年度统计分析;
回访办法 五.6(2): the 服务通报 analysis of last month's callbacks). The callback and flow-form
tables are made by `figures` (plain rows, no pandas), which the monthly close's 服务通报
summary uses directly and these functions wrap into frames for the quarterly and annual
report (`services.period_report`): the two never disagree.

Which rows count (see `schema` for the columns):
- a complaint, callback or flow form counts in the month its own date lies in
  (``in_month``: 受理时间, 回访日期, 流转日期), so a row carried into the next month's
  ledger is not counted twice;
- a complaint's SLA figures use its *latest* state within the period (a carried complaint's
  row in the latest month of the period that holds it): a stage finished after the
  first close is counted as finished;
- handling times are in **hours** (``<stage>_hours``: from the stage's start to its done
  time), over finished stages only; the median and the 90th percentile are pandas'
  linear interpolation (Excel's ``PERCENTILE.INC``);
- "late" flow forms and SLA statuses are as of each month's close.

Grouping runs in SQL where it is a plain GROUP BY (callbacks: 120,000 rows a year); the
percentiles and the repeat-complaint look-back run in pandas on the few thousand complaint
rows, because SQLite has no percentile function and the look-back is a policy function
(`policy.complaints.is_repeat`).

Every function takes an open `Connection` (or `Engine`), the period's months
(``'YYYY-MM'``) and the company, and returns a frame whose columns are named as in
`books.period_report.COLUMNS`.

    >>> with engine.connect() as conn:                                 # doctest: +SKIP
    ...     complaints_by(conn, ["2026-10", "2026-11", "2026-12"], "聊城新奥燃气", "level")
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time
from typing import Any

import pandas as pd
from sqlalchemy import String, and_, case, cast, distinct, func, or_, select
from sqlalchemy.engine import Connection, Engine

from xinao_xl.policy.complaints import is_repeat
from xinao_xl.policy.month import Month
from xinao_xl.policy.rules import Rules, load_rules

from .figures import (
    CALLBACK_COUNTS,
    FLOW_COUNTS,
    NO_REASON,
    REASON_COUNTS,
    TYPES_COLUMNS,
    UNKNOWN,
    callback_count_rows,
    completed_by_type,
    in_order,
    late_flow_columns,
    late_flow_rows,
    present_months,
    rows_of,
    types_rows,
)
from .schema import (
    callbacks,
    complaints,
    flow_forms,
    months,
    score_cards,
    score_items,
)

Conn = Connection | Engine

UNLEVELLED = "仅渠道（未定级）"
GENERAL = "一般投诉"
RESPONSIBLE = "有责"
NOT_RESPONSIBLE = "无责"
# complaint stage key in the store -> (rules stage key, Chinese name)
STAGES = (("inv", "investigate", "调查取证反馈"), ("handle", "handle", "最终处理、答复客户"), ("revisit", "revisit", "人工回访"))
DONE_ON_TIME, DONE_LATE, OPEN_LATE = "按时完成", "超时完成", "已超时"


def _frame(conn: Conn, stmt: Any, columns: Sequence[str]) -> pd.DataFrame:
    """Run `stmt` and return its rows as a frame with exactly `columns` (also when empty)."""
    return frame_of(rows_of(conn, stmt), columns)


def frame_of(rows: Iterable[Sequence[Any]], columns: Sequence[str]) -> pd.DataFrame:
    """`rows` (tuples, as a query returns them) as a frame with exactly `columns`: how every
    query's result becomes a frame, and how the close's 服务通报 makes the same frames from
    the month's rows counted in Python (`services.bulletin`)."""
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))


def companies(conn: Conn) -> list[str]:
    return sorted(_frame(conn, select(months.c.company).distinct(), ["company"])["company"])


# --- complaints --------------------------------------------------------------------------------


def _counted() -> Any:
    """A row that is the complaint's (投诉 第七条): not a rejected round, a cancelled ticket or
    a department the complaint was moved from; rows written before version 2 all are."""
    c = complaints.c
    return or_(c.counted.is_(None), c.counted.is_(True))


def _complaint_filter(period: Sequence[str], company: str) -> Any:
    c = complaints.c
    return and_(c.company == company, c.month.in_(list(period)), c.in_month.is_(True), _counted())


def complaints_by(conn: Conn, period: Sequence[str], company: str, by: str, rules: Rules | None = None) -> pd.DataFrame:
    """Complaints of the period grouped by ``level`` | ``channel`` | ``dept`` | ``major`` |
    ``resp``: ``key, complaints`` (distinct 投诉单号), ``rows`` (complaint × department),
    ``responsible, not_responsible`` (rows), ``points`` (deducted), ``share`` (of rows).

    ``resp`` splits 无责 by its 附件2 reason (``无责：3.…``); ``major`` puts 一般投诉 last.
    """
    rules = rules or load_rules()
    c = complaints.c
    keys = {"level": c.level, "channel": c.channel, "dept": c.dept, "major": c.major_class,
            "resp": case((c.responsible.is_(True), RESPONSIBLE), else_=cast(func.coalesce(c.no_fault_reason, 0), String))}
    if by not in keys:
        raise ValueError(by)
    key = keys[by].label("key")
    identity = func.coalesce(c.complaint_no, c.month + "#" + cast(c.row_no, String))
    stmt = (
        select(key, func.count(distinct(identity)), func.count(),
               func.sum(case((c.responsible.is_(True), 1), else_=0)), func.sum(case((c.responsible.is_(True), 0), else_=1)),
               func.coalesce(func.sum(c.points), 0.0))
        .where(_complaint_filter(period, company))
        .group_by(key)
    )
    frame = _frame(conn, stmt, ["key", "complaints", "rows", "responsible", "not_responsible", "points"])
    if by == "level":
        frame["key"] = [UNLEVELLED if pd.isna(k) else f"{int(k)}级" for k in frame["key"]]
        order: list[Any] = [f"{n}级" for n in range(1, 6)] + [UNLEVELLED]
    elif by == "channel":
        frame["key"] = frame["key"].fillna(UNKNOWN)
        order = [ch.code for ch in rules.channels]
    elif by == "dept":
        frame["key"] = frame["key"].replace("", UNKNOWN).fillna(UNKNOWN)
        order = list(rules.department_names)
    elif by == "major":
        frame["key"] = frame["key"].fillna(GENERAL)
        order = list(dict.fromkeys(m.class_name for m in rules.major_items)) + [GENERAL]
    else:
        frame["key"] = [_resp_label(k, rules) for k in frame["key"]]
        order = [RESPONSIBLE] + [_resp_label(str(n), rules) for n in range(len(rules.no_fault_reasons) + 1)]
    frame = frame.groupby("key", as_index=False, sort=False).sum()  # labels that merged (NULL and "")
    frame = frame.set_index("key").loc[in_order(list(frame["key"]), order)].reset_index()
    total = frame["rows"].sum()
    frame["share"] = frame["rows"] / total if total else 0.0
    for col in ("complaints", "rows", "responsible", "not_responsible"):
        frame[col] = frame[col].astype(int)
    frame["points"] = frame["points"].astype(float).round(2)
    return frame


def _resp_label(key: Any, rules: Rules) -> str:
    if key == RESPONSIBLE:
        return RESPONSIBLE
    n = int(key)
    if 1 <= n <= len(rules.no_fault_reasons):
        return f"{NOT_RESPONSIBLE}：{n}.{rules.no_fault_reasons[n - 1]}"
    return f"{NOT_RESPONSIBLE}（原因未填）"


def complaint_states(conn: Conn, period: Sequence[str], company: str) -> pd.DataFrame:
    """Each complaint row accepted in the period, in its latest state within the period
    (a carried row in a later month of the period replaces the earlier one)."""
    c = complaints.c
    cols = ["month", "complaint_no", "dept", "accepted", "in_month", "level", "channel", "major_class", "customer_key", "responsible", "closed"]
    stages = [f"{s}_{x}" for s, _, _ in STAGES for x in ("status", "hours")]
    stmt = select(*(c[n] for n in cols + stages)).where(c.company == company, c.month.in_(list(period)), _counted())
    frame = _frame(conn, stmt, cols + stages)
    if frame.empty:
        return frame
    months_of_period = set(period)
    frame["accepted_month"] = [f"{a:%Y-%m}" if not pd.isna(a) else "" for a in frame["accepted"]]
    frame = frame[frame["accepted_month"].isin(months_of_period)]
    ident = frame["complaint_no"].fillna("") + "|" + frame["dept"].fillna("") + "|" + frame["accepted"].astype(str)
    frame = frame.assign(_id=ident).sort_values("month").drop_duplicates("_id", keep="last")
    return frame.drop(columns=["_id"]).reset_index(drop=True)


def sla(conn: Conn, period: Sequence[str], company: str, rules: Rules | None = None) -> pd.DataFrame:
    """Per stage: ``stage, limit, total`` (started), ``on_time, late`` (finished),
    ``open_overdue, open`` (unfinished at the last close), ``on_time_rate``,
    ``median_hours, p90_hours`` (finished stages, hours)."""
    rules = rules or load_rules()
    states = complaint_states(conn, period, company)
    out = []
    for prefix, key, name in STAGES:
        st = rules.stages[key]
        limit = f"一般{st.days_general}日、重大{st.days_major}日（{st.unit}）"
        status = states[f"{prefix}_status"] if not states.empty else pd.Series(dtype=object)
        hours = states[f"{prefix}_hours"].dropna().astype(float) if not states.empty else pd.Series(dtype=float)
        on_time, late, open_late = (int((status == s).sum()) for s in (DONE_ON_TIME, DONE_LATE, OPEN_LATE))
        started = int(status.notna().sum())
        judged = on_time + late + open_late
        out.append({"stage": name, "limit": limit, "total": started, "on_time": on_time, "late": late, "open_overdue": open_late,
                    "open": started - judged, "on_time_rate": on_time / judged if judged else None,
                    "median_hours": round(float(hours.median()), 1) if len(hours) else None,
                    "p90_hours": round(float(hours.quantile(0.9)), 1) if len(hours) else None})
    return pd.DataFrame(out, columns=["stage", "limit", "total", "on_time", "late", "open_overdue", "open", "on_time_rate", "median_hours", "p90_hours"])


def repeat_complaints(conn: Conn, period: Sequence[str], company: str, rules: Rules | None = None) -> pd.DataFrame:
    """Complaints of the period raised by a customer whose earlier complaint was 办结 within
    the 3 months before (投诉 附件3 第7项, `policy.complaints.is_repeat`): ``no, accepted,
    dept, level, channel, previous_no, previous_closed, days_after``. One row per complaint
    (its first department), the latest earlier complaint as the previous one."""
    rules = rules or load_rules()
    cols = ["no", "accepted", "dept", "level", "channel", "previous_no", "previous_closed", "days_after"]
    c = complaints.c
    new = _frame(conn, select(c.complaint_no, c.accepted, c.dept, c.level, c.channel, c.customer_key)
                 .where(_complaint_filter(period, company), c.customer_key.is_not(None), c.customer_key != "")
                 .order_by(c.accepted, c.row_no), ["no", "accepted", "dept", "level", "channel", "customer_key"])
    if new.empty:
        return pd.DataFrame(columns=cols)
    new = new.drop_duplicates("no")
    # earlier complaints closed from a month before the look-back window to the period's end
    # (a loose bound in SQL; the policy function decides)
    lookback = int(rules.value("repeat_complaint_months")) + 1
    since = datetime.combine(Month(period[0]).prev(lookback).first_day, time())
    earlier = _frame(conn, select(c.complaint_no, c.customer_key, c.closed)
                     .where(c.company == company, c.customer_key.is_not(None), c.closed.is_not(None), c.closed >= since,
                            c.closed <= new["accepted"].max()),
                     ["previous_no", "customer_key", "previous_closed"])
    earlier = earlier.sort_values("previous_closed").drop_duplicates("previous_no", keep="last")
    pairs = new.merge(earlier, on="customer_key")
    pairs = pairs[(pairs["previous_no"] != pairs["no"]) & (pairs["previous_closed"] <= pairs["accepted"])]
    pairs = pairs[pd.Series([is_repeat(a, b, rules) for a, b in zip(pairs["accepted"], pairs["previous_closed"], strict=True)], index=pairs.index, dtype=bool)]
    pairs = pairs.sort_values(["accepted", "previous_closed"]).drop_duplicates("no", keep="last")
    out = [{"no": r.no, "accepted": r.accepted, "dept": r.dept, "level": None if pd.isna(r.level) else f"{int(r.level)}级", "channel": r.channel,
            "previous_no": r.previous_no, "previous_closed": r.previous_closed, "days_after": (r.accepted.date() - r.previous_closed.date()).days}
           for r in pairs.itertuples(index=False)]
    return pd.DataFrame(out, columns=cols)


# --- 投诉 第七条: the complaint's course --------------------------------------------------------


def _course_rows(conn: Conn, period: Sequence[str], company: str) -> pd.DataFrame:
    """Every complaint row accepted in the period (rejected rounds and moved rows included),
    each in its latest state within the period (as `complaint_states`)."""
    c = complaints.c
    cols = ["month", "row_no", "complaint_no", "dept", "accepted", "responsible", "points", "review", "round_no", "callback_result", "recheck",
            "resp_kind", "resp_unit", "state", "counted", "charged_dept", "term_status"]
    frame = _frame(conn, select(*(c[n] for n in cols)).where(c.company == company, c.month.in_(list(period))), cols)
    if frame.empty:
        return frame
    frame = frame[[f"{a:%Y-%m}" in set(period) if not pd.isna(a) else False for a in frame["accepted"]]]
    ident = frame["complaint_no"].fillna("") + "|" + frame["dept"].fillna("") + "|" + frame["round_no"].fillna(1).astype(int).astype(str)
    frame = frame.assign(_id=ident).sort_values(["month", "row_no"]).drop_duplicates("_id", keep="last")
    frame["counted"] = frame["counted"].map(lambda v: True if v is None or pd.isna(v) else bool(v))
    frame["dept"] = frame["dept"].replace("", UNKNOWN).fillna(UNKNOWN)
    return frame.drop(columns=["_id"]).reset_index(drop=True)


def _by_dept_rows(frame: pd.DataFrame, rows: Any, rules: Rules, columns: Sequence[str]) -> pd.DataFrame:
    """One row per department present (rules' order), then 合计 (sums of the numeric columns)."""
    out = [rows(dept, frame[frame["dept"] == dept]) for dept in in_order(list(set(frame["dept"])), rules.department_names)] if not frame.empty else []
    if out:
        total = rows("合计", frame)
        out.append(total)
    return pd.DataFrame(out, columns=list(columns))


def rejections(conn: Conn, period: Sequence[str], company: str, rules: Rules | None = None) -> pd.DataFrame:
    """投诉 第七条(二)3, per department: ``reviewed`` (rows the office reviewed), ``rejected``
    (rounds it rejected), ``rejected_complaints`` (complaints rejected at least once),
    ``max_round``, ``reject_rate`` (rejected ÷ reviewed)."""
    rules = rules or load_rules()
    frame = _course_rows(conn, period, company)
    word = rules.step("review").word("rejected")
    columns = ["key", "reviewed", "rejected", "rejected_complaints", "max_round", "reject_rate"]

    def row(key: str, part: pd.DataFrame) -> dict[str, Any]:
        reviewed = int(part["review"].notna().sum())
        hit = part[part["review"] == word]
        rounds = part["round_no"].dropna()
        return {"key": key, "reviewed": reviewed, "rejected": len(hit),
                "rejected_complaints": int((hit["complaint_no"].fillna("") + "|" + hit["dept"]).nunique()),
                "max_round": int(rounds.max()) if len(rounds) else 1, "reject_rate": len(hit) / reviewed if reviewed else None}

    return _by_dept_rows(frame, row, rules, columns)


def terminations(conn: Conn, period: Sequence[str], company: str, rules: Rules | None = None) -> pd.DataFrame:
    """投诉 第七条(四)3、附件5, per department: ``applied`` (rows with a 终止状态), ``approved``
    and ``terminated`` (approved and 无责: counted as 办结), ``pending``, ``refused``."""
    rules = rules or load_rules()
    frame = _course_rows(conn, period, company)
    step = rules.step("termination")
    pending, approved, refused = step.choices("statuses")
    terminated = rules.step("states").word("terminated")
    columns = ["key", "applied", "approved", "terminated", "pending", "refused"]

    def row(key: str, part: pd.DataFrame) -> dict[str, Any]:
        status = part["term_status"]
        return {"key": key, "applied": int(status.notna().sum()), "approved": int((status == approved).sum()),
                "terminated": int((part["state"] == terminated).sum()), "pending": int((status == pending).sum()),
                "refused": int((status == refused).sum())}

    out = _by_dept_rows(frame[frame["term_status"].notna()] if not frame.empty else frame, row, rules, columns)
    return out


def complaint_callbacks(conn: Conn, period: Sequence[str], company: str, rules: Rules | None = None) -> pd.DataFrame:
    """投诉 第七条(三), per department, over the complaint rows that count: ``called`` (with a
    回访结果), ``satisfied``, ``basically``, ``unsatisfied``, ``satisfaction`` ((满意 + 基本满意)
    ÷ called), ``recheck`` (unsatisfied and not yet decided by the office at the close)."""
    rules = rules or load_rules()
    frame = _course_rows(conn, period, company)
    if not frame.empty:
        frame = frame[frame["counted"]]
    satisfied, basically, unsatisfied = rules.step("callback").choices()
    columns = ["key", "called", "satisfied", "basically", "unsatisfied", "satisfaction", "recheck"]

    def row(key: str, part: pd.DataFrame) -> dict[str, Any]:
        result = part["callback_result"]
        called = int(result.notna().sum())
        sat, basic, unsat = (int((result == w).sum()) for w in (satisfied, basically, unsatisfied))
        return {"key": key, "called": called, "satisfied": sat, "basically": basic, "unsatisfied": unsat,
                "satisfaction": (sat + basic) / called if called else None, "recheck": int(part["recheck"].fillna(False).astype(bool).sum())}

    return _by_dept_rows(frame, row, rules, columns)


def outside_parties(conn: Conn, period: Sequence[str], company: str, rules: Rules | None = None) -> pd.DataFrame:
    """投诉 第七条(四)2: complaints caused by an outsourced provider or an internal partner unit,
    one row per kind, unit and department named in the ledger (for a provider: the managing
    department, charged): ``kind, unit, dept, rows, responsible, points``."""
    rules = rules or load_rules()
    frame = _course_rows(conn, period, company)
    own = rules.step("responsibility").word("own")
    columns = ["kind", "unit", "dept", "rows", "responsible", "points"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame[frame["counted"] & frame["resp_kind"].notna() & (frame["resp_kind"] != own)]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame = frame.assign(unit=frame["resp_unit"].fillna(UNKNOWN), responsible=frame["responsible"].astype(bool), points=frame["points"].fillna(0.0))
    grouped = frame.groupby(["resp_kind", "unit", "dept"], sort=False).agg(rows=("row_no", "size"), responsible=("responsible", "sum"),
                                                                             points=("points", "sum")).reset_index()
    kinds = rules.step("responsibility").choices("kinds")
    grouped["_k"] = [kinds.index(k) if k in kinds else len(kinds) for k in grouped["resp_kind"]]
    grouped["_d"] = [in_order(list(rules.department_names) + [d], rules.department_names).index(d) for d in grouped["dept"]]
    grouped = grouped.sort_values(["_k", "unit", "_d"]).rename(columns={"resp_kind": "kind"})
    grouped["rows"] = grouped["rows"].astype(int)
    grouped["responsible"] = grouped["responsible"].astype(int)
    grouped["points"] = grouped["points"].astype(float).round(2)
    return grouped[columns].reset_index(drop=True)


# --- callbacks and flow forms ---------------------------------------------------------------


def callback_counts(conn: Conn, period: Sequence[str], company: str) -> pd.DataFrame:
    """``month, business, result, n``: the period's callbacks counted by SQL (`figures.callback_count_rows`)."""
    return frame_of(callback_count_rows(conn, period, company), CALLBACK_COUNTS)


def callbacks_by_type(conn: Conn, period: Sequence[str], company: str, rules: Rules | None = None, counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per business type (and 合计): ``business, completed`` (完工量), ``calls`` (满意 +
    不满意), ``satisfied, unsatisfied, invalid`` (未接通、拒访), ``satisfaction``.
    ``counts``: `callback_counts` of the period, when the caller has it already."""
    rules = rules or load_rules()
    counts = callback_counts(conn, period, company) if counts is None else counts
    return types_table(counts, completed_by_type(conn, period, company), rules)


def types_table(counts: pd.DataFrame, done_by: Mapping[Any, Any], rules: Rules) -> pd.DataFrame:
    """`callbacks_by_type` from the period's `callback_counts` and its 完工量 by business type
    (`figures.types_rows`, which the close's 服务通报 uses without a frame)."""
    return pd.DataFrame(types_rows(counts[CALLBACK_COUNTS].itertuples(index=False, name=None), done_by, rules), columns=TYPES_COLUMNS)


def satisfaction_trend(conn: Conn, period: Sequence[str], company: str, rules: Rules | None = None, counts: pd.DataFrame | None = None) -> pd.DataFrame:
    """``month`` and one column per business type with callbacks, then ``合计``: the
    satisfaction rate of each month (blank where a type had no valid callback).
    ``counts``: `callback_counts` of the period, when the caller has it already."""
    rules = rules or load_rules()
    counts = callback_counts(conn, period, company) if counts is None else counts
    types = [bt.name for bt in rules.business_types if bt.name in set(counts["business"])]
    valid = counts[counts["result"].isin([rules.callback_satisfied, rules.callback_unsatisfied])]
    happy = valid["n"].where(valid["result"] == rules.callback_satisfied, 0)
    by_type = valid.assign(happy=happy).groupby(["month", "business"])[["happy", "n"]].sum()
    rates = (by_type["happy"] / by_type["n"]).unstack("business") if not by_type.empty else pd.DataFrame()
    frame = rates.reindex(index=list(period), columns=types).astype(float)
    by_month = valid.assign(happy=happy).groupby("month")[["happy", "n"]].sum()
    frame["合计"] = (by_month["happy"] / by_month["n"]).reindex(list(period)).astype(float)
    return frame.reset_index(names="month")[["month", *types, "合计"]]


def unsatisfied_reasons(conn: Conn, period: Sequence[str], company: str) -> pd.DataFrame:
    """``key`` (不满原因), ``dept``, ``n``: the period's 不满意 callbacks by reason and department."""
    b = callbacks.c
    reason = func.coalesce(b.reason, NO_REASON).label("key")
    stmt = (select(reason, b.dept, func.count()).where(b.company == company, b.month.in_(list(period)), b.in_month.is_(True), b.unsatisfied.is_(True))
            .group_by(reason, b.dept))
    return _frame(conn, stmt, REASON_COUNTS)


def late_flows(conn: Conn, period: Sequence[str], company: str, rules: Rules | None = None) -> pd.DataFrame:
    """Per responsible department: the period's months (late flow forms of each), then
    ``flows`` (forms opened in the period), ``late_flows`` and ``late_rate``; departments
    with no form left out, a 合计 row last."""
    rules = rules or load_rules()
    f = flow_forms.c
    stmt = (select(f.dept, f.month, func.count(), func.sum(case((f.late.is_(True), 1), else_=0)))
            .where(f.company == company, f.month.in_(list(period)), f.in_month.is_(True)).group_by(f.dept, f.month))
    return late_flows_table(_frame(conn, stmt, FLOW_COUNTS), period, rules)


def late_flows_table(counts: pd.DataFrame, period: Sequence[str], rules: Rules) -> pd.DataFrame:
    """`late_flows` from the period's flow forms counted by department and month (`FLOW_COUNTS`;
    `figures.late_flow_rows`, which the close's 服务通报 uses without a frame)."""
    columns = late_flow_columns(period)
    rows = late_flow_rows(counts[FLOW_COUNTS].itertuples(index=False, name=None), period, rules)
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


# --- department scores ------------------------------------------------------------------------


def score_table(conn: Conn, period: Sequence[str], company: str, value: str = "score", rules: Rules | None = None) -> pd.DataFrame:
    """``key`` (department) and one column per month of the period: the month's ``score``
    or ``deductions`` / ``bonuses`` as the close scored it (blank: month not in the store),
    then the period's mean (得分) or sum (扣分、加分)."""
    rules = rules or load_rules()
    s = score_cards.c
    if value not in ("score", "deductions", "bonuses"):
        raise ValueError(value)
    cards = _frame(conn, select(s.dept, s.month, s[value]).where(s.company == company, s.month.in_(list(period))), ["dept", "month", "value"])
    summary = "平均" if value == "score" else "合计"
    columns = ["key", *period, summary]
    if cards.empty:
        return pd.DataFrame(columns=columns)
    pivot = cards.pivot(index="dept", columns="month", values="value").reindex(columns=list(period))
    pivot = pivot.loc[in_order(list(pivot.index), rules.department_names)]
    pivot[summary] = pivot[list(period)].mean(axis=1) if value == "score" else pivot[list(period)].sum(axis=1, min_count=1)
    return pivot.round(2).reset_index(names="key")[columns]


def score_trend(conn: Conn, end: str, company: str, n: int = 12, rules: Rules | None = None) -> pd.DataFrame:
    """``month`` (the `n` months ending with `end`) and one column per department: the
    month's score (blank where the store does not hold the month)."""
    rules = rules or load_rules()
    span = [str(m) for m in Month(end).back(n)]
    s = score_cards.c
    cards = _frame(conn, select(s.month, s.dept, s.score).where(s.company == company, s.month.in_(span)), ["month", "dept", "score"])
    depts = in_order(list(set(cards["dept"])), rules.department_names) if not cards.empty else list(rules.department_names)
    pivot = cards.pivot(index="month", columns="dept", values="score") if not cards.empty else pd.DataFrame(columns=depts)
    pivot = pivot.reindex(index=span, columns=depts).astype(float).round(2)
    return pivot.reset_index(names="month")[["month", *depts]]


def deductions_by_category(conn: Conn, period: Sequence[str], company: str, rules: Rules | None = None) -> pd.DataFrame:
    """``key`` (department) and one column per deduction category of the score cards'
    lines (指标 / 投诉 / 流转单 / 手工 …), then 合计: points deducted in the period."""
    rules = rules or load_rules()
    i = score_items.c
    stmt = (select(i.dept, i.category, func.sum(-i.points)).where(i.company == company, i.month.in_(list(period)), i.points < 0)
            .group_by(i.dept, i.category))
    items = _frame(conn, stmt, ["dept", "category", "points"])
    if items.empty:
        return pd.DataFrame(columns=["key", "合计"])
    pivot = items.pivot(index="dept", columns="category", values="points").fillna(0.0)
    pivot = pivot.loc[in_order(list(pivot.index), rules.department_names)]
    order = [c for c in ("指标", "投诉", "流转单", "手工") if c in pivot.columns] + sorted(c for c in pivot.columns if c not in ("指标", "投诉", "流转单", "手工"))
    pivot = pivot[order]
    pivot["合计"] = pivot.sum(axis=1)
    return pivot.round(2).reset_index(names="key")


def month_count(conn: Conn, company: str) -> int:
    return int(_frame(conn, select(func.count()).select_from(months).where(months.c.company == company), ["n"])["n"].iloc[0])


__all__ = [
    "callback_counts", "callbacks_by_type", "companies", "complaint_callbacks", "complaint_states", "complaints_by", "deductions_by_category",
    "frame_of", "in_order", "late_flows", "late_flows_table", "month_count", "outside_parties", "present_months", "rejections", "repeat_complaints", "satisfaction_trend",
    "score_table", "score_trend", "sla", "terminations", "types_table", "unsatisfied_reasons",
]
