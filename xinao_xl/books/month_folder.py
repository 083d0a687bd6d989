"""A month's folder ``root/YYYY-MM/`` and every file in it the tool names.

    >>> mf = MonthFolder(Path("D:/服务考核"), "2026-11")
    >>> mf.book(callback_ledger.STEM).name, mf.record_path.name, mf.output("回访报告").parent.name
    ('2026-11_客户回访信息台账.xlsx', '2026-11_结账记录.json', '结账')
    >>> mf.next().month, mf.prev().path.name
    ('2026-12', '2026-10')

What lives there, and who writes it:

- the four workbooks staff type in (``2026-11_客户回访信息台账.xlsx`` …; `new-month`, the
  close of the month before);
- ``结账/``: the close's outputs (`OUTPUTS`: the closed 考核表, the filled 意见统计表, the
  客户回访报告, the 流转单; the report and the 流转单 also from their ribbon buttons and
  commands, chosen 流转单 in a file of their own: `flow_form_file`);
- the close record ``2026-11_结账记录.json`` (who, when, the SHA-256 of every input and
  output) and the closed marker ``已结账.txt``, written last: a month is closed when the
  marker is there (`closed_months`);
- ``证据``: the files the 投诉台账's 证据 sheet links to (photos, recordings, screenshots,
  system records of a complaint; staff put them there, the close reads nothing in it);
- ``投诉单``: the one-page complaint sheets and 附件5 applications (`complaint_form_file`,
  services/complaint_forms.py);
- ``2026-11_校验结果.xlsx``: the last validation run's findings with links to the cells
  (`results_name`, books/results.py); replaced by each run, removed by the close;
- ``自评/``: the departments' 自评表 the hand-out writes (``客服部_自评.xlsx`` …, `handout_file`),
  returned into the same folder under any name, and the hand-out's record ``发放记录.json``
  (`handout_record`: what each locked cell held, the deadline) that the collect checks against;
- ``结账/2026-11_服务津贴申请.xlsx``: the allowance application (the close, `allowance-form`);
- ``历史版本``: the files each atomic replace kept (books/save.py);
- the month's lock file (`lock_path`) and its holder note: one writer at a time holds the
  month through it (books/lock.py `MonthLock`; services/month_writer.py for the use cases).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import xinao_xl
from xinao_xl.policy.errors import XinaoError
from xinao_xl.policy.month import Month

from . import assessment, opinions
from .save import HISTORY_DIR, keep_version, write_text_atomic
from .workbooks import BOOKS, file_name

__all__ = ["EVIDENCE_DIR", "FORMS_DIR", "LOCK", "MARKER", "OUTPUTS", "OUT_DIR", "RESULTS", "SELF_DIR", "STEMS", "MonthFolder",
           "MonthMissingError", "closed_months", "is_results_file", "results_name"]

STEMS = tuple(stem for stem, _ in BOOKS)
OUT_DIR = "结账"
EVIDENCE_DIR = "证据"
FORMS_DIR = "投诉单"
MARKER = "已结账.txt"
LOCK = ".xinao-xl.lock"
# The close's outputs in 结账/, by the key `CloseResult.outputs` uses, in the order written.
OUTPUTS = ("考核表", "意见统计表", "回访报告", "流转单", "服务津贴申请")
SELF_DIR = "自评"
_MARKER_TIME = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})")
RESULTS = "校验结果"


def results_name(month: str | None) -> str:
    """The validation results workbook: ``2026-11_校验结果.xlsx`` (``校验结果.xlsx`` without a month)."""
    return f"{month}_{RESULTS}.xlsx" if month else f"{RESULTS}.xlsx"


def is_results_file(path: Path) -> bool:
    """A results workbook of validation: this version's (`results_name`) or a marked copy
    ``<book>_校验结果.xlsx`` the versions before wrote beside each workbook."""
    stem = Path(path).stem
    return stem == RESULTS or stem.endswith("_" + RESULTS)


class MonthMissingError(XinaoError, FileNotFoundError):
    """A workbook of the month is not in its folder (Chinese message)."""


@dataclass(frozen=True)
class MonthFolder:
    """``root/month``: the paths of everything in a month's folder, the closed marker and
    the close record."""

    root: Path
    month: Month

    def __init__(self, root: Path | str, month: str) -> None:
        object.__setattr__(self, "root", Path(root))
        object.__setattr__(self, "month", Month(month))

    @property
    def path(self) -> Path:
        return self.root / self.month

    def next(self) -> MonthFolder:
        return MonthFolder(self.root, self.month.next())

    def prev(self, n: int = 1) -> MonthFolder:
        return MonthFolder(self.root, self.month.prev(n))

    # --- the four workbooks ----------------------------------------------------------------

    def book(self, stem: str) -> Path:
        """``root/2026-11/2026-11_<stem>.xlsx`` (there or not)."""
        return self.path / file_name(stem, self.month)

    @property
    def books(self) -> dict[str, Path]:
        """stem -> path of the four workbooks (there or not)."""
        return {stem: self.book(stem) for stem in STEMS}

    def existing_books(self) -> dict[str, Path]:
        """stem -> path; all four must be there (else `MonthMissingError` naming them)."""
        paths = self.books
        missing = [p.name for p in paths.values() if not p.exists()]
        if missing:
            raise MonthMissingError(f"{self.path} 中缺少：{'、'.join(missing)}")
        return paths

    # --- closed marker and close record --------------------------------------------------------

    @property
    def marker(self) -> Path:
        return self.path / MARKER

    @property
    def closed(self) -> bool:
        """The close finished (its marker is the last thing it writes)."""
        return self.marker.is_file()

    def closed_text(self) -> str:
        """The marker's line (``2026-12-03 09:00（孙雪燕，xinao-xl 0.1.0）``), "" when not closed."""
        return self.marker.read_text(encoding="utf-8").strip() if self.closed else ""

    def closed_at(self) -> datetime | None:
        """The time the marker gives (to the minute), None when there is none."""
        found = _MARKER_TIME.match(self.closed_text())
        return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M") if found else None

    def mark_closed(self, now: datetime, user: str | None) -> Path:
        return write_text_atomic(self.marker, f"{now:%Y-%m-%d %H:%M}（{user or '未知用户'}，xinao-xl {xinao_xl.__version__}）\n")

    @property
    def record_path(self) -> Path:
        return self.path / f"{self.month}_结账记录.json"

    def load_record(self) -> dict[str, Any]:
        """The close record, {} when there is none or it cannot be read (`integrity.load_record`
        says which, for a closed month)."""
        try:
            record = json.loads(self.record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return record if isinstance(record, dict) else {}

    def save_record(self, record: dict[str, Any]) -> Path:
        return write_text_atomic(self.record_path, json.dumps(record, ensure_ascii=False, indent=2) + "\n")

    # --- outputs, kept versions, the lock --------------------------------------------------------

    @property
    def out_dir(self) -> Path:
        return self.path / OUT_DIR

    def output_names(self) -> dict[str, str]:
        """The files of ``结账/`` by `OUTPUTS` key."""
        m = self.month
        names = (f"{m}_{assessment.STEM}_结账.xlsx", f"{m}_{opinions.STEM}_结账.xlsx", f"{m}_客户回访报告.xlsx", f"{m}_流转单.xlsx",
                 f"{m}_服务津贴申请.xlsx")
        return dict(zip(OUTPUTS, names, strict=True))

    def output(self, key: str) -> Path:
        return self.out_dir / self.output_names()[key]

    def flow_form_file(self, numbers: Sequence[str] = ()) -> Path:
        """Where the 流转单 go: the month's file (`output`) for all of them; for forms printed at
        the moment of flow (``flow-forms --order``) a file of their own, named by the first
        number (``2026-11_流转单_LZ001.xlsx``, ``…_LZ001等3张.xlsx``), so printing one form never
        replaces the month's file."""
        if not numbers:
            return self.output("流转单")
        first = re.sub(r'[\\/:*?"<>|\s]+', "_", str(numbers[0])).strip("._")[:40] or "流转单"
        more = f"等{len(numbers)}张" if len(numbers) > 1 else ""
        return self.out_dir / f"{self.month}_流转单_{first}{more}.xlsx"

    # --- the departments' 自评表 (考核 5.1-5.2) ---------------------------------------------------

    @property
    def self_dir(self) -> Path:
        """``2026-11/自评``: the hand-out's files, and the returned ones put back there."""
        return self.path / SELF_DIR

    def handout_file(self, department: str) -> Path:
        return self.self_dir / f"{department}_自评.xlsx"

    @property
    def handout_record(self) -> Path:
        return self.self_dir / "发放记录.json"

    @property
    def results_path(self) -> Path:
        """Where `xinao-xl validate` of this month writes its results (`results_name`)."""
        return self.path / results_name(self.month)

    def results_files(self) -> list[Path]:
        """The results workbook and the marked copies earlier versions left in the folder."""
        legacy = [self.path / f"{p.stem}_{RESULTS}.xlsx" for p in self.books.values()]
        return [p for p in (self.results_path, *legacy) if p.is_file()]

    def clear_results(self) -> list[str]:
        """Remove the validation results of the month (at the close: they describe the books
        before the close). A marked copy of a book may hold a clerk's edits: it is kept in
        历史版本 first. Returns a line for each file that could not be removed (open in Excel)."""
        left = []
        for path in self.results_files():
            try:
                if path != self.results_path:
                    keep_version(path)
                path.unlink()
            except OSError:
                left.append(f"{path.name} 未能删除（可能正在打开）：它是结账前的校验结果，请关闭后删除")
        return left

    @property
    def evidence_dir(self) -> Path:
        """Where a complaint's evidence files go; the 证据 sheet links to them relative to the
        month folder (``证据/TS2026110001_现场照片.jpg``)."""
        return self.path / EVIDENCE_DIR

    def complaint_form_file(self, number: str, termination: bool = False) -> Path:
        """Where a complaint's printable sheet goes: ``投诉单/2026-11_投诉单_TS2026110001.xlsx``,
        the 附件5 application ``投诉单/2026-11_特殊终止申请表_TS2026110001.xlsx``."""
        safe = re.sub(r'[\\/:*?"<>|\s]+', "_", str(number)).strip("._")[:40] or "投诉单"
        kind = "特殊终止申请表" if termination else "投诉单"
        return self.path / FORMS_DIR / f"{self.month}_{kind}_{safe}.xlsx"

    @property
    def history_dir(self) -> Path:
        """Where replaced files of the folder are kept (books/save.py)."""
        return self.path / HISTORY_DIR

    @property
    def lock_path(self) -> Path:
        """The month's writer lock file (books/lock.py holds it)."""
        return self.path / LOCK


def closed_months(root: Path | str) -> list[Month]:
    """The months under `root` (folders named ``YYYY-MM``) that carry the closed marker, oldest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    months = (Month.match(p.name) for p in root.iterdir() if p.is_dir())
    return sorted(m for m in months if m is not None and MonthFolder(root, m).closed)
