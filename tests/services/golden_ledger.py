"""A large 回访台账 with errors planted throughout, for the golden-findings test
(`test_validate_golden`): validation made column-wise and faster (issue 16) must give
exactly the findings the row-by-row code gave — same cells, same messages, same order.

Self-contained on purpose: the rows come from this module's own seeded generator (not the
sample data, which may change), laid out by the ledger spec, so the stored findings
(``data/validate_golden.json``) change only when the ledger's columns or the checks do.

Regenerate the stored findings (only from code whose findings you trust)::

    .venv/bin/python -m tests.services.golden_ledger
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from xinao_xl.books import callback_ledger
from xinao_xl.books.cells import set_value
from xinao_xl.books.schema import NATIVE

MONTH = "2026-11"
NOW = datetime(2026, 12, 3, 9)
ROWS = 4_000
NAME = f"{MONTH}_{callback_ledger.STEM}.xlsx"
EXPECTED = Path(__file__).parent / "data" / "validate_golden.json"

BUSINESS = ("维修", "置换", "安检", "售气", "零散")
HOME = {"维修": "客服部", "置换": "市场工程部", "安检": "客服部", "售气": "计财部", "零散": "市场工程部"}
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"


def _rows(rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for i in range(ROWS):
        day = date(2026, 11, 1 + rng.randrange(30))
        business = rng.choice(BUSINESS)
        roll = rng.random()
        result = "不满意" if roll < 0.03 else "未接通" if roll < 0.10 else "满意"
        row: dict[str, Any] = {
            "call_date": day,
            "business": business,
            "order": f"GD202611{i + 1:06d}",
            "done_date": day - timedelta(days=rng.choice((0, 1, 2, 3))),
            "customer": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "phone": f"13{rng.randrange(10**9):09d}",
            "address": f"东昌府区{rng.randrange(1, 300)}号",
            "staff": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "dept": HOME[business],
            "agent": rng.choice(("孙雪燕", "李晓梅")),
            "result": result,
        }
        if result == "不满意":
            at = datetime.combine(day, datetime.min.time()) + timedelta(hours=rng.uniform(9, 17))
            row.update(reason="上门不及时", opinion="客户反映上门不及时", flow="是", flow_no=f"LZ202611{i + 1:05d}", flow_date=at)
            if rng.random() < 0.7:
                row.update(feedback_date=at + timedelta(hours=rng.uniform(2, 40)), handling="已回访致歉")
        rows.append(row)
    _plant(rows)
    return rows


def _plant(rows: list[dict[str, Any]]) -> None:
    """Errors of every kind the ledger checks find, some in runs of rows, some columns with
    more than a hundred findings (only counted beyond that)."""
    for i, row in enumerate(rows):
        day = row["call_date"]
        if i % 97 == 5:
            row["call_date"] = f"2026年11月{day.day}日"  # a date as text
        if i % 101 == 7:
            row["call_date"] = "不知道"  # no date at all
        if i % 113 == 19:
            row["call_date"] = float((day - date(1899, 12, 30)).days)  # a serial: fine
        if i % 127 == 20:
            row["call_date"] = date(1990, 1, 1)  # out of range
        if i % 89 == 3:
            row["business"] = row["business"] + " "
        if i % 83 == 2:
            row["business"] = "修理"
        if i % 29 == 1:
            row["phone"] = "12345"  # > 100 of them: the rest only counted
        if i % 131 == 21:
            row["phone"] = int(row["phone"])  # a phone typed as a number
        if i % 79 == 4:
            row["customer"] = None
        if i % 73 == 6:
            row["customer"] = "   "
        if i % 71 == 9 and i:
            row["order"] = rows[i - 1]["order"]
        if i % 67 == 10:
            row["result"] = "满意 "
        if i % 61 == 11 and isinstance(day, date):
            row["done_date"] = day + timedelta(days=2)  # completed after the callback
        if i % 47 == 14 and isinstance(day, date):
            row["done_date"] = day - timedelta(days=6)  # called back late
        if i % 43 == 15 and i >= 3:
            row["phone"], row["call_date"] = rows[i - 3]["phone"], rows[i - 3]["call_date"]  # the same customer again
        if 2000 <= i <= 2150:
            row["phone"] = None  # a run of 151 rows
        if 2500 <= i <= 2505:
            row["dept"] = "客服中心"
        if i % 41 == 16:
            row["dept"] = row["dept"] + " "
        if i % 37 == 17:
            row["note"] = "很长的备注" * 70  # over the length limit
        if i % 137 == 22:
            row.update(result="不满意", flow=None, flow_no=None, flow_date=None, feedback_date=None)
        if i % 139 == 23:
            row["flow"] = "Y"
        if i % 31 == 18 and row.get("flow_date"):
            row["feedback_date"] = row["flow_date"] - timedelta(hours=3)
        if i % 151 == 24:
            row["flow_date"] = "2026-11-05 10:00"  # a moment as text
        if i % 53 == 25:
            row["suggestion"] = "  "  # whitespace only: blank
        if i % 157 == 26:
            row["result"] = "满意"
            row["call_date"] = None  # a required cell still to fill
        if i % 163 == 27:
            row["business"] = None  # a required cell left blank
        if i % 167 == 28:
            row["done_date"] = None


def write_golden_ledger(path: Path) -> Path:
    rows = _rows(random.Random(20261116))
    spec = callback_ledger.ledger_sheet()
    wb = Workbook()
    ws = wb.active
    ws.title = spec.name
    ws.cell(1, 1, f"{MONTH} 客户回访信息台账")
    for c, header in enumerate(spec.headers, start=1):
        ws.cell(spec.header_row, c, header)
    # rows 3100–3104 stay blank (skipped), then records beyond the template's rows
    excel_rows = [spec.first_row + n if n < 3097 else spec.first_row + n + 5 for n in range(len(rows))]
    for n, (r, row) in enumerate(zip(excel_rows, rows, strict=True)):
        for c, column in enumerate(spec.columns, start=1):
            cell = ws.cell(r, c)
            if column.is_formula:
                if (column.key == "due" and n % 59 == 12) or (3500 <= n <= 3510 and column.key == "late"):
                    set_value(cell, "2026-11-30" if column.key == "due" else None)  # typed over / cleared
                elif not (column.key == "late" and n % 53 == 13):
                    cell.value = spec.render(column, r, NATIVE)
            else:
                set_value(cell, row.get(column.key))
    letters = spec.letters
    ws.merge_cells(f"{letters['address']}1003:{letters['address']}1005")  # down one column
    ws.merge_cells(f"{letters['customer']}1503:{letters['phone']}1503")  # across columns
    wb.save(path)
    return path


def findings_of(path: Path) -> list[list[str]]:
    from xinao_xl.services.validate import validate_month

    return [[f.severity, f.workbook, f.sheet, f.cell, f.message] for f in validate_month([path], now=NOW)]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        found = findings_of(write_golden_ledger(Path(tmp) / NAME))
    EXPECTED.parent.mkdir(exist_ok=True)
    EXPECTED.write_text(json.dumps(found, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(found)} findings written to {EXPECTED}")
