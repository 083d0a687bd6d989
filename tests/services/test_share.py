"""`xinao-xl close --share`: every output that may leave the office is scanned for every
customer name, phone and address of the sample month; the internal ones are named.

Two hand-made leaks are planted: a 不满原因 quoting the customer's own name and phone (the
shared report must show *** instead), and a customer's name typed into 加减分明细's 说明
(the closed 考核表 keeps what staff typed; the close must name those cells in its notes).
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from xinao_xl.books import assessment, callback_ledger
from xinao_xl.books import lists as L
from xinao_xl.books.month_folder import OUT_DIR, MonthFolder
from xinao_xl.books.read import BookReader
from xinao_xl.cli import build_parser, main
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.sample_data import SampleMonth, make_sample_month

MONTH = "2026-11"
NOW = datetime(2026, 12, 3, 9, 0)
RULES = load_rules()
LEDGER = callback_ledger.ledger_sheet()
ITEMS = assessment.items_sheet(RULES)
REPORT = f"{MONTH}_客户回访报告.xlsx"
ASSESSMENT = f"{MONTH}_{assessment.STEM}_结账.xlsx"
INTERNAL = (f"{MONTH}_客户回访意见统计表_结账.xlsx", f"{MONTH}_流转单.xlsx")


def customers(month: SampleMonth) -> dict[str, set[str]]:
    """The sample month's customers, as generated (not as our code reads them)."""
    rows = month.callbacks + month.complaints
    return {key: {str(r[key]) for r in rows if r.get(key)} for key in ("customer", "phone", "address")}


def plant(month: SampleMonth) -> dict[str, Any]:
    """A 不满原因 quoting its customer, and a customer's name in 加减分明细 说明."""
    ledger = month.paths[callback_ledger.STEM]
    rec = next(r for r in BookReader(ledger).table(LEDGER).records() if r.get("result") == "不满意" and r.get("flow") == "是")
    reason = f"{rec['customer']}说师傅迟到，回电{rec['phone']}"
    wb = load_workbook(ledger)
    wb[LEDGER.name].cell(row=rec["_row"], column=LEDGER.index("reason"), value=reason)
    wb.save(ledger)
    book = month.paths[assessment.STEM]
    item = next(r for r in BookReader(book).table(ITEMS).records() if r.get("type") == L.ITEM_MANUAL)
    other = sorted(customers(month)["customer"], key=len)[-1]
    wb = load_workbook(book)
    wb[ITEMS.name].cell(row=item["_row"], column=ITEMS.index("desc"), value=f"{other}投诉后例会未参加")
    wb.save(book)
    return {"reason": reason, "customer": rec["customer"], "phone": rec["phone"], "desc_row": item["_row"], "desc_name": other}


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("share")
    month = make_sample_month(MONTH, root, now=NOW)
    planted = plant(month)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["close", MONTH, "--dir", str(root), "--share", "--user", "测试员", "--now", NOW.isoformat()])
    assert code == 0, err.getvalue()
    return {"root": root, "month": month, "planted": planted, "console": out.getvalue() + err.getvalue()}


def _pattern(month: SampleMonth) -> re.Pattern[str]:
    words = set().union(*customers(month).values())
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def scan(path: Path, month: SampleMonth) -> list[str]:
    """``sheet!row,col`` (1-based) of every cell holding a customer name, phone or address."""
    pattern = _pattern(month)
    phones = customers(month)["phone"]
    book = CalamineWorkbook.from_path(str(path))
    hits = []
    for name in book.sheet_names:
        for r, row in enumerate(book.get_sheet_by_name(name).to_python(skip_empty_area=False), start=1):
            for c, value in enumerate(row, start=1):
                text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
                if (isinstance(value, str) and pattern.search(value)) or text in phones:
                    hits.append(f"{name}!{r},{c}")
    return hits


def test_the_shared_report_holds_no_customer(shared) -> None:
    path = shared["root"] / MONTH / OUT_DIR / REPORT
    assert scan(path, shared["month"]) == []
    wb = load_workbook(path)
    headers = [c.value for c in wb["不满意明细"][1]]
    assert "客户姓名" not in headers and "客户电话" not in headers and "客户地址" not in headers
    reasons = [c.value for row in wb["不满意明细"].iter_rows(min_row=2) for c in row if isinstance(c.value, str) and "师傅迟到" in c.value]
    assert reasons == ["***说师傅迟到，回电***"]  # the planted text, its customer scrubbed


def test_customer_data_left_in_the_assessment_copy_is_named_in_the_notes(shared) -> None:
    path = shared["root"] / MONTH / OUT_DIR / ASSESSMENT
    hits = scan(path, shared["month"])
    # the planted 说明 and its copy in 结账明细, nothing else
    assert len(hits) == 2 and hits[0] == f"{ITEMS.name}!{shared['planted']['desc_row']},{ITEMS.index('desc')}"
    (note,) = [line for line in shared["console"].splitlines() if ASSESSMENT in line and "客户姓名、电话或地址" in line]
    named = re.findall(r"([^（、]+)!([A-Z]+)(\d+)", note.split("（", 1)[1])
    assert [f"{s}!{int(r)},{_col(c)}" for s, c, r in named] == hits


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def test_internal_files_are_named_and_do_hold_customers(shared) -> None:
    """They are not covered by --share (附件4 lists customers; a 流转单 is for calling back):
    the console says so, and the scan finds customers in them (so the scan can find any)."""
    console = shared["console"]
    assert "对外版" in console and all(name in console for name in INTERNAL)
    for name in INTERNAL:
        assert scan(shared["root"] / MONTH / OUT_DIR / name, shared["month"]), name


def test_record_and_console_hold_no_customer(shared) -> None:
    root, month = shared["root"], shared["month"]
    record = MonthFolder(root, MONTH).record_path.read_text(encoding="utf-8")
    pattern = _pattern(month)
    assert pattern.search(record) is None
    assert pattern.search(shared["console"]) is None
    assert "对外版" in "".join(json.loads(record)["注意"])


def test_share_option_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    help_text = sub.choices["close"].format_help()
    assert "--share" in help_text and "意见统计表和流转单仍含客户信息" in help_text
    assert sub.choices["close"].parse_args([MONTH, "--no-people"]).share  # the old name still works
