"""Schema checks: every entry cell against its column (type, dropdown, range, length),
required cells, date order, and formula cells overwritten by a typed value.

The schema (`books.schema`) already says what each cell accepts, as the Excel data
validation staff see while typing; this re-checks the same rules on the file, because
pasting, WPS and old copies get past a dropdown.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date, datetime
from typing import Any

from openpyxl.utils import get_column_letter

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, imported
from xinao_xl.books import lists as L
from xinao_xl.books.port import ERROR, WARNING, WorkbookPort
from xinao_xl.books.read import FormRead, TableRead
from xinao_xl.books.rules_sheet import list_specs
from xinao_xl.books.schema import Column, TableSheet, Validation
from xinao_xl.books.workbooks import file_name, form_formulas
from xinao_xl.policy import complaint_process, complaints
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.parse import (
    datetime_to_excel_serial,
    normalize_text,
    parse_bool,
    parse_department,
    parse_level,
    parse_responsible,
    phone_problem,
)
from xinao_xl.policy.rules import Indicator, Kind, Rules, load_rules
from xinao_xl.policy.scoring import read_actual

from .validate_context import MonthData, blank, show

# Cells a record cannot do without (错误) and cells still to fill (警告: a sampled callback
# row is added before the call is made).
REQUIRED = {
    callback_ledger.LEDGER: (("business", "done_date"), ("call_date", "result")),
    assessment.ITEMS: (("dept", "type"), ()),
    complaint_ledger.LEDGER: (("no", "accepted", "dept"), ()),
}


# --- sheets and columns ------------------------------------------------------------------


def check_table_shape(m: MonthData, t: TableRead) -> None:
    """Missing sheet, renamed sheet, missing columns, merged cells among the records."""
    if t.renamed_from:
        m.add(WARNING, t, "", f"工作表“{t.sheet}”应名为“{t.renamed_from}”，请改回原名（月度结账按名称查找）")
    if not t.found:
        if t.spec.optional and t.sheet not in _sheet_names(m, t):
            m.add(WARNING, t, "", f"本工作簿是旧版，没有“{t.spec.name}”工作表：本月照常校验和结账；"
                                  f"要登记{t.spec.name}，请从新模板（xinao-xl templates 或 workbooks 文件夹）复制该工作表")
            return
        m.add(ERROR, t, "", f"找不到工作表“{t.spec.name}”或其表头（第{t.spec.header_row}行）；请从模板恢复该工作表")
        return
    optional = []
    for header in t.missing:
        column = t.spec.by_header(header)
        if column.optional:
            optional.append(header)
            continue
        m.add(ERROR, t, f"{t.spec.letter(column.key)}{t.header_row}",
              f"缺少列“{header}”：请在表头第{t.header_row}行恢复该列标题（可从模板复制）")
    if optional:
        m.add(WARNING, t, "", f"本工作表是旧版，没有新增的{len(optional)}列（{'、'.join(optional)}）：这些列按空白计算，本月照常结账；"
                              "下月起的工作簿会有这些列，本月如需登记请从新模板复制这些列")
    check_merged(m, t)


def _sheet_names(m: MonthData, t: TableRead) -> list[str]:
    book = next((b for b in m.books.values() if b.name == t.workbook), None)
    return book.sheet_names() if book is not None else []


def check_merged(m: MonthData, t: TableRead) -> None:
    """A merged area among the records keeps only its top-left value: merged across columns,
    the other columns' entries are gone (错误); merged down one column, every row reads the
    same value, which is what was meant, but sorting and filtering break (警告)."""
    headers = {letter: t.spec.column(key).header for key, letter in t.letters.items()}
    for r0, c0, r1, c1 in t.merged:
        covered = [headers[x] for x in map(get_column_letter, range(c0, c1 + 1)) if x in headers]
        if not covered:
            continue  # a column of the staff's own, beside the table
        area = f"{get_column_letter(c0)}{r0}:{get_column_letter(c1)}{r1}"
        if c1 > c0:
            lost = "、".join(f"“{h}”" for h in covered[1:]) or "右侧各列"
            m.add(ERROR, t, f"{get_column_letter(c0)}{r0}",
                  f"{area} 是合并单元格，只保留了左上角的内容，{lost}的内容已丢失：请取消合并，逐格填写")
        else:
            m.add(WARNING, t, f"{get_column_letter(c0)}{r0}",
                  f"{area} 是合并单元格：每行的“{covered[0]}”都按左上角的值读取；请取消合并并逐行填写（合并单元格无法排序、筛选）")


# One record per key: a work order is called back once (未接通 may be dialled again), a
# complaint is entered once per department it is charged to (twice would deduct twice) —
# but a round the office rejected (审核结果 驳回, 投诉 第七条(二)3) is followed by the next
# round's row of the same key.
UNIQUE = {callback_ledger.LEDGER: ("order",), complaint_ledger.LEDGER: ("no", "dept")}
NOT_REACHED = "未接通"


def check_unique(m: MonthData, t: TableRead) -> None:
    """A key entered in a second row: the later row is the finding, naming the first."""
    keys = UNIQUE.get(t.spec.name)
    if not keys or not t.found or any(not t.has(k) for k in keys):
        return
    first: dict[tuple[str, ...], int] = {}
    rejected: set[tuple[str, ...]] = set()  # keys whose latest row is a rejected round
    columns = [t.column(k) for k in keys]  # column by column: no dict per row (`TableRead.column`)
    depts = t.column("dept") if t.spec.name != callback_ledger.LEDGER else []
    reviews = t.column("review") if t.spec.name == complaint_ledger.LEDGER else None  # 审核结果 (投诉 第七条(二)3)
    reached: dict[tuple[type, Any], bool] = {}  # 回访结果 -> not 未接通, worked out once per value
    one = len(columns) == 1
    for i, (row, value, result) in enumerate(zip(t.column("_row"), columns[0], t.column("result"), strict=True)):
        if value is None or (not value.strip() if value.__class__ is str else blank(value)):
            continue
        if (ok := reached.get((result.__class__, result))) is None:
            ok = reached[(result.__class__, result)] = normalize_text(result or "") != NOT_REACHED
        if not ok:
            continue
        key = (normalize_text(value or ""),) if one else tuple([normalize_text(column[i] or "") for column in columns])
        if key not in first or key in rejected:
            first[key] = row
            rejected.discard(key)
            if reviews is not None and complaint_process.is_rejected(reviews[i], m.rules):
                rejected.add(key)
            continue
        if t.spec.name == callback_ledger.LEDGER:
            text = (f"工单号“{_short(value)}”已在第{first[key]}行登记：同一工单只回访一次（未接通后重拨的除外）；"
                    "如为重复登记请删除本行，如工单号填错请更正")
        else:
            text = (f"投诉单号“{_short(value)}”（{depts[i] or '未填部门'}）已在第{first[key]}行登记："
                    "同一投诉对同一责任部门只登记一行，否则扣分重复计算；请删除重复的一行")
        m.at(ERROR, t, keys[0], row, text)


def check_table_cells(m: MonthData, t: TableRead) -> None:
    """Types (from the reader), dropdowns, ranges and lengths of every entry cell."""
    if not t.found:
        return
    for p in t.problems:
        column = t.spec.column(p.key)
        m.at(ERROR, t, p.key, p.row, f"{column.header}{_problem_text(p.message)}；{_example(column)}")
    lists = _lists(m.rules)
    rows = t.excel_rows
    for column in t.spec.entry_columns:
        if not t.has(column.key) or column.validation is None:
            continue
        strict = column.key in SPELLING_READ_BY_FORMULAS.get(t.spec.name, ())
        check = _cell_check(column, lists, m.rules, COMPARED_VALUES.get(column.key) if strict else frozenset())
        values, raws = t.column(column.key), t.raw_column(column.key)
        if column.validation.kind == "list":
            # A dropdown column holds few distinct entries: each is checked once, as typed
            # (the formulas see "满意 " apart from "满意").
            texts = set(map(type, raws)) <= _TEXT_OR_NONE  # the usual column: by the text itself
            keys = raws if texts else list(zip(map(type, raws), raws, strict=True))
            verdicts = {key: check(value, key if texts else key[1]) for key, value in dict(zip(keys, values, strict=True)).items()
                        if value is not None}
            wrong = {key for key, verdict in verdicts.items() if verdict}  # then only their rows are looked for
            found = [(rows[i], verdicts[key]) for i, key in enumerate(keys) if key in wrong and values[i] is not None] if wrong else []
        elif column.validation.kind in _BY_VALUE:
            # The month's days repeat, all of the column's one type: each is checked once.
            verdicts = {value: check(value, raw) for value, raw in dict(zip(values, raws, strict=True)).items() if value is not None}
            wrong = {value for value, verdict in verdicts.items() if verdict}
            found = [(rows[i], verdicts[value]) for i, value in enumerate(values) if value in wrong] if wrong else []
        elif column.validation.kind == "textLength":  # only a text over the limit can fail
            limit = _text_limit(column.validation)
            if set(map(type, raws)) <= _TEXT_OR_NONE and max(map(len, filter(None, raws)), default=0) <= limit:
                continue  # the usual column, every text within the limit (found at C speed)
            found = [(row, check(value, raw)) for row, value, raw in zip(rows, values, raws, strict=True)
                     if value is not None and len(raw if raw.__class__ is str else str(raw)) > limit]
        else:
            found = [(row, check(value, raw)) for row, value, raw in zip(rows, values, raws, strict=True) if value is not None]
        for row, result in found:
            if result:
                m.at(result[0], t, column.key, row, result[1], result[2] if len(result) > 2 else None)


# Column types whose cells the workbook computes with: a value stored as text there is not a
# date or a number to Excel, WPS or LibreOffice, whatever it says.
TYPED = ("date", "datetime", "int", "number", "percent")


def check_text_values(m: MonthData, t: TableRead) -> None:
    """A date or a number stored as text (pasted from another system, or typed into a cell
    formatted as text): 错误 at its cell.

    Python could read "2026年11月21日14:55" or "2026.11.13", but the workbook cannot: the
    deadline and status formulas show #VALUE! (or, where a program guesses, a figure that
    depends on the computer's regional settings), and sorting or filtering by date passes
    it by. The workbook and the close must show one truth, so the cell is to be typed
    again as a date or a number, which Excel stores as such. (A text that reads as nothing
    at all is the reader's `problems`: "不是日期".)"""
    if not t.found:
        return
    rows = t.excel_rows
    for column in t.spec.entry_columns:
        if column.type not in TYPED or not t.has(column.key):
            continue
        said: dict[str, tuple[str, str]] = {}
        for row, raw, value in zip(rows, t.raw_column(column.key), t.column(column.key), strict=True):
            if raw.__class__ is not str or value is None:
                continue
            if raw not in said:
                said[raw] = text_value_message(column, raw, value)
            m.at(ERROR, t, column.key, row, *said[raw])


def text_value_message(column: Column, raw: str, value: Any) -> tuple[str, str]:
    """(message, the message without the value) for a date or number stored as text."""
    header = column.header
    if column.type in ("date", "datetime"):
        again = show(value) if column.type == "date" or not isinstance(value, datetime) else f"{value:%Y-%m-%d %H:%M}"
        forms = "2026-11-03 或 2026/11/3" if column.type == "date" else "2026-11-03 15:20"
        why = "是文字，不是日期：表格中的公式不能用它计算时限（显示 #VALUE!），按日期排序、筛选也会漏掉它"
        return (f"{header}“{_short(raw)}”{why}；请删除后重新输入 {again}（Excel 认作日期的写法如 {forms}）",
                f"{header}{why}；请删除后按日期重新输入（如 {forms}）")
    shown = f"{value:.1%}" if column.type == "percent" else f"{value:g}"
    why = "是文字，不是数字：表格中的公式不按数字计算它（显示 #VALUE! 或不计入合计）"
    return (f"{header}“{_short(raw)}”{why}；请删除后重新输入数字 {shown}", f"{header}{why}；请删除后重新输入数字")


# The cells that say whom a record is about (回访办法六.2: 台账信息不齐全; 投诉办法第六条(二)3:
# 投诉受理记录须完整…关系人). A phone that cannot be dialled is 错误: the callback, the 流转单
# the department calls back from, and the 7-day and repeat-complaint rules all go by it.
CONTACT_CLAUSES = {callback_ledger.LEDGER: "回访办法六.2", complaint_ledger.LEDGER: "投诉办法第六条(二)3"}
PHONE_USES = {callback_ledger.LEDGER: "回访、流转单和7日内不重复回访的核对都按电话",
              complaint_ledger.LEDGER: "人工回访和3个月内重复投诉的核对都按电话"}


def _merged_away(t: TableRead) -> set[tuple[int, str]]:
    """(row, column letter) of the cells inside a merged area, its top-left corner excepted."""
    return {(r, get_column_letter(c)) for r0, c0, r1, c1 in t.merged for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)}


def check_contacts(m: MonthData, t: TableRead) -> None:
    """台账 and 投诉台账: a missing name or phone (警告), a phone that is no phone (错误)."""
    clause = CONTACT_CLAUSES.get(t.spec.name)
    if clause is None or not t.found:
        return
    merged = _merged_away(t)  # a cell a merged area covers: `check_merged` says its content is lost
    rows = t.excel_rows
    if t.has("customer"):
        letter = t.letters["customer"]
        for i in _blank_positions(t.column("customer")):
            if (rows[i], letter) not in merged:
                m.at(WARNING, t, "customer", rows[i], f"缺少客户姓名：记录应写明客户（{clause}）；请按业务系统补填")
    if not t.has("phone"):
        return
    letter = t.letters["phone"]
    phones = t.column("phone")
    # the rows whose phone is blank or cannot be dialled, in order (`phone_problem` passes
    # the usual mobile at once)
    problems = {i: what for i, phone in enumerate(phones) if phone is not None and (what := phone_problem(phone))}
    for i in sorted(problems.keys() | set(_blank_positions(phones))):
        row = rows[i]
        if (row, letter) in merged:
            continue
        if i not in problems:
            m.at(WARNING, t, "phone", row, f"缺少客户电话：{PHONE_USES[t.spec.name]}（{clause}）；请按业务系统补填")
        else:
            what = problems[i]
            m.at(ERROR, t, "phone", row, f"客户电话{what}，不是有效的电话号码：{_PHONE_HINT}", f"客户电话不是有效的电话号码：{_PHONE_HINT}")


_PHONE_HINT = "手机号为11位数字，固定电话前加区号（聊城为0635）；请按业务系统核对后改正"


def check_required(m: MonthData, t: TableRead) -> None:
    must, should = REQUIRED.get(t.spec.name, ((), ()))
    if not t.found:
        return
    wanted = [(key, severity, text) for keys, severity, text in ((must, ERROR, "必填"), (should, WARNING, "尚未填写"))
              for key in keys if t.has(key)]
    # (record, position in `wanted`) of every blank required cell, then reported row by row
    hits = sorted((i, n) for n, (key, _, _) in enumerate(wanted) for i in _blank_positions(t.raw_column(key)))
    rows = t.excel_rows
    for i, n in hits:
        key, severity, text = wanted[n]
        header = t.spec.column(key).header
        hint = "请填写" if severity == ERROR else "回访后请填写"
        m.at(severity, t, key, rows[i], f"{header}{text}：{hint}{header}")


_NEVER_BLANK = (date, datetime, int, bool)


def _blank_positions(values: list[Any]) -> list[int]:
    """Indices of the blank values (`blank`), without calling it for a date or a number."""
    return [i for i, v in enumerate(values)
            if v is None or (not v.strip() if v.__class__ is str else v.__class__ not in _NEVER_BLANK and blank(v))]


def check_date_order(m: MonthData, t: TableRead, pairs: tuple[tuple[str, str], ...]) -> None:
    """(earlier, later): the later cell may not hold an earlier moment."""
    if not t.found:
        return
    for first, then in pairs:
        if not t.has(first) or not t.has(then):
            continue
        for row, a, b in zip(t.excel_rows, t.column(first), t.column(then), strict=True):
            if a is None or b is None:
                continue
            if (b < a) if a.__class__ is b.__class__ else (_day_or_moment(b, a) < _day_or_moment(a, b)):
                h1, h2 = t.spec.column(first).header, t.spec.column(then).header
                m.at(ERROR, t, then, row, f"{h2}（{show(b)}）早于{h1}（{show(a)}）：请核对两个日期，{h2}不能早于{h1}")


def _day_or_moment(value: Any, other: Any) -> datetime:
    """Compare a date with a datetime by day (a date column has no time)."""
    if isinstance(value, datetime) and not isinstance(other, datetime):
        return datetime.combine(value.date(), datetime.min.time())
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time())
    return value


# --- one cell ----------------------------------------------------------------------------

Check = Callable[[Any, Any], tuple[str, ...] | None]  # (severity, message[, the message without the value])
# Validation kinds whose check (and message) depends on the normalised value alone, not on
# how it was typed: `check_table_cells` checks each distinct value once.
_BY_VALUE = ("list", "date")
_TEXT_OR_NONE = frozenset((str, type(None)))

# Dropdown columns whose value the workbook's own formulas compare with the list's spelling:
# 统计's COUNTIFS (业务类型, 回访结果), the 扣分 and 分值 formulas (渠道, 级别, 有责/无责, 类型)
# and the department sheets' SUMIFS over 加减分明细 (部门). Another spelling is something
# else there — "二级投诉" shows #无效级别 and drops out of the department's total, "否" in
# 有责/无责 still deducts, "满意 " is not counted — so the workbook would show other figures
# than the close computes from the same cell: 错误, not 警告. (疑似重大 is only tested for
# being blank; tests/services/test_validate_live.py checks this list against the formulas.)
SPELLING_READ_BY_FORMULAS: dict[str, frozenset[str]] = {
    callback_ledger.LEDGER: frozenset({"business", "result"}),
    # 投诉级别 and 有责/无责: the formulas read every spelling Python reads (the 规则 sheet's
    # L_LEVEL_SPELLINGS and L_NOT_RESPONSIBLE_WORDS, issue 12): another spelling is a warning.
    # 投诉 第七条: rounds and re-assignments match rows by 责任部门 (COUNTIFS), the states read
    # 审核结果, 回访结果, 终止状态 and 责任类别
    complaint_ledger.LEDGER: frozenset({"channel", "appeal_result", "dept", "review", "callback", "term_status", "resp_kind"}),
    complaint_ledger.REASSIGN: frozenset({"way", "from_dept"}),
    assessment.ITEMS: frozenset({"dept", "type"}),
}
# Columns whose formulas compare with some of the list's values only: another spelling of
# any other value reads the same in the workbook and in Python (申诉结果: only 成立 turns a
# complaint 无责; "驳回" is 不成立 to both), so only these values must be spelled as listed.
_WORDS = complaint_ledger.words(load_rules())
COMPARED_VALUES: dict[str, frozenset[str]] = {
    "appeal_result": frozenset({L.APPEAL_UPHELD}),
    # the complaint's course: the words the ledger's formulas compare with (complaint_ledger.words,
    # from rules.toml [complaint_process], which no setting changes)
    **{key: frozenset(_WORDS[w] for w in words) for key, words in (
        ("review", ("rejected_review",)), ("callback", ("unsatisfied",)), ("term_status", ("approved",)),
        ("resp_kind", ("partner",)), ("way", ("cancel", "move")))},
}
# Lists the formulas read through a table of spellings on the 规则 sheet (levels, 有责/无责):
# any spelling of the table reads the same in both engines, and one not listed is a warning.
SPELLING_TABLES = frozenset({L.L_LEVELS, L.L_RESP})
_LEVEL_DIGITS = ("1", "2", "3", "4", "5")  # the level formula reads 4 and "4" as "4级"


def _spelled_as_listed(list_name: str, raw: Any, literal: set[str]) -> bool:
    """Whether the formulas read `raw` as the list's value: exactly as listed, or (levels,
    channels) a number the formula turns into the listed text."""
    if raw.__class__ is str:
        return raw in literal or (list_name == L.L_LEVELS and raw in _LEVEL_DIGITS)
    if isinstance(raw, int | float) and not isinstance(raw, bool) and float(raw).is_integer():
        text = str(int(raw))
        return (list_name == L.L_LEVELS and text in _LEVEL_DIGITS) or (list_name == L.L_CHANNELS and text in literal)
    return False


def _cell_check(column: Column, lists: dict[str, tuple[str, ...]], rules: Rules, compared: frozenset[str] | None = frozenset()) -> Check:
    """The check of one cell of `column`; `compared`: the list's values the workbook's
    formulas compare the cell with, which must be spelled as the list spells them (None:
    every value; `SPELLING_READ_BY_FORMULAS`, `COMPARED_VALUES`)."""
    v = column.validation
    assert v is not None
    header = column.header
    if v.kind == "list":
        allowed = lists.get(v.formula1, ())
        exact = {normalize_text(x): x for x in allowed}
        literal = set(allowed)
        options = "、".join(allowed) if len(allowed) <= 12 else "见下拉列表"
        not_listed = f"{header}不在下拉列表中：请从下拉列表选择（可选：{options}）"
        strict_text = f"{header}不是下拉列表中的写法：表格中的公式只认下拉列表中的写法，现在算出的扣分、统计与结账不同；请从下拉列表重新选择"
        loose_text = f"{header}不是下拉列表中的写法：请从下拉列表重新选择"

        def read_by_formulas(listed: str) -> bool:
            return compared is None or listed in compared

        def in_list(value: Any, raw: Any) -> tuple[str, ...] | None:
            text = normalize_text(value)
            if text in exact:
                if _spelled_as_listed(v.formula1, raw, literal):
                    return None
                if not read_by_formulas(exact[text]):
                    if v.formula1 in SPELLING_TABLES:  # read alike ("４级", "4 级"), as "四级" is: a warning
                        return (WARNING, f"{header}“{_short(raw)}”不是下拉列表中的写法：请改为“{exact[text]}”", loose_text)
                    return None
                return (ERROR, f"{header}“{_short(raw)}”不是下拉列表中的写法（多了空格或用了全角字符）：表格中的公式只认下拉列表中的写法；"
                               f"请改为“{exact[text]}”（从下拉列表选择）", strict_text)
            if v.formula1 == L.L_ITEM_TYPES and text in (L.ITEM_COMPLAINT, L.ITEM_LATE_FLOW, L.ITEM_ADJUST):
                source = "回访台账" if text == L.ITEM_LATE_FLOW else "投诉台账"
                return (WARNING, f"{text}不在加减分明细登记：考核表的“汇入”表直接取{source}的数字（点“刷新汇入”更新），"
                                 f"这一行不计分；请删除本行")
            if v.formula1 == L.L_NOFAULT and text in (L.RESPONSIBLE, L.NO, "无"):
                return (WARNING, f"{header}只填附件2的无责原因；有责投诉请清空此格")
            fixed = canonical(v.formula1, value, rules)
            if fixed is not None:
                if read_by_formulas(fixed):
                    return (ERROR, f"{header}“{_short(value)}”不是下拉列表中的写法：表格中的公式只认下拉列表中的写法，"
                                   f"现在算出的扣分、统计与结账不同；请改为“{fixed}”（从下拉列表选择）", strict_text)
                return (WARNING, f"{header}“{_short(value)}”不是下拉列表中的写法：请改为“{fixed}”", loose_text)
            return (ERROR, f"{header}“{_short(value)}”不在下拉列表中：请从下拉列表选择（可选：{options}）", not_listed)

        return in_list
    if v.kind == "date":
        low, high = float(v.formula1), float(v.formula2 or v.formula1)

        def in_range(value: Any, raw: Any) -> tuple[str, str] | None:
            serial = datetime_to_excel_serial(value)
            if not low <= serial <= high + 1:
                return (ERROR, f"{header}“{show(value)}”不是合理的日期（应在2000年到2100年之间）：{_example(column)}")
            return None

        return in_range
    if v.kind in ("decimal", "whole"):
        low = float(v.formula1)
        high = float(v.formula2) if v.formula2 is not None else None

        def number_range(value: Any, raw: Any) -> tuple[str, str] | None:
            if value < low or (high is not None and value > high):
                span = f"{low:g}到{high:g}之间" if high is not None else f"不小于{low:g}"
                return (ERROR, f"{header}“{_short(raw)}”超出范围：请填写{span}的{'整数' if v.kind == 'whole' else '数字'}")
            return None

        return number_range
    if v.kind == "textLength":
        limit = _text_limit(v)

        def length(value: Any, raw: Any) -> tuple[str, str] | None:
            if len(str(raw)) > limit:
                return (ERROR, f"{header}超过{limit}个字（现为{len(str(raw))}个）：请精简，或把详细内容另行存档")
            return None

        return length
    return lambda value, raw: None


def _text_limit(v: Validation) -> int:
    return int(v.formula2 or 255)


def canonical(list_name: str, value: Any, rules: Rules) -> str | None:
    """How the dropdown spells a value typed another way ("四级" → "4级"); None if unknown."""
    try:
        if list_name == L.L_DEPARTMENTS:
            return parse_department(value, rules)
        if list_name == L.L_LEVELS:
            return L.level_label(parse_level(value))
        if list_name == L.L_RESP:  # as the formulas and scoring read it (the 无责 words of the 规则 sheet)
            return L.RESPONSIBLE if parse_responsible(value) else L.NOT_RESPONSIBLE
        if list_name == L.L_YESNO:
            return L.YES if parse_bool(value) else L.NO
        if list_name == L.L_APPEAL:
            return L.APPEAL_UPHELD if complaints.appeal_upheld(value) else L.APPEAL_REJECTED
        if list_name == L.L_BUSINESS:
            return rules.business_type(normalize_text(value)).name
        if list_name == L.L_MAJOR:
            item = complaints.major_item(value, rules)
            return item.label if item else None
        if list_name == L.L_NOFAULT:
            n = complaints.no_fault_reason(value, rules)
            return f"{n}.{rules.no_fault_reasons[n - 1]}" if n else None
        if list_name == L.L_CHANNELS:
            text = normalize_text(value)
            for channel in rules.channels:
                if text == channel.code or text in (normalize_text(a) for a in channel.aliases):
                    return channel.code
    except (PolicyInputError, KeyError):
        return None
    return None


def _lists(rules: Rules) -> dict[str, tuple[str, ...]]:
    return {s.name: tuple(str(v) for v in s.values) for s in list_specs(rules) if s.name}


def _problem_text(message: str) -> str:
    """PolicyInputError text "无效日期: “x”（…）" → "“x”不是…"."""
    code, _, rest = message.partition(": ")
    what = {"无效日期": "不是日期", "无效数字": "不是数字", "无效整数": "不是不小于0的整数", "缺少日期": "为空"}.get(code, code)
    value = rest.split("（")[0]
    return f"{value}{what}"


def _example(column: Column) -> str:
    return {
        "date": "请填写日期，如 2026-11-03",
        "datetime": "请填写日期时间，如 2026-11-03 15:20",
        "int": "请填写整数，如 3",
        "number": "请填写数字，如 4.5",
        "percent": "请填写百分比，如 96.5%",
    }.get(column.type, "请按列标题填写")


def _short(value: Any, limit: int = 20) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = show(value) if isinstance(value, date) else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


# --- form sheets -------------------------------------------------------------------------


def check_department(m: MonthData, f: FormRead) -> None:
    """§6 rows: 自评/审核 actuals as the indicator's kind reads them (rates as 96.5% or 0.965)."""
    if not f.found:
        m.add(ERROR, f, "", f"找不到工作表“{f.spec.name}”；请从模板恢复该工作表")
        return
    dept = m.rules.department(f.spec.name)
    for ind in dept.indicators:
        if ind.kind_spec.from_complaints:
            continue
        key = assessment.indicator_key(ind)
        row = f.excel_row(key)
        for col in ("self", "audit"):
            raw = f.raw(key, col)
            if blank(raw):
                continue
            message = _indicator_problem(ind, raw)
            if message:
                m.add(ERROR, f, f.address(col, row), f"{ind.name}的{f.spec.column(col).header}“{_short(raw)}”{message}")


def _indicator_problem(ind: Indicator, raw: Any) -> str | None:
    """What is wrong with a typed actual, read as scoring reads it (the kind's unit and range)."""
    kind = ind.kind_spec
    try:
        read_actual(kind, raw)
    except PolicyInputError:
        return actual_hint(kind)
    return None


def actual_hint(kind: Kind) -> str:
    """The message for a bad actual, from the kind's unit and range (rules.toml [kinds], [units])."""
    unit, low = kind.unit, kind.low or 0
    if unit is None:
        return "不是数字"
    if unit.percent:
        return f"不是{low:.0%}到{1 if kind.high is None else kind.high:.0%}之间的{unit.text}：请填写如 {kind.example}"
    if kind.high is None:
        return f"不是{unit.text}：请填写不小于{low:g}的数字，如 {kind.example}"
    return f"不是{low:g}到{kind.high:g}之间的{unit.text}：请填写如 {kind.example}"


def check_form_counts(m: MonthData, f: FormRead) -> None:
    """完工量, 抽样 and 汇总: the few entry cells are non-negative numbers."""
    if not f.found:
        return
    for p in f.problems:
        column = f.spec.column(p.key)
        m.add(ERROR, f, f.address(p.key, p.row), f"{column.header}{_problem_text(p.message)}；{_example(column)}")
    for form_row in f.spec.rows:
        for key in form_row.entry_keys:
            value = f.value(form_row.key, key)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                row = f.excel_row(form_row.key)
                m.add(ERROR, f, f.address(key, row), f"{f.spec.column(key).header}“{value:g}”不能为负数：请填写不小于0的数")


def check_form_text(m: MonthData, f: FormRead) -> None:
    """A number stored as text in a form sheet's entry cell (完工量, 可抽完工量, 服务津贴基数,
    a department's 自评/审核实际): 错误, as in a ledger (`check_text_values`). "９６．５％"
    or "96.5%" pasted as text makes the department's 扣分 formula show #VALUE! or read it
    a hundred times too small; typed into the cell, Excel stores the number."""
    if not f.found:
        return
    for form_row in f.spec.rows:
        for key in form_row.entry_keys:
            column = f.spec.column(key)
            raw = f.raw(form_row.key, key)
            if column.type not in TYPED or raw.__class__ is not str or blank(raw):
                continue
            row = f.excel_row(form_row.key)
            value = f.value(form_row.key, key)
            if f.spec.name in m.rules.department_names:
                ind = _indicator_of(m, f.spec.name, form_row.key)
                if ind is None or _indicator_problem(ind, raw):
                    continue  # `check_department` says what to type
                why = "是文字，不是数字：表格中的公式不按数字计算它（显示 #VALUE! 或算错扣分）"
                m.add(ERROR, f, f.address(key, row), f"{ind.name}的{column.header}“{_short(raw)}”{why}；请删除后重新输入数字，如 {ind.kind_spec.example}")
            elif value is not None:
                m.add(ERROR, f, f.address(key, row), text_value_message(column, raw, value)[0])


def _indicator_of(m: MonthData, dept: str, row_key: str) -> Indicator | None:
    for ind in m.rules.department(dept).indicators:
        if assessment.indicator_key(ind) == row_key:
            return ind
    return None


# --- tampering ---------------------------------------------------------------------------


_TEMPLATES: dict[tuple[str, int], tuple[Rules, dict[str, dict[str, str]]]] = {}


def template_formulas(stem: str, rules: Rules) -> dict[str, dict[str, str]]:
    """`workbooks.form_formulas`: where the formulas of the form sheets belong, once per
    workbook and rules object (Rules holds dicts, so it is cached by identity, not hash)."""
    hit = _TEMPLATES.get((stem, id(rules)))
    if hit is not None and hit[0] is rules:
        return hit[1]
    out = form_formulas(stem, rules)
    if len(_TEMPLATES) >= 16:
        _TEMPLATES.clear()
    _TEMPLATES[(stem, id(rules))] = (rules, out)
    return out


def check_table_formulas(m: MonthData, book: WorkbookPort, t: TableRead, formulas: AbstractSet[str]) -> None:
    """In every record row, each formula column must still hold a formula. Every row of a
    ledger computes the same way, so the fix is to copy the cell of a neighbouring row
    (its formula follows the row): no formula text for staff to retype."""
    if not t.found:
        return
    spec: TableSheet = t.spec
    for column in spec.formula_columns:
        if column.key not in t.letters:
            continue
        letter = t.letters[column.key]
        for row, raw in zip(t.excel_rows, t.raw_column(column.key), strict=True):
            if f"{letter}{row}" in formulas:
                continue
            if row > spec.last_row:
                m.at(WARNING, t, column.key, row, f"第{row}行超出模板预设的{spec.rows}行，“{column.header}”不会自动计算：请从上一行复制该列的单元格")
                continue
            neighbour = "上一行" if row > spec.first_row else "下一行"
            restore = f"从{neighbour}复制这一列的单元格粘贴到这里（选中{neighbour}的这一格，复制，再选中这一格粘贴）"
            m.at(ERROR, t, column.key, row, _tamper_text(column.header, raw, restore), _tamper_text(column.header, None, restore))


def check_form_formulas(m: MonthData, f: FormRead, stem: str, formulas: AbstractSet[str]) -> None:
    """Every formula cell of the template's form sheet must still hold a formula; it is
    restored by copying the same cell of the blank template (workbooks/, the same for every
    month), not by retyping a formula."""
    if not f.found:
        return
    expected = template_formulas(stem, m.rules).get(f.spec.name, {})
    if stem == assessment.STEM and imported.SHEET not in m.books[stem].sheet_names():
        # a 考核表 made before the 汇入 sheet (issue 12): its 审核 of a satisfaction row is typed
        expected = {a: t for a, t in expected.items() if imported.SHEET not in t}
    letters = {v: k for k, v in f.spec.letters.items()}
    for address in expected:
        if address in formulas:
            continue
        col = "".join(ch for ch in address if ch.isalpha())
        row = int(address[len(col):])
        key = letters.get(col)
        raw = f.raw_at(row, key) if key else None
        header = f.spec.column(key).header if key else col
        restore = f"打开空白模板“{file_name(stem, None)}”（程序文件夹 workbooks 中），复制“{f.spec.name}”表的 {address} 单元格，粘贴到这里"
        m.add(ERROR, f, address, _tamper_text(header, raw, restore))


def _tamper_text(header: str, raw: Any, restore: str) -> str:
    if blank(raw):
        return f"“{header}”是自动计算的单元格，公式已被清除：请{restore}"
    return f"“{header}”是自动计算的单元格，公式被改写为“{_short(raw)}”：请{restore}"
