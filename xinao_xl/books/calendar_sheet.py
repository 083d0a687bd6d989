"""The 工作日历 sheet: every date of the month's year and the next, 工作日 or 休息日.

Why a sheet: a working-day deadline (申诉处理 3 个工作日) needs the State Council's 调休
makeup days, which WORKDAY.INTL cannot express. The sheet is written from the month's
calendar (`Rules.work_calendar`: the package's calendar with the office's 放假安排 and
confirmed years from 制度设置.xlsx) when the month's books are made, and written again by
`refresh_calendar_sheet` when the settings change; a running count of working days lets a
plain INDEX/MATCH find "the N-th working day after the start day" in any spreadsheet
program, the same day Python's `WorkCalendar` finds.

A year the calendar does not know (no notice published yet) is written 未确认, never
guessed from weekends: its count becomes #N/A and every deadline that reaches into it
shows "日历未确认" until the office confirms the year in 制度设置.xlsx (the one place:
the sheet is protected, so the workbook and Python never disagree about a day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.worksheet import Worksheet

from xinao_xl.policy.calendar import RESTDAY, WORKDAY, WorkCalendar, default_calendar
from xinao_xl.policy.errors import SETTINGS_BOOK, CalendarUnknownError
from xinao_xl.policy.month import Month

from . import lists as L
from .cells import put, put_formula, set_value
from .names import CAL_COUNT, CAL_DATES, define
from .printing import book_header, not_printed, print_setup
from .schema import FMT_DATE
from .style import (
    BODY_FONT,
    BORDER,
    CENTER_ALIGN,
    FORMULA_FILL,
    WRAP_ALIGN,
    Look,
    header_cells,
    highlight_equals,
    protect,
    title_cell,
    using_public_setters,
)

SHEET = "工作日历"
HEADERS = ("日期", "星期", "状态", "说明", "通知文号", "累计工作日")
HEADER_ROW = 2
FIRST_ROW = 3
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class CalendarRow:
    day: date
    status: str  # 工作日 | 休息日 | 未确认
    note: str
    notice: str = ""


def calendar_rows(years: tuple[int, ...], calendar: WorkCalendar | None = None) -> list[CalendarRow]:
    """The sheet's rows; a date of an unknown year is 未确认."""
    calendar = calendar or default_calendar()
    rows = []
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            entry = calendar.entries.get(day)
            try:
                status = WORKDAY if calendar.is_workday(day) else RESTDAY
                note = entry.note if entry is not None and entry.note else _note(day, status)
            except CalendarUnknownError:
                status, note = L.CAL_UNCONFIRMED, f"待在{SETTINGS_BOOK}中确认{year}年国务院放假通知"
            rows.append(CalendarRow(day, status, note, entry.notice if entry is not None else ""))
            day += timedelta(days=1)
    return rows


def _note(day: date, status: str) -> str:
    """国庆节 for a holiday, 调休上班（国庆节） for a weekend makeup day."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a dependency of the policy layer
        return ""
    try:
        _, holiday = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    if holiday is None:
        return ""
    name = next((h.chinese for h in chinese_calendar.Holiday if h.value == holiday), holiday)
    if status == WORKDAY:
        return f"调休上班（{name}）" if day.weekday() >= 5 else ""
    return name


def calendar_years(month: str | None) -> tuple[int, int]:
    """The years a month's 工作日历 covers: its own and the next (deadlines cross the new year);
    a template's (no month): the last year the calendar data knows, and the next."""
    year = Month(month).year if month else default_calendar().last_package_year()
    return (year, year + 1)


def unknown_years(years: tuple[int, ...], calendar: WorkCalendar | None = None) -> tuple[int, ...]:
    calendar = calendar or default_calendar()
    return tuple(y for y in years if not calendar.knows(y))


# Columns A–F of a day's row: all written from the month's calendar (grey, protected):
# the office's confirmations are typed once, in 制度设置.xlsx.
_LOOKS = tuple(
    Look(font=BODY_FONT, border=BORDER, alignment=CENTER_ALIGN if col in (2, 3, 6) else WRAP_ALIGN, fill=FORMULA_FILL)
    for col in range(1, 7)
)


def title_text(years: tuple[int, ...]) -> str:
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    return (f"工作日历（{span}年，依据国务院放假通知，调休上班日为工作日；由{SETTINGS_BOOK}生成，"
            f"未确认年度请在{SETTINGS_BOOK}中录入并确认，再刷新本簿）")


def write_calendar_sheet(wb: Workbook, years: tuple[int, ...], calendar: WorkCalendar | None = None, month: str = "") -> list[CalendarRow]:
    """Add the 工作日历 sheet and the names CAL_DATES / CAL_COUNT; returns the rows written.

    Two years of days are no paper for a clerk: the sheet is left out of printing the whole
    workbook (`printing.not_printed`); printed on its own it is A4 upright.
    """
    ws = wb.create_sheet(SHEET)
    rows = calendar_rows(years, calendar)
    title_cell(ws, title_text(years), "F")
    header_cells(ws, HEADER_ROW, HEADERS)
    last = FIRST_ROW + len(rows) - 1
    for i, item in enumerate(rows[:1] if rows and not using_public_setters() else rows):
        r = FIRST_ROW + i
        c = put(ws, r, 1, item.day)
        c.number_format = FMT_DATE
        put(ws, r, 2, _weekday(item.day))
        _put_day(ws, r, item)
        put_formula(ws, r, 6, _count_formula(r))
        for col, look in enumerate(_LOOKS, start=1):
            look.apply(ws.cell(row=r, column=col))
    if rows and not using_public_setters():
        _more_days(ws, rows[1:])
    define(wb, CAL_DATES, SHEET, f"A{FIRST_ROW}:A{last}")
    define(wb, CAL_COUNT, SHEET, f"F{FIRST_ROW}:F{last}")
    highlight_equals(ws, f"C{FIRST_ROW}:C{last}", L.CAL_UNCONFIRMED, red=True)
    highlight_equals(ws, f"C{FIRST_ROW}:C{last}", RESTDAY, red=False)

    for letter, width in zip("ABCDEF", (12, 8, 9, 26, 20, 11), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:F{last}"
    print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}", book_header(month, "", SHEET), landscape=False, print_area=f"A1:F{last}")
    not_printed(ws)
    protect(ws)
    return rows


def _weekday(day: date) -> str:
    return "星期" + WEEKDAYS[day.weekday()]


def _count_formula(r: int) -> str:
    """The working days from the first date to row `r`'s (CAL_COUNT)."""
    step = f'IF(C{r}="{WORKDAY}",1,IF(C{r}="{RESTDAY}",0,NA()))'
    return f"={step}" if r == FIRST_ROW else f"=F{r - 1}+{step}"


def _more_days(ws: Worksheet, rows: Sequence[CalendarRow]) -> None:
    """The days after the first, as the first was written (its cells' looks copied).

    Two years are 4,400 cells in each of two books: the tool's own values (the date, the
    weekday, the status, the count formula) are stored directly in cells made with their
    column's style, which skips openpyxl's value checks and style lookups per cell; the
    说明 and 通知文号, which may come from what the office typed in 制度设置.xlsx, go through
    `cells.put` (text stays text, with the quote prefix where it looks like a formula)."""
    looks = []
    for col in range(1, 7):
        look = StyleArray(ws.cell(row=FIRST_ROW, column=col)._style)
        look.quotePrefix = 0
        looks.append(look)
    add = ws._add_cell
    for i, item in enumerate(rows, start=FIRST_ROW + 1):
        own = ((item.day, "d"), (_weekday(item.day), "s"), (item.status, "s"))
        for col, (value, kind) in enumerate(own, start=1):
            cell = Cell(ws, i, col, style_array=looks[col - 1])
            cell._value, cell.data_type = value, kind
            add(cell)
        for col, value in ((4, item.note), (5, item.notice)):
            cell = Cell(ws, i, col, style_array=looks[col - 1])
            add(cell)
            if value:
                set_value(cell, value)
        cell = Cell(ws, i, 6, style_array=looks[5])
        cell._value, cell.data_type = _count_formula(i), "f"
        add(cell)


def _put_day(ws: Worksheet, r: int, item: CalendarRow) -> None:
    put(ws, r, 3, item.status)
    put(ws, r, 4, item.note or None)
    put(ws, r, 5, item.notice or None)


def calendar_sheet_writes(rows: Sequence[Sequence[object]], calendar: WorkCalendar) -> tuple[list[tuple[int, int, object]], int]:
    """The cells of a written 工作日历 sheet (its values from A1) that differ from `calendar`:
    状态, 说明 and 通知文号 of each date (same dates, same rows, so every formula and name
    stays), and how many days change status. A sheet whose dates were changed is refused."""
    dates = [r[0] if r else None for r in rows[FIRST_ROW - 1:]]
    dates = [d.date() if isinstance(d, datetime) else d for d in dates]
    while dates and dates[-1] is None:
        dates.pop()
    if not dates or not all(isinstance(d, date) for d in dates):
        raise ValueError(f"{SHEET} 表的日期列已被改动：请重新生成本月工作簿")
    years = tuple(range(dates[0].year, dates[-1].year + 1))
    writes: list[tuple[int, int, object]] = []
    changed = 0
    if rows and rows[0] and rows[0][0] != title_text(years):
        writes.append((1, 1, title_text(years)))
    for i, item in enumerate(calendar_rows(years, calendar)):
        r = FIRST_ROW + i
        if i >= len(dates) or dates[i] != item.day:
            raise ValueError(f"{SHEET} 表第{r}行的日期不是 {item.day:%Y-%m-%d}：该表已被改动，请重新生成本月工作簿")
        have = list(rows[r - 1][2:5]) + [None] * 3
        changed += have[0] != item.status
        for col, value in ((3, item.status), (4, item.note), (5, item.notice)):
            if (have[col - 3] or "") != (value or ""):
                writes.append((r, col, value))
    return writes, changed


def refresh_calendar_sheet(wb: Workbook, calendar: WorkCalendar) -> int:
    """`calendar_sheet_writes` applied to an openpyxl workbook; returns how many days changed
    status (a staff workbook on disk is refreshed in place: `workbooks.refresh_books`)."""
    ws = wb[SHEET]
    writes, changed = calendar_sheet_writes([list(r) for r in ws.iter_rows(values_only=True)], calendar)
    for row, col, value in writes:
        ws.cell(row=row, column=col).value = value or None
    return changed


def working_due_formula(start: str, days: str) -> str:
    """Native formula text: 23:59:59 of the `days`-th working day after `start`'s date.

    The count of working days up to the start day plus N is first reached on the N-th
    working day after it (start day not counted, 民法典 201); a date outside the sheet or
    in an unconfirmed year gives "日历未确认".
    """
    return (
        f'IF({start}="","",IFERROR(INDEX({CAL_DATES},MATCH(INDEX({CAL_COUNT},MATCH(INT({start}),{CAL_DATES},0))+{days},'
        f'{CAL_COUNT},0))+TIME(23,59,59),"{L.CAL_ERROR}"))'
    )
