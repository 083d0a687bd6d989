"""The history store's tables (SQLAlchemy Core): every closed month's records, normalised.

Why a database beside the workbooks: the complaint policy asks for a 投诉信息记录数据库 with
monthly, quarterly and annual analysis (投诉办法 第十条(二)), and two rules look back across
months (回访 三.3: 7 days; 投诉 附件3 第7项: 3 months). The workbooks stay the source of
truth: every row here is derived from a closed month folder (`services.history`) and
`xinao-xl history rebuild` rebuilds the whole store from them.

Compatibility promise: columns are only ever added (with a migration in `store.MIGRATIONS`),
never renamed, retyped or dropped; a query written against this docstring keeps working.

Conventions for every data table
--------------------------------
- ``company``: the city company the month belongs to (default ``DEFAULT_COMPANY``, set by
  ``XINAO_XL_COMPANY`` or ``--company``): a holding company gathers several cities in
  one PostgreSQL database.
- ``month``: ``'YYYY-MM'``, the month folder the row was read from (the ledger month), not
  necessarily the month of the row's own dates: a complaint still open at a close is
  carried into next month's ledger, so it appears again there (``carried`` true).
- ``(company, month)`` is replaced as a whole when a month is closed again; the primary
  keys below start with it.
- ``row_no``: the record's Excel row in that month's workbook, so a figure can be traced
  back to its cell.
- Names are normalised as the close reads them: departments as the rules spell them
  (aliases resolved; "" when blank, the typed text when unknown), business types likewise,
  complaint channels as their code (95158 / 市长热线 / 400 / 其他), levels as 1-5.
- Dates are ``DATE``, moments ``TIMESTAMP`` without time zone (local time as typed);
  deadlines end at 23:59:59 of their last day (民法典 203). NULL where the cell was blank
  or did not parse. Statuses and "late" flags are as of the close (``months.closed_at``).
- Customer names, phones and addresses are stored as typed: this is the office's own
  record database (policy 第十条); reports mask phones (138****5678).

Tables
------
``schema_version`` — migrations applied: ``version`` (int, primary key), ``description``,
``applied_at``.

``months`` — one row per closed month: ``company``, ``month``; ``closed_at`` (the close's
time, from the 结账记录), ``closed_by``, ``forced`` (closed despite validation errors),
``tool_version`` (``xinao-xl 0.1.0``), ``rules_file``, ``inputs_sha256`` (JSON object:
file name -> SHA-256 of the four workbooks the month was read from). A month is in the
store exactly when it has a row here.

``callbacks`` — every row of the month's 回访台账: ``row_no``; ``call_date`` (回访日期),
``in_month`` (call_date lies in ``month``: the row counts in this month's figures),
``business`` (业务类型), ``order_no`` (工单号), ``done_date`` (完工日期), ``customer``,
``phone``, ``address``, ``customer_key`` (who the customer is for the 7-day rule: ``T`` +
phone digits, else ``N`` + name ``|`` address; ``policy.callbacks.customer_key``),
``staff`` (上门人员), ``dept`` (责任部门), ``agent`` (回访人), ``result`` (满意 / 不满意 /
未接通 / 拒访; the last two are not valid callbacks), ``satisfied`` (result is 满意),
``unsatisfied`` (result is 不满意), ``opinion`` (客户意见), ``suggestion`` (客户建议),
``reason`` (不满原因), ``flow`` (是否流转 = 是), ``flow_no``, ``carried`` (a row carried
over from an earlier month: its note says 上月结转), ``note``.

``flow_forms`` — the 台账 rows with 是否流转 = 是 and a 流转日期 (回访 六): ``row_no`` (the
台账 row), ``flow_no``, ``dept`` (责任部门, who answers and loses the points),
``business``, ``order_no``, ``call_date``, ``customer``, ``phone``, ``flow_date``,
``due`` (flow_date + 2 natural days, 23:59:59), ``feedback_date``, ``status`` (按时反馈 /
超时反馈 / 未反馈 / 未反馈（已超时）), ``late`` (answered after ``due``, or still open
past it at the close), ``in_month`` (flow_date lies in ``month``: the form counts in this
month's deduction, 回访 六.1 −2 each when late), ``handling`` (处理结果), ``carried``.

``complaints`` — every row of the month's 投诉台账 (one per complaint and department,
投诉 第六条(二)4): ``row_no``, ``complaint_no`` (投诉单号), ``accepted`` (受理时间),
``in_month`` (accepted lies in ``month``: counts in this month's deduction and
statistics), ``channel`` (code), ``level`` (1-5, NULL for a channel-only complaint),
``major`` (附件1 item code such as ``2.3``, NULL for a 一般投诉), ``major_class`` (its
class name), ``customer``, ``phone``, ``address``, ``customer_key``, ``content``,
``dept``, ``responsible`` (有责; blank counts as 有责), ``no_fault_reason`` (附件2 reason
1-7 or NULL), ``points`` (the deduction, 考核 7.1.1, 0 when 无责; NULL when it cannot be
computed), ``grade_c`` (a 有责 level 1-2 complaint: the department's month is C);
per stage (``inv`` 调查取证反馈 and ``handle`` 最终处理 counted from ``accepted``,
``revisit`` 人工回访 counted from ``handle_done``): ``<stage>_due``, ``<stage>_done``,
``<stage>_status`` (正常 / 即将到期 / 已超时 / 按时完成 / 超时完成, NULL when the stage
has not started), ``<stage>_hours`` (hours from the stage's start to its done time,
NULL while open: for medians and percentiles without date arithmetic in SQL);
``closed`` (办结时间), ``appeal_due`` (申诉截止), ``appeal_at`` (申诉受理时间),
``appeal_handle_due`` (申诉处理时限, working days; NULL when the year's calendar is
not confirmed), ``appeal_result``, ``carried``, ``note``. The latest state of a carried
complaint is its row in the latest month that holds it.
Added in version 2 (投诉 第七条, the complaint's course; NULL in rows written before):
``review`` (审核结果 通过/驳回, 第七条(二)3), ``review_at``, ``round_no`` (轮次: 1 + the
rejected rows above of the same complaint and department), ``round_start`` (where the round's
调查/处理 deadlines count from), ``callback_result`` (满意/基本满意/不满意, 第七条(三)),
``recheck`` (an unsatisfied callback not yet decided by the office at the close),
``resp_kind`` (本单位部门/内部协同单位/外包服务方, 第七条(四)2), ``resp_unit`` (the partner
unit's or provider's name), ``state`` (投诉状态: 办理中/已驳回/已改派/已取消/已办结/特殊终止),
``counted`` (the row is the complaint's: not a rejected round, a cancelled ticket or a
department the complaint was moved away from; NULL in older rows counts as true),
``charged_dept`` (the department the points go to; NULL for an internal partner unit's
complaint the office does not charge), ``closed_effective`` (办结, or a special
termination's approval), ``finding`` (调查结论), ``result`` (处理结果), ``callback_note``,
``term_applied``, ``term_reason``, ``term_approver``, ``term_approved`` (dates),
``term_status`` (待审批/已批准/未批准; 第七条(四)3, 附件5), ``evidence`` (证据 lines).

``complaint_reassignments`` (version 2) — the 改派记录 (投诉 第七条(一)5、6): ``row_no``,
``complaint_no``, ``reassigned_at``, ``way`` (取消重建/调整部门/添加部门), ``from_dept``,
``to_dept``, ``new_no``, ``agent``, ``why``.

``completed_orders`` — the 完工量 sheet: ``business``, ``count`` (completed orders of
the month, the 附件5 业务总量).

``score_cards`` — each department's month as the close scored it (`policy.scoring.
ScoreCard`): ``dept``, ``deductions`` (扣分合计, positive), ``bonuses`` (加分合计),
``score`` (月度服务得分), ``grade`` ("C" or ""), ``weight`` (§8), ``company_item``
(公司绩效服务项), ``allowance_base`` and ``allowance`` (兼职服务津贴; NULL when no base).

``score_items`` — the card's lines: ``dept``, ``seq`` (0-based order on the card),
``category`` (指标 / 投诉 / 流转单 / 表扬 / 媒体表扬 / 手工), ``item_text``, ``clause``,
``points`` (negative: deduction; positive: bonus), ``source`` (投诉单号, indicator name…).

``praise`` — the 加减分明细 rows of type 表扬 or 媒体表扬 (考核 7.2): ``row_no``,
``praise_date``, ``dept``, ``kind`` (表扬 / 媒体表扬), ``count`` (表扬: number of praises,
blank = 1; 媒体表扬: 1), ``points`` (as scored: 2 each, or the media points 3-5; NULL when
the entry is invalid), ``description``, ``source``.

    >>> sorted(t.name for t in metadata.sorted_tables)[:3]
    ['callbacks', 'complaint_reassignments', 'complaints']
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

DEFAULT_COMPANY = "聊城新奥燃气"
SCHEMA_VERSION = 2

metadata = MetaData()


def _key() -> list[Column]:
    return [Column("company", String(64), primary_key=True), Column("month", String(7), primary_key=True)]


schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

months = Table(
    "months",
    metadata,
    *_key(),
    Column("closed_at", DateTime),
    Column("closed_by", Text),
    Column("forced", Boolean, nullable=False, default=False),
    Column("tool_version", Text),
    Column("rules_file", Text),
    Column("inputs_sha256", Text),
)

callbacks = Table(
    "callbacks",
    metadata,
    *_key(),
    Column("row_no", Integer, primary_key=True, autoincrement=False),
    Column("call_date", Date),
    Column("in_month", Boolean, nullable=False),
    Column("business", Text),
    Column("order_no", Text),
    Column("done_date", Date),
    Column("customer", Text),
    Column("phone", Text),
    Column("address", Text),
    Column("customer_key", Text),
    Column("staff", Text),
    Column("dept", Text),
    Column("agent", Text),
    Column("result", Text),
    Column("satisfied", Boolean, nullable=False),
    Column("unsatisfied", Boolean, nullable=False),
    Column("opinion", Text),
    Column("suggestion", Text),
    Column("reason", Text),
    Column("flow", Boolean, nullable=False),
    Column("flow_no", Text),
    Column("carried", Boolean, nullable=False),
    Column("note", Text),
    Index("ix_callbacks_company_call_date", "company", "call_date"),
    Index("ix_callbacks_company_customer_key", "company", "customer_key"),
)

flow_forms = Table(
    "flow_forms",
    metadata,
    *_key(),
    Column("row_no", Integer, primary_key=True, autoincrement=False),
    Column("flow_no", Text),
    Column("dept", Text),
    Column("business", Text),
    Column("order_no", Text),
    Column("call_date", Date),
    Column("customer", Text),
    Column("phone", Text),
    Column("flow_date", DateTime),
    Column("due", DateTime),
    Column("feedback_date", DateTime),
    Column("status", Text),
    Column("late", Boolean, nullable=False),
    Column("in_month", Boolean, nullable=False),
    Column("handling", Text),
    Column("carried", Boolean, nullable=False),
)


def _stage(prefix: str) -> list[Column]:
    return [Column(f"{prefix}_due", DateTime), Column(f"{prefix}_done", DateTime), Column(f"{prefix}_status", Text), Column(f"{prefix}_hours", Float)]


complaints = Table(
    "complaints",
    metadata,
    *_key(),
    Column("row_no", Integer, primary_key=True, autoincrement=False),
    Column("complaint_no", Text),
    Column("accepted", DateTime),
    Column("in_month", Boolean, nullable=False),
    Column("channel", Text),
    Column("level", Integer),
    Column("major", Text),
    Column("major_class", Text),
    Column("customer", Text),
    Column("phone", Text),
    Column("address", Text),
    Column("customer_key", Text),
    Column("content", Text),
    Column("dept", Text),
    Column("responsible", Boolean, nullable=False),
    Column("no_fault_reason", Integer),
    Column("points", Float),
    Column("grade_c", Boolean, nullable=False),
    *_stage("inv"),
    *_stage("handle"),
    *_stage("revisit"),
    Column("closed", DateTime),
    Column("appeal_due", DateTime),
    Column("appeal_at", DateTime),
    Column("appeal_handle_due", DateTime),
    Column("appeal_result", Text),
    Column("carried", Boolean, nullable=False),
    Column("note", Text),
    *(COMPLAINT_COLUMNS_V2 := (
        Column("review", Text),
        Column("review_at", DateTime),
        Column("round_no", Integer),
        Column("round_start", DateTime),
        Column("callback_result", Text),
        Column("recheck", Boolean),
        Column("resp_kind", Text),
        Column("resp_unit", Text),
        Column("state", Text),
        Column("counted", Boolean),
        Column("charged_dept", Text),
        Column("closed_effective", DateTime),
        Column("finding", Text),
        Column("result", Text),
        Column("callback_note", Text),
        Column("term_applied", Date),
        Column("term_reason", Text),
        Column("term_approver", Text),
        Column("term_approved", Date),
        Column("term_status", Text),
        Column("evidence", Integer),
    )),
    Index("ix_complaints_company_accepted", "company", "accepted"),
    Index("ix_complaints_company_customer_key", "company", "customer_key"),
)

completed_orders = Table(
    "completed_orders",
    metadata,
    *_key(),
    Column("business", String(32), primary_key=True),
    Column("count", Integer, nullable=False),
)

score_cards = Table(
    "score_cards",
    metadata,
    *_key(),
    Column("dept", String(32), primary_key=True),
    Column("deductions", Float, nullable=False),
    Column("bonuses", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("grade", Text, nullable=False),
    Column("weight", Float, nullable=False),
    Column("company_item", Float, nullable=False),
    Column("allowance_base", Float),
    Column("allowance", Float),
)

score_items = Table(
    "score_items",
    metadata,
    *_key(),
    Column("dept", String(32), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("category", Text, nullable=False),
    Column("item_text", Text, nullable=False),
    Column("clause", Text),
    Column("points", Float, nullable=False),
    Column("source", Text),
)

praise = Table(
    "praise",
    metadata,
    *_key(),
    Column("row_no", Integer, primary_key=True, autoincrement=False),
    Column("praise_date", Date),
    Column("dept", Text),
    Column("kind", Text, nullable=False),
    Column("count", Integer, nullable=False),
    Column("points", Float),
    Column("description", Text),
    Column("source", Text),
)

complaint_reassignments = Table(
    "complaint_reassignments",
    metadata,
    *_key(),
    Column("row_no", Integer, primary_key=True, autoincrement=False),
    Column("complaint_no", Text),
    Column("reassigned_at", DateTime),
    Column("way", Text),
    Column("from_dept", Text),
    Column("to_dept", Text),
    Column("new_no", Text),
    Column("agent", Text),
    Column("why", Text),
)

# The tables that hold a month's records (replaced together), in write order.
MONTH_TABLES: tuple[Table, ...] = (months, callbacks, flow_forms, complaints, completed_orders, score_cards, score_items, praise,
                                   complaint_reassignments)
