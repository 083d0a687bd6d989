"""`xinao-xl verify [2026-11] --dir DIR`: are closed months' workbooks still what was closed?

Compares each input workbook of the month (or of every closed month under DIR when no month
is given) with the SHA-256 in its 结账记录 and says which file changed, when the month was
closed and by whom; the results in ``结账/`` are compared too (a filled 整改建议 is normal).
Exit code 0 when every input matches, 1 when one changed or is gone, 2 when there is nothing
to check (the month is not closed, the folder or the record is missing).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from xinao_xl.policy.month import Month

from .base import CliError


def register(sub: Any) -> None:
    p = sub.add_parser("verify", help="核对已结账月份的工作簿是否在结账后被修改（与结账记录中的SHA-256比对）", description="核对已结账月份的工作簿在结账后有没有被修改（与结账记录中的 SHA-256 比对）；有修改时退出码为1；不写月份时核对全部已结账月份")
    p.add_argument("month", metavar="月份", nargs="?", default=None, help="如 2026-11（省略时核对 --dir 下所有已结账月份）")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.books.month_folder import MARKER, closed_months
    from xinao_xl.services import integrity

    if args.month is not None:
        months = [Month(args.month)]  # MonthError (Chinese) when not YYYY-MM
    else:
        months = closed_months(args.dir)
        if not months:
            raise CliError(f"{args.dir} 下没有已结账的月份文件夹（YYYY-MM，含 {MARKER}）")
    results = [integrity.verify_month(args.dir, m) for m in months]
    for r in results:
        for line in r.messages():
            print(line)
    if any(r.closed and not r.ok and not r.record_problem for r in results):
        return 1
    if any(not r.closed or r.record_problem for r in results):
        return 2
    return 0
