"""The 考核表's 汇入 sheet: the figures that come from the month's other workbooks.

Why a sheet: a satisfaction rate, a complaint's deduction and a late 流转单 are facts of the
回访台账 and the 投诉台账. They used to be typed a second time in the 考核表 (the rate rounded
to 94.74% while the close recounted 94.7368…%, every complaint again in 加减分明细, late flow
forms by hand), so the live workbook and the close disagreed. Now the recount is written
here, at full precision, by the refresh (`xinao-xl refresh`, ribbon 刷新汇入) and by the
close into its closed copy; the department sheets' formulas read it, and the close computes
from the same recount (services/month_books.py `MonthBooks.imports`).

Layout (positions follow the rules data: one row per business type and per department):

- row 2: 统计时间 (the "as of" of the recount: an open 流转单 becomes late with time);
- from row 4: 回访满意度 by business type (A:E: 业务类型, 满意, 不满意, 有效回访 and 满意率 as
  formulas) beside 流转单超时 by department (G:H);
- below: 投诉 — one row per complaint and department accepted in the month (A:I: 投诉单号,
  受理时间, 责任部门, 受理渠道, 投诉级别, 有责/无责, 申诉结果 as the 投诉台账 holds them, 扣分 and
  定C级 as formulas, the 投诉台账's own), beside it 申诉调整 (K:N: an upheld appeal of a closed
  month's complaint gives back what that month deducted, in the month the 申诉结果 is typed;
  services/appeals.py).

`imports_cells` says what goes in which cell; the openpyxl writer (templates, the sample
month, the closed copy) and the in-place refresh (`refresh_in_place`, every other part of
the staff's file byte for byte) both write exactly that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xinao_xl.policy import scoring
from xinao_xl.policy.complaints import responsible_after_appeal
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.rules import Rules

from . import formulas as F
from . import lists as L
from .cells import put, put_formula
from .inplace import InPlaceRefusedError, WorkbookEdit
from .printing import book_header, month_prefix, print_setup
from .read import BookReader
from .schema import FMT_DATETIME, FMT_INT, FMT_PERCENT, FMT_POINTS, NATIVE, UDF
from .style import (
    BODY_FONT,
    BORDER,
    CELL_ALIGN,
    FORMULA_FILL,
    Look,
    header_cell,
    header_cells,
    protect,
    title_cell,
)

SHEET = "汇入"
AS_OF_ROW = 2
BLOCK_HEADER_ROW = 4
COMPLAINT_CAPACITY = 2000  # rows the formulas that read the complaints cover
RATE_HEADERS = ("业务类型", "满意", "不满意", "有效回访", "满意率")
LATE_HEADERS = ("责任部门", "超时流转单")
LATE_FIRST_COL = 7  # G
COMPLAINT_HEADERS = ("投诉单号", "受理时间", "责任部门", "受理渠道", "投诉级别", "有责/无责", "申诉结果", "扣分", "定C级")
ADJUST_HEADERS = ("调整投诉单号", "责任部门", "扣分月份", "退回扣分")
ADJUST_FIRST_COL = 11  # K
ADJUST_CAPACITY = 200
AS_OF_LABEL = "统计时间"
NOTE = "据回访台账、投诉台账统计，请勿手填；点“刷新汇入”更新"


@dataclass(frozen=True)
class ImportedComplaint:
    """One complaint row of the month as the 投诉台账 holds it (责任部门 as the rules spell it)."""

    no: str
    accepted: datetime | None
    dept: str
    channel: Any = None
    level: Any = None
    resp: Any = None
    appeal: Any = None  # 申诉结果 (成立 makes it 无责)

    def values(self) -> tuple[Any, ...]:
        return (self.no, self.accepted, self.dept, self.channel, self.level, self.resp, self.appeal)


@dataclass(frozen=True)
class ImportedAdjustment:
    """An upheld appeal of a closed month's complaint: the points that month deducted, given
    back in this month (services/appeals.py `LateAppeal`)."""

    no: str
    dept: str
    closed_month: str
    points: float

    def values(self) -> tuple[Any, ...]:
        return (self.no, self.dept, self.closed_month, self.points)

    @property
    def text(self) -> str:
        return f"投诉{self.no}（{self.closed_month} 已结账，扣{self.points:g}分）申诉成立，退回扣分"


@dataclass(frozen=True)
class Imports:
    """The recount of the month's other workbooks, as of a moment."""

    as_of: datetime | None
    callbacks: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # business type -> (满意, 不满意)
    late_flows: Mapping[str, int] = field(default_factory=dict)  # department -> late 流转单
    complaints: tuple[ImportedComplaint, ...] = ()
    adjustments: tuple[ImportedAdjustment, ...] = ()

    def rate(self, business: str) -> float | None:
        """满意 / (满意 + 不满意), as the sheet's formula divides; None without valid callbacks."""
        sat, unsat = self.callbacks.get(business, (0, 0))
        return sat / (sat + unsat) if sat + unsat else None


@dataclass(frozen=True)
class Layout:
    """Where everything of the 汇入 sheet is, for one rules version."""

    businesses: tuple[str, ...]
    departments: tuple[str, ...]

    @classmethod
    def of(cls, rules: Rules) -> Layout:
        return cls(tuple(b.name for b in rules.business_types), rules.department_names)

    @property
    def first_row(self) -> int:
        return BLOCK_HEADER_ROW + 1

    def business_row(self, business: str) -> int:
        return self.first_row + self.businesses.index(business)

    def department_row(self, dept: str) -> int:
        return self.first_row + self.departments.index(dept)

    @property
    def complaint_header_row(self) -> int:
        return BLOCK_HEADER_ROW + max(len(self.businesses), len(self.departments)) + 2

    @property
    def first_complaint_row(self) -> int:
        return self.complaint_header_row + 1

    @property
    def last_complaint_row(self) -> int:
        return self.first_complaint_row + COMPLAINT_CAPACITY - 1

    # --- references the 考核表's formulas use -------------------------------------------

    def rate_ref(self, business: str) -> str:
        return f"'{SHEET}'!$E${self.business_row(business)}"

    def late_ref(self, dept: str) -> str:
        return f"'{SHEET}'!$H${self.department_row(dept)}"

    def complaint_range(self, key: str) -> str:
        letter = get_column_letter({"dept": 3, "points": 8, "grade_c": 9}[key])
        return f"'{SHEET}'!${letter}${self.first_complaint_row}:${letter}${self.last_complaint_row}"

    def adjust_range(self, key: str) -> str:
        letter = get_column_letter(ADJUST_FIRST_COL + {"dept": 1, "points": 3}[key])
        last = self.first_complaint_row + ADJUST_CAPACITY - 1
        return f"'{SHEET}'!${letter}${self.first_complaint_row}:${letter}${last}"


def complaint_formulas(r: int, rules: Rules, style: str) -> tuple[str, str]:
    """扣分 and 定C级 of complaint row `r`: the 投诉台账's formulas (and UDFs) on this row, the
    申诉结果 (成立: 无责) included."""
    level, channel, resp, appeal = f"E{r}", f"D{r}", f"F{r}", f"G{r}"
    if style == UDF:
        after = f'IF({F.level_text(appeal)}="{L.APPEAL_UPHELD}","{L.NOT_RESPONSIBLE}",{resp}&"")'
        grade = (f'=IF(AND(OR(NOT({F.no_fault(resp, appeal)}),{F.switch("P_NO_FAULT_GRADE_C")}),{level}<>""),'
                 f'IF(DEPT_GRADE({level})=P_GRADE_C,"{L.YES}",""),"")')
        return f"=DEDUCT_COMPLAINT({level},{channel},{after})", grade
    return f"={F.complaint_points(level, channel, resp, rules, appeal=appeal)}", f"={F.grade_c_flag(level, resp, appeal)}"


@dataclass(frozen=True)
class Formula:
    text: str


def imports_cells(imports: Imports | None, rules: Rules, style: str) -> dict[tuple[int, int], Any]:
    """(row, column) -> value or `Formula` of every cell the data fills (not the frame: title,
    headers, names of business types and departments). None: blank figures."""
    lay = Layout.of(rules)
    out: dict[tuple[int, int], Any] = {(AS_OF_ROW, 2): imports.as_of if imports else None}
    for b in lay.businesses:
        r = lay.business_row(b)
        sat, unsat = imports.callbacks.get(b, (0, 0)) if imports else (0, 0)
        out[(r, 2)], out[(r, 3)] = sat, unsat
        out[(r, 4)] = Formula(f"=B{r}+C{r}")
        out[(r, 5)] = Formula(f'=IF(D{r}>0,B{r}/D{r},"")')
    for d in lay.departments:
        out[(lay.department_row(d), LATE_FIRST_COL + 1)] = imports.late_flows.get(d, 0) if imports else 0
    complaints = imports.complaints if imports else ()
    if len(complaints) > COMPLAINT_CAPACITY:
        raise InPlaceRefusedError(f"本月投诉超过 {COMPLAINT_CAPACITY} 行，汇入表容纳不下：请联系维护人员")
    for i, c in enumerate(complaints):
        r = lay.first_complaint_row + i
        for col, value in enumerate(c.values(), start=1):
            out[(r, col)] = value
        points, grade = complaint_formulas(r, rules, style)
        out[(r, 8)], out[(r, 9)] = Formula(points), Formula(grade)
    adjustments = imports.adjustments if imports else ()
    if len(adjustments) > ADJUST_CAPACITY:
        raise InPlaceRefusedError(f"本月申诉调整超过 {ADJUST_CAPACITY} 条，汇入表容纳不下：请联系维护人员")
    for i, a in enumerate(adjustments):
        for col, value in enumerate(a.values(), start=ADJUST_FIRST_COL):
            out[(lay.first_complaint_row + i, col)] = value
    return out


def frozen_cells(imports: Imports, rules: Rules) -> dict[tuple[int, int], Any]:
    """`imports_cells` with every formula replaced by the value the policy functions give
    (the closed copy: any viewer shows the figures, recalculated or not)."""
    lay = Layout.of(rules)
    out = imports_cells(imports, rules, NATIVE)
    for b in lay.businesses:
        r = lay.business_row(b)
        sat, unsat = imports.callbacks.get(b, (0, 0))
        rate = imports.rate(b)
        out[(r, 4)], out[(r, 5)] = sat + unsat, "" if rate is None else rate
    for i, c in enumerate(imports.complaints):
        r = lay.first_complaint_row + i
        try:
            resp = responsible_after_appeal(c.resp, c.appeal)
            points: Any = scoring.complaint_deduction(c.level, c.channel, resp, rules)
            grade = L.YES if scoring.is_grade_c(c.level, resp, rules) else ""
        except PolicyInputError as exc:
            points, grade = f"#{exc.code}", ""
        out[(r, 8)], out[(r, 9)] = points, grade
    return out


def write_frozen(ws: Worksheet, imports: Imports, rules: Rules) -> None:
    """Write `imports` as values into the 汇入 sheet `ws` of a copy being built (openpyxl):
    the complaint rows below the header are emptied first."""
    lay = Layout.of(rules)
    for row in list(ws.iter_rows(min_row=lay.first_complaint_row, max_col=ADJUST_FIRST_COL + len(ADJUST_HEADERS) - 1)):
        for cell in row:
            cell.value = None
    formats = _formats(rules)
    for (r, c), value in frozen_cells(imports, rules).items():
        _look(formats.get((r, c)) or _block_format(c)).apply(put(ws, r, c, value))


def _formats(rules: Rules) -> dict[tuple[int, int], str]:
    """Number format of each data cell of the frame (complaint rows: by column)."""
    lay = Layout.of(rules)
    out = {(AS_OF_ROW, 2): FMT_DATETIME}
    for b in lay.businesses:
        r = lay.business_row(b)
        out.update({(r, 2): FMT_INT, (r, 3): FMT_INT, (r, 4): FMT_INT, (r, 5): FMT_PERCENT})
    for d in lay.departments:
        out[(lay.department_row(d), LATE_FIRST_COL + 1)] = FMT_INT
    return out


COMPLAINT_FORMATS = ("@", FMT_DATETIME, "General", "General", "General", "General", "General", FMT_POINTS, "General")
ADJUST_FORMATS = ("@", "General", "@", FMT_POINTS)


def _block_format(column: int) -> str:
    """The number format of a complaint or 申诉调整 row's cell in `column`."""
    if column >= ADJUST_FIRST_COL:
        return ADJUST_FORMATS[column - ADJUST_FIRST_COL]
    return COMPLAINT_FORMATS[column - 1]


@cache
def _look(fmt: str) -> Look:
    """One look per number format: a look is resolved once per workbook and per object
    (`style.Look`), so a new object per cell cost 0.3 ms a cell (0.9 s of a close)."""
    return Look(number_format=fmt, font=BODY_FONT, border=BORDER, alignment=CELL_ALIGN, fill=FORMULA_FILL)


def write_imports_sheet(wb: Workbook, rules: Rules, month: str | None, style: str, imports: Imports | None = None) -> Worksheet:
    """Add the 汇入 sheet (the recount `imports`, or blank figures) to a workbook being built."""
    lay = Layout.of(rules)
    ws = wb.create_sheet(SHEET)
    title_cell(ws, f"{month_prefix(month)}汇入（回访满意度、流转单超时、投诉、申诉调整，据回访台账和投诉台账统计）", "N")
    put(ws, AS_OF_ROW, 1, AS_OF_LABEL)
    put(ws, AS_OF_ROW, 3, NOTE).font = BODY_FONT
    header_cells(ws, BLOCK_HEADER_ROW, RATE_HEADERS)
    for i, h in enumerate(LATE_HEADERS):
        header_cell(ws, BLOCK_HEADER_ROW, LATE_FIRST_COL + i, h)
    for b in lay.businesses:
        _look("General").apply(put(ws, lay.business_row(b), 1, b))
    for d in lay.departments:
        _look("General").apply(put(ws, lay.department_row(d), LATE_FIRST_COL, d))
    header_cells(ws, lay.complaint_header_row, COMPLAINT_HEADERS)
    for i, h in enumerate(ADJUST_HEADERS):
        header_cell(ws, lay.complaint_header_row, ADJUST_FIRST_COL + i, h)
    fill_imports(ws, imports, rules, style)
    # the first row's look of each block, for the refresh to copy
    for c in (*range(1, len(COMPLAINT_HEADERS) + 1), *range(ADJUST_FIRST_COL, ADJUST_FIRST_COL + len(ADJUST_HEADERS))):
        if ws.cell(row=lay.first_complaint_row, column=c).value is None:
            _look(_block_format(c)).apply(ws.cell(row=lay.first_complaint_row, column=c))
    for letter, width in zip("ABCDEFGHIJKLMN", (16, 17, 12, 11, 11, 10, 9, 9, 8, 3, 16, 12, 10, 9), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{BLOCK_HEADER_ROW + 1}"
    print_setup(ws, None, book_header(month, "服务绩效考核表", SHEET), landscape=False)
    protect(ws)
    return ws


def fill_imports(ws: Worksheet, imports: Imports | None, rules: Rules, style: str) -> None:
    """Write the figures (`imports_cells`: values and the formulas of the complaint rows) into
    the 汇入 sheet `ws` of a workbook being built with openpyxl."""
    formats = _formats(rules)
    for (r, c), value in imports_cells(imports, rules, style).items():
        cell = put_formula(ws, r, c, value.text) if isinstance(value, Formula) else put(ws, r, c, value)
        _look(formats.get((r, c)) or _block_format(c)).apply(cell)


# --- reading it back -----------------------------------------------------------------------


def read_imports(rows: list[list[Any]], rules: Rules) -> Imports | None:
    """The figures a 汇入 sheet holds (rows as `read.BookReader.rows` gives them: row i is
    Excel row i+1), None when the sheet is not in this layout (an older 考核表)."""
    lay = Layout.of(rules)

    def cell(r: int, c: int) -> Any:
        return rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else None

    def count(value: Any) -> int:
        return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0

    if cell(BLOCK_HEADER_ROW, 1) != RATE_HEADERS[0] or cell(lay.complaint_header_row, 1) != COMPLAINT_HEADERS[0]:
        return None
    if any(cell(lay.business_row(b), 1) != b for b in lay.businesses) or any(cell(lay.department_row(d), LATE_FIRST_COL) != d for d in lay.departments):
        return None
    as_of = cell(AS_OF_ROW, 2)
    callbacks = {b: (count(cell(lay.business_row(b), 2)), count(cell(lay.business_row(b), 3))) for b in lay.businesses}
    late = {d: count(cell(lay.department_row(d), LATE_FIRST_COL + 1)) for d in lay.departments}
    complaints, adjustments = [], []
    for r in range(lay.first_complaint_row, min(len(rows), lay.last_complaint_row) + 1):
        values = [cell(r, c) for c in range(1, 8)]
        if not all(v is None or v == "" for v in values):
            no, accepted, dept, channel, level, resp, appeal = values
            complaints.append(ImportedComplaint("" if no is None else _text(no), accepted if isinstance(accepted, datetime) else None,
                                                "" if dept is None else _text(dept), _blank(channel), _blank(level), _blank(resp), _blank(appeal)))
        no, dept, closed, points = (cell(r, c) for c in range(ADJUST_FIRST_COL, ADJUST_FIRST_COL + len(ADJUST_HEADERS)))
        if not all(v is None or v == "" for v in (no, dept, closed, points)):
            adjustments.append(ImportedAdjustment("" if no is None else _text(no), "" if dept is None else _text(dept),
                                                  "" if closed is None else _text(closed), float(points) if isinstance(points, int | float) else 0.0))
    return Imports(as_of if isinstance(as_of, datetime) else None, callbacks, late, tuple(complaints), tuple(adjustments))


def recalculated(rows: list[list[Any]], rules: Rules) -> bool:
    """Whether the 汇入's formulas hold computed values (the file was recalculated and saved
    since the figures were written): 有效回访 (=满意+不满意) is a number once computed; the
    refresh leaves it without one until Excel opens the file."""
    r = Layout.of(rules).first_row
    value = rows[r - 1][3] if r - 1 < len(rows) and len(rows[r - 1]) > 3 else None
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _blank(value: Any) -> Any:
    return None if value is None or value == "" else _text(value)


def differences(held: Imports, fresh: Imports, rules: Rules) -> list[tuple[str, str]]:
    """(cell, what differs) between the figures a 汇入 sheet holds and a fresh recount."""
    lay = Layout.of(rules)
    out: list[tuple[str, str]] = []
    for b in lay.businesses:
        r = lay.business_row(b)
        (s0, u0), (s1, u1) = held.callbacks.get(b, (0, 0)), fresh.callbacks.get(b, (0, 0))
        if (s0, u0) != (s1, u1):
            out.append((f"B{r}", f"{b}回访 满意{s0}/不满意{u0}，台账现为 满意{s1}/不满意{u1}"))
    for d in lay.departments:
        n0, n1 = held.late_flows.get(d, 0), fresh.late_flows.get(d, 0)
        if n0 != n1:
            out.append((f"{get_column_letter(LATE_FIRST_COL + 1)}{lay.department_row(d)}", f"{d}超时流转单 {n0} 条，台账现为 {n1} 条"))
    key = _complaint_key
    if [key(c) for c in held.complaints] != [key(c) for c in fresh.complaints]:
        old, new = {key(c) for c in held.complaints}, {key(c) for c in fresh.complaints}
        gone, added = len(old - new), len(new - old)
        what = "、".join(p for p in (f"新增或改动 {added} 条" if added else "", f"删除或改动 {gone} 条" if gone else "") if p) or "顺序不同"
        out.append((f"A{lay.first_complaint_row}", f"投诉 {len(held.complaints)} 条，投诉台账现为 {len(fresh.complaints)} 条（{what}）"))
    if [a.values() for a in held.adjustments] != [a.values() for a in fresh.adjustments]:
        out.append((f"{get_column_letter(ADJUST_FIRST_COL)}{lay.first_complaint_row}",
                    f"申诉调整 {len(held.adjustments)} 条，投诉台账现为 {len(fresh.adjustments)} 条"))
    return out


def _complaint_key(c: ImportedComplaint) -> tuple[str, ...]:
    return (c.no, "" if c.accepted is None else c.accepted.isoformat(timespec="minutes"), c.dept,
            *("" if v is None else _text(v) for v in (c.channel, c.level, c.resp, c.appeal)))


# --- the refresh: into the staff's file, in place ---------------------------------------------


def refresh_in_place(path: Path, imports: Imports, rules: Rules, style: str, keep_previous: bool = True) -> Path:
    """Write `imports` into the 汇入 sheet of the 考核表 at `path`, every other part of the
    file byte for byte (books/inplace.py): the figures' cells are replaced and the complaint
    rows below the header cleared and written anew, each cell in the look of the first row."""
    book = WorkbookEdit(path)
    if SHEET not in book.sheet_names:
        raise InPlaceRefusedError(f"{path.name} 没有“{SHEET}”表（由旧版本生成）：结账仍按台账统计；"
                                  "如需在考核表中看到台账的满意率、投诉和超时流转单，请用 xinao-xl new-month 重新生成本月考核表后把录入内容复制过去")
    lay = Layout.of(rules)
    sheet = book.sheet(SHEET)
    if read_imports(BookReader(path).rows(SHEET), rules) is None:
        raise InPlaceRefusedError(f"{path.name} 的“{SHEET}”表版式与本版本不同（业务类型或部门不同）：请用 xinao-xl new-month 重新生成本月考核表")
    columns = (*range(1, len(COMPLAINT_HEADERS) + 1), *range(ADJUST_FIRST_COL, ADJUST_FIRST_COL + len(ADJUST_HEADERS)))
    looks = {c: sheet.style_of(lay.first_complaint_row, c) for c in columns}
    for first, last in ((1, len(COMPLAINT_HEADERS)), (ADJUST_FIRST_COL, ADJUST_FIRST_COL + len(ADJUST_HEADERS) - 1)):
        sheet.clear(lay.first_complaint_row, lay.first_complaint_row, first, last, keep_style=True)
        sheet.clear(lay.first_complaint_row + 1, None, first, last)
    for (r, c), value in imports_cells(imports, rules, style).items():
        complaint = r >= lay.first_complaint_row
        if isinstance(value, Formula):
            if complaint:
                sheet.set_formula(r, c, value.text, style=looks[c])
            continue  # the figures' formulas of the frame stay as they are
        if value is None:
            if complaint:  # an empty field of a complaint row keeps the row's look
                sheet.set_blank(r, c, looks[c])
            continue
        sheet.set(r, c, value, replace=True, style=looks[c] if complaint else None)
    return book.save(keep_previous=keep_previous)


__all__ = ["COMPLAINT_CAPACITY", "ImportedAdjustment", "ImportedComplaint", "Imports", "Layout", "SHEET", "differences", "fill_imports", "frozen_cells", "imports_cells",
           "read_imports", "recalculated", "refresh_in_place", "write_frozen", "write_imports_sheet"]
