"""Each 投诉台账 row's place in its complaint's course (投诉 第七条), worked out from what
staff typed — the same facts the ledger's formulas show (轮次, 本轮起算, 投诉状态, 扣分):
validation, the close, the history store, the reports and the forms all read them here.

    course = courses(ledger.records(), reassignments(reassign_table), rules)
    course[row].counts, course[row].charged    # does the row deduct, and from which department

Why here and not in each caller: a rejected round, a re-assigned or cancelled ticket and an
internal partner unit's complaint must drop out of the deduction, the grade, the statistics
and the carried rows alike (投诉 第七条(一)5、6, (二)3, (四)2), and a special termination
counts as 办结 everywhere (第七条(四)3); the rules are `policy.complaint_process`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xinao_xl.books import complaint_ledger
from xinao_xl.policy import complaint_process as P
from xinao_xl.policy import complaints
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.parse import is_blank, parse_bool, parse_department
from xinao_xl.policy.rules import Rules

__all__ = ["Course", "courses", "reassignments", "responsible"]


@dataclass(frozen=True)
class Course:
    """One ledger row's place in its complaint's course."""

    row: int
    round: int
    round_start: datetime | None  # where the row's 调查/处理 deadlines count from
    state: str  # 投诉状态: 办理中 / 已驳回 / 已改派 / 已取消 / 已办结 / 特殊终止
    counts: bool  # the row is the complaint's (not cancelled, moved away, or a rejected round)
    charged: str | None  # the department its points go to; None: an internal partner unit's
    closed: datetime | None  # 办结, or a special termination's approval
    kind: str  # 责任类别
    moved: str | None  # 取消重建 / 调整部门 when the 改派记录 took it from this department

    @property
    def deducts(self) -> bool:
        """Counted and charged to one of our departments."""
        return self.counts and self.charged is not None

    @property
    def live(self) -> bool:
        """The row's stages are still watched: it counts and is not 办结 (or terminated)."""
        return self.counts and self.closed is None

    def start(self, stage: str, rec: Mapping[str, Any]) -> Any:
        """Where `stage`'s deadline counts from, as the ledger's formula takes it: the round's
        start for 调查/处理, 办结 (a special termination's approval) for 申诉截止, else the
        start column (处理完成时间, 申诉受理时间)."""
        if stage in ("investigate", "handle"):
            return self.round_start
        if stage == "appeal":
            return self.closed
        return rec.get(complaint_ledger.STAGE_COLUMNS[stage][1])


def responsible(rec: Mapping[str, Any]) -> bool:
    """有责 after the appeal (blank counts as 有责; an upheld appeal makes it 无责)."""
    resp = complaints.responsible_after_appeal(rec.get("resp"), rec.get("appeal_result"))
    if is_blank(resp):
        return True
    try:
        return resp if isinstance(resp, bool) else parse_bool(resp)
    except PolicyInputError:
        return True


def reassignments(records: Iterable[Mapping[str, Any]]) -> list[P.Reassignment]:
    """The 改派记录's lines as the policy reads them (blank lines left out)."""
    out = []
    for r in records:
        if is_blank(r.get("no")) or is_blank(r.get("way")):
            continue
        out.append(P.Reassignment(str(r["no"]), str(r["way"]).strip(), _text(r.get("from_dept")), _text(r.get("to_dept")),
                                  _text(r.get("new_no")), r.get("at") if isinstance(r.get("at"), datetime) else None, int(r.get("_row") or 0)))
    return out


def _text(value: Any) -> str:
    return "" if is_blank(value) else str(value).strip()


def _dept(value: Any, rules: Rules) -> str:
    try:
        return parse_department(value, rules)
    except PolicyInputError:
        return _text(value)


def courses(records: Sequence[Mapping[str, Any]], moved: Sequence[P.Reassignment], rules: Rules) -> dict[int, Course]:
    """Excel row -> `Course` for every record of the 投诉台账, in ledger order (the rounds
    count the rejected rows above, as the 轮次 formula does)."""
    rounds = P.rounds(((r.get("no"), r.get("dept"), r.get("review"), r.get("review_at")) for r in records), rules)
    out: dict[int, Course] = {}
    for rec, rnd in zip(records, rounds, strict=True):
        try:
            start = P.round_start(rec.get("accepted"), rnd.number, rnd.rejected_at, rules)
        except PolicyInputError:
            start = None
        away = P.moved_away(rec.get("no"), rec.get("dept"), moved, rules)
        approved = P.termination_approved(rec.get("term_status"), rules)
        state = P.row_state(moved=away, review=rec.get("review"), terminated=approved, no_fault=not responsible(rec),
                            closed=rec.get("closed"), rules=rules)
        try:
            kind = P.responsibility_kind(rec.get("resp_kind"), rules)
        except PolicyInputError:
            kind = rules.step("responsibility").word("own")  # the dropdown check reports it
        try:
            closed = P.effective_closed(state, rec.get("closed"), rec.get("term_approved"), rules)
        except PolicyInputError:
            closed = None
        out[int(rec["_row"])] = Course(int(rec["_row"]), rnd.number, start, state, P.counts(state, rules),
                                       P.charged_department(kind, _dept(rec.get("dept"), rules), rules), closed, kind, away)
    return out
