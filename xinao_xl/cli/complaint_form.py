"""`xinao-xl complaint-form 投诉单号 --dir DIR [--termination] [--share] [--month M] [--out F]`:
a complaint on paper (services/complaint_forms.py).

The one-page 投诉单 (投诉办法第十条(二)) of every department of the complaint, or with
``--termination`` the 《客户投诉特殊终止处理申请表》 (附件5, 第七条(四)3), into the month
folder's 投诉单 folder; the newest month holding the complaint unless ``--month``.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("complaint-form", help="打印一起投诉的投诉单（每个责任部门一页A4）；--termination 特殊终止申请表（附件5）",
                       description="按投诉台账生成一起投诉的投诉单（投诉办法第十条(二)：保管好电子与纸质投诉单据；含各环节时限与完成、"
                                   "审核轮次、回访结果、责任、特殊终止、改派和证据，以及签字栏），每个责任部门一页A4，写入 月份/投诉单/；"
                                   "--termination 生成《客户投诉特殊终止处理申请表》（附件5，仅无责投诉，第七条(四)3）")
    p.add_argument("number", metavar="投诉单号", help="如 TS2026110001")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")
    p.add_argument("--termination", action="store_true", help="生成客户投诉特殊终止处理申请表（附件5）")
    p.add_argument("--share", action="store_true", help="对外版：客户电话遮蔽为 138****5678（默认完整，供内部存档）")
    p.add_argument("--month", default=None, metavar="月份", help="在该月的投诉台账中查找（默认：含该投诉的最近月份）")
    p.add_argument("--out", type=Path, default=None, metavar="文件", help="写到此文件（已结账月份须用此项，写在月份文件夹之外）")
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from xinao_xl.services import complaint_forms

    now = datetime.fromisoformat(args.now) if args.now else None
    result = complaint_forms.make_complaint_form(args.number, args.dir, termination=args.termination, month=args.month, share=args.share,
                                                 now=now, out=args.out)
    print(result.summary())
    return 0
