"""`xinao-xl today [--date 2026-11-20] --dir DIR`: 今日待办, the clerk's daily round.

Lists what is due that day in the month's workbooks (and last month's while it is not
closed): callbacks to make within 3 days of completion with today's calls left per business
type, 流转单 awaiting feedback, complaint stages due today or overdue, and the reports and
reviews due within the week; each with its workbook, sheet and cell, most urgent first
(services/today.py). Ends with exit code 0, also when nothing is due.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from .base import table


def register(sub: Any) -> None:
    p = sub.add_parser("today", help="今日待办：要打的回访、待反馈的流转单、到期的投诉环节、本周要报送和考核的事项",
                       description="今日待办：列出当天要做的回访、待反馈的流转单、今日到期或已超时的投诉环节、本周到期的报告和考核，"
                                   "每项注明工作簿、工作表和单元格，最紧急的在前；没有待办时也以退出码 0 结束")
    p.add_argument("--date", default=None, metavar="日期", help="哪一天，如 2026-11-20（默认今天，北京时间）")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)  # a fixed moment for tests
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.policy.parse import parse_date
    from xinao_xl.services import today

    now = datetime.fromisoformat(args.now) if args.now else None
    day = parse_date(args.date) if args.date else (now.date() if now else None)
    result = today.due_list(args.dir, day, now)
    print(result.head())
    print(result.quota_text())
    if result.items:
        print()
        print(table(result.rows(), today.HEADERS))
    for note in result.notes:
        print(f"注意：{note}")
    return 0
