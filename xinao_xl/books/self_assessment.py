"""The department's 自评表 (考核 5.1–5.2): handed out at the start of the month, returned by the 6th.

One workbook per department, one sheet 自评: the department's §6 rows with their targets
and clauses, the 自评实际 column the only cells open (the sheet is protected, no password:
a guard against slips), and below them what the ledgers already hold against or for the
department this month (complaints, late 流转单, praise, hand entries), read-only, so the
department sees why its score is what it is. The department and the month stand in row 2;
the collect reads them from there, so a file renamed on the way back is still known.

What the hand-out wrote into every locked cell is returned by `build_handout` (the
`Handout.locked` map, kept in the month's 发放记录 by the use case), so the collect can tell
a changed locked cell from a moved row: rows are found by their 考核内容 wherever they are
(`read_return`), every other locked cell by its address, shifted by as many rows as the
header row moved.

`write_self_values` writes collected 自评 into the office's 考核表 in place
(books/inplace.py): only the 自评实际 cells of the department sheets change.

    >>> from xinao_xl.policy.rules import load_rules
    >>> rules = load_rules()
    >>> h = build_handout(rules.department("客服部"), rules, "2026-11", [], "2026-12-06")
    >>> h.workbook.sheetnames, h.locked["B2"], h.locked["D2"]
    (['自评'], '客服部', '2026-11')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from xinao_xl.policy.parse import is_blank
from xinao_xl.policy.rules import Department, Indicator, Rules
from xinao_xl.policy.scoring import LineItem

from . import assessment
from .cells import put
from .inplace import WorkbookEdit
from .printing import fit_rows
from .read import BookReader
from .schema import FMT_PERCENT, FMT_POINTS, FMT_RATE_ENTRY, Column, FormRow, FormSheet
from .style import BODY_FONT, HEADER_FONT, NOTE_FONT, header_cells
from .writer import add_validation, fixed_properties, write_form_frame

__all__ = ["COLUMNS", "SHEET", "Handout", "Returned", "ReturnedRow", "build_handout", "handout_sheet", "read_return",
           "self_entries", "write_self_values"]

SHEET = "自评"
HEADER_ROW = 4
DEPT_CELL, MONTH_CELL, DUE_CELL = "B2", "D2", "F2"
COLUMNS = (
    Column("seq", "序号", type="int", width=5),
    Column("name", "考核内容", width=30, wrap=True),
    Column("standard", "标准", width=22, wrap=True),
    Column("target", "目标值", type="number", width=9),
    Column("self", "自评实际", type="number", width=11),
    Column("clause", "依据条款", width=14, wrap=True),
)
SELF_COL = 5  # E
ITEM_HEADERS = ("类别", "说明", "依据条款", "分值", "单号")
ITEMS_TITLE = "本月台账中已登记的扣分和加分（仅供查看；有异议请与服务办公室联系）"


def self_entries(dept: Department) -> list[Indicator]:
    """The rows a department assesses itself on: each §6 row with a 自评 cell in the 考核表
    (a 投诉管理 row has none: the 投诉台账 decides it)."""
    return [ind for ind in dept.indicators if not ind.kind_spec.from_complaints]


def handout_sheet(dept: Department) -> FormSheet:
    rows = tuple(FormRow(assessment.indicator_key(i), i.name, ("self",)) for i in self_entries(dept))
    return FormSheet(SHEET, f"{dept.name} 服务绩效考核自评表", COLUMNS, rows, header_row=HEADER_ROW, landscape=False)


@dataclass
class Handout:
    """A department's 自评表 and what each of its locked cells holds (address -> value)."""

    department: str
    workbook: Workbook
    locked: dict[str, Any]
    rows: dict[str, int]  # indicator number -> row handed out


def _plain(value: Any) -> Any:
    """A cell value as the record keeps it (JSON): dates as text, whole floats as ints."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def build_handout(dept: Department, rules: Rules, month: str, items: Sequence[LineItem], due: str | date,
                  now: datetime | None = None) -> Handout:
    """The 自评表 of `dept` for `month`: its §6 rows (target, clause) with 自评实际 open, the
    ledgers' line `items` of the month below, read-only; `due` the day to return it by."""
    spec = handout_sheet(dept)
    wb = Workbook()
    wb.remove(wb.active)
    ws = write_form_frame(wb, spec, f"{dept.name} {month} 服务绩效考核自评表", f"{month} {dept.name} 自评表")
    for col, label, value in ((1, "部门", dept.name), (3, "月份", str(month)), (5, "交回截止", str(due))):
        put(ws, 2, col, label).font = HEADER_FONT
        put(ws, 2, col + 1, value).font = BODY_FONT
    note = put(ws, 3, 1, "只在“自评实际”列填写本部门上月的实际完成值（百分比填 96.5% 即可），其余单元格已锁定；"
                         f"填好后保存，于 {due} 前交回服务办公室（文件名可以不改）。")
    note.font, note.alignment = NOTE_FONT, Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(COLUMNS))
    ws.row_dimensions[3].height = 30
    rows: dict[str, int] = {}
    for ind in self_entries(dept):
        r = spec.row_of(assessment.indicator_key(ind))
        rows[str(ind.number)] = r
        put(ws, r, 1, ind.number)
        put(ws, r, 2, ind.name)
        put(ws, r, 3, assessment.standard_text(ind, rules))
        target = rules.target_of(ind)
        if target is not None:
            put(ws, r, 4, target)
        fmt = FMT_PERCENT if ind.is_rate else FMT_POINTS
        ws.cell(row=r, column=4).number_format = fmt
        ws.cell(row=r, column=SELF_COL).number_format = FMT_RATE_ENTRY if ind.is_rate else FMT_POINTS
        put(ws, r, 6, ind.clause)
        add_validation(ws, assessment.indicator_validation(ind, rules), ind.name[:30], f"E{r}")
    fit_rows(ws, spec.first_row, spec.last_row)
    r = spec.last_row + 2
    put(ws, r, 1, ITEMS_TITLE).font = HEADER_FONT
    header_cells(ws, r + 1, ITEM_HEADERS)
    for i, item in enumerate(items, start=r + 2):
        for c, value in enumerate((item.category, item.text, item.clause, item.points, item.source), start=1):
            cell = put(ws, i, c, value)
            cell.font = BODY_FONT
            if c == 4:
                cell.number_format = FMT_POINTS
    if not items:
        put(ws, r + 2, 1, "（本月台账中暂无）").font = NOTE_FONT
    last = r + 2 + max(len(items), 1) - 1
    ws.print_area = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    locked = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None and not (cell.column == SELF_COL and cell.row in rows.values()):
                locked[cell.coordinate] = _plain(cell.value)
    if now is not None:
        fixed_properties(wb, now)
    return Handout(dept.name, wb, locked, rows)


# --- reading a returned file ------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnedRow:
    number: str  # the indicator's 序号 as handed out
    row: int  # where it is now
    value: Any  # 自评实际 as typed (None: blank)


@dataclass
class Returned:
    """What a returned 自评表 holds: department and month as row 2 says, the 自评 rows found
    by their 考核内容, and every locked cell that differs from the hand-out."""

    path: Path
    found: bool = False  # the file has a 自评 sheet at all
    department: str = ""
    month: str = ""
    rows: list[ReturnedRow] = field(default_factory=list)
    moved: list[tuple[str, int, int]] = field(default_factory=list)  # (number, handed row, row now)
    missing: list[str] = field(default_factory=list)  # indicator numbers whose row is gone
    changed: list[tuple[str, Any, Any]] = field(default_factory=list)  # (cell, handed out, now)


def _cell(rows: list[list[Any]], address: str) -> Any:
    col = 0
    letters = address.rstrip("0123456789")
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    r = int(address[len(letters):])
    if r - 1 < len(rows) and col - 1 < len(rows[r - 1]):
        value = rows[r - 1][col - 1]
        return None if is_blank(value) else value
    return None


def _same(a: Any, b: Any) -> bool:
    if is_blank(a) and is_blank(b):
        return True
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool) and not isinstance(b, bool):
        return abs(float(a) - float(b)) < 1e-9
    return str(_plain(a)).strip() == str(_plain(b)).strip()


def read_return(path: Path, dept: Department | None, handed: Mapping[str, Any] | None, data: bytes | None = None) -> Returned:
    """Read a returned 自评表. With the department (`dept`) and what its hand-out held
    (`handed`: ``{"locked": {...}, "rows": {...}}`` as the 发放记录 keeps it), rows are found by
    their 考核内容 and locked cells compared; without, only department and month are read."""
    out = Returned(Path(path))
    reader = BookReader(path, data)
    if SHEET not in reader.sheet_names:
        return out
    out.found = True
    rows = reader.rows(SHEET)
    out.department = str(_cell(rows, DEPT_CELL) or "").strip()
    month = _cell(rows, MONTH_CELL)
    out.month = (f"{month:%Y-%m}" if isinstance(month, datetime | date) else str(month or "")).strip()
    if dept is None or handed is None:
        return out
    handed_rows: dict[str, int] = {k: int(v) for k, v in handed.get("rows", {}).items()}
    locked: dict[str, Any] = dict(handed.get("locked", {}))
    header_now = next((i + 1 for i, row in enumerate(rows) if len(row) >= SELF_COL and str(row[SELF_COL - 1]).strip() == COLUMNS[4].header), HEADER_ROW)
    shift = header_now - HEADER_ROW
    names = {str(ind.number): ind.name for ind in dept.indicators}
    where: dict[str, int] = {}
    for i, row in enumerate(rows[header_now:], start=header_now + 1):
        name = str(row[1]).strip() if len(row) > 1 and not is_blank(row[1]) else ""
        for number, handed_name in names.items():
            if number in handed_rows and name == handed_name and number not in where:
                where[number] = i
    for number, handed_row in handed_rows.items():
        now = where.get(number)
        if now is None:  # 考核内容 changed: the row is taken where it was handed out, the change reported
            now = handed_row + shift
            if not _same(_cell(rows, f"B{now}"), names.get(number)):
                out.missing.append(number)
                continue
        elif now != handed_row + shift:
            out.moved.append((number, handed_row, now))
        out.rows.append(ReturnedRow(number, now, _cell(rows, f"{get_column_letter(SELF_COL)}{now}")))
        for c in (1, 2, 3, 4, 6):  # the row's own locked cells, wherever the row went
            letter = get_column_letter(c)
            was = locked.pop(f"{letter}{handed_row}", None)
            value = _cell(rows, f"{letter}{now}")
            if not _same(was, value):
                out.changed.append((f"{letter}{now}", was, value))
    for number in out.missing:
        for c in (1, 2, 3, 4, 6):
            locked.pop(f"{get_column_letter(c)}{handed_rows[number]}", None)
    for address, was in locked.items():
        letters = address.rstrip("0123456789")
        r = int(address[len(letters):])
        at = f"{letters}{r + shift}" if r > HEADER_ROW else address
        value = _cell(rows, at)
        if not _same(was, value):
            out.changed.append((at, was, value))
    return out


# --- into the office's 考核表 ------------------------------------------------------------------------


def write_self_values(path: Path, values: Mapping[str, Mapping[str, float]], rules: Rules, *, data: bytes | None = None,
                      keep_previous: bool = True) -> list[str]:
    """Write collected 自评 (department -> indicator number -> value) into the 考核表's
    自评实际 cells in place; every other cell and part of the file stays as it is. Returns
    the cells written (``客服部!E3``); nothing is saved when no value differs."""
    book = WorkbookEdit(path, data)
    reader = BookReader(path, book.data)
    written = []
    for dept_name, by_number in values.items():
        dept = rules.department(dept_name)
        spec = assessment.department_sheet(dept)
        rows = reader.rows(dept_name) if dept_name in reader.sheet_names else []
        sheet = book.sheet(dept_name)
        for ind in dept.indicators:
            if str(ind.number) not in by_number:
                continue
            r = spec.row_of(assessment.indicator_key(ind))
            value = by_number[str(ind.number)]
            if _same(_cell(rows, f"E{r}"), value):
                continue
            sheet.set(r, SELF_COL, value, replace=True)
            written.append(f"{dept_name}!E{r}")
    if written:
        book.save(keep_previous=keep_previous)
    return written
