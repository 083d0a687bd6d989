"""`xinao-xl rules`: the rules table as staff see it on the 规则 sheet."""

from __future__ import annotations

import argparse
from typing import Any

from xinao_xl.policy.rules import Rules, load_rules

from .base import print_json, table


def register(sub: Any) -> None:
    p = sub.add_parser("rules", help="显示制度规则表（参数、条款、默认标记、各部门考核项）", description="显示制度规则表")
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


def render(rules: Rules) -> str:
    params = [[p.key, p.value, p.clause, p.text, p.flag_text] for p in rules.params.values()]
    parts = ["【参数】", table(params, ["参数", "值", "条款", "说明", "标记"])]
    rows = []
    for dept in rules.departments:
        for ind in dept.indicators:
            rows.append([dept.name, f"{dept.weight:.0%}", ind.number, ind.name, standard_text(rules, ind), rules.kinds[ind.kind].text, ind.clause, "暂定" if ind.provisional else ""])
    parts += ["", "【部门考核内容和标准（考核 6、8）】", table(rows, ["部门", "权重", "序号", "考核内容", "标准", "计分方式", "条款", "标记"])]
    bts = [[b.name, "全部" if b.quota is None else b.quota, b.clause] for b in rules.business_types]
    parts += ["", "【回访抽样（回访 四.2）】", table(bts, ["业务", "每人每日回访量", "条款"])]
    stages = [[s.name, s.days_major, s.days_general, s.unit, s.start_event, s.clause] for s in rules.stages.values()]
    parts += ["", "【时限（投诉 第七、九条；回访 六.1）】", table(stages, ["环节", "疑似重大", "一般", "单位", "起算", "条款"])]
    readings = [[r.key, r.clause, r.text, "本系统默认，制度未规定" if r.default else ""] for r in rules.readings]
    parts += ["", "【制度未明确处的取舍】", table(readings, ["规则", "条款", "说明", "标记"])]
    return "\n".join(parts)


def run(args: argparse.Namespace) -> int:
    rules = load_rules()
    if args.json:
        print_json({k: {"值": p.value, "条款": p.clause, "说明": p.text, "标记": p.flag_text} for k, p in rules.params.items()})
    else:
        print(render(rules))
    return 0
