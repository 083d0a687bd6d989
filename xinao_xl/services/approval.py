"""The review and approval of each department's assessment (考核 5.3), as the 考核表 records it.

"服务办公室将部门自评结果逐项审核评分，并报服务主管审批": the 考核表's 汇总 holds, beside each
department's figures, 审核人 / 审核日期 (the office) and 审批人 / 审批日期 (the supervisor)
(books/assessment.py, `REVIEW_COLUMNS`). The close reads them here: a department not reviewed
or not approved is a note, or — with the office's setting 审批后方可结账 (`approval_required`)
— a refusal; the close record keeps who reviewed and approved (`record_of`).

    reviews = read_reviews(mb)
    [r.department for r in reviews.values() if r.missing]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from xinao_xl.books import assessment
from xinao_xl.policy.parse import is_blank
from xinao_xl.policy.rules import Rules

from .month_books import MonthBooks

__all__ = ["Review", "approval_notes", "blocked", "read_reviews", "record_of"]


@dataclass(frozen=True)
class Review:
    department: str
    reviewer: str = ""
    reviewed: date | None = None
    approver: str = ""
    approved: date | None = None

    @property
    def missing(self) -> list[str]:
        """What is not filled: 审核 (reviewer or its day) and/or 审批."""
        out = []
        if not self.reviewer or self.reviewed is None:
            out.append("审核")
        if not self.approver or self.approved is None:
            out.append("审批")
        return out


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _text(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip()


def read_reviews(mb: MonthBooks) -> dict[str, Review]:
    """Each department's review and approval as the 考核表's 汇总 holds them (blank in a
    考核表 made before these columns existed)."""
    form = mb.form(assessment.summary_sheet(mb.rules))
    out = {}
    for dept in mb.rules.departments:
        get = form.row(dept.name).get if form.found and form.has_row(dept.name) else (lambda _k: None)
        out[dept.name] = Review(dept.name, _text(get("reviewer")), _day(get("reviewed")), _text(get("approver")), _day(get("approved")))
    return out


def _missing_text(reviews: dict[str, Review]) -> str:
    """"客服部、管网部未审核、未审批；计财部未审批": departments grouped by what they miss."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for r in reviews.values():
        if r.missing:
            groups.setdefault(tuple(r.missing), []).append(r.department)
    if len(groups) == 1 and len(next(iter(groups.values()))) == len(reviews) > 1:
        (missing,) = groups
        return f"各部门都未{'、未'.join(missing)}"
    return "；".join(f"{'、'.join(depts)}未{'、未'.join(missing)}" for missing, depts in groups.items())


def approval_notes(reviews: dict[str, Review]) -> list[str]:
    """The close's note when a department is not reviewed or approved (考核 5.3)."""
    missing = _missing_text(reviews)
    if not missing:
        return []
    return [f"考核表“汇总”中{missing}（考核办法5.3：服务办公室审核、服务主管审批；请在汇总的审核人、审核日期、审批人、审批日期栏填写）"]


def blocked(reviews: dict[str, Review], rules: Rules) -> str | None:
    """Why the close is refused under the setting 审批后方可结账, None when it may go on."""
    if not bool(rules.value("approval_required")):
        return None
    missing = _missing_text(reviews)
    if not missing:
        return None
    return (f"按本单位设置“审批后方可结账”，各部门审核、审批后才能结账：{missing}。"
            "请在考核表“汇总”中填写审核人、审核日期、审批人、审批日期后再结账")


def record_of(reviews: dict[str, Review]) -> dict[str, dict[str, str]]:
    """Who reviewed and approved, for the close record."""
    return {r.department: {"审核人": r.reviewer, "审核日期": r.reviewed.isoformat() if r.reviewed else "",
                           "审批人": r.approver, "审批日期": r.approved.isoformat() if r.approved else ""} for r in reviews.values()}
