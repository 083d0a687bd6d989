"""客户回访信息台账: 台账, 完工量, 统计, 抽样, 问卷, 工作日历, 规则 (客户回访管理办法).

- 台账: one row per callback; a 流转单 is due 2 natural days after 流转日期 (回访 六.1),
  late when answered after that or still open past it.
- 统计: per business type, live from 台账 and 完工量 (the 附件5 table): 未接通 and 拒访 are
  not valid callbacks and stay out of the rates.
- 抽样: today's callbacks per type from the completed orders available (回访 四.2), a type
  short of its quota passing the shortfall on to the types with orders to spare, in the
  table's order — `callbacks.daily_quotas` as native formulas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from xinao_xl.policy.rules import Rules, load_rules

from . import formulas as F
from . import lists as L
from .append import append_records
from .calendar_sheet import calendar_years, write_calendar_sheet
from .cells import put, put_formula
from .printing import book_header, fit_rows, month_prefix, not_printed, print_setup, two_pages_wide
from .rules_sheet import write_rules_sheet
from .schema import (
    FMT_INT,
    FORMULA,
    NATIVE,
    UDF,
    Column,
    FormRow,
    FormSheet,
    TableSheet,
    WorkbookSpec,
)
from .style import (
    BOXED_WRAP,
    header_cells,
    highlight_equals,
    protect,
    title_cell,
)
from .writer import add_validation, write_form_frame, write_table

STEM = "客户回访信息台账"
LEDGER = "台账"
COMPLETED = "完工量"
STATS = "统计"
SAMPLE = "抽样"
QUESTIONS = "问卷"
LEDGER_ROWS = 3000
# On paper the 台账 is two A4 pages side by side (`printing.two_pages_wide`): up to 客户建议 on
# the first, the rest on the second, each row's date, type and order number on both.
PRINT_SPLIT_AFTER = "suggestion"
PRINT_REPEAT = "A:C"

_DUE = "=" + F.natural_due("{flow_date}", None, "flow_form")  # 回访 六.1: 2 natural days, as the office counts them
# 24:00 of the deadline's day is in time (deadlines.done_in_time): one second past 23:59:59
_LATE = '=IF({due}="","",IF({feedback_date}<>"",IF(ROUND(({feedback_date}-{due})*86400,0)>1,"是","否"),IF(NOW()>{due},"是","否")))'
_LATE_UDF = (
    '=IF({due}="","",IF(OR(SLA_STATUS({due},{feedback_date})="已超时",'
    'SLA_STATUS({due},{feedback_date})="超时完成"),"是","否"))'
)


def ledger_sheet() -> TableSheet:
    text = L.text_input
    return TableSheet(
        LEDGER,
        "客户回访信息台账",
        (
            Column("call_date", "回访日期", type="date", width=11, validation=L.date_input("回访日期")),
            Column("business", "业务类型", type="choice", width=9, validation=L.choice(L.L_BUSINESS, "业务类型")),
            Column("order", "工单号", type="id", width=16, validation=text("工单号", 64)),
            Column("done_date", "完工日期", type="date", width=11, validation=L.date_input("完工日期")),
            Column("customer", "客户姓名", width=9, validation=text("客户姓名", 64)),
            Column("phone", "客户电话", type="id", width=12, validation=text("客户电话", 32)),
            Column("address", "客户地址", width=26, wrap=True, validation=text("客户地址")),
            Column("staff", "上门人员", width=9, validation=text("上门人员", 64)),
            Column("dept", "责任部门", type="choice", width=10, validation=L.choice(L.L_DEPARTMENTS, "责任部门")),
            Column("agent", "回访人", width=8, validation=text("回访人", 32)),
            Column("result", "回访结果", type="choice", width=8, validation=L.choice(L.L_RESULTS, "回访结果", "未接通、拒访不计入有效回访。")),
            Column("opinion", "客户意见", width=20, wrap=True, validation=text("客户意见", 1000)),
            Column("suggestion", "客户建议", width=20, wrap=True, validation=text("客户建议", 1000)),
            Column("reason", "不满原因", width=16, wrap=True, validation=text("不满原因", 1000)),
            Column("flow", "是否流转", type="choice", width=7, validation=L.choice(L.L_YESNO, "是否流转", "客户不满或要求答复时填写流转单（附件3）。")),
            Column("flow_no", "流转单号", type="id", width=12, validation=text("流转单号", 64)),
            Column("flow_date", "流转日期", type="datetime", width=16, validation=L.date_input("流转日期", True)),
            Column("feedback_date", "反馈日期", type="datetime", width=16, validation=L.date_input("责任部门反馈日期", True)),
            Column("handling", "处理结果", width=18, wrap=True, validation=text("处理结果", 1000)),
            Column("due", "反馈时限", FORMULA, type="datetime", width=16, formula=_DUE, udf='=IF({flow_date}="","",DUE_DATE({flow_date},"流转单"))'),
            Column("late", "是否超时", FORMULA, width=7, formula=_LATE, udf=_LATE_UDF),
            Column("note", "备注", width=14, wrap=True, validation=text("备注")),
        ),
        rows=LEDGER_ROWS,
        freeze_col="C",
    )


def completed_sheet(rules: Rules) -> FormSheet:
    columns = (
        Column("business", "业务类型", FORMULA, width=12),
        Column("count", "本月完工量", type="int", width=12),
        Column("note", "备注", width=30, wrap=True),
    )
    rows = tuple(FormRow(b.name, b.name, ("count", "note")) for b in rules.business_types)
    return FormSheet(COMPLETED, "本月完工量（按业务类型，从业务系统导出后填写）", columns, rows, landscape=False, footer_rows=(FormRow("total", "合计"),))


def stats_sheet(rules: Rules) -> FormSheet:
    columns = (
        Column("business", "业务类型", FORMULA, width=11),
        Column("total", "业务总量", FORMULA, type="int", width=9),
        Column("calls", "回访量", FORMULA, type="int", width=8),
        Column("call_rate", "回访占比", FORMULA, type="percent", width=9),
        Column("satisfied", "满意数量", FORMULA, type="int", width=9),
        Column("satisfied_rate", "满意占比", FORMULA, type="percent", width=9),
        Column("unsatisfied", "不满意数量", FORMULA, type="int", width=10),
        Column("unsatisfied_rate", "不满意占比", FORMULA, type="percent", width=10),
        Column("invalid", "未接通/拒访", FORMULA, type="int", width=10),
    )
    rows = tuple(FormRow(b.name, b.name) for b in rules.business_types)
    return FormSheet(STATS, "回访数据统计", columns, rows, footer_rows=(FormRow("total", "合计"),))


def sample_sheet(rules: Rules) -> FormSheet:
    columns = (
        Column("business", "业务类型", FORMULA, width=11),
        Column("available", "可抽完工量", type="int", width=10),
        Column("quota", "标准回访量", FORMULA, width=10),
        Column("base", "基本量", FORMULA, type="int", width=8),
        Column("short", "缺口", FORMULA, type="int", width=7),
        Column("spare", "富余", FORMULA, type="int", width=7),
        Column("moved", "转入", FORMULA, type="int", width=7),
        Column("today", "今日回访量", FORMULA, type="int", width=10),
    )
    rows = tuple(FormRow(b.name, b.name, ("available",)) for b in rules.business_types)
    return FormSheet(SAMPLE, "当日回访量", columns, rows, landscape=False, footer_rows=(FormRow("total", "合计"),))


def _ledger_range(key: str) -> str:
    return ledger_sheet().data_range(key)


def write_completed(wb: Workbook, rules: Rules, month: str | None) -> FormSheet:
    spec = completed_sheet(rules)
    ws = write_form_frame(wb, spec, f"{month_prefix(month)}本月完工量（按业务类型，从业务系统导出后填写）", book_header(month, STEM, COMPLETED))
    for b in rules.business_types:
        put(ws, spec.row_of(b.name), 1, b.name)
    first, last = spec.first_row, spec.row_of(rules.business_types[-1].name)
    t = spec.row_of("total")
    put(ws, t, 1, "合计")
    put_formula(ws, t, 2, f"=SUM(B{first}:B{last})")
    add_validation(ws, L.count_input("本月完工量"), "本月完工量", f"B{first}:B{last}")
    return spec


def write_stats(wb: Workbook, rules: Rules, month: str | None, completed: FormSheet) -> None:
    spec = stats_sheet(rules)
    ws = write_form_frame(wb, spec, f"{month_prefix(month)}回访数据统计（未接通、拒访不计入回访量和满意度）", book_header(month, STEM, STATS))
    business, result = _ledger_range("business"), _ledger_range("result")
    for b in rules.business_types:
        r = spec.row_of(b.name)
        put(ws, r, 1, b.name)
        put_formula(ws, r, 2, f"=N('{COMPLETED}'!B{completed.row_of(b.name)})")
        put_formula(ws, r, 5, f'=COUNTIFS({business},A{r},{result},"{rules.callback_satisfied}")')
        put_formula(ws, r, 7, f'=COUNTIFS({business},A{r},{result},"{rules.callback_unsatisfied}")')
        put_formula(ws, r, 9, "=" + "+".join(f'COUNTIFS({business},A{r},{result},"{x}")' for x in rules.callback_invalid))
    first, last = spec.first_row, spec.row_of(rules.business_types[-1].name)
    t = spec.row_of("total")
    put(ws, t, 1, "合计")
    for col in "BEGI":
        put_formula(ws, t, " ABCDEFGHI".index(col), f"=SUM({col}{first}:{col}{last})")
    for r in range(first, t + 1):
        put_formula(ws, r, 3, f"=E{r}+G{r}")
        put_formula(ws, r, 4, f'=IF(B{r}=0,"",C{r}/B{r})')
        put_formula(ws, r, 6, f'=IF(C{r}=0,"",E{r}/C{r})')
        put_formula(ws, r, 8, f'=IF(C{r}=0,"",G{r}/C{r})')


def write_sample(wb: Workbook, rules: Rules, month: str | None, style: str) -> None:
    spec = sample_sheet(rules)
    ws = write_form_frame(wb, spec, "当日回访量（回访办法四.2：零散、单项工程全部回访；不足部分按表中顺序转给其他业务）",
                          book_header(month, STEM, SAMPLE))
    first, last = spec.first_row, spec.row_of(rules.business_types[-1].name)
    for b in rules.business_types:
        r = spec.row_of(b.name)
        put(ws, r, 1, b.name)
        put_formula(ws, r, 3, f"=INDEX({L.L_QUOTAS},MATCH(A{r},{L.L_BUSINESS},0))")
        put_formula(ws, r, 4, f"=IF(ISNUMBER(C{r}),MIN(C{r},N(B{r})),N(B{r}))")
        put_formula(ws, r, 5, f"=IF(ISNUMBER(C{r}),C{r}-D{r},0)")
        put_formula(ws, r, 6, f"=IF(ISNUMBER(C{r}),N(B{r})-D{r},0)")
        taken_before = "0" if r == first else f"SUM(F${first}:F{r - 1})"
        put_formula(ws, r, 7, f"=IF(AND({F.switch('P_PASS_ON_SHORTFALL')},ISNUMBER(C{r})),MIN(F{r},MAX(0,SUM(E${first}:E${last})-{taken_before})),0)")
        if style == UDF:
            put_formula(ws, r, 8, f"=CALLBACK_QUOTA(A{r},$A${first}:$B${last})")
        else:
            put_formula(ws, r, 8, f"=D{r}+G{r}")
    t = spec.row_of("total")
    put(ws, t, 1, "合计")
    for col in "BDEFGH":
        put_formula(ws, t, " ABCDEFGH".index(col), f"=SUM({col}{first}:{col}{last})")
    add_validation(ws, L.count_input("今日可抽取的完工量（3日内完工、7日内未回访）"), "可抽完工量", f"B{first}:B{last}")
    for r in range(first, t + 1):
        for col in (2, 4, 5, 6, 7, 8):
            ws.cell(row=r, column=col).number_format = FMT_INT


def write_questions(wb: Workbook, rules: Rules, month: str | None) -> None:
    """附件1, for the agent at the phone: not printed with the whole workbook (`not_printed`)."""
    ws = wb.create_sheet(QUESTIONS)
    title_cell(ws, "日常业务回访问卷（回访办法附件1）", "D")
    header_cells(ws, 2, ("问卷", "序号", "问题", "适用业务"))
    r = 3
    for q in rules.questionnaires:
        used_by = "、".join(b.name for b in rules.business_types if b.questionnaire == q.name)
        for n, question in enumerate(q.questions, start=1):
            for col, value in enumerate((q.name, n, question, used_by), start=1):
                BOXED_WRAP.apply(put(ws, r, col, value))
            r += 1
    for letter, width in zip("ABCD", (26, 6, 56, 16), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    fit_rows(ws, 3, r - 1)
    print_setup(ws, "2:2", book_header(month, STEM, QUESTIONS), landscape=False, print_area=f"A1:D{r - 1}")
    not_printed(ws)
    protect(ws)


def callback_spec(rules: Rules | None = None) -> WorkbookSpec:
    rules = rules or load_rules()
    return WorkbookSpec(STEM, (ledger_sheet(), completed_sheet(rules), stats_sheet(rules), sample_sheet(rules)))


def build_callback_ledger(month: str | None, rules: Rules | None = None, style: str = NATIVE) -> Workbook:
    """The month's 客户回访信息台账 as an openpyxl Workbook (not saved); None: the template."""
    rules = rules or load_rules()
    wb = Workbook()
    wb.remove(wb.active)
    spec = ledger_sheet()
    ws = write_table(wb, spec, style, f"{month_prefix(month)}客户回访信息台账（灰色列自动计算；流转单须两个自然日内反馈）", book_header(month, STEM, LEDGER))
    highlight_equals(ws, spec.data_range("late", absolute=False), L.YES)
    # 22 columns fitted to one A4 width printed at 3.9 pt; two pages side by side print them
    # at 65 % (tests/books/test_print.py measures the PDF)
    two_pages_wide(ws, [c.width for c in spec.columns], spec.index(PRINT_SPLIT_AFTER), PRINT_REPEAT)
    completed = write_completed(wb, rules, month)
    write_stats(wb, rules, month, completed)
    write_sample(wb, rules, month, style)
    write_questions(wb, rules, month)
    # the flow form's deadline may move past a rest day (the office's setting): the same
    # calendar sheet as the 投诉台账's
    write_calendar_sheet(wb, calendar_years(month), rules.work_calendar, month=month or "")
    write_rules_sheet(wb, rules, month)
    wb.active = 0
    return wb



def append_calls(path: Path, records: Sequence[Mapping[str, Any]], first: int, available: Mapping[str, int], rules: Rules,
                 data: bytes | None = None) -> list[int]:
    """Append the day's sampled calls to the 台账 at `path` from row `first` on, and each
    type's orders available for sampling into 抽样 (whose live formulas then show the day's
    quotas); the file is replaced atomically, the previous one kept in 历史版本.

    The one write into a staff workbook's own cells: it goes in place (`books.append`), so
    pictures, charts, comments, x14 validations and every other part staff added stay byte
    for byte, and what cannot be kept is refused with a message. `data`: the bytes the rows
    were chosen from (a 台账 saved since is refused, not written over).
    """
    sspec = sample_sheet(rules)
    cells = {(sspec.row_of(name), 2): count for name, count in available.items()}
    return append_records(path, ledger_sheet(), first, records, form_cells={sspec.name: cells}, data=data)
