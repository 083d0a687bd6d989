"""The rules data file (rules.toml) loaded into typed, frozen objects.

Why a loader of our own: every number of the three policies lives once in rules.toml with
its clause; the Python functions, the workbook formulas and the 规则 sheet all read it from
here. A broken file must fail at load time and name the key, not later in a cell.

    >>> rules = load_rules()
    >>> rules.value("praise_points")
    2
    >>> rules.department("技术质量安全部").name
    '安保部'
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from .calendar import WorkCalendar, default_calendar
from .errors import RulesError

DEFAULT_RULES_PATH = Path(__file__).with_name("rules.toml")

ParamValue = int | float | str | bool


# What a setting is (制度设置.xlsx 性质): the policy fixes it, calls it provisional, or is
# silent and the value is our reading.
NATURE_POLICY, NATURE_PROVISIONAL, NATURE_DEFAULT = "制度规定", "制度暂定", "本系统默认解读"
YES, NO = "是", "否"  # how a switch is written everywhere staff see it (规则 sheet, 制度设置.xlsx)


@dataclass(frozen=True)
class Param:
    """One scalar of the policies: a row of the 规则 sheet, an Excel defined name and, unless
    `setting` is False, a row of the office's 制度设置.xlsx.

    `source` says where a month's value came from when the office's settings were applied
    (`Rules.with_values`): "" for the packaged value, "本单位（2027-01起）" for the office's.
    """

    key: str
    value: ParamValue
    clause: str
    text: str
    default: bool = False
    provisional: bool = False
    choices: tuple[str, ...] = ()
    label: str = ""
    quote: str = ""
    percent: bool = False
    integer: bool = False
    low: float | None = 0  # the accepted range of a number; None: unbounded
    high: float | None = None
    setting: bool = True
    choice_kinds: Mapping[str, str] = field(default_factory=dict)  # choice -> indicator kind
    source: str = ""

    @property
    def defined_name(self) -> str:
        return "P_" + self.key.upper()

    @property
    def name(self) -> str:
        """What staff read: the label, else the explanation."""
        return self.label or self.text

    @property
    def is_switch(self) -> bool:
        return isinstance(self.value, bool)

    @property
    def nature(self) -> str:
        """制度规定 / 制度暂定 / 本系统默认解读."""
        if self.default:
            return NATURE_DEFAULT
        return NATURE_PROVISIONAL if self.provisional else NATURE_POLICY

    @property
    def flag_text(self) -> str:
        """What staff read beside the value: where it comes from (the office's setting, or
        whether the policy fixes it)."""
        if self.source:
            return self.source
        if self.default:
            return "本系统默认，制度未规定"
        if self.provisional:
            return "制度暂定"
        return ""

    def shown(self, value: ParamValue | None = None) -> str:
        """A value as staff write it: 是/否, 96%, 按比例, 2.5."""
        value = self.value if value is None else value
        if isinstance(value, bool):
            return YES if value else NO
        if self.percent and isinstance(value, int | float):
            return f"{value * 100:g}%"
        if isinstance(value, float) and value.is_integer():
            return f"{value:g}"
        return str(value)

    def check(self, value: Any) -> ParamValue:
        """`value` as this param holds it (bool, int, float or one of the choices), or a
        ValueError whose text says in Chinese what the value must be."""
        if isinstance(self.value, bool):
            if not isinstance(value, bool):
                raise ValueError(f"应为{YES}或{NO}")
            return value
        if isinstance(self.value, str):
            if self.choices and value not in self.choices:
                raise ValueError("应为" + "、".join(self.choices) + "之一")
            if not isinstance(value, str):
                raise ValueError("应为文字")
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("应为百分数，如 60%" if self.percent else "应为数字")
        if self.percent and not 0 <= value <= 1:
            raise ValueError("比率应在 0% 到 100% 之间")
        if self.low is not None and value < self.low:
            raise ValueError(f"不能小于 {self.shown(self.low)}")
        if self.high is not None and value > self.high:
            raise ValueError(f"不能大于 {self.shown(self.high)}")
        if self.integer:
            if float(value) != int(value):
                raise ValueError("应为整数")
            return int(value)
        return value


# How a kind's actual becomes a deduction (rules.toml [kinds], `direction`).
BELOW = "below"  # per counting unit short of the target (神秘客户 95, 满意度 98%)
ABOVE = "above"  # per counting unit over the limit (外网置换 ≤ 3 自然日)
ENTERED = "entered"  # the actual is the deduction (依据完成情况评分)
COMPLAINTS = "complaints"  # the row sums the complaint lines (依据投诉级别评分)
DIRECTIONS = (BELOW, ABOVE, ENTERED, COMPLAINTS)

# How a gap under one counting unit counts (the words scoring.shortfall_points and its formula
# twin know); a kind's `mode` param offers some of them as its choices.
SHORTFALL_MODES = ("按比例", "向上取整", "向下取整")

# The placeholders a kind's `udf` formula may use; books/assessment.py fills them per row.
UDF_PLACEHOLDERS = ("actual", "target", "name", "per_point")


@dataclass(frozen=True)
class Unit:
    """What staff type in a §6 row, and how a gap in it is counted."""

    key: str
    clause: str
    scale: float  # counting units per stored unit: 100 for a rate (a fraction → percentage points)
    percent: bool  # typed 96.5%, 96.5 or 0.965 (parse_rate), stored as a fraction
    text: str  # how a message names such a value (比率, 天数)
    example: str  # a value as staff would type it, for messages


@dataclass(frozen=True)
class Kind:
    """How a §6 row's actual value becomes a deduction: everything scoring, the workbook's
    formula and entry check, validation and the synthetic month need, as data.

    Only `direction` is code: one pure function per direction in `scoring` with its
    formula twin in `books`; a kind is a combination of a direction, a unit, a range and
    the params it reads, so a new kind is a new [kinds.*] table.
    """

    key: str
    text: str
    clause: str
    direction: str
    unit: Unit | None = None
    low: float | None = None  # the accepted range of the actual, in stored units
    high: float | None = None  # None: no upper bound
    per_point_param: str | None = None
    mode_param: str | None = None  # 按比例 / 向上取整 / 向下取整 for a gap under one unit
    cap_param: str | None = None  # the most one row may deduct; 0 in the param: no cap
    error: str = "无效数字"
    entry: str = ""
    example: str = ""  # a typed value for messages; the unit's unless the kind has its own
    hint: str = ""
    udf: str | None = None
    sample: tuple[float, ...] = ()
    audit_sample: tuple[float, ...] = ()
    default: bool = False

    @property
    def from_complaints(self) -> bool:
        return self.direction == COMPLAINTS

    @property
    def counts_gap(self) -> bool:
        """A row measured against its target (below or above it), so it needs a target."""
        return self.direction in (BELOW, ABOVE)

    @property
    def is_rate(self) -> bool:
        return self.unit is not None and self.unit.percent

    @property
    def scale(self) -> float:
        return self.unit.scale if self.unit else 1


@dataclass(frozen=True)
class Indicator:
    """One row of 考核 §6 for one department, in the policy's order."""

    department: str
    number: int
    name: str
    kind: str
    clause: str
    target: float | None
    target_param: str | None
    unit: str
    standard_text: str
    provisional: bool
    callback_type: str | None
    kind_spec: Kind  # rules.kinds[kind]: how the row scores, is typed and checked
    kind_param: str | None = None  # a param whose choice decides the kind (its `choice_kinds`)

    @property
    def is_rate(self) -> bool:
        return self.kind_spec.is_rate


@dataclass(frozen=True)
class Department:
    name: str
    aliases: tuple[str, ...]
    alias_default: bool
    weight: float
    clause: str
    indicators: tuple[Indicator, ...]

    def indicator(self, name: str) -> Indicator:
        """Find a row by the policy's name; an unambiguous part of it is accepted.

        Staff and the score JSON write "神秘客户检测" for 客服部's "控股神秘客户检测" and
        "服务体系建设" for "服务体系建设相关工作"; an exact name always wins.
        """
        wanted = name.strip()
        for ind in self.indicators:
            if ind.name == wanted:
                return ind
        partial = [ind for ind in self.indicators if wanted and (wanted in ind.name)]
        if len(partial) == 1:
            return partial[0]
        names = "、".join(i.name for i in self.indicators)
        raise KeyError(f"{self.name}没有考核项“{wanted}”，可选：{names}")


@dataclass(frozen=True)
class Channel:
    code: str
    aliases: tuple[str, ...]
    points_param: str | None
    clause: str


@dataclass(frozen=True)
class BusinessType:
    name: str
    aliases: tuple[str, ...]
    quota: int | None  # None: every completed order (全部)
    clause: str
    questionnaire: str


@dataclass(frozen=True)
class Questionnaire:
    name: str
    clause: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Stage:
    key: str
    name: str
    start_event: str
    days_major: int
    days_general: int
    unit: str  # 自然日 | 工作日
    clause: str
    short: str = ""  # the word staff use (调查, 处理 …); exact, so 处理 ≠ 申诉处理

    def days(self, major: bool) -> int:
        return self.days_major if major else self.days_general


@dataclass(frozen=True)
class MajorItem:
    """One item of 投诉 附件1; code is "class.item", e.g. "2.3"."""

    code: str
    class_name: str
    text: str
    clause: str

    @property
    def label(self) -> str:
        return f"{self.code} {self.class_name}：{self.text}"


@dataclass(frozen=True)
class NotAccepted:
    case: int
    text: str
    clause: str
    sub_cases: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """A rule the code had to choose where the text is silent; not a single number."""

    key: str
    clause: str
    text: str
    default: bool


@dataclass(frozen=True)
class PolicyInfo:
    key: str
    title: str
    effective: str  # YYYY-MM
    clause: str
    text: str


@dataclass(frozen=True)
class ProcessStep:
    """One step of a complaint's course (rules.toml [complaint_process.*]): its clause, the
    policy's words, and the words the 投诉台账 writes for it."""

    key: str
    clause: str
    quote: str = ""
    words: Mapping[str, Any] = field(default_factory=dict)  # every other key of the table

    def word(self, key: str) -> Any:
        try:
            return self.words[key]
        except KeyError:
            raise RulesError(f"规则文件缺少键 complaint_process.{self.key}.{key}") from None

    def choices(self, key: str = "results") -> tuple[str, ...]:
        return tuple(self.word(key))


# The steps rules.toml must describe, with the keys each must have.
PROCESS_STEPS: dict[str, tuple[str, ...]] = {
    "review": ("results", "passed", "rejected"),
    "callback": ("results", "unsatisfied", "recheck"),
    "misunderstanding": ("reason",),
    "responsibility": ("kinds", "own", "partner", "contractor"),
    "termination": ("form", "approver", "statuses", "approved", "follow_up"),
    "reassignment": ("ways", "cancel", "move", "add"),
    "evidence": ("kinds",),
    "states": ("open", "rejected", "moved", "cancelled", "closed", "terminated"),
}
# word -> the list it must be one of (a dropdown's value the formulas compare with)
PROCESS_MEMBERS: dict[str, dict[str, str]] = {
    "review": {"passed": "results", "rejected": "results"},
    "callback": {"unsatisfied": "results"},
    "responsibility": {"own": "kinds", "partner": "kinds", "contractor": "kinds"},
    "termination": {"approved": "statuses"},
    "reassignment": {"cancel": "ways", "move": "ways", "add": "ways"},
}


@dataclass(frozen=True)
class Rules:
    """All rules of the three policies. Built only by `load_rules`."""

    params: Mapping[str, Param]
    policies: Mapping[str, PolicyInfo]
    channels: tuple[Channel, ...]
    level_params: Mapping[int, str]
    levels_clause: str
    kinds: Mapping[str, Kind]
    departments: tuple[Department, ...]
    business_types: tuple[BusinessType, ...]
    callback_valid: tuple[str, ...]
    callback_invalid: tuple[str, ...]
    callback_satisfied: str
    callback_unsatisfied: str
    questionnaires: tuple[Questionnaire, ...]
    stages: Mapping[str, Stage]
    sla_statuses: tuple[str, ...]
    major_items: tuple[MajorItem, ...]
    no_fault_reasons: tuple[str, ...]
    no_fault_clause: str
    not_accepted: tuple[NotAccepted, ...]
    readings: tuple[Reading, ...] = ()
    units: Mapping[str, Unit] = field(default_factory=dict)
    process: Mapping[str, ProcessStep] = field(default_factory=dict)  # 投诉 第七条's steps (complaint_process.py)
    source: Path = field(default=DEFAULT_RULES_PATH)
    # the working days these rules count with: the package's calendar with the office's
    # 放假安排 and confirmed years (policy/settings.py); None: the package's calendar alone
    calendar: WorkCalendar | None = None
    month: str = ""  # the month whose settings were applied ("" for the packaged rules)

    @property
    def work_calendar(self) -> WorkCalendar:
        return self.calendar if self.calendar is not None else default_calendar()

    def with_values(self, values: Mapping[str, ParamValue], sources: Mapping[str, str] | None = None,
                    calendar: WorkCalendar | None = None, month: str = "") -> Rules:
        """These rules with some params' values replaced (each checked as `Param.check`
        does) and the rows whose kind a param decides re-resolved: the one way a month's
        effective rules are made from the packaged ones (policy/settings.py)."""
        sources = sources or {}
        params = dict(self.params)
        for key, value in values.items():
            param = self.param(key)
            params[key] = replace(param, value=param.check(value), source=sources.get(key, param.source))
        departments = tuple(
            replace(d, indicators=tuple(_resolve_kind(i, params, self.kinds) for i in d.indicators)) for d in self.departments
        )
        return replace(self, params=params, departments=departments, calendar=calendar if calendar is not None else self.calendar,
                       month=month or self.month)

    def value(self, key: str) -> Any:
        try:
            return self.params[key].value
        except KeyError:
            raise RulesError(f"规则文件缺少参数 params.{key}") from None

    def param(self, key: str) -> Param:
        try:
            return self.params[key]
        except KeyError:
            raise RulesError(f"规则文件缺少参数 params.{key}") from None

    def step(self, key: str) -> ProcessStep:
        """A step of the complaint's course (review, callback, termination…)."""
        try:
            return self.process[key]
        except KeyError:
            raise RulesError(f"规则文件缺少 complaint_process.{key}") from None

    def department(self, name: str) -> Department:
        wanted = str(name).strip()
        for dept in self.departments:
            if wanted == dept.name or wanted in dept.aliases:
                return dept
        raise KeyError(wanted)

    @property
    def department_names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.departments)

    def business_type(self, name: str) -> BusinessType:
        wanted = str(name).strip()
        for bt in self.business_types:
            if wanted == bt.name or wanted in bt.aliases:
                return bt
        raise KeyError(wanted)

    def target_of(self, indicator: Indicator) -> float | None:
        """The row's target: its own number, or the param it shares with other rows."""
        if indicator.target_param:
            return float(self.value(indicator.target_param))
        return indicator.target

    def per_point_of(self, indicator: Indicator) -> float | None:
        kind = indicator.kind_spec
        return float(self.value(kind.per_point_param)) if kind.per_point_param else None

    def iter_all_indicators(self) -> Iterator[Indicator]:
        for dept in self.departments:
            yield from dept.indicators


# --- loading ---------------------------------------------------------------------------


class _Reader:
    """Typed access to a TOML table that names the full key path in every error."""

    def __init__(self, table: Mapping[str, Any], path: str) -> None:
        if not isinstance(table, Mapping):
            raise RulesError(f"规则文件错误: {path} 应为表（table）")
        self.table = table
        self.path = path

    def get(self, key: str, types: type | tuple[type, ...], default: Any = ...) -> Any:
        where = f"{self.path}.{key}" if self.path else key
        if key not in self.table:
            if default is ...:
                raise RulesError(f"规则文件错误: 缺少键 {where}")
            return default
        value = self.table[key]
        if isinstance(value, bool) and bool not in _as_tuple(types):
            raise RulesError(f"规则文件错误: {where} 类型不对（{value!r}）")
        if not isinstance(value, types):
            raise RulesError(f"规则文件错误: {where} 类型不对（{value!r}）")
        return value

    def sub(self, key: str) -> _Reader:
        return _Reader(self.get(key, dict), f"{self.path}.{key}" if self.path else key)

    def items(self, key: str) -> list[_Reader]:
        where = f"{self.path}.{key}" if self.path else key
        return [_Reader(x, f"{where}[{i}]") for i, x in enumerate(self.get(key, list))]


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


_NUM = (int, float)


def _params(root: _Reader) -> dict[str, Param]:
    table = root.sub("params")
    out: dict[str, Param] = {}
    for key in table.table:
        p = table.sub(key)
        bounds = p.get("range", list, [0])
        if not 1 <= len(bounds) <= 2 or any(isinstance(b, bool) or not isinstance(b, _NUM) for b in bounds):
            raise RulesError(f"规则文件错误: params.{key}.range 应为 [下限] 或 [下限, 上限]（{bounds!r}）")
        kinds = p.get("kinds", dict, {})
        param = Param(
            key=key,
            value=p.get("value", (int, float, str, bool)),
            clause=p.get("clause", str),
            text=p.get("text", str),
            default=p.get("default", bool, False),
            provisional=p.get("provisional", bool, False),
            choices=tuple(p.get("choices", list, [])),
            label=p.get("label", str, ""),
            quote=p.get("quote", str, ""),
            percent=p.get("percent", bool, False),
            integer=p.get("integer", bool, False),
            low=float(bounds[0]),
            high=float(bounds[1]) if len(bounds) == 2 else None,
            setting=p.get("setting", bool, True),
            choice_kinds=dict(kinds),
        )
        if param.choices and param.value not in param.choices:
            raise RulesError(f"规则文件错误: params.{key}.value 不在 choices 中")
        if kinds and set(kinds) != set(param.choices):
            raise RulesError(f"规则文件错误: params.{key}.kinds 应为每个 choice 各给一个类型")
        try:
            param.check(param.value)
        except ValueError as exc:
            raise RulesError(f"规则文件错误: params.{key}.value {exc}（{param.value!r}）") from None
        out[key] = param
    return out


# The params the policy code reads, with the type each value must have. A file without one,
# or with "否" where a boolean belongs, fails at load time instead of in a cell.
_NUMERIC_PARAMS = (
    "base_score", "score_floor", "round_digits", "complaint_points_hotline",
    "complaint_points_level1", "complaint_points_level2", "complaint_points_level3",
    "complaint_points_level4", "complaint_points_level5", "grade_c_max_level",
    "mystery_standard", "mystery_points_per_point", "satisfaction_target",
    "satisfaction_points_per_point", "platform_visit_target", "platform_praise_target",
    "platform_points_per_point", "rate_points_per_point", "day_points_per_day",
    "praise_points", "media_points_min", "media_points_max", "overflow_factor",
    "allowance_score_cap", "late_flow_points", "sample_window_days", "callback_within_days",
    "no_repeat_days", "due_soon_days", "repeat_complaint_months", "car_gas_satisfaction_target",
    "indicator_row_cap", "major_followups_service", "major_followups_emergency", "major_loss_yuan",
)  # fmt: skip
REQUIRED_PARAMS: dict[str, type | tuple[type, ...]] = {
    **dict.fromkeys(_NUMERIC_PARAMS, _NUM),
    "grade_c": str,
    "shortfall_mode": str,
    "repeat_complaint_unit": str,
    "mystery_rows_kind": str,
    "misunderstanding_confirmed_by": str,
    **dict.fromkeys(("no_fault_deducts", "no_fault_grade_c", "pass_on_shortfall", "no_repeat_hard", "natural_start_counts",
                     "natural_extend_holiday", "rejection_restarts_deadlines", "partner_unit_deducts"), bool),
}


def _check_required(params: Mapping[str, Param]) -> None:
    for key, types in REQUIRED_PARAMS.items():
        if key not in params:
            raise RulesError(f"规则文件错误: 缺少参数 params.{key}")
        value = params[key].value
        if (isinstance(value, bool) and bool not in _as_tuple(types)) or not isinstance(value, types):
            raise RulesError(f"规则文件错误: params.{key}.value 类型不对（{value!r}）")


def _require_param(params: Mapping[str, Param], key: str | None, where: str) -> None:
    if key is not None and key not in params:
        raise RulesError(f"规则文件错误: {where} 引用了不存在的参数 “{key}”")


def _departments(root: _Reader, params: Mapping[str, Param], kinds: Mapping[str, Kind]) -> tuple[Department, ...]:
    departments = []
    for d in root.items("departments"):
        name = d.get("name", str)
        indicators = []
        for number, i in enumerate(d.items("indicators"), start=1):
            kind = i.get("kind", str)
            if kind not in kinds:
                raise RulesError(f"规则文件错误: {i.path}.kind 未知类型 “{kind}”")
            target_param = i.get("target_param", str, None)
            _require_param(params, target_param, f"{i.path}.target_param")
            kind_param = i.get("kind_param", str, None)
            _require_param(params, kind_param, f"{i.path}.kind_param")
            if kind_param is not None:
                choice_kinds = params[kind_param].choice_kinds
                if not choice_kinds or any(k not in kinds for k in choice_kinds.values()):
                    raise RulesError(f"规则文件错误: {i.path}.kind_param 引用的参数 “{kind_param}” 须有 kinds，且每个类型都存在")
            target = i.get("target", _NUM, None)
            if kinds[kind].counts_gap and target is None and target_param is None:
                raise RulesError(f"规则文件错误: 缺少键 {i.path}.target")
            indicator = Indicator(
                department=name,
                number=number,
                name=i.get("name", str),
                kind=kind,
                clause=i.get("clause", str),
                target=float(target) if target is not None else None,
                target_param=target_param,
                unit=i.get("unit", str, ""),
                standard_text=i.get("standard_text", str, ""),
                provisional=i.get("provisional", bool, False),
                callback_type=i.get("callback_type", str, None),
                kind_spec=kinds[kind],
                kind_param=kind_param,
            )
            indicators.append(_resolve_kind(indicator, params, kinds))
        departments.append(
            Department(
                name=name,
                aliases=tuple(d.get("aliases", list, [])),
                alias_default=d.get("alias_default", bool, False),
                weight=float(d.get("weight", _NUM)),
                clause=d.get("clause", str),
                indicators=tuple(indicators),
            )
        )
    return tuple(departments)


def _resolve_kind(indicator: Indicator, params: Mapping[str, Param], kinds: Mapping[str, Kind]) -> Indicator:
    """A row whose kind a param decides (`kind_param`) takes the kind of the param's value."""
    if indicator.kind_param is None:
        return indicator
    param = params[indicator.kind_param]
    kind = param.choice_kinds[str(param.value)]
    return indicator if kind == indicator.kind else replace(indicator, kind=kind, kind_spec=kinds[kind])


def _units(root: _Reader) -> dict[str, Unit]:
    table = root.sub("units")
    units = {}
    for key in table.table:
        u = table.sub(key)
        scale = u.get("scale", _NUM)
        if scale <= 0:
            raise RulesError(f"规则文件错误: units.{key}.scale 应大于0")
        units[key] = Unit(key, u.get("clause", str), float(scale), u.get("percent", bool, False), u.get("text", str), u.get("example", str))
    return units


def _kinds(root: _Reader, params: Mapping[str, Param], units: Mapping[str, Unit]) -> dict[str, Kind]:
    """[kinds.*]: every key checked here, so a kind that loads scores, renders and validates."""
    table = root.sub("kinds")
    kinds = {}
    for key in table.table:
        k = table.sub(key)
        where = f"kinds.{key}"
        direction = k.get("direction", str)
        if direction not in DIRECTIONS:
            raise RulesError(f"规则文件错误: {where}.direction 应为 {'、'.join(DIRECTIONS)} 之一（“{direction}”）")
        base = {"key": key, "text": k.get("text", str), "clause": k.get("clause", str), "direction": direction, "default": k.get("default", bool, False)}
        if direction == COMPLAINTS:
            kinds[key] = Kind(**base)
            continue
        unit = k.get("unit", str)
        if unit not in units:
            raise RulesError(f"规则文件错误: {where}.unit 未知单位 “{unit}”（可选：{'、'.join(units)}）")
        bounds = k.get("range", list)
        if not 1 <= len(bounds) <= 2 or any(isinstance(b, bool) or not isinstance(b, _NUM) for b in bounds) or sorted(bounds) != bounds:
            raise RulesError(f"规则文件错误: {where}.range 应为 [下限] 或 [下限, 上限]（{bounds!r}）")
        per_point, mode, cap = (k.get(name, str, None) for name in ("per_point", "mode", "cap"))
        for name, param in (("per_point", per_point), ("mode", mode), ("cap", cap)):
            _require_param(params, param, f"{where}.{name}")
            value = params[param].value if param is not None else 0
            if name != "mode" and (isinstance(value, bool) or not isinstance(value, _NUM)):
                raise RulesError(f"规则文件错误: {where}.{name} 引用的参数 “{param}” 应为数字")
        if direction in (BELOW, ABOVE):
            if per_point is None or mode is None:
                raise RulesError(f"规则文件错误: {where} 按差距扣分，须有 per_point 和 mode")
            if not params[mode].choices or not set(params[mode].choices) <= set(SHORTFALL_MODES):
                raise RulesError(f"规则文件错误: {where}.mode 引用的参数 “{mode}” 的 choices 应取自 {'、'.join(SHORTFALL_MODES)}")
        udf = k.get("udf", str, None)
        if udf is not None:
            try:
                udf.format(**dict.fromkeys(UDF_PLACEHOLDERS, "X"))
            except (KeyError, IndexError, ValueError):
                raise RulesError(f"规则文件错误: {where}.udf 只能使用 {{{'}、{'.join(UDF_PLACEHOLDERS)}}}") from None
        kinds[key] = Kind(
            **base,
            unit=units[unit],
            low=float(bounds[0]),
            high=float(bounds[1]) if len(bounds) == 2 else None,
            per_point_param=per_point,
            mode_param=mode,
            cap_param=cap,
            error=k.get("error", str),
            entry=k.get("entry", str),
            example=k.get("example", str, units[unit].example),
            hint=k.get("hint", str, ""),
            udf=udf,
            sample=_numbers(k, "sample"),
            audit_sample=_numbers(k, "audit_sample"),
        )
    return kinds


def _process(root: _Reader) -> dict[str, ProcessStep]:
    """[complaint_process.*]: each step with its clause and the words it must have; a word
    list holds text only, and a word the formulas compare with is one of its list."""
    table = root.sub("complaint_process")
    out = {}
    for key, required in PROCESS_STEPS.items():
        t = table.sub(key)
        words = {k: v for k, v in t.table.items() if k not in ("clause", "quote")}
        for name in required:
            value = t.get(name, (str, list, int))
            if isinstance(value, list) and not all(isinstance(v, str) and v for v in value):
                raise RulesError(f"规则文件错误: {t.path}.{name} 应为文字列表")
        for name, within in PROCESS_MEMBERS.get(key, {}).items():
            if words[name] not in words[within]:
                raise RulesError(f"规则文件错误: {t.path}.{name} “{words[name]}” 不在 {within} 中")
        out[key] = ProcessStep(key, t.get("clause", str), t.get("quote", str, ""), words)
    return out


def _numbers(table: _Reader, key: str) -> tuple[float, ...]:
    values = table.get(key, list, [])
    if any(isinstance(v, bool) or not isinstance(v, _NUM) for v in values):
        raise RulesError(f"规则文件错误: {table.path}.{key} 应为数字列表")
    return tuple(values)


def parse_rules(data: Mapping[str, Any], source: Path = DEFAULT_RULES_PATH) -> Rules:
    """Build Rules from the decoded TOML, checking every key and every cross-reference."""
    root = _Reader(data, "")
    if root.get("schema_version", int) != 1:
        raise RulesError("规则文件错误: schema_version 应为 1")
    params = _params(root)
    _check_required(params)

    policies = {}
    pol = root.sub("policies")
    for key in ("assessment", "callback", "complaint"):
        p = pol.sub(key)
        policies[key] = PolicyInfo(key, p.get("title", str), p.get("effective", str), p.get("clause", str), p.get("text", str))

    channels = []
    for c in root.items("channels"):
        points = c.get("points", str, None)
        _require_param(params, points, f"{c.path}.points")
        channels.append(Channel(c.get("code", str), tuple(c.get("aliases", list)), points, c.get("clause", str)))

    lv = root.sub("levels")
    level_params: dict[int, str] = {}
    for level in range(1, 6):
        key = lv.get(str(level), str)
        _require_param(params, key, f"levels.{level}")
        level_params[level] = key

    units = _units(root)
    kinds = _kinds(root, params, units)

    departments = _departments(root, params, kinds)

    business_types = []
    for b in root.items("business_types"):
        quota = b.get("quota", (int, str))
        if isinstance(quota, str) and quota != "全部":
            raise RulesError(f"规则文件错误: {b.path}.quota 应为整数或“全部”")
        business_types.append(
            BusinessType(
                name=b.get("name", str),
                aliases=tuple(b.get("aliases", list, [])),
                quota=None if isinstance(quota, str) else quota,
                clause=b.get("clause", str),
                questionnaire=b.get("questionnaire", str),
            )
        )

    results = root.sub("callback_results")
    questionnaires = tuple(
        Questionnaire(q.get("name", str), q.get("clause", str), tuple(q.get("questions", list)))
        for q in root.items("questionnaires")
    )
    qnames = {q.name for q in questionnaires}
    for b in business_types:
        if b.questionnaire not in qnames:
            raise RulesError(f"规则文件错误: business_types “{b.name}”.questionnaire 引用了不存在的问卷")

    stages = {}
    for s in root.items("stages"):
        unit = s.get("unit", str)
        if unit not in ("自然日", "工作日"):
            raise RulesError(f"规则文件错误: {s.path}.unit 应为“自然日”或“工作日”")
        stage = Stage(s.get("key", str), s.get("name", str), s.get("from", str), s.get("days_major", int), s.get("days_general", int), unit, s.get("clause", str), s.get("short", str))
        stages[stage.key] = stage

    major_items = []
    for ci, m in enumerate(root.items("major_complaint"), start=1):
        for ii, text in enumerate(m.get("items", list), start=1):
            major_items.append(MajorItem(f"{ci}.{ii}", m.get("class", str), text, m.get("clause", str)))

    nf = root.sub("no_fault")
    not_accepted = tuple(
        NotAccepted(n.get("case", int), n.get("text", str), n.get("clause", str), tuple(n.get("sub_cases", list, [])))
        for n in root.items("not_accepted")
    )

    return Rules(
        params=params,
        policies=policies,
        channels=tuple(channels),
        level_params=level_params,
        levels_clause=lv.get("clause", str),
        kinds=kinds,
        departments=departments,
        business_types=tuple(business_types),
        callback_valid=tuple(results.get("valid", list)),
        callback_invalid=tuple(results.get("invalid", list)),
        callback_satisfied=results.get("satisfied", str),
        callback_unsatisfied=results.get("unsatisfied", str),
        questionnaires=questionnaires,
        stages=stages,
        sla_statuses=tuple(root.sub("sla").get("statuses", list)),
        major_items=tuple(major_items),
        no_fault_reasons=tuple(nf.get("reasons", list)),
        no_fault_clause=nf.get("clause", str),
        not_accepted=not_accepted,
        readings=tuple(
            Reading(r.get("key", str), r.get("clause", str), r.get("text", str), r.get("default", bool, False))
            for r in root.items("readings")
        ),
        units=units,
        process=_process(root),
        source=source,
    )


def read_rules(path: Path) -> Rules:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"规则文件 {path} 格式错误: {exc}") from exc
    return parse_rules(data, path)


@lru_cache(maxsize=1)
def load_rules() -> Rules:
    """The packaged rules, read once per process."""
    return read_rules(DEFAULT_RULES_PATH)
