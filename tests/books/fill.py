"""Random but valid entries for the four workbooks, as staff would type them.

Used by the LibreOffice agreement test (which computes the expected results from these
inputs with the policy functions) and by tools/render_pdf.py (sample sheets to look at).
Every value goes in through `books.cells.put`, so text stays text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from openpyxl import Workbook

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, imported, opinions
from xinao_xl.books.cells import put
from xinao_xl.books.lists import level_label
from xinao_xl.books.schema import NATIVE, TableSheet
from xinao_xl.books.writer import write_record
from xinao_xl.policy.rules import Indicator, Rules

LEVELS = [level_label(n) for n in range(1, 6)]
HOTLINES = ("95158", "市长热线")


def minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def write_row(ws: Any, spec: TableSheet, row: int, values: dict[str, Any]) -> None:
    write_record(ws, spec, row, values)


def set_param(wb: Workbook, name: str, value: Any) -> None:
    """Change a value on the 规则 sheet through its defined name (as a refresh from the
    office's settings would; a switch is written 是/否 there)."""
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    wb[sheet.strip("'")][ref.replace("$", "")].value = ("是" if value else "否") if isinstance(value, bool) else value


# --- 考核表 -------------------------------------------------------------------------------


def indicator_value(ind: Indicator, rules: Rules, rng: random.Random) -> Any:
    if ind.is_rate:
        target = rules.target_of(ind) or 1.0
        delta = rng.choice([-0.02, 0, 0.001, 0.005, 0.0125, 0.02, 0.035, 0.1, 0.0333])
        actual = min(1.0, max(0.3, target - delta))
        return round(actual, 4) if rng.random() < 0.5 else round(actual * 100, 2)
    if ind.kind == "mystery":
        return rng.choice([100, 96, 95, 94.5, 93.5, 92.25, 90, 88.8, 85])
    if ind.kind == "days":
        return rng.choice([0, 1, 2, 2.5, 3, 3.5, 4, 5.25, 7])
    return rng.choice([0, 0.5, 1, 2, 3.25, 5])


@dataclass
class AssessmentInputs:
    actuals: dict[tuple[str, int], tuple[Any, Any]] = field(default_factory=dict)  # (dept, no) -> (自评, 审核)
    items: list[dict[str, Any]] = field(default_factory=list)
    bases: dict[str, Any] = field(default_factory=dict)
    imports: imported.Imports | None = None


def random_imports(rules: Rules, rng: random.Random, n_complaints: int = 60, invalid_levels: tuple[Any, ...] = (), style: str = NATIVE) -> imported.Imports:
    """What the 汇入 sheet could hold: callbacks by type (some types with none), late 流转单 by
    department, complaints (levels and 有责/无责 as staff paste them; to the first three
    departments only, so scores span 0, the middle and above 100), then `invalid_levels`."""
    callbacks = {}
    for b in rules.business_types:
        sat = rng.choice([0, 0, 3, 17, 18, 19, 40, 95, 250, 501])
        callbacks[b.name] = (sat, rng.choice([0, 1, 1, 2, 3, 11]) if sat or rng.random() < 0.5 else 0)
    late = {d: rng.choice([0, 0, 0, 1, 2, 5]) for d in rules.department_names}
    complaints = []
    for i in range(n_complaints):
        fields = complaint_fields(rng)
        appeal = rng.choice([None, None, None, "不成立", "成立", " 成立 "])  # 成立: 无责 (投诉 第九条)
        complaints.append(imported.ImportedComplaint(f"TS{i:04d}", datetime(2026, 10, 1, 9) + timedelta(hours=rng.randrange(700)),
                                                     rng.choice(rules.department_names[:3]), fields["channel"], fields["level"], fields["resp"],
                                                     appeal))
    for i, level in enumerate(invalid_levels):
        complaints.append(imported.ImportedComplaint(f"TSX{i}", datetime(2026, 10, 9, 9), rules.department_names[i], None, level, None))
    # upheld appeals of closed months' complaints: the points those months deducted come back
    adjustments = tuple(imported.ImportedAdjustment(f"TS09{i:02d}", rng.choice(rules.department_names), "2026-09", rng.choice([10.0, 15.0, 20.0, 25.0]))
                        for i in range(rng.randrange(1, 5)))
    return imported.Imports(datetime(2026, 11, 2, 9), callbacks, late, tuple(complaints), adjustments)


def fill_assessment(wb: Workbook, rules: Rules, rng: random.Random, n_items: int = 200, invalid_levels: tuple[Any, ...] = (),
                    style: str = NATIVE) -> AssessmentInputs:
    """自评/审核 (a satisfaction row the 台账 counts: 自评 only, its 审核 is the 汇入's rate),
    加减分明细 rows, allowance bases, and the 汇入's figures (`random_imports`)."""
    data = AssessmentInputs()
    for dept in rules.departments:
        spec = assessment.department_sheet(dept)
        ws = wb[dept.name]
        for ind in dept.indicators:
            if ind.kind == "complaints":
                continue
            self_value = indicator_value(ind, rules, rng) if rng.random() < 0.85 else None
            audit = indicator_value(ind, rules, rng) if rng.random() < 0.4 and not assessment.audit_from_ledger(ind) else None
            r = spec.row_of(assessment.indicator_key(ind))
            for col, value in ((5, self_value), (6, audit)):
                if value is not None:
                    put(ws, r, col, value)
            data.actuals[(dept.name, ind.number)] = (self_value, audit)
    items = assessment.items_sheet(rules)
    ws = wb[items.name]
    types = ["表扬"] * 3 + ["媒体表扬"] * 2 + ["手工扣分"]
    for i in range(n_items):
        kind = rng.choice(types)
        row: dict[str, Any] = {
            "date": date(2026, 10, 1) + timedelta(days=rng.randrange(31)),
            "dept": rng.choice(rules.department_names),
            "type": kind,
            "desc": rng.choice(["客户来电表扬", "=未按时反馈", "-重复投诉", "+媒体报道", "@服务办公室"]),
            "source": f"{kind[:2]}{i:04d}",
        }
        if kind == "表扬":
            row["count"] = rng.choice([None, 1, 2, 3])
        elif kind == "媒体表扬":
            row["pin"] = rng.choice([3, 3.5, 4, 5])
        else:
            row["pin"] = rng.choice([0.5, 1, 2, 3.25, 10])
        write_row(ws, items, items.first_row + i, row)
        data.items.append(row)
    summary = assessment.summary_sheet(rules)
    for dept in rules.departments:
        if rng.random() < 0.8:
            base = rng.choice([500, 800, 1234.5, 2000, 3000.75])
            put(wb[summary.name], summary.row_of(dept.name), 8, base)
            data.bases[dept.name] = base
    data.imports = random_imports(rules, rng, invalid_levels=invalid_levels)
    imported.fill_imports(wb[imported.SHEET], data.imports, rules, style)
    return data


# Levels and 有责/无责 as staff paste them past the dropdown: every engine reads these the
# same (parse_level / parse_responsible and the 规则 sheet's spelling lists).
LEVEL_SPELLINGS = ("四级", "400五级", "４级", " 3 级 ", 2, "两级", "5级投诉", "一级", "４００三级", "五")
RESP_SPELLINGS = ("否", "是", " 无责", "FALSE", "no", 0)


def complaint_fields(rng: random.Random) -> dict[str, Any]:
    channel = rng.choice(["95158", "市长热线", "400", "其他", None, 95158])
    level = rng.choice([*LEVELS, None])
    if level is None and str(channel) not in HOTLINES:
        level = rng.choice(LEVELS)
    if level is not None and rng.random() < 0.25:
        level = rng.choice(LEVEL_SPELLINGS)
    resp = rng.choice(["有责", "无责", None])
    if rng.random() < 0.15:
        resp = rng.choice(RESP_SPELLINGS)
    return {"channel": channel, "level": level, "resp": resp}


# --- 投诉台账 -----------------------------------------------------------------------------


def fill_complaints(wb: Workbook, rules: Rules, rng: random.Random, now: datetime, n: int = 130) -> list[dict[str, Any]]:
    spec = complaint_ledger.ledger_sheet(rules)
    ws = wb[spec.name]
    rows = []
    for i in range(n):
        if i % 9 == 0:
            accepted = now - timedelta(hours=rng.uniform(0, 70))
        elif i % 9 == 1:
            accepted = datetime(2026, 12, 20) + timedelta(hours=rng.uniform(0, 11 * 24))
        else:
            accepted = datetime(2026, 9, 24) + timedelta(hours=rng.uniform(0, 20 * 24))
        accepted = minute(accepted)
        major = rng.choice(rules.major_items).label if rng.random() < 0.3 else None
        row: dict[str, Any] = {
            "no": f"TS{2026}{i:05d}",
            "accepted": accepted,
            "major": major,
            "customer": rng.choice(["张三", "李四", "=王五", "-赵六"]),
            "phone": rng.choice(["13812345678", "0635-5086613", "+8613900000000"]),
            "address": "聊城市东昌府区昌润路" + str(rng.randrange(1, 300)) + "号",
            "content": rng.choice(["维修人员未按约定时间上门", "=气费异常", "安检态度差"]),
            "dept": rng.choice(rules.department_names),
        }
        row.update(complaint_fields(rng) if rng.random() < 0.9 else {"channel": None, "level": None, "resp": None})
        day = accepted.replace(hour=0, minute=0)
        if rng.random() < 0.7:
            row["inv_done"] = day + timedelta(days=rng.choice([1, 2, 3]), hours=23, minutes=59, seconds=rng.choice([59, 60])) if rng.random() < 0.15 else minute(accepted + timedelta(hours=rng.uniform(1, 80)))
        if rng.random() < 0.6:
            row["handle_done"] = minute(accepted + timedelta(hours=rng.uniform(6, 110)))
            if rng.random() < 0.6:
                row["revisit_done"] = minute(row["handle_done"] + timedelta(hours=rng.uniform(1, 80)))
            if rng.random() < 0.6:
                row["closed"] = minute(row["handle_done"] + timedelta(hours=rng.uniform(1, 40)))
        if row.get("resp") == "无责":
            row["reason"] = f"{rng.randrange(1, 8)}.{rules.no_fault_reasons[0]}"
        if rng.random() < 0.45:
            row["appeal_at"] = minute(accepted + timedelta(hours=rng.uniform(0, 150)))
            row["appeal_result"] = rng.choice(["不成立", "成立", None])
        if rng.random() < 0.3:
            row.update(followups=rng.choice([0, 1, 2, 3, 5]), emergency=rng.choice(["是", "否", None]), loss=rng.choice([None, 500, 10000, 25000.5]))
        _course_fields(row, rng)
        if i % 10 == 2:  # rejected (投诉 第七条(二)3); the next row is its next round
            row["review"] = "驳回"
            row["review_at"] = minute(accepted + timedelta(hours=rng.uniform(2, 60)))
            if i % 30 == 2:
                del row["review_at"]  # no time: the next round's start is unknown
        if i % 10 == 3:  # the next round of the row above: same complaint and department
            row.update(no=rows[-1]["no"], dept=rows[-1]["dept"], accepted=rows[-1]["accepted"])
        write_row(ws, spec, spec.first_row + i, row)
        rows.append(row)
    _reassign(wb, rows, rng)
    return rows


def _course_fields(row: dict[str, Any], rng: random.Random) -> None:
    """投诉 第七条's entries: review, callback result, responsibility kind, special termination."""
    if row.get("handle_done") is not None and rng.random() < 0.7:
        row["review"] = rng.choice(["通过", "通过", "驳回"]) if rng.random() < 0.9 else "通过"
        row["review_at"] = minute(row["handle_done"] + timedelta(hours=rng.uniform(1, 100)))  # before or after the callback
    if row.get("revisit_done") is not None and rng.random() < 0.8:
        row["callback"] = rng.choice(["满意", "基本满意", "不满意", "不满意"])
    if rng.random() < 0.35:
        row["resp_kind"] = rng.choice(["本单位部门", "内部协同单位", "外包服务方"])
        row["resp_unit"] = "某单位"
    if rng.random() < 0.2:
        status = rng.choice(["待审批", "已批准", "已批准", "未批准"])
        applied = row["accepted"].date() + timedelta(days=rng.randrange(1, 6))
        row.update(term_status=status, term_applied=applied, term_reason="客户反复来电")
        if status == "已批准" and rng.random() < 0.8:
            row.update(term_approver="张理正", term_approved=applied + timedelta(days=1))


def _reassign(wb: Workbook, rows: list[dict[str, Any]], rng: random.Random) -> None:
    """A few lines of the 改派记录 (投诉 第七条(一)5、6) taking rows from their departments."""
    spec = complaint_ledger.reassign_sheet()
    ways = ["取消重建", "调整部门", "添加部门"]
    for n, row in enumerate(rng.sample(rows, 9)):
        to = "客服部" if row["dept"] != "客服部" else "管网部"
        line = {"no": row["no"], "at": row["accepted"] + timedelta(hours=1), "way": ways[n % 3], "from_dept": row["dept"], "to_dept": to,
                "new_no": f"{row['no']}X" if ways[n % 3] == "取消重建" else None}
        write_row(wb[spec.name], spec, spec.first_row + n, line)


# --- 回访台账 -----------------------------------------------------------------------------


@dataclass
class CallbackInputs:
    rows: list[dict[str, Any]]
    completed: dict[str, int]
    available: dict[str, int]


def fill_callbacks(wb: Workbook, rules: Rules, rng: random.Random, now: datetime, n: int = 220) -> CallbackInputs:
    spec = callback_ledger.ledger_sheet()
    ws = wb[spec.name]
    results = list(rules.callback_valid) * 3 + list(rules.callback_invalid)
    rows = []
    for i in range(n):
        call_day = date(2026, 10, 1) + timedelta(days=rng.randrange(31))
        row: dict[str, Any] = {
            "call_date": call_day,
            "business": rng.choice(rules.business_types).name,
            "order": f"0{rng.randrange(10**9, 10**10)}",
            "done_date": call_day - timedelta(days=rng.randrange(4)),
            "customer": rng.choice(["张三", "李四", "王五"]),
            "phone": f"1{rng.randrange(10**9, 10**10)}",
            "dept": rng.choice(rules.department_names),
            "agent": rng.choice(["孙雪燕", "回访一"]),
            "result": rng.choice(results),
            "opinion": rng.choice([None, "=希望上门前电话联系", "-无"]),
        }
        if rng.random() < 0.35:
            row["flow"] = "是"
            row["flow_no"] = f"LZ{i:04d}"
            start = now - timedelta(hours=rng.uniform(0, 72)) if i % 5 == 0 else datetime(2026, 9, 28) + timedelta(hours=rng.uniform(0, 400))
            row["flow_date"] = minute(start)
            r = rng.random()
            if r < 0.15:
                row["feedback_date"] = row["flow_date"].replace(hour=23, minute=59, second=59) + timedelta(days=2)
            elif r < 0.6:
                row["feedback_date"] = minute(row["flow_date"] + timedelta(hours=rng.uniform(1, 90)))
        write_row(ws, spec, spec.first_row + i, row)
        rows.append(row)
    completed = {b.name: rng.randrange(0, 400) for b in rules.business_types}
    cspec = callback_ledger.completed_sheet(rules)
    for name, count in completed.items():
        put(wb[cspec.name], cspec.row_of(name), 2, count)
    available = {b.name: rng.choice([0, 2, 4, 9, 10, 12, 15, 25, 31, 40]) for b in rules.business_types}
    sspec = callback_ledger.sample_sheet(rules)
    for name, count in available.items():
        put(wb[sspec.name], sspec.row_of(name), 2, count)
    return CallbackInputs(rows, completed, available)


def fill_opinions(wb: Workbook, rng: random.Random, n: int = 40) -> list[dict[str, Any]]:
    spec = opinions.opinions_sheet()
    rows = []
    for i in range(n):
        row = {
            "seq": i + 1,
            "visit_date": date(2026, 10, 2) + timedelta(days=rng.randrange(20)),
            "staff": "XX网格",
            "customer": rng.choice(["张三", "=李四"]),
            "phone": "013812345678",
            "opinion": rng.choice(["=SUM(A1)", "-入户不及时", "+好评", "@请回电"]),
            "dept": "客服部",
        }
        write_row(wb[spec.name], spec, spec.first_row + i, row)
        rows.append(row)
    return rows
