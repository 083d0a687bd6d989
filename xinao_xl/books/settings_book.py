"""制度设置.xlsx: the office's own values for the policies' params, from a month on, and its
confirmation of the State Council's holiday notice; the one owner of that workbook.

It lives beside the month folders (``D:/服务考核/制度设置.xlsx``) and is made by
`xinao-xl settings`, `new-month` and `demo` when missing. Its sheets:

- 说明: what the workbook is for, in four lines;
- 制度设置: one row per setting (项目, 依据条款, 制度原文, 制度取值, 本单位取值, 生效月份,
  性质, 说明); the office types 本单位取值 and 生效月份, and for a later change adds a row
  below (项目 from the dropdown, the new value, the month it takes effect);
- 放假安排: the dates of a year's notice (日期, 休/班, 说明, 通知文号);
- 已确认年度: the years whose notice is entered completely (年度, 通知文号).

`month_rules(root, month)` is how every command gets a month's rules: the packaged rules
overlaid with the settings in effect for that month (policy/settings.py). A bad setting
stops it with `SettingsError`, which names this file, the sheet, the cell and the fix.

    >>> rules = month_rules(Path("D:/服务考核"), "2027-01")        # doctest: +SKIP
    >>> rules.value("platform_visit_target"), rules.param("platform_visit_target").source  # doctest: +SKIP
    (0.6, '本单位（2027-01起）')
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from xinao_xl.policy.calendar import WorkCalendar
from xinao_xl.policy.errors import SETTINGS_BOOK, Problem, SettingsError
from xinao_xl.policy.rules import (
    NATURE_DEFAULT,
    NATURE_PROVISIONAL,
    NO,
    YES,
    Param,
    Rules,
    load_rules,
)
from xinao_xl.policy.settings import (
    HOLIDAY_SHEET,
    REST,
    SETTINGS_SHEET,
    WORK,
    YEAR_SHEET,
    HolidayRow,
    OfficeSettings,
    SettingRow,
    YearRow,
    setting_params,
)

from .cells import put
from .filecheck import BookReadError
from .printing import book_header, fit_rows, print_setup
from .read import BookReader
from .save import save_atomic
from .style import (
    BOXED_WRAP,
    NOTE_FONT,
    RULE_FILL,
    UNLOCKED,
    Look,
    header_cells,
    highlight_equals,
    protect,
    title_cell,
)

__all__ = ["BOOK", "HEADERS", "build_settings_book", "ensure_settings_book", "load_settings", "month_rules", "read_settings",
           "settings_path"]

BOOK = SETTINGS_BOOK
INTRO_SHEET = "说明"
HEADERS = ("项目", "依据条款", "制度原文", "制度取值", "本单位取值", "生效月份", "性质", "说明")
KEYS = ("item", "clause", "quote", "policy", "value", "since", "nature", "note")
HEADER_ROW = 2
FIRST_ROW = HEADER_ROW + 1
CHANGE_ROWS = 60  # blank rows under the settings for later changes (项目 + 本单位取值 + 生效月份)
HOLIDAY_HEADERS = ("日期", "休/班", "说明", "通知文号")
HOLIDAY_ROWS = 400
YEAR_HEADERS = ("年度", "通知文号", "说明")
YEAR_ROWS = 30
ENTRY_LOOK = Look(fill=RULE_FILL, protection=UNLOCKED)  # a cell the office fills
INTRO = (
    "本工作簿是服务办公室的制度设置，放在各月份文件夹旁边（如 D:\\服务考核\\制度设置.xlsx），每月的工作簿、校验、结账都按它计算。",
    "“制度设置”表每行一项：本单位取值留空＝采用制度取值（性质为“本系统默认解读”的，是制度未明确处本系统的解读，请确认或改为本单位的取值）。",
    "某项从某月起改变：在表下方空行选择项目，填本单位取值和生效月份（如 2027-01）；某月采用生效月份不晚于该月的最后一行，已结账的月份不受影响。",
    "工作日：chinesecalendar 已收录的年份自动按国务院放假通知计算；尚未收录的年份（如 2027 年）请在“放假安排”表录入该年的放假日（休）和调休上班日（班），"
    "再在“已确认年度”表填该年度，之后运行 xinao-xl settings --dir 文件夹 --refresh 刷新未结账月份的工作簿。",
    "改完保存并关闭本工作簿；设置有误时所有命令都会停止，并指出单元格和改法。各项的含义和例子见使用说明《制度设置说明》。",
)


def settings_path(root: Path | str) -> Path:
    """Where the office's settings live: beside the month folders."""
    return Path(root) / BOOK


# --- building ----------------------------------------------------------------------------------


def policy_value(param: Param) -> str:
    """制度取值: the packaged value as staff write it, with what it is."""
    return param.shown()


def _validation(param: Param) -> DataValidation:
    """本单位取值's dropdown or range, from the param's kind of value."""
    if param.is_switch:
        dv = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
        prompt = f"选择{YES}或{NO}；留空采用制度取值。"
    elif param.choices:
        dv = DataValidation(type="list", formula1='"' + ",".join(param.choices) + '"', allow_blank=True)
        prompt = "从下拉列表选择；留空采用制度取值。"
    elif param.percent:
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1", allow_blank=True)
        prompt = "填写百分数，如 60%；留空采用制度取值。"
    else:
        kind = "whole" if param.integer else "decimal"
        low = f"{param.low:g}" if param.low is not None else "-1E+300"
        if param.high is not None:
            dv = DataValidation(type=kind, operator="between", formula1=low, formula2=f"{param.high:g}", allow_blank=True)
        else:
            dv = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=low, allow_blank=True)
        prompt = f"填写{'整数' if param.integer else '数字'}；留空采用制度取值。"
    dv.showInputMessage = dv.showErrorMessage = True
    dv.promptTitle, dv.prompt = "本单位取值", f"{param.name}：{prompt}"[:255]
    dv.errorTitle, dv.error = "本单位取值", f"{param.name}：{prompt}"[:255]
    return dv


def build_settings_book(rules: Rules | None = None) -> Workbook:
    """The blank settings workbook: every setting with the policy's words and value."""
    rules = rules or load_rules()
    wb = Workbook()
    intro = wb.active
    intro.title = INTRO_SHEET
    title_cell(intro, "制度设置：本单位对制度取值的决定", "A")
    for i, line in enumerate(INTRO, start=3):
        cell = put(intro, i, 1, line)
        BOXED_WRAP.apply(cell)
    intro.column_dimensions["A"].width = 120
    fit_rows(intro, 3, 2 + len(INTRO))

    ws = wb.create_sheet(SETTINGS_SHEET)
    _settings_sheet(ws, rules)
    _holiday_sheet(wb.create_sheet(HOLIDAY_SHEET))
    _year_sheet(wb.create_sheet(YEAR_SHEET))
    wb.active = 1
    return wb


def _settings_sheet(ws: Worksheet, rules: Rules) -> None:
    params = setting_params(rules)
    title_cell(ws, "制度设置（黄色单元格由服务办公室填写；本单位取值留空即采用制度取值；从某月起改变时在下方空行加一行）", "H")
    header_cells(ws, HEADER_ROW, HEADERS)
    for r, param in enumerate(params, start=FIRST_ROW):
        values = (param.name, param.clause, param.quote, policy_value(param), None, None, param.nature, param.text)
        for col, value in enumerate(values, start=1):
            BOXED_WRAP.apply(put(ws, r, col, value))
        for col in (5, 6):
            ENTRY_LOOK.apply(ws.cell(row=r, column=col))
        if param.percent:
            ws.cell(row=r, column=5).number_format = "0.##%"
        dv = _validation(param)
        dv.add(f"E{r}")
        ws.add_data_validation(dv)
    last = FIRST_ROW + len(params) - 1
    first_change = last + 2
    put(ws, last + 1, 3, "以下为变更行：选择项目，填写本单位取值和生效月份（YYYY-MM）").font = NOTE_FONT
    for r in range(first_change, first_change + CHANGE_ROWS):
        for col in range(1, len(HEADERS) + 1):
            cell = BOXED_WRAP.apply(ws.cell(row=r, column=col))
            if col in (1, 5, 6, 8):
                ENTRY_LOOK.apply(cell)
    items = DataValidation(type="list", formula1=f"$A${FIRST_ROW}:$A${last}", allow_blank=True, showInputMessage=True, showErrorMessage=True)
    items.promptTitle, items.prompt = "项目", "从下拉列表选择要变更的项目（与上面各行的项目相同）。"
    items.errorTitle, items.error = "项目", "项目须从下拉列表选择。"
    items.add(f"A{first_change}:A{first_change + CHANGE_ROWS - 1}")
    ws.add_data_validation(items)
    month = DataValidation(type="textLength", operator="equal", formula1="7", allow_blank=True, showInputMessage=True, showErrorMessage=True)
    month.promptTitle, month.prompt = "生效月份", "从哪个月起生效，格式 YYYY-MM，如 2027-01；留空表示自始生效。"
    month.errorTitle, month.error = "生效月份", "生效月份格式为 YYYY-MM，如 2027-01。"
    month.add(f"F{FIRST_ROW}:F{first_change + CHANGE_ROWS - 1}")
    ws.add_data_validation(month)
    for r in range(FIRST_ROW, first_change + CHANGE_ROWS):
        ws.cell(row=r, column=6).number_format = "@"  # 2027-01 stays text, not a date
    highlight_equals(ws, f"G{FIRST_ROW}:G{last}", NATURE_DEFAULT, red=False)
    highlight_equals(ws, f"G{FIRST_ROW}:G{last}", NATURE_PROVISIONAL, red=False)
    for letter, width in zip("ABCDEFGH", (30, 16, 36, 14, 12, 10, 13, 50), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"B{FIRST_ROW}"
    fit_rows(ws, FIRST_ROW, last, last_col=len(HEADERS))
    print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}", book_header("", "制度设置", SETTINGS_SHEET), landscape=True, print_area=f"A1:H{last}")
    protect(ws)


def _holiday_sheet(ws: Worksheet) -> None:
    title_cell(ws, "放假安排（chinesecalendar 尚未收录的年份：按国务院放假通知录入每个放假日“休”和调休上班日“班”）", "D")
    header_cells(ws, HEADER_ROW, HOLIDAY_HEADERS)
    kinds = DataValidation(type="list", formula1=f'"{REST},{WORK}"', allow_blank=True, showInputMessage=True, showErrorMessage=True)
    kinds.promptTitle, kinds.prompt = "休/班", f"放假日选“{REST}”，调休上班日（周末上班）选“{WORK}”。"
    kinds.errorTitle, kinds.error = "休/班", f"只能选“{REST}”或“{WORK}”。"
    kinds.add(f"B{FIRST_ROW}:B{FIRST_ROW + HOLIDAY_ROWS - 1}")
    ws.add_data_validation(kinds)
    for r in range(FIRST_ROW, FIRST_ROW + HOLIDAY_ROWS):
        ws.cell(row=r, column=1).number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCD", (12, 7, 24, 28), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{FIRST_ROW}"


def _year_sheet(ws: Worksheet) -> None:
    known = WorkCalendar()
    years = [y for y in range(2004, 2101) if known.package_knows(y)]
    span = f"{years[0]}–{years[-1]}" if years else "无"
    title_cell(ws, f"已确认年度（已在“放假安排”表录入全部日期的年份；chinesecalendar 已收录 {span} 年，无需确认）", "C")
    header_cells(ws, HEADER_ROW, YEAR_HEADERS)
    for r in range(FIRST_ROW, FIRST_ROW + YEAR_ROWS):
        ws.cell(row=r, column=1).number_format = "0"
    for letter, width in zip("ABC", (8, 28, 40), strict=True):
        ws.column_dimensions[letter].width = width


def ensure_settings_book(root: Path | str, rules: Rules | None = None) -> Path | None:
    """Write a blank 制度设置.xlsx beside the month folders when there is none; returns its
    path when written, None when it was there (never overwritten: it holds the office's values)."""
    path = settings_path(root)
    if path.exists():
        return None
    return save_atomic(build_settings_book(rules), path, keep_previous=False)


# --- reading ------------------------------------------------------------------------------------


def read_settings(path: Path | str, rules: Rules | None = None) -> OfficeSettings:
    """The office's settings as checked by the policy (a `SettingsError` names each bad cell)."""
    rules = rules or load_rules()
    path = Path(path)
    try:
        reader = BookReader(path)
    except BookReadError as exc:
        raise SettingsError([Problem(SETTINGS_SHEET, "", f"无法读取：{exc}")], book=path.name) from None
    problems: list[Problem] = []
    rows = list(_setting_rows(reader, problems))
    holidays = list(_holiday_rows(reader, problems))
    years = list(_year_rows(reader, problems))
    if problems:
        raise SettingsError(problems, book=path.name)
    try:
        return OfficeSettings.parse(rows, holidays, years, rules)
    except SettingsError as exc:
        raise SettingsError(exc.problems, book=path.name) from None


def _table(reader: BookReader, sheet: str, headers: tuple[str, ...], needed: tuple[str, ...], problems: list[Problem]) -> Iterator[tuple[int, dict[str, Any], dict[str, str]]]:
    """(Excel row, header -> value, header -> cell) of each non-blank row under the header."""
    if sheet not in reader.sheet_names:
        problems.append(Problem(sheet, "", f"找不到工作表“{sheet}”：请勿改工作表名；可删除 {BOOK} 后运行 xinao-xl settings 重新生成（先记下已填的取值）"))
        return
    header_row, columns = reader.find_header(sheet, headers)
    missing = [h for h in needed if h not in columns]
    if not header_row or missing:
        problems.append(Problem(sheet, f"A{header_row or HEADER_ROW}", f"找不到列“{'、'.join(missing or needed)}”：请勿改表头"))
        return
    for i, row in enumerate(reader.rows(sheet)[header_row:], start=header_row + 1):
        values = {h: (row[c] if c < len(row) else None) for h, c in columns.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for h, v in values.items() if h in needed):
            continue
        yield i, values, {h: f"{get_column_letter(c + 1)}{i}" for h, c in columns.items()}


def _setting_rows(reader: BookReader, problems: list[Problem]) -> Iterator[SettingRow]:
    for _, values, cells in _table(reader, SETTINGS_SHEET, HEADERS, ("项目", "本单位取值", "生效月份"), problems):
        yield SettingRow(values["项目"], values["本单位取值"], values["生效月份"],
                         {"item": cells["项目"], "value": cells["本单位取值"], "since": cells["生效月份"]})


def _holiday_rows(reader: BookReader, problems: list[Problem]) -> Iterator[HolidayRow]:
    for _, values, cells in _table(reader, HOLIDAY_SHEET, HOLIDAY_HEADERS, ("日期", "休/班"), problems):
        yield HolidayRow(values["日期"], values["休/班"], values.get("说明"), values.get("通知文号"),
                         {"day": cells["日期"], "kind": cells["休/班"]})


def _year_rows(reader: BookReader, problems: list[Problem]) -> Iterator[YearRow]:
    for _, values, cells in _table(reader, YEAR_SHEET, YEAR_HEADERS, ("年度",), problems):
        yield YearRow(values["年度"], values.get("通知文号"), {"year": cells["年度"]})


@dataclass(frozen=True)
class _Cached:
    stamp: tuple[int, int]
    rules: Rules
    settings: OfficeSettings


_CACHE: dict[Path, _Cached] = {}
_LOCK = threading.Lock()


def load_settings(root: Path | str, rules: Rules | None = None) -> OfficeSettings:
    """The settings beside the month folders under `root`; none (no file) is empty settings.

    Read once per version of the file (its size and modification time), so a command and
    the worksheet functions read it only when the office saved it again."""
    rules = rules or load_rules()
    path = settings_path(root)
    try:
        stat = path.stat()
    except OSError:
        return OfficeSettings.empty()
    stamp = (stat.st_mtime_ns, stat.st_size)
    key = path.resolve()
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit.stamp == stamp and hit.rules is rules:
        return hit.settings
    settings = read_settings(path, rules)
    with _LOCK:
        _CACHE[key] = _Cached(stamp, rules, settings)
    return settings


def month_rules(root: Path | str, month: str, rules: Rules | None = None) -> Rules:
    """The one way a command gets a month's rules: the packaged rules with the settings in
    effect for `month` (and the office's calendar). A bad 制度设置.xlsx raises `SettingsError`."""
    rules = rules or load_rules()
    return load_settings(root, rules).rules_for(month, rules)
