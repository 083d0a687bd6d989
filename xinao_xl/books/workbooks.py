"""The four monthly workbooks together: build them and write them to a folder.

    >>> [stem for stem, _ in BOOKS]
    ['服务绩效考核表', '客户回访信息台账', '客户回访意见统计表', '客户投诉台账']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from xinao_xl.policy.month import Month
from xinao_xl.policy.rules import Rules, load_rules

from . import assessment, callback_ledger, complaint_ledger, opinions
from .calendar_sheet import SHEET as CALENDAR_SHEET
from .calendar_sheet import calendar_sheet_writes
from .inplace import WorkbookEdit
from .names import workbook_names
from .read import BookReader
from .rules_sheet import SHEET as RULES_SHEET
from .rules_sheet import rules_sheet_writes
from .save import Batch
from .schema import FORMULA_STYLES, NATIVE
from .writer import one_row_tables

Builder = Callable[..., Workbook]

BOOKS: tuple[tuple[str, Builder], ...] = (
    (assessment.STEM, assessment.build_assessment),
    (callback_ledger.STEM, callback_ledger.build_callback_ledger),
    (opinions.STEM, opinions.build_opinions),
    (complaint_ledger.STEM, complaint_ledger.build_complaint_ledger),
)

# Ledger sheets: thousands of rows whose formula columns are checked from their spec, row by
# row (services/validate_schema.py), not against a template's cells.
LEDGER_SHEETS = frozenset((callback_ledger.LEDGER, complaint_ledger.LEDGER, assessment.ITEMS, opinions.SHEET))


def form_formulas(stem: str, rules: Rules) -> dict[str, dict[str, str]]:
    """Sheet -> {address: formula} of the template of `stem` under `rules`, its form sheets
    only (not `LEDGER_SHEETS`): where a formula staff lost belongs, to copy it back from.
    Built with one-row ledgers (`writer.one_row_tables`): their rows are not read here."""
    with one_row_tables():
        wb = dict(BOOKS)[stem](None, rules)
    out: dict[str, dict[str, str]] = {}
    for ws in wb.worksheets:
        if ws.title in LEDGER_SHEETS:
            continue
        # (the cells the sheet stores, in row order: iter_rows would make every empty cell of the range)
        cells = {c.coordinate: c.value for _, c in sorted(ws._cells.items()) if c.data_type == "f"}
        if cells:
            out[ws.title] = cells
    return out


def file_name(stem: str, month: str | None) -> str:
    """2026-12_服务绩效考核表.xlsx; a template (no month) is 服务绩效考核表.xlsx."""
    return f"{month}_{stem}.xlsx" if month else f"{stem}.xlsx"


def write_books(folder: Path, month: str | None, style: str = NATIVE, rules: Rules | None = None,
                keep_previous: bool = True) -> list[Path]:
    """Build the four workbooks of `month` and put them into `folder` together (`save.Batch`:
    a new folder appears with all four or not at all; files already there are each replaced
    atomically, the replaced ones kept in 历史版本 unless ``keep_previous`` is False).
    Without a month: the templates (no month in their names, titles or 规则 sheet)."""
    month = Month(month) if month else None
    if style not in FORMULA_STYLES:
        raise ValueError(f"公式样式应为 {' 或 '.join(FORMULA_STYLES)}：{style!r}")
    rules = rules or load_rules()
    with Batch(Path(folder), keep_previous) as batch:
        for stem, build in BOOKS:
            batch.add_workbook(file_name(stem, month), build(month, rules, style))
        return batch.commit()


@dataclass(frozen=True)
class Refreshed:
    """What `refresh_books` changed in one workbook."""

    path: Path
    values: list[str]  # the 规则 sheet's items whose value changed
    days: int  # 工作日历 days whose status changed

    @property
    def changed(self) -> bool:
        return bool(self.values or self.days)


def refresh_books(paths: list[Path], rules: Rules) -> list[Refreshed]:
    """Write a month's effective rules again into its workbooks' 规则 and 工作日历 sheets
    (after the office changed 制度设置.xlsx), so their live formulas compute with the values
    the close uses. In place (`inplace.WorkbookEdit`): only those cells change, every other
    byte of the file stays (pictures, comments, what staff typed); a workbook with nothing
    to change is not written, one with changes is replaced atomically, the previous file
    kept in 历史版本 (books/save.py)."""
    out = []
    for path in paths:
        path = Path(path)
        edit = WorkbookEdit(path)
        reader = BookReader(path)
        values: list[str] = []
        days = 0
        if RULES_SHEET in edit.sheet_names:
            writes, values = rules_sheet_writes(workbook_names(path), reader.rows(RULES_SHEET), rules)
            sheet = edit.sheet(RULES_SHEET)
            for row, col, value, fmt in writes:
                sheet.set(row, col, value, number_format=fmt, replace=True)
        if CALENDAR_SHEET in edit.sheet_names:
            try:
                cal_writes, days = calendar_sheet_writes(reader.rows(CALENDAR_SHEET), rules.work_calendar)
            except ValueError as exc:
                raise edit.refusal(str(exc)) from None
            sheet = edit.sheet(CALENDAR_SHEET)
            for row, col, value in cal_writes:
                sheet.set(row, col, value if value is not None else "", replace=True)
        edit.save()
        out.append(Refreshed(path, values, days))
    return out
