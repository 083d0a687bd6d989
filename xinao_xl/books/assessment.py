"""服务绩效考核表: 汇总, one sheet per department (考核 §6), 加减分明细, 汇入, 规则.

Every score is a live formula: a department's §6 row deducts from its 审核实际 (else its
自评实际) as `scoring.indicator_deduction` does — a satisfaction row's 审核 is the 回访台账's
rate from the 汇入 sheet; its 投诉管理 and 流转单 lines read the 汇入 sheet (the 投诉台账's
complaints, the 台账's late 流转单), its 表扬 and 手工 lines sum the 加减分明细 rows of that
department; 汇总 turns the sums into 月度服务得分, 考核等级, 公司绩效服务项 and 兼职服务津贴
(考核 7-9). Each fact is typed in one workbook (docs/使用说明.md, 一处录入).

    >>> spec = assessment_spec(load_rules())
    >>> [s.name for s in spec.sheets][:3]
    ['汇总', '客服部', '市场工程部']
"""

from __future__ import annotations

from dataclasses import replace

from openpyxl import Workbook

from xinao_xl.policy.rules import ENTERED, Department, Indicator, Rules, load_rules

from . import formulas as F
from . import imported
from . import lists as L
from .cells import put, put_formula
from .printing import book_header, fit_rows, month_prefix
from .rules_sheet import write_rules_sheet
from .schema import (
    FMT_PERCENT,
    FMT_POINTS,
    FMT_RATE_ENTRY,
    FORMULA,
    NATIVE,
    UDF,
    Column,
    FormRow,
    FormSheet,
    TableSheet,
    Validation,
    WorkbookSpec,
)
from .style import highlight_below, highlight_equals, highlight_positive
from .writer import add_validation, write_form_frame, write_table

STEM = "服务绩效考核表"
SUMMARY = "汇总"
ITEMS = "加减分明细"
ITEM_ROWS = 300

# --- 加减分明细 ---------------------------------------------------------------------------
# Praise, media praise and hand deductions: what only the 考核表 knows. Complaints and late
# 流转单 are facts of the 投诉台账 and the 回访台账: they reach the department sheets through
# the 汇入 sheet (books/imported.py), never typed here a second time.

H_DATE, H_DEPT, H_TYPE = "日期", "部门", "类型"
H_COUNT, H_POINTS_IN, H_DESC, H_SOURCE, H_POINTS = "数量", "填报分值", "说明", "来源单号", "分值"


def _items_points() -> str:
    count = 'IF({count}="",1,{count})'
    return (
        f'=IF({{type}}="","",'
        f'IF({{type}}="{L.ITEM_PRAISE}",{F.rnd(count + "*P_PRAISE_POINTS")},'
        f'IF({{type}}="{L.ITEM_MEDIA}",IF(AND(ISNUMBER({{pin}}),{{pin}}>=P_MEDIA_POINTS_MIN,{{pin}}<=P_MEDIA_POINTS_MAX),{F.rnd("{pin}")},"#无效媒体加分"),'
        f'IF({{type}}="{L.ITEM_MANUAL}",IF(AND(ISNUMBER({{pin}}),{{pin}}>=0),-{F.rnd("{pin}")},"#无效扣分"),"#无效类型"))))'
    )


def _items_points_udf() -> str:
    count = 'IF({count}="",1,{count})'
    return (
        f'=IF({{type}}="","",'
        f'IF({{type}}="{L.ITEM_PRAISE}",BONUS_PRAISE({count}),'
        f'IF({{type}}="{L.ITEM_MEDIA}",BONUS_PRAISE(0,{{pin}}),'
        f'IF({{type}}="{L.ITEM_MANUAL}",-{F.rnd("{pin}")},"#无效类型"))))'
    )


def items_sheet(rules: Rules) -> TableSheet:
    return TableSheet(
        ITEMS,
        "加减分明细（表扬、媒体表扬、手工扣分，每条一行；投诉和超时流转单见“汇入”表）",
        (
            Column("date", H_DATE, type="date", width=11, validation=L.date_input("日期")),
            Column("dept", H_DEPT, type="choice", width=11, validation=L.choice(L.L_DEPARTMENTS, "部门")),
            Column("type", H_TYPE, type="choice", width=10, validation=L.choice(
                L.L_ITEM_TYPES, "类型", "表扬、媒体表扬、手工扣分。投诉在投诉台账登记，超时流转单据回访台账统计，均由“汇入”表计入。")),
            Column("count", H_COUNT, type="int", width=6, validation=L.count_input("数量（表扬起数，留空为1）")),
            Column("pin", H_POINTS_IN, type="number", width=9, validation=L.number_input("填报分值（媒体表扬3-5分；手工扣分填扣分数）", 0, 100)),
            Column("desc", H_DESC, width=34, wrap=True, validation=L.text_input("说明")),
            Column("source", H_SOURCE, type="id", width=14, validation=L.text_input("来源单号（表扬登记号等）", 64)),
            Column("points", H_POINTS, FORMULA, type="number", width=8, formula=_items_points(), udf=_items_points_udf()),
        ),
        rows=ITEM_ROWS,
    )


# --- department sheets -------------------------------------------------------------------

DEPT_COLUMNS = (
    Column("seq", "序号", FORMULA, type="int", width=5),
    Column("name", "考核内容", FORMULA, width=22, wrap=True),
    Column("standard", "标准", FORMULA, width=20, wrap=True),
    Column("target", "目标值", FORMULA, type="number", width=8),
    Column("self", "自评实际", type="number", width=9),
    Column("audit", "审核实际", type="number", width=9),
    Column("used", "采用值", FORMULA, type="number", width=8),
    Column("deduct", "扣分", FORMULA, type="number", width=7),
    Column("bonus", "加分", FORMULA, type="number", width=7),
    Column("clause", "依据条款", FORMULA, width=14, wrap=True),
    Column("note", "备注", width=20, wrap=True),
)
EXTRA_ROWS = (
    ("late_flow", "流转单超时反馈（回访办法六.1）", L.ITEM_LATE_FLOW, "deduct", "回访 六.1"),  # from the 汇入 sheet
    ("manual", "其他扣分（手工登记）", L.ITEM_MANUAL, "deduct", "考核 7.1"),
    ("praise", "客户表扬（电话、信件、锦旗）", L.ITEM_PRAISE, "bonus", "考核 7.2"),
    ("media", "外部媒体表扬", L.ITEM_MEDIA, "bonus", "考核 7.2"),
    ("adjust", "申诉调整（已结账月份的投诉申诉成立，退回扣分）", L.ITEM_ADJUST, "bonus", "投诉 第九条"),  # from the 汇入 sheet
)
FOOTER = (("total_deduct", "扣分合计"), ("total_bonus", "加分合计"), ("score", "月度服务得分"), ("grade", "考核等级"))


def indicator_key(ind: Indicator) -> str:
    return f"i{ind.number}"


def audit_from_ledger(ind: Indicator) -> bool:
    """A satisfaction row the 回访台账 counts: its 审核 is the office's recount (考核 5.2), read
    from the 汇入 sheet; the department still types its own 自评."""
    return ind.callback_type is not None


def _entry_keys(ind: Indicator) -> tuple[str, ...]:
    if ind.kind_spec.from_complaints:
        return ()
    return ("self", "note") if audit_from_ledger(ind) else ("self", "audit", "note")


def department_sheet(dept: Department) -> FormSheet:
    rows = tuple(FormRow(indicator_key(i), i.name, _entry_keys(i)) for i in dept.indicators) + tuple(
        FormRow(key, label, ("note",)) for key, label, *_ in EXTRA_ROWS)
    footer = tuple(FormRow(key, label) for key, label in FOOTER)
    return FormSheet(dept.name, f"{dept.name} 服务绩效考核", DEPT_COLUMNS, rows, footer_rows=footer)


def standard_text(ind: Indicator, rules: Rules) -> str:
    if ind.standard_text:
        return ind.standard_text
    target = rules.target_of(ind)
    if target is None:
        return ""
    text = f"{target:.0%}" if ind.unit == "%" else f"{target:g}{ind.unit}"
    return text + ("（暂定）" if ind.provisional else "")


def used_formula(ind: Indicator, r: int) -> str:
    """采用值: 审核实际 when filled, else 自评实际 (rates as fractions, parse_rate)."""
    if ind.is_rate:
        return f'=IF(F{r}<>"",{F.rate_fraction(f"F{r}")},IF(E{r}<>"",{F.rate_fraction(f"E{r}")},""))'
    return f'=IF(F{r}<>"",F{r},IF(E{r}<>"",E{r},""))'


def _param_name(key: str | None) -> str | None:
    return f"P_{key.upper()}" if key else None


def indicator_formula(ind: Indicator, rules: Rules, r: int, style: str) -> str:
    """The row's 扣分 from its 采用值 (column G): scoring.kind_deduction, built from the kind's data.

    Gap kinds: the gap in counting units (F.gap_units), points per unit and the rounding
    mode from the kind's params, the kind's cap; entered kinds: the value itself, refused
    below the range's low end as the cell shows it (#无效扣分). The add-in style calls the
    kind's UDF when it has one.
    """
    if ind.kind_param is not None:
        return _kind_choice_formula(ind, rules, r, style)
    kind = ind.kind_spec
    per = _param_name(kind.per_point_param) or ""
    if style == UDF and kind.udf:
        call = kind.udf.format(actual=f"G{r}", target=f"D{r}", name=f"B{r}", per_point=per)
        return f'=IF(G{r}="",0,{call})'
    cap = _param_name(kind.cap_param)
    if kind.direction == ENTERED:
        points = F.rnd(F.capped(f"G{r}", cap))
        return f'=IF(G{r}="",0,IF(AND(ISNUMBER(G{r}),G{r}>={kind.low or 0:g}),{points},"#{kind.error}"))'
    if not kind.counts_gap:
        raise ValueError(f"{ind.name}: {kind.key} has no formula of its own")
    points = F.shortfall_points(F.gap_units(kind, f"G{r}", f"D{r}"), per, _param_name(kind.mode_param) or "")
    return f'=IF(G{r}="",0,IF(ISNUMBER(G{r}),{F.rnd(F.capped(points, cap))},"#无效数字"))'


def _kind_choice_formula(ind: Indicator, rules: Rules, r: int, style: str) -> str:
    """A row whose kind the office chooses (营业厅/加气站/收款室管理: 按神秘客户标准计算 or 手工
    填写扣分): each kind's formula, picked by the param's value on the 规则 sheet, so a
    refresh of the 规则 sheet after the office changes the setting changes the row too."""
    param = rules.param(ind.kind_param or "")
    branches = [(choice, indicator_formula(replace(ind, kind=k, kind_spec=rules.kinds[k], kind_param=None), rules, r, style)[1:])
                for choice, k in param.choice_kinds.items()]
    expr = branches[-1][1]
    for choice, formula in reversed(branches[:-1]):
        expr = f'IF({param.defined_name}="{choice}",{formula},{expr})'
    return "=" + expr


def indicator_validation(ind: Indicator, rules: Rules | None = None) -> Validation:
    """The 自评/审核 cells' data validation: the kind's range, what staff type, its hint.

    A row whose kind the office chooses says both ways (its kinds share the range)."""
    kind = ind.kind_spec
    what = f"{ind.name}{kind.entry}"
    if ind.kind_param is not None and rules is not None:
        param = rules.param(ind.kind_param)
        ways = "；".join(f"{choice}时填{rules.kinds[k].entry}" for choice, k in param.choice_kinds.items())
        return L.number_input(f"{ind.name}（{ways}，见规则表“{param.name}”）", kind.low or 0, kind.high)
    if kind.is_rate:
        return L.percent_input(what, kind.low or 0, 1 if kind.high is None else kind.high)
    return L.number_input(what, kind.low or 0, kind.high, kind.hint)


def _sum_items(dept: str, item_type: str, items: TableSheet) -> str:
    return f'SUMIFS({items.data_range("points")},{items.data_range("dept")},"{dept}",{items.data_range("type")},"{item_type}")'


def _complaints_sum(dept: str, lay: imported.Layout) -> str:
    return f'SUMIFS({lay.complaint_range("points")},{lay.complaint_range("dept")},"{dept}")'


def late_flow_formula(dept: str, lay: imported.Layout, style: str) -> str:
    """The department's late 流转单 (回访 六.1) as the 汇入 sheet counts them × 2 points."""
    if style == UDF:
        return f"=DEDUCT_LATE_FLOW({lay.late_ref(dept)})"
    return f"={F.rnd(f'{lay.late_ref(dept)}*P_LATE_FLOW_POINTS')}"


def audit_formula(ind: Indicator, lay: imported.Layout) -> str:
    """审核实际 of a satisfaction row the 台账 counts: the 汇入's rate at full precision, blank
    without valid callbacks of the type (the 自评 is then used)."""
    ref = lay.rate_ref(ind.callback_type or "")
    return f'=IF({ref}="","",{ref})'


def write_department(wb: Workbook, dept: Department, rules: Rules, month: str | None, style: str, items: TableSheet, summary: FormSheet) -> None:
    spec = department_sheet(dept)
    lay = imported.Layout.of(rules)
    ws = write_form_frame(wb, spec, f"{dept.name} {month_prefix(month)}服务绩效考核表（权重 {dept.weight:.0%}）", book_header(month, STEM, dept.name))
    for ind in dept.indicators:
        r = spec.row_of(indicator_key(ind))
        put(ws, r, 1, ind.number)
        put(ws, r, 2, ind.name)
        put(ws, r, 3, standard_text(ind, rules))
        if ind.target_param:
            put_formula(ws, r, 4, f"=P_{ind.target_param.upper()}")
        elif ind.target is not None:
            put(ws, r, 4, ind.target)
        fmt = FMT_PERCENT if ind.is_rate else FMT_POINTS
        for col in (4, 5, 6, 7):
            ws.cell(row=r, column=col).number_format = FMT_RATE_ENTRY if ind.is_rate and col in (5, 6) else fmt
        if ind.kind_spec.from_complaints:
            put_formula(ws, r, 8, f"={_complaints_sum(dept.name, lay)}")
        else:
            put_formula(ws, r, 7, used_formula(ind, r))
            put_formula(ws, r, 8, indicator_formula(ind, rules, r, style))
            if audit_from_ledger(ind):
                put_formula(ws, r, 6, audit_formula(ind, lay))
                ws.cell(row=r, column=6).number_format = FMT_PERCENT
                add_validation(ws, indicator_validation(ind, rules), ind.name[:30], f"E{r}")
            else:
                add_validation(ws, indicator_validation(ind, rules), ind.name[:30], f"E{r}:F{r}")
        put(ws, r, 10, ind.clause)
    n = len(dept.indicators)
    for i, (key, label, item_type, col_key, clause) in enumerate(EXTRA_ROWS, start=1):
        r = spec.row_of(key)
        put(ws, r, 1, n + i)
        put(ws, r, 2, label)
        put(ws, r, 3, "见加减分明细")
        if key == "late_flow":
            put(ws, r, 3, "见汇入")
            put_formula(ws, r, 8, late_flow_formula(dept.name, lay, style))
        elif key == "adjust":  # upheld appeals of closed months' complaints (投诉 第九条), from the 汇入
            put(ws, r, 3, "见汇入")
            put_formula(ws, r, 9, f'=ROUND(SUMIFS({lay.adjust_range("points")},{lay.adjust_range("dept")},"{dept.name}"),{F.DIGITS})')
        else:
            sign = "-" if col_key == "deduct" else ""
            put_formula(ws, r, 8 if col_key == "deduct" else 9, f"={sign}{_sum_items(dept.name, item_type, items)}")
        put(ws, r, 10, clause)
    srow = summary.row_of(dept.name)
    for key, label in FOOTER:
        r = spec.row_of(key)
        put(ws, r, 2, label)
        col = {"total_deduct": "B", "total_bonus": "C", "score": "D", "grade": "E"}[key]
        put_formula(ws, r, 8, f"='{SUMMARY}'!{col}{srow}")
    first, last_item = spec.first_row, spec.row_of(EXTRA_ROWS[-1][0])
    highlight_positive(ws, f"H{first}:H{last_item}", f"H{first}")
    highlight_equals(ws, f"H{spec.row_of('grade')}", str(rules.value("grade_c")))
    fit_rows(ws, spec.first_row, spec.last_row)


# 考核 5.3: the office reviews each department's 自评 (审核), the service supervisor approves (审批);
# typed beside the department's figures on 汇总, read by the close (services/approval.py).
REVIEW_COLUMNS = (
    Column("reviewer", "审核人", width=9),
    Column("reviewed", "审核日期", type="date", width=11),
    Column("approver", "审批人", width=9),
    Column("approved", "审批日期", type="date", width=11),
)
REVIEW_KEYS = tuple(c.key for c in REVIEW_COLUMNS)


def summary_sheet(rules: Rules) -> FormSheet:
    columns = (
        Column("dept", "部门", FORMULA, width=12),
        Column("deduct", "扣分合计", FORMULA, type="number", width=9),
        Column("bonus", "加分合计", FORMULA, type="number", width=9),
        Column("score", "月度服务得分", FORMULA, type="number", width=10),
        Column("grade", "考核等级", FORMULA, width=8, center=True),
        Column("weight", "权重", FORMULA, type="percent", number_format="0%", width=7),
        Column("company", "公司绩效服务项", FORMULA, type="number", width=11),
        Column("base", "服务津贴基数", type="number", width=11),
        Column("allowance", "兼职服务津贴", FORMULA, type="number", width=11),
        Column("note", "备注", width=24, wrap=True),
        *REVIEW_COLUMNS,
    )
    rows = tuple(FormRow(d.name, d.name, ("base", "note", *REVIEW_KEYS)) for d in rules.departments)
    return FormSheet(SUMMARY, "服务绩效考核汇总", columns, rows, footer_rows=(FormRow("total", "合计"),))


def write_summary(wb: Workbook, rules: Rules, month: str | None, style: str, items: TableSheet) -> FormSheet:
    spec = summary_sheet(rules)
    ws = write_form_frame(wb, spec, f"{month_prefix(month)}服务绩效考核汇总", book_header(month, STEM, SUMMARY))
    for dept in rules.departments:
        r = spec.row_of(dept.name)
        dspec = department_sheet(dept)
        first, last = dspec.first_row, dspec.row_of(EXTRA_ROWS[-1][0])
        put(ws, r, 1, dept.name)
        for col, letter in (("B", "H"), ("C", "I")):
            rng = f"'{dept.name}'!${letter}${first}:${letter}${last}"
            put_formula(ws, r, {"B": 2, "C": 3}[col], f'=IF(SUMPRODUCT(--ISTEXT({rng}))>0,"#请检查扣分",{F.rnd(f"SUM({rng})")})')
        if style == UDF:
            put_formula(ws, r, 4, f"=DEPT_SCORE(B{r},C{r})")
            put_formula(ws, r, 6, f"=DEPT_WEIGHT(A{r})")
            put_formula(ws, r, 7, f"=COMPANY_ITEM(A{r},D{r})")
            put_formula(ws, r, 9, f'=IF(H{r}="","",ALLOWANCE(H{r},D{r}))')
        else:
            put_formula(ws, r, 4, f"={F.rnd(f'MAX(P_SCORE_FLOOR,P_BASE_SCORE-B{r}+C{r})')}")
            put_formula(ws, r, 6, f"=INDEX({L.L_WEIGHTS},MATCH(A{r},{L.L_DEPARTMENTS},0))")
            put_formula(ws, r, 7, f"={F.rnd(f'F{r}*MIN(D{r},P_BASE_SCORE)+P_OVERFLOW_FACTOR*MAX(0,D{r}-P_BASE_SCORE)')}")
            score = f"IF(P_ALLOWANCE_SCORE_CAP>0,MIN(D{r},P_ALLOWANCE_SCORE_CAP),D{r})"
            put_formula(ws, r, 9, f'=IF(H{r}="","",{F.rnd(f"H{r}*{score}/100")})')
        lay = imported.Layout.of(rules)
        put_formula(ws, r, 5, f'=IF(COUNTIFS({lay.complaint_range("dept")},A{r},{lay.complaint_range("grade_c")},"{L.YES}")>0,P_GRADE_C,"")')
    first, last = spec.first_row, spec.row_of(rules.departments[-1].name)
    t = spec.row_of("total")
    put(ws, t, 1, "合计")
    for col in "GHI":
        put_formula(ws, t, " ABCDEFGHI".index(col), f"=SUM({col}{first}:{col}{last})")
    add_validation(ws, L.number_input("服务津贴基数（元）", 0, hint="兼职服务津贴 = 基数 × 得分 / 100。"), "服务津贴基数", f"H{first}:H{last}")
    for key, what in (("reviewer", "审核人（服务办公室，考核5.3）"), ("approver", "审批人（服务主管，考核5.3）")):
        add_validation(ws, L.text_input(what, 32), what[:3], f"{spec.letter(key)}{first}:{spec.letter(key)}{last}")
    for key, what in (("reviewed", "审核日期"), ("approved", "审批日期")):
        add_validation(ws, L.date_input(what), what, f"{spec.letter(key)}{first}:{spec.letter(key)}{last}")
        for r in range(first, last + 1):
            ws[f"{spec.letter(key)}{r}"].number_format = "yyyy-mm-dd"
    highlight_equals(ws, f"E{first}:E{last}", str(rules.value("grade_c")))
    highlight_below(ws, f"D{first}:D{last}", f"D{first}", "P_BASE_SCORE")
    return spec


def assessment_spec(rules: Rules | None = None) -> WorkbookSpec:
    rules = rules or load_rules()
    return WorkbookSpec(STEM, (summary_sheet(rules), *(department_sheet(d) for d in rules.departments), items_sheet(rules)))


def build_assessment(month: str | None, rules: Rules | None = None, style: str = NATIVE, imports: imported.Imports | None = None) -> Workbook:
    """The month's 服务绩效考核表 as an openpyxl Workbook (not saved; None: the template); its
    汇入 sheet holds `imports` (the recount of the month's ledgers) or blank figures."""
    rules = rules or load_rules()
    wb = Workbook()
    wb.remove(wb.active)
    items = items_sheet(rules)
    summary = write_summary(wb, rules, month, style, items)
    for dept in rules.departments:
        write_department(wb, dept, rules, month, style, items, summary)
    ws = write_table(wb, items, style, f"{month_prefix(month)}加减分明细（表扬、媒体表扬、手工扣分，每条一行；投诉、超时流转单、申诉调整见“汇入”表）", book_header(month, STEM, ITEMS))
    rng = items.data_range("points", absolute=False)
    highlight_below(ws, rng, f"{items.letter('points')}{items.first_row}", "0")
    imported.write_imports_sheet(wb, rules, month, style, imports)
    write_rules_sheet(wb, rules, month)
    wb.active = 0
    return wb
