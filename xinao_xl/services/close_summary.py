"""What the close is about to record, shown before it records it (预结账).

    preview = preview_close("2026-11", Path("D:/服务考核"))      # services/close.py
    print(preview.text())

The same text in three places: ``xinao-xl close --dry-run`` prints it and writes nothing;
``xinao-xl close`` prints it and, run at a terminal, asks before writing (``--yes`` for
scripts); the ribbon's 月度结账 shows it in a dialog with 确定/取消. Why: a month with 80
callbacks lacking 回访结果 closed with no warning shown (issue 13) — `validate` found them,
the close never said so.

Warnings are grouped by kind (the message with its quoted values and numbers taken out),
each with its count and its first cells, so 80 of the same read as one line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xinao_xl.policy.scoring import ScoreCard

from .validate_context import Finding

__all__ = ["ClosePreview", "FindingGroup", "group_findings"]

FIRST_CELLS = 5  # cells shown per group
SCORE_HEADERS = ["部门", "扣分合计", "加分合计", "月度服务得分", "考核等级", "权重", "公司绩效服务项", "兼职服务津贴"]
_QUOTED = re.compile(r"“[^”]*”")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass
class FindingGroup:
    """Findings of one kind: same severity, workbook, sheet and message shape."""

    severity: str
    workbook: str
    sheet: str
    label: str  # the first finding's message up to its advice (before the first "：")
    cells: list[str] = field(default_factory=list)
    count: int = 0

    def line(self) -> str:
        shown = "、".join(self.cells[:FIRST_CELLS])
        more = f" 等 {self.count} 处" if self.count > len(self.cells[:FIRST_CELLS]) else ""
        where = f"{self.workbook} {self.sheet}".strip()
        cells = f"（{shown}{more}）" if shown else (f"（{self.count} 处）" if self.count > 1 else "")
        return f"[{self.severity}] {where}：{self.label} ×{self.count}{cells}"


def _kind(f: Finding) -> tuple[str, str, str, str]:
    head = f.kind_message.split("：", 1)[0]
    return (f.severity, f.workbook, f.sheet, _NUMBER.sub("#", _QUOTED.sub("“…”", head)))


def group_findings(findings: Sequence[Finding]) -> list[FindingGroup]:
    """Findings grouped by kind, errors first, then the largest groups. A finding for a
    range of rows ("K3:K82", validation's own grouping) counts each of its rows."""
    groups: dict[tuple[str, str, str, str], FindingGroup] = {}
    for f in sorted(findings, key=Finding.sort_key):
        key = _kind(f)
        g = groups.get(key)
        if g is None:
            g = groups[key] = FindingGroup(f.severity, f.workbook, f.sheet, f.kind_message.split("：", 1)[0])
        g.count += f.size
        if f.cell:
            g.cells.extend(f.cells(FIRST_CELLS))
    return sorted(groups.values(), key=lambda g: (g.severity != "错误", -g.count))


def score_rows(cards: dict[str, ScoreCard]) -> list[list[Any]]:
    rows = []
    for c in cards.values():
        rows.append([c.department, f"{c.deductions:g}", f"{c.bonuses:g}", f"{c.score:g}", c.grade or "—", f"{c.weight:.0%}", f"{c.company_item:g}",
                     "" if c.allowance is None else f"{c.allowance:g}"])
    return rows


def _table(rows: list[list[Any]], headers: list[str]) -> str:
    """Columns lined up for Chinese (double-width) characters, in a console or a message box."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    return "\n".join("  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells)


@dataclass
class ClosePreview:
    """The close as it would be: the findings, the scores, and what is unusual about it."""

    month: str
    cards: dict[str, ScoreCard]
    findings: list[Finding]
    forced: bool = False
    notes: list[str] = field(default_factory=list)  # not ended yet (forced), re-close, an interrupted last run

    @property
    def errors(self) -> int:
        return sum(f.is_error for f in self.findings)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def groups(self) -> list[FindingGroup]:
        return group_findings(self.findings)

    def score_rows(self) -> list[list[Any]]:
        return score_rows(self.cards)

    def text(self, *, scores: bool = True, max_groups: int = 15) -> str:
        """The summary shown before the close writes (console and dialog alike)."""
        lines = [f"{self.month} 预结账：校验 {self.errors} 个错误、{self.warnings} 个警告"
                 + ("（强制结账）" if self.forced else "")]
        groups = self.groups()
        lines += [f"  {g.line()}" for g in groups[:max_groups]]
        if len(groups) > max_groups:
            lines.append(f"  ……另有 {len(groups) - max_groups} 类，运行 xinao-xl validate 查看全部")
        if scores:
            lines += ["", "将记录的得分：", _table(self.score_rows(), SCORE_HEADERS)]
        lines += [f"注意：{n}" for n in self.notes]
        return "\n".join(lines)
