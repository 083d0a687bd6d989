"""Expected results of every computed cell, from the policy functions, and the comparison.

Each ``check_*`` reads a workbook that a spreadsheet engine recalculated and returns the
list of disagreements ("sheet!cell: got … expected …") and how many cells it compared.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, imported, opinions
from xinao_xl.books.formulas import INVALID_LEVEL
from xinao_xl.policy import callbacks, complaints, deadlines, scoring
from xinao_xl.policy.errors import CalendarUnknownError, PolicyInputError
from xinao_xl.policy.parse import parse_rate
from xinao_xl.policy.rounding import excel_round
from xinao_xl.policy.rules import Rules

from .fill import AssessmentInputs, CallbackInputs


def rules_with(rules: Rules, **values: Any) -> Rules:
    params = dict(rules.params)
    for key, value in values.items():
        params[key] = replace(params[key], value=value)
    return replace(rules, params=params)


class Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.count = 0

    def eq(self, where: str, got: Any, expected: Any) -> None:
        self.count += 1
        if got is None:
            got = ""
        if expected is None:
            expected = ""
        if isinstance(expected, datetime):
            ok = isinstance(got, datetime) and abs((got - expected).total_seconds()) < 1
        elif isinstance(expected, int | float) and not isinstance(expected, bool):
            ok = isinstance(got, int | float) and abs(got - expected) < 1e-9
        else:
            ok = got == expected
        if not ok:
            self.problems.append(f"{where}: got {got!r}, expected {expected!r}")

    def one_of(self, where: str, got: Any, options: set[str]) -> None:
        self.count += 1
        if got not in options:
            self.problems.append(f"{where}: got {got!r}, expected one of {sorted(options)}")


# --- 考核表 -------------------------------------------------------------------------------


def _item_points(row: dict[str, Any], rules: Rules) -> float:
    kind = row["type"]
    if kind == "表扬":
        return scoring.praise_bonus(row.get("count") or 1, None, rules)
    if kind == "媒体表扬":
        return excel_round(scoring.media_points(row["pin"], rules), 2)
    if kind == "申诉调整":
        return scoring.manual_deduction(row["pin"], rules)
    return -scoring.manual_deduction(row["pin"], rules)


def _complaint_points(c: Any, rules: Rules) -> Any:
    try:
        return scoring.complaint_deduction(c.level, c.channel, complaints.responsible_after_appeal(c.resp, c.appeal), rules)
    except PolicyInputError:
        return INVALID_LEVEL


def check_imports(ws: Any, imports: Any, rules: Rules, c: Checker) -> None:
    """The 汇入's computed cells: 有效回访, 满意率, each complaint's 扣分 and 定C级."""
    lay = imported.Layout.of(rules)
    for b in lay.businesses:
        r = lay.business_row(b)
        sat, unsat = imports.callbacks[b]
        rate = imports.rate(b)
        c.eq(f"汇入!D{r}", ws[f"D{r}"].value, sat + unsat)
        got = ws[f"E{r}"].value
        c.eq(f"汇入!E{r}", round(got, 12) if isinstance(got, float) else got, "" if rate is None else round(rate, 12))
    for i, complaint in enumerate(imports.complaints):
        r = lay.first_complaint_row + i
        points = _complaint_points(complaint, rules)
        c.eq(f"汇入!H{r}", ws[f"H{r}"].value, points)
        resp = complaints.responsible_after_appeal(complaint.resp, complaint.appeal)
        grade = "是" if points != INVALID_LEVEL and scoring.is_grade_c(complaint.level, resp, rules) else ""
        c.eq(f"汇入!I{r}", ws[f"I{r}"].value, grade)


def check_assessment(path: Path, data: AssessmentInputs, rules: Rules, c: Checker) -> None:
    wb = load_workbook(path, data_only=True)
    items = assessment.items_sheet(rules)
    ws = wb[items.name]
    for i, row in enumerate(data.items):
        r = items.first_row + i
        c.eq(f"明细!{items.letter('points')}{r}", ws[f"{items.letter('points')}{r}"].value, _item_points(row, rules))
    imports = data.imports
    check_imports(wb[imported.SHEET], imports, rules, c)

    summary = assessment.summary_sheet(rules)
    sws = wb[summary.name]
    for dept in rules.departments:
        spec = assessment.department_sheet(dept)
        dws = wb[dept.name]
        indicators = {}
        for ind in dept.indicators:
            if ind.kind == "complaints":
                continue
            r = spec.row_of(assessment.indicator_key(ind))
            self_value, audit = data.actuals[(dept.name, ind.number)]
            if assessment.audit_from_ledger(ind):  # 审核 = the 汇入's rate (the 台账's recount)
                audit = imports.rate(ind.callback_type)
                c.eq(f"{dept.name}!F{r}", dws[f"F{r}"].value, "" if audit is None else audit)
            used = audit if audit is not None else self_value
            if used is not None:
                indicators[ind.name] = used
            shown = "" if used is None else (parse_rate(used) if ind.is_rate else used)
            c.eq(f"{dept.name}!G{r}", dws[f"G{r}"].value, shown)
            c.eq(f"{dept.name}!H{r}", dws[f"H{r}"].value, scoring.indicator_deduction(ind, used, rules))
        mine = [row for row in data.items if row["dept"] == dept.name]
        by_type = {t: [row for row in mine if row["type"] == t] for t in ("表扬", "媒体表扬", "手工扣分")}
        mine_complaints = [x for x in imports.complaints if x.dept == dept.name and _complaint_points(x, rules) != INVALID_LEVEL]
        month = scoring.DepartmentMonth(
            department=dept.name,
            month="2026-10",
            indicators=indicators,
            complaints=[scoring.ComplaintEntry(x.level, x.channel, x.resp, x.no, x.appeal) for x in mine_complaints],
            late_flow_forms=imports.late_flows[dept.name],
            praise=sum(x.get("count") or 1 for x in by_type["表扬"]),
            media_praise=[x["pin"] for x in by_type["媒体表扬"]],
            manual=[scoring.ManualEntry("手工", x["pin"]) for x in by_type["手工扣分"]],
            adjustments=[scoring.Adjustment(a.points, a.text, a.no) for a in imports.adjustments if a.dept == dept.name],
            allowance_base=data.bases.get(dept.name),
        )
        card = scoring.score_department(month, rules)
        complaint_row = spec.row_of(assessment.indicator_key(dept.indicators[-1]))
        points = sum(_complaint_points(x, rules) for x in mine_complaints)
        c.eq(f"{dept.name}!H{complaint_row}", dws[f"H{complaint_row}"].value, excel_round(points, 2))
        adjust_row = spec.row_of("adjust")
        c.eq(f"{dept.name}!I{adjust_row}", dws[f"I{adjust_row}"].value,
             excel_round(sum(a.points for a in imports.adjustments if a.dept == dept.name), 2))
        late_row = spec.row_of("late_flow")
        c.eq(f"{dept.name}!H{late_row}", dws[f"H{late_row}"].value, scoring.late_flow_deduction(imports.late_flows[dept.name], rules))
        r = summary.row_of(dept.name)
        c.eq(f"汇总!B{r}", sws[f"B{r}"].value, card.deductions)
        c.eq(f"汇总!C{r}", sws[f"C{r}"].value, card.bonuses)
        c.eq(f"汇总!D{r}", sws[f"D{r}"].value, card.score)
        c.eq(f"汇总!E{r}", sws[f"E{r}"].value, card.grade)
        c.eq(f"汇总!F{r}", sws[f"F{r}"].value, card.weight)
        c.eq(f"汇总!G{r}", sws[f"G{r}"].value, card.company_item)
        c.eq(f"汇总!I{r}", sws[f"I{r}"].value, card.allowance if card.allowance is not None else "")
        c.eq(f"{dept.name}!H{spec.row_of('score')}", dws[f"H{spec.row_of('score')}"].value, card.score)


# --- 投诉台账 -----------------------------------------------------------------------------


def _due(stage: str, start: Any, major: bool, rules: Rules) -> Any:
    if start is None:
        return ""
    try:
        return deadlines.stage_due(stage, start, major, rules=rules)
    except CalendarUnknownError:
        return "日历未确认"


def _status(c: Checker, where: str, got: Any, due: Any, done: Any, now: tuple[datetime, datetime], rules: Rules) -> None:
    if due == "" or isinstance(due, str):
        c.eq(where, got, due)
        return
    options = {deadlines.sla_status(due, done, moment, rules) for moment in now}
    c.one_of(where, got, options)


def check_complaints(path: Path, rows: list[dict[str, Any]], rules: Rules, now: tuple[datetime, datetime], c: Checker) -> None:
    """Every computed cell of the 投诉台账 against the policy: the course of each row (轮次,
    本轮起算, 投诉状态: `services.complaint_course.courses` over `policy.complaint_process`,
    the 改派记录 as the recalculated file holds it), the deadlines from the round's start and
    the effective 办结, the statuses (需复查 first), the deduction (blank for a row that does
    not count, 0 for a partner unit's)."""
    from xinao_xl.books.read import BookReader
    from xinao_xl.policy import complaint_process
    from xinao_xl.services.complaint_course import courses, reassignments

    spec = complaint_ledger.ledger_sheet(rules)
    ws = load_workbook(path, data_only=True)[spec.name]
    moves = BookReader(path).table(complaint_ledger.reassign_sheet()).records()
    course = courses([{**row, "_row": spec.first_row + i} for i, row in enumerate(rows)], reassignments(moves), rules)

    def cell(key: str, r: int) -> Any:
        return ws[f"{spec.letter(key)}{r}"].value

    for i, row in enumerate(rows):
        r = spec.first_row + i
        k = course[r]
        major = row.get("major") is not None
        c.eq(f"投诉台账!轮次{r}", cell("round", r), k.round)
        c.eq(f"投诉台账!本轮起算{r}", cell("round_start", r), k.round_start if k.round_start is not None else "")
        c.eq(f"投诉台账!投诉状态{r}", cell("state", r), k.state)
        for stage in ("investigate", "handle", "revisit", "appeal", "appeal_handle"):
            due_key, _, done_key, status_key, _ = complaint_ledger.STAGE_COLUMNS[stage]
            due = _due(stage, k.start(stage, row), major, rules)
            c.eq(f"投诉台账!{due_key}{r}", cell(due_key, r), due)
            if not status_key:
                continue
            if stage == "revisit" and complaint_process.needs_recheck(row.get("callback"), row.get("revisit_done"), row.get("review_at"), rules):
                c.eq(f"投诉台账!{status_key}{r}", cell(status_key, r), "需复查")
                continue
            _status(c, f"投诉台账!{status_key}{r}", cell(status_key, r), due, row.get(done_key), now, rules)
        if (row.get("level") is None and row.get("channel") is None) or not k.counts:
            expected: Any = ""
        elif k.charged is None:
            expected = 0
        else:
            resp = complaints.responsible_after_appeal(row.get("resp"), row.get("appeal_result"))  # 成立: 无责
            expected = scoring.complaint_deduction(row.get("level"), row.get("channel"), resp, rules)
        c.eq(f"投诉台账!扣分{r}", cell("deduct", r), expected)
        c.eq(f"投诉台账!投诉内容{r}", cell("content", r), row["content"])
    states = {course[spec.first_row + i].state for i in range(len(rows))}
    assert states >= {"已驳回", "已改派", "已取消", "特殊终止", "已办结", "办理中"}, states  # every state is met
    assert max(k.round for k in course.values()) >= 2 and any(k.charged is None for k in course.values())


# --- 回访台账 -----------------------------------------------------------------------------


def check_callbacks(path: Path, data: CallbackInputs, rules: Rules, now: tuple[datetime, datetime], c: Checker) -> None:
    wb = load_workbook(path, data_only=True)
    spec = callback_ledger.ledger_sheet()
    ws = wb[spec.name]
    for i, row in enumerate(data.rows):
        r = spec.first_row + i
        due = deadlines.flow_form_due(row["flow_date"], rules) if row.get("flow_date") else ""
        c.eq(f"台账!T{r}", ws[f"{spec.letter('due')}{r}"].value, due)
        got = ws[f"{spec.letter('late')}{r}"].value
        if due == "":
            c.eq(f"台账!U{r}", got, "")
        else:
            c.one_of(f"台账!U{r}", got, {"是" if deadlines.is_late(due, row.get("feedback_date"), m) else "否" for m in now})
        c.eq(f"台账!L{r}", ws[f"{spec.letter('opinion')}{r}"].value, row.get("opinion"))

    stats = callback_ledger.stats_sheet(rules)
    sws = wb[stats.name]
    for bt in rules.business_types:
        r = stats.row_of(bt.name)
        results = [x["result"] for x in data.rows if x["business"] == bt.name]
        satisfied = results.count(rules.callback_satisfied)
        unsatisfied = results.count(rules.callback_unsatisfied)
        calls = satisfied + unsatisfied
        total = data.completed[bt.name]
        rate = callbacks.satisfaction_rate(results, rules)
        for col, expected in (
            ("B", total), ("C", calls), ("D", calls / total if total else ""), ("E", satisfied),
            ("F", rate if rate is not None else ""), ("G", unsatisfied), ("H", unsatisfied / calls if calls else ""),
            ("I", sum(results.count(x) for x in rules.callback_invalid)),
        ):
            got = sws[f"{col}{r}"].value
            if isinstance(expected, float) and isinstance(got, float):
                got = round(got, 12)
                expected = round(expected, 12)
            c.eq(f"统计!{col}{r}", got, expected)

    sample = callback_ledger.sample_sheet(rules)
    sample_ws = wb[sample.name]
    quotas = callbacks.daily_quotas(data.available, rules)
    for bt in rules.business_types:
        r = sample.row_of(bt.name)
        c.eq(f"抽样!C{r}", sample_ws[f"C{r}"].value, "全部" if bt.quota is None else bt.quota)
        c.eq(f"抽样!H{r}", sample_ws[f"H{r}"].value, quotas[bt.name])
    c.eq("抽样!合计", sample_ws[f"H{sample.row_of('total')}"].value, sum(quotas.values()))


def check_opinions(path: Path, rows: list[dict[str, Any]], c: Checker) -> None:
    spec = opinions.opinions_sheet()
    ws = load_workbook(path, data_only=True)[spec.name]
    for i, row in enumerate(rows):
        r = spec.first_row + i
        for key in ("customer", "opinion", "phone"):
            c.eq(f"意见统计表!{key}{r}", ws[f"{spec.letter(key)}{r}"].value, row[key])


def now_window(before: datetime, after: datetime) -> tuple[datetime, datetime]:
    return (before - timedelta(seconds=1), after + timedelta(seconds=1))
