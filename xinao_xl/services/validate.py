"""Use case: validate a month's workbooks (`xinao-xl validate`, ribbon 校验本簿).

    findings = validate_month(Path("D:/服务考核/2026-11"))
    path = write_results(findings, month_sources(Path("D:/服务考核/2026-11"))[0], month="2026-11")

Four kinds of checks, each finding naming the workbook, sheet and cell and saying in
Chinese what to type instead:

- schema (`validate_schema`): types, dropdown values, ranges, lengths, required cells,
  date order (回访日期 ≥ 完工日期, 反馈 ≥ 流转, complaint stages in order);
- policy (`validate_rules`): callback more than 3 days after completion (回访 五.2), the
  same customer twice within 7 days, last month included (三.3), 不满意 without 流转单
  and a 流转单 past its deadline without feedback (六), media praise outside 3–5 (考核
  7.2), 有责 with a 无责 reason (投诉 附件2), the complaint's course (投诉 第七条: a 驳回
  without its next round, a complaint callback late or unsatisfied and not rechecked, a
  客户误解 无责 without a confirming callback, special termination of an 有责 complaint or
  without approval, 改派记录 against the ledger, 证据 links to files that are not there);
- across workbooks: 台账 opinions in the 意见统计表; the 考核表's 汇入 against a recount of
  the 台账 and the 投诉台账 (older figures: refresh; the complaints that deduct as the
  complaint's course counts them);
- tampering: a formula cell overwritten by a typed value;
- a closed month's workbook changed after the close (`validate_month` only, from the file's
  SHA-256 against the month's 结账记录; services/integrity.py).

错误 blocks the monthly close; 警告 is shown. The workbooks are only read: the results go
into one workbook (``2026-11_校验结果.xlsx`` in the month's folder, replaced by each run,
removed by the close) whose links open each book at the cell to fix (books/results.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, opinions
from xinao_xl.books.month_folder import STEMS, MonthFolder, is_results_file, results_name
from xinao_xl.books.port import ERROR, WARNING, FileBook, WorkbookPort
from xinao_xl.books.results import SHEET as RESULT_SHEET
from xinao_xl.books.results import Link, write_results_book
from xinao_xl.books.schema import FormSheet, TableSheet, WorkbookSpec
from xinao_xl.policy import clock
from xinao_xl.policy.errors import XinaoError
from xinao_xl.policy.month import Month
from xinao_xl.policy.rules import Rules, load_rules

from . import validate_rules as R
from . import validate_schema as S
from .appeals import LateAppeal, late_appeals
from .integrity import verify_month
from .lookback import Lookback, lookback
from .month_books import MonthBooks
from .settings import closed_month_rules
from .validate_context import Finding, MonthData, mask_phone

__all__ = [
    "ERROR",
    "WARNING",
    "Finding",
    "RESULT_SHEET",
    "closed_month_findings",
    "has_errors",
    "mask_phone",
    "month_sources",
    "validate_books",
    "validate_month",
    "write_results",
]

# The sheet that tells a workbook apart when its file was renamed.
SIGNATURE_SHEETS = {
    assessment.ITEMS: assessment.STEM,
    callback_ledger.LEDGER: callback_ledger.STEM,
    opinions.SHEET: opinions.STEM,
    complaint_ledger.LEDGER: complaint_ledger.STEM,
}


class ValidateInputError(XinaoError, ValueError):
    """The files given are not a month's workbooks (Chinese message); exit code 2."""


# --- which file is which -----------------------------------------------------------------


def month_sources(source: Path | Sequence[Path]) -> tuple[dict[str, Path], str | None]:
    """The workbooks (stem -> path) in a month folder or a list of files, and the month.

    A file is recognised by its name (``2026-11_客户投诉台账.xlsx``), else by its sheets.
    """
    paths: list[Path] = []
    month = None
    items = [source] if isinstance(source, str | Path) else list(source)
    for item in items:
        item = Path(item)
        if item.is_dir():
            found = sorted(p for p in item.glob("*.xlsx") if not p.name.startswith(("~$", ".")) and not is_results_file(p))
            if not found:
                raise ValidateInputError(f"文件夹 {item} 中没有 .xlsx 工作簿")
            paths.extend(found)
            month = month or Month.search(item.name)
        else:
            if not item.exists():
                raise ValidateInputError(f"找不到文件：{item}")
            paths.append(item)
    books: dict[str, Path] = {}
    for path in paths:
        stem = _stem_of(path)
        if stem is None:
            raise ValidateInputError(f"无法识别 {path.name}：不是考核表、回访台账、意见统计表或投诉台账")
        if stem in books:
            raise ValidateInputError(f"{books[stem].name} 和 {path.name} 是同一种工作簿，请只给出一个")
        books[stem] = path
        month = month or Month.search(path.name)
    return books, month


def _stem_of(path: Path) -> str | None:
    for stem in STEMS:
        if stem in path.stem:
            return stem
    if path.suffix.lower() != ".xlsx":
        return None
    try:
        names = FileBook(path).sheet_names()
    except Exception:
        return None
    for sheet, stem in SIGNATURE_SHEETS.items():
        if sheet in names:
            return stem
    return None


def previous_ledger_path(folder: Path | None, month: str | None, given: Path | None) -> Path | None:
    """Last month's 台账: in the folder given, else in the sibling folder of the month before."""
    if given is not None:
        candidates = sorted(Path(given).glob(f"*{callback_ledger.STEM}*.xlsx")) if Path(given).is_dir() else [Path(given)]
        return candidates[0] if candidates else None
    if folder is None or month is None:
        return None
    candidates = sorted((folder.parent / Month(month).prev()).glob(f"*{callback_ledger.STEM}*.xlsx"))
    return candidates[0] if candidates else None


# --- the checks ----------------------------------------------------------------------------


def _specs(rules: Rules) -> dict[str, WorkbookSpec]:
    return {
        assessment.STEM: assessment.assessment_spec(rules),
        callback_ledger.STEM: callback_ledger.callback_spec(rules),
        opinions.STEM: opinions.opinions_spec(rules),
        complaint_ledger.STEM: complaint_ledger.complaint_spec(rules),
    }


def validate_books(
    books: Mapping[str, WorkbookPort],
    month: str | None = None,
    previous: WorkbookPort | None = None,
    now: datetime | None = None,
    rules: Rules | None = None,
    lookback: Lookback | None = None,
    late_appeals: Sequence[LateAppeal] = (),
    folder: Path | None = None,
    month_books: MonthBooks | None = None,
) -> list[Finding]:
    """Validate the month's books (stem -> port); the port-level entry the add-in will use.

    The cross-month rules see `lookback` (history store or past workbooks) when given,
    else last month's 台账 `previous` for the 7-day rule only. `folder`: the month folder
    the 证据 links are relative to (default: the 投诉台账 file's folder). `month_books`: the
    close's own view of these books (same rules, same time), whose recount of the 汇入 the
    close writes into the closed 考核表: the check that 汇入 is current compares with that very
    recount instead of counting the month a second time."""
    rules = rules or load_rules()
    if folder is None and complaint_ledger.STEM in books:
        source = getattr(books[complaint_ledger.STEM], "source", None) or getattr(books[complaint_ledger.STEM], "path", None)
        folder = Path(source).parent if source else None
    m = MonthData(rules=rules, now=now or clock.now(), month=month, books=dict(books), folder=folder)
    if lookback is not None:
        m.past_calls, m.closed_complaints = lookback.calls, lookback.closed
    specs = _specs(rules)
    for stem, book in books.items():
        spec = specs[stem]
        names = [s.name for s in spec.sheets]
        for sheet in spec.sheets:
            if isinstance(sheet, TableSheet):
                t = book.read_table(sheet, names)
                m.tables[sheet.name] = t
                S.check_table_shape(m, t)
                S.check_table_cells(m, t)
                S.check_text_values(m, t)
                S.check_contacts(m, t)
                S.check_required(m, t)
                S.check_unique(m, t)
                if t.found:
                    S.check_table_formulas(m, book, t, book.read_formula_cells(t.sheet))
            elif isinstance(sheet, FormSheet):
                f = book.read_form(sheet)
                m.forms[sheet.name] = f
                if stem == assessment.STEM and sheet.name != assessment.SUMMARY:
                    S.check_department(m, f)
                else:
                    S.check_form_counts(m, f)
                S.check_form_text(m, f)
                if f.found:
                    S.check_form_formulas(m, f, stem, book.read_formula_cells(sheet.name))
    if previous is not None:
        m.previous = previous.read_table(callback_ledger.ledger_sheet())

    ledger = _found(m, callback_ledger.LEDGER)
    if ledger:
        S.check_date_order(m, ledger, (("done_date", "call_date"), ("flow_date", "feedback_date")))
        R.check_callback_timing(m, ledger)
        R.check_repeat_callbacks(m, ledger)
        R.check_flow_forms(m, ledger)
        R.check_flow_calendar_known(m, ledger)
    complaints = _found(m, complaint_ledger.LEDGER)
    if complaints:
        S.check_date_order(m, complaints, R.STAGE_ORDER)
        R.check_fault(m, complaints)
        R.check_complaint_level(m, complaints)
        R.check_repeat_complaints(m, complaints)
        R.check_major_signs(m, complaints)
        R.check_calendar_known(m, complaints)
        # 投诉 第七条: review rounds, the callback, responsibility, special termination
        R.check_rejection_rounds(m, complaints)
        R.check_callback_result(m, complaints)
        R.check_callback_late(m, complaints)
        R.check_misunderstanding(m, complaints)
        R.check_responsibility(m, complaints)
        R.check_special_termination(m, complaints)
        moved = _found(m, complaint_ledger.REASSIGN)
        if moved:
            R.check_reassignments(m, complaints, moved)
    evidence = _found(m, complaint_ledger.EVIDENCE)
    if evidence:
        book = books[complaint_ledger.STEM]
        R.check_evidence_links(m, evidence, book.read_links(evidence.sheet), book.read_formulas(evidence.sheet))
    items = _found(m, assessment.ITEMS)
    if items:
        R.check_media_praise(m, items)
    notes = _found(m, opinions.SHEET)
    if ledger and notes:
        R.check_opinions_listed(m, ledger, notes)
    R.check_imports_current(m, late_appeals, month_books)
    m.close_runs()
    m.findings.extend(m.unlisted_findings())
    return sorted(_unique(m.findings), key=Finding.sort_key)


def _found(m: MonthData, sheet: str):  # -> TableRead | None
    t = m.tables.get(sheet)
    return t if t is not None and t.found else None


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen, out = set(), []
    for f in findings:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


def validate_month(
    source: Path | Sequence[Path],
    previous_month_folder: Path | None = None,
    now: datetime | None = None,
    rules: Rules | None = None,
    *,
    db: str | Path | None = None,
    company: str | None = None,
) -> list[Finding]:
    """Validate a month folder or some of its workbook files.

    The months before (the 7-day callback rule, the 3-month repeat-complaint rule) come
    from the history store when it holds them (`db`, else the setting, else 历史库.sqlite
    beside the month folders), else from the sibling folders ``YYYY-MM`` (`lookback`).
    With `previous_month_folder` given, last month's 台账 is read from there instead. A
    workbook open in Excel is refused (`WorkbookOpenError`); an unreadable file raises
    `BookReadError`.
    """
    sources, month = month_sources(source)
    folder = Path(source) if isinstance(source, str | Path) and Path(source).is_dir() else None
    # the folder above the month folders: the office's settings, the months before
    home = folder or next(iter({p.parent for p in sources.values()}), None)
    root = home.parent if home is not None and month is not None and Month.match(home.name) == month else None
    if rules is None and root is not None:
        rules = closed_month_rules(root, month)  # the settings in effect (a closed month: those it was closed with)
    books = {stem: FileBook.open(path) for stem, path in sources.items()}
    past = None
    if previous_month_folder is None and folder is not None and month is not None:
        past = lookback(folder.parent, month, db=db, company=company, rules=rules)
        previous = None
    else:
        prev_path = previous_ledger_path(folder, month, previous_month_folder)
        previous = FileBook(prev_path) if prev_path is not None else None
    appeals: list[LateAppeal] = []
    if root is not None and complaint_ledger.STEM in books:
        appeals = late_appeals(root, month, books[complaint_ledger.STEM].read_table(complaint_ledger.ledger_sheet(rules or load_rules())).records())
    return closed_month_findings(sources) + validate_books(books, month, previous, now, rules, past, late_appeals=appeals)


def closed_month_findings(sources: Mapping[str, Path]) -> list[Finding]:
    """A workbook of a closed month changed since the close (SHA-256 in its 结账记录): 错误.

    The month's scores and report were computed from the closed bytes; a later change is
    either a correction that needs a forced re-close or an accident to undo.
    """
    out = []
    for folder in sorted({p.parent for p in sources.values()}):
        if not Month.match(folder.name):
            continue
        check = verify_month(folder.parent, folder.name, outputs=False)
        if not check.closed:
            continue
        if check.record_problem:
            out.append(Finding(WARNING, MonthFolder(folder.parent, folder.name).record_path.name, "", "", check.record_problem))
            continue
        names = {p.name for p in sources.values() if p.parent == folder}
        out += [Finding(ERROR, c.name, "", "", m) for c, m in zip(check.changed, check.input_messages(), strict=True) if c.name in names]
    return out


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


# --- output ---------------------------------------------------------------------------------

HEADERS = ("序号", "级别", "工作簿", "工作表", "单元格", "说明")
WIDTHS = (6, 6, 30, 12, 12, 100)


def result_rows(findings: Sequence[Finding]) -> list[list[object]]:
    """The 校验结果 table's rows (header first); a clean month says so in one row."""
    rows: list[list[object]] = [list(HEADERS)]
    for n, f in enumerate(findings, start=1):
        rows.append([n, f.severity, f.workbook, f.sheet, f.cell, f.message])
    if not findings:
        rows.append(["", "", "", "", "", "未发现问题"])
    return rows


def result_path(sources: Mapping[str, Path], month: str | None = None, out_dir: Path | None = None) -> Path:
    """Where the 校验结果 workbook goes: ``2026-11_校验结果.xlsx`` in `out_dir`, else in the
    folder of the workbooks (the month's folder); one file, replaced by each run."""
    folder = Path(out_dir) if out_dir else sorted(p.parent for p in sources.values())[0]
    return folder / results_name(month)


def write_results(findings: Sequence[Finding], sources: Mapping[str, Path], out_dir: Path | None = None,
                  month: str | None = None) -> Path:
    """Write the findings as one 校验结果 workbook (`result_path`) whose 单元格 column links to
    each cell in the books themselves (books/results.py); the books are never written."""
    path = result_path(sources, month, out_dir)
    by_name = {p.name: p for p in sources.values()}
    links = [_link(f, by_name.get(f.workbook), path.parent) for f in findings]
    title = f"{month} 校验结果" if month else "校验结果"
    return write_results_book(path, result_rows(findings), links, WIDTHS, title)


def _link(f: Finding, book: Path | None, folder: Path) -> Link | None:
    """The finding's workbook (relative to the results' folder) and its cell; a finding
    about a whole sheet or workbook (the sheet may be missing) opens the workbook."""
    if book is None:
        return None
    target = os.path.relpath(book.resolve(), folder.resolve()).replace(os.sep, "/")
    return Link(target, Link.place(f.sheet, f.cell) if f.cell and f.sheet else "")
