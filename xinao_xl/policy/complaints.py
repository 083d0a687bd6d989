"""投诉: 有责/无责 (附件2), 重大投诉 items (附件1), and the repeat check (附件3 第7项).

    >>> is_repeat(datetime(2027, 1, 20), datetime(2026, 10, 20))   # 3 months to 01-20
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .errors import PolicyInputError
from .month import Month
from .parse import is_blank, normalize_text, parse_bool, parse_count, parse_datetime, parse_number
from .rules import MajorItem, Rules, load_rules

# 投诉 第九条: the outcome of an appeal, as the 投诉台账's dropdown writes it.
APPEAL_UPHELD, APPEAL_REJECTED = "成立", "不成立"
APPEAL_RESULTS = (APPEAL_UPHELD, APPEAL_REJECTED)
APPEAL_CLAUSE = "投诉 第九条"
_REJECTED_WORDS = ("不成立", "驳回", "维持原判")  # the last two: what ledgers wrote before the dropdown


def appeal_upheld(value: Any) -> bool:
    """Whether a 申诉结果 upholds the appeal: 成立 yes; blank, 不成立 (驳回, 维持原判) no."""
    if is_blank(value):
        return False
    text = normalize_text(value)
    if text in _REJECTED_WORDS:
        return False
    if text == APPEAL_UPHELD:
        return True
    raise PolicyInputError("无效申诉结果", value, f"请选择“{APPEAL_UPHELD}”或“{APPEAL_REJECTED}”")


def responsible_after_appeal(responsible: Any, appeal: Any) -> Any:
    """An upheld appeal makes the complaint 无责 (our reading of 第九条: the appeal is against
    the 判定, and upheld means the department is not at fault); otherwise as typed."""
    return False if appeal_upheld(appeal) else responsible


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (11-30 + 3 months = 02-28)."""
    month = Month.of(day).plus(months)
    return date(month.year, month.number, min(day.day, month.last_day.day))


def repeat_until(closed_day: date, rules: Rules | None = None) -> date:
    """The last day a complaint closed on `closed_day` makes a new one a repeat: 3 months
    later, or 3 natural days when the office reads 附件3's "3个内" as days."""
    rules = rules or load_rules()
    n = int(rules.value("repeat_complaint_months"))
    if rules.value("repeat_complaint_unit") == "个自然日":
        return closed_day + timedelta(days=n)
    return add_months(closed_day, n)


def is_repeat(new_at: Any, closed_at: Any, rules: Rules | None = None) -> bool:
    """附件3 第7项: raised again within 3 months (or 3 days, as the office reads it) of being closed (办结)."""
    new_day, closed_day = parse_datetime(new_at).date(), parse_datetime(closed_at).date()
    return closed_day <= new_day <= repeat_until(closed_day, rules)


def major_signs(followups: Any = None, emergency: Any = None, loss: Any = None, rules: Rules | None = None) -> list[MajorItem]:
    """投诉 附件1 items whose numbers a complaint's own columns meet: 跟催次数 at least 3 (一.3),
    an 抢修抢险 complaint followed up at least once (二.2), a 停气停电 loss of 一万元 or more
    (二.3). The numbers are params; what the complaint is about stays the office's judgement,
    so this only says "疑似重大" for the office to look at."""
    rules = rules or load_rules()
    items = {m.code: m for m in rules.major_items}
    count = 0 if is_blank(followups) else parse_count(followups)
    out = []
    if count >= int(rules.value("major_followups_service")):
        out.append(items["1.3"])
    if not is_blank(emergency) and parse_bool(emergency) and count >= int(rules.value("major_followups_emergency")):
        out.append(items["2.2"])
    if not is_blank(loss) and parse_number(loss, "无效金额", minimum=0) >= float(rules.value("major_loss_yuan")):
        out.append(items["2.3"])
    return out


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
