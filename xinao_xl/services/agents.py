"""Each callback agent's record of the month (回访办法 六.2), for the 回访报告.

"针对回访人员未建立回访登记台账、台账信息不齐全、信息流转不及时等问题，将纳入个人绩效考核": the
report lists, per 回访人 of the 台账, the facts the clause names — no score of our own:

- 回访条数: the agent's rows whose 回访日期 is in the month;
- 信息不齐全, by kind (`INCOMPLETE`): 回访结果、客户电话、业务类型、完工日期 not filled, a
  不满意 without 不满原因, a 不满意 not passed on (是否流转 not 是, or no 流转单号);
- 超过3日回访: 回访日期 more than `callback_within_days` after 完工日期 (回访 五.2,
  `policy.callbacks.callback_late`);
- 流转不及时: a 流转单 whose 流转日期 is after the day of the callback — 五.4(1) says
  "及时填写《服务监督信息流转单》"; we read 及时 as the same day (the flow form is filled
  while the call is fresh; a default reading, said in the report's note).

Rows without a 回访人 are counted under 未填回访人 (that itself is an incomplete row).

    stats = agent_stats(mb)
    [(a.agent, a.calls, a.incomplete_total) for a in stats]
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from xinao_xl.books.report import AgentStats
from xinao_xl.policy.callbacks import callback_late
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.parse import is_blank, parse_bool

from .month_books import MonthBooks

__all__ = ["INCOMPLETE", "NO_AGENT", "agent_stats"]

NO_AGENT = "未填回访人"
INCOMPLETE = ("回访结果未填", "客户电话未填", "业务类型未填", "完工日期未填", "不满意未填原因", "不满意未流转")


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _yes(value: Any) -> bool:
    try:
        return not is_blank(value) and parse_bool(value)
    except PolicyInputError:
        return False


def _gaps(mb: MonthBooks, rec: dict[str, Any]) -> list[str]:
    """The kinds of `INCOMPLETE` a 台账 row shows."""
    result = mb.result(rec)
    unsatisfied = result == mb.rules.callback_unsatisfied
    found = {
        "回访结果未填": not result,
        "客户电话未填": is_blank(rec.get("phone")),
        "业务类型未填": is_blank(rec.get("business")),
        "完工日期未填": _day(rec.get("done_date")) is None,
        "不满意未填原因": unsatisfied and is_blank(rec.get("reason")),
        "不满意未流转": unsatisfied and not (_yes(rec.get("flow")) and not is_blank(rec.get("flow_no"))),
    }
    return [k for k in INCOMPLETE if found[k]]


def _late_callback(mb: MonthBooks, rec: dict[str, Any]) -> bool:
    done = _day(rec.get("done_date"))
    return done is not None and callback_late(done, _day(rec["call_date"]), mb.rules)


def _late_flow(rec: dict[str, Any]) -> bool:
    flowed, called = _day(rec.get("flow_date")), _day(rec.get("call_date"))
    return flowed is not None and called is not None and flowed > called


def agent_stats(mb: MonthBooks, calls: Iterable[dict[str, Any]] | None = None) -> list[AgentStats]:
    """One row per 回访人, in the order they first appear in the 台账, and a 合计 row."""
    rows: dict[str, dict[str, Any]] = {}
    for rec in (mb.calls() if calls is None else calls):
        name = "" if is_blank(rec.get("agent")) else str(rec["agent"]).strip()
        row = rows.setdefault(name or NO_AGENT, {"calls": 0, "gaps": dict.fromkeys(INCOMPLETE, 0), "incomplete": 0, "late_calls": 0, "late_flows": 0})
        row["calls"] += 1
        gaps = _gaps(mb, rec)
        for g in gaps:
            row["gaps"][g] += 1
        row["incomplete"] += bool(gaps) or not name
        row["late_calls"] += _late_callback(mb, rec)
        row["late_flows"] += _late_flow(rec)
    out = [AgentStats(a, r["calls"], r["incomplete"], tuple(r["gaps"][k] for k in INCOMPLETE), r["late_calls"], r["late_flows"])
           for a, r in rows.items()]
    if out:
        out.append(AgentStats("合计", sum(a.calls for a in out), sum(a.incomplete for a in out),
                              tuple(sum(a.by_kind[i] for a in out) for i in range(len(INCOMPLETE))),
                              sum(a.late_calls for a in out), sum(a.late_flows for a in out)))
    return out
