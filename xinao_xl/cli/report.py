"""`xinao-xl report --quarter 2026Q4 --dir DIR [--db URL]`: the period analysis report.

Also ``--year 2026`` and ``--month 2026-11``. Reads the history store (``DIR/历史库.sqlite``
unless ``--db`` gives a URL, e.g. ``postgresql://…``), never the workbooks, and writes
``DIR/报表/2026Q4_季度分析报告.xlsx`` (values and native charts, no customer phones).
Months of the period that the store does not hold are named; the report covers the rest.

``--callbacks 2026-11`` writes the month's 客户回访报告 instead, from the month's workbooks as
they stand, the same file the close and the ribbon's 生成回访报告 write
(``DIR/2026-11/结账/2026-11_客户回访报告.xlsx``; services/report.py); ``--share`` makes it
fit to leave the office (no customer name, phone or address).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from xinao_xl.books.report import MASKED, NO_PEOPLE
from xinao_xl.services import period_report as pr
from xinao_xl.services.report import make_report

from .base import CliError


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="季度、年度（或月度）投诉与回访分析报告（数据取自历史库）；或本月客户回访报告", description=__doc__.split("\n")[0])
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--quarter", metavar="季度", help="如 2026Q4")
    which.add_argument("--year", metavar="年份", help="如 2026")
    which.add_argument("--month", metavar="月份", help="如 2026-11")
    which.add_argument("--callbacks", metavar="月份", help="本月客户回访报告（与按钮“生成回访报告”相同，按本月工作簿当前内容生成，写入 月份/结账/），如 2026-11")
    p.add_argument("--dir", type=Path, default=Path("."), help="月份文件夹所在目录（默认当前目录）；报告写入其中的“报表”文件夹")
    p.add_argument("--db", default=None, help="历史库地址（默认 目录/历史库.sqlite；也可为 postgresql://用户@主机/库名）")
    p.add_argument("--company", default=None, help="只统计该公司（历史库汇集多个城市公司时使用）")
    p.add_argument("--out", type=Path, default=None, help="报告文件路径（默认 目录/报表/<期间>_<季度|年度|月度>分析报告.xlsx）")
    p.add_argument("--share", action="store_true", help="与 --callbacks 同用：对外版回访报告，不含客户姓名、电话、地址")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.callbacks:
        now = datetime.fromisoformat(args.now) if args.now else None
        path = make_report(args.callbacks, args.dir, NO_PEOPLE if args.share else MASKED, now, db=args.db, company=args.company, out=args.out)
        print(f"已生成 {args.callbacks} 客户回访报告{'（对外版：不含客户姓名、电话、地址）' if args.share else '（电话已遮蔽）'}：\n  {path}")
        return 0
    if args.share:
        raise CliError("--share 只用于 --callbacks（客户回访报告）；分析报告不含客户电话")
    period = pr.parse_period(args.quarter or args.year or args.month)
    result = pr.make_period_report(period, args.dir, db=args.db, company=args.company, out=args.out)
    print(result.summary())
    return 0
