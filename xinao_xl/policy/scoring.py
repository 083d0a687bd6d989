"""服务考核: deductions, bonuses and the department's monthly score (考核 6-9).

Arithmetic runs on Decimal built from what staff typed (0.965 stays 0.965, not
0.96499999…), and every amount is rounded as Excel's ROUND does, so the UDFs, the native
formulas of the 考核表 and this module give the same numbers.

    >>> complaint_deduction("400四级")
    15.0
    >>> rate_deduction(0.965, 0.98)   # 1.5 points below 98% x 2
    3.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .complaints import APPEAL_CLAUSE, appeal_upheld, responsible_after_appeal
from .errors import PolicyInputError
from .parse import (
    is_blank,
    parse_channel,
    parse_count,
    parse_level,
    parse_number,
    parse_rate,
    parse_responsible,
)
from .rounding import excel_round, to_decimal
from .rules import ABOVE, BELOW, ENTERED, Department, Indicator, Kind, Rules, load_rules

HUNDRED = Decimal(100)
ADJUSTMENT = "申诉调整"  # the score card's category for points given back after an upheld appeal


def _digits(rules: Rules) -> int:
    return int(rules.value("round_digits"))


def shortfall_points(gap: Decimal, per_point: float, mode: str) -> Decimal:
    """Points for a shortfall of `gap` units (percentage points, score points or days).

    按比例 is the default reading of "每降低一个百分点扣2分" (93.5 → 1.5 × 3); 向上取整 and
    向下取整 count whole units. The gap is first rounded to 6 places so float noise in a
    workbook (1.0000000000000009) never becomes an extra unit.
    """
    if gap <= 0:
        return Decimal(0)
    gap = gap.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)  # ROUND(gap,6): half away from zero, as the formula
    if mode == "向上取整":
        gap = Decimal(math.ceil(gap))
    elif mode == "向下取整":
        gap = Decimal(math.floor(gap))
    elif mode != "按比例":
        raise PolicyInputError("无效计算方式", mode, "可选：按比例、向上取整、向下取整")
    return gap * to_decimal(per_point)


def read_actual(kind: Kind, value: Any, code: str | None = None) -> float:
    """A §6 row's typed value in the kind's stored unit, inside the kind's range.

    A rate reads as parse_rate does (96.5%, 96.5 and 0.965 are one rate); anything else as
    a number. `code` names a value that is not the actual itself (a UDF's 标准 argument).
    """
    code = code or kind.error
    if kind.is_rate:
        number = parse_rate(value)
        if (kind.low is not None and number < kind.low) or (kind.high is not None and number > kind.high):
            raise PolicyInputError(code, value, f"应在 {kind.low or 0:.0%} 到 {1 if kind.high is None else kind.high:.0%} 之间")
        return number
    return parse_number(value, code, minimum=kind.low, maximum=kind.high)


def gap_units(kind: Kind, actual: Decimal, target: Decimal) -> Decimal:
    """How many counting units (percentage points, points, days) the actual misses by.

    The one place a direction is arithmetic; `books.formulas.gap_units` is its formula twin.
    """
    if kind.direction == BELOW:
        gap = target - actual
    elif kind.direction == ABOVE:
        gap = actual - target
    else:
        raise PolicyInputError("该类型不按差距计分", kind.key, kind.text)
    return gap * to_decimal(kind.scale) if kind.scale != 1 else gap


def row_cap(kind: Kind, rules: Rules) -> Decimal | None:
    """The most one row of this kind may deduct, None for no cap (no `cap` param, or 0)."""
    if kind.cap_param is None:
        return None
    cap = to_decimal(rules.value(kind.cap_param))
    return cap if cap > 0 else None


def kind_deduction(kind: Kind, actual: Any, target: Any = None, rules: Rules | None = None, *, per_point: Any = None,
                   mode: str | None = None, target_code: str = "无效标准") -> float:
    """考核 6-7.1.5: one row's deduction from its actual, as its kind's data says.

    below / above: per_point for each counting unit short of the target or over the limit,
    a part of a unit as `mode` says (shortfall_points); entered: the actual is the
    deduction. Then the kind's per-row cap, then ROUND. The 考核表's formula for the row is
    built from the same data (books.assessment.indicator_formula).
    """
    rules = rules or load_rules()
    value = to_decimal(read_actual(kind, actual))
    if kind.direction == ENTERED:
        points = value
    else:
        limit = to_decimal(read_actual(kind, target, target_code))
        per = rules.value(kind.per_point_param) if per_point is None else per_point
        points = shortfall_points(gap_units(kind, value, limit), per, mode or str(rules.value(kind.mode_param)))
    cap = row_cap(kind, rules)
    if cap is not None:
        points = min(points, cap)
    return excel_round(points, _digits(rules))


def rate_deduction(actual: Any, target: Any, per_point: float | None = None, mode: str | None = None, rules: Rules | None = None,
                   kind: str = "rate") -> float:
    """考核 7.1.3 / 7.1.4 / §6 rate rows: per_point (default: the kind's param) for each
    percentage point below target; `kind` names the rate kind whose params apply."""
    rules = rules or load_rules()
    return kind_deduction(rules.kinds[kind], actual, target, rules, per_point=per_point, mode=mode, target_code="无效比率")


def mystery_deduction(score: Any, standard: Any = None, per_point: float | None = None, mode: str | None = None, rules: Rules | None = None) -> float:
    """考核 7.1.2: 3 points for each point the mystery-customer score is below 95."""
    rules = rules or load_rules()
    standard = rules.value("mystery_standard") if is_blank(standard) else standard
    return kind_deduction(rules.kinds["mystery"], score, standard, rules, per_point=per_point, mode=mode)


def days_deduction(actual_days: Any, limit_days: Any, per_day: float | None = None, mode: str | None = None, rules: Rules | None = None) -> float:
    """§6 day rows (外网置换平均响应时间 ≤ 3, 预算书编制 ≤ 2): per_day for each day over."""
    rules = rules or load_rules()
    return kind_deduction(rules.kinds["days"], actual_days, limit_days, rules, per_point=per_day, mode=mode, target_code="无效天数")


def manual_deduction(points: Any, rules: Rules | None = None) -> float:
    """考核 7.1 手工扣分 lines of the 加减分明细: a deduction entered by hand, never negative."""
    rules = rules or load_rules()
    return excel_round(to_decimal(parse_number(points, "无效扣分", minimum=0)), _digits(rules))


def indicator_deduction(indicator: Indicator, actual: Any, rules: Rules | None = None) -> float:
    """The deduction of one §6 row from its actual value; a blank row deducts nothing."""
    rules = rules or load_rules()
    if is_blank(actual):
        return 0.0
    kind = indicator.kind_spec
    if kind.from_complaints:
        raise PolicyInputError("该项由投诉计算", indicator.name, "投诉管理项请在投诉台账或加减分明细中登记")
    return kind_deduction(kind, actual, rules.target_of(indicator), rules)


def actual_for_gap(kind: Kind, target: float | None, gap: float) -> float:
    """The actual that misses `target` by `gap` counting units (the inverse of gap_units),
    kept inside the kind's range: how the synthetic month turns a kind's sample into a value."""
    if kind.direction == BELOW:
        value = (target or 0) - gap / kind.scale
    elif kind.direction == ABOVE:
        value = (target or 0) + gap / kind.scale
    else:
        value = gap
    if kind.low is not None:
        value = max(kind.low, value)
    if kind.high is not None:
        value = min(kind.high, value)
    return round(value, 4)


def level_points(level: int, rules: Rules | None = None) -> float:
    rules = rules or load_rules()
    return float(rules.value(rules.level_params[level]))


def channel_points(channel: str | None, rules: Rules | None = None) -> float | None:
    """Points a channel deducts on its own (95158, 市长热线), None for the others."""
    rules = rules or load_rules()
    for ch in rules.channels:
        if ch.code == channel and ch.points_param:
            return float(rules.value(ch.points_param))
    return None


def complaint_deduction(level: Any = None, channel: Any = None, responsible: Any = True, rules: Rules | None = None) -> float:
    """考核 7.1.1: points for one complaint; 就高 between channel and level; 无责 → 0.

    投诉办法 第七条(四)1 settles a complaint that fits two rules by the higher one, so a
    level-4 complaint via 市长热线 deducts 15, and a 95158 complaint of level 5 deducts 10.
    """
    rules = rules or load_rules()
    is_responsible = parse_responsible(responsible)
    code = parse_channel(channel, rules)
    candidates: list[float] = []
    if not is_blank(level):
        candidates.append(level_points(parse_level(level, rules), rules))
    by_channel = channel_points(code, rules)
    if by_channel is not None:
        candidates.append(by_channel)
    if not candidates:
        hint = "400及其他渠道的投诉须填写级别" if code else "请填写投诉级别或渠道（95158、市长热线）"
        raise PolicyInputError("缺少级别", channel if code else "", hint)
    if not is_responsible and not rules.value("no_fault_deducts"):
        return 0.0
    return excel_round(max(candidates), _digits(rules))


def is_grade_c(level: Any, responsible: Any = True, rules: Rules | None = None) -> bool:
    """考核 7.1.1: a 有责 level 1 or 2 complaint makes the department's month C; a 无责 one
    too when the office reads 7.1.1 literally (setting 无责的一、二级投诉是否定C级)."""
    rules = rules or load_rules()
    if is_blank(level):
        return False
    if not parse_responsible(responsible) and not rules.value("no_fault_grade_c"):
        return False
    return parse_level(level, rules) <= int(rules.value("grade_c_max_level"))


def late_flow_deduction(count: Any, rules: Rules | None = None) -> float:
    """回访 六.1: 2 points for each flow form not answered within 2 natural days."""
    rules = rules or load_rules()
    return excel_round(parse_count(count) * to_decimal(rules.value("late_flow_points")), _digits(rules))


def media_points(points: Any, rules: Rules | None = None) -> float:
    """考核 7.2: external media praise is worth 3 to 5 points by reach; outside is an error."""
    rules = rules or load_rules()
    low, high = float(rules.value("media_points_min")), float(rules.value("media_points_max"))
    value = parse_number(points, "无效媒体加分")
    if not low <= value <= high:
        raise PolicyInputError("无效媒体加分", points, f"外部媒体表扬加{low:g}-{high:g}分")
    return value


def praise_bonus(count: Any, media: Any = None, rules: Rules | None = None) -> float:
    """考核 7.2: 2 points per phone/letter/锦旗 praise, plus each media praise's points."""
    rules = rules or load_rules()
    total = parse_count(count) * to_decimal(rules.value("praise_points"))
    for points in _flatten(media):
        if not is_blank(points):
            total += to_decimal(media_points(points, rules))
    return excel_round(total, _digits(rules))


def _flatten(values: Any) -> Iterable[Any]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        return [values]
    out: list[Any] = []
    for v in values:
        out.extend(_flatten(v) if isinstance(v, list | tuple) else [v])
    return out


def department_score(deductions: Any = None, bonuses: Any = None, rules: Rules | None = None) -> float:
    """考核 7: 100 − Σ deductions + Σ bonuses, floored at 0, no ceiling (7.3 needs > 100).

    A deduction or a bonus is never negative (a −5 deduction is not a 5-point bonus):
    such a value is an error here, as it is in validation and in `score_department`."""
    rules = rules or load_rules()
    total = to_decimal(rules.value("base_score"))
    for d in _flatten(deductions):
        if not is_blank(d):
            total -= to_decimal(parse_number(d, "无效扣分", minimum=0))
    for b in _flatten(bonuses):
        if not is_blank(b):
            total += to_decimal(parse_number(b, "无效加分", minimum=0))
    total = max(total, to_decimal(rules.value("score_floor")))
    return excel_round(total, _digits(rules))


def company_item(department: Any, score: Any, rules: Rules | None = None) -> float:
    """考核 7.3 with 8: weight × min(score, 100) + 0.1 × the points above 100."""
    rules = rules or load_rules()
    dept = _department(department, rules)
    value = to_decimal(parse_number(score, "无效得分", minimum=0))
    base = to_decimal(rules.value("base_score"))
    item = to_decimal(dept.weight) * min(value, base) + to_decimal(rules.value("overflow_factor")) * max(Decimal(0), value - base)
    return excel_round(item, _digits(rules))


def allowance(base: Any, score: Any, rules: Rules | None = None) -> float:
    """考核 9: 兼职服务津贴 = 服务津贴 × 部门月度服务得分 / 100 (capped only if the rules say so)."""
    rules = rules or load_rules()
    value = to_decimal(parse_number(score, "无效得分", minimum=0))
    cap = to_decimal(rules.value("allowance_score_cap"))
    if cap > 0:
        value = min(value, cap)
    amount = to_decimal(parse_number(base, "无效津贴基数", minimum=0)) * value / HUNDRED
    return excel_round(amount, _digits(rules))


def _department(name: Any, rules: Rules) -> Department:
    try:
        return rules.department(str(name).strip())
    except KeyError:
        raise PolicyInputError("无效部门", name, "可选：" + "、".join(rules.department_names)) from None


# --- the department's month -------------------------------------------------------------


@dataclass(frozen=True)
class LineItem:
    """One line of the score card: what, why (clause), how much, from which record."""

    category: str  # 指标 | 投诉 | 流转单 | 表扬 | 媒体表扬 | 手工 | 申诉调整
    text: str
    clause: str
    points: float  # negative: deduction; positive: bonus
    source: str = ""


@dataclass(frozen=True)
class ComplaintEntry:
    """One complaint of the department's month; `appeal` is its 申诉结果 (成立 makes it 无责)."""

    level: Any = None
    channel: Any = None
    responsible: Any = True
    source: str = ""
    appeal: Any = None

    @property
    def effective_responsible(self) -> Any:
        return responsible_after_appeal(self.responsible, self.appeal)


@dataclass(frozen=True)
class Adjustment:
    """Points given back (positive) in this month for a closed month's complaint whose appeal
    was upheld after that month's close (our reading, rules.toml [[readings]] appeal_upheld)."""

    points: Any
    text: str
    source: str = ""


@dataclass(frozen=True)
class ManualEntry:
    item: str
    points: Any
    source: str = ""


@dataclass
class DepartmentMonth:
    """Everything that goes into one department's monthly score."""

    department: str
    month: str
    indicators: Mapping[str, Any] = field(default_factory=dict)
    complaints: Sequence[ComplaintEntry] = ()
    late_flow_forms: Any = 0
    praise: Any = 0
    media_praise: Sequence[Any] = ()
    manual: Sequence[ManualEntry] = ()
    allowance_base: Any = None
    adjustments: Sequence[Adjustment] = ()


@dataclass(frozen=True)
class ScoreCard:
    department: str
    month: str
    items: tuple[LineItem, ...]
    deductions: float
    bonuses: float
    score: float
    grade: str
    weight: float
    company_item: float
    allowance_base: float | None
    allowance: float | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["items"] = [asdict(i) for i in self.items]
        return data


def score_department(month: DepartmentMonth, rules: Rules | None = None) -> ScoreCard:
    """The score card of one department's month, every line with its clause and source."""
    rules = rules or load_rules()
    dept = _department(month.department, rules)
    items: list[LineItem] = []
    digits = _digits(rules)

    given: dict[str, str] = {}  # §6 row -> the name it was given under
    for name, actual in month.indicators.items():
        try:
            ind = dept.indicator(name)
        except KeyError as exc:
            raise PolicyInputError("无效考核项", name, str(exc.args[0])) from None
        if ind.name in given:  # 神秘客户检测 and 控股神秘客户检测 are one row of 客服部
            raise PolicyInputError("重复考核项", name, f"与“{given[ind.name]}”是同一考核项“{ind.name}”，只能填写一次")
        given[ind.name] = name
        points = indicator_deduction(ind, actual, rules)
        if points:
            items.append(LineItem("指标", f"{ind.name}（实际 {actual}）", ind.clause, -points, ind.name))

    complaint_row = next(i for i in dept.indicators if i.kind_spec.from_complaints)
    grade = ""
    for c in month.complaints:
        resp = c.effective_responsible
        points = complaint_deduction(c.level, c.channel, resp, rules)
        parts = [p for p in (parse_channel(c.channel, rules), f"{parse_level(c.level, rules)}级" if not is_blank(c.level) else "") if p]
        responsible = parse_responsible(resp)
        note = "" if responsible else ("（申诉成立，按无责计" if appeal_upheld(c.appeal) else "（无责") + ("）" if points else "，不扣分）")
        items.append(LineItem("投诉", f"投诉 {' '.join(parts)}{note}", complaint_row.clause, -points, c.source))
        if is_grade_c(c.level, resp, rules):
            grade = str(rules.value("grade_c"))

    late = parse_count(month.late_flow_forms)
    if late:
        items.append(LineItem("流转单", f"流转单未按时反馈 {late} 次", rules.param("late_flow_points").clause, -late_flow_deduction(late, rules)))

    for m in month.manual:
        try:
            ind = dept.indicator(m.item)
            clause, text = ind.clause, ind.name
        except KeyError:
            clause, text = rules.kinds["manual"].clause, str(m.item)
        items.append(LineItem("手工", text, clause, -manual_deduction(m.points, rules), m.source))

    praise = parse_count(month.praise)
    if praise:
        items.append(LineItem("表扬", f"客户表扬 {praise} 起", rules.param("praise_points").clause, praise_bonus(praise, None, rules)))
    for points in month.media_praise:
        items.append(LineItem("媒体表扬", "外部媒体表扬", rules.param("media_points_min").clause, excel_round(to_decimal(media_points(points, rules)), digits)))

    for a in month.adjustments:
        points = excel_round(to_decimal(parse_number(a.points, "无效调整分", minimum=0)), digits)
        items.append(LineItem(ADJUSTMENT, a.text, APPEAL_CLAUSE, points, a.source))

    deductions = excel_round(sum((to_decimal(-i.points) for i in items if i.points < 0), Decimal(0)), digits)
    bonuses = excel_round(sum((to_decimal(i.points) for i in items if i.points > 0), Decimal(0)), digits)
    score = department_score([deductions], [bonuses], rules)
    base = None if is_blank(month.allowance_base) else parse_number(month.allowance_base, "无效津贴基数", minimum=0)
    return ScoreCard(
        department=dept.name,
        month=month.month,
        items=tuple(items),
        deductions=deductions,
        bonuses=bonuses,
        score=score,
        grade=grade,
        weight=dept.weight,
        company_item=company_item(dept.name, score, rules),
        allowance_base=base,
        allowance=None if base is None else allowance(base, score, rules),
    )
