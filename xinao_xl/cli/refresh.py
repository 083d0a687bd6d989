"""`xinao-xl refresh 2026-11 --dir DIR`: recount the 台账 and the 投诉台账 into the 考核表's 汇入.

The same as the ribbon button 刷新汇入: the 考核表's 汇入 sheet gets the month's 满意/不满意 by
business type, late 流转单 by department and complaints, as of now; only that sheet of the
file changes. Exit code 0 (written, or already current).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("refresh", help="刷新考核表的“汇入”表：按回访台账、投诉台账重新统计满意率、投诉和超时流转单",
                       description="按本月回访台账、投诉台账重新统计满意率、超时流转单、投诉和申诉调整，写入考核表的“汇入”表（考核表其他内容不变）")
    p.add_argument("month", metavar="月份", help="如 2026-11")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)  # tests and reruns: "as of" this time
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.policy.parse import parse_datetime
    from xinao_xl.services.refresh import refresh_month

    result = refresh_month(args.month, args.dir, now=parse_datetime(args.now) if args.now else None)
    print(result.summary())
    return 0
