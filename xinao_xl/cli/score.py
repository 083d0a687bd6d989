"""`xinao-xl score FILE.json`: one department's month scored, printed as a JSON score card.

Input (keys as in issue 2; indicator names as the policy writes them):
    {"department": "客服部", "month": "2026-11", "indicators": {"入户及时率": 0.46},
     "complaints": [{"level": 4, "channel": "400", "responsible": true, "id": "TS001"}],
     "late_flow_forms": 1, "praise": 2, "media_praise": [4],
     "manual": [{"item": "服务体系建设", "points": 1.5}], "allowance_base": 300}
Bad input ends with exit code 2 and a Chinese message naming the field. With ``--dir D`` the
card computes with the office's settings in effect for the JSON's month (制度设置.xlsx in D).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.month import Month

from .base import CliError, print_json

if TYPE_CHECKING:  # imported when the command runs (cli/__init__.py: start-up)
    from xinao_xl.policy.rules import Rules
    from xinao_xl.policy.scoring import DepartmentMonth, ScoreCard

T = TypeVar("T")

KNOWN_KEYS = {"department", "month", "indicators", "complaints", "late_flow_forms", "praise", "media_praise", "manual", "allowance_base"}


def register(sub: Any) -> None:
    p = sub.add_parser("score", help="计算一个部门一个月的服务考核得分（JSON 输入，JSON 输出）", description="计算一个部门一个月的服务考核得分：输入 JSON 文件（格式见 README），输出 JSON 得分卡；输入有误时以退出码 2 结束并指出字段")
    p.add_argument("file", type=Path, metavar="文件.json", help="部门月度数据 JSON 文件")
    p.add_argument("--dir", type=Path, default=None, metavar="目录",
                   help="月份文件夹所在目录：按其中 制度设置.xlsx 在 JSON 所写月份生效的取值计算（不给时按制度取值和本系统默认解读）")
    p.set_defaults(run=run)


def _field(path: str, check: Callable[[], T]) -> T:
    """Run one check and name the field when it fails."""
    try:
        return check()
    except PolicyInputError as exc:
        raise CliError(f"字段 {path}: {exc.message}") from None
    except KeyError as exc:  # a name the rules do not know: their message lists the choices
        raise CliError(f"字段 {path}: {exc.args[0] if exc.args else '无法识别'}") from None
    except (TypeError, ValueError) as exc:  # not the message: it is Python's, in English
        raise CliError(f"字段 {path} 的值无法使用（{type(exc).__name__}）") from None


def _expect(path: str, value: Any, kind: type | tuple[type, ...], name: str) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise CliError(f"字段 {path} 应为{name}")
    return value


def month_from_json(data: Any, rules: Rules | None = None) -> DepartmentMonth:
    """Check every field of the input and build the DepartmentMonth it describes."""
    from xinao_xl.policy import scoring
    from xinao_xl.policy.parse import parse_count, parse_department, parse_number
    from xinao_xl.policy.rules import load_rules
    from xinao_xl.policy.scoring import ComplaintEntry, DepartmentMonth, ManualEntry

    rules = rules or load_rules()
    _expect("(根)", data, dict, "对象（{...}）")
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise CliError(f"字段 {unknown[0]} 无法识别，可用字段：{'、'.join(sorted(KNOWN_KEYS))}")
    if "department" not in data:
        raise CliError("缺少字段 department（部门）")
    department = _field("department", lambda: parse_department(data["department"], rules))
    dept = rules.department(department)
    month = str(data.get("month", ""))
    if month and Month.match(month) is None:
        raise CliError(f"字段 month 应为 YYYY-MM，如 2026-11，而不是“{month}”")

    indicators = _expect("indicators", data.get("indicators", {}), dict, "对象")
    for name, actual in indicators.items():
        path = f"indicators.{name}"
        ind = _field(path, lambda name=name: dept.indicator(name))
        if ind.kind_spec.from_complaints:
            raise CliError(f"字段 {path}: 投诉管理项由 complaints 计算，请在 complaints 中列出投诉")
        _field(path, lambda ind=ind, actual=actual: scoring.indicator_deduction(ind, actual, rules))

    complaints = []
    for i, c in enumerate(_expect("complaints", data.get("complaints", []), list, "列表")):
        path = f"complaints[{i}]"
        _expect(path, c, dict, "对象")
        entry = ComplaintEntry(c.get("level"), c.get("channel"), c.get("responsible", True), str(c.get("id", "")))
        _field(path, lambda e=entry: scoring.complaint_deduction(e.level, e.channel, e.responsible, rules))
        complaints.append(entry)

    late = _field("late_flow_forms", lambda: parse_count(data.get("late_flow_forms", 0)))
    praise = _field("praise", lambda: parse_count(data.get("praise", 0)))
    media = _expect("media_praise", data.get("media_praise", []), list, "列表")
    for i, m in enumerate(media):
        _field(f"media_praise[{i}]", lambda m=m: scoring.media_points(m, rules))
    manual = []
    for i, m in enumerate(_expect("manual", data.get("manual", []), list, "列表")):
        path = f"manual[{i}]"
        _expect(path, m, dict, "对象")
        if "item" not in m or "points" not in m:
            raise CliError(f"字段 {path} 需要 item（考核项）和 points（扣分）")
        _field(f"{path}.points", lambda m=m: scoring.manual_deduction(m["points"], rules))
        manual.append(ManualEntry(str(m["item"]), m["points"], str(m.get("id", ""))))
    base = data.get("allowance_base")
    if base is not None:
        base = _field("allowance_base", lambda: parse_number(base, "无效津贴基数", minimum=0))
    return DepartmentMonth(department, month, indicators, complaints, late, praise, media, manual, base)


def score_file(path: Path, rules: Rules | None = None) -> ScoreCard:
    from xinao_xl.policy import scoring

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise CliError(f"无法读取文件 {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"{path} 不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）") from None
    return scoring.score_department(month_from_json(data, rules), rules)


def month_of_file(path: Path) -> str:
    """The JSON's month (needed to know which of the office's settings apply)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError):
        return ""  # score_file says what is wrong with the file
    month = data.get("month") if isinstance(data, dict) else None
    if not month:
        raise CliError("使用 --dir 时 JSON 须有字段 month（如 \"2027-01\"）：制度设置按月份生效")
    return str(month)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.services.settings import rules_for_month

    rules = None
    if args.dir is not None:
        month = month_of_file(args.file)
        rules = rules_for_month(args.dir, month) if month else None
    print_json(score_file(args.file, rules).to_dict())
    return 0
