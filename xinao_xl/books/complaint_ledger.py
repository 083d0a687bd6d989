"""客户投诉台账: one row per complaint and responsible department (投诉 第六条(二)4).

Each stage's deadline is live (投诉 第七条、第九条; POLICY_RULES §5): 调查 and 处理 count
from 受理时间, 回访 from 处理完成时间, 申诉截止 from 办结时间 (natural days, 疑似重大 or
一般), 申诉处理 from 申诉受理时间 in working days through the 工作日历 sheet. The status of
an open stage compares with NOW(), so the ledger turns amber and red by itself. The
deduction follows the 申诉结果 (成立: 无责); 跟催次数, 抢修抢险 and 停气停电损失 are the facts
附件1's numbers are about (validation says 疑似重大 where they meet them).
"""

from __future__ import annotations

from openpyxl import Workbook

from xinao_xl.policy.rules import Rules, load_rules

from . import formulas as F
from . import lists as L
from .calendar_sheet import calendar_years, working_due_formula, write_calendar_sheet
from .names import stage_name
from .printing import book_header, month_prefix
from .rules_sheet import write_rules_sheet
from .schema import FORMULA, NATIVE, Column, TableSheet, WorkbookSpec
from .style import highlight_equals, highlight_positive, highlight_status
from .writer import write_table

STEM = "客户投诉台账"
LEDGER = "投诉台账"
LEDGER_ROWS = 300

# stage key -> (due column, start column, done column, status column, UDF stage name)
STAGE_COLUMNS = {
    "investigate": ("inv_due", "accepted", "inv_done", "inv_status", "调查取证反馈"),
    "handle": ("handle_due", "accepted", "handle_done", "handle_status", "最终处理"),
    "revisit": ("revisit_due", "handle_done", "revisit_done", "revisit_status", "人工回访"),
    "appeal": ("appeal_due", "closed", None, None, "申诉提出"),
    "appeal_handle": ("appeal_handle_due", "appeal_at", None, None, "申诉处理"),
}


# The 申诉结果 the deduction and the grade see: 成立 makes the complaint 无责 (our reading,
# policy.complaints.responsible_after_appeal).
APPEAL = "{appeal_result}"
# ({resp}&"": a blank 有责/无责 passed through IF would reach the function as 0, i.e. 否)
_RESP_AFTER_APPEAL_UDF = f'IF({F.level_text(APPEAL)}="{L.APPEAL_UPHELD}","{L.NOT_RESPONSIBLE}",{{resp}}&"")'  # spaces dropped, as the native formula and appeal_upheld read it


def _due(stage: str, rules: Rules) -> Column:
    due, start, _, _, udf_name = STAGE_COLUMNS[stage]
    st = rules.stages[stage]
    header = {"investigate": "调查时限", "handle": "处理时限", "revisit": "回访时限", "appeal": "申诉截止", "appeal_handle": "申诉处理时限"}[stage]
    if st.unit == "工作日":
        days = f'IF({{major}}<>"",{stage_name(stage, True)},{stage_name(stage, False)})'
        native = "=" + working_due_formula(f"{{{start}}}", days)
    else:
        native = "=" + F.natural_due(f"{{{start}}}", "{major}", stage)
    udf = f'=IF({{{start}}}="","",DUE_DATE({{{start}}},"{udf_name}",{{major}}<>""))'
    return Column(due, header, FORMULA, type="datetime", width=16, formula=native, udf=udf)


def _status(stage: str, header: str) -> Column:
    due, _, done, status, _ = STAGE_COLUMNS[stage]
    native = "=" + F.sla_status(f"{{{due}}}", f"{{{done}}}")
    udf = f'=IF({{{due}}}="","",IF(ISTEXT({{{due}}}),{{{due}}},SLA_STATUS({{{due}}},{{{done}}})))'
    return Column(status, header, FORMULA, width=9, formula=native, udf=udf)


def ledger_sheet(rules: Rules) -> TableSheet:
    dt = L.date_input
    deduct = F.complaint_points("{level}", "{channel}", "{resp}", rules, appeal=APPEAL)
    return TableSheet(
        LEDGER,
        "客户投诉台账",
        (
            Column("no", "投诉单号", type="id", width=14, validation=L.text_input("投诉单号", 64)),
            Column("accepted", "受理时间", type="datetime", width=16, validation=dt("受理时间", True)),
            Column("channel", "受理渠道", type="choice", width=9, validation=L.choice(L.L_CHANNELS, "受理渠道", "95158、市长热线按渠道扣分，与级别就高。")),
            Column("level", "投诉级别", type="choice", width=7, validation=L.choice(L.L_LEVELS, "投诉级别")),
            Column("major", "疑似重大", type="choice", width=14, validation=L.choice(L.L_MAJOR, "重大投诉判定项（附件1）", "一般投诉留空；选择后按疑似重大投诉时限计算。")),
            Column("customer", "客户姓名", width=9, validation=L.text_input("客户姓名", 64)),
            Column("phone", "客户电话", type="id", width=12, validation=L.text_input("客户电话", 32)),
            Column("address", "客户地址", width=14, validation=L.text_input("客户地址")),
            Column("content", "投诉内容", width=20, wrap=True, validation=L.text_input("投诉内容", 1000)),
            Column("dept", "责任部门", type="choice", width=10, validation=L.choice(L.L_DEPARTMENTS, "责任部门", "涉及多个部门时每个部门一行。")),
            _due("investigate", rules),
            Column("inv_done", "调查完成时间", type="datetime", width=16, validation=dt("调查取证反馈时间", True)),
            _status("investigate", "调查状态"),
            _due("handle", rules),
            Column("handle_done", "处理完成时间", type="datetime", width=16, validation=dt("最终处理反馈时间", True)),
            _status("handle", "处理状态"),
            _due("revisit", rules),
            Column("revisit_done", "回访完成时间", type="datetime", width=16, validation=dt("人工回访时间", True)),
            _status("revisit", "回访状态"),
            Column("resp", "有责/无责", type="choice", width=8, validation=L.choice(L.L_RESP, "有责或无责", "无责须选择附件2的原因；留空按有责。")),
            Column("reason", "无责原因", type="choice", width=14, validation=L.choice(L.L_NOFAULT, "无责原因（附件2）")),
            Column("closed", "办结时间", type="datetime", width=16, validation=dt("办结时间", True)),
            _due("appeal", rules),
            Column("appeal_at", "申诉受理时间", type="datetime", width=16, validation=dt("申诉受理时间", True)),
            _due("appeal_handle", rules),
            Column("appeal_result", "申诉结果", type="choice", width=8,
                   validation=L.choice(L.L_APPEAL, "申诉结果", "成立：按无责计，不扣分；办结所在月已结账的，在下月结账时退回扣分。")),
            # 附件1's numbers need the complaint's own facts: the check says 疑似重大 where they meet them
            Column("followups", "跟催次数", type="int", width=6,
                   validation=L.count_input("客户跟催次数（附件1：服务超时跟催3次及以上、抢修抢险跟催1次及以上仍未处理的属重大投诉）")),
            Column("emergency", "抢修抢险", type="choice", width=7,
                   validation=L.choice(L.L_YESNO, "是否燃气泄漏、供暖漏水抢修抢险（是/否）", "附件1：抢修抢险不及时、用户跟催1次及以上仍未处理的属重大投诉。")),
            Column("loss", "停气停电损失（元）", type="number", width=10,
                   validation=L.number_input("非计划停气、停电给客户造成的经济损失（元）", 0, hint="附件1：一万元及以上属重大投诉。")),
            Column("deduct", "扣分", FORMULA, type="number", width=7,
                   formula=f'=IF(AND({{level}}="",{{channel}}=""),"",{deduct})',
                   udf=f'=IF(AND({{level}}="",{{channel}}=""),"",DEDUCT_COMPLAINT({{level}},{{channel}},{_RESP_AFTER_APPEAL_UDF}))'),
            Column("note", "备注", width=16, wrap=True, validation=L.text_input("备注")),
        ),
        rows=LEDGER_ROWS,
        freeze_col="B",
    )


def complaint_spec(rules: Rules | None = None) -> WorkbookSpec:
    rules = rules or load_rules()
    return WorkbookSpec(STEM, (ledger_sheet(rules),))


def build_complaint_ledger(month: str | None, rules: Rules | None = None, style: str = NATIVE) -> Workbook:
    """The month's 客户投诉台账 (with 工作日历 and 规则) as an openpyxl Workbook; None: the template."""
    rules = rules or load_rules()
    wb = Workbook()
    wb.remove(wb.active)
    spec = ledger_sheet(rules)
    ws = write_table(wb, spec, style, f"{month_prefix(month)}客户投诉台账（每起投诉每个责任部门一行；灰色列自动计算）", book_header(month, STEM, LEDGER))
    for key in ("inv_status", "handle_status", "revisit_status"):
        highlight_status(ws, spec.data_range(key, absolute=False))
    for key in ("appeal_handle_due",):
        highlight_equals(ws, spec.data_range(key, absolute=False), L.CAL_ERROR)
    highlight_positive(ws, spec.data_range("deduct", absolute=False), f"{spec.letter('deduct')}{spec.first_row}")
    write_calendar_sheet(wb, calendar_years(month), rules.work_calendar, month=month or "")
    write_rules_sheet(wb, rules, month)
    wb.active = 0
    return wb
