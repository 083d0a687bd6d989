"""`xinao-xl lookup 电话或姓名 --dir DIR [--db URL]`: a customer's callbacks and complaints.

Across every month: closed months from the history store, the others from their
workbooks (services/lookup.py); each row names its month, workbook and row. Phones are
masked (138****5678), in the texts too.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from .base import table
from .history import COMPANY_HELP, DB_HELP


def register(sub: Any) -> None:
    p = sub.add_parser("lookup", help="查询一位客户历次的回访和投诉（按电话或姓名，跨月份；电话遮蔽显示）",
                       description="按电话或姓名查询一位客户历次的回访和投诉：已结账的月份取自历史库，其余月份取自工作簿；电话显示为 138****5678")
    p.add_argument("who", metavar="电话或姓名", help="客户电话（如 13812345678，写法不限）或姓名（至少两个字，包含即可）")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")
    p.add_argument("--db", default=None, metavar="历史库", help=DB_HELP)
    p.add_argument("--company", default=None, metavar="公司", help=COMPANY_HELP)
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.services import lookup

    now = datetime.fromisoformat(args.now) if args.now else None
    found = lookup.lookup_customer(args.dir, args.who, db=args.db, company=args.company, now=now)
    print(found.summary())
    if found.calls:
        print(f"\n【回访 {len(found.calls)} 次】")
        print(table(found.call_rows(), lookup.CALL_HEADERS))
    if found.complaints:
        print(f"\n【投诉 {len(found.complaints)} 条】")
        print(table(found.complaint_rows(), lookup.COMPLAINT_HEADERS))
    return 0
