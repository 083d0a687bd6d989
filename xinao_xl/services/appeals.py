"""Appeals decided after their month's close (投诉 第九条; our reading, rules.toml [[readings]]
appeal_upheld): the points the closed month deducted come back in the month where the
申诉结果 成立 is typed.

Why this way: a complaint deducts in the month it was accepted (受理时间). Its appeal may be
decided weeks later, after that month is closed and its scores are paid; a closed month is
not reopened for it. Instead the close of the month whose 投诉台账 carries the row with
申诉结果 成立 gives back exactly what the closed month deducted for it (with the settings
that month was closed with), as an adjustment (申诉调整) naming the complaint and the month.

    adjustments = late_appeals(Path("D:/服务考核"), "2026-12", complaints.records())
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xinao_xl.books import complaint_ledger
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.port import FileBook
from xinao_xl.policy import complaints, scoring
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import is_blank, normalize_text, parse_department
from xinao_xl.policy.rules import Rules, load_rules

from .complaint_course import courses, reassignments
from .settings import closed_month_rules

__all__ = ["LateAppeal", "late_appeals"]


@dataclass(frozen=True)
class LateAppeal:
    """An upheld appeal of a closed month's complaint: the points to give back now."""

    number: str  # 投诉单号
    department: str
    closed_month: Month
    points: float
    row: int  # the row of this month's 投诉台账 that says 成立

    @property
    def text(self) -> str:
        return f"投诉{self.number}（{self.closed_month} 已结账，扣{self.points:g}分）申诉成立，退回扣分"

    def adjustment(self) -> scoring.Adjustment:
        return scoring.Adjustment(self.points, self.text, self.number)


def _upheld(record: dict[str, Any]) -> bool:
    try:
        return complaints.appeal_upheld(record.get("appeal_result"))
    except PolicyInputError:
        return False  # not a 申诉结果 the dropdown has: validation says so


def _dept(value: Any, rules: Rules) -> str:
    try:
        return parse_department(value, rules)
    except PolicyInputError:
        return "" if is_blank(value) else normalize_text(value)


class _Ledgers:
    """The closed months' 投诉台账 rows that deducted, by (投诉单号, 部门 charged), read once per
    month: the row the complaint's course counts (not a rejected round, a cancelled or
    moved-away ticket; 投诉 第七条) and charged to one of our departments (an internal partner
    unit's deducted nothing, so an upheld appeal has nothing to give back)."""

    def __init__(self, root: Path, rules: Rules) -> None:
        self.root, self.rules = root, rules
        self._rows: dict[Month, dict[tuple[str, str], dict[str, Any]]] = {}

    def row(self, month: Month, number: str, department: str) -> dict[str, Any] | None:
        if month not in self._rows:
            path = MonthFolder(self.root, month).book(complaint_ledger.STEM)
            rows: dict[tuple[str, str], dict[str, Any]] = {}
            if path.exists():
                book = FileBook.open(path)
                records = book.read_table(complaint_ledger.ledger_sheet(self.rules)).records()
                moved = book.read_table(complaint_ledger.reassign_sheet())
                course = courses(records, reassignments(moved.records()) if moved.found else [], self.rules)
                for r in records:
                    c = course[int(r["_row"])]
                    if not is_blank(r.get("no")) and c.deducts:
                        rows.setdefault((normalize_text(r["no"]), c.charged or ""), r)
            self._rows[month] = rows
        return self._rows[month].get((number, department))


def late_appeals(root: Path | str, month: str, records: Iterable[dict[str, Any]], rules: Rules | None = None) -> list[LateAppeal]:
    """The upheld appeals in `records` (this month's 投诉台账) of complaints accepted in a
    closed month before `month`, which that month deducted and no later close gave back."""
    root, month = Path(root), Month(month)
    rules = rules or load_rules()
    ledgers = _Ledgers(root, rules)
    out = []
    for rec in records:
        accepted = rec.get("accepted")
        if not _upheld(rec) or is_blank(rec.get("no")) or not hasattr(accepted, "year"):
            continue
        closed = Month.of(accepted)
        if closed >= month or not MonthFolder(root, closed).closed:
            continue  # this month's own complaint (scored as 无责 directly), or its month still open
        number, department = normalize_text(rec["no"]), _dept(rec.get("dept"), rules)
        then = ledgers.row(closed, number, department)
        if then is None or _upheld(then) or (is_blank(then.get("level")) and is_blank(then.get("channel"))):
            continue  # not in that month's ledger, or already 成立 there (it deducted nothing)
        try:
            points = scoring.complaint_deduction(then.get("level"), then.get("channel"), then.get("resp"), closed_month_rules(root, closed, rules))
        except PolicyInputError:
            continue
        if not points:
            continue
        between = (closed.plus(i) for i in range(1, _months(closed, month)))
        if any(MonthFolder(root, k).closed and (later := ledgers.row(k, number, department)) is not None and _upheld(later) for k in between):
            continue  # given back by the close of a month in between
        out.append(LateAppeal(str(rec["no"]), department, closed, points, int(rec.get("_row") or 0)))
    return out


def _months(first: Month, last: Month) -> int:
    return (last.year - first.year) * 12 + last.number - first.number
