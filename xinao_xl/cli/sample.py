"""`xinao-xl sample COMPLETED.xlsx --date D --agent NAME --dir DIR`: the day's callback sampling.

Prints, per business type, the orders in the export, those the rules allow, the day's
quota and what was taken; then why the others were left out.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .base import table


def register(sub: Any) -> None:
    p = sub.add_parser("sample", help="导入完工工单并抽取当日回访（追加到本月回访台账）", description="导入业务系统导出的完工工单，按回访办法抽取当日回访（3日内完工、7日内未回访、按各业务回访量），追加到本月回访台账")
    p.add_argument("export", type=Path, metavar="完工工单.xlsx", help="业务系统导出的完工工单（工单号、业务类型、完工时间、客户、电话、地址、上门人员、部门）")
    p.add_argument("--date", default=None, metavar="日期", help="回访日期，如 2026-11-20（默认今天）")
    p.add_argument("--agent", required=True, metavar="回访人", help="回访人姓名")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")
    p.add_argument("--seed", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.policy import clock
    from xinao_xl.policy.parse import parse_date
    from xinao_xl.services import sampling

    day = parse_date(args.date) if args.date else clock.today()
    result = sampling.sample_day(args.export, day, args.agent, args.dir, seed=args.seed)
    print(table(result.table_rows(), ["业务类型", "导出工单", "符合规则", "今日回访量", "已抽取"]))
    print()
    print(result.summary())
    return 0
