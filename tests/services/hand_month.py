"""A month typed by hand (2026-11, in ``root/2026-11``), small enough that a test can
recompute 客服部's score with pencil and paper, and a 2026-10 台账 for the 7-day rule.

客服部's month, row by row (what test_close.py recomputes):
- 入户及时率 (platform, target 50%): 自评 46% → 4 points below × 2 = 8
- 用户好评率 (platform, 95%): 自评 95%, 审核 93% → the 审核 counts: 2 × 2 = 4
- 零散施工回访满意度 (台账 零散: 4 满意, 1 不满意 → 80%; the sheet's 99% is not used): 18 × 2 = 36
- 维修业务回访满意度 (台账 维修: 3 满意, 1 未接通 → 100%): 0
- 置换业务回访满意度 (no 置换 callback in the 台账 → the sheet's 自评 97%): 1 × 2 = 2
- 控股神秘客户检测 (mystery, 95): 自评 93.5 → 1.5 × 3 = 4.5
- 营业厅管理: blank → 0
- 服务体系建设相关工作 (manual): 1.5
- 投诉 TS001 400 4级 有责: 15; TS002 95158 无责: 0; TS000 (accepted 10-28): not this month
- 流转单 LZ001 (流转 11-10 10:00, due 11-12 24:00, answered 11-13 09:00): late, 2
- 加减分明细: 表扬 ×2 → +4; 媒体表扬 4 → +4; 手工扣分 1 → 1
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from xinao_xl.books import assessment, callback_ledger, complaint_ledger
from xinao_xl.books.cells import put
from xinao_xl.books.month_folder import LOCK
from xinao_xl.books.workbooks import BOOKS, file_name
from xinao_xl.books.writer import write_record
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.refresh import refresh_month

MONTH = "2026-11"
NOW = datetime(2026, 12, 3, 9, 0)
RULES = load_rules()
LEDGER = callback_ledger.ledger_sheet()
COMPLAINTS = complaint_ledger.ledger_sheet(RULES)
ITEMS = assessment.items_sheet(RULES)
NOFAULT = f"2.{RULES.no_fault_reasons[1]}"
EQ_OPINION = "=SUM(A1) 师傅来得太晚"
EQ_REASON = "=等待时间长"


def d(day: int, month: int = 11) -> date:
    return date(2026, month, day)


def t(day: int, hour: int = 10, month: int = 11, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute)


def call(n: int, day: int, business: str, result: str, dept: str = "客服部", **extra: Any) -> dict[str, Any]:
    return {"call_date": d(day), "business": business, "order": f"GD{n:04d}", "done_date": d(day - 1), "customer": f"客户{n}",
            "phone": f"1390000{n:04d}", "address": f"东昌路{n}号", "staff": "张师傅", "dept": dept, "agent": "孙雪燕", "result": result, **extra}


CALLS = [
    call(1, 5, "零散", "满意"),
    call(2, 6, "零散", "满意"),
    call(3, 7, "零散", "满意"),
    call(4, 8, "零散", "满意", suggestion="-希望周末也能上门"),
    call(5, 10, "零散", "不满意", opinion=EQ_OPINION, reason=EQ_REASON, flow="是", flow_no="LZ001", flow_date=t(10),
         feedback_date=t(13, 9), handling="已致歉"),
    call(6, 11, "维修", "满意"),
    call(7, 12, "维修", "满意"),
    call(8, 13, "维修", "满意"),
    call(9, 14, "维修", "未接通"),
    # 管网部's flow form still open on 12-03 (due 11-30 24:00): late, and carried over
    call(10, 28, "安检", "不满意", dept="管网部", reason="停气通知不到位", flow="是", flow_no="LZ002", flow_date=t(28, 15)),
    # 客服部's second flow form, answered in time
    call(11, 20, "安检", "不满意", reason="服务态度差", flow="是", flow_no="LZ003", flow_date=t(20), feedback_date=t(21), handling="已整改"),
]
COMPLAINT_ROWS = [
    {"no": "TS000", "accepted": t(28, 9, 10), "level": "5级", "channel": "400", "dept": "计财部", "inv_done": t(29, 9, 10)},  # October's, open
    {"no": "TS001", "accepted": t(3, 9), "channel": "400", "level": "4级", "dept": "客服部", "inv_done": t(4), "handle_done": t(5),
     "revisit_done": t(6), "callback": "满意", "resp": "有责", "closed": t(6, 12)},
    {"no": "TS002", "accepted": t(10), "channel": "95158", "dept": "客服部", "inv_done": t(11), "handle_done": t(12), "revisit_done": t(13), "callback": "满意",
     "resp": "无责", "reason": NOFAULT, "closed": t(13, 12)},
    {"no": "TS003", "accepted": t(25), "channel": "400", "level": "3级", "dept": "管网部", "inv_done": t(26), "resp": "有责"},  # open
]
ITEM_ROWS = [  # complaints and late 流转单 reach the 考核表 through its 汇入 (the refresh below)
    {"date": d(15), "dept": "客服部", "type": "表扬", "count": 2, "source": "BY01"},
    {"date": d(16), "dept": "客服部", "type": "媒体表扬", "pin": 4, "source": "MT01", "desc": "聊城日报报道"},
    {"date": d(17), "dept": "客服部", "type": "手工扣分", "pin": 1, "desc": "例会未参加", "source": "SG01"},
]
# 客服部's sheet: indicator -> (自评, 审核); a rate as Excel stores "46%" typed into the cell
ACTUALS = {
    "入户及时率": (0.46, None),
    "用户好评率": (0.95, 0.93),
    "零散施工回访满意度": (0.99, None),
    "置换业务回访满意度": (0.97, None),
    "控股神秘客户检测": (93.5, None),
    "服务体系建设相关工作": (1.5, None),
}
BASE = 2000
PREVIOUS_PHONE = "13700000000"  # called on 10-30 (last month's 台账)


def build(root: Path) -> Path:
    """Write the month's four workbooks (and October's 台账); returns the month folder."""
    folder = root / MONTH
    folder.mkdir(parents=True, exist_ok=True)
    books = {stem: b(MONTH, RULES) for stem, b in BOOKS}
    cb = books[callback_ledger.STEM]
    for r, values in enumerate(CALLS, start=LEDGER.first_row):
        write_record(cb[LEDGER.name], LEDGER, r, values)
    cspec = callback_ledger.completed_sheet(RULES)
    for n, b in enumerate(RULES.business_types):
        put(cb[cspec.name], cspec.row_of(b.name), 2, 20 + n)
    for r, values in enumerate(COMPLAINT_ROWS, start=COMPLAINTS.first_row):
        write_record(books[complaint_ledger.STEM][COMPLAINTS.name], COMPLAINTS, r, values)
    ab = books[assessment.STEM]
    for r, values in enumerate(ITEM_ROWS, start=ITEMS.first_row):
        write_record(ab[ITEMS.name], ITEMS, r, values)
    dept = RULES.department("客服部")
    dspec = assessment.department_sheet(dept)
    for ind in dept.indicators:
        own, audit = ACTUALS.get(ind.name, (None, None))
        for col, value in ((5, own), (6, audit)):
            if value is not None:
                put(ab[dept.name], dspec.row_of(assessment.indicator_key(ind)), col, value)
    summary = assessment.summary_sheet(RULES)
    put(ab[assessment.SUMMARY], summary.row_of("客服部"), 8, BASE)
    for stem, wb in books.items():
        wb.save(folder / file_name(stem, MONTH))
    previous = root / "2026-10"
    previous.mkdir(exist_ok=True)
    wb = callback_ledger.build_callback_ledger("2026-10", RULES)
    write_record(wb[LEDGER.name], LEDGER, LEDGER.first_row, {"call_date": d(30, 10), "business": "维修", "done_date": d(29, 10),
                                                             "phone": PREVIOUS_PHONE, "result": "满意"})
    wb.save(previous / file_name(callback_ledger.STEM, "2026-10"))
    refresh_month(MONTH, root, now=NOW, rules=RULES, keep_previous=False)  # the office's refresh of the 考核表's 汇入
    (root / MONTH / LOCK).unlink(missing_ok=True)  # the month as handed over: nobody's lock file in it
    return folder
