"""`xinao-xl history rebuild --dir DIR [--db URL]` and `xinao-xl history status`: the history store.

The store (投诉信息记录数据库 and the callbacks, flow forms, score cards beside it) is written
by every monthly close. ``rebuild`` drops the company's rows and reads every closed month
folder (with 已结账.txt) under DIR again, in one transaction, and prints each table's row
count and SHA-256: the workbooks are the source, the store can always be made again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .base import CliError, table
from .close import console_bar

DB_HELP = "数据库：PostgreSQL 地址（postgresql://用户@主机/库名）或 SQLite 文件路径；默认取设置 XINAO_XL_DB，否则为 --dir 下的 历史库.sqlite"
COMPANY_HELP = "公司名称（多个城市公司共用一个数据库时区分数据；默认取设置 XINAO_XL_COMPANY，否则为“聊城新奥燃气”）"


def register(sub: Any) -> None:
    p = sub.add_parser("history", help="历史库：从已结账月份重建、查看状态", description="历史库（投诉信息记录数据库及回访、流转单、得分）：rebuild 按已结账的月份文件夹重建，status 查看库中的月份和各表行数")
    actions = p.add_subparsers(title="操作", dest="action", metavar="操作")
    r = actions.add_parser("rebuild", help="按已结账的月份文件夹重建历史库（同一事务，失败时保持原样）", description="按已结账的月份文件夹重建历史库")
    r.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")
    r.add_argument("--db", default=None, metavar="历史库", help=DB_HELP)
    r.add_argument("--company", default=None, metavar="公司", help=COMPANY_HELP)
    r.set_defaults(run=rebuild)
    s = actions.add_parser("status", help="显示历史库中的月份和各表行数", description="显示历史库中的月份和各表行数")
    s.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")
    s.add_argument("--db", default=None, metavar="历史库", help=DB_HELP)
    s.add_argument("--company", default=None, metavar="公司", help=COMPANY_HELP)
    s.set_defaults(run=status)
    p.set_defaults(run=lambda args: (p.print_help(), 2)[1])


def rebuild(args: argparse.Namespace) -> int:
    from xinao_xl.books.month_folder import MARKER
    from xinao_xl.services import history

    if not args.dir.is_dir():
        raise CliError(f"找不到目录：{args.dir}")
    try:
        result = history.rebuild(args.dir, db=args.db, company=args.company, progress=console_bar)
    except BaseException:  # the progress bar's line ends before the message cli.main prints
        sys.stderr.write("\n")
        raise
    print(result.summary())
    if not result.months:
        print(f"注意：{args.dir} 下没有已结账的月份文件夹（含 {MARKER}）")
    return 0


def status(args: argparse.Namespace) -> int:
    from xinao_xl.history import store as H
    from xinao_xl.services import history

    url = H.existing_url(args.db, args.dir)
    if url is None:
        where = "已关闭（XINAO_XL_DB=off）" if H.resolve_url(args.db, args.dir) is None else f"不存在：{H.default_path(args.dir)}"
        print(f"历史库{where}；结账时会自动建立，或运行 xinao-xl history rebuild --dir {args.dir}")
        return 0
    st = history.store_status(url, args.company)
    print(f"历史库：{st.where}（结构版本 {st.version}）  公司：{st.company}")
    print(f"已入库月份：{'、'.join(st.months) or '无'}")
    print(table([[name, n] for name, n in st.counts.items()], ["表", "行数"]))
    return 0
