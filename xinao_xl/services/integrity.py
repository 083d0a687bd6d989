"""Use case: is a closed month still what was closed? (`xinao-xl verify 2026-11`).

    report = verify_month(Path("D:/服务考核"), "2026-11")
    print("\\n".join(report.messages()))

The monthly close writes the SHA-256 of each of the month's four workbooks into
``YYYY-MM_结账记录.json`` (`close._write_record`; the folder's names: books/month_folder.py), with who closed it and when, and a digest
of each workbook's entry cells (`content_digest`, "内容摘要"). Scores, allowances and the
report were computed from exactly those bytes; a workbook changed afterwards (a row added,
a level corrected) no longer matches the closed figures. This module compares and says in
Chinese which file changed, when the month was closed and by whom, and what to do (re-close
with ``--force`` and a reason). A file whose bytes differ but whose entry cells do not was
only re-saved (Excel asks to save the 台账 because of NOW()): 已重新保存, not a change.

`validate` (a closed month's folder), `close --force` (before the record is replaced) and
`doctor` (every closed month beside the folder) report the same messages. The outputs in
``结账/`` are compared too, but only reported by `verify`: staff are meant to fill the
report's 整改建议 after the close.

A closed month is one with the marker ``已结账.txt`` (written last by the close); a month
with a record but no marker was not closed (an interrupted close). `closed_months` lists
them (books/month_folder.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, opinions
from xinao_xl.books.month_folder import MARKER, OUT_DIR, MonthFolder
from xinao_xl.books.read import BookReader, BookReadError
from xinao_xl.books.save import sha256
from xinao_xl.books.schema import FormSheet, TableSheet, WorkbookSpec
from xinao_xl.policy import clock
from xinao_xl.policy.rules import Rules, load_rules

__all__ = ["DIGEST_VERSION", "DIGEST_VERSION_KEY", "FileChange", "MonthIntegrity", "changed_files", "content_digest", "content_digests",
           "describe_close", "verify_month"]

DIGEST_VERSION = 3  # of `content_digest`: 1 entry cells only; 2 and which cells of each sheet hold a formula;
# 3 and the 考核表's review and approval cells on 汇总 (issue 19: a record before them knew no such cells)
DIGEST_VERSION_KEY = "内容摘要版本"  # in the 结账记录, beside 内容摘要
CHANGED = "已修改"
MISSING = "已删除或移走"
RESAVED = "已重新保存"  # bytes differ, the entry cells the close read do not (`content_digest`)


@dataclass(frozen=True)
class FileChange:
    """A file whose bytes are no longer those the close recorded."""

    name: str  # as in the record: "2026-11_客户回访信息台账.xlsx" or "结账/…"
    state: str  # 已修改 | 已删除或移走 | 已重新保存
    modified: datetime | None = None  # the file's modification time, when it is there


@dataclass
class MonthIntegrity:
    """What `verify_month` found for one month."""

    month: str
    folder: Path
    closed: bool
    record: dict[str, Any] = field(default_factory=dict)
    record_problem: str = ""  # why the record cannot be used ("" when it can)
    inputs: list[FileChange] = field(default_factory=list)
    outputs: list[FileChange] = field(default_factory=list)
    checked: int = 0  # input files compared

    @property
    def changed(self) -> list[FileChange]:
        """Inputs changed or gone (a file only re-saved is not among them)."""
        return [c for c in self.inputs if c.state != RESAVED]

    @property
    def ok(self) -> bool:
        """Closed, with a usable record, and every input's entries as closed."""
        return self.closed and not self.record_problem and not self.changed

    def closed_by(self) -> str:
        return describe_close(self.month, self.record)

    def input_messages(self) -> list[str]:
        """One Chinese message per changed input (or for an unusable record)."""
        if not self.closed:
            return []
        if self.record_problem:
            return [self.record_problem]
        return [change_message(self.month, c, self.record) for c in self.changed]

    def resaved_messages(self) -> list[str]:
        return [f"{c.name} 在结账后重新保存过{_when(c)}，结账所用的录入内容未变（{self.closed_by()}）：无需处理"
                for c in self.inputs if c.state == RESAVED]

    def output_messages(self) -> list[str]:
        return [f"结账结果 {c.name} {c.state}{_when(c)}（{self.closed_by()}）；回访报告中填写整改建议属正常，其他改动请核对" for c in self.outputs]

    def messages(self) -> list[str]:
        if not self.closed:
            return [f"{self.month} 尚未结账（{self.folder} 中没有 {MARKER}），无需核对"]
        if self.ok:
            lines = [f"{self.month} 的 {self.checked} 个输入工作簿与结账记录一致（{self.closed_by()}）"]
        else:
            lines = self.input_messages()
        return lines + self.resaved_messages() + self.output_messages()


def _show_time(text: str) -> str:
    try:
        return f"{clock.local(datetime.fromisoformat(text)):%Y-%m-%d %H:%M}"
    except (TypeError, ValueError):
        return str(text or "时间不明")


def describe_close(month: str, record: Mapping[str, Any]) -> str:
    """"2026-11 于 2026-12-03 09:00 由 孙雪燕 结账" from a 结账记录."""
    who = str(record.get("结账人") or "").strip() or "未记录结账人"
    forced = "（强制）" if record.get("强制结账") else ""
    return f"{month} 于 {_show_time(record.get('结账时间', ''))} 由 {who} 结账{forced}"


def _when(change: FileChange) -> str:
    return f"（文件修改时间 {change.modified:%Y-%m-%d %H:%M}）" if change.modified else ""


def change_message(month: str, change: FileChange, record: Mapping[str, Any]) -> str:
    """The message for one changed input of a closed month: which file, when closed, by whom, what to do."""
    if change.state == MISSING:
        return (f"{change.name} 在结账后{MISSING}（{describe_close(month, record)}）：请把该工作簿放回月份文件夹"
                f"（可从备份恢复），否则无法核对本月结账结果")
    return (f"{change.name} 在结账后被修改{_when(change)}（{describe_close(month, record)}）：本月得分和报告按结账时的内容计算；"
            f"如修改属实需要重新计分，请运行 xinao-xl close {month} --force --reason 说明原因，否则请恢复结账时的文件")


def changed_files(folder: Path, digests: Mapping[str, str], contents: Mapping[str, str] | None = None,
                  rules: Rules | None = None, version: int = DIGEST_VERSION) -> list[FileChange]:
    """The files (names relative to `folder`) whose SHA-256 differs from `digests`, or are gone.

    A file whose bytes differ but whose `content_digest` (of `version`) equals
    `contents[name]` (the record's 内容摘要) is only 已重新保存.
    """
    out = []
    for name, digest in digests.items():
        path = folder / name
        if not path.is_file():
            out.append(FileChange(name, MISSING))
        elif sha256(path) != digest:
            state = CHANGED
            stem = stem_of(name)
            if contents and name in contents and stem:
                try:
                    if content_digest(BookReader(path), stem, rules or load_rules(), version) == contents[name]:
                        state = RESAVED
                except BookReadError:
                    pass  # unreadable now: changed, and validate says why
            out.append(FileChange(name, state, clock.from_timestamp(path.stat().st_mtime)))
    return out


def load_record(mf: MonthFolder) -> tuple[dict[str, Any], str]:
    """(the record, "") or ({}, why it cannot be used)."""
    month, path = mf.month, mf.record_path
    if not path.is_file():
        return {}, f"{month} 已结账，但找不到结账记录 {path.name}：无法核对输入工作簿是否在结账后被修改"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}, f"{month} 的结账记录 {path.name} 无法读取（文件损坏或被改动）：无法核对输入工作簿"
    if not isinstance(record, dict) or not isinstance(record.get("inputs"), dict) or not record["inputs"]:
        return {}, f"{month} 的结账记录 {path.name} 中没有输入工作簿的校验值：无法核对"
    return record, ""


def verify_month(root: Path, month: str, outputs: bool = True, rules: Rules | None = None) -> MonthIntegrity:
    """Compare ``root/month``'s workbooks (and outputs) with its 结账记录."""
    mf = MonthFolder(root, month)
    folder = mf.path
    result = MonthIntegrity(mf.month, folder, closed=mf.closed)
    if not result.closed:
        return result
    result.record, result.record_problem = load_record(mf)
    if result.record_problem:
        return result
    inputs = {str(k): str(v) for k, v in result.record["inputs"].items()}
    result.checked = len(inputs)
    contents = result.record.get("内容摘要")
    version = result.record.get(DIGEST_VERSION_KEY, 1)  # records before formulas were covered: version 1
    result.inputs = changed_files(folder, inputs, contents if isinstance(contents, dict) else None, rules,
                                  version if isinstance(version, int) else 1)
    if outputs:
        result.outputs = changed_files(folder, {str(k): str(v) for k, v in (result.record.get("outputs") or {}).items() if str(k).startswith(OUT_DIR)})
    return result


# --- what the close read: the entry cells -------------------------------------------------

SPECS: dict[str, Callable[[Rules], WorkbookSpec]] = {
    assessment.STEM: assessment.assessment_spec,
    callback_ledger.STEM: callback_ledger.callback_spec,
    opinions.STEM: opinions.opinions_spec,
    complaint_ledger.STEM: complaint_ledger.complaint_spec,
}


def stem_of(name: str) -> str | None:
    return next((stem for stem in SPECS if stem in name), None)


def content_digest(reader: BookReader, stem: str, rules: Rules, version: int = DIGEST_VERSION) -> str:
    """SHA-256 of the entry cells of a month workbook (what staff typed and the close
    reads), and of where its formulas are.

    Why beside the file's SHA-256: the 台账's 是否超时 uses NOW(), so Excel asks to save a
    closed month's 台账 that was only opened and looked at; the bytes change (cached
    formula values, Excel's own layout of the file) while nothing the close used did.
    Styles, formula results and sheets the close does not read are left out; each value is
    taken as the file holds it (type and value), by sheet, row and column.

    The 汇总's 审核人/审核日期/审批人/审批日期 (version 3) are entry cells too; a record of
    version 1 or 2 is checked without them.

    Formulas (version 2): the addresses of the cells of each sheet that hold a formula, not
    their text. A score typed over its formula is a change (validate calls it an error);
    Excel re-saving writes the same formulas as shared formulas (other text, same cells),
    which is not. Records written before version 2 are checked the version-1 way
    (`verify_month` reads the record's 内容摘要版本).
    """
    h = hashlib.sha256()
    for sheet in SPECS[stem](rules).sheets:
        if sheet.name not in reader.sheet_names:
            h.update(f"{sheet.name}\0缺少\n".encode())
            continue
        rows = reader.rows(sheet.name)
        blocks: list[tuple[int, int, list[int]]] = []  # (first, last Excel row, entry columns)
        if isinstance(sheet, TableSheet):
            header_row, columns = reader.find_header(sheet.name, sheet.headers)
            blocks = [(header_row + 1, len(rows), [columns[c.header] for c in sheet.entry_columns if c.header in columns])]
        elif isinstance(sheet, FormSheet):
            keys = [c.key for c in sheet.columns]
            left_out = assessment.REVIEW_KEYS if version < 3 else ()
            blocks = [(sheet.first_row + n,) * 2 + ([keys.index(k) for k in row.entry_keys if k in keys and k not in left_out],)
                      for n, row in enumerate(sheet.rows + sheet.footer_rows)]
        # each line hashed as it is made ("\n".join of a 100,000-row sheet, encoded, held
        # three copies of it: the close's peak at 100,000 callbacks); the digest is the same
        h.update(f"{sheet.name}\n".encode())
        for first, last, idx in blocks:
            if not idx:
                continue
            pick = itemgetter(*idx, idx[0])  # always a tuple, even for one column
            width = max(idx) + 1
            for excel_row in range(first, min(last, len(rows)) + 1):
                row = rows[excel_row - 1]
                # calamine gives "" for an empty cell inside the sheet's range; a row shorter
                # than the entry columns (another writer's range) is padded the same way
                values = pick(row if len(row) >= width else [*row, *[""] * (width - len(row))])[:-1]
                if values.count("") + values.count(None) < len(values):
                    h.update(f"{excel_row}\t{values!r}\n".encode())
        if version >= 2:
            h.update(("公式\t" + ",".join(sorted(reader.formula_cells(sheet.name), key=_cell_order)) + "\n").encode())
    return h.hexdigest()


def _cell_order(address: str) -> tuple[int, int, str]:
    letters = address.rstrip("0123456789")
    return (int(address[len(letters):] or 0), len(letters), letters)


def content_digests(paths: Mapping[str, Path], rules: Rules, readers: Mapping[str, BookReader] | None = None) -> dict[str, str]:
    """File name -> `content_digest` of the month's workbooks (stem -> path); `readers` reuses
    the close's open readers (their sheets are already read)."""
    readers = readers or {}
    return {path.name: content_digest(readers.get(stem) or BookReader(path), stem, rules) for stem, path in paths.items()}
