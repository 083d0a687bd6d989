"""Use case: the month's printable 流转单 on their own (ribbon 生成流转单).

    path = make_flow_forms("2026-11", Path("D:/服务考核"))   # → 2026-11/结账/2026-11_流转单.xlsx

One A4 sheet per callback of the month marked 是否流转 = 是 (附件3 layout); the close
writes the same file (the same builder, the same fixed file properties: the day of `now`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from xinao_xl.books.flow_form import build_flow_forms
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.save import save_atomic
from xinao_xl.policy.office_time import office_now
from xinao_xl.policy.rules import Rules

from .month_books import MonthBooks
from .month_writer import month_writer


def make_flow_forms(month: str, root: Path, now: datetime | None = None, rules: Rules | None = None) -> Path:
    """Written into the month's ``结账/``; a closed month's are the close's and are refused
    (services/month_writer.py)."""
    now = now or office_now()
    mf = MonthFolder(root, month)
    with month_writer(mf, "生成流转单"):
        mb = MonthBooks.open(Path(root), month, as_of=now, rules=rules)
        wb = build_flow_forms(mb.flow_forms(), mb.month, now)
        return save_atomic(wb, mf.output("流转单"))
