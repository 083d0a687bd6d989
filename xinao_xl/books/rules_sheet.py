"""The 规则 sheet: every parameter of the three policies with its clause, in every workbook.

Formulas read these cells through defined names (``P_<KEY>`` for a parameter, ``D_<STAGE>_
MAJOR/GENERAL`` for a complaint stage's days, ``L_<LIST>`` for a dropdown list, ``MONTH``
for the workbook's month). Staff read plain Chinese: each row's 项目 is the param's label,
a switch is 是/否, a rate a percentage, and 来源 says whether the value is the policy's
(制度规定, 制度暂定), our reading (本系统默认，制度未规定) or the office's own from a
month on (本单位（2027-01起）). The values are the month's effective rules: `new-month`
writes the office's settings of that month (制度设置.xlsx), `refresh_rules_sheet` writes
them again when the settings change, so the live formulas compute with what the close uses.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xinao_xl.policy.errors import SETTINGS_BOOK
from xinao_xl.policy.month import Month
from xinao_xl.policy.parse import NOT_RESPONSIBLE_WORDS, level_spellings
from xinao_xl.policy.rules import NATURE_DEFAULT, NATURE_POLICY, NATURE_PROVISIONAL, Param, Rules

from . import lists as L
from .cells import put
from .names import define, stage_name
from .printing import book_header, fit_rows, month_prefix, not_printed, print_setup
from .schema import FMT_DATE
from .style import (
    BOXED_WRAP,
    RULE_FILL,
    Look,
    header_cell,
    header_cells,
    protect,
    title_cell,
)

SHEET = "规则"
RULE_LOOK = Look(fill=RULE_FILL)  # a value the office may change (in 制度设置.xlsx)
HEADERS = ("项目", "取值", "说明", "依据条款", "来源", "公式中的名称")
STAGE_HEADERS = ("时限环节", "疑似重大（天）", "一般（天）", "依据条款", "单位／起算", "公式中的名称")
NATURE_WORDS = {NATURE_POLICY: "制度规定", NATURE_PROVISIONAL: "制度暂定", NATURE_DEFAULT: "本系统默认，制度未规定"}
HEADER_ROW = 2
LIST_FIRST_COL = 8  # H: lists start here, one per column
TEMPLATE_MONTH_TEXT = "空白模板：月份按所在文件夹或文件名（如 2026-11\\2026-11_服务绩效考核表.xlsx）确定"


@dataclass(frozen=True)
class ListSpec:
    header: str
    name: str | None
    values: tuple[object, ...]
    width: float = 12


def list_specs(rules: Rules) -> tuple[ListSpec, ...]:
    """The dropdown lists, from the rules data, in the order they appear on the sheet."""
    return (
        ListSpec("部门", L.L_DEPARTMENTS, rules.department_names, 12),
        ListSpec("权重", L.L_WEIGHTS, tuple(d.weight for d in rules.departments), 8),
        ListSpec("部门别名", None, tuple("、".join(d.aliases) for d in rules.departments), 14),
        ListSpec("受理渠道", L.L_CHANNELS, tuple(c.code for c in rules.channels), 10),
        ListSpec("投诉级别", L.L_LEVELS, tuple(L.level_label(n) for n in sorted(rules.level_params)), 9),
        ListSpec("有责／无责", L.L_RESP, (L.RESPONSIBLE, L.NOT_RESPONSIBLE), 10),
        ListSpec("明细类型", L.L_ITEM_TYPES, L.ITEM_TYPES, 11),
        ListSpec("是／否", L.L_YESNO, (L.YES, L.NO), 7),
        ListSpec("业务类型", L.L_BUSINESS, tuple(b.name for b in rules.business_types), 10),
        ListSpec("日回访量", L.L_QUOTAS, tuple("全部" if b.quota is None else b.quota for b in rules.business_types), 9),
        ListSpec("回访结果", L.L_RESULTS, rules.callback_valid + rules.callback_invalid, 9),
        ListSpec("计算方式", L.L_MODES, rules.param("shortfall_mode").choices, 10),
        ListSpec("申诉结果", L.L_APPEAL, (L.APPEAL_UPHELD, L.APPEAL_REJECTED), 9),
        ListSpec("疑似重大投诉（附件1）", L.L_MAJOR, tuple(m.label for m in rules.major_items), 50),
        ListSpec("无责原因（附件2）", L.L_NOFAULT, tuple(f"{i}.{r}" for i, r in enumerate(rules.no_fault_reasons, start=1)), 50),
        ListSpec("级别写法", L.L_LEVEL_SPELLINGS, tuple(level_spellings(rules)), 12),
        ListSpec("对应级别", L.L_LEVEL_NUMBERS, tuple(level_spellings(rules).values()), 8),
        ListSpec("无责写法", L.L_NOT_RESPONSIBLE_WORDS, NOT_RESPONSIBLE_WORDS, 8),
        ListSpec("审核结果", L.L_REVIEW, rules.step("review").choices(), 9),
        ListSpec("投诉回访结果", L.L_COMPLAINT_CALLBACK, rules.step("callback").choices(), 10),
        ListSpec("责任类别", L.L_RESP_KINDS, rules.step("responsibility").choices("kinds"), 12),
        ListSpec("特殊终止状态", L.L_TERMINATION, rules.step("termination").choices("statuses"), 11),
        ListSpec("改派方式", L.L_REASSIGN, rules.step("reassignment").choices("ways"), 10),
        ListSpec("证据类型", L.L_EVIDENCE, rules.step("evidence").choices("kinds"), 10),
    )


def param_format(param: Param, value: object) -> str | None:
    """A rate as a percentage with as many decimals as it needs (97.5% stays 97.5%)."""
    if param.percent and isinstance(value, int | float):
        places = next((n for n in range(5) if abs(round(value * 100, n) - value * 100) < 1e-9), 4)
        return "0%" if places == 0 else "0." + "0" * places + "%"
    return None


def cell_value(param: Param) -> object:
    """What the value cell holds: 是/否 for a switch (the formulas compare with 是), else the value."""
    return param.shown() if param.is_switch else param.value


def source_text(param: Param) -> str:
    """来源: the office's setting with its month, or the policy's word for the value."""
    return param.source or NATURE_WORDS[param.nature]


def write_rules_sheet(wb: Workbook, rules: Rules, month: str | None) -> None:
    """Add the 规则 sheet (last tab) and every defined name the formulas use. A template
    (no month) leaves 月份 and 月初日期 empty: no formula reads them, and the program takes
    a workbook's month from its folder or file name."""
    ws = wb.create_sheet(SHEET)
    title_cell(ws, f"{month_prefix(month)}规则参数（依据制度和本单位的{SETTINGS_BOOK}生成，工作表受保护；要改取值请在{SETTINGS_BOOK}中设置）", "F")
    header_cells(ws, HEADER_ROW, HEADERS)

    row = HEADER_ROW + 1
    fixed = (
        ("月份", month, "本工作簿所属考核月份" if month else TEMPLATE_MONTH_TEXT, "", "", L.MONTH, None),
        ("月初日期", Month(month).first_day if month else None, "本月第一天", "", "", L.MONTH_START, FMT_DATE),
    )
    for label, value, text, clause, flag, name, fmt in fixed:
        _param_row(ws, row, (label, value, text, clause, flag, name), fmt)
        define(wb, name, SHEET, f"B{row}")
        row += 1
    for param in rules.params.values():
        _param_row(ws, row, (param.name, cell_value(param), param.text, param.clause, source_text(param), param.defined_name),
                   param_format(param, param.value))
        define(wb, param.defined_name, SHEET, f"B{row}")
        row += 1

    row += 1
    header_cells(ws, row, STAGE_HEADERS)
    row += 1
    for stage in rules.stages.values():
        put(ws, row, 1, stage.name)
        put(ws, row, 2, stage.days_major)
        put(ws, row, 3, stage.days_general)
        put(ws, row, 4, stage.clause)
        put(ws, row, 5, f"{stage.unit}，自{stage.start_event}起算")
        put(ws, row, 6, f"{stage_name(stage.key, True)}、{stage_name(stage.key, False)}")
        for col in range(1, 7):
            BOXED_WRAP.apply(ws.cell(row=row, column=col))
        RULE_LOOK.apply(ws.cell(row=row, column=2))
        RULE_LOOK.apply(ws.cell(row=row, column=3))
        define(wb, stage_name(stage.key, True), SHEET, f"B{row}")
        define(wb, stage_name(stage.key, False), SHEET, f"C{row}")
        row += 1
    last_param_row = row - 1

    for offset, spec in enumerate(list_specs(rules)):
        col = LIST_FIRST_COL + offset
        letter = get_column_letter(col)
        header_cell(ws, HEADER_ROW, col, spec.header)
        for i, value in enumerate(spec.values):
            c = BOXED_WRAP.apply(put(ws, HEADER_ROW + 1 + i, col, value))
            if spec.header == "权重":
                c.number_format = "0%"
        if spec.name:
            define(wb, spec.name, SHEET, f"{letter}{HEADER_ROW + 1}:{letter}{HEADER_ROW + len(spec.values)}")
        ws.column_dimensions[letter].width = spec.width

    for letter, width in zip("ABCDEFG", (30, 11, 46, 20, 20, 30, 3), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    fit_rows(ws, HEADER_ROW + 1, last_param_row, last_col=len(HEADERS))
    print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW}", book_header(month, "", SHEET), landscape=True, print_area=f"A1:F{last_param_row}")
    not_printed(ws)
    protect(ws)


def _param_row(ws: Worksheet, row: int, values: tuple[object, ...], fmt: str | None) -> None:
    for col, value in enumerate(values, start=1):
        BOXED_WRAP.apply(put(ws, row, col, value))
    value_cell = RULE_LOOK.apply(ws.cell(row=row, column=2))
    if fmt:
        value_cell.number_format = fmt


Write = tuple[int, int, object, "str | None"]  # (row, column, value, number format)


def rules_sheet_writes(names: Mapping[str, str], rows: Sequence[Sequence[object]], rules: Rules) -> tuple[list[Write], list[str]]:
    """The cells of a written 规则 sheet that differ from a month's effective values, found
    through the params' defined names (so rows a later version added do not matter), and the
    labels of the values that change. `names`: defined name -> its reference; `rows`: the
    sheet's values from A1. A param the workbook has no name for (a workbook older than the
    param) is left out: no formula there reads it."""
    writes: list[Write] = []
    changed = []
    for param in rules.params.values():
        ref = names.get(param.defined_name)
        if ref is None or "!" not in ref or ref.split("!")[0].strip("'") != SHEET:
            continue
        letters_row = ref.split("!")[1].replace("$", "")
        col, row = column_index_from_string("".join(ch for ch in letters_row if ch.isalpha())), int("".join(ch for ch in letters_row if ch.isdigit()))
        current = rows[row - 1][col - 1] if row <= len(rows) and col <= len(rows[row - 1]) else None
        value = cell_value(param)
        if not _same(current, value):
            writes.append((row, col, value, param_format(param, param.value)))
            changed.append(param.name)
        source = source_text(param)
        if (rows[row - 1][4] if row <= len(rows) and len(rows[row - 1]) > 4 else None) != source:
            writes.append((row, 5, source, None))
    return writes, changed


def _same(current: object, value: object) -> bool:
    if isinstance(value, bool) or isinstance(current, bool):
        return current is value
    if isinstance(value, int | float) and isinstance(current, int | float):
        return abs(float(current) - float(value)) < 1e-12
    return current == value


def refresh_rules_sheet(wb: Workbook, rules: Rules) -> list[str]:
    """`rules_sheet_writes` applied to an openpyxl workbook (one being built or filled);
    returns the labels of the values that changed. A staff workbook on disk is refreshed
    in place instead (`workbooks.refresh_books`)."""
    ws = wb[SHEET]
    names = {name: defined.attr_text for name, defined in wb.defined_names.items()}
    writes, changed = rules_sheet_writes(names, [list(r) for r in ws.iter_rows(values_only=True)], rules)
    for row, col, value, fmt in writes:
        cell = ws.cell(row=row, column=col)
        cell.value = value
        if fmt:
            cell.number_format = fmt
    return changed
