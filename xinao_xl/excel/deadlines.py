"""刷新时限: the complaint stages by deadline status, computed with the policy (not read back
from cached formula results, which a file written by openpyxl does not have).

    >>> summarize_complaints(FileBook(path), now).text()      # doctest: +SKIP
    '投诉时限：已超时 1 项，即将到期 2 项 ...'
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from xinao_xl.books import complaint_ledger
from xinao_xl.books.port import WorkbookPort
from xinao_xl.books.read import ROW
from xinao_xl.policy import clock, deadlines
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.parse import is_blank
from xinao_xl.policy.rules import Rules, load_rules
from xinao_xl.services.complaint_course import courses, reassignments

__all__ = ["DeadlineSummary", "STAGE_NAMES", "summarize_complaints"]

# the stages with a deadline to watch; 申诉处理 (3 working days) until its 申诉结果 is typed
STAGE_NAMES = {"investigate": "调查", "handle": "处理", "revisit": "回访", "appeal_handle": "申诉处理"}
ATTENTION = ("已超时", "即将到期")


@dataclass
class DeadlineSummary:
    counts: Counter[str] = field(default_factory=Counter)
    attention: list[tuple[str, str, str, str, datetime]] = field(default_factory=list)  # status, no, dept, stage, due
    unknown: list[str] = field(default_factory=list)  # rows whose deadline cannot be computed

    def text(self, limit: int = 15) -> str:
        head = "，".join(f"{s} {self.counts[s]} 项" for s in ("已超时", "即将到期", "正常", "按时完成", "超时完成") if self.counts[s])
        lines = [f"投诉时限：{head or '台账中没有投诉'}"]
        for status, no, dept, stage, due in self.attention[:limit]:
            lines.append(f"[{status}] {no} {dept} {stage}：截止 {due:%Y-%m-%d %H:%M}")
        if len(self.attention) > limit:
            lines.append(f"……另有 {len(self.attention) - limit} 项")
        lines += [f"无法计算：{u}" for u in self.unknown[:5]]
        return "\n".join(lines)


def summarize_complaints(book: WorkbookPort, now: datetime | None = None, rules: Rules | None = None) -> DeadlineSummary:
    """`rules`: the month's (the office's settings: working days, natural-day counting)."""
    rules = rules or load_rules()
    now = now or clock.now()
    table = book.read_table(complaint_ledger.ledger_sheet(rules))
    summary = DeadlineSummary()
    if not table.found:
        return summary
    spec = complaint_ledger.ledger_sheet(rules)
    moved = book.read_table(complaint_ledger.reassign_sheet())
    course = courses(table.records(), reassignments(moved.records()) if moved.found else [], rules)
    for record in table.records():
        c = course[int(record[ROW])]
        if not c.counts:
            continue  # a rejected round, a cancelled or re-assigned ticket: its stages are over
        for stage, name in STAGE_NAMES.items():
            due_key, _, done_key, _, _ = complaint_ledger.STAGE_COLUMNS[stage]
            start = c.start(stage, record)
            if is_blank(start) or (stage == "appeal_handle" and not is_blank(record.get("appeal_result"))):
                continue  # an appeal with its 申诉结果 is decided
            try:
                due = deadlines.stage_due(stage, start, not is_blank(record.get("major")), rules=rules)
                status = deadlines.sla_status(due, record.get(done_key) if done_key else None, now, rules)
            except PolicyInputError as exc:  # 日历未确认 among them: said at the deadline's cell
                summary.unknown.append(f"{spec.letter(due_key)}{record.get(ROW)}（第 {record.get(ROW)} 行 {name}时限）：{exc}")
                continue
            summary.counts[status] += 1
            if status in ATTENTION:
                summary.attention.append((status, str(record.get("no") or ""), str(record.get("dept") or ""), name, due))
    summary.attention.sort(key=lambda a: (a[0] != "已超时", a[4]))
    return summary


