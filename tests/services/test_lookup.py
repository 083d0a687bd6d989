"""A customer's callbacks and complaints across months (services/lookup.py, `xinao-xl lookup`):
October closed (in the history store), November open (its workbooks); the same customer
王芳 typed three ways (13812345678, 138-1234-5678, +86 138 1234 5678); found by phone or by
name, with and without the store, phones masked everywhere (in the texts too)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from tests.services import daily_month as D
from xinao_xl.cli import main
from xinao_xl.services.close import close_month
from xinao_xl.services.lookup import CustomerLookupError, lookup_customer

PHONE = "13812345678"
OCT_CALLS = [
    D.call("GD10", date(2026, 10, 12), "维修", date(2026, 10, 11), "满意") | {"customer": "王芳", "phone": PHONE, "opinion": "师傅很耐心"},
    D.call("GD11", date(2026, 10, 13), "安检", date(2026, 10, 12), "满意") | {"customer": "李雷", "phone": "13900000001"},
]
OCT_COMPLAINTS = [
    {"no": "TS1001", "accepted": datetime(2026, 10, 15, 9), "channel": "400", "level": "5级", "dept": "计财部", "customer": "王芳",
     "phone": "138-1234-5678", "content": "燃气费扣费有误，请回电13812345678", "inv_done": datetime(2026, 10, 16), "handle_done": datetime(2026, 10, 17),
     "revisit_done": datetime(2026, 10, 18), "closed": datetime(2026, 10, 20)},
]
NOV_CALLS = [
    D.call("GD20", date(2026, 11, 5), "置换", date(2026, 11, 4), "不满意") | {"customer": "王芳", "phone": "+86 138 1234 5678", "reason": "等待时间长"},
    D.call("GD21", date(2026, 11, 6), "维修", date(2026, 11, 5), "满意") | {"customer": "王小芳", "phone": "13900000002"},
]
NOV_COMPLAINTS = [
    {"no": "TS1101", "accepted": datetime(2026, 11, 18, 9), "channel": "市长热线", "dept": "管网部", "customer": "王芳", "phone": PHONE,
     "content": "停气没有通知"},
]
NOW = datetime(2026, 11, 20, 10)


@pytest.fixture
def months(tmp_path: Path) -> Path:
    D.build(tmp_path, "2026-10", OCT_CALLS, OCT_COMPLAINTS)
    close_month("2026-10", tmp_path, force=True, reason="测试：只填了台账", now=datetime(2026, 11, 3, 9))
    D.build(tmp_path, "2026-11", NOV_CALLS, NOV_COMPLAINTS)  # November as staff typed it (the close's blank books replaced)
    assert (tmp_path / "历史库.sqlite").is_file()
    return tmp_path


def test_by_phone_across_two_months_from_the_store_and_the_workbooks(months: Path) -> None:
    found = lookup_customer(months, "138 1234 5678", now=NOW)
    assert found.sources == ["2026-10 历史库", "2026-11 工作簿"]
    assert [(r[0], r[1], r[3], r[4], r[5], r[6]) for r in found.call_rows()] == [
        ("2026-10", "2026-10-12", "GD10", "王芳", "138****5678", "满意"),
        ("2026-11", "2026-11-05", "GD20", "王芳", "138****5678", "不满意"),  # typed +86 138 1234 5678
    ]
    assert found.call_rows()[1][9] == "2026-11_客户回访信息台账.xlsx 台账 第3行"
    assert [(r[0], r[1], r[3], r[4], r[8]) for r in found.complaint_rows()] == [
        ("2026-10", "TS1001", "400 5级", "计财部", "2026-10-20"),  # typed 138-1234-5678
        ("2026-11", "TS1101", "市长热线", "管网部", "未办结"),
    ]
    assert found.complaint_rows()[0][5] == "燃气费扣费有误，请回电138****5678"
    assert found.summary().startswith("电话 138****5678：回访 2 次、投诉 2 条（2026-10 至 2026-11）")


def test_the_same_without_the_store(months: Path) -> None:
    with_store = lookup_customer(months, PHONE, now=NOW)
    (months / "历史库.sqlite").unlink()
    without = lookup_customer(months, PHONE, now=NOW)
    assert without.sources == ["2026-10、2026-11 工作簿"]
    assert without.call_rows() == with_store.call_rows()
    assert without.complaint_rows() == with_store.complaint_rows()


def test_by_name_contained(months: Path) -> None:
    found = lookup_customer(months, "王芳", now=NOW)
    assert [r[4] for r in found.call_rows()] == ["王芳", "王芳"]  # 王小芳 does not contain 王芳
    assert len(lookup_customer(months, "小芳", now=NOW).calls) == 1
    assert lookup_customer(months, "韩梅梅", now=NOW).summary().startswith("没有找到客户“韩梅梅”的回访和投诉")


def test_a_query_too_short_is_refused(months: Path) -> None:
    with pytest.raises(CustomerLookupError, match="至少两个字"):
        lookup_customer(months, "王")


def test_the_command_masks_every_phone(months: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lookup", PHONE, "--dir", str(months), "--now", NOW.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "【回访 2 次】" in out and "【投诉 2 条】" in out and "138****5678" in out
    assert PHONE not in out and "1234 5678" not in out and "1234-5678" not in out
    assert main(["lookup", "王", "--dir", str(months)]) == 2
    assert "至少两个字" in capsys.readouterr().err
