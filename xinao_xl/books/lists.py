"""Names of the lists on the 规则 sheet and the validations that use them.

Dropdowns refer to workbook defined names (ASCII, e.g. ``L_DEPARTMENTS``) rather than to
ranges on another sheet: a defined name lives in the plain OOXML every reader keeps, while
a cross-sheet range is stored in an Excel 2010 extension that openpyxl and older readers
drop (DESIGN.md, facts about the file libraries).
"""

from __future__ import annotations

from .schema import Validation

L_DEPARTMENTS = "L_DEPARTMENTS"
L_WEIGHTS = "L_WEIGHTS"
L_CHANNELS = "L_CHANNELS"
L_LEVELS = "L_LEVELS"
L_LEVEL_SPELLINGS = "L_LEVEL_SPELLINGS"  # every spelling of a level parse_level reads
L_LEVEL_NUMBERS = "L_LEVEL_NUMBERS"  # the level of each spelling, row by row
L_NOT_RESPONSIBLE_WORDS = "L_NOT_RESPONSIBLE_WORDS"  # the words a complaint is 无责 by
L_RESP = "L_RESP"
L_ITEM_TYPES = "L_ITEM_TYPES"
L_YESNO = "L_YESNO"
L_BUSINESS = "L_BUSINESS"
L_QUOTAS = "L_QUOTAS"
L_RESULTS = "L_RESULTS"
L_MODES = "L_MODES"
L_MAJOR = "L_MAJOR"
L_NOFAULT = "L_NOFAULT"
L_CALSTATUS = "L_CALSTATUS"
L_APPEAL = "L_APPEAL"
# 投诉 第七条's steps (rules.toml [complaint_process]): the office's review, the complaint's
# callback result, the kind of responsible party, special termination, mis-routing, evidence
L_REVIEW = "L_REVIEW"
L_COMPLAINT_CALLBACK = "L_COMPLAINT_CALLBACK"
L_RESP_KINDS = "L_RESP_KINDS"
L_TERMINATION = "L_TERMINATION"
L_REASSIGN = "L_REASSIGN"
L_EVIDENCE = "L_EVIDENCE"

MONTH = "MONTH"  # the workbook's month as text "YYYY-MM"
MONTH_START = "MONTH_START"  # its first day, a date

# Values of the lists that formulas compare with (kept here so formulas and lists agree).
RESPONSIBLE = "有责"
NOT_RESPONSIBLE = "无责"
YES = "是"
NO = "否"
ITEM_COMPLAINT = "投诉"
ITEM_LATE_FLOW = "流转单超时"
ITEM_PRAISE = "表扬"
ITEM_MEDIA = "媒体表扬"
ITEM_MANUAL = "手工扣分"
ITEM_ADJUST = "申诉调整"
# 投诉, 流转单超时 and 申诉调整 come from the ledgers through the 考核表's 汇入 sheet (issue 12)
ITEM_TYPES = (ITEM_PRAISE, ITEM_MEDIA, ITEM_MANUAL)
APPEAL_UPHELD = "成立"  # policy.complaints.APPEAL_RESULTS, as the 申诉结果 dropdown writes them
APPEAL_REJECTED = "不成立"
CAL_UNCONFIRMED = "未确认"
CAL_ERROR = "日历未确认"

# 2000-01-01 .. 2100-12-31 as Excel serials: any real date passes, a typo like 20261103 does not.
_DATE_MIN, _DATE_MAX = "36526", "73415"


def level_label(level: int) -> str:
    """How the level dropdown spells a level: "4级" (parse_level reads it back)."""
    return f"{level}级"


def choice(list_name: str, what: str, hint: str = "") -> Validation:
    return Validation(
        "list",
        list_name,
        prompt=f"请从下拉列表选择{what}。{hint}".strip(),
        error=f"{what}须从下拉列表中选择。",
    )


def date_input(what: str, with_time: bool = False) -> Validation:
    example = "2026-11-03 15:20" if with_time else "2026-11-03"
    return Validation(
        "date",
        _DATE_MIN,
        _DATE_MAX,
        "between",
        prompt=f"请填写{what}，格式如 {example}。",
        error=f"{what}须为日期，如 {example}。",
    )


def percent_input(what: str, low: float = 0, high: float = 1) -> Validation:
    """A rate typed as 96.5% (stored 0.965) or 96.5: the bounds are the typed percentages."""
    return Validation(
        "decimal",
        f"{low * 100:g}",
        f"{high * 100:g}",
        "between",
        prompt=f"请填写{what}，如 96.5% 或 0.965。",
        error=f"{what}须为{low:.0%}到{high:.0%}之间的比率。",
    )


def number_input(what: str, low: float = 0, high: float | None = None, hint: str = "") -> Validation:
    if high is None:
        return Validation(
            "decimal",
            f"{low:g}",
            operator="greaterThanOrEqual",
            prompt=f"请填写{what}（不小于{low:g}）。{hint}".strip(),
            error=f"{what}须为不小于{low:g}的数字。",
        )
    return Validation(
        "decimal",
        f"{low:g}",
        f"{high:g}",
        "between",
        prompt=f"请填写{what}（{low:g}到{high:g}）。{hint}".strip(),
        error=f"{what}须为{low:g}到{high:g}之间的数字。",
    )


def count_input(what: str) -> Validation:
    return Validation(
        "whole",
        "0",
        operator="greaterThanOrEqual",
        prompt=f"请填写{what}（整数）。",
        error=f"{what}须为不小于0的整数。",
    )


def text_input(what: str, max_len: int = 255) -> Validation:
    return Validation(
        "textLength",
        "0",
        str(max_len),
        "between",
        prompt=f"请填写{what}。",
        error=f"{what}不能超过{max_len}个字。",
    )
