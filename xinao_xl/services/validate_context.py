"""What every validation check shares: the finding type, the month's books as read, helpers.

Split from `validate.py` so the schema checks (`validate_schema`) and the policy and
cross-workbook checks (`validate_rules`) import the same small things without a cycle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xinao_xl.books.port import ERROR, WARNING, WorkbookPort
from xinao_xl.books.read import FormRead, TableRead
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import is_blank
from xinao_xl.policy.privacy import mask_phone as mask_phone  # used by validate_rules, validate
from xinao_xl.policy.privacy import redact_phones
from xinao_xl.policy.rules import Rules

SEVERITIES = (ERROR, WARNING)
# Findings listed one by one per column of a sheet (and severity); the rest are counted in
# one finding at the column's header. 20,000 pasted rows of noise gave 166,000 findings,
# 140 s to write the result copy and nothing a person could act on; the first hundred
# show what is wrong with the column.
LISTED_PER_COLUMN = 100


@dataclass(frozen=True)
class Finding:
    """One problem: 错误 blocks the monthly close, 警告 is shown but does not."""

    severity: str  # 错误 | 警告
    workbook: str
    sheet: str
    cell: str  # "F17"; "" when the problem is the sheet or the workbook itself
    message: str

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}: {self.severity!r}")

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def sort_key(self) -> tuple[Any, ...]:
        m = _CELL.match(self.cell)
        row, col = (int(m.group(2)), (len(m.group(1)), m.group(1))) if m else (0, (0, ""))
        return (self.severity != ERROR, self.workbook, self.sheet, row, col)

    @property
    def size(self) -> int:
        """How many cells the finding names (the rows of a range finding, else 1)."""
        m = _RANGE.fullmatch(self.cell)
        return int(m.group(3)) - int(m.group(2)) + 1 if m else 1

    @property
    def kind_message(self) -> str:
        """The message without a range finding's "第3–82行（共80行）：" in front."""
        return _RANGE_PREFIX.sub("", self.message, count=1)

    def cells(self, limit: int = 1000) -> list[str]:
        """The single cells the finding names: "K3" → ["K3"]; a range of rows "K3:K82" → each
        of its cells (at most `limit`), for marking them one by one."""
        m = _RANGE.fullmatch(self.cell)
        if not m:
            return [self.cell] if self.cell else []
        letter, first, last = m.group(1), int(m.group(2)), int(m.group(3))
        return [f"{letter}{r}" for r in range(first, min(last, first + limit - 1) + 1)]


_CELL = re.compile(r"([A-Z]+)(\d+)")
_RANGE = re.compile(r"([A-Z]+)(\d+):\1(\d+)")
_RANGE_PREFIX = re.compile(r"^第\d+–\d+行（共\d+行）：")


@dataclass
class MonthData:
    """The month's books (by stem), their sheets as read, and the facts rules need."""

    rules: Rules
    now: datetime
    month: Month | None = None  # "2026-11" when known from the file or folder name
    books: dict[str, WorkbookPort] = field(default_factory=dict)
    tables: dict[str, TableRead] = field(default_factory=dict)  # by sheet spec name
    forms: dict[str, FormRead] = field(default_factory=dict)
    previous: TableRead | None = None  # last month's 台账
    # from `lookback.lookback` (history store or past workbooks); when set, `past_calls`
    # replaces `previous` for the 7-day rule and `closed_complaints` feeds the 3-month rule
    past_calls: list[dict[str, Any]] | None = None
    closed_complaints: list[dict[str, Any]] | None = None
    folder: Path | None = None  # the month folder (where the 证据 links point from); None: unknown
    findings: list[Finding] = field(default_factory=list)
    # (severity, workbook, sheet, column key) -> how many findings `at` was given
    counted: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    # the same key -> [not listed, first row, last row, the table]
    unlisted: dict[tuple[str, str, str, str], list[Any]] = field(default_factory=dict)
    # the same key -> the run of consecutive rows its last finding is part of (`at`)
    runs: dict[tuple[str, str, str, str], _Run] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.month = Month(self.month) if self.month is not None else None

    def add(self, severity: str, t: TableRead | FormRead, cell: str, message: str) -> None:
        """Record a finding; a phone number quoted from a cell is masked (138****5678):
        messages reach the console, message boxes and shared result files."""
        self.findings.append(Finding(severity, t.workbook, t.sheet, cell, redact_phones(message)))

    def at(self, severity: str, t: TableRead, key: str, row: int, message: str, general: str | None = None) -> None:
        """A finding on column `key` of record row `row`.

        Findings of one kind in consecutive rows of a column become one finding naming the
        range ("K3:K82", `close_runs`): a half-done day of sampled rows is one line, not 80.
        "One kind" is the same `general` text — the message without what differs from row
        to row (the value quoted); it defaults to the message itself. Beyond
        `LISTED_PER_COLUMN` findings (runs) in the column, the rest are only counted (see
        `unlisted_findings`)."""
        k = (severity, t.workbook, t.sheet, key)
        general = message if general is None else general
        run = self.runs.get(k)
        if run is not None and run.last + 1 == row and run.general == general:
            run.last = row
            return
        if run is not None:
            self._finish(self.runs.pop(k))
        n = self.counted[k] = self.counted.get(k, 0) + 1
        if n <= LISTED_PER_COLUMN:
            self.add(severity, t, t.address(key, row), message)
            self.runs[k] = _Run(len(self.findings) - 1, general, row, row, t, key)
            return
        more = self.unlisted.setdefault(k, [0, row, row, t])
        more[0] += 1
        more[1], more[2] = min(more[1], row), max(more[2], row)

    def close_runs(self) -> None:
        """Turn each run still open into its range finding (see `at`)."""
        for run in self.runs.values():
            self._finish(run)
        self.runs.clear()

    def _finish(self, run: _Run) -> None:
        """A run of more than one row becomes one finding naming the range."""
        if run.last > run.first:
            f = self.findings[run.index]
            cell = f"{run.table.address(run.key, run.first)}:{run.table.address(run.key, run.last)}"
            text = f"第{run.first}–{run.last}行（共{run.last - run.first + 1}行）：{run.general}"
            self.findings[run.index] = Finding(f.severity, f.workbook, f.sheet, cell, redact_phones(text))

    def unlisted_findings(self) -> list[Finding]:
        """One finding per column with more than `LISTED_PER_COLUMN`, at its header cell."""
        out = []
        for (severity, workbook, sheet, key), (count, first, last, t) in self.unlisted.items():
            header = t.spec.column(key).header
            cell = t.address(key, t.header_row) if t.header_row else ""
            out.append(Finding(severity, workbook, sheet, cell,
                               f"“{header}”列另有 {count:,} 个{severity}未逐一列出（第{first}–{last}行，与本列已列出的同类）："
                               "请先改正已列出的，再重新校验"))
        return out

    def in_month(self, moment: Any) -> bool:
        """Whether a date lies in the month validated (True when the month is unknown)."""
        if self.month is None or moment is None:
            return True
        return self.month.contains(moment)


@dataclass
class _Run:
    """Consecutive rows of one column with a finding of one kind (`MonthData.at`)."""

    index: int  # of the run's finding in MonthData.findings
    general: str
    first: int
    last: int
    table: TableRead
    key: str


def show(moment: Any) -> str:
    """A date or moment as staff write it: 2026-11-03 or 2026-11-03 15:20."""
    if isinstance(moment, datetime):
        return f"{moment:%Y-%m-%d}" if moment.time() == datetime.min.time() else f"{moment:%Y-%m-%d %H:%M}"
    if isinstance(moment, date):
        return f"{moment:%Y-%m-%d}"
    return str(moment)


def as_moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    return None


def blank(value: Any) -> bool:
    return is_blank(value)
