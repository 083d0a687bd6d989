"""Daily sampling: the rules (3-day window, 7 days across months, quotas, scope), the rows
appended pre-filled, the previous 台账 kept in 历史版本, determinism, a workbook open in Excel refused."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from xinao_xl.books import callback_ledger
from xinao_xl.books.completed_export import write_completed_export
from xinao_xl.books.printing import load_book, print_formula, used_rows_area
from xinao_xl.books.read import BookReader
from xinao_xl.books.save import history_versions, sha256
from xinao_xl.policy.callbacks import daily_quotas
from xinao_xl.services.new_month import WorkbookOpenError
from xinao_xl.services.sampling import ledger_path, read_export, sample_day

from . import hand_month as H

DAY = date(2026, 11, 20)


def order(n: int, business: str, done: datetime, phone: str | None = None) -> dict[str, object]:
    return {"order": f"WG{n:05d}", "business": business, "done_at": done, "customer": f"新客户{n}", "phone": phone or f"1380000{n:04d}",
            "address": f"柳园路{n}号", "staff": "李师傅", "dept": "客服部"}


def export_rows() -> list[dict[str, object]]:
    rows = [order(i, "维修", datetime(2026, 11, 19, 9 + i % 8)) for i in range(1, 21)]  # 20 fresh 维修
    rows += [order(30 + i, "置换", datetime(2026, 11, 18, 10)) for i in range(3)]  # 3 fresh 置换
    rows += [order(40, "维修", datetime(2026, 11, 16, 10))]  # 4 days old
    rows += [order(41, "维修", datetime(2026, 11, 19, 10), phone="13900000008")]  # 客户8 called 11-13
    rows += [order(42, "表计更换", datetime(2026, 11, 19, 10))]  # not a callback type
    rows += [order(43, "零散", datetime(2026, 11, 19, 11)), order(44, "零散", datetime(2026, 11, 19, 12))]
    return rows


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sampling")
    H.build(root)
    write_completed_export(root / "完工.xlsx", export_rows())
    return root


def _copy(month: Path, tmp_path: Path) -> Path:
    shutil.copytree(month, tmp_path / "m")
    return tmp_path / "m"


def test_export_read_by_header(month: Path) -> None:
    orders = read_export(month / "完工.xlsx")
    assert len(orders) == len(export_rows())
    assert orders[0].order_no == "WG00001" and orders[0].phone == "13800000001" and orders[0].completed_at == datetime(2026, 11, 19, 10)


def test_rules_quotas_and_rows_appended(month: Path, tmp_path: Path) -> None:
    root = _copy(month, tmp_path)
    result = sample_day(root / "完工.xlsx", DAY, "孙雪燕", root, seed=1)
    reasons = {o.order_no: r for o, r in result.sample.skipped}
    assert reasons["WG00040"] == "完工已超过3日"
    assert "7日内不重复回访" in reasons["WG00041"] and "11-13" in reasons["WG00041"]
    assert "不在回访范围" in reasons["WG00042"]
    # eligible: 维修 20, 置换 3, 零散 2 → the policy's quotas (零散 all; 置换's shortfall to 维修)
    expected = daily_quotas({"维修": 20, "置换": 3, "零散": 2})
    assert result.sample.taken_by_type() == {k: v for k, v in expected.items() if v}
    assert result.sample.taken_by_type()["维修"] == 20 and result.sample.taken_by_type()["零散"] == 2

    spec = callback_ledger.ledger_sheet()
    rows = BookReader(ledger_path(root, "2026-11")).table(spec).records()
    added = [r for r in rows if r["agent"] == "孙雪燕" and r["call_date"] == DAY and r["order"].startswith("WG")]
    assert len(added) == len(result.sample.taken) == 25
    assert [r["_row"] for r in added] == result.rows == list(range(spec.first_row + len(H.CALLS), spec.first_row + len(H.CALLS) + 25))
    first = next(r for r in added if r["order"] == "WG00001")
    assert first["phone"] == "13800000001" and first["done_date"] == date(2026, 11, 19) and first["dept"] == "客服部" and first["result"] is None
    kept = history_versions(ledger_path(root, "2026-11"))  # the 台账 as it was before the rows were appended
    assert len(kept) == 1 and sha256(kept[0]) == sha256(month / "2026-11" / ledger_path(root, "2026-11").name)
    assert "完工已超过3日" in result.summary()
    # the 台账 still prints only its rows in use (openpyxl alone would drop the print-area formula)
    assert print_formula(load_book(ledger_path(root, "2026-11"))[spec.name]) == used_rows_area(spec)

    # a second run the same day adds nothing: orders already in the 台账, quotas already met
    again = sample_day(root / "完工.xlsx", DAY, "孙雪燕", root, seed=1)
    assert again.sample.taken == [] and again.rows == []


def test_last_month_counts_for_the_seven_days(month: Path, tmp_path: Path) -> None:
    root = _copy(month, tmp_path)
    write_completed_export(root / "早.xlsx", [order(1, "维修", datetime(2026, 11, 4, 9), phone=H.PREVIOUS_PHONE), order(2, "维修", datetime(2026, 11, 4, 9))])
    result = sample_day(root / "早.xlsx", date(2026, 11, 5), "孙雪燕", root)
    assert [o.order_no for o in result.sample.taken] == ["WG00002"]
    assert "10-30" in dict((o.order_no, r) for o, r in result.sample.skipped)["WG00001"]


def test_deterministic_for_a_seed(month: Path, tmp_path: Path) -> None:
    a = sample_day(_copy(month, tmp_path / "a") / "完工.xlsx", DAY, "孙雪燕", tmp_path / "a" / "m", seed=7)
    b = sample_day(_copy(month, tmp_path / "b") / "完工.xlsx", DAY, "孙雪燕", tmp_path / "b" / "m", seed=7)
    assert [o.order_no for o in a.sample.taken] == [o.order_no for o in b.sample.taken]


def test_open_ledger_is_refused(month: Path, tmp_path: Path) -> None:
    root = _copy(month, tmp_path)
    path = ledger_path(root, "2026-11")
    (path.parent / ("~$" + path.name)).write_text("lock")
    with pytest.raises(WorkbookOpenError):
        sample_day(root / "完工.xlsx", DAY, "孙雪燕", root)
