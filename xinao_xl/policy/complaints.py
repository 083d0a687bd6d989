"""投诉: 有责/无责 (附件2), 重大投诉 items (附件1), and the repeat check (附件3 第7项).

    >>> is_repeat(datetime(2027, 1, 20), datetime(2026, 10, 20))   # 3 months to 01-20
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .errors import PolicyInputError
from .month import Month
from .parse import is_blank, normalize_text, parse_datetime
from .rules import MajorItem, Rules, load_rules


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (11-30 + 3 months = 02-28)."""
    month = Month.of(day).plus(months)
    return date(month.year, month.number, min(day.day, month.last_day.day))


def is_repeat(new_at: Any, closed_at: Any, rules: Rules | None = None) -> bool:
    """附件3 第7项: raised again within 3 months of being closed (办结)."""
    rules = rules or load_rules()
    new_day, closed_day = parse_datetime(new_at).date(), parse_datetime(closed_at).date()
    return closed_day <= new_day <= add_months(closed_day, int(rules.value("repeat_complaint_months")))


@dataclass(frozen=True)
class ClosedComplaint:
    number: str
    customer_key: str
    closed_at: datetime
    topic: str = ""


def find_repeat(new_at: Any, customer_key: str, closed: Iterable[ClosedComplaint], rules: Rules | None = None) -> ClosedComplaint | None:
    """The latest closed complaint of the same customer that makes this one a repeat.

    Whether "nothing new happened" is for the service office to judge; this only finds
    the candidate so the case can be shown to them.
    """
    if not customer_key:
        return None
    hits = [c for c in closed if c.customer_key == customer_key and is_repeat(new_at, c.closed_at, rules)]
    return max(hits, key=lambda c: c.closed_at) if hits else None


def no_fault_reason(value: Any, rules: Rules | None = None) -> int | None:
    """附件2 reason number (1-7) from "3", "附件2-3", "3.投诉问题…" or the text; None if blank or 有责."""
    rules = rules or load_rules()
    if is_blank(value):
        return None
    text = normalize_text(value)
    if text in ("有责", "无", "否", "-"):
        return None
    match = re.match(r"^(?:附件2[-.]?)?([1-7])(?:[.、:．]|$)", text)
    if match:
        return int(match.group(1))
    for number, reason in enumerate(rules.no_fault_reasons, start=1):
        core = normalize_text(reason)
        if text in core or core.startswith(text[:8]):
            return number
    raise PolicyInputError("无效无责原因", value, "请从附件2的7项原因中选择")


def is_responsible(reason: Any, rules: Rules | None = None) -> bool:
    """附件2: a complaint is 无责 only for one of its seven reasons; anything else is 有责."""
    return no_fault_reason(reason, rules) is None


def major_item(value: Any, rules: Rules | None = None) -> MajorItem | None:
    """附件1 item from its code ("2.3") or its dropdown label; None if blank."""
    rules = rules or load_rules()
    if is_blank(value):
        return None
    text = normalize_text(value)
    for item in rules.major_items:
        if text == item.code or text == normalize_text(item.label) or text.startswith(item.code + " ") or text.startswith(item.code):
            return item
    raise PolicyInputError("无效重大投诉项", value, "请从附件1的下拉列表选择")
