"""`xinao-xl demo`: the main job on built-in sample data (README's first command)."""

from __future__ import annotations

import argparse
from typing import Any

from xinao_xl.policy.rules import load_rules
from xinao_xl.samples import DEPARTMENT_MONTH

from .base import table
from .rules import render
from .score import score_file


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="用内置样例数据演示：规则表与样例部门月度得分", description="用内置样例数据演示")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print(render(load_rules()))
    card = score_file(DEPARTMENT_MONTH)
    print(f"\n【样例：{card.department} {card.month} 服务考核（{DEPARTMENT_MONTH.name}）】")
    rows = [[i.category, i.text, i.clause, f"{i.points:+g}", i.source] for i in card.items]
    print(table(rows, ["类别", "内容", "条款", "分值", "来源"]))
    print(
        f"\n扣分合计 {card.deductions:g}，加分合计 {card.bonuses:g}，月度服务得分 {card.score:g}，"
        f"考核等级 {card.grade or '—'}，权重 {card.weight:.0%}，公司绩效服务项 {card.company_item:g}，"
        f"兼职服务津贴 {card.allowance:g} 元（基数 {card.allowance_base:g}）"
    )
    return 0
