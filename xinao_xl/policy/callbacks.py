"""回访: daily quotas, who to call today, and the callback-timing rules (回访 三-五).

    >>> q = daily_quotas({"维修": 20, "置换": 4, "安检": 50, "售气": 10, "车用燃气": 10})
    >>> q["维修"], q["置换"], q["安检"]   # 置换 short by 6: 维修 takes its 5 spare, 安检 the last 1
    (20, 4, 31)
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .errors import PolicyInputError
from .parse import is_blank, normalize_text, parse_count, parse_date
from .rules import Rules, load_rules


def daily_quotas(completed: Mapping[str, Any], rules: Rules | None = None) -> dict[str, int]:
    """Today's callbacks per business type for one agent (回访 四.2).

    零散 and 单项工程 are called in full; the others up to their quota. A type with fewer
    completed orders than its quota passes the shortfall on to the types with orders to
    spare, in the table's order (四.2(2) "回访人员自行调整其它业务回访量").
    """
    rules = rules or load_rules()
    counts = {}
    for name, value in completed.items():
        try:
            counts[rules.business_type(name).name] = parse_count(value)
        except KeyError:
            raise PolicyInputError("无效业务类型", name, "可选：" + "、".join(b.name for b in rules.business_types)) from None
    quotas: dict[str, int] = {}
    shortfall = 0
    for bt in rules.business_types:
        n = counts.get(bt.name, 0)
        if bt.quota is None:
            quotas[bt.name] = n
        else:
            quotas[bt.name] = min(bt.quota, n)
            shortfall += bt.quota - quotas[bt.name]
    if rules.value("pass_on_shortfall"):
        for bt in rules.business_types:
            if bt.quota is None or shortfall <= 0:
                continue
            extra = min(counts.get(bt.name, 0) - quotas[bt.name], shortfall)
            quotas[bt.name] += extra
            shortfall -= extra
    return quotas


def customer_key(phone: Any = None, name: Any = None, address: Any = None) -> str:
    """Who the customer is for the 7-day rule: the phone's digits, else name + address."""
    if phone.__class__ is str and phone.isascii() and phone.isdigit():
        digits = phone  # the usual case, already just digits (and the key of every call of a ledger)
    else:
        digits = "" if is_blank(phone) else re.sub(r"\D", "", normalize_text(_plain(phone)))
    if len(digits) > 12:
        digits = _national(digits)
    if len(digits) >= 7:
        return "T" + digits
    if is_blank(name) and is_blank(address):
        return ""
    return "N" + normalize_text(name or "") + "|" + normalize_text(address or "")


def _national(digits: str) -> str:
    """+86 138…, 0086 138… and 138… are one mobile: the country code is dropped, so the
    7-day rule sees the same customer however the number was typed."""
    if digits.startswith("0086"):
        digits = digits[2:]
    if len(digits) == 13 and digits.startswith("861"):
        return digits[2:]
    return digits


def _plain(value: Any) -> Any:
    """13812345678.0 read from a number cell is the phone 13812345678."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def repeat_within(previous: Any, current: Any, rules: Rules | None = None) -> bool:
    """回访 三.3: a second call no more than 7 days after the first is a repeat.

    Counted as §5 counts periods: called on 11-01, the week ends at 24:00 on 11-08.
    """
    rules = rules or load_rules()
    gap = (parse_date(current) - parse_date(previous)).days
    return 0 <= gap <= int(rules.value("no_repeat_days"))


def callback_late(completed: Any, called: Any, rules: Rules | None = None) -> bool:
    """回访 五.2: the callback should be made within 3 days of completion."""
    rules = rules or load_rules()
    return (parse_date(called) - parse_date(completed)).days > int(rules.value("callback_within_days"))


def satisfaction_rate(results: Iterable[Any], rules: Rules | None = None) -> float | None:
    """满意 / (满意 + 不满意); 未接通 and 拒访 are not valid callbacks. None without any."""
    rules = rules or load_rules()
    satisfied = unsatisfied = 0
    for r in results:
        text = "" if is_blank(r) else normalize_text(r)
        satisfied += text == rules.callback_satisfied
        unsatisfied += text == rules.callback_unsatisfied
    if satisfied + unsatisfied == 0:
        return None
    return float(Decimal(satisfied) / Decimal(satisfied + unsatisfied))


@dataclass(frozen=True)
class CompletedOrder:
    """One completed work order from the business system's export."""

    order_no: str
    business: str
    completed_at: datetime
    customer: str = ""
    phone: str = ""
    address: str = ""
    staff: str = ""
    department: str = ""

    @property
    def key(self) -> str:
        return customer_key(self.phone, self.customer, self.address)


@dataclass(frozen=True)
class PastCallback:
    day: date
    phone: str = ""
    customer: str = ""
    address: str = ""

    @property
    def key(self) -> str:
        return customer_key(self.phone, self.customer, self.address)


@dataclass
class SampleResult:
    day: date
    quotas: dict[str, int]
    taken: list[CompletedOrder] = field(default_factory=list)
    skipped: list[tuple[CompletedOrder, str]] = field(default_factory=list)

    def taken_by_type(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for order in self.taken:
            out[order.business] = out.get(order.business, 0) + 1
        return out


def sample_orders(
    orders: Sequence[CompletedOrder],
    day: date,
    history: Iterable[PastCallback] = (),
    seed: int | None = None,
    rules: Rules | None = None,
) -> SampleResult:
    """Pick today's callbacks: recent orders only, nobody called within 7 days (or, when the
    office reads 三.3's 尽量避免 softly, such customers last), quotas kept.

    Deterministic for a given seed (the default seed is the day, so re-running a day's
    sampling gives the same list). Every order left out carries its reason in Chinese.
    """
    rules = rules or load_rules()
    window = int(rules.value("sample_window_days"))
    # 三.3 says 应尽量避免: hard (the default reading) leaves a customer called within the
    # week out; soft takes them last, only when a type's quota cannot be met otherwise
    hard, days = bool(rules.value("no_repeat_hard")), int(rules.value("no_repeat_days"))
    recent: set[int] = set()
    last_called: dict[str, date] = {}
    for past in history:
        if past.key and (past.key not in last_called or past.day > last_called[past.key]):
            last_called[past.key] = past.day

    eligible: dict[str, list[CompletedOrder]] = {bt.name: [] for bt in rules.business_types}
    skipped: list[tuple[CompletedOrder, str]] = []
    for order in orders:
        try:
            business = rules.business_type(order.business).name
        except KeyError:
            skipped.append((order, f"业务类型“{order.business}”不在回访范围"))
            continue
        age = (day - order.completed_at.date()).days
        if age < 0:
            skipped.append((order, "完工时间晚于回访日"))
            continue
        if age > window:
            skipped.append((order, f"完工已超过{window}日"))
            continue
        previous = last_called.get(order.key)
        if previous is not None and repeat_within(previous, day, rules):
            if hard:
                skipped.append((order, f"该客户{previous:%m-%d}已回访，{days}日内不重复回访"))
                continue
            recent.add(id(order))
        eligible[business].append(order)

    quotas = daily_quotas({k: len(v) for k, v in eligible.items()}, rules)
    rng = random.Random(seed if seed is not None else day.toordinal())
    result = SampleResult(day=day, quotas=quotas, skipped=skipped)
    chosen_keys: set[str] = set()
    for bt in rules.business_types:
        candidates = sorted(eligible[bt.name], key=lambda o: (o.completed_at, o.order_no))
        rng.shuffle(candidates)
        candidates.sort(key=lambda o: id(o) in recent)  # stable: the week's customers last
        want = quotas[bt.name]
        for order in candidates:
            if order.key and order.key in chosen_keys:
                skipped.append((order, "同一客户今日已抽取"))
            elif len([o for o in result.taken if o.business == bt.name]) >= want:
                skipped.append((order, "超出当日回访量"))
            else:
                result.taken.append(_with_business(order, bt.name))
                if order.key:
                    chosen_keys.add(order.key)
    return result


def _with_business(order: CompletedOrder, business: str) -> CompletedOrder:
    if order.business == business:
        return order
    return CompletedOrder(order.order_no, business, order.completed_at, order.customer, order.phone, order.address, order.staff, order.department)
