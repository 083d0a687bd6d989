"""`xinao-xl report --month 2026-11 --dir DIR`: the month's 客户回访报告; `--quarter`, `--year`,
`--analysis-month`: the period analysis reports from the history store.

``--month 2026-11`` writes the month's 客户回访报告 (回访办法 附件5) from the month's
workbooks as they stand, open or closed: the same file the close and the ribbon's
生成回访报告 write (``DIR/2026-11/结账/2026-11_客户回访报告.xlsx``; services/report.py), the
整改建议 already typed into it kept; ``--share`` makes it fit to leave the office (no
customer name, phone or address). (``--callbacks`` is the old name of ``--month``.)

``--quarter 2026Q4``, ``--year 2026`` and ``--analysis-month 2026-11`` read the history store
(``DIR/历史库.sqlite`` unless ``--db`` gives a URL, e.g. ``postgresql://…``), never the
workbooks, and write ``DIR/报表/2026Q4_季度分析报告.xlsx`` (values and native charts, no
customer phones). Months of the period that the store does not hold are named; the report
covers the rest.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from .base import CliError


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="本月客户回访报告（--month，按工作簿当前内容）；季度、年度、月度分析报告（数据取自历史库）",
                       description="--month 生成某月的客户回访报告（附件5，按该月工作簿当前内容，未结账的月份也可以；与按钮“生成回访报告”相同）；"
                                   "--quarter、--year、--analysis-month 生成投诉与回访分析报告（数据取自历史库）")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--month", metavar="月份", help="某月的客户回访报告，如 2026-11：按该月工作簿当前内容生成，写入 月份/结账/，已填写的整改建议保留")
    which.add_argument("--callbacks", metavar="月份", dest="month", help=argparse.SUPPRESS)  # the old name of --month
    which.add_argument("--quarter", metavar="季度", help="季度分析报告，如 2026Q4（数据取自历史库）")
    which.add_argument("--year", metavar="年份", help="年度分析报告，如 2026（数据取自历史库）")
    which.add_argument("--analysis-month", metavar="月份", help="月度分析报告，如 2026-11（数据取自历史库，须已结账）")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）；分析报告写入其中的“报表”文件夹")
    p.add_argument("--db", default=None, metavar="历史库", help="历史库地址（默认 目录/历史库.sqlite；也可为 postgresql://用户@主机/库名）")
    p.add_argument("--company", default=None, metavar="公司", help="只统计该公司（历史库汇集多个城市公司时使用）")
    p.add_argument("--out", type=Path, default=None, metavar="文件", help="报告文件路径（默认见上）")
    p.add_argument("--share", action="store_true", help="与 --month 同用：对外版回访报告，不含客户姓名、电话、地址")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.books.report import MASKED, NO_PEOPLE
    from xinao_xl.services import period_report as pr
    from xinao_xl.services.report import make_report

    if args.month:
        now = datetime.fromisoformat(args.now) if args.now else None
        path = make_report(args.month, args.dir, NO_PEOPLE if args.share else MASKED, now, db=args.db, company=args.company, out=args.out)
        print(f"已生成 {args.month} 客户回访报告{'（对外版：不含客户姓名、电话、地址）' if args.share else '（电话已遮蔽）'}：\n  {path}")
        return 0
    if args.share:
        raise CliError("--share 只用于 --month（客户回访报告）；分析报告不含客户电话")
    period = pr.parse_period(args.quarter or args.year or args.analysis_month)
    result = pr.make_period_report(period, args.dir, db=args.db, company=args.company, out=args.out)
    print(result.summary())
    return 0
