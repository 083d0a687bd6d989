"""The worksheet functions of the add-in (DESIGN.md, UDF contract).

Each function is a thin call into `xinao_xl.policy`, so `=DEDUCT_COMPLAINT(B7)` in any
cell gives the number the native formulas and the monthly close give. They are plain
Python functions everywhere; on Windows the xlwings decorators also register them with
Excel. Whatever a cell holds, a function returns a number, a date or a short Chinese
error text such as ``#无效级别: 六级``: an exception raised into Excel would show as a
Python traceback in the cell.

Help texts live in `UDF_SPECS` (not only in xlwings' decorator state) because the VBA
stubs and the MacroOptions registration are generated from them on any OS.

    >>> DEDUCT_COMPLAINT("400四级"), DEDUCT_COMPLAINT(2), DEDUCT_COMPLAINT("", "市长热线")
    (15.0, 25.0, 10.0)
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import xlwings as xw

from xinao_xl.policy import callbacks, deadlines, scoring
from xinao_xl.policy.errors import PolicyInputError, quote
from xinao_xl.policy.parse import (
    is_blank,
    normalize_text,
    parse_count,
    parse_datetime,
    parse_level,
    parse_number,
)

from .caller_rules import rules_for_caller

CATEGORY = "新奥服务"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ArgSpec:
    name: str
    doc: str
    optional: bool


@dataclass(frozen=True)
class UdfSpec:
    name: str
    help: str
    args: tuple[ArgSpec, ...]  # what Excel shows (the hidden ``caller`` is not among them)
    volatile: bool = False
    caller: bool = False  # takes xlwings' calling cell as its last argument (the stub passes Nothing)


# xlwings' reserved argument name: the calling Range, hidden from Excel (caller_rules.py)
CALLER = "caller"


UDF_SPECS: list[UdfSpec] = []


def udf(help: str, volatile: bool = False, **arg_docs: str) -> Callable[[F], F]:
    """Register a UDF: Chinese help, never raise into Excel, xlwings decorators applied.

    ``volatile``: Excel recalculates the cell at every recalculation, not only when an
    argument changes (xlwings writes ``Application.Volatile`` into the VBA stub); for a
    result that depends on the clock.
    """

    def decorate(func: F) -> F:
        params = {n: p for n, p in inspect.signature(func).parameters.items() if n != CALLER}
        missing = set(params) ^ set(arg_docs)
        if missing:
            raise TypeError(f"{func.__name__}: arguments without help text: {sorted(missing)}")
        UDF_SPECS.append(
            UdfSpec(
                name=func.__name__,
                help=help,
                args=tuple(ArgSpec(n, arg_docs[n], p.default is not inspect.Parameter.empty) for n, p in params.items()),
                volatile=volatile,
                caller=CALLER in inspect.signature(func).parameters,
            )
        )

        @functools.wraps(func)
        def safe(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except PolicyInputError as exc:
                return exc.cell_text
            except Exception as exc:  # noqa: BLE001 - a cell must show text, never a traceback
                return f"#错误: {quote(exc, 30)}"

        wrapped: Any = safe
        for name in reversed(list(params)):
            wrapped = xw.arg(name, doc=arg_docs[name])(wrapped)
        options: dict[str, Any] = {"category": CATEGORY}
        if volatile:
            options["volatile"] = True
        return xw.func(**options)(wrapped)  # type: ignore[no-any-return]

    return decorate


def _flat(value: Any) -> list[Any]:
    """A cell, a row/column (list) or a block (list of lists) as one flat list."""
    if isinstance(value, list | tuple):
        out: list[Any] = []
        for item in value:
            out.extend(_flat(item))
        return out
    return [value]


def _opt(value: Any, default: Any) -> Any:
    return default if is_blank(value) else value


# --- 服务考核 -------------------------------------------------------------------------


@udf(
    "一起投诉的扣分（考核7.1.1）：95158、市长热线、400五级扣10分，四级15分，三级20分，一、二级25分；渠道与级别就高；无责不扣分",
    level="投诉级别，如 4、四级、400四级；市长热线/95158投诉可留空",
    channel="受理渠道：95158、市长热线（12345）、400 或其他，可留空",
    responsible="是否有责：是/否、有责/无责、TRUE/FALSE，默认有责",
)
def DEDUCT_COMPLAINT(level: Any = None, channel: Any = None, responsible: Any = True, caller: Any = None) -> Any:
    return scoring.complaint_deduction(level, channel, _opt(responsible, True), rules_for_caller(caller))


@udf(
    "神秘客户检测扣分（考核7.1.2）：每低于标准1分扣3分",
    score="神秘客户检测得分，如 93.5",
    standard="考核标准分，默认95",
)
def DEDUCT_MYSTERY(score: Any, standard: Any = None, caller: Any = None) -> Any:
    return scoring.mystery_deduction(score, _opt(standard, None), rules=rules_for_caller(caller))


@udf(
    "回访满意度扣分（考核7.1.3）：每低于标准1个百分点扣2分",
    rate="实际满意度，如 96.5%、0.965 或 96.5",
    target="考核标准，默认98%",
)
def DEDUCT_SATISFACTION(rate: Any, target: Any = None, caller: Any = None) -> Any:
    rules = rules_for_caller(caller)
    return scoring.rate_deduction(rate, _opt(target, rules.value("satisfaction_target")), rules=rules, kind="satisfaction")


@udf(
    "E城平台指标扣分（考核7.1.4）：上门及时率标准50%、好评率标准95%（暂定），每低1个百分点扣2分",
    rate="实际比率，如 46%",
    kind="指标：上门及时率（入户及时率）或 好评率",
)
def DEDUCT_PLATFORM(rate: Any, kind: Any, caller: Any = None) -> Any:
    rules = rules_for_caller(caller)
    text = "" if is_blank(kind) else normalize_text(kind)
    if "好评" in text:
        target = rules.value("platform_praise_target")
    elif any(word in text for word in ("上门", "入户", "及时")):
        target = rules.value("platform_visit_target")
    else:
        raise PolicyInputError("无效指标", kind, "应为“上门及时率”或“好评率”")
    return scoring.rate_deduction(rate, target, rules=rules, kind="platform")


@udf(
    "比率类指标扣分（考核6）：每低于标准1个百分点扣 per_point 分",
    actual="实际比率，如 99.5%",
    target="标准比率，如 100%",
    per_point="每个百分点扣分，默认2",
)
def DEDUCT_RATE(actual: Any, target: Any, per_point: Any = None, caller: Any = None) -> Any:
    rules = rules_for_caller(caller)
    per = _opt(per_point, rules.value("rate_points_per_point"))
    return scoring.rate_deduction(actual, target, parse_number(per, "无效扣分", minimum=0), rules=rules)


@udf(
    "时限类指标扣分（考核6）：每超出1天扣 per_day 分",
    actual_days="实际天数，如 3.5",
    limit_days="时限天数，如 3",
    per_day="每超1天扣分，默认2",
)
def DEDUCT_DAYS(actual_days: Any, limit_days: Any, per_day: Any = None, caller: Any = None) -> Any:
    rules = rules_for_caller(caller)
    per = _opt(per_day, rules.value("day_points_per_day"))
    return scoring.days_deduction(actual_days, limit_days, parse_number(per, "无效扣分", minimum=0), rules=rules)


@udf(
    "流转单超时扣分（回访办法六.1）：两个自然日内未反馈，每次扣2分",
    count="超时流转单数量",
)
def DEDUCT_LATE_FLOW(count: Any, caller: Any = None) -> Any:
    return scoring.late_flow_deduction(count, rules_for_caller(caller))


@udf(
    "表扬加分（考核7.2）：电话、信件、锦旗表扬每起加2分，外部媒体表扬每次加3-5分",
    count="电话、信件、锦旗等表扬起数",
    media_points="外部媒体表扬的加分（每次3-5分，可选多个单元格）",
)
def BONUS_PRAISE(count: Any, media_points: Any = None, caller: Any = None) -> Any:
    media = [m for m in _flat(media_points) if not is_blank(m) and m != 0]
    return scoring.praise_bonus(count, media, rules_for_caller(caller))


@udf(
    "部门月度服务得分（考核7）：100 − 扣分合计 + 加分合计，最低0分，不封顶",
    deductions="扣分（单元格或区域）",
    bonuses="加分（单元格或区域，可选）",
)
def DEPT_SCORE(deductions: Any, bonuses: Any = None, caller: Any = None) -> Any:
    return scoring.department_score(_flat(deductions), _flat(bonuses), rules_for_caller(caller))


@udf(
    "部门考核等级（考核7.1.1）：有一、二级投诉时为“C”，否则为空",
    levels="当月有责投诉的级别（区域）",
)
def DEPT_GRADE(levels: Any, caller: Any = None) -> Any:
    rules = rules_for_caller(caller)
    worst = [parse_level(v, rules) for v in _flat(levels) if not is_blank(v)]
    return str(rules.value("grade_c")) if any(lv <= int(rules.value("grade_c_max_level")) for lv in worst) else ""


@udf(
    "部门服务考核权重（考核8），接受“技术质量安全部”等别名",
    department="部门名称",
)
def DEPT_WEIGHT(department: Any, caller: Any = None) -> Any:
    rules = rules_for_caller(caller)
    try:
        return rules.department(normalize_text(department)).weight
    except KeyError:
        raise PolicyInputError("无效部门", department, "可选：" + "、".join(rules.department_names)) from None


@udf(
    "公司绩效服务项（考核7.3、8）：权重 × min(得分,100) + 0.1 × 超出100的分数",
    department="部门名称",
    score="部门月度服务得分",
)
def COMPANY_ITEM(department: Any, score: Any, caller: Any = None) -> Any:
    return scoring.company_item(department, score, rules_for_caller(caller))


@udf(
    "兼职服务津贴（考核9）：服务津贴 × 部门月度服务得分 / 100",
    base="服务津贴基数（元）",
    score="部门月度服务得分",
)
def ALLOWANCE(base: Any, score: Any, caller: Any = None) -> Any:
    return scoring.allowance(base, score, rules_for_caller(caller))


# --- 回访 ------------------------------------------------------------------------------


@udf(
    "当日回访量（回访办法四.2）：维修15、置换10、安检30、售气10、车用燃气10，零散、单项工程全部；不足部分转给其他业务",
    business="业务类型，如 维修",
    completed="该业务完工量；或按维修、置换、安检、售气、车用燃气、零散、单项工程顺序的一行完工量；或两列（业务、完工量）区域",
)
def CALLBACK_QUOTA(business: Any, completed: Any, caller: Any = None) -> Any:
    rules = rules_for_caller(caller)
    try:
        name = rules.business_type(normalize_text(business)).name
    except KeyError:
        raise PolicyInputError("无效业务类型", business, "可选：" + "、".join(b.name for b in rules.business_types)) from None
    if isinstance(completed, list | tuple) and completed and all(isinstance(r, list | tuple) and len(r) == 2 for r in completed):
        counts = {str(k): v for k, v in completed if not is_blank(k)}
    elif isinstance(completed, list | tuple):
        values = _flat(completed)
        if len(values) != len(rules.business_types):
            raise PolicyInputError("无效完工量", f"{len(values)}个值", f"应为{len(rules.business_types)}个业务的完工量")
        counts = {bt.name: v for bt, v in zip(rules.business_types, values, strict=True)}
    else:
        bt = rules.business_type(name)
        n = parse_count(completed)
        return float(n if bt.quota is None else min(bt.quota, n))
    return float(callbacks.daily_quotas(counts, rules)[name])


# --- 投诉 与 时限 -------------------------------------------------------------------------


@udf(
    "时限截止时间（投诉办法第七、九条；回访办法六.1）：起算日不计入，到最后一日24:00止",
    start="起算时间：受理、最终处理反馈、办结、申诉受理或流转时间",
    stage="环节：调查、处理、回访、申诉提出、申诉处理、流转单",
    major="是否疑似重大投诉，默认否",
)
def DUE_DATE(start: Any, stage: Any, major: Any = False, caller: Any = None) -> Any:
    return deadlines.stage_due(stage, start, _opt(major, False), rules=rules_for_caller(caller))


@udf(
    "N个工作日后的日期（按国务院放假通知，含调休上班日）；起算日不计入",
    start="起算日期",
    days="工作日天数",
)
def WORKDAY_CN(start: Any, days: Any, caller: Any = None) -> Any:
    begin: date = parse_datetime(start).date()
    calendar = rules_for_caller(caller).work_calendar  # with the office's confirmed years (制度设置.xlsx)
    return datetime.combine(calendar.add_workdays(begin, parse_count(days)), datetime.min.time())


@udf(
    "时限状态：正常、即将到期（不足1天）、已超时、按时完成、超时完成。不填当前时间时按重新计算时的时间："
    "本函数与 NOW() 一样是易失函数，每次录入、按 F9 或打开工作簿都会重算；工作簿久开未动时，按 F9 或点“刷新时限”更新",
    volatile=True,
    due="截止时间",
    done="完成时间，未完成留空",
    now="当前时间，默认为重新计算时的时间",
)
def SLA_STATUS(due: Any, done: Any = None, now: Any = None, caller: Any = None) -> Any:
    """Volatile (DESIGN.md, UDF contract; issue 17): without ``now`` the status depends on
    the clock, and a non-volatile UDF is recalculated only when ``due`` or ``done``
    changes, so ``已超时`` would never appear in an untouched row until a full recalculation."""
    return deadlines.sla_status(due, done, now, rules_for_caller(caller))


def udf_names() -> list[str]:
    return [spec.name for spec in UDF_SPECS]
