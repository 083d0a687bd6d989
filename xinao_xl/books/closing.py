"""The workbooks the monthly close writes from staff's books (the use case: services/close.py).

- `closed_assessment`: a copy of the 考核表 holding the closed figures: its 汇入 the close's
  recount, every computed cell (汇总 with its 合计, the department sheets, 汇入, 加减分明细's
  分值) the value the close computed, beside 汇总 what the workbook itself showed and 核对;
  every line item in 结账明细;
- `filled_opinions_bytes`: the 意见统计表 with the 台账's rows it lacks appended, edited in
  place (books/inplace.py: staff's pictures, comments, x14 validations stay byte for byte);
  `filled_opinions`, the same through openpyxl, where the file cannot be edited in place;
- `next_month_books`: next month's blank books as `new-month` builds them, with what is still
  open carried over (noted 上月结转 in 备注) and the standing figures (each department's
  服务津贴基数) carried on.

The staff books are read as files and never saved over; every output gets fixed file
properties (`writer.fixed_properties`), so a close run again gives the same contents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xinao_xl.policy import scoring
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.parse import is_blank
from xinao_xl.policy.rounding import excel_round, to_decimal
from xinao_xl.policy.rules import Department, Rules
from xinao_xl.policy.scoring import DepartmentMonth, ScoreCard, read_actual

from . import assessment, callback_ledger, complaint_ledger, imported, opinions
from . import lists as L
from .cells import keep_text, put
from .inplace import InPlaceRefusedError, WorkbookEdit
from .printing import book_header, fit_rows, load_book, print_setup, row_height
from .read import BookReader, TableRead
from .save import workbook_bytes
from .schema import FMT_POINTS, NATIVE, TableSheet
from .style import BODY_FONT, WRAP_ALIGN, Look, header_cell, header_cells
from .workbooks import BOOKS
from .writer import CREATOR, fixed_properties, record_lines, write_record, write_rows

__all__ = ["CARRIED", "CHECK_HEADERS", "DETAIL_SHEET", "closed_assessment", "filled_opinions", "filled_opinions_bytes", "next_month_books"]

CARRIED = "上月结转"  # in 备注 of a row the close carried into next month's books
DETAIL_SHEET = "结账明细"


# --- the closed 考核表 --------------------------------------------------------------------------

CHECK_HEADERS = ("工作簿扣分合计", "工作簿加分合计", "工作簿得分", "核对")
"""汇总's columns beside the closed figures: what the staff's workbook showed when last
computed (its cached values), and whether it agrees."""



def _load(source: Path | BookReader) -> Workbook:
    """openpyxl on a file, or on the very bytes a reader read (the close's inputs), with the
    print areas given as formulas kept (printing.load_book)."""
    if isinstance(source, BookReader):
        return load_book(source.data, name=source.name)
    return load_book(source)


def closed_assessment(source: Path | BookReader, rules: Rules, cards: Mapping[str, ScoreCard], checks: Mapping[str, str],
                      now: datetime, *, imports: imported.Imports | None = None, months: Mapping[str, DepartmentMonth] | None = None,
                      items: TableRead | None = None, shown: Mapping[str, tuple[Any, Any, Any]] | None = None) -> Workbook:
    """The 考核表 at `source` (a file, or the bytes a reader read) holding the close's figures:
    its 汇入 the close's recount (`imports`), and every computed cell of 汇总 (合计 included),
    the department sheets, the 汇入 and 加减分明细 the value the close computed instead of its
    formula — the copy shows and prints the closed figures in any program, recalculating or
    not. Beside 汇总: what the workbook itself showed (`shown`) and `checks` (核对); every line
    item in 结账明细."""
    wb = _load(source)
    keep_text(wb)
    if imports is not None and imported.SHEET in wb.sheetnames:
        imported.write_frozen(wb[imported.SHEET], imports, rules)
    _closed_summary(wb[assessment.SUMMARY], rules, cards, checks, shown or {})
    for dept in rules.departments:
        month = (months or {}).get(dept.name)
        _closed_department(wb[dept.name], dept, cards[dept.name], rules, month, imports)
    if items is not None and items.found:
        _closed_items(wb[items.sheet], rules, items)
    _detail_sheet(wb, cards)
    return fixed_properties(wb, now)


def _value(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = FMT_POINTS) -> None:
    """A computed cell becomes its value (the cell keeps its look)."""
    cell = put(ws, row, col, "" if value is None else value)
    if fmt and isinstance(value, float | int) and not isinstance(value, bool):
        cell.number_format = fmt


def _closed_summary(ws: Worksheet, rules: Rules, cards: Mapping[str, ScoreCard], checks: Mapping[str, str],
                    shown: Mapping[str, tuple[Any, Any, Any]]) -> None:
    summary = assessment.summary_sheet(rules)
    first_col = len(summary.columns) + 2
    for i, h in enumerate(CHECK_HEADERS):
        header_cell(ws, summary.header_row, first_col + i, h)
        ws.column_dimensions[get_column_letter(first_col + i)].width = 12 if i < 3 else 40
    for dept in rules.departments:
        c = cards[dept.name]
        r = summary.row_of(dept.name)
        for col, value in zip((2, 3, 4, 5, 6, 7, 9), (c.deductions, c.bonuses, c.score, c.grade, c.weight, c.company_item, c.allowance), strict=True):
            _value(ws, r, col, value, "0%" if col == 6 else FMT_POINTS)
        for i, value in enumerate(shown.get(dept.name, (None, None, None))):
            cell = put(ws, r, first_col + i, None if value is None or value == "" else value)
            cell.font, cell.number_format = BODY_FONT, FMT_POINTS
        put(ws, r, first_col + 3, checks[dept.name]).font = BODY_FONT
    t = summary.row_of("total")
    bases = [c.allowance_base for c in cards.values() if c.allowance_base is not None]
    allowances = [c.allowance for c in cards.values() if c.allowance is not None]
    _value(ws, t, 7, excel_round(sum(to_decimal(c.company_item) for c in cards.values()), 2))
    _value(ws, t, 8, excel_round(sum(to_decimal(b) for b in bases), 2) if bases else 0)
    _value(ws, t, 9, excel_round(sum(to_decimal(a) for a in allowances), 2) if allowances else 0)


def _closed_department(ws: Worksheet, dept: Department, card: ScoreCard, rules: Rules, month: DepartmentMonth | None,
                       imports: imported.Imports | None) -> None:
    """Each row's 目标值, 采用值 and points as the close computed them, in place of the formulas."""
    spec = assessment.department_sheet(dept)
    by_source: dict[str, float] = {}
    by_category: dict[str, Decimal] = {}
    for item in card.items:
        by_category[item.category] = by_category.get(item.category, Decimal(0)) + to_decimal(item.points)
        if item.category == "指标":
            by_source[item.source] = by_source.get(item.source, 0) + item.points
    used = dict(month.indicators) if month is not None else {}
    for ind in dept.indicators:
        r = spec.row_of(assessment.indicator_key(ind))
        target = rules.target_of(ind)
        if ind.target_param and target is not None:
            _value(ws, r, 4, target, None)
        if ind.kind_spec.from_complaints:
            _value(ws, r, 8, _points(-by_category.get("投诉", Decimal(0))))
            continue
        if assessment.audit_from_ledger(ind):
            rate = imports.rate(ind.callback_type or "") if imports is not None else None
            _value(ws, r, 6, rate, None)
        value = used.get(ind.name)
        try:
            shown = None if value is None else read_actual(ind.kind_spec, value)
        except PolicyInputError:
            shown = value
        _value(ws, r, 7, shown, None)
        points = by_source.get(ind.name, 0.0)
        _value(ws, r, 8, -points if points else 0.0)
    for key, category, col in (("late_flow", "流转单", 8), ("manual", "手工", 8), ("praise", "表扬", 9), ("media", "媒体表扬", 9),
                               ("adjust", scoring.ADJUSTMENT, 9)):
        total = by_category.get(category, Decimal(0))
        _value(ws, spec.row_of(key), col, _points(-total if col == 8 else total))
    _value(ws, spec.row_of("total_deduct"), 8, card.deductions)
    _value(ws, spec.row_of("total_bonus"), 8, card.bonuses)
    _value(ws, spec.row_of("score"), 8, card.score)
    _value(ws, spec.row_of("grade"), 8, card.grade or "")


def _points(value: Decimal) -> float:
    return excel_round(value, 2)


def _closed_items(ws: Worksheet, rules: Rules, items: TableRead) -> None:
    """加减分明细's 分值 of each row the close read, as the formula gives it, in the column the
    file has it in (a 考核表 of an older version has more columns before it)."""
    letter = items.letters.get("points")
    if letter is None:
        return
    col = column_index_from_string(letter)
    rows = {int(rec["_row"]): rec for rec in items.records()}
    spec = assessment.items_sheet(rules)
    for r in range(spec.first_row, max([spec.last_row, *rows]) + 1):
        rec = rows.get(r)
        _value(ws, r, col, "" if rec is None else _item_points(rec, rules))


def _item_points(rec: Mapping[str, Any], rules: Rules) -> Any:
    kind = rec.get("type")
    if is_blank(kind):
        return ""
    try:
        if kind == L.ITEM_PRAISE:
            return scoring.praise_bonus(1 if is_blank(rec.get("count")) else rec.get("count"), None, rules)
        if kind == L.ITEM_MEDIA:
            return excel_round(to_decimal(scoring.media_points(rec.get("pin"), rules)), 2)
        if kind == L.ITEM_MANUAL:
            return -scoring.manual_deduction(rec.get("pin"), rules)
    except PolicyInputError as exc:
        return f"#{exc.code}"
    return "#无效类型"


_TEXT = Look(font=BODY_FONT)
_WRAPPED = Look(font=BODY_FONT, alignment=WRAP_ALIGN)  # 内容 and 依据条款: printed, a long line must not run off
_DETAIL_LOOKS = (_TEXT, _TEXT, _WRAPPED, _WRAPPED, Look(font=BODY_FONT, number_format=FMT_POINTS), _TEXT)


def _detail_sheet(wb: Workbook, cards: Mapping[str, ScoreCard]) -> None:
    if DETAIL_SHEET in wb.sheetnames:
        wb.remove(wb[DETAIL_SHEET])
    ws = wb.create_sheet(DETAIL_SHEET)
    header_cells(ws, 1, ("部门", "类别", "内容", "依据条款", "分值", "来源"))
    r = 2
    for c in cards.values():
        for item in c.items:
            for col, v in enumerate((c.department, item.category, item.text, item.clause, item.points, item.source), start=1):
                _DETAIL_LOOKS[col - 1].apply(put(ws, r, col, v))
            r += 1
    for letter, width in zip("ABCDEF", (11, 9, 40, 16, 8, 18), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    # A4 upright, the header row on every page, the month in the page header (issue 14: the
    # closed copies print like the live sheets)
    month = next((c.month for c in cards.values()), None)
    fit_rows(ws, 2, r - 1, last_col=6)
    print_setup(ws, "1:1", book_header(month, "服务绩效考核表（结账）", DETAIL_SHEET), landscape=False,
                print_area=f"A1:F{max(r - 1, 1)}")


# --- 意见统计表 ----------------------------------------------------------------------------------


def filled_opinions_bytes(source: Path | BookReader, existing: TableRead, rows: Sequence[Mapping[str, Any]], now: datetime) -> bytes:
    """The file of the 意见统计表 at `source` (read as `existing`; a file, or the bytes a
    reader read) with `rows` appended after its last row, numbered on from its last 序号.

    Edited in place (`inplace.WorkbookEdit`): only the sheet, styles.xml and core.xml change,
    so what staff added that openpyxl does not model (pictures, x14 validations, chart
    settings, comment fonts) stays, and it is twice as fast. Where the file cannot be
    edited in place (`InPlaceRefusedError`: a merged area or a table in the way, a cell
    after the last record already holding something, a sheet part in an unusual form), the
    same workbook is made through openpyxl (`filled_opinions`): a close never stops for it."""
    try:
        return _opinions_in_place(source, existing, rows, now)
    except InPlaceRefusedError:
        return workbook_bytes(filled_opinions(source, existing, rows, now))


def _appended(existing: TableRead, rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """(row, values) of each record appended: after the last record, 序号 numbered on."""
    first_row = opinions.opinions_sheet().first_row
    last = max((r["_row"] for r in existing.records()), default=first_row - 1)
    seq = max((r.get("seq") or 0 for r in existing.records()), default=0)
    return [(last + n, {k: v for k, v in {"seq": seq + n, **values}.items() if not is_blank(v)}) for n, values in enumerate(rows, start=1)]


def _opinions_in_place(source: Path | BookReader, existing: TableRead, rows: Sequence[Mapping[str, Any]], now: datetime) -> bytes:
    """`filled_opinions` as `WorkbookEdit` writes it: each value as `write_record` writes it
    (its column's number format, unlocked, text stays text), the row's wrapped text its
    height, formula-like text already there quoted (`keep_text`), the fixed properties."""
    spec = opinions.opinions_sheet()
    book = WorkbookEdit(source.path, source.data) if isinstance(source, BookReader) else WorkbookEdit(source)
    book.keep_text()
    sheet = book.sheet(existing.sheet if existing.found else spec.name)
    for row, values in _appended(existing, rows):
        for key, value in values.items():
            column = spec.column(key)
            if column.is_formula:
                raise ValueError(f"{spec.name}.{column.header} 为公式列，不能写入")
            sheet.set(row, spec.index(key), value, number_format=column.fmt, unlock=True)
        lines = record_lines(spec, values)
        if lines > 1:
            sheet.height(row, row_height(lines))
    day = datetime(now.year, now.month, now.day)
    book.set_core_properties(CREATOR, day, day)
    return book.to_bytes()


def filled_opinions(source: Path | BookReader, existing: TableRead, rows: Sequence[Mapping[str, Any]], now: datetime) -> Workbook:
    """The 意见统计表 at `source` as an openpyxl workbook, `rows` appended as
    `filled_opinions_bytes` appends them (the fallback where the file cannot be edited in
    place; openpyxl's re-save drops what it does not model)."""
    spec = opinions.opinions_sheet()
    wb = _load(source)
    keep_text(wb)
    ws = wb[existing.sheet if existing.found else spec.name]
    for row, values in _appended(existing, rows):
        write_record(ws, spec, row, values)
    return fixed_properties(wb, now)


# --- next month --------------------------------------------------------------------------------


def next_month_books(month: str, rules: Rules, carried_from: str, open_complaints: Sequence[Mapping[str, Any]],
                     open_flows: Sequence[Mapping[str, Any]], reassignments: Sequence[Mapping[str, Any]] = (),
                     evidence: Sequence[Mapping[str, Any]] = (), allowance_bases: Mapping[str, Any] | None = None) -> dict[str, Workbook]:
    """`month`'s blank books (stem -> workbook, not saved) as `new-month` builds them, with
    the complaints and flow forms still open at the close of `carried_from` and each
    department's 服务津贴基数 (a standing figure, 考核 9) written in before the one save (no
    second load and save of a fresh file); the carried complaints' 改派记录 and 证据 lines go
    with them (an evidence line's link as ``_link``, already relative to the new month's
    folder)."""
    books = {stem: build(month, rules, NATIVE) for stem, build in BOOKS}
    summary = assessment.summary_sheet(rules)
    base_col = summary.columns.index(summary.column("base")) + 1
    for dept, base in (allowance_bases or {}).items():
        if dept in rules.department_names and not is_blank(base):
            put(books[assessment.STEM][assessment.SUMMARY], summary.row_of(dept), base_col, base)
    ledger = books[complaint_ledger.STEM]
    _carry(ledger, complaint_ledger.ledger_sheet(rules), open_complaints, carried_from)
    _copy(ledger, complaint_ledger.reassign_sheet(), reassignments)
    rows = _copy(ledger, complaint_ledger.evidence_sheet(), evidence)
    spec = complaint_ledger.evidence_sheet()
    for row, rec in zip(rows, evidence, strict=True):
        if rec.get("_link"):
            ledger[spec.name].cell(row=row, column=spec.index("file")).hyperlink = str(rec["_link"])
    _carry(books[callback_ledger.STEM], callback_ledger.ledger_sheet(), open_flows, carried_from)
    return books


def _copy(wb: Workbook, spec: TableSheet, records: Sequence[Mapping[str, Any]]) -> list[int]:
    """Copy records' entry columns into a fresh workbook's sheet; returns the rows written."""
    keys = [c.key for c in spec.entry_columns]
    return write_rows(wb[spec.name], spec, ({k: rec.get(k) for k in keys if not is_blank(rec.get(k))} for rec in records))


def _carry(wb: Workbook, spec: TableSheet, records: Sequence[Mapping[str, Any]], month: str) -> None:
    """Copy open records (entry columns) into next month's fresh workbook, noted as carried."""
    keys = [c.key for c in spec.entry_columns]

    def carried(rec: Mapping[str, Any]) -> dict[str, Any]:
        values = {k: rec.get(k) for k in keys if not is_blank(rec.get(k))}
        old = "" if is_blank(rec.get("note")) else str(rec["note"])
        values["note"] = old if CARRIED in old else f"{CARRIED}（{month}）{' ' + old if old else ''}"
        return values

    write_rows(wb[spec.name], spec, (carried(rec) for rec in records))
