"""The assessment cycle (考核 5.1–5.4): `xinao-xl handout`, `collect`, `allowance-form`.

- ``handout 2026-11``: each department's 自评表 into ``2026-11/自评/`` (ribbon 发放自评表);
- ``collect 2026-11``: the returned 自评表 checked and their 自评 written into the 考核表
  (ribbon 收集自评); exit code 1 when a returned file has an 错误 (not collected);
- ``allowance-form 2026-11``: the 服务津贴申请 of a closed month from its close record
  (the close writes it too).
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import Any


def _month_and_dir(p: Any) -> None:
    p.add_argument("month", metavar="月份", help="如 2026-11")
    p.add_argument("--dir", type=Path, default=Path("."), metavar="目录", help="月份文件夹所在目录（默认当前目录）")


def register(sub: Any) -> None:
    p = sub.add_parser("handout", help="发放自评表：每个部门一份（只开放“自评实际”列），写入 月份/自评/",
                       description="为每个部门生成本月自评表（本部门的考核项目和目标值，只开放“自评实际”列，下方列出台账中已登记的扣分和加分，"
                                   "只读），写入 月份/自评/部门_自评.xlsx；已交回的文件不会被覆盖")
    _month_and_dir(p)
    p.add_argument("--now", default=None, help=argparse.SUPPRESS)
    p.set_defaults(run=run_handout)

    p = sub.add_parser("collect", help="收集自评：检查 月份/自评/ 中交回的自评表，把自评实际写入考核表，列出未交回和逾期交回的部门",
                       description="读取 月份/自评/ 中交回的自评表（用哪种电子表格软件保存的均可，改了文件名也能识别），检查部门、月份、"
                                   "数值范围和被改动的锁定单元格，把自评实际写入考核表（考核表其他内容不变），并列出未交回和逾期交回的部门")
    _month_and_dir(p)
    p.set_defaults(run=run_collect)

    p = sub.add_parser("allowance-form", help="服务津贴申请：已结账月份的得分、等级、基数和津贴，一页A4，报服务主管审批",
                       description="按结账记录生成 月份/结账/月份_服务津贴申请.xlsx（部门、得分、等级、基数、津贴和依据条款，编制人、服务主管审批栏）；"
                                   "结账时已生成的不重新生成，加 --replace 重新生成")
    _month_and_dir(p)
    p.add_argument("--replace", action="store_true", help="重新生成已有的服务津贴申请")
    p.set_defaults(run=run_allowance)


def run_handout(args: argparse.Namespace) -> int:
    from xinao_xl.policy.parse import parse_datetime
    from xinao_xl.services.self_assessment import handout_month

    result = handout_month(args.month, args.dir, now=parse_datetime(args.now) if args.now else None, user=getpass.getuser())
    print(result.summary())
    return 0


def run_collect(args: argparse.Namespace) -> int:
    from xinao_xl.services.self_assessment import collect_month

    result = collect_month(args.month, args.dir, user=getpass.getuser())
    print(result.summary())
    return 1 if result.errors else 0


def run_allowance(args: argparse.Namespace) -> int:
    from xinao_xl.services.allowance import make_allowance_form

    path = make_allowance_form(args.month, args.dir, replace=args.replace)
    print(f"服务津贴申请：{path}")
    return 0
