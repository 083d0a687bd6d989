"""Use case: the month's 客户回访报告 (回访办法 附件5) — one path for the close, the ribbon's
生成回访报告 and ``xinao-xl report --callbacks 2026-11``.

    path = make_report("2026-11", Path("D:/服务考核"))   # → 2026-11/结账/2026-11_客户回访报告.xlsx

`report_book` is the report as all three make it: the figures of the month's books
(`month_books.MonthBooks.report_data`) with the score table as the cards give it, the
服务通报 sheet (`bulletin`), phones masked; ``people="none"`` (``--share``) leaves out every
customer name, phone and address, even inside a text (services/share.py); no save time in
the file (the day of `now` as its time: books/writer.fixed_properties), so the same books give the same file. The close
passes its cards and keeps the workbook for its batch; `make_report` (before or after the
close) computes the cards as the month stands and writes the file.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.report import MASKED, NO_PEOPLE, month_report
from xinao_xl.books.save import save_atomic
from xinao_xl.policy.office_time import office_now
from xinao_xl.policy.rules import Rules
from xinao_xl.policy.scoring import ScoreCard

from . import share
from .bulletin import bulletin_or_note
from .month_books import MonthBooks
from .month_writer import month_writer

if TYPE_CHECKING:  # the type only: books build and save the workbook
    from openpyxl import Workbook

__all__ = ["make_report", "report_book"]


def report_book(mb: MonthBooks, cards: dict[str, ScoreCard], root: Path, people: str = MASKED, *, now: datetime,
                db: str | Path | None = None, company: str | None = None, notes: list[str] | None = None) -> Workbook:
    """The report workbook (not saved); a 服务通报 that cannot be made is a note in `notes`."""
    terms = share.month_customer_terms(mb) if people == NO_PEOPLE else set()
    data = mb.report_data(cards)
    if people == NO_PEOPLE:  # no customer in the report, not even inside a text
        data = share.shareable_report(data, terms)
    bulletin = bulletin_or_note(mb, root, db=db, company=company, terms=terms, notes=notes)
    return month_report(data, people, bulletin, now)


def make_report(month: str, root: Path, people: str = MASKED, now: datetime | None = None, rules: Rules | None = None, *,
                db: str | Path | None = None, company: str | None = None, out: Path | None = None) -> Path:
    """The report of `month` as its books stand, written to ``结账/`` (or `out`). Into
    ``结账/`` under the month's lock, and not for a closed month: its report is the close's
    (staff fill its 整改建议 afterwards; services/month_writer.py)."""
    now = now or office_now()
    mf = MonthFolder(root, month)
    with month_writer(mf, "生成回访报告") if out is None else nullcontext():
        mb = MonthBooks.open(Path(root), month, as_of=now, rules=rules)
        wb = report_book(mb, mb.score_cards(), Path(root), people, now=now, db=db, company=company)
        return save_atomic(wb, Path(out) if out else mf.output("回访报告"))
