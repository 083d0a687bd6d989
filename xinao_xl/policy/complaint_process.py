"""投诉 第七条: a complaint's course after acceptance, beyond the stages' deadlines.

A row of the 投诉台账 is one complaint (投诉单), one responsible department and one round:

- the office's review (第七条(二)3): 通过, or 驳回 with 责成相关部门继续调查 — the department
  investigates again, which the ledger records as a new row of the same complaint and
  department, the next round (`rounds`); the rejected row no longer counts, and the new
  round's 调查/处理 deadlines run from the rejection (`round_start`, the office may keep
  them from 受理: params.rejection_restarts_deadlines);
- the callback (第七条(三)): its result; an unsatisfied one shows 需复查 until the office
  reviews again after the callback (`needs_recheck`), and a 客户误解 无责 reason needs a
  final callback that confirms it (附件2 第2项, `misunderstanding_confirmed`);
- responsibility (第七条(四)2): a partner unit's complaint is the partner's, an outsourced
  provider's is the managing department's (`charged_department`);
- special termination (第七条(四)3, 附件5): a 无责 complaint ends (办结) once the 客户服务理正
  approves; it stays 无责 as judged (`row_state`, `effective_closed`);
- mis-routed complaints (第七条(一)5、6): cancelled and re-created, or the department changed
  or added in the ticket; the complaint deducts once, from the department it ends with
  (`moved_away`).

Every function here has a twin in the 投诉台账's formulas (books/complaint_ledger.py) where
the ledger shows the fact live; the LibreOffice agreement test holds them equal.

    >>> row_state(review="驳回")
    '已驳回'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import PolicyInputError
from .parse import is_blank, normalize_text, parse_datetime
from .rules import Rules, load_rules

__all__ = [
    "Reassignment",
    "RowKey",
    "callback_result",
    "callback_status",
    "charged_department",
    "counts",
    "effective_closed",
    "misunderstanding_confirmed",
    "moved_away",
    "needs_recheck",
    "responsibility_kind",
    "review_result",
    "round_start",
    "rounds",
    "row_state",
    "termination_approved",
]


def _word(value: Any, choices: Sequence[str], code: str, rules_hint: str) -> str | None:
    """A dropdown's word as typed (full-width and spaces forgiven); None when blank."""
    if is_blank(value):
        return None
    text = normalize_text(value)
    for choice in choices:
        if text == normalize_text(choice):
            return choice
    raise PolicyInputError(code, value, rules_hint)


# --- 第七条(二)3: the office's review ----------------------------------------------------------


def review_result(value: Any, rules: Rules | None = None) -> str | None:
    """通过 / 驳回 (None when the office has not reviewed)."""
    step = (rules or load_rules()).step("review")
    return _word(value, step.choices(), "无效审核结果", "请选择" + "或".join(f"“{c}”" for c in step.choices()))


def is_rejected(value: Any, rules: Rules | None = None) -> bool:
    rules = rules or load_rules()
    try:
        return review_result(value, rules) == rules.step("review").word("rejected")
    except PolicyInputError:
        return False


@dataclass(frozen=True)
class RowKey:
    """What makes rows one complaint of one department, compared as the ledger's COUNTIFS
    compares text (full-width forgiven, case ignored)."""

    number: str
    dept: str

    @classmethod
    def of(cls, number: Any, dept: Any) -> RowKey:
        return cls(_key_text(number), _key_text(dept))


def _key_text(value: Any) -> str:
    return "" if is_blank(value) else normalize_text(value).casefold()


@dataclass(frozen=True)
class Round:
    """A row's round (1 for the first) and the moment its 驳回 came (None for round 1 or
    when the rejected row has no 审核时间)."""

    number: int
    rejected_at: datetime | None


def rounds(rows: Iterable[tuple[Any, Any, Any, Any]], rules: Rules | None = None) -> list[Round]:
    """Each row's round, rows in ledger order as (投诉单号, 责任部门, 审核结果, 审核时间):
    1 + the rows above of the same complaint and department that the office rejected; the
    new round starts at the latest of those rejections (the one of the round before).

        >>> [r.number for r in rounds([("T1", "客服部", "驳回", None), ("T1", "客服部", None, None)])]
        [1, 2]
    """
    rules = rules or load_rules()
    out: list[Round] = []
    seen: dict[RowKey, list[tuple[int, datetime | None]]] = {}
    for number, dept, review, review_at in rows:
        key = RowKey.of(number, dept)
        before = seen.setdefault(key, [])
        n = 1 + len(before)
        start = next((at for rnd, at in reversed(before) if rnd == n - 1), None)
        out.append(Round(n, start))
        if is_rejected(review, rules):
            at = None if is_blank(review_at) else _moment(review_at)
            before.append((n, at))
    return out


def _moment(value: Any) -> datetime | None:
    try:
        return parse_datetime(value)
    except PolicyInputError:
        return None


def round_start(accepted: Any, round_no: int = 1, rejected_at: Any = None, rules: Rules | None = None) -> datetime | None:
    """Where a round's 调查/处理 deadlines count from: 受理 for the first round; for a later
    one the 驳回 that opened it (第七条(二)3 责成继续调查), unless the office keeps every
    round on the 受理 clock (params.rejection_restarts_deadlines 否). None when the start
    is not known yet (a later round whose rejection has no time).

        >>> round_start(datetime(2026, 11, 3, 9), 2, datetime(2026, 11, 6, 15, 30))
        datetime.datetime(2026, 11, 6, 15, 30)
    """
    rules = rules or load_rules()
    if round_no <= 1 or not rules.value("rejection_restarts_deadlines"):
        return None if is_blank(accepted) else parse_datetime(accepted)
    return None if is_blank(rejected_at) else parse_datetime(rejected_at)


# --- 第七条(三): the callback ------------------------------------------------------------------


def callback_result(value: Any, rules: Rules | None = None) -> str | None:
    """满意 / 基本满意 / 不满意 (None when not called back yet)."""
    step = (rules or load_rules()).step("callback")
    return _word(value, step.choices(), "无效回访结果", "请选择" + "、".join(step.choices()))


def needs_recheck(callback: Any, callback_done: Any = None, review_at: Any = None, rules: Rules | None = None) -> bool:
    """An unsatisfied callback waits for the office (第七条(三)2 必要时可要求重新调查处理):
    until a review dated at or after the callback decides (驳回: investigate again; 通过:
    no re-investigation), the ledger shows 需复查."""
    rules = rules or load_rules()
    if callback_result(callback, rules) != rules.step("callback").word("unsatisfied"):
        return False
    if is_blank(review_at) or is_blank(callback_done):
        return True
    return parse_datetime(review_at) < parse_datetime(callback_done)


def callback_status(sla: str, callback: Any, callback_done: Any = None, review_at: Any = None, rules: Rules | None = None) -> str:
    """What the ledger's 回访状态 shows: 需复查 while an unsatisfied callback waits for the
    office, else the stage's SLA status (`deadlines.sla_status`)."""
    rules = rules or load_rules()
    return rules.step("callback").word("recheck") if needs_recheck(callback, callback_done, review_at, rules) else sla


def misunderstanding_confirmed(callback: Any, rules: Rules | None = None) -> bool:
    """附件2 第2项: 客户误解 is 无责 "以最终用户回访结果为准" — the final callback's result
    confirms it: 满意 or 基本满意, or only 满意 as the office decides."""
    rules = rules or load_rules()
    try:
        result = callback_result(callback, rules)
    except PolicyInputError:
        return False
    if result is None:
        return False
    wanted = ("满意",) if rules.value("misunderstanding_confirmed_by") == "满意" else ("满意", "基本满意")
    return result in wanted


def is_misunderstanding(reason_no: int | None, rules: Rules | None = None) -> bool:
    return reason_no == int((rules or load_rules()).step("misunderstanding").word("reason"))


# --- 第七条(四)2: responsibility --------------------------------------------------------------


def responsibility_kind(value: Any, rules: Rules | None = None) -> str:
    """本单位部门 / 内部协同单位 / 外包服务方; blank is 本单位部门."""
    step = (rules or load_rules()).step("responsibility")
    return _word(value, step.choices("kinds"), "无效责任类别", "请选择" + "、".join(step.choices("kinds"))) or step.word("own")


def charged_department(kind: Any, dept: str, rules: Rules | None = None) -> str | None:
    """The department a complaint's points go to: the 责任部门 for our own departments and
    for an outsourced provider (第七条(四)2: the department that manages the provider, which
    the ledger's 责任部门 names); none for an internal partner unit (the responsibility is
    the partner's), unless the office charges the department that works with it.

        >>> charged_department("外包服务方", "管网部"), charged_department("内部协同单位", "客服部")
        ('管网部', None)
    """
    rules = rules or load_rules()
    step = rules.step("responsibility")
    if responsibility_kind(kind, rules) == step.word("partner") and not rules.value("partner_unit_deducts"):
        return None
    return dept


# --- 第七条(四)3, 附件5: special termination --------------------------------------------------


def termination_status(value: Any, rules: Rules | None = None) -> str | None:
    step = (rules or load_rules()).step("termination")
    return _word(value, step.choices("statuses"), "无效终止状态", "请选择" + "、".join(step.choices("statuses")))


def termination_approved(status: Any, rules: Rules | None = None) -> bool:
    rules = rules or load_rules()
    try:
        return termination_status(status, rules) == rules.step("termination").word("approved")
    except PolicyInputError:
        return False


# --- 第七条(一)5、6: mis-routed complaints ------------------------------------------------------


@dataclass(frozen=True)
class Reassignment:
    """One line of the 改派记录: the ticket, how it was corrected, from and to which department."""

    number: str
    way: str  # 取消重建 / 调整部门 / 添加部门
    from_dept: str
    to_dept: str = ""
    new_number: str = ""
    at: datetime | None = None
    row: int = 0


def moved_away(number: Any, dept: Any, reassignments: Iterable[Reassignment], rules: Rules | None = None) -> str | None:
    """取消重建 or 调整部门 when the 改派记录 took this complaint away from this department
    (the row stays as the history, counting nothing); None when it did not. 添加部门 adds a
    department and takes nothing away.

        >>> moved_away("T1", "客服部", [Reassignment("T1", "调整部门", "客服部", "管网部")])
        '调整部门'
    """
    rules = rules or load_rules()
    step = rules.step("reassignment")
    key = RowKey.of(number, dept)
    found = {r.way for r in reassignments if RowKey.of(r.number, r.from_dept) == key}
    for way in (step.word("cancel"), step.word("move")):
        if way in found:
            return way
    return None


# --- the row's state and whether it counts -------------------------------------------------------


def row_state(*, moved: str | None = None, review: Any = None, terminated: bool = False, no_fault: bool = False,
              closed: Any = None, rules: Rules | None = None) -> str:
    """The 投诉台账's 投诉状态: 已取消 / 已改派 (the 改派记录 took the complaint from this
    department), 已驳回 (this round was rejected; the next row carries on), 特殊终止 (approved
    and 无责: counts as 办结), 已办结, 办理中.

        >>> row_state(terminated=True, no_fault=True), row_state(terminated=True, no_fault=False)
        ('特殊终止', '办理中')
    """
    rules = rules or load_rules()
    states = rules.step("states")
    ways = rules.step("reassignment")
    if moved == ways.word("cancel"):
        return states.word("cancelled")
    if moved == ways.word("move"):
        return states.word("moved")
    if is_rejected(review, rules):
        return states.word("rejected")
    if terminated and no_fault:
        return states.word("terminated")
    if not is_blank(closed):
        return states.word("closed")
    return states.word("open")


def counts(state: str, rules: Rules | None = None) -> bool:
    """Whether a row in this state is the complaint's (it deducts and is counted once): not
    cancelled, not moved away, not a rejected round."""
    states = (rules or load_rules()).step("states")
    return state not in (states.word("cancelled"), states.word("moved"), states.word("rejected"))


def effective_closed(state: str, closed: Any, approved_at: Any, rules: Rules | None = None) -> datetime | None:
    """When the complaint was closed (办结): as typed; for a special termination without a
    办结时间, the day the 客户服务理正 approved (第七条(四)3 终止该投诉处理至办结状态)."""
    if not is_blank(closed):
        return parse_datetime(closed)
    if state == (rules or load_rules()).step("states").word("terminated") and not is_blank(approved_at):
        return parse_datetime(approved_at)
    return None
