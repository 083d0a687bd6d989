"""Policy and cross-workbook checks on the month's records (POLICY_RULES §1, §4, §5).

Each check names the clause it enforces and the cell to change; messages carry no more
customer data than a masked phone (138****5678).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, imported
from xinao_xl.books import lists as L
from xinao_xl.books.evidence import evidence_target
from xinao_xl.books.filecheck import BookReadError
from xinao_xl.books.port import ERROR, WARNING
from xinao_xl.books.read import TableRead, formula_link
from xinao_xl.policy import callbacks, complaint_process, complaints, deadlines, scoring
from xinao_xl.policy.complaint_process import RowKey
from xinao_xl.policy.errors import SETTINGS_BOOK, CalendarUnknownError, PolicyInputError
from xinao_xl.policy.parse import normalize_text, parse_bool

from .appeals import LateAppeal
from .complaint_course import Course, courses, reassignments, responsible
from .month_books import MonthBooks
from .refresh import held_imports
from .validate_context import Finding, MonthData, blank, mask_phone, show

# --- 回访台账 -----------------------------------------------------------------------------


def check_callback_timing(m: MonthData, t: TableRead) -> None:
    """回访 五.2: a callback more than 3 days after completion."""
    limit = int(m.rules.value("callback_within_days"))
    late: dict[tuple[Any, Any], bool] = {}  # a month has few (completed, called) day pairs
    for row, done, called in zip(t.column("_row"), t.column("done_date"), t.column("call_date"), strict=True):
        if called is None or done is None:
            continue
        pair = (done, called)
        if pair not in late:
            late[pair] = callbacks.callback_late(*pair, m.rules)
        if late[pair]:
            days = (called - done).days
            m.at(WARNING, t, "call_date", row,
                 f"回访日期比完工日期晚{days}天，超过{limit}天（回访办法五.2）：应在完工后{limit}天内回访；如日期填错请改正回访日期或完工日期")


def _called(rec: dict[str, Any], m: MonthData) -> bool:
    """A call that reached the customer (未接通 is not a call for the 7-day rule)."""
    result = rec.get("result")
    return rec.get("call_date") is not None and (blank(result) or normalize_text(result) != "未接通")


def _reached(result: Any, memo: dict[tuple[type, Any], bool]) -> bool:
    """`_called`'s 回访结果 half, worked out once per distinct value (a column holds a few)."""
    ok = memo.get((result.__class__, result))
    if ok is None:
        ok = memo[(result.__class__, result)] = blank(result) or normalize_text(result) != "未接通"
    return ok


def _past_calls(m: MonthData) -> list[tuple[date, str, str]]:
    """(day, customer key, where) of the calls before the month: from the look-back (history
    store or past workbooks) when given, else from last month's 台账 as read."""
    if m.past_calls is not None:
        out = []
        for c in m.past_calls:
            key = callbacks.customer_key(c.get("phone"), c.get("customer"), c.get("address"))
            if key and c.get("call_date") is not None:
                out.append((c["call_date"], key, str(c.get("where") or "")))
        return out
    if m.previous is None or not m.previous.found:
        return []
    out = []
    for rec in m.previous.records():
        key = callbacks.customer_key(rec.get("phone"), rec.get("customer"), rec.get("address"))
        if key and _called(rec, m):
            out.append((rec["call_date"], key, f"上月台账第{rec['_row']}行"))
    return out


def check_repeat_callbacks(m: MonthData, t: TableRead) -> None:
    """回访 三.3: the same customer called twice within 7 days, last month included."""
    days = int(m.rules.value("no_repeat_days"))
    # key -> (day, this month, row in this month's 台账 or 0, where)
    calls: dict[str, list[tuple[date, bool, int, str]]] = defaultdict(list)
    for day, key, where in _past_calls(m):
        calls[key].append((day, False, 0, where))
    reached: dict[tuple[type, Any], bool] = {}
    phones = t.column("phone")  # column by column: no dict per row (`TableRead.column`)
    result, days_called = t.column("result"), t.column("call_date")
    ok = {r: _reached(r[1], reached) for r in set(zip(map(type, result), result, strict=True))}  # few distinct
    keys = [callbacks.customer_key(phone, name, address) if day is not None and ok[(res.__class__, res)] else ""
            for day, res, phone, name, address in zip(days_called, result, phones, t.column("customer"), t.column("address"), strict=True)]
    # only a customer called more than once this month, or called before it, can be called twice
    again = Counter(keys)
    for row, day, key in zip(t.column("_row"), days_called, keys, strict=True):
        if key and (again[key] > 1 or key in calls):
            calls[key].append((day, True, row, ""))  # where ("台账第{row}行") is written only when named
    phone_at: dict[int, Any] = {}  # Excel row -> 客户电话, for the rows found
    for entries in calls.values():
        entries.sort(key=lambda e: (e[0], not e[1], e[2], e[3]))
        for (day0, cur0, row0, where), (day1, cur1, row1, _) in zip(entries, entries[1:], strict=False):
            if not cur1 or (day1 - day0).days > days:
                continue
            if cur0:
                where = f"台账第{row0}行"
            rec_key = "phone" if "phone" in t.letters else "customer"
            if not phone_at:
                phone_at.update(zip(t.column("_row"), phones, strict=True))
            phone = mask_phone(phone_at[row1]) if t.has("phone") else ""
            who = f"该客户（{phone}）" if phone else "该客户"
            m.at(WARNING, t, rec_key, row1,
                 f"{who}已于{show(day0)}回访（{where}），{days}日内不应重复回访（回访办法三.3）：如为同一次回访的重复登记请删除本行")


def check_flow_forms(m: MonthData, t: TableRead) -> None:
    """回访 六: 不满意 needs a 流转单; a 流转单 without feedback past its 2-day deadline."""
    unsatisfied = m.rules.callback_unsatisfied
    said: dict[tuple[type, Any], bool] = {}  # 回访结果 -> 不满意; 是否流转 -> 是: once per distinct value
    yes: dict[tuple[type, Any], bool] = {}
    due_of: dict[Any, datetime] = {}
    raw_dates = t.raw_column("flow_date") if t.has("flow_date") else None  # as typed, record by record
    columns = (t.column("_row"), t.column("result"), t.column("flow"), t.column("flow_no"), t.column("flow_date"), t.column("feedback_date"))
    for i, (row, result, flow_said, flow_no, flow_date, feedback) in enumerate(zip(*columns, strict=True)):
        if (flow := yes.get((flow_said.__class__, flow_said))) is None:
            flow = yes[(flow_said.__class__, flow_said)] = _yes(flow_said)
        if (unhappy := said.get((result.__class__, result))) is None:
            unhappy = said[(result.__class__, result)] = not blank(result) and normalize_text(result) == unsatisfied
        if unhappy and not flow:
            m.at(ERROR, t, "flow", row, "回访结果为不满意，须开具流转单（回访办法六）：是否流转请填“是”，并填写流转单号和流转日期")
            continue
        if not flow:
            continue
        if blank(flow_no):
            m.at(ERROR, t, "flow_no", row, "已流转但没有流转单号：请填写流转单号")
        if flow_date is None:
            if blank(raw_dates[i]) if raw_dates is not None else True:
                m.at(ERROR, t, "flow_date", row, "已流转但没有流转日期：请填写流转日期，如 2026-11-03 15:20")
            continue
        if feedback is not None:
            continue
        if (due := due_of.get(flow_date)) is None:
            due = due_of[flow_date] = deadlines.flow_form_due(flow_date, m.rules)
        if m.now > due:
            no = flow_no or ""
            m.at(WARNING, t, "feedback_date", row,
                 f"流转单{no}已过反馈时限（{due:%Y-%m-%d} 24:00）仍未反馈（回访办法六.1，每单扣{m.rules.value('late_flow_points'):g}分）：收到责任部门反馈后填写反馈日期和处理结果")


def _yes(value: Any) -> bool:
    if blank(value):
        return False
    try:
        return parse_bool(value)
    except PolicyInputError:
        return False


# --- 投诉台账 -----------------------------------------------------------------------------

# 投诉 第七条、第九条: 受理 → 调查 → 处理 → 回访; 办结 after 处理; 申诉 after 办结.
STAGE_ORDER = (
    ("accepted", "inv_done"),
    ("accepted", "handle_done"),
    ("inv_done", "handle_done"),
    ("handle_done", "revisit_done"),
    ("accepted", "closed"),
    ("handle_done", "closed"),
    ("closed", "appeal_at"),
    ("accepted", "review_at"),  # 第七条(二)3: the office reviews what was investigated
    ("term_applied", "term_approved"),  # 附件5: approved after it was applied for
    ("accepted", "term_applied"),
)


def check_fault(m: MonthData, t: TableRead) -> None:
    """投诉 附件2: a 无责 reason on a 有责 (or blank, read as 有责) row, and 无责 without one."""
    for rec in t.records():
        row, resp, reason = rec["_row"], rec.get("resp"), rec.get("reason")
        try:
            reason_no = complaints.no_fault_reason(reason, m.rules)
        except PolicyInputError:
            reason_no = None  # the dropdown check reports it
        responsible = True
        if not blank(resp):
            try:
                responsible = parse_bool(resp)
            except PolicyInputError:
                continue
        if reason_no and responsible:
            said = "有责" if not blank(resp) else "空白（按有责计）"
            m.at(ERROR, t, "resp", row,
                 f"已填无责原因（附件2第{reason_no}项），有责/无责却为{said}：确属无责请选“无责”，否则清空无责原因")
        elif not responsible and not reason_no and blank(reason):
            m.at(ERROR, t, "reason", row, "无责投诉须说明原因（投诉办法附件2）：请从下拉列表选择无责原因")


def _points(rec: dict[str, Any], m: MonthData) -> float | None:
    """The complaint's deduction, after its appeal (a 投诉台账 row's 申诉结果 成立: 无责)."""
    if blank(rec.get("level")) and blank(rec.get("channel")):
        return None
    try:
        resp = complaints.responsible_after_appeal(rec.get("resp"), rec.get("appeal_result"))
        return scoring.complaint_deduction(rec.get("level"), rec.get("channel"), resp, m.rules)
    except PolicyInputError:
        return None


def check_major_signs(m: MonthData, t: TableRead) -> None:
    """投诉 附件1: a complaint whose own columns meet 附件1's numbers (跟催3次及以上, 抢修抢险
    跟催1次及以上, 一万元及以上) but is not marked 疑似重大: its deadlines are the shorter ones."""
    for rec in t.records():
        if not blank(rec.get("major")):
            continue
        try:
            signs = complaints.major_signs(rec.get("followups"), rec.get("emergency"), rec.get("loss"), m.rules)
        except PolicyInputError:
            continue  # a bad number or 是/否: the type and dropdown checks report it
        if not signs:
            continue
        why = "；".join(f"附件1 {s.code} {s.class_name}：{s.text}" for s in signs)
        m.at(WARNING, t, "major", rec["_row"],
             f"疑似重大：{why}（本行跟催次数、抢修抢险、停气停电损失已达到）：请核实，属实请在“疑似重大”选择该项，"
             "按疑似重大投诉的时限处理（调查1个自然日、处理2个自然日）")


# The stages whose deadline the 投诉台账 shows, with the column that starts each.
_DEADLINE_COLUMNS = {stage: (due, start) for stage, (due, start, *_rest) in complaint_ledger.STAGE_COLUMNS.items()}


def check_calendar_known(m: MonthData, t: TableRead) -> None:
    """A deadline that needs working days of a year nobody confirmed (申诉处理 3 个工作日 from
    late December; a natural-day deadline moved past a rest day): the workbook shows
    日历未确认 in that cell, and so does validation, instead of a guessed date."""
    course = complaint_courses(m, t)
    for rec in t.records():
        major = not blank(rec.get("major"))
        for stage, (due_key, _) in _DEADLINE_COLUMNS.items():
            start = course[int(rec["_row"])].start(stage, rec)
            if start is None:
                continue
            try:
                deadlines.stage_due(stage, start, major, rules=m.rules)
            except CalendarUnknownError as exc:
                name = m.rules.stages[stage].name
                m.at(WARNING, t, due_key, rec["_row"],
                     f"日历未确认：{name}时限要按{exc.year}年的工作日计算，{exc.year}年的国务院放假通知尚未在{SETTINGS_BOOK}中确认"
                     f"（{exc.hint}）")
            except PolicyInputError:
                continue  # a start that is no date: the type check reports it


def check_flow_calendar_known(m: MonthData, t: TableRead) -> None:
    """The 台账's 流转单 deadline, when the office moves natural days past rest days: 日历未确认 as above."""
    if not m.rules.value("natural_extend_holiday"):
        return
    unknown: dict[Any, CalendarUnknownError | None] = {}  # flow date -> its calendar's error, once per date
    for row, flow_date in zip(t.column("_row"), t.column("flow_date"), strict=True):
        if flow_date is None:
            continue
        if flow_date not in unknown:
            try:
                deadlines.flow_form_due(flow_date, m.rules)
                unknown[flow_date] = None
            except CalendarUnknownError as exc:
                unknown[flow_date] = exc
        if (exc := unknown[flow_date]) is not None:
            m.at(WARNING, t, "due", row, f"日历未确认：流转单反馈时限要按{exc.year}年的日历计算（{exc.hint}）")


def check_complaint_level(m: MonthData, t: TableRead) -> None:
    """A complaint needs a level, unless its channel deducts by itself (95158, 市长热线)."""
    for rec in t.records():
        if not blank(rec.get("level")):
            continue  # a level not in the list is the dropdown check's finding
        try:
            scoring.complaint_deduction(None, rec.get("channel"), rec.get("resp"), m.rules)
        except PolicyInputError:
            m.at(ERROR, t, "level", rec["_row"], "投诉须填写级别（95158、市长热线渠道可不填）：请从下拉列表选择投诉级别，如“4级”")


def check_repeat_complaints(m: MonthData, t: TableRead) -> None:
    """投诉 附件3 第7项: the customer of a complaint accepted this month had a complaint closed
    (办结) within the 3 months before; the office judges whether anything new happened.

    Closed complaints come from this month's 投诉台账 and from the look-back (history store,
    else the past months' workbooks, `lookback.lookback`)."""
    closed: list[complaints.ClosedComplaint] = []
    where: dict[tuple[str, Any], str] = {}
    past = m.closed_complaints or []
    rows = [{"complaint_no": r.get("no"), "customer_key": callbacks.customer_key(r.get("phone"), r.get("customer"), r.get("address")),
             "closed": r.get("closed"), "where": f"本月投诉台账第{r['_row']}行"} for r in t.records()]
    for r in [*past, *rows]:
        if r.get("closed") is None or not r.get("customer_key"):
            continue
        number = normalize_text(r.get("complaint_no") or "")
        closed.append(complaints.ClosedComplaint(number, r["customer_key"], r["closed"]))
        where.setdefault((number, r["closed"]), str(r.get("where") or ""))
    if not closed:
        return
    flagged: set[str] = set()
    for rec in t.records():
        accepted = rec.get("accepted")
        if accepted is None or not m.in_month(accepted):
            continue
        number = normalize_text(rec.get("no") or "")
        key = callbacks.customer_key(rec.get("phone"), rec.get("customer"), rec.get("address"))
        if not key or (number and number in flagged):
            continue
        earlier = [c for c in closed if c.number != number and c.closed_at <= accepted]
        hit = complaints.find_repeat(accepted, key, earlier, m.rules)
        if hit is None:
            continue
        flagged.add(number)
        within = f"{int(m.rules.value('repeat_complaint_months'))}{m.rules.value('repeat_complaint_unit')}"
        phone = mask_phone(rec.get("phone"))
        who = f"该客户（{phone}）" if phone else "该客户"
        m.at(WARNING, t, "no", rec["_row"],
             f"{who}的投诉{hit.number or ''}已于{show(hit.closed_at)}办结（{where.get((hit.number, hit.closed_at), '')}），{within}内再次投诉"
             f"（投诉办法附件3第7项：已办结、没有新问题发生的不予受理）：请核实是否有新问题，有新问题请在备注中说明")


# --- 投诉 第七条: the complaint's course ---------------------------------------------------------


def complaint_courses(m: MonthData, t: TableRead) -> dict[int, Course]:
    """Row -> `Course` of the 投诉台账 as read (the 改派记录 beside it), worked out once."""
    cached = m.__dict__.get("_courses")
    if cached is not None and cached[0] is t:
        return cached[1]
    moved = m.tables.get(complaint_ledger.REASSIGN)
    course = courses(t.records(), reassignments(moved.records()) if moved is not None and moved.found else [], m.rules)
    m.__dict__["_courses"] = (t, course)
    return course


def check_rejection_rounds(m: MonthData, t: TableRead) -> None:
    """投诉 第七条(二)3: a 驳回 sends the complaint back to the department (责成相关部门继续
    调查), recorded as the next round's row; the rejected row counts nothing, so a 驳回
    without a next round would drop the complaint from the deduction."""
    rejected = m.rules.step("review").word("rejected")
    course = complaint_courses(m, t)
    later: dict[RowKey, int] = {}
    for rec in reversed(t.records()):
        key = RowKey.of(rec.get("no"), rec.get("dept"))
        row = int(rec["_row"])
        if complaint_process.is_rejected(rec.get("review"), m.rules) and not blank(rec.get("no")):
            n = course[row].round
            if "review_at" in t.letters and rec.get("review_at") is None:
                m.at(ERROR, t, "review_at", row, f"审核结果为{rejected}，须填写审核时间（投诉办法第七条(二)3）：第{n + 1}轮的调查、处理时限自驳回时起算")
            if key not in later:
                m.at(ERROR, t, "review", row,
                     f"第{n}轮调查处理结果已{rejected}（投诉办法第七条(二)3：责成相关部门继续调查），但没有第{n + 1}轮：请在下方另起一行，"
                     f"投诉单号“{rec.get('no')}”、责任部门“{rec.get('dept') or ''}”与本行相同，记录继续调查、处理的时间和结果"
                     "（本行不再计分，扣分按最后一轮计）")
        later.setdefault(key, row)


def check_callback_result(m: MonthData, t: TableRead) -> None:
    """投诉 第七条(三): a complaint called back needs its result; an unsatisfied one waits for
    the office's decision (需复查) — said while it waits."""
    if "callback" not in t.letters:
        return
    recheck = m.rules.step("callback").word("recheck")
    for rec in t.records():
        row = int(rec["_row"])
        if rec.get("revisit_done") is not None and blank(rec.get("callback")):
            m.at(WARNING, t, "callback", row, "已回访但未填回访结果（投诉办法第七条(三)3：回访内容及结果要求记录清晰、具体、完整）：请选择满意、基本满意或不满意")
            continue
        try:
            waiting = complaint_process.needs_recheck(rec.get("callback"), rec.get("revisit_done"), rec.get("review_at"), m.rules)
        except PolicyInputError:
            continue  # the dropdown check reports it
        if waiting and complaint_courses(m, t)[row].counts:
            m.at(WARNING, t, "review", row,
                 f"回访结果不满意，{recheck}（投诉办法第七条(三)2：服务管理办公室必要时可要求重新调查处理）：请服务管理办公室在回访后再审核——"
                 "要求重新调查选“驳回”并另起一行记下一轮，不需重新调查选“通过”，审核时间填复查时间")


def check_callback_late(m: MonthData, t: TableRead) -> None:
    """投诉 第七条(三)1: the callback within 2 natural days of the final handling feedback."""
    days = m.rules.stages["revisit"]
    for rec in t.records():
        done, handled = rec.get("revisit_done"), rec.get("handle_done")
        if done is None or handled is None:
            continue
        major = not blank(rec.get("major"))
        try:
            due = deadlines.stage_due("revisit", handled, major, rules=m.rules)
        except PolicyInputError:
            continue  # 日历未确认: check_calendar_known says so
        if not deadlines.is_late(due, done):
            continue
        m.at(WARNING, t, "revisit_done", int(rec["_row"]),
             f"人工回访（{show(done)}）晚于回访时限（{due:%Y-%m-%d} 24:00）：投诉办法第七条(三)1要求最终处理反馈后{days.days(major)}个自然日内完成回访；"
             "如时间填错请改正回访完成时间或处理完成时间")


def check_misunderstanding(m: MonthData, t: TableRead) -> None:
    """投诉 附件2 第2项: 客户误解 is 无责 "以最终用户回访结果为准" — the final callback (the
    last round's) must confirm it."""
    if "callback" not in t.letters:
        return
    wanted = m.rules.value("misunderstanding_confirmed_by")
    course = complaint_courses(m, t)
    for rec in t.records():
        row = int(rec["_row"])
        try:
            reason = complaints.no_fault_reason(rec.get("reason"), m.rules)
        except PolicyInputError:
            continue
        if not complaint_process.is_misunderstanding(reason, m.rules) or responsible(rec) or not course[row].counts:
            continue
        if complaint_process.misunderstanding_confirmed(rec.get("callback"), m.rules):
            continue
        said = rec.get("callback")
        if blank(said):
            if course[row].closed is None and rec.get("revisit_done") is None:
                continue  # not called back yet: the callback will decide
            severity = WARNING if course[row].closed is None else ERROR
            m.at(severity, t, "callback", row,
                 f"无责原因为附件2第2项“因客户误解导致投诉发生”，须以最终用户回访结果为准，但尚无回访结果：回访后请填写回访结果"
                 f"（{wanted}方可按无责计），否则请改为有责")
        else:
            m.at(ERROR, t, "reason", row,
                 f"无责原因为附件2第2项“因客户误解导致投诉发生”，以最终用户回访结果为准，本行回访结果为“{said}”（须为{wanted}）："
                 "客户并未认可误解的，请改为有责或选择其他有依据的无责原因")


def check_special_termination(m: MonthData, t: TableRead) -> None:
    """投诉 第七条(四)3、附件5: only a complaint judged 无责 may be specially terminated, and only
    after the unit's 客户服务理正 approves the application."""
    if "term_status" not in t.letters:
        return
    step = m.rules.step("termination")
    approver = step.word("approver")
    for rec in t.records():
        row = int(rec["_row"])
        try:
            status = complaint_process.termination_status(rec.get("term_status"), m.rules)
        except PolicyInputError:
            continue  # the dropdown check reports it
        filled = [k for k in ("term_applied", "term_reason", "term_approver", "term_approved") if not blank(rec.get(k))]
        if status is None:
            if filled:
                m.at(WARNING, t, "term_status", row, f"已填特殊终止的申请或审批内容，但未选终止状态：请选择待审批、已批准或未批准（{step.word('form')}，附件5）")
            continue
        if status == step.word("approved"):
            if responsible(rec):
                m.at(ERROR, t, "term_status", row,
                     f"有责投诉不能特殊终止（投诉办法第七条(四)3：仅“已判定为无责投诉客户仍追加反馈的”可填报《{step.word('form')}》）："
                     "请撤销终止（终止状态改为未批准），按有责投诉继续处理至办结")
            missing = [h for k, h in (("term_approver", f"审批人（{approver}）"), ("term_approved", "审批日期")) if blank(rec.get(k))]
            if missing:
                m.at(ERROR, t, "term_approver" if "审批人" in missing[0] else "term_approved", row,
                     f"特殊终止须经本单位{approver}审批（投诉办法第七条(四)3），尚缺{'、'.join(missing)}：未经审批不能按办结计，请补填或改为待审批")
        if blank(rec.get("term_applied")):
            m.at(ERROR, t, "term_applied", row, f"特殊终止须先填报《{step.word('form')}》（附件5）：请填写终止申请日期")
        if blank(rec.get("term_reason")):
            m.at(WARNING, t, "term_reason", row, "附件5须写明终止处理原因说明：请填写终止原因")


def check_responsibility(m: MonthData, t: TableRead) -> None:
    """投诉 第七条(四)2: a partner unit's or an outsourced provider's complaint names the unit
    or provider; a provider's belongs to its managing department (the 责任部门)."""
    if "resp_kind" not in t.letters:
        return
    step = m.rules.step("responsibility")
    for rec in t.records():
        row = int(rec["_row"])
        try:
            kind = complaint_process.responsibility_kind(rec.get("resp_kind"), m.rules)
        except PolicyInputError:
            continue
        if kind == step.word("own"):
            continue
        if blank(rec.get("resp_unit")):
            m.at(WARNING, t, "resp_unit", row, f"责任类别为{kind}，请填写该{'单位' if kind == step.word('partner') else '服务商'}的名称（投诉办法第七条(四)2）")
        if kind == step.word("contractor") and blank(rec.get("dept")):
            m.at(ERROR, t, "dept", row, "外包服务方导致的投诉，责任归属为服务商管理部门（投诉办法第七条(四)2）：请在责任部门填写管理该服务商的部门")


def check_reassignments(m: MonthData, t: TableRead, moved: TableRead) -> None:
    """投诉 第七条(一)5、6: each line of the 改派记录 matches the ledger: 取消重建 names the new
    ticket, and the department it went to has a row (the complaint deducts there, once)."""
    step = m.rules.step("reassignment")
    rows = {(RowKey.of(r.get("no"), r.get("dept"))): int(r["_row"]) for r in t.records()}
    numbers = {RowKey.of(r.get("no"), "").number for r in t.records()}
    for rec in moved.records():
        row = int(rec["_row"])
        way = rec.get("way")
        if blank(rec.get("no")) or blank(way):
            m.at(ERROR, moved, "no" if blank(rec.get("no")) else "way", row, "改派记录须填写投诉单号和改派方式")
            continue
        if RowKey.of(rec["no"], "").number not in numbers:
            m.at(WARNING, moved, "no", row, f"投诉台账中没有投诉单号“{rec['no']}”：请核对单号")
        if blank(rec.get("from_dept")) or blank(rec.get("to_dept")):
            m.at(ERROR, moved, "from_dept" if blank(rec.get("from_dept")) else "to_dept", row, "改派记录须填写原责任部门和新责任部门")
            continue
        number = rec.get("new_no") if way == step.word("cancel") else rec["no"]
        if way == step.word("cancel") and blank(number):
            m.at(ERROR, moved, "new_no", row, "已接收的投诉单批转有误，由受理人取消后重新创建（投诉办法第七条(一)5）：请填写新投诉单号")
            continue
        if RowKey.of(number, rec["to_dept"]) not in rows:
            m.at(ERROR, moved, "to_dept", row,
                 f"已改派到{rec['to_dept']}，投诉台账中却没有投诉单号“{number}”、责任部门“{rec['to_dept']}”的行：请在投诉台账登记"
                 f"（{'新建的投诉单' if way == step.word('cancel') else '原单改派后的部门'}），扣分记在最终的责任部门")


def check_evidence_links(m: MonthData, evidence: TableRead, links: dict[str, str], formulas: dict[str, str]) -> None:
    """投诉 第六条(二)3、第七条(一)1、3: each line of the 证据 sheet links to a file that is there
    (relative to the month folder, where the workbook is)."""
    folder = m.folder
    numbers = {RowKey.of(r.get("no"), "").number for r in m.tables[complaint_ledger.LEDGER].records()} if complaint_ledger.LEDGER in m.tables else None
    for rec in evidence.records():
        row = int(rec["_row"])
        cell = evidence.address("file", row)
        target = links.get(cell) or formula_link(formulas.get(cell, ""))
        if numbers is not None and RowKey.of(rec.get("no"), "").number not in numbers:
            m.at(WARNING, evidence, "no", row, f"投诉台账中没有投诉单号“{rec.get('no') or ''}”：请核对证据所属的投诉单号")
        if not target:
            if blank(rec.get("file")):
                m.at(WARNING, evidence, "file", row, "没有证据文件：请在“文件”列插入指向证据文件的超链接（选中单元格后按 Ctrl+K）")
            else:
                m.at(WARNING, evidence, "file", row, f"“{rec.get('file')}”没有超链接：请选中单元格按 Ctrl+K，链接到本月“证据”文件夹中的文件")
            continue
        where = evidence_target(target, folder)
        if where is None:
            continue  # a web address, or a place in a workbook: not a file to look for
        if not where.exists():
            m.at(WARNING, evidence, "file", row,
                 f"证据链接指向的文件不存在：{target}（投诉办法第七条(一)1、3：调查取证材料须留存）：请把文件放回本月“证据”文件夹，或重新插入链接")


# --- 加减分明细 -----------------------------------------------------------------------------


def check_media_praise(m: MonthData, t: TableRead) -> None:
    """考核 7.2: external media praise is worth 3 to 5 points."""
    low, high = float(m.rules.value("media_points_min")), float(m.rules.value("media_points_max"))
    raws = t.raw_column("pin")  # None throughout when the sheet lacks the column
    for rec, raw in zip(t.records(), raws, strict=True):
        if rec.get("type") != L.ITEM_MEDIA:
            continue
        points = rec.get("pin")
        if points is None and not blank(raw):
            continue  # not a number: the type check reports it
        if points is None or not low <= points <= high:
            shown = "空白" if points is None else f"{points:g}分"
            m.at(ERROR, t, "pin", rec["_row"], f"外部媒体表扬加{low:g}到{high:g}分（考核办法7.2），填报分值为{shown}：请按媒体影响范围填写{low:g}到{high:g}之间的分值")


# --- across workbooks ----------------------------------------------------------------------


def check_opinions_listed(m: MonthData, ledger: TableRead, opinions: TableRead) -> None:
    """回访 五.4: every 不满意 or opinion of the 台账 appears in the 意见统计表 (附件4)."""
    unsatisfied = m.rules.callback_unsatisfied
    results = ledger.column("result")
    said: dict[tuple[type, Any], bool] = {}  # 回访结果 -> 不满意, once per distinct value
    words = [ledger.column(k) for k in ("opinion", "suggestion", "reason")]
    wanted = []  # positions of the records, column by column (`TableRead.column`)
    for i, result in enumerate(results):
        if (unhappy := said.get((result.__class__, result))) is None:
            unhappy = said[(result.__class__, result)] = not blank(result) and normalize_text(result) == unsatisfied
        if unhappy or any(not blank(column[i]) for column in words):
            wanted.append(i)
    if not wanted:
        return
    listed = [(callbacks.customer_key(r.get("phone"), r.get("customer"), r.get("address")), r.get("call_date")) for r in opinions.records()]
    if not listed:
        m.add(WARNING, opinions, f"A{opinions.spec.first_row}",
              f"意见统计表尚未填写：台账中有{len(wanted)}条不满意或有意见的回访，月度结账时会自动填入，也可手工录入")
        return
    keys = {k for k, _ in listed}
    by_key_day = set(listed)
    rows, phones, names, addresses, days = (ledger.column(k) for k in ("_row", "phone", "customer", "address", "call_date"))
    for i in wanted:
        key = callbacks.customer_key(phones[i], names[i], addresses[i])
        if (key, days[i]) in by_key_day or (key in keys and (key, None) in by_key_day):
            continue
        cell = "result" if not blank(results[i]) else "opinion"
        m.at(ERROR, ledger, cell, rows[i],
             f"这条回访有不满意或客户意见，但意见统计表中没有：请在意见统计表补录台账第{rows[i]}行（回访日期、客户电话与台账相同）")


def check_imports_current(m: MonthData, late_appeals: Sequence[LateAppeal] = (), month_books: MonthBooks | None = None) -> None:
    """The 考核表's 汇入 holds the recount of this month's 台账 and 投诉台账 (考核 5.2: the
    office's 审核 comes from the ledgers; `late_appeals`, the upheld appeals of closed months'
    complaints, services/appeals.py). An older 汇入 means the 考核表 shows other figures than
    the close will: said at each cell that differs, with the one command that fixes it."""
    if m.month is None or not all(stem in m.books for stem in (assessment.STEM, callback_ledger.STEM, complaint_ledger.STEM)):
        return
    mb = month_books
    if mb is None:
        mb = MonthBooks(m.month, dict(m.books), m.rules, m.now, tables=m.tables)
        mb.__dict__["_late_appeals"] = list(late_appeals)  # found by the caller, who knows the months before
    try:
        held = held_imports(mb)
    except BookReadError:
        return
    book = m.books[assessment.STEM]
    if held is None:
        where = "表的版式与本版本不同" if imported.SHEET in book.sheet_names() else "表（本月考核表由旧版本生成）"
        m.findings.append(Finding(WARNING, book.name, imported.SHEET if imported.SHEET in book.sheet_names() else assessment.SUMMARY, "A1",
                                  f"没有可刷新的“{imported.SHEET}”{where}：考核表显示的满意率、投诉和超时流转单不会按台账更新，结账仍按台账统计；"
                                  "下月起用新生成的考核表即可，本月如需一致请用 xinao-xl new-month 重新生成考核表并把填写的内容复制过去"))
        return
    fresh = mb.imports()
    when = f"{held.as_of:%Y-%m-%d %H:%M}" if held.as_of else "尚未统计"
    for cell, what in imported.differences(held, fresh, m.rules):
        m.findings.append(Finding(WARNING, book.name, imported.SHEET, cell,
                                  f"汇入早于台账（统计时间 {when}）：{what}。请点“刷新汇入”（或运行 xinao-xl refresh {m.month} --dir 月份文件夹所在目录），"
                                  "考核表即按台账的数字计算；结账时会按台账重新统计"))
