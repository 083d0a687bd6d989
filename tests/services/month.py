"""A small filled month (four workbooks, 2026-11) that validates clean, and a broken one.

The broken month breaks each validation rule once, each in its own row, so one validation
run serves a test per rule (the suite stays fast).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, opinions
from xinao_xl.books.cells import put
from xinao_xl.books.month_folder import LOCK
from xinao_xl.books.workbooks import BOOKS, file_name
from xinao_xl.books.writer import write_record
from xinao_xl.policy.rules import Rules, load_rules
from xinao_xl.services.refresh import refresh_month

MONTH = "2026-11"
NOW = datetime(2026, 12, 1, 10, 0)
LEDGER = callback_ledger.ledger_sheet()
NOTES = opinions.opinions_sheet()
RULES = load_rules()
COMPLAINTS = complaint_ledger.ledger_sheet(RULES)
ITEMS = assessment.items_sheet(RULES)
NOFAULT_2 = f"2.{RULES.no_fault_reasons[1]}"


def d(day: int, month: int = 11) -> date:
    return date(2026, month, day)


def t(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour)


CALLS: dict[int, dict[str, Any]] = {
    3: {"call_date": d(5), "business": "维修", "order": "0001", "done_date": d(3), "customer": "张三", "phone": "13812345678", "dept": "客服部", "agent": "孙雪燕", "result": "满意"},
    4: {"call_date": d(6), "business": "安检", "order": "0002", "done_date": d(5), "customer": "李四", "phone": "13900000001", "dept": "市场工程部", "agent": "孙雪燕", "result": "不满意",
        "reason": "上门迟到", "flow": "是", "flow_no": "LZ001", "flow_date": t(6), "feedback_date": t(7, 9), "handling": "已致歉"},
    5: {"call_date": d(10), "business": "置换", "order": "0003", "done_date": d(8), "customer": "王五", "phone": "13900000002", "dept": "管网部", "agent": "孙雪燕", "result": "满意", "opinion": "=希望提前电话联系"},
    6: {"call_date": d(20), "business": "售气", "order": "0004", "done_date": d(19), "customer": "赵六", "phone": "13900000003", "agent": "孙雪燕", "result": "未接通"},
}
NOTE_ROWS = [
    {"seq": 1, "visit_date": d(5), "customer": "李四", "phone": "13900000001", "call_date": d(6), "reason": "上门迟到", "dept": "市场工程部"},
    {"seq": 2, "visit_date": d(8), "customer": "王五", "phone": "13900000002", "call_date": d(10), "opinion": "=希望提前电话联系", "dept": "管网部"},
]
COMPLAINT_ROWS: dict[int, dict[str, Any]] = {
    3: {"no": "TS001", "accepted": t(3, 9), "channel": "400", "level": "4级", "dept": "客服部", "customer": "周一", "phone": "13600000001", "inv_done": t(4), "handle_done": t(5), "revisit_done": t(6), "callback": "满意", "resp": "有责", "closed": t(6, 12)},
    4: {"no": "TS002", "accepted": t(10), "channel": "95158", "dept": "管网部", "customer": "吴二", "phone": "13600000002", "inv_done": t(11), "handle_done": t(12), "resp": "无责", "reason": NOFAULT_2},
    5: {"no": "TS003", "accepted": t(28, 9, 10), "level": "5级", "dept": "计财部", "customer": "郑三", "phone": "13600000003", "inv_done": t(29, 9, 10)},  # last month's
}
ITEM_ROWS: dict[int, dict[str, Any]] = {  # complaints and late 流转单 come from the ledgers (汇入)
    3: {"date": d(15), "dept": "客服部", "type": "媒体表扬", "pin": 4, "source": "MT01", "desc": "聊城日报报道"},
    4: {"date": d(16), "dept": "管网部", "type": "表扬", "count": 2, "source": "BY01"},
}

# --- the broken month: one broken rule per row ---------------------------------------------

BROKEN_CALLS: dict[int, dict[str, Any]] = {
    7: {"call_date": d(12), "business": "维修", "done_date": d(5), "customer": "钱七", "phone": "13900000007", "result": "满意"},  # late callback
    8: {"call_date": d(9), "business": "维修", "done_date": d(8), "customer": "孙八", "phone": "13812345678", "result": "满意"},  # same customer as row 3
    9: {"call_date": d(9), "business": "维修", "done_date": d(8), "customer": "李九", "phone": "13900000009", "result": "不满意"},  # no flow form, not in 意见统计表
    10: {"call_date": d(18), "business": "维修", "done_date": d(17), "customer": "周十", "phone": "13900000010", "result": "满意", "flow": "是", "flow_no": "LZ010", "flow_date": t(20)},  # no feedback
    11: {"call_date": d(2), "business": "维修", "done_date": d(4), "customer": "吴甲", "phone": "13900000011", "result": "满意"},  # before completion
    12: {"call_date": "上周", "business": "维修", "done_date": d(4), "customer": "郑乙", "phone": "13900000012", "result": "很满意"},  # bad date, bad choice
    13: {"call_date": d(2), "business": "维修", "done_date": d(1), "customer": "王丙", "phone": "13700000000", "result": "满意"},  # called 10-30 last month
    14: {"call_date": "2026.11.13", "business": "维修", "done_date": d(12), "customer": "沈丁", "phone": "13900000014", "result": "满 意"},  # text date, result with a space
    15: {"call_date": d(14), "business": "维修", "done_date": d(13), "customer": "韩戊", "phone": "1390000001", "result": "满意"},  # a 10-digit phone
    16: {"call_date": d(14), "business": "维修", "done_date": d(13), "result": "满意"},  # no name, no phone
}
BROKEN_COMPLAINTS: dict[int, dict[str, Any]] = {
    6: {"no": "TS004", "accepted": t(12), "level": "3级", "dept": "客服部", "customer": "冯丁", "phone": "13500000006", "inv_done": t(13), "handle_done": t(12, 9), "resp": "有责"},  # handled before investigated
    7: {"no": "TS005", "accepted": t(12), "level": "5级", "dept": "管网部", "customer": "陈戊", "phone": "13500000007", "resp": "有责", "reason": "3"},  # 有责 with a 无责 reason
    8: {"no": "TS006", "accepted": t(14), "channel": "市长热线", "dept": "计财部", "customer": "卫庚", "phone": "0635-8211234"},  # counts through the 汇入, nothing to type
    9: {"no": "TS007", "accepted": "2026年11月21日14:55", "channel": "400", "level": "二级投诉", "dept": "安保部", "customer": "蒋辛", "phone": "13500000009"},  # text date, level spelled
}
BROKEN_ITEMS: dict[int, dict[str, Any]] = {
    3: {"pin": 6},  # media praise above 5
    5: {"date": d(20), "dept": "客服部", "type": "投诉", "source": "TS999"},  # a complaint typed here again (the old habit)
    9: {"date": d(21), "dept": "客服部", "type": "表扬", "count": "3天"},  # a count stored as text
}
# The broken month's 汇入 is not refreshed: it is older than its ledgers.


def _write(wb: Workbook, spec: Any, rows: dict[int, dict[str, Any]]) -> None:
    for r, values in rows.items():
        write_record(wb[spec.name], spec, r, values)


def build_month(root: Path, broken: bool = False, rules: Rules = RULES) -> Path:
    """Write the month's four workbooks into ``root/2026-11``; returns the folder."""
    folder = root / MONTH
    folder.mkdir(parents=True, exist_ok=True)
    books = {stem: build(MONTH, rules) for stem, build in BOOKS}
    cb = books[callback_ledger.STEM]
    _write(cb, LEDGER, CALLS)
    cspec = callback_ledger.completed_sheet(rules)
    for n, b in enumerate(rules.business_types):
        put(cb[cspec.name], cspec.row_of(b.name), 2, 10 + n)
    _write(books[opinions.STEM], NOTES, dict(enumerate(NOTE_ROWS, start=NOTES.first_row)))
    _write(books[complaint_ledger.STEM], COMPLAINTS, COMPLAINT_ROWS)
    ab = books[assessment.STEM]
    _write(ab, ITEMS, ITEM_ROWS)
    dept = rules.department("客服部")
    dspec = assessment.department_sheet(dept)
    for ind in dept.indicators:
        if ind.kind != "complaints":
            value = 0.965 if ind.is_rate else 94  # 96.5% as Excel stores it when typed
            put(ab[dept.name], dspec.row_of(assessment.indicator_key(ind)), 5, value)
    if broken:
        _write(cb, LEDGER, BROKEN_CALLS)
        cb[LEDGER.name]["U3"] = "否"  # 是否超时 typed over its formula
        _write(books[complaint_ledger.STEM], COMPLAINTS, BROKEN_COMPLAINTS)
        _write(ab, ITEMS, BROKEN_ITEMS)
        ab[assessment.SUMMARY]["D3"] = 100  # 月度服务得分 typed over its formula
        put(ab[dept.name], dspec.row_of(assessment.indicator_key(dept.indicators[0])), 6, "很好")
    for stem, wb in books.items():
        wb.save(folder / file_name(stem, MONTH))
    if not broken:  # the office's refresh: the 考核表's 汇入 holds the ledgers' recount
        refresh_month(MONTH, root, now=NOW, rules=rules, keep_previous=False)
        (root / MONTH / LOCK).unlink(missing_ok=True)  # the month as handed over: nobody's lock file in it
    return folder


def build_previous(root: Path) -> Path:
    """Last month's 台账 with a call on 10-30 to the customer of broken row 13."""
    folder = root / "2026-10"
    folder.mkdir(parents=True, exist_ok=True)
    wb = callback_ledger.build_callback_ledger("2026-10", RULES)
    write_record(wb[LEDGER.name], LEDGER, 3, {"call_date": d(30, 10), "business": "维修", "done_date": d(29, 10), "phone": "13700000000", "result": "满意"})
    path = folder / file_name(callback_ledger.STEM, "2026-10")
    wb.save(path)
    return path
