"""Use case: the month's 客户回访报告 (回访办法 附件5) — one path for the close, the ribbon's
生成回访报告 and ``xinao-xl report --month 2026-11``, for an open month as for a closed one.

    path = make_report("2026-11", Path("D:/服务考核"))   # → 2026-11/结账/2026-11_客户回访报告.xlsx

`report_book` is the report as all three make it: the figures of the month's books
(`month_books.MonthBooks.report_data`) with the score table as the cards give it, the
服务通报 sheet (`bulletin`), phones masked, also inside the 不满原因 and problem texts
(`share.masked_report`; the 整改建议 staff typed stays as they typed it); ``people="none"`` (``--share``) leaves out every
customer name, phone and address, even inside a text (services/share.py); no save time in
the file (the day of `now` as its time: books/writer.fixed_properties), so the same books give the same file. The close
passes its cards and keeps the workbook for its batch; `make_report` (before or after the
close) computes the cards as the month stands and writes the file.

The 整改建议 staff typed into the report being replaced (``keep``) is carried into the new one
(books/report.read_suggestion): made before the 5th with the button, completed by hand, the
report keeps the words when the close makes it again. In the shared report (``--share``)
the words lose any customer name, phone or address the month's books hold.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.report import MASKED, NO_PEOPLE, month_report, read_suggestion
from xinao_xl.books.save import write_bytes_atomic
from xinao_xl.policy import clock
from xinao_xl.policy.privacy import scrub
from xinao_xl.policy.rules import Rules
from xinao_xl.policy.scoring import ScoreCard

from . import share
from .agents import INCOMPLETE, agent_stats
from .bulletin import bulletin_or_note
from .month_books import MonthBooks
from .month_writer import month_writer

__all__ = ["closed_as_of", "make_report", "report_book"]


def report_book(mb: MonthBooks, cards: dict[str, ScoreCard], root: Path, people: str = MASKED, *, now: datetime,
                db: str | Path | None = None, company: str | None = None, notes: list[str] | None = None,
                keep: Path | None = None) -> bytes:
    """The report workbook, as the file's bytes (not saved); a 服务通报 that cannot be made is a note in `notes`;
    the 整改建议 of the report at `keep` (the file this one will replace) is kept."""
    terms = share.month_customer_terms(mb) if people == NO_PEOPLE else set()
    data = mb.report_data(cards)
    data.agents, data.agent_kinds = agent_stats(mb), INCOMPLETE  # 回访办法 六.2: each agent's record
    data.callback_days = int(mb.rules.value("callback_within_days"))
    if people == NO_PEOPLE:  # no customer in the report, not even inside a text
        data = share.shareable_report(data, terms)
    else:  # no phone in full, not even inside a text
        data = share.masked_report(data)
    if keep is not None and keep.is_file():
        kept = read_suggestion(keep)
        if kept is None and notes is not None:
            notes.append(f"原回访报告 {keep.name} 无法读取，其中的整改建议未能带入新报告（原文件保留在“历史版本”文件夹中）")
        elif kept is not None:
            data.suggestion = scrub(kept.text, terms) if people == NO_PEOPLE else kept.text
    bulletin = bulletin_or_note(mb, root, db=db, company=company, terms=terms, notes=notes)
    return month_report(data, people, bulletin, now)


def closed_as_of(mf: MonthFolder) -> datetime | None:
    """A closed month's report is made as of its close (the 结账记录's time), so made again
    it shows what the close's showed (a flow form open then is 未反馈 still, not late since)."""
    if not mf.closed:
        return None
    try:
        return clock.local(datetime.fromisoformat(str(mf.load_record().get("结账时间", ""))))  # +08:00 since issue 12
    except ValueError:
        return mf.closed_at()


def make_report(month: str, root: Path, people: str = MASKED, now: datetime | None = None, rules: Rules | None = None, *,
                db: str | Path | None = None, company: str | None = None, out: Path | None = None) -> Path:
    """The report of `month` as its books stand, written to ``结账/`` (or `out`): an open
    month as of `now` (default: now, office time). Into ``结账/`` under the month's lock, and
    not for a closed month: its report is the close's (staff fill its 整改建议 afterwards;
    services/month_writer.py); written elsewhere (`out`), a closed month's is made as of its
    close, the close's report again."""
    mf = MonthFolder(root, month)
    now = now or closed_as_of(mf) or clock.now()
    target = Path(out) if out else mf.output("回访报告")
    with month_writer(mf, "生成回访报告") if out is None else nullcontext():
        mb = MonthBooks.open(Path(root), month, as_of=now, rules=rules)
        data = report_book(mb, mb.score_cards(), Path(root), people, now=now, db=db, company=company, keep=target)
        return write_bytes_atomic(target, data)
