"""Deadlines of complaint stages and flow forms, and their SLA status (POLICY_RULES §5).

Periods count as the Civil Code counts them: the start day is not counted (民法典 201) and
a period ends at 24:00 of its last day (203); the office may count the start day or extend
a natural-day period past a rest day (its settings, `natural_due`). We write that instant as 23:59:59 of the
last day, which Excel shows as "yyyy-mm-dd 23:59" and compares correctly with any time
staff type; the native formula is INT(start) + N + TIME(23,59,59).

    >>> stage_due("investigate", datetime(2026, 11, 3, 15, 20))
    datetime.datetime(2026, 11, 5, 23, 59, 59)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from . import clock
from .calendar import WorkCalendar, default_calendar
from .errors import PolicyInputError
from .month import Month
from .parse import END_OF_DAY, is_blank, parse_bool, parse_date, parse_datetime
from .rules import Rules, Stage, load_rules


def end_of(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY)


def natural_due(start: Any, days: int, rules: Rules | None = None, calendar: WorkCalendar | None = None) -> datetime:
    """N natural days after the start day, ending at 24:00.

    As the office's settings say (defaults: 民法典 201, the start day not counted; no
    extension, the policy chose natural days): with 自然日时限是否计入起算当日 the start day
    is day 1; with 自然日时限最后一日是休息日时是否顺延 a last day that is not a working day
    moves to the next working day (民法典 203), which needs the year's calendar.
    """
    rules = rules or load_rules()
    last = parse_datetime(start).date() + timedelta(days=days - (1 if rules.value("natural_start_counts") else 0))
    if rules.value("natural_extend_holiday"):
        calendar = calendar or rules.work_calendar
        last = calendar.add_workdays(last - timedelta(days=1), 1)
    return end_of(last)


def working_due(start: Any, days: int, calendar: WorkCalendar | None = None, rules: Rules | None = None) -> datetime:
    """N working days after the start day, ending at 24:00 of the N-th working day."""
    calendar = calendar or (rules.work_calendar if rules is not None else default_calendar())
    return end_of(calendar.add_workdays(parse_datetime(start).date(), days))


def stage(key: Any, rules: Rules | None = None) -> Stage:
    """A stage by key (investigate…), its Chinese name or short word (调查取证反馈, 调查, 处理,
    申诉处理…): exact names first, so 处理 is the complaint's 最终处理, not 申诉处理."""
    rules = rules or load_rules()
    text = str(key).strip()
    if text in rules.stages:
        return rules.stages[text]
    exact = [s for s in rules.stages.values() if text in (s.name, s.short)]
    if len(exact) == 1:
        return exact[0]
    matches = [s for s in rules.stages.values() if text and (text == s.name or text in s.name)]
    if len(matches) == 1:
        return matches[0]
    names = "、".join(s.name for s in rules.stages.values())
    raise PolicyInputError("无效环节", key, f"可选：{names}")


def stage_due(key: Any, start: Any, major: Any = False, calendar: WorkCalendar | None = None, rules: Rules | None = None) -> datetime:
    """Deadline of a complaint stage (or flow form) counted from its start event."""
    rules = rules or load_rules()
    st = stage(key, rules)
    is_major = False if is_blank(major) else parse_bool(major)
    days = st.days(is_major)
    if st.unit == "工作日":
        return working_due(start, days, calendar, rules)
    return natural_due(start, days, rules, calendar)


def flow_form_due(flow_date: Any, rules: Rules | None = None) -> datetime:
    """回访 六.1: a flow form is answered within 2 natural days of being passed on."""
    return stage_due("flow_form", flow_date, rules=rules)


def done_in_time(done: datetime, due: datetime) -> bool:
    """Whether something done at `done` met the deadline `due` (written 23:59:59 of its last
    day): to the second, and 24:00 itself is in time — Excel stores a typed "2026-11-05 24:00"
    as 2026-11-06 00:00:00, one second after 23:59:59 (民法典 203: a period ends at 24:00).
    The native formulas compare the same way (``ROUND((done-due)*86400,0)<=1``)."""
    return round((done - due).total_seconds()) <= 1
def callback_due(completed: Any, rules: Rules | None = None) -> datetime:
    """回访 五.2: a callback is made within 3 days of completion, so by 24:00 of the third
    day after the completion day (`callbacks.callback_late` is this deadline passed)."""
    rules = rules or load_rules()
    return end_of(parse_date(completed) + timedelta(days=int(rules.value("callback_within_days"))))


def report_due(month: Any, rules: Rules | None = None) -> datetime:
    """回访 五.4(2): the month's 意见统计表 and 回访报告 go to the service office "于次月5日前",
    before the 5th of the next month: by 24:00 of the 4th."""
    rules = rules or load_rules()
    nxt = Month(month).next()
    return end_of(date(nxt.year, nxt.number, int(rules.value("report_due_day")) - 1))


def review_due(month: Any, rules: Rules | None = None) -> datetime:
    """考核 3、5.2: the departments assess the month (自评) and the office reviews it on the
    3rd to the 6th of the next month: by 24:00 of the 6th."""
    rules = rules or load_rules()
    nxt = Month(month).next()
    return end_of(date(nxt.year, nxt.number, int(rules.value("review_to_day"))))


def sla_status(due: Any, done: Any = None, now: Any = None, rules: Rules | None = None) -> str:
    """正常 / 即将到期 / 已超时 / 按时完成 / 超时完成.

    即将到期 means at most `due_soon_days` (1) left; the default is ours, the policy does
    not define a warning period.
    """
    rules = rules or load_rules()
    due_at = parse_datetime(due)
    if not is_blank(done):
        return "按时完成" if done_in_time(parse_datetime(done), due_at) else "超时完成"
    moment = clock.now() if is_blank(now) else parse_datetime(now)
    if moment > due_at:
        return "已超时"
    if due_at - moment <= timedelta(days=float(rules.value("due_soon_days"))):
        return "即将到期"
    return "正常"


def is_late(due: Any, done: Any = None, now: Any = None) -> bool:
    """Late = not done by the deadline (still open past it, or done after it)."""
    return sla_status(due, done, now) in ("已超时", "超时完成")
