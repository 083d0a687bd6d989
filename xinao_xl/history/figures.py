"""The callback and flow-form figures shared by the period report and the close's 服务通报,
as plain rows (dicts, tuples): no pandas.

Why a module of their own: the close makes the 服务通报 from the month's rows counted in
Python before the month is in the store, the period report from the store's GROUP BYs;
both turn their counts into tables here (`types_rows`, `late_flow_rows`), so the two
never disagree. `queries` wraps these rows into the frames of the period report; the
close, which needs no frame, does not import pandas for them (issue 16: the close's
start-up).

Counts come as tuples in the columns `CALLBACK_COUNTS`, `REASON_COUNTS`, `FLOW_COUNTS`
name, as the store's queries return them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from xinao_xl.policy.rules import Rules

from .schema import callbacks, completed_orders, months

Conn = Connection | Engine

UNKNOWN = "未填"
NO_REASON = "未注明原因"  # a 不满意 callback without a reason
CALLBACK_COUNTS = ["month", "business", "result", "n"]  # the period's callbacks in the month they were made, counted
REASON_COUNTS = ["key", "dept", "n"]
FLOW_COUNTS = ["dept", "month", "flows", "late"]  # the period's flow forms in the month they were opened, by department and month
TYPES_COLUMNS = ["business", "completed", "calls", "satisfied", "unsatisfied", "invalid", "satisfaction"]


def rows_of(conn: Conn, stmt: Any) -> list[tuple[Any, ...]]:
    """Run `stmt` and return its rows as tuples."""
    if isinstance(conn, Engine):
        with conn.connect() as c:
            return [tuple(r) for r in c.execute(stmt).all()]
    return [tuple(r) for r in conn.execute(stmt).all()]


def in_order(keys: Sequence[Any], order: Sequence[Any]) -> list[Any]:
    """`keys` in the order of `order` (the rules' order of departments, channels…), others last."""
    rank = {k: i for i, k in enumerate(order)}
    return sorted(keys, key=lambda k: (rank.get(k, len(rank)), str(k)))


def missing(value: Any) -> bool:
    """None or NaN: a blank a frame or a query can hold."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def present_months(conn: Conn, wanted: Sequence[str], company: str) -> list[str]:
    """Those of `wanted` that the store holds (closed months), in order."""
    stmt = select(months.c.month).where(months.c.company == company, months.c.month.in_(list(wanted)))
    held = {r[0] for r in rows_of(conn, stmt)}
    return [m for m in wanted if m in held]


def callback_count_rows(conn: Conn, period: Sequence[str], company: str) -> list[tuple[Any, ...]]:
    """``month, business, result, n``: the period's callbacks counted by SQL."""
    b = callbacks.c
    stmt = (select(b.month, b.business, b.result, func.count())
            .where(b.company == company, b.month.in_(list(period)), b.in_month.is_(True))
            .group_by(b.month, b.business, b.result))
    return rows_of(conn, stmt)


def completed_by_type(conn: Conn, period: Sequence[str], company: str) -> dict[Any, Any]:
    """The period's 完工量 by business type."""
    o = completed_orders.c
    stmt = select(o.business, func.sum(o.count)).where(o.company == company, o.month.in_(list(period))).group_by(o.business)
    return dict(rows_of(conn, stmt))


def types_rows(counts: Iterable[Sequence[Any]], done_by: Mapping[Any, Any], rules: Rules) -> list[dict[str, Any]]:
    """Per business type (the rules' ones, then others the counts hold) and 合计, in the
    columns `TYPES_COLUMNS`: ``completed`` (完工量), ``calls`` (满意 + 不满意), ``satisfied,
    unsatisfied, invalid`` (未接通、拒访), ``satisfaction``; from `CALLBACK_COUNTS` rows."""
    counts = [tuple(c) for c in counts]
    names = [bt.name for bt in rules.business_types]
    extra = sorted({str(c[1]) for c in counts if not missing(c[1])} - set(names))
    rows = [_callback_row(name, [c for c in counts if c[1] == name], int(done_by.get(name) or 0), rules) for name in [*names, *extra]]
    total = _callback_row("合计", counts, int(sum(int(v or 0) for v in done_by.values())), rules)
    return [*rows, total]


def _callback_row(name: str, counts: list[tuple[Any, ...]], completed: int, rules: Rules) -> dict[str, Any]:
    sat = int(sum(c[3] for c in counts if c[2] == rules.callback_satisfied))
    unsat = int(sum(c[3] for c in counts if c[2] == rules.callback_unsatisfied))
    invalid = int(sum(c[3] for c in counts if c[2] in rules.callback_invalid))
    return {"business": name, "completed": completed, "calls": sat + unsat, "satisfied": sat, "unsatisfied": unsat, "invalid": invalid,
            "satisfaction": sat / (sat + unsat) if sat + unsat else None}


def callbacks_by_type_rows(conn: Conn, period: Sequence[str], company: str, rules: Rules) -> list[dict[str, Any]]:
    """`types_rows` of the period as the store holds it."""
    return types_rows(callback_count_rows(conn, period, company), completed_by_type(conn, period, company), rules)


def late_flow_columns(period: Sequence[str]) -> list[str]:
    return ["key", *period, "flows", "late_flows", "late_rate"]


def late_flow_rows(counts: Iterable[Sequence[Any]], period: Sequence[str], rules: Rules) -> list[dict[str, Any]]:
    """Per responsible department (a blank one as `UNKNOWN`, the rules' order) and 合计, in
    the columns `late_flow_columns`: the late forms of each month of the period, then
    ``flows``, ``late_flows`` and ``late_rate``; from `FLOW_COUNTS` rows. None without a form."""
    counts = [(UNKNOWN if missing(c[0]) or c[0] == "" else c[0], *c[1:]) for c in counts]
    if not counts:
        return []
    rows = [_flow_row(dept, [c for c in counts if c[0] == dept], period) for dept in in_order(list({c[0] for c in counts}), rules.department_names)]
    rows.append(_flow_row("合计", counts, period))
    return rows


def _flow_row(key: str, part: list[tuple[Any, ...]], period: Sequence[str]) -> dict[str, Any]:
    row: dict[str, Any] = {"key": key}
    for m in period:
        row[m] = int(sum(c[3] for c in part if c[1] == m))
    flows, late = int(sum(c[2] for c in part)), int(sum(c[3] for c in part))
    row.update(flows=flows, late_flows=late, late_rate=late / flows if flows else None)
    return row


__all__ = [
    "CALLBACK_COUNTS", "FLOW_COUNTS", "NO_REASON", "REASON_COUNTS", "TYPES_COLUMNS", "UNKNOWN", "callback_count_rows", "callbacks_by_type_rows",
    "completed_by_type", "in_order", "late_flow_columns", "late_flow_rows", "missing", "present_months", "rows_of", "types_rows",
]
