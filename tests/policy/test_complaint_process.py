"""投诉 第七条, clause by clause (policy/complaint_process.py): the office's review and its
rounds, the callback result, responsibility of partner units and providers, special
termination (附件5), mis-routed complaints; each test writes its dates or counts out.

Stage lengths used below (rules.toml, 投诉 第七条(一)2、(二)2、(三)1): a general complaint's
调查 2 natural days, 处理 3, 回访 2; a deadline ends at 24:00 of its day (23:59:59)."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.policy.policy_text import squeeze
from xinao_xl.policy import complaint_process as P
from xinao_xl.policy.deadlines import stage_due
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.rules import PROCESS_STEPS, load_rules

RULES = load_rules()
END = (23, 59, 59)


def test_every_step_quotes_the_policy(policy_text: str) -> None:
    """Each step's quotes (`quote`, `…_quote`) are the policy's own text; every step but
    the ledger's own 投诉状态 words has one. 附件5's rows are the attachment's."""
    for key in PROCESS_STEPS:
        step = RULES.step(key)
        quotes = [q for q in (step.quote, *(v for k, v in step.words.items() if k.endswith("_quote"))) if q]
        assert quotes or key == "states", key
        for quote in quotes:
            assert squeeze(quote) in policy_text, (key, quote)
    for row in ("申请单位", "投诉单编号", "用户地址", "终止处理原因说明", "呼叫中心解释话术", "后继以建议单方式传递", "服务理正审核意见", "一号位审核意见"):
        assert row in policy_text.split("客户投诉特殊终止处理申请表")[-1], row


# --- 第七条(二)3: review, rejection, the next round ---------------------------------------------


def test_a_rejection_opens_the_next_round_and_its_deadlines_run_from_the_rejection() -> None:
    """Accepted 11-03 09:00; rejected 11-06 15:30. Round 2's 调查 is due 11-06 + 2 days =
    11-08 24:00 and its 处理 11-06 + 3 = 11-09 24:00 (round 1's were 11-05 and 11-06)."""
    accepted, rejected = datetime(2026, 11, 3, 9), datetime(2026, 11, 6, 15, 30)
    rows = [("TS1", "客服部", "驳回", rejected), ("TS1", "客服部", "通过", datetime(2026, 11, 9, 10)), ("TS1", "管网部", None, None)]
    got = P.rounds(rows, RULES)
    assert [(r.number, r.rejected_at) for r in got] == [(1, None), (2, rejected), (1, None)]  # 管网部 is its own course
    first = P.round_start(accepted, 1, None, RULES)
    second = P.round_start(accepted, 2, got[1].rejected_at, RULES)
    assert first == accepted and second == rejected
    assert stage_due("investigate", first, rules=RULES) == datetime(2026, 11, 5, *END)
    assert stage_due("investigate", second, rules=RULES) == datetime(2026, 11, 8, *END)
    assert stage_due("handle", second, rules=RULES) == datetime(2026, 11, 9, *END)


def test_the_office_may_keep_every_round_on_the_acceptance_clock() -> None:
    """params.rejection_restarts_deadlines 否: round 2 still counts from 受理 11-03 09:00, its
    调查 due 11-05 24:00 — already past at the rejection of 11-06."""
    rules = RULES.with_values({"rejection_restarts_deadlines": False})
    accepted = datetime(2026, 11, 3, 9)
    start = P.round_start(accepted, 2, datetime(2026, 11, 6, 15, 30), rules)
    assert start == accepted and stage_due("investigate", start, rules=rules) == datetime(2026, 11, 5, *END)


def test_three_rounds_each_start_at_the_rejection_before_it() -> None:
    a, b = datetime(2026, 11, 6, 9), datetime(2026, 11, 10, 9)
    rows = [("T", "客服部", "驳回", a), ("T", "客服部", "驳回", b), ("T", "客服部", None, None)]
    assert [(r.number, r.rejected_at) for r in P.rounds(rows, RULES)] == [(1, None), (2, a), (3, b)]
    assert P.round_start(None, 2, None, RULES) is None  # a rejection without its time: the start is unknown


def test_a_rejected_round_counts_nothing() -> None:
    state = P.row_state(review="驳回", closed=datetime(2026, 11, 9), rules=RULES)
    assert state == "已驳回" and not P.counts(state, RULES)
    assert P.counts(P.row_state(review="通过", closed=datetime(2026, 11, 9), rules=RULES), RULES)  # 已办结
    assert P.review_result("驳 回", RULES) == "驳回"  # a space forgiven
    with pytest.raises(PolicyInputError):
        P.review_result("退回", RULES)


# --- 第七条(三): the callback ------------------------------------------------------------------


def test_an_unsatisfied_callback_needs_the_office_until_it_reviews_after_the_callback() -> None:
    """Called back 11-10 10:00, 不满意. Reviewed 11-10 09:00 (before the callback): still
    需复查; reviewed 11-10 14:00 (after): decided. 满意 never waits."""
    called = datetime(2026, 11, 10, 10)
    assert P.needs_recheck("不满意", called, None, RULES)
    assert P.needs_recheck("不满意", called, datetime(2026, 11, 10, 9), RULES)
    assert not P.needs_recheck("不满意", called, datetime(2026, 11, 10, 14), RULES)
    assert not P.needs_recheck("满意", called, None, RULES)
    assert P.callback_status("按时完成", "不满意", called, None, RULES) == "需复查"
    assert P.callback_status("按时完成", "基本满意", called, None, RULES) == "按时完成"


def test_the_callback_is_due_two_natural_days_after_the_final_handling() -> None:
    """Handled 11-09 11:42: the callback is due 11-09 + 2 = 11-11 24:00."""
    assert stage_due("revisit", datetime(2026, 11, 9, 11, 42), rules=RULES) == datetime(2026, 11, 11, *END)


def test_a_misunderstanding_is_confirmed_by_the_final_callback() -> None:
    """附件2 第2项 以最终用户回访结果为准: 满意 or 基本满意 by default; only 满意 when the office says so."""
    assert P.is_misunderstanding(2, RULES) and not P.is_misunderstanding(1, RULES)
    assert [P.misunderstanding_confirmed(x, RULES) for x in ("满意", "基本满意", "不满意", None, "乱写")] == [True, True, False, False, False]
    strict = RULES.with_values({"misunderstanding_confirmed_by": "满意"})
    assert [P.misunderstanding_confirmed(x, strict) for x in ("满意", "基本满意")] == [True, False]


# --- 第七条(四)2: responsibility ------------------------------------------------------------


def test_a_provider_s_complaint_is_its_managing_department_s_and_a_partner_s_is_the_partner_s() -> None:
    assert P.charged_department("外包服务方", "管网部", RULES) == "管网部"
    assert P.charged_department(None, "客服部", RULES) == "客服部"  # blank: 本单位部门
    assert P.responsibility_kind(None, RULES) == "本单位部门"
    assert P.charged_department("内部协同单位", "客服部", RULES) is None
    assert P.charged_department("内部协同单位", "客服部", RULES.with_values({"partner_unit_deducts": True})) == "客服部"
    with pytest.raises(PolicyInputError):
        P.responsibility_kind("外包单位", RULES)


# --- 第七条(四)3, 附件5: special termination ------------------------------------------------


def test_an_approved_termination_ends_a_no_fault_complaint_and_keeps_it_no_fault() -> None:
    """无责, approved 11-20: 特殊终止, counts (once, as judged), 办结 11-20 (no 办结时间 typed)."""
    approved = datetime(2026, 11, 20)
    assert P.termination_approved("已批准", RULES) and not P.termination_approved("待审批", RULES)
    state = P.row_state(terminated=True, no_fault=True, rules=RULES)
    assert state == "特殊终止" and P.counts(state, RULES)
    assert P.effective_closed(state, None, approved, RULES) == approved
    assert P.effective_closed(state, datetime(2026, 11, 21, 9), approved, RULES) == datetime(2026, 11, 21, 9)  # typed 办结 wins


def test_an_approved_termination_of_a_responsible_complaint_changes_nothing() -> None:
    state = P.row_state(terminated=True, no_fault=False, rules=RULES)
    assert state == "办理中" and P.effective_closed(state, None, datetime(2026, 11, 20), RULES) is None


# --- 第七条(一)5、6: mis-routed complaints ---------------------------------------------------


def test_a_complaint_moved_or_recreated_leaves_its_first_department_and_an_added_one_stays() -> None:
    moves = [P.Reassignment("TS1", "调整部门", "客服部", "管网部"), P.Reassignment("TS2", "取消重建", "客服部", "管网部", "TS3"),
             P.Reassignment("TS4", "添加部门", "客服部", "管网部")]
    assert P.moved_away("ts1", "客服部", moves, RULES) == "调整部门"  # case forgiven, as the ledger's COUNTIFS
    assert P.moved_away("TS1", "管网部", moves, RULES) is None  # the department it ends with
    assert P.moved_away("TS2", "客服部", moves, RULES) == "取消重建"
    assert P.moved_away("TS4", "客服部", moves, RULES) is None  # 添加部门 takes nothing away
    states = [P.row_state(moved=P.moved_away(n, d, moves, RULES), rules=RULES) for n, d in (("TS1", "客服部"), ("TS2", "客服部"), ("TS1", "管网部"))]
    assert states == ["已改派", "已取消", "办理中"]
    assert [P.counts(s, RULES) for s in states] == [False, False, True]  # deducted once, from the final department
