"""The workbooks the monthly close writes from staff's books (the use case: services/close.py).

- `closed_assessment`: a copy of the 考核表 with the close's values beside its live formulas
  (汇总: totals, grade, company item, allowance and the check against the workbook's cached
  values; each department sheet: column 结账值 row by row) and every line item in 结账明细;
- `filled_opinions`: a copy of the 意见统计表 with the 台账's rows it lacks appended;
- `next_month_books`: next month's blank books as `new-month` builds them, with what is still
  open carried over (noted 上月结转 in 备注).

The staff books are read as files and never saved over; every output gets fixed file
properties (`writer.fixed_properties`), so a close run again gives the same contents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xinao_xl.policy.parse import is_blank
from xinao_xl.policy.rules import Department, Rules
from xinao_xl.policy.scoring import ScoreCard

from . import assessment, callback_ledger, complaint_ledger, opinions
from .cells import keep_text, put
from .filecheck import load_workbook  # checked before openpyxl parses (hostile files)
from .read import BookReader, TableRead
from .schema import FMT_POINTS, NATIVE, TableSheet
from .style import BODY_FONT, header_cell, header_cells
from .workbooks import BOOKS
from .writer import fixed_properties, write_record, write_rows

__all__ = ["CARRIED", "CLOSE_HEADERS", "DETAIL_SHEET", "closed_assessment", "filled_opinions", "next_month_books"]

CARRIED = "上月结转"  # in 备注 of a row the close carried into next month's books
CLOSE_HEADERS = ("结账扣分合计", "结账加分合计", "结账得分", "结账等级", "结账公司绩效服务项", "结账兼职服务津贴", "核对")
DETAIL_SHEET = "结账明细"


# --- the closed 考核表 --------------------------------------------------------------------------


def _load(source: Path | BookReader) -> Workbook:
    """openpyxl on a file, or on the very bytes a reader read (the close's inputs)."""
    if isinstance(source, BookReader):
        return load_workbook(source.data, name=source.name)
    return load_workbook(source)


def closed_assessment(source: Path | BookReader, rules: Rules, cards: Mapping[str, ScoreCard], checks: Mapping[str, str],
                      now: datetime) -> Workbook:
    """The 考核表 at `source` (a file, or the bytes a reader read) with the close's values
    beside its live formulas, and every line item; `checks` is each department's 核对 text
    (the comparison with the cached values)."""
    wb = _load(source)
    keep_text(wb)
    summary = assessment.summary_sheet(rules)
    ws = wb[assessment.SUMMARY]
    first_col = len(summary.columns) + 2
    for i, h in enumerate(CLOSE_HEADERS):
        header_cell(ws, summary.header_row, first_col + i, h)
        ws.column_dimensions[get_column_letter(first_col + i)].width = 12
    for dept in rules.departments:
        c = cards[dept.name]
        r = summary.row_of(dept.name)
        values = (c.deductions, c.bonuses, c.score, c.grade, c.company_item, c.allowance)
        for i, v in enumerate(values):
            cell = put(ws, r, first_col + i, v)
            cell.font = BODY_FONT
            if isinstance(v, float):
                cell.number_format = FMT_POINTS
        put(ws, r, first_col + 6, checks[dept.name]).font = BODY_FONT
    for dept in rules.departments:
        _closed_department(wb[dept.name], dept, cards[dept.name])
    _detail_sheet(wb, cards)
    return fixed_properties(wb, now)


def _closed_department(ws: Worksheet, dept: Department, card: ScoreCard) -> None:
    """Column L (结账值): each row's points as the close computed them."""
    spec = assessment.department_sheet(dept)
    col = len(spec.columns) + 1
    header_cell(ws, spec.header_row, col, "结账值")
    ws.column_dimensions[get_column_letter(col)].width = 10
    by_source: dict[str, float] = {}
    by_category: dict[str, float] = {}
    for item in card.items:
        by_category[item.category] = by_category.get(item.category, 0) + item.points
        if item.category == "指标":
            by_source[item.source] = by_source.get(item.source, 0) + item.points
    for ind in dept.indicators:
        points = by_category.get("投诉", 0.0) if ind.kind_spec.from_complaints else by_source.get(ind.name, 0.0)
        _num(ws, spec.row_of(assessment.indicator_key(ind)), col, -points if points else 0.0)
    extras = {"late_flow": -by_category.get("流转单", 0.0), "manual": -by_category.get("手工", 0.0), "praise": by_category.get("表扬", 0.0),
              "media": by_category.get("媒体表扬", 0.0), "adjust": by_category.get("申诉调整", 0.0)}
    for key, value in extras.items():
        _num(ws, spec.row_of(key), col, round(value, 2) + 0.0)
    _num(ws, spec.row_of("total_deduct"), col, card.deductions)
    _num(ws, spec.row_of("total_bonus"), col, card.bonuses)
    _num(ws, spec.row_of("score"), col, card.score)
    put(ws, spec.row_of("grade"), col, card.grade or "").font = BODY_FONT


def _num(ws: Worksheet, row: int, col: int, value: float) -> None:
    cell = put(ws, row, col, round(value, 2) + 0.0)
    cell.number_format, cell.font = FMT_POINTS, BODY_FONT


def _detail_sheet(wb: Workbook, cards: Mapping[str, ScoreCard]) -> None:
    if DETAIL_SHEET in wb.sheetnames:
        wb.remove(wb[DETAIL_SHEET])
    ws = wb.create_sheet(DETAIL_SHEET)
    header_cells(ws, 1, ("部门", "类别", "内容", "依据条款", "分值", "来源"))
    r = 2
    for c in cards.values():
        for item in c.items:
            for col, v in enumerate((c.department, item.category, item.text, item.clause, item.points, item.source), start=1):
                cell = put(ws, r, col, v)
                cell.font = BODY_FONT
            ws.cell(row=r, column=5).number_format = FMT_POINTS
            r += 1
    for letter, width in zip("ABCDEF", (11, 9, 40, 16, 8, 18), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


# --- 意见统计表 ----------------------------------------------------------------------------------


def filled_opinions(source: Path | BookReader, existing: TableRead, rows: Sequence[Mapping[str, Any]], now: datetime) -> Workbook:
    """The 意见统计表 at `source` (read as `existing`; a file, or the bytes a reader read)
    with `rows` appended after its last row, numbered on from its last 序号."""
    spec = opinions.opinions_sheet()
    wb = _load(source)
    keep_text(wb)
    ws = wb[existing.sheet if existing.found else spec.name]
    last = max((r["_row"] for r in existing.records()), default=spec.first_row - 1)
    seq = max((r.get("seq") or 0 for r in existing.records()), default=0)
    for n, values in enumerate(rows, start=1):
        write_record(ws, spec, last + n, {k: v for k, v in {"seq": seq + n, **values}.items() if not is_blank(v)})
    return fixed_properties(wb, now)


# --- next month --------------------------------------------------------------------------------


def next_month_books(month: str, rules: Rules, carried_from: str, open_complaints: Sequence[Mapping[str, Any]],
                     open_flows: Sequence[Mapping[str, Any]], reassignments: Sequence[Mapping[str, Any]] = (),
                     evidence: Sequence[Mapping[str, Any]] = ()) -> dict[str, Workbook]:
    """`month`'s blank books (stem -> workbook, not saved) as `new-month` builds them, with
    the complaints and flow forms still open at the close of `carried_from` written in before
    the one save (no second load and save of a fresh file); the carried complaints' 改派记录
    and 证据 lines go with them (an evidence line's link as ``_link``, already relative to
    the new month's folder)."""
    books = {stem: build(month, rules, NATIVE) for stem, build in BOOKS}
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
