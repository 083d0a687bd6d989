"""An open month (2026-11, not closed) seen on Friday 2026-11-20 at 10:00: one case of each kind
of item 今日待办 lists, and the cases it must leave out, each with the deadline worked out by
hand (periods as 民法典 201/203 count them: the start day not counted, the last day to 24:00,
written 23:59:59).

回访台账 (台账, first data row 3; 回访结果 is column K, 流转日期 Q, 反馈日期 R):
- row 3  维修 GD01, sampled for today, done 11-18      → due 11-18 + 3 = 11-21 24:00, left 1天14小时
- row 4  维修 GD02, sampled for today, called: 满意      → not listed (today: 维修 2 sampled, 1 made)
- row 5  安检 GD03, sampled for today, done 11-17      → due 11-17 + 3 = 11-20 24:00, left 14小时
- row 6  零散 GD04, sampled 11-18, done 11-14          → due 11-17 24:00, overdue 2天10小时
- row 7  维修 GD05, sampled for tomorrow                → not listed
- row 8  售气 GD06, sampled 11-19, 完工日期 blank         → no deadline: listed first
- row 9  LZ001 流转 11-19 15:00, no feedback            → due 11-19 + 2 = 11-21 24:00 (cell R9)
- row 10 LZ002 流转 11-17 09:00, no feedback            → due 11-19 24:00, overdue 10小时 (cell R10)
- row 11 LZ003 流转 11-18, answered 11-19               → not listed

投诉台账 (first data row 3; 调查完成时间 J, 处理完成时间 M, 回访完成时间 R, 申诉结果 AM — the printed columns first):
- TS001 一般, 受理 11-18 09:00: 调查 due 11-18 + 2 = 11-20 24:00 (J3); 处理 due 11-21: not yet
- TS002 疑似重大, 受理 11-19 09:00: 调查 due 11-19 + 1 = 11-20 24:00 (J4); 处理 11-21: not yet
- TS003 一般, 处理完成 11-18 10:00: 人工回访 due 11-18 + 2 = 11-20 24:00 (R5)
- TS004 办结 11-12: nothing
- TS005 一般, 受理 11-15, 调查完成: 处理 due 11-15 + 3 = 11-18 24:00, overdue (M7)
- TS006 办结 11-12, 申诉受理 Tue 11-17 10:00: 3 working days 11-18, 11-19, 11-20 → 11-20 24:00 (AM8)
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from xinao_xl.books import callback_ledger, complaint_ledger
from xinao_xl.books.workbooks import BOOKS, file_name
from xinao_xl.books.writer import write_record
from xinao_xl.policy.rules import load_rules

MONTH = "2026-11"
NOW = datetime(2026, 11, 20, 10, 0)  # Friday
RULES = load_rules()
LEDGER = callback_ledger.ledger_sheet()
COMPLAINTS = complaint_ledger.ledger_sheet(RULES)
MAJOR = RULES.major_items[0].label


def d(day: int, month: int = 11) -> date:
    return date(2026, month, day)


def t(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour)


def call(order: str, called: date, business: str, done: date | None, result: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"call_date": called, "business": business, "order": order, "done_date": done, "customer": f"客户{order}",
            "phone": f"139000000{order[-2:]}", "dept": "客服部", "agent": "孙雪燕", "result": result, **extra}


CALLS = [
    call("GD01", d(20), "维修", d(18)),
    call("GD02", d(20), "维修", d(19), "满意"),
    call("GD03", d(20), "安检", d(17)),
    call("GD04", d(18), "零散", d(14)),
    call("GD05", d(21), "维修", d(20)),
    call("GD06", d(19), "售气", None),
    call("GD07", d(19), "维修", d(18), "不满意", reason="上门迟到", flow="是", flow_no="LZ001", flow_date=t(19, 15), dept="管网部"),
    call("GD08", d(17), "维修", d(16), "不满意", reason="态度差", flow="是", flow_no="LZ002", flow_date=t(17, 9), dept="市场工程部"),
    call("GD09", d(18), "维修", d(17), "不满意", reason="收费不清", flow="是", flow_no="LZ003", flow_date=t(18), feedback_date=t(19)),
]
COMPLAINT_ROWS = [
    {"no": "TS001", "accepted": t(18, 9), "channel": "400", "level": "5级", "dept": "客服部"},
    {"no": "TS002", "accepted": t(19, 9), "channel": "400", "level": "3级", "major": MAJOR, "dept": "管网部"},
    {"no": "TS003", "accepted": t(10), "channel": "400", "level": "5级", "dept": "计财部", "inv_done": t(11), "handle_done": t(18)},
    {"no": "TS004", "accepted": t(3), "channel": "400", "level": "5级", "dept": "客服部", "inv_done": t(4), "handle_done": t(5),
     "revisit_done": t(6), "closed": t(12)},
    {"no": "TS005", "accepted": t(15), "channel": "400", "level": "4级", "dept": "安保部", "inv_done": t(16)},
    {"no": "TS006", "accepted": t(3), "channel": "400", "level": "5级", "dept": "调度中心", "inv_done": t(4), "handle_done": t(5),
     "revisit_done": t(6), "closed": t(12), "appeal_at": t(17)},
]


def build(root: Path, month: str = MONTH, calls: list[dict[str, Any]] = CALLS, complaints: list[dict[str, Any]] = COMPLAINT_ROWS) -> Path:
    """The month's four workbooks under ``root/month``, the two ledgers filled; returns the folder."""
    folder = root / month
    folder.mkdir(parents=True, exist_ok=True)
    books = {stem: b(month, RULES) for stem, b in BOOKS}
    for r, values in enumerate(calls, start=LEDGER.first_row):
        write_record(books[callback_ledger.STEM][LEDGER.name], LEDGER, r, {k: v for k, v in values.items() if v is not None})
    for r, values in enumerate(complaints, start=COMPLAINTS.first_row):
        write_record(books[complaint_ledger.STEM][COMPLAINTS.name], COMPLAINTS, r, values)
    for stem, wb in books.items():
        wb.save(folder / file_name(stem, month))
    return folder
