"""The cross-month rules on both paths: the past months read from their workbooks (no store)
and from the history store (the past folders deleted, so only the store can answer).

The months, typed by hand:
- 2026-10 台账: 客户甲 (13700000001) called 10-30; 客户乙 (13700000002) called 10-20.
- 2026-11 台账: 客户甲 called 11-05 → 6 days after 10-30: within 7 (回访 三.3);
  客户乙 called 11-05 → 16 days: fine.
- 2026-08 投诉台账: 客户丙 (13600000003) TS0801 办结 08-05 17:00.
- 2026-09 投诉台账: 客户丁 (13600000004) TS0901 办结 09-20 10:00.
- 2026-11 投诉台账: 客户丁 TS1101 受理 11-10 → 09-20 + 3 months = 12-20: a repeat
  (附件3 第7项); 客户丙 TS1102 受理 11-06 → 08-05 + 3 months = 11-05: one day past, not.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from xinao_xl.books import callback_ledger, complaint_ledger
from xinao_xl.books.completed_export import write_completed_export
from xinao_xl.books.port import WARNING
from xinao_xl.books.workbooks import BOOKS, file_name
from xinao_xl.books.writer import write_record
from xinao_xl.history.store import HistoryStore
from xinao_xl.policy.rules import load_rules
from xinao_xl.services import history
from xinao_xl.services.lookback import lookback
from xinao_xl.services.sampling import sample_day
from xinao_xl.services.validate import validate_month

RULES = load_rules()
LEDGER = callback_ledger.ledger_sheet()
COMPLAINTS = complaint_ledger.ledger_sheet(RULES)
NOW = datetime(2026, 11, 28, 10, 0)
JIA, YI, BING, DING = "13700000001", "13700000002", "13600000003", "13600000004"


def call(day: date, phone: str, name: str, n: int) -> dict[str, Any]:
    return {"call_date": day, "business": "维修", "order": f"GD{n:04d}", "done_date": day, "customer": name, "phone": phone, "address": f"东昌路{n}号",
            "dept": "客服部", "agent": "孙雪燕", "result": "满意"}


def complaint(no: str, accepted: datetime, phone: str, name: str, closed: datetime | None = None) -> dict[str, Any]:
    row = {"no": no, "accepted": accepted, "channel": "400", "level": "5级", "customer": name, "phone": phone, "dept": "客服部",
           "inv_done": accepted.replace(hour=15), "handle_done": accepted.replace(hour=16), "resp": "有责"}
    if closed:
        row.update({"revisit_done": closed, "closed": closed})
    return row


def write_ledger(root: Path, month: str, stem: str, rows: list[dict[str, Any]]) -> None:
    builder = dict(BOOKS)[stem]
    wb = builder(month, RULES)
    spec = LEDGER if stem == callback_ledger.STEM else COMPLAINTS
    for r, values in enumerate(rows, start=spec.first_row):
        write_record(wb[spec.name], spec, r, values)
    (root / month).mkdir(parents=True, exist_ok=True)
    wb.save(root / month / file_name(stem, month))


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lookback")
    write_ledger(root, "2026-10", callback_ledger.STEM, [call(date(2026, 10, 30), JIA, "客户甲", 1), call(date(2026, 10, 20), YI, "客户乙", 2)])
    write_ledger(root, "2026-08", complaint_ledger.STEM, [complaint("TS0801", datetime(2026, 8, 1, 9), BING, "客户丙", datetime(2026, 8, 5, 17))])
    write_ledger(root, "2026-09", complaint_ledger.STEM, [complaint("TS0901", datetime(2026, 9, 15, 9), DING, "客户丁", datetime(2026, 9, 20, 10))])
    for stem, build in BOOKS:  # the month checked: four workbooks
        if stem not in (callback_ledger.STEM, complaint_ledger.STEM):
            (root / "2026-11").mkdir(exist_ok=True)
            build("2026-11", RULES).save(root / "2026-11" / file_name(stem, "2026-11"))
    write_ledger(root, "2026-11", callback_ledger.STEM, [call(date(2026, 11, 5), JIA, "客户甲", 11), call(date(2026, 11, 5), YI, "客户乙", 12)])
    write_ledger(root, "2026-11", complaint_ledger.STEM, [complaint("TS1101", datetime(2026, 11, 10, 9), DING, "客户丁"),
                                                         complaint("TS1102", datetime(2026, 11, 6, 9), BING, "客户丙")])
    return root


def past_records() -> dict[str, dict[str, list[dict[str, Any]]]]:
    """What the store holds for the past months (as if they were closed and recorded)."""
    def cb(row: int, day: date, phone: str, name: str) -> dict[str, Any]:
        return {"row_no": row, "call_date": day, "in_month": True, "phone": phone, "customer": name, "customer_key": "T" + phone, "result": "满意",
                "satisfied": True, "unsatisfied": False, "flow": False, "carried": False}

    def ts(row: int, no: str, phone: str, closed: datetime) -> dict[str, Any]:
        return {"row_no": row, "complaint_no": no, "in_month": True, "phone": phone, "customer_key": "T" + phone, "closed": closed, "dept": "客服部",
                "responsible": True, "grade_c": False, "carried": False}

    info = {"closed_at": datetime(2026, 11, 4, 9)}
    return {
        "2026-08": {"months": [info], "complaints": [ts(3, "TS0801", BING, datetime(2026, 8, 5, 17))]},
        "2026-09": {"months": [info], "complaints": [ts(3, "TS0901", DING, datetime(2026, 9, 20, 10))]},
        "2026-10": {"months": [info], "callbacks": [cb(3, date(2026, 10, 30), JIA, "客户甲"), cb(4, date(2026, 10, 20), YI, "客户乙")]},
    }


@pytest.fixture
def store_only(months: Path, tmp_path: Path, db_url: str) -> tuple[Path, str]:
    """The month to check, the past months only in the store (their folders gone)."""
    root = tmp_path / "root"
    shutil.copytree(months / "2026-11", root / "2026-11")
    with HistoryStore(db_url) as st:
        for month, records in past_records().items():
            st.write_month("聊城新奥燃气", month, records)
    return root, db_url


def cross_month(findings: list) -> list[tuple[str, str, str]]:
    return sorted((f.workbook, f.cell, f.message) for f in findings if "回访办法三.3" in f.message or "附件3第7项" in f.message)


def test_from_the_workbooks_without_a_store(months: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XINAO_XL_DB", raising=False)
    assert not (months / history.H.DB_FILE).exists()
    findings = validate_month(months / "2026-11", now=NOW)
    found = cross_month(findings)
    assert [(w, c) for w, c, _ in found] == [("2026-11_客户回访信息台账.xlsx", "F3"), ("2026-11_客户投诉台账.xlsx", "A3")]
    assert "已于2026-10-30回访（上月台账第3行），7日内不应重复回访" in found[0][2]
    assert "137****0001" in found[0][2] and JIA not in found[0][2]
    assert "TS0901已于2026-09-20 10:00办结（2026-09投诉台账第3行），3个月内再次投诉" in found[1][2]
    assert {f.severity for f in findings if (f.workbook, f.cell, f.message) in found} == {WARNING}
    lb = lookback(months, "2026-11")
    assert lb.sources == ["2026-10 台账（工作簿）", "2026-08 投诉台账（工作簿）", "2026-09 投诉台账（工作簿）"]


def test_from_the_store_when_it_holds_the_months(months: Path, store_only: tuple[Path, str]) -> None:
    root, db = store_only
    lb = lookback(root, "2026-11", db=db)
    assert lb.sources == ["2026-10 台账（历史库）", "2026-08 投诉台账（历史库）", "2026-09 投诉台账（历史库）", "2026-10 投诉台账（历史库）"]
    with_store = cross_month(validate_month(root / "2026-11", now=NOW, db=db))
    without = cross_month(validate_month(months / "2026-11", now=NOW, db="off"))
    assert with_store == without and len(with_store) == 2  # the same findings, word for word


def test_a_month_the_store_lacks_comes_from_its_workbook(months: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    shutil.copytree(months, root)
    with HistoryStore(str(root / "历史库.sqlite")) as st:  # only 2026-09 recorded; the default file beside the folders
        st.write_month("聊城新奥燃气", "2026-09", past_records()["2026-09"])
    lb = lookback(root, "2026-11")
    assert lb.sources == ["2026-10 台账（工作簿）", "2026-08 投诉台账（工作簿）", "2026-09 投诉台账（历史库）"]
    assert len(cross_month(validate_month(root / "2026-11", now=NOW))) == 2


def test_a_store_that_cannot_be_read_falls_back_to_the_workbooks(months: Path) -> None:
    lb = lookback(months, "2026-11", db="postgresql://nobody@127.0.0.1:1/none")
    assert lb.sources[0].startswith("历史库（") and "无法读取" in lb.sources[0]
    assert lb.sources[1:] == ["2026-10 台账（工作簿）", "2026-08 投诉台账（工作簿）", "2026-09 投诉台账（工作簿）"]
    assert {c["phone"] for c in lb.calls} == {JIA, YI}


def test_sampling_skips_a_customer_the_store_says_was_called(months: Path, store_only: tuple[Path, str], tmp_path: Path) -> None:
    """11-02: 客户甲 was called 10-30 (in the store only): left out; a new customer is taken."""
    root, db = store_only
    write_ledger(root, "2026-11", callback_ledger.STEM, [])  # nobody called yet this month
    export = tmp_path / "完工.xlsx"
    rows = [{"order": "WG1", "business": "维修", "done_at": datetime(2026, 11, 1, 10), "customer": "客户甲", "phone": JIA, "address": "东昌路1号"},
            {"order": "WG2", "business": "维修", "done_at": datetime(2026, 11, 1, 11), "customer": "新客户", "phone": "13500000009", "address": "柳园路9号"}]
    write_completed_export(export, rows)
    result = sample_day(export, date(2026, 11, 2), "孙雪燕", root, seed=1, db=db)
    assert [o.order_no for o in result.sample.taken] == ["WG2"]
    assert [(o.order_no, why) for o, why in result.sample.skipped] == [("WG1", "该客户10-30已回访，7日内不重复回访")]
