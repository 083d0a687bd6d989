"""`xinao-xl new-month` and `xinao-xl templates`: blank workbooks for a month, and the
committed templates in workbooks/."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from xinao_xl.policy.errors import SETTINGS_BOOK


def register(sub: Any) -> None:
    p = sub.add_parser("new-month", help="生成某月的空白工作簿（考核表、回访台账、意见统计表、投诉台账）", description="生成某月的空白工作簿")
    p.add_argument("month", metavar="月份", help="月份，如 2026-12")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")
    p.add_argument("--overwrite", action="store_true", help="覆盖已存在的月份（原文件保留在“历史版本”文件夹）")
    p.add_argument("--formulas", choices=["native", "udf"], default="native", metavar="样式", help="公式样式：native 原生公式（默认，无需插件），udf 调用插件函数")
    p.set_defaults(run=run_new_month)

    t = sub.add_parser("templates", help="重新生成 workbooks/ 中的模板", description="重新生成 workbooks/ 中的模板")
    t.add_argument("--dir", type=Path, default=Path("workbooks"), metavar="目录", help="输出目录（默认 workbooks）")
    t.set_defaults(run=run_templates)


def run_new_month(args: argparse.Namespace) -> int:
    from xinao_xl.services import new_month

    # a month not written YYYY-MM, a folder already there, a workbook open: refused in Chinese (cli.main)
    paths = new_month.create_month(args.month, args.dir, overwrite=args.overwrite, formulas=args.formulas)
    print(f"已生成 {args.month} 的空白工作簿（按 {args.dir / SETTINGS_BOOK} 中该月生效的制度设置）：")
    for path in paths:
        print(f"  {path}")
    return 0


def run_templates(args: argparse.Namespace) -> int:
    from xinao_xl.services import new_month

    for path in new_month.write_templates(args.dir):
        print(f"  {path}")
    return 0
