"""客户投诉台账: one row per complaint, responsible department and round (投诉 第六条(二)4,
第七条(二)3), with the 改派记录 and 证据 sheets beside it.

Each stage's deadline is live (投诉 第七条、第九条; POLICY_RULES §5): 调查 and 处理 count
from the round's start (本轮起算: 受理时间, or the 驳回 that opened a later round), 回访 from
处理完成时间, 申诉截止 from 办结 (natural days, 疑似重大 or 一般; a special termination
counts as 办结 from its approval), 申诉处理 from 申诉受理时间 in working days through the
工作日历 sheet. The status of an open stage compares with NOW(), so the ledger turns amber
and red by itself; an unsatisfied callback shows 需复查 until the office reviews again. The
deduction follows the 申诉结果 (成立: 无责), counts once (not for a cancelled, re-assigned
or rejected row: 投诉状态) and not for an internal partner unit's complaint unless the
office says so; 跟催次数, 抢修抢险 and 停气停电损失 are the facts 附件1's numbers are about
(validation says 疑似重大 where they meet them).

What prints: the first `PRINTED` columns, one A4 landscape page wide (narrow side margins,
at least `printing.PRINT_MIN_PT` points on paper as LibreOffice prints it), short dates (m-d
hh:mm; a deadline as m-d, ending at 24:00 of that day). The columns to their right (address,
the review's time, the findings and results, responsibility of partners and providers,
appeal, 附件1 facts, special termination, evidence) are typed on screen and printed per
complaint on the one-page 投诉单 (books/complaint_form.py).
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from xinao_xl.policy.rules import Rules, load_rules

from . import formulas as F
from . import lists as L
from .calendar_sheet import calendar_years, working_due_formula, write_calendar_sheet
from .names import stage_name
from .printing import book_header, month_prefix
from .rules_sheet import write_rules_sheet
from .schema import (
    FMT_SHORT_DATE,
    FMT_SHORT_DATETIME,
    FORMULA,
    NATIVE,
    Column,
    TableSheet,
    WorkbookSpec,
)
from .style import highlight_equals, highlight_positive, highlight_status
from .writer import write_table

STEM = "客户投诉台账"
LEDGER = "投诉台账"
REASSIGN = "改派记录"
EVIDENCE = "证据"
LEDGER_ROWS = 300
REASSIGN_ROWS = 100
EVIDENCE_ROWS = 300

# stage key -> (due column, start column, done column, status column, UDF stage name). The
# start of 调查/处理 is the round's (本轮起算, a formula the services recompute: services/
# complaint_course.py), of 申诉截止 the 办结 (a special termination's approval when blank).
STAGE_COLUMNS = {
    "investigate": ("inv_due", "round_start", "inv_done", "inv_status", "调查取证反馈"),
    "handle": ("handle_due", "round_start", "handle_done", "handle_status", "最终处理"),
    "revisit": ("revisit_due", "handle_done", "revisit_done", "revisit_status", "人工回访"),
    "appeal": ("appeal_due", "closed", None, None, "申诉提出"),
    "appeal_handle": ("appeal_handle_due", "appeal_at", None, None, "申诉处理"),
}


# The 申诉结果 the deduction and the grade see: 成立 makes the complaint 无责 (our reading,
# policy.complaints.responsible_after_appeal).
APPEAL = "{appeal_result}"
# ({resp}&"": a blank 有责/无责 passed through IF would reach the function as 0, i.e. 否)
_RESP_AFTER_APPEAL_UDF = f'IF({F.level_text(APPEAL)}="{L.APPEAL_UPHELD}","{L.NOT_RESPONSIBLE}",{{resp}}&"")'  # spaces dropped, as the native formula and appeal_upheld read it


def words(rules: Rules) -> dict[str, str]:
    """The process words the formulas compare with, from rules.toml [complaint_process]."""
    states, ways = rules.step("states"), rules.step("reassignment")
    return {
        **{k: states.word(k) for k in ("open", "rejected", "moved", "cancelled", "closed", "terminated")},
        "cancel": ways.word("cancel"), "move": ways.word("move"),
        "rejected_review": rules.step("review").word("rejected"),
        "approved": rules.step("termination").word("approved"),
        "unsatisfied": rules.step("callback").word("unsatisfied"),
        "recheck": rules.step("callback").word("recheck"),
        "partner": rules.step("responsibility").word("partner"),
    }


def _start(stage: str, rules: Rules) -> str:
    """The formula text a stage's deadline counts from."""
    if stage == "appeal":
        return F.effective_closed("{closed}", "{state}", "{term_approved}", words(rules)["terminated"])
    return f"{{{STAGE_COLUMNS[stage][1]}}}"


def _due(stage: str, rules: Rules) -> Column:
    due, _, _, _, udf_name = STAGE_COLUMNS[stage]
    start = _start(stage, rules)
    st = rules.stages[stage]
    header = {"investigate": "调查时限", "handle": "处理时限", "revisit": "回访时限", "appeal": "申诉截止", "appeal_handle": "申诉处理时限"}[stage]
    if st.unit == "工作日":
        days = f'IF({{major}}<>"",{stage_name(stage, True)},{stage_name(stage, False)})'
        native = "=" + working_due_formula(start, days)
    else:
        native = "=" + F.natural_due(start, "{major}", stage)
    udf = f'=IF({start}="","",DUE_DATE({start},"{udf_name}",{{major}}<>""))'
    printed = stage in ("investigate", "handle", "revisit")
    return Column(due, header, FORMULA, type="datetime", width=6 if printed else 16, formula=native, udf=udf,
                  number_format=FMT_SHORT_DATE if printed else None)


def _sla(stage: str) -> tuple[str, str]:
    due, _, done, _, _ = STAGE_COLUMNS[stage]
    native = F.sla_status(f"{{{due}}}", f"{{{done}}}")
    udf = f'IF({{{due}}}="","",IF(ISTEXT({{{due}}}),{{{due}}},SLA_STATUS({{{due}}},{{{done}}})))'
    return native, udf


def _status(stage: str, header: str) -> Column:
    _, _, _, status, _ = STAGE_COLUMNS[stage]
    native, udf = _sla(stage)
    return Column(status, header, FORMULA, width=5, formula="=" + native, udf="=" + udf, wrap=True)


def _callback_status(rules: Rules) -> Column:
    """回访状态: 需复查 (投诉 第七条(三)2) before the stage's SLA status."""
    w = words(rules)
    native, udf = _sla("revisit")

    def wrap(sla: str) -> str:
        return "=" + F.callback_status(sla, "{callback}", "{revisit_done}", "{review_at}", w["unsatisfied"], w["recheck"])

    return Column("revisit_status", "回访状态", FORMULA, width=5, formula=wrap(native), udf=wrap(udf), wrap=True)


def _dt(key: str, header: str, what: str, printed: bool = True, optional: bool = False) -> Column:
    # 11.5: "11-16 13:37" in 宋体 10 pt is 11 half-width characters (73 px) and the cell's
    # padding in Excel (`printing` metrics); narrower, Excel would print ########
    return Column(key, header, type="datetime", width=11.5 if printed else 16, validation=L.date_input(what, True),
                  number_format=FMT_SHORT_DATETIME if printed else None, optional=optional)


def _moved_ranges() -> dict[str, str]:
    spec = reassign_sheet()
    return {"no": spec.data_range("no"), "from": spec.data_range("from_dept"), "way": spec.data_range("way")}


def _state(rules: Rules) -> Column:
    """投诉状态 (complaint_process.row_state)."""
    native = "=" + F.row_state("{no}", "{dept}", "{review}", "{term_status}", "{closed}", F.no_fault("{resp}", APPEAL), _moved_ranges(), words(rules))
    return Column("state", "投诉状态", FORMULA, width=5.5, formula=native, wrap=True, optional=True)


def _round(rules: Rules) -> Column:
    """轮次 (complaint_process.rounds): 1 + the rows above of this complaint and department
    that the office rejected."""
    rejected = rules.step("review").word("rejected")
    native = "=" + f'IF({{no}}="","",{F.round_number("{no}", "{dept}", "{review}", "{above_no}", "{above_dept}", "{above_review}", rejected)})'
    return Column("round", "轮次", FORMULA, type="int", width=3.5, formula=native, optional=True)


def _round_start(rules: Rules) -> Column:
    above = {k: f"{{above_{k}}}" for k in ("no", "dept", "review", "review_at", "round")}
    rejected = rules.step("review").word("rejected")
    native = "=" + f'IF({{no}}="","",{F.round_start("{accepted}", "{round}", "{no}", "{dept}", above, rejected)})'
    return Column("round_start", "本轮起算", FORMULA, type="datetime", width=16, formula=native, optional=True)


def _deduct(rules: Rules) -> Column:
    """扣分: the level or channel (就高), 0 when 无责 (after the appeal) or an internal partner
    unit's (unless the office charges its department), blank for a row that does not count."""
    w = words(rules)
    deduct = F.complaint_points("{level}", "{channel}", "{resp}", rules, appeal=APPEAL)
    udf_deduct = f"DEDUCT_COMPLAINT({{level}},{{channel}},{_RESP_AFTER_APPEAL_UDF})"
    partner = f'AND({{resp_kind}}="{w["partner"]}",NOT({F.switch("P_PARTNER_UNIT_DEDUCTS")}))'

    def wrap(points: str) -> str:
        return f'=IF(AND({{level}}="",{{channel}}=""),"",IF({F.not_counted("{state}", w)},"",IF({partner},0,{points})))'

    return Column("deduct", "扣分", FORMULA, type="number", width=6, formula=wrap(deduct), udf=wrap(udf_deduct))


def _evidence() -> Column:
    rng = evidence_sheet().data_range("no")
    count = f'COUNTIF({rng},{{no}}&"")'
    return Column("evidence", "证据（件）", FORMULA, type="int", width=6, formula=f'=IF({{no}}="","",IF({count}=0,"",{count}))', optional=True)


def ledger_sheet(rules: Rules) -> TableSheet:
    dt = L.date_input
    process = rules.step
    term = process("termination")
    printed = (
        Column("no", "投诉单号", type="id", width=12.5, validation=L.text_input("投诉单号", 64)),
        _dt("accepted", "受理时间", "受理时间"),
        Column("channel", "受理渠道", type="choice", width=5, wrap=True, validation=L.choice(L.L_CHANNELS, "受理渠道", "95158、市长热线按渠道扣分，与级别就高。")),
        Column("level", "投诉级别", type="choice", width=4, wrap=True, validation=L.choice(L.L_LEVELS, "投诉级别")),
        Column("major", "疑似重大", type="choice", width=5, validation=L.choice(L.L_MAJOR, "重大投诉判定项（附件1）", "一般投诉留空；选择后按疑似重大投诉时限计算。")),
        Column("customer", "客户姓名", width=6.5, wrap=True, validation=L.text_input("客户姓名", 64)),
        Column("content", "投诉内容", width=13, wrap=True, validation=L.text_input("投诉内容", 1000)),
        Column("dept", "责任部门", type="choice", width=8, wrap=True,
               validation=L.choice(L.L_DEPARTMENTS, "责任部门", "涉及多个部门时每个部门一行；外包服务方的投诉填服务商管理部门（第七条(四)2）。")),
        _due("investigate", rules),
        _dt("inv_done", "调查完成时间", "调查取证反馈时间"),
        _status("investigate", "调查状态"),
        _due("handle", rules),
        _dt("handle_done", "处理完成时间", "最终处理反馈时间"),
        _status("handle", "处理状态"),
        Column("review", "审核结果", type="choice", width=4.5, wrap=True,
               validation=L.choice(L.L_REVIEW, "服务管理办公室的审核结果（第七条(二)3）",
                                   "驳回：存在关键性错误，责成继续调查，另起一行（同单号、同部门）记下一轮；回访不满意时在回访后再审核：驳回即重新调查，通过即不再复查。"), optional=True),
        _round(rules),
        _due("revisit", rules),
        _dt("revisit_done", "回访完成时间", "人工回访时间"),
        Column("callback", "回访结果", type="choice", width=5, wrap=True,
               validation=L.choice(L.L_COMPLAINT_CALLBACK, "投诉回访结果（第七条(三)）", "不满意时显示“需复查”，直到服务管理办公室在回访后再审核。"), optional=True),
        _callback_status(rules),
        Column("resp", "有责/无责", type="choice", width=4.5, wrap=True, validation=L.choice(L.L_RESP, "有责或无责", "无责须选择附件2的原因；留空按有责。")),
        Column("reason", "无责原因", type="choice", width=5.5,
               validation=L.choice(L.L_NOFAULT, "无责原因（附件2）", "第2项“客户误解”以最终回访结果为准。")),
        _dt("closed", "办结时间", "办结时间"),
        _state(rules),
        _deduct(rules),
    )
    # Off paper, so no wrapping: a long text would make every printed row as tall as itself.
    rest = (
        Column("phone", "客户电话", type="id", width=12, validation=L.text_input("客户电话", 32)),
        Column("note", "备注", width=16, validation=L.text_input("备注")),
        Column("address", "客户地址", width=16, validation=L.text_input("客户地址")),
        _dt("review_at", "审核时间", "审核（驳回）时间", printed=False, optional=True),
        _round_start(rules),
        Column("finding", "调查结论", width=20, validation=L.text_input("调查反馈的基本情况及主要结论（第七条(一)3）", 1000), optional=True),
        Column("result", "处理结果", width=20,
               validation=L.text_input("最终处理结果、责任人及纠正与预防措施（第七条(二)2）", 1000), optional=True),
        Column("callback_note", "回访记录", width=16, validation=L.text_input("回访内容及结果（第七条(三)3：记录清晰、具体、完整）", 1000), optional=True),
        Column("resp_kind", "责任类别", type="choice", width=10,
               validation=L.choice(L.L_RESP_KINDS, "责任类别（第七条(四)2）",
                                   "留空即本单位部门；内部协同单位责任归属该单位；外包服务方的投诉归服务商管理部门（填在责任部门）。"), optional=True),
        Column("resp_unit", "责任单位名称", width=14, validation=L.text_input("内部协同单位或外包服务方的名称", 64), optional=True),
        _due("appeal", rules),
        _dt("appeal_at", "申诉受理时间", "申诉受理时间", printed=False),
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
        Column("term_applied", "终止申请日期", type="date", width=11, validation=dt("特殊终止申请日期（附件5）"), optional=True),
        Column("term_reason", "终止原因", width=20,
               validation=L.text_input("终止处理原因说明（附件5；仅已判定为无责、客户仍追加反馈的投诉，第七条(四)3）", 1000), optional=True),
        Column("term_script", "呼叫中心解释话术", width=20, validation=L.text_input("后续处理：呼叫中心解释话术（附件5）", 1000), optional=True),
        Column("term_suggest", "以建议单传递", type="choice", width=7,
               validation=L.choice(L.L_YESNO, f"后续是否{term.word('follow_up')}（附件5）"), optional=True),
        Column("term_approver", "终止审批人", width=9, validation=L.text_input(f"审批的{term.word('approver')}", 32), optional=True),
        Column("term_approved", "终止审批日期", type="date", width=11, validation=dt(f"{term.word('approver')}审批日期"), optional=True),
        Column("term_status", "终止状态", type="choice", width=8,
               validation=L.choice(L.L_TERMINATION, "特殊终止状态（第七条(四)3）", "已批准且无责：投诉按办结计（以审批日期为办结时间），有责/无责不变。"), optional=True),
        _evidence(),
    )
    return TableSheet(LEDGER, "客户投诉台账", printed + rest, rows=LEDGER_ROWS, freeze_col="B", printed=len(printed))


def reassign_sheet() -> TableSheet:
    """改派记录 (投诉 第七条(一)5、6): a complaint sent to the wrong department, and how it was put right."""
    return TableSheet(
        REASSIGN,
        "投诉改派记录（批转有误）",
        (
            Column("no", "投诉单号", type="id", width=14, validation=L.text_input("改派的投诉单号", 64)),
            Column("at", "改派时间", type="datetime", width=16, validation=L.date_input("改派时间", True)),
            Column("way", "改派方式", type="choice", width=10,
                   validation=L.choice(L.L_REASSIGN, "改派方式（第七条(一)5、6）",
                                       "已接收的投诉单：取消重建（填新投诉单号）；已处理的：在原单中调整部门或添加部门。")),
            Column("from_dept", "原责任部门", type="choice", width=10, validation=L.choice(L.L_DEPARTMENTS, "批转有误的原责任部门")),
            Column("to_dept", "新责任部门", type="choice", width=10, validation=L.choice(L.L_DEPARTMENTS, "改派后的责任部门")),
            Column("new_no", "新投诉单号", type="id", width=14, validation=L.text_input("取消重建后的新投诉单号", 64)),
            Column("agent", "经办人", width=9, validation=L.text_input("经办的受理人", 32)),
            Column("why", "改派原因", width=24, wrap=True, validation=L.text_input("批转有误的情况说明", 500)),
        ),
        rows=REASSIGN_ROWS,
        optional=True,
    )


def evidence_sheet() -> TableSheet:
    """证据 (投诉 第六条(二)3、第七条(一)1、3): one line per file, linked (插入→链接) to the
    file in the month folder's 证据 folder."""
    return TableSheet(
        EVIDENCE,
        "投诉证据（文件放在本月文件夹的“证据”文件夹中，在“文件”列插入超链接）",
        (
            Column("no", "投诉单号", type="id", width=14, validation=L.text_input("证据所属的投诉单号", 64)),
            Column("kind", "证据类型", type="choice", width=10, validation=L.choice(L.L_EVIDENCE, "证据类型", "现场照片、通话录音、监控录像、截图、系统记录等。")),
            Column("file", "文件", width=30, validation=L.text_input("证据文件：选中本格后 插入→链接（Ctrl+K），选择“证据”文件夹中的文件", 255)),
            Column("desc", "说明", width=24, wrap=True, validation=L.text_input("证据说明", 500)),
            Column("by", "登记人", width=9, validation=L.text_input("登记人", 32)),
            Column("date", "登记日期", type="date", width=11, validation=L.date_input("登记日期")),
        ),
        rows=EVIDENCE_ROWS,
        optional=True,
    )


def complaint_spec(rules: Rules | None = None) -> WorkbookSpec:
    rules = rules or load_rules()
    return WorkbookSpec(STEM, (ledger_sheet(rules), reassign_sheet(), evidence_sheet()))


def build_complaint_ledger(month: str | None, rules: Rules | None = None, style: str = NATIVE) -> Workbook:
    """The month's 客户投诉台账 (with 改派记录, 证据, 工作日历 and 规则) as an openpyxl Workbook;
    None: the template."""
    rules = rules or load_rules()
    wb = Workbook()
    wb.remove(wb.active)
    spec = ledger_sheet(rules)
    first_off = get_column_letter(spec.print_columns + 1)
    title = (f"{month_prefix(month)}客户投诉台账（每起投诉每个责任部门一行，驳回后的新一轮另起一行；灰色列自动计算；"
             f"打印至“扣分”列，{first_off}列起只在屏幕上填写，每起投诉的全部内容见“投诉单”）")
    ws = write_table(wb, spec, style, title, book_header(month, STEM, LEDGER))
    # Readable on paper (tests/books/test_print.py measures ≥ PRINT_MIN_PT in the PDF): the
    # printed columns fit one A4 landscape width at about two thirds of their size, so the
    # side margins are narrow and the page header and footer as large as the cells' text.
    ws.page_margins.left = ws.page_margins.right = 0.25
    ws.oddHeader.center.size = ws.oddFooter.center.size = 10
    for key in ("inv_status", "handle_status", "revisit_status"):
        highlight_status(ws, spec.data_range(key, absolute=False))
    highlight_equals(ws, spec.data_range("revisit_status", absolute=False), words(rules)["recheck"], red=False)
    for key in ("appeal_handle_due",):
        highlight_equals(ws, spec.data_range(key, absolute=False), L.CAL_ERROR)
    highlight_positive(ws, spec.data_range("deduct", absolute=False), f"{spec.letter('deduct')}{spec.first_row}")
    for side in (reassign_sheet(), evidence_sheet()):
        write_table(wb, side, style, f"{month_prefix(month)}{side.title}", book_header(month, STEM, side.name))
    write_calendar_sheet(wb, calendar_years(month), rules.work_calendar, month=month or "")
    write_rules_sheet(wb, rules, month)
    wb.active = 0
    return wb
