"""`xinao-xl report --quarter 2026Q4 --dir DIR [--db URL]`: the period analysis report.

Also ``--year 2026`` and ``--month 2026-11``. Reads the history store (``DIR/历史库.sqlite``
unless ``--db`` gives a URL, e.g. ``postgresql://…``), never the workbooks, and writes
``DIR/报表/2026Q4_季度分析报告.xlsx`` (values and native charts, no customer phones).
Months of the period that the store does not hold are named; the report covers the rest.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .base import CliError


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="季度、年度（或月度）投诉与回访分析报告（数据取自历史库）", description=__doc__.split("\n")[0])
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--quarter", metavar="季度", help="如 2026Q4")
    which.add_argument("--year", metavar="年份", help="如 2026")
    which.add_argument("--month", metavar="月份", help="如 2026-11")
    p.add_argument("--dir", type=Path, default=Path("."), help="月份文件夹所在目录（默认当前目录）；报告写入其中的“报表”文件夹")
    p.add_argument("--db", default=None, help="历史库地址（默认 目录/历史库.sqlite；也可为 postgresql://用户@主机/库名）")
    p.add_argument("--company", default=None, help="只统计该公司（历史库汇集多个城市公司时使用）")
    p.add_argument("--out", type=Path, default=None, help="报告文件路径（默认 目录/报表/<期间>_<季度|年度|月度>分析报告.xlsx）")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.services import period_report as pr

    text = args.quarter or args.year or args.month
    try:
        period = pr.parse_period(text)
        result = pr.make_period_report(period, args.dir, db=args.db, company=args.company, out=args.out)
    except pr.PeriodReportError as exc:
        raise CliError(str(exc)) from None
    print(result.summary())
    return 0
