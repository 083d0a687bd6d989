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


def _late_callback(mb: MonthBooks, done: date | None, called: date | None, seen: dict[tuple[date, date | None], bool]) -> bool:
    """`callback_late` of a completion and a call day, once per pair of days (`seen`)."""
    if done is None:
        return False
    late = seen.get((done, called))
    if late is None:
        late = seen[(done, called)] = callback_late(done, called, mb.rules)
    return late


def agent_stats(mb: MonthBooks) -> list[AgentStats]:
    """One row per 回访人, in the order they first appear in the 台账, and a 合计 row.

    Counted by columns over the month's calls (`MonthBooks.call_positions`), not a record
    per row: the report asks this of every callback of the month at the close."""
    rules, ledger, positions = mb.rules, mb.ledger, mb.call_positions()
    col = ledger.column
    agents, results, phones, businesses = col("agent"), col("result"), col("phone"), col("business")
    done_dates, call_dates, flow_dates = col("done_date"), col("call_date"), col("flow_date")
    reasons, flows, flow_nos = col("reason"), col("flow"), col("flow_no")
    unsatisfied_word = rules.callback_unsatisfied
    rows: dict[str, dict[str, Any]] = {}
    names: dict[Any, str] = {}
    seen: dict[tuple[date, date | None], bool] = {}
    for i in positions:
        agent = agents[i]
        name = names.get(agent) if agent.__class__ is str else None
        if name is None:
            name = "" if is_blank(agent) else str(agent).strip()
            if agent.__class__ is str:
                names[agent] = name
        row = rows.get(name or NO_AGENT)
        if row is None:
            row = rows[name or NO_AGENT] = {"calls": 0, "gaps": dict.fromkeys(INCOMPLETE, 0), "incomplete": 0, "late_calls": 0, "late_flows": 0}
        row["calls"] += 1
        result = mb.result_of(results[i])
        unsatisfied = result == unsatisfied_word
        done, called, flowed = _day(done_dates[i]), _day(call_dates[i]), _day(flow_dates[i])
        found = (
            not result,  # 回访结果未填
            is_blank(phones[i]),  # 客户电话未填
            is_blank(businesses[i]),  # 业务类型未填
            done is None,  # 完工日期未填
            unsatisfied and is_blank(reasons[i]),  # 不满意未填原因
            unsatisfied and not (_yes(flows[i]) and not is_blank(flow_nos[i])),  # 不满意未流转
        )
        gaps = row["gaps"]
        for kind, gap in zip(INCOMPLETE, found, strict=True):
            if gap:
                gaps[kind] += 1
        row["incomplete"] += any(found) or not name
        row["late_calls"] += _late_callback(mb, done, called, seen)
        row["late_flows"] += flowed is not None and called is not None and flowed > called
    out = [AgentStats(a, r["calls"], r["incomplete"], tuple(r["gaps"][k] for k in INCOMPLETE), r["late_calls"], r["late_flows"])
           for a, r in rows.items()]
    if out:
        out.append(AgentStats("合计", sum(a.calls for a in out), sum(a.incomplete for a in out),
                              tuple(sum(a.by_kind[i] for a in out) for i in range(len(INCOMPLETE))),
                              sum(a.late_calls for a in out), sum(a.late_flows for a in out)))
    return out
