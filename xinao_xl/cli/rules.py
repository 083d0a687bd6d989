"""`xinao-xl rules [--dir D --month M]`: the rules table as staff see it on the 规则 sheet.

Without ``--dir``: the packaged rules (the policy's values and our readings). With ``--dir``
and ``--month``: the month's rules with the office's settings (制度设置.xlsx in D), each value
with where it came from (制度 / 本单位（2027-01起） / 默认), the default readings the office
has not confirmed for that month, and the years whose holiday notice it confirmed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xinao_xl.policy.month import Month

from .base import CliError, print_json, table

if TYPE_CHECKING:  # imported when the command runs (cli/__init__.py: start-up)
    from xinao_xl.policy.rules import Rules
    from xinao_xl.services.settings import Listing


def register(sub: Any) -> None:
    p = sub.add_parser("rules", help="显示制度规则表（参数、条款、默认标记、各部门考核项）；--dir 与 --month 显示某月按本单位制度设置的取值和来源",
                       description="显示制度规则表")
    p.add_argument("--dir", type=Path, default=None, metavar="目录", help="月份文件夹所在目录（读其中的 制度设置.xlsx）")
    p.add_argument("--month", default=None, metavar="月份", help="月份，如 2027-01（与 --dir 一起用）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(run=run)


def standard_text(rules: Rules, indicator: Any) -> str:
    target = rules.target_of(indicator)
    if indicator.standard_text and not indicator.kind_spec.counts_gap:
        return indicator.standard_text
    if target is None:
        return indicator.standard_text
    if indicator.unit == "%":
        return f"{target * 100:g}%"
    return f"{target:g}{indicator.unit}"


def render(rules: Rules, listing: Listing | None = None) -> str:
    parts = []
    if listing is None:
        params = [[p.name, p.shown(), p.clause, p.text, p.flag_text] for p in rules.params.values()]
        parts += ["【参数】", table(params, ["项目", "取值", "条款", "说明", "标记"])]
    else:
        parts += _settings_part(rules, listing)
    rows = []
    for dept in rules.departments:
        for ind in dept.indicators:
            rows.append([dept.name, f"{dept.weight:.0%}", ind.number, ind.name, standard_text(rules, ind), rules.kinds[ind.kind].text, ind.clause, "暂定" if ind.provisional else ""])
    parts += ["", "【部门考核内容和标准（考核 6、8）】", table(rows, ["部门", "权重", "序号", "考核内容", "标准", "计分方式", "条款", "标记"])]
    bts = [[b.name, "全部" if b.quota is None else b.quota, b.clause] for b in rules.business_types]
    parts += ["", "【回访抽样（回访 四.2）】", table(bts, ["业务", "每人每日回访量", "条款"])]
    stages = [[s.name, s.days_major, s.days_general, s.unit, s.start_event, s.clause] for s in rules.stages.values()]
    parts += ["", "【时限（投诉 第七、九条；回访 六.1）】", table(stages, ["环节", "疑似重大", "一般", "单位", "起算", "条款"])]
    readings = [[r.clause, r.text, "本系统默认，制度未规定" if r.default else ""] for r in rules.readings]
    parts += ["", "【制度未明确处的取舍（不是单个数值，不在制度设置中）】", table(readings, ["条款", "说明", "标记"])]
    return "\n".join(parts)


def _settings_part(rules: Rules, listing: Listing) -> list[str]:
    from xinao_xl.policy.settings import source_of

    where = str(listing.book) if listing.exists else f"{listing.book}（不存在：按制度取值和本系统默认解读）"
    fixed = [[p.name, p.shown(), source_of(p) + "（不在制度设置中）", p.clause] for p in rules.params.values() if not p.setting]
    rows = [[r.param.name, r.param.shown(r.value), r.source, r.param.clause] for r in listing.resolved]
    parts = [f"【{listing.month} 的制度设置】{where}", table(rows + fixed, ["项目", "取值", "来源", "条款"])]
    unconfirmed = listing.unconfirmed
    parts += ["", f"【尚未经本单位确认的默认解读（{len(unconfirmed)} 项）】"]
    if unconfirmed:
        parts.append(table([[r.param.name, r.param.shown(r.value), r.param.text] for r in unconfirmed], ["项目", "本系统取值", "说明"]))
        parts.append("确认方法：在制度设置.xlsx 该项的“本单位取值”填写选定的值（与本系统取值相同也请填写）。")
    else:
        parts.append("无")
    years = [f"{y}年（{n or '无文号'}）" for y, n in sorted(listing.confirmed_years.items())]
    calendar = rules.work_calendar
    known = [y for y in (Month(listing.month).year, Month(listing.month).year + 1) if calendar.package_knows(y)]
    lines = [f"chinesecalendar 已收录：{'、'.join(f'{y}年' for y in known) or '无'}（仅列本月所在年和次年）",
             f"本单位已确认：{'、'.join(years) or '无'}"]
    lines += [f"{y}年已录入 {n} 条放假安排，但尚未在“已确认年度”确认：按工作日计算的时限仍显示“日历未确认”" for y, n in sorted(listing.entered_years.items())]
    parts += ["", "【工作日历】", *lines]
    return parts


def run(args: argparse.Namespace) -> int:
    from xinao_xl.policy.rules import load_rules
    from xinao_xl.services.settings import list_settings, rules_for_month

    if (args.dir is None) != (args.month is None):
        raise CliError("--dir 与 --month 须一起使用，如 xinao-xl rules --dir D:\\服务考核 --month 2027-01")
    if args.dir is None:
        rules, listing = load_rules(), None
    else:
        month = Month(args.month)
        rules, listing = rules_for_month(args.dir, month), list_settings(args.dir, month)
    if args.json:
        if listing is None:
            print_json({k: {"项目": p.name, "值": p.value, "条款": p.clause, "说明": p.text, "标记": p.flag_text} for k, p in rules.params.items()})
        else:
            print_json({"月份": listing.month, "制度设置": str(listing.book),
                        "取值": {r.param.key: {"项目": r.param.name, "值": r.value, "来源": r.source, "条款": r.param.clause} for r in listing.resolved},
                        "未确认的默认解读": [r.param.name for r in listing.unconfirmed],
                        "已确认年度": {str(y): n for y, n in sorted(listing.confirmed_years.items())}})
    else:
        print(render(rules, listing))
    return 0
