"""Use case: the month's 客户回访报告 on its own (ribbon 生成回访报告), before or after the close.

    path = make_report("2026-11", Path("D:/服务考核"))   # → 2026-11/结账/2026-11_客户回访报告.xlsx

The same figures the close writes (`month_books.MonthBooks.report_data`), with the score
table of the month as it stands, and the 服务通报 sheet (`bulletin`). Phones are masked;
``people="none"`` leaves names and phones out.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from xinao_xl.books.report import MASKED, NO_PEOPLE, build_report
from xinao_xl.books.save import save_atomic
from xinao_xl.policy.rules import Rules

from . import share
from .bulletin import add_to_report
from .month_books import MonthBooks

OUT_DIR = "结账"


def make_report(month: str, root: Path, people: str = MASKED, now: datetime | None = None, rules: Rules | None = None) -> Path:
    mb = MonthBooks.open(Path(root), month, as_of=now, rules=rules)
    wb = build_report(mb.report_data(mb.score_cards()), people)
    add_to_report(wb, mb, Path(root), terms=share.month_customer_terms(mb) if people == NO_PEOPLE else ())  # 服务通报 sheet, as the close adds it
    return save_atomic(wb, Path(root) / month / OUT_DIR / f"{month}_客户回访报告.xlsx")
