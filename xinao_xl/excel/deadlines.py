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
from xinao_xl.policy import deadlines
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.parse import is_blank
from xinao_xl.policy.rules import load_rules

__all__ = ["DeadlineSummary", "STAGE_NAMES", "summarize_complaints"]

STAGE_NAMES = {"investigate": "调查", "handle": "处理", "revisit": "回访"}
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


def summarize_complaints(book: WorkbookPort, now: datetime | None = None) -> DeadlineSummary:
    rules = load_rules()
    now = now or datetime.now()
    table = book.read_table(complaint_ledger.ledger_sheet(rules))
    summary = DeadlineSummary()
    if not table.found:
        return summary
    for record in table.records():
        for stage, name in STAGE_NAMES.items():
            _, start_key, done_key, _, _ = complaint_ledger.STAGE_COLUMNS[stage]
            start = record.get(start_key)
            if is_blank(start):
                continue
            try:
                due = deadlines.stage_due(stage, start, not is_blank(record.get("major")), rules=rules)
                status = deadlines.sla_status(due, record.get(done_key), now, rules)
            except PolicyInputError as exc:
                summary.unknown.append(f"第 {record.get(ROW)} 行 {name}：{exc}")
                continue
            summary.counts[status] += 1
            if status in ATTENTION:
                summary.attention.append((status, str(record.get("no") or ""), str(record.get("dept") or ""), name, due))
    summary.attention.sort(key=lambda a: (a[0] != "已超时", a[4]))
    return summary


