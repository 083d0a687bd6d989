"""No customer data in messages: validation findings (console, 校验结果 sheet, CSV, message
box) and the sampling and close console output name the cell, not the customer; a phone
quoted from a cell is masked (138****5678)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xinao_xl.books import callback_ledger
from xinao_xl.books.completed_export import write_completed_export
from xinao_xl.books.workbooks import file_name
from xinao_xl.cli import main
from xinao_xl.services.validate import validate_month

from . import hand_month as H

LEDGER = callback_ledger.ledger_sheet()
TYPED_PHONE = "13812345678"


def _all_customers() -> set[str]:
    words = {str(c[k]) for c in H.CALLS for k in ("customer", "phone", "address") if c.get(k)}
    words |= {str(c[k]) for c in H.COMPLAINT_ROWS for k in ("customer", "phone", "address") if c.get(k)}
    return words | {TYPED_PHONE, "１３８１２３４５６７８", H.PREVIOUS_PHONE}


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand month with a phone typed where a date belongs and one in a dropdown cell,
    and a customer called twice within 7 days (the rule quotes the phone)."""
    root = tmp_path_factory.mktemp("messages")
    folder = H.build(root)
    path = folder / file_name(callback_ledger.STEM, H.MONTH)
    wb = load_workbook(path)
    ws = wb[LEDGER.name]
    first = LEDGER.first_row
    ws.cell(row=first, column=LEDGER.index("call_date"), value=TYPED_PHONE)  # 回访日期
    ws.cell(row=first + 1, column=LEDGER.index("result"), value="１３８１２３４５６７８")  # 回访结果
    ws.cell(row=first + 2, column=LEDGER.index("phone"), value=H.CALLS[1]["phone"])  # 客户2 again, 1 day later
    wb.save(path)
    return root


def test_findings_quote_no_phone_in_full(month: Path) -> None:
    findings = validate_month(month / H.MONTH, now=H.NOW)
    text = "\n".join(f.message for f in findings)
    typed = [f for f in findings if f.cell == f"{LEDGER.letter('call_date')}{LEDGER.first_row}"]
    assert typed and "138****5678" in typed[0].message  # the cell is named, the value masked
    assert any(f.cell == f"{LEDGER.letter('result')}{LEDGER.first_row + 1}" and "138****5678" in f.message for f in findings)
    repeat = [f for f in findings if "7日内不应重复回访" in f.message]
    assert repeat and all(re.search(r"\d{3}\*{4}\d{4}", f.message) for f in repeat)
    assert not any(word in text for word in _all_customers())


def test_cli_validate_close_and_sample_print_no_customer(month: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(month / H.MONTH), "--now", "2026-12-03T09:00", "--out", str(tmp_path), "--csv", str(tmp_path / "v.csv")])
    assert code == 1
    printed = capsys.readouterr()
    csv_text = (tmp_path / "v.csv").read_text(encoding="utf-8-sig")
    # a refused close prints its 错误 table; sampling prints counts and reasons
    assert main(["close", H.MONTH, "--dir", str(month), "--now", "2026-12-03T09:00"]) == 1
    closed = capsys.readouterr()
    export = tmp_path / "完工.xlsx"
    write_completed_export(export, [{"order": f"WG{n:03d}", "business": "维修", "done_at": datetime(2026, 11, 19, 10), "customer": f"新客户{n}",
                                     "phone": f"1380000{n:04d}", "address": f"柳园路{n}号", "staff": "李师傅", "dept": "客服部"} for n in range(1, 30)])
    assert main(["sample", str(export), "--date", "2026-11-20", "--agent", "孙雪燕", "--dir", str(month), "--seed", "1"]) == 0
    sampled = capsys.readouterr()
    assert "抽取" in sampled.out
    words = _all_customers() | {f"新客户{n}" for n in range(1, 30)} | {f"1380000{n:04d}" for n in range(1, 30)} | {f"柳园路{n}号" for n in range(1, 30)}
    for name, out in (("validate", printed.out + printed.err), ("csv", csv_text), ("close", closed.out + closed.err), ("sample", sampled.out + sampled.err)):
        leaked = sorted(w for w in words if w in out)
        assert not leaked, (name, leaked)
