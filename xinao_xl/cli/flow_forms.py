"""`xinao-xl flow-forms 2026-11 [--order LZ001 …] --dir DIR`: the printable 流转单 (附件3).

One A4 form per callback of the month marked 是否流转 = 是, into ``DIR/2026-11/结账/``:
the month's file, as the ribbon's 生成流转单 and the close write it; with ``--order`` only
the forms of those 流转单号, at the moment of flow, in a file of their own
(services/flow_forms.py).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("flow-forms", help="生成可打印的流转单（附件3，每张一页A4）；--order 只生成指定流转单号的",
                       description="生成本月回访台账中需要流转的回访的流转单（附件3，每张一页A4），写入 月份/结账/；"
                                   "--order 只生成指定流转单号的流转单（流转当时打印），另存为单独的文件")
    p.add_argument("month", metavar="月份", help="如 2026-11")
    p.add_argument("--order", nargs="+", default=[], metavar="流转单号", help="只生成这些流转单号的流转单，如 --order LZ20261100188 LZ20261100273")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.services import flow_forms

    now = datetime.fromisoformat(args.now) if args.now else None
    result = flow_forms.make_flow_forms(args.month, args.dir, now, orders=args.order)
    print(result.summary())
    return 0
