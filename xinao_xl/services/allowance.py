"""Use case: the 服务津贴申请 (考核 5.4; the close, and `xinao-xl allowance-form 2026-11`).

The close writes it beside its other outputs from its own score cards (`allowance_lines`);
for a month closed before the close wrote one, `make_allowance_form` writes it from the close
record (`record_lines`: the figures the close recorded, never recomputed). A month not yet
closed has no figures to apply for: refused with what to do.

    path = make_allowance_form("2026-11", Path("D:/服务考核"))
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from xinao_xl.books.allowance_form import AllowanceLine, build_allowance_form
from xinao_xl.books.lock import MonthLock
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.save import preflight, write_bytes_atomic
from xinao_xl.policy.errors import XinaoError
from xinao_xl.policy.scoring import ScoreCard

from .approval import Review
from .settings import closed_month_rules

__all__ = ["AllowanceFormError", "allowance_lines", "make_allowance_form", "record_lines", "reviewed_text"]


class AllowanceFormError(XinaoError, ValueError):
    """No closed figures to apply for (Chinese message)."""


def reviewed_text(reviewer: str, approver: str) -> str:
    return f"审核 {reviewer or '—'} / 审批 {approver or '—'}"


def allowance_lines(cards: Mapping[str, ScoreCard], reviews: Mapping[str, Review]) -> list[AllowanceLine]:
    """The close's figures, department by department."""
    out = []
    for name, card in cards.items():
        review = reviews.get(name)
        out.append(AllowanceLine(name, card.score, card.grade, card.allowance_base, card.allowance,
                                 reviewed_text(review.reviewer, review.approver) if review else ""))
    return out


def record_lines(record: Mapping[str, Any]) -> list[AllowanceLine]:
    """The figures a close record holds (its 得分; 审核审批 when recorded)."""
    reviews = record.get("审核审批") or {}
    out = []
    for name, s in (record.get("得分") or {}).items():
        r = reviews.get(name) or {}
        out.append(AllowanceLine(name, s.get("月度服务得分"), s.get("考核等级") or "", s.get("服务津贴基数"), s.get("兼职服务津贴"),
                                 reviewed_text(r.get("审核人", ""), r.get("审批人", "")) if r else ""))
    return out


def make_allowance_form(month: str, root: Path, *, now: datetime | None = None, replace: bool = False) -> Path:
    """Write ``结账/<month>_服务津贴申请.xlsx`` of a closed month from its close record. The one
    the close wrote is kept (its checksum is in the record) unless `replace`."""
    mf = MonthFolder(root, month)
    if not mf.closed:
        raise AllowanceFormError(f"{mf.month} 尚未结账：服务津贴申请用结账后的得分和津贴，请先结账（xinao-xl close {mf.month}）")
    record = mf.load_record()
    if not record.get("得分"):
        raise AllowanceFormError(f"{mf.month} 的结账记录中没有得分：请重新结账（xinao-xl close {mf.month} --force --reason …）")
    path = mf.output("服务津贴申请")
    if path.exists() and not replace:
        return path
    rules = closed_month_rules(root, mf.month)
    closed_at = mf.closed_text()
    try:
        stamp = datetime.fromisoformat(str(record.get("结账时间", ""))).replace(tzinfo=None)
    except ValueError:
        stamp = now or datetime(mf.month.next().first_day.year, mf.month.next().first_day.month, 1)
    data = build_allowance_form(str(mf.month), record_lines(record), rules, now=stamp, closed=f"结账 {closed_at}" if closed_at else "",
                                prepared_by=str(record.get("结账人") or ""))
    preflight(write=[path])
    # one writer at a time in the month folder: a forced re-close running meanwhile rewrites
    # 结账/ and the record this form is made from
    with MonthLock(mf.path, "生成服务津贴申请"):
        return write_bytes_atomic(path, data)
