"""`xinao-xl settings --dir D [--refresh] [--month M]`: the office's 制度设置.xlsx.

Makes a blank 制度设置.xlsx beside the month folders when there is none and checks the one
there (a bad value is named with its cell). ``--refresh`` writes the settings into the
workbooks of the months still open (their 规则 and 工作日历 sheets, in place: nothing staff
typed changes), so their live formulas compute with what the close will use; ``--month``
limits it to the months given. A closed month is never touched.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .base import CliError


def register(sub: Any) -> None:
    p = sub.add_parser("settings", help="制度设置：生成或检查 制度设置.xlsx；--refresh 把设置写入未结账月份的工作簿",
                       description="制度设置：生成、检查 制度设置.xlsx；--refresh 把设置写入未结账月份工作簿的“规则”“工作日历”表")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（制度设置.xlsx 在这里；默认当前目录）")
    p.add_argument("--refresh", action="store_true", help="把制度设置写入未结账月份工作簿的“规则”“工作日历”表")
    p.add_argument("--month", action="append", default=None, metavar="月份", help="只刷新这个月份（可多次给出），如 2027-01")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.books.settings_book import ensure_settings_book, load_settings, settings_path
    from xinao_xl.services.settings import refresh_months

    if not args.dir.is_dir():
        raise CliError(f"目录不存在：{args.dir}")
    if args.refresh:
        print(refresh_months(args.dir, args.month).summary())
        return 0
    if args.month:
        raise CliError("--month 只与 --refresh 一起使用；要看某月的取值请用 xinao-xl rules --dir 目录 --month 月份")
    created = ensure_settings_book(args.dir)
    settings = load_settings(args.dir)  # a bad file stops here with every cell named (cli.main)
    path = settings_path(args.dir)
    if created:
        print(f"已生成 {path}：请服务办公室逐项确认“本单位取值”（留空即采用制度取值），改后运行 xinao-xl settings --dir {args.dir} --refresh")
    else:
        count = sum(len(rows) for rows in settings.choices.values())
        years = "、".join(f"{y}年" for y in sorted(settings.confirmed_years)) or "无"
        print(f"{path} 无错误：本单位取值 {count} 行，放假安排 {len(settings.overrides)} 天，已确认年度 {years}")
        print(f"各月的取值和来源：xinao-xl rules --dir {args.dir} --month 月份；写入未结账月份的工作簿：xinao-xl settings --dir {args.dir} --refresh")
    return 0
