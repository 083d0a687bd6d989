"""The UDFs give the policy functions' numbers, accept ranges, and never raise into Excel."""

from __future__ import annotations

import inspect
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinao_xl.excel import udfs
from xinao_xl.excel.udfs import (
    ALLOWANCE,
    BONUS_PRAISE,
    CALLBACK_QUOTA,
    COMPANY_ITEM,
    DEDUCT_COMPLAINT,
    DEDUCT_DAYS,
    DEDUCT_LATE_FLOW,
    DEDUCT_MYSTERY,
    DEDUCT_PLATFORM,
    DEDUCT_RATE,
    DEDUCT_SATISFACTION,
    DEPT_GRADE,
    DEPT_SCORE,
    DEPT_WEIGHT,
    DUE_DATE,
    SLA_STATUS,
    UDF_SPECS,
    WORKDAY_CN,
)

CONTRACT = {  # DESIGN.md "UDF contract": names and argument order are fixed
    "DEDUCT_COMPLAINT": ["level", "channel", "responsible"],
    "DEDUCT_MYSTERY": ["score", "standard"],
    "DEDUCT_SATISFACTION": ["rate", "target"],
    "DEDUCT_PLATFORM": ["rate", "kind"],
    "DEDUCT_RATE": ["actual", "target", "per_point"],
    "DEDUCT_DAYS": ["actual_days", "limit_days", "per_day"],
    "DEDUCT_LATE_FLOW": ["count"],
    "BONUS_PRAISE": ["count", "media_points"],
    "DEPT_SCORE": ["deductions", "bonuses"],
    "DEPT_GRADE": ["levels"],
    "DEPT_WEIGHT": ["department"],
    "COMPANY_ITEM": ["department", "score"],
    "ALLOWANCE": ["base", "score"],
    "CALLBACK_QUOTA": ["business", "completed"],
    "DUE_DATE": ["start", "stage", "major"],
    "WORKDAY_CN": ["start", "days"],
    "SLA_STATUS": ["due", "done", "now"],
}


def test_contract_names_and_argument_order() -> None:
    assert {s.name: [a.name for a in s.args] for s in UDF_SPECS} == CONTRACT
    for name, args in CONTRACT.items():
        # and last, hidden from Excel, xlwings' calling cell: the month's rules (issue 15)
        assert list(inspect.signature(getattr(udfs, name)).parameters) == [*args, "caller"]


def test_every_udf_has_chinese_help() -> None:
    for spec in UDF_SPECS:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in spec.help), spec.name
        for arg in spec.args:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in arg.doc), (spec.name, arg.name)


def test_issue_2_done_when_line() -> None:
    code = "from xinao_xl.excel.udfs import DEDUCT_COMPLAINT as d; print(d('400四级'), d(2), d('', '市长热线'), d(3, '95158', False))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["15.0", "25.0", "10.0", "0.0"]


def test_7_1_1_complaint() -> None:
    assert DEDUCT_COMPLAINT("400四级") == 15  # 400 四级 15
    assert DEDUCT_COMPLAINT(2) == 25  # 二级 25
    assert DEDUCT_COMPLAINT("", "市长热线") == 10  # hotline 10
    assert DEDUCT_COMPLAINT(4, "12345") == 15  # 就高: max(10, 15)
    assert DEDUCT_COMPLAINT(5, "95158") == 10  # max(10, 10)
    assert DEDUCT_COMPLAINT(3, "95158", False) == 0  # 无责
    assert DEDUCT_COMPLAINT(3, "95158", "无责") == 0
    assert DEDUCT_COMPLAINT(1, None, None) == 25  # blank responsible = 有责


def test_bad_input_returns_short_error_text() -> None:
    assert DEDUCT_COMPLAINT("六级") == "#无效级别: 六级"
    assert DEDUCT_COMPLAINT("", "400") .startswith("#缺少级别")
    assert DEDUCT_SATISFACTION("abc").startswith("#无效比率")
    assert DEPT_WEIGHT("财务处").startswith("#无效部门")
    assert BONUS_PRAISE(1, [6]).startswith("#无效媒体加分")
    assert WORKDAY_CN("2026-12-30", 3) == "#日历未确认: 2027年"


def test_rates_and_scores() -> None:
    assert DEDUCT_MYSTERY(93.5) == 4.5  # (95 − 93.5) × 3
    assert DEDUCT_MYSTERY(90, 92) == 6  # (92 − 90) × 3
    assert DEDUCT_SATISFACTION("96.5%") == DEDUCT_SATISFACTION(0.965) == DEDUCT_SATISFACTION(96.5) == 3  # 1.5 × 2
    assert DEDUCT_SATISFACTION(0.95, 0.96) == 2  # 车用燃气部 96%: 1 × 2
    assert DEDUCT_PLATFORM(0.46, "上门及时率") == 8  # (50 − 46) × 2
    assert DEDUCT_PLATFORM("93%", "好评率") == 4  # (95 − 93) × 2
    assert DEDUCT_PLATFORM(0.5, "其他").startswith("#无效指标")
    assert DEDUCT_RATE(0.995, 1) == 1  # 0.5 × 2
    assert DEDUCT_RATE(0.99, 1, 3) == 3  # 1 × 3
    assert DEDUCT_DAYS(3.5, 3) == 1  # 0.5 day × 2
    assert DEDUCT_DAYS(4, 2, 1) == 2
    assert DEDUCT_LATE_FLOW(3) == 6  # 3 × 2


def test_ranges_with_blanks() -> None:
    assert BONUS_PRAISE(2, [[4, None], [None, 3]]) == 11  # 2 × 2 + 4 + 3
    assert BONUS_PRAISE(1) == 2
    assert DEPT_SCORE([[10, None], [5, 2.5]], [4]) == 86.5  # 100 − 17.5 + 4
    assert DEPT_SCORE([80, 40]) == 0  # floor at 0
    assert DEPT_SCORE(5, [[3, 4]]) == 102  # no ceiling
    # a negative deduction is a typing error, not a 5-point bonus (was 105)
    assert DEPT_SCORE([-5]) == "#无效扣分: -5"
    assert DEPT_SCORE([10], [-2]) == "#无效加分: -2"
    assert DEPT_GRADE([[4, None], [2, 5]]) == "C"
    assert DEPT_GRADE([3, 4, None]) == ""


def test_weights_company_item_allowance() -> None:
    assert DEPT_WEIGHT("客服部") == 0.15 and DEPT_WEIGHT("技术质量安全部") == 0.05
    assert COMPANY_ITEM("客服部", 90) == 13.5  # 0.15 × 90
    assert COMPANY_ITEM("管网部", 104) == 10.4  # 0.10 × 100 + 0.1 × 4
    assert ALLOWANCE(300, 90.5) == 271.5  # 300 × 90.5 / 100


def test_callback_quota_scalar_row_and_pairs() -> None:
    assert CALLBACK_QUOTA("维修", 40) == 15 and CALLBACK_QUOTA("维修", 7) == 7
    assert CALLBACK_QUOTA("零散", 23) == 23  # 全部
    row = [20, 4, 50, 10, 10, 3, 1]  # 置换 short by 6: 维修 +5 (20), 安检 +1 (31)
    assert (CALLBACK_QUOTA("维修", row), CALLBACK_QUOTA("置换", row), CALLBACK_QUOTA("安检", row)) == (20, 4, 31)
    pairs = [["维修", 20], ["置换", 4], ["安检", 50], ["售气", 10], ["车用燃气用户", 10]]
    assert CALLBACK_QUOTA("安检", pairs) == 31
    assert CALLBACK_QUOTA("煤气", 3).startswith("#无效业务类型")


def test_deadlines_and_sla() -> None:
    # 投诉 第七条(一)2: major 1 natural day from 11-03 15:20 → 24:00 on 11-04
    assert DUE_DATE("2026-11-03 15:20", "调查", True) == datetime(2026, 11, 4, 23, 59, 59)
    assert DUE_DATE("2026-11-03 15:20", "调查") == datetime(2026, 11, 5, 23, 59, 59)
    # 第九条(四): 3 working days from 09-30 → 10-08, 10-09, 10-10 (调休 Saturday)
    assert DUE_DATE(datetime(2026, 9, 30, 10), "申诉处理") == datetime(2026, 10, 10, 23, 59, 59)
    assert WORKDAY_CN("2026-09-30", 3) == datetime(2026, 10, 10)
    assert SLA_STATUS("2026-11-05 23:59:59", None, "2026-11-05 08:00") == "即将到期"
    assert SLA_STATUS("2026-11-05 23:59:59", None, "2026-11-03 08:00") == "正常"
    assert SLA_STATUS("2026-11-05 23:59:59", None, "2026-11-06 08:00") == "已超时"
    assert SLA_STATUS("2026-11-05 23:59:59", "2026-11-05 18:00") == "按时完成"
    assert SLA_STATUS("2026-11-05 23:59:59", "2026-11-06 00:10") == "超时完成"
    assert DUE_DATE("2026-11-03", "审批").startswith("#无效环节")


def test_only_sla_status_reads_the_clock_and_is_volatile_and_says_so() -> None:
    """Without ``now`` the status moves with time while its arguments stay: a non-volatile
    UDF would show 正常 in an untouched row long after the deadline (issue 17)."""
    assert [s.name for s in UDF_SPECS if s.volatile] == ["SLA_STATUS"]
    spec = next(s for s in UDF_SPECS if s.name == "SLA_STATUS")
    assert "易失函数" in spec.help and "F9" in spec.help and "刷新时限" in spec.help
    assert "重新计算时的时间" in spec.args[2].doc
    due = datetime.now().replace(microsecond=0) - timedelta(seconds=1)
    assert SLA_STATUS(due) == "已超时"  # no now: the clock at the call


cell_values = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=12),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2030, 1, 1)),
    st.lists(st.one_of(st.none(), st.integers(0, 100), st.text(max_size=3)), max_size=4),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(cell_values, min_size=3, max_size=3))
def test_no_udf_ever_raises(args: list[object]) -> None:
    for spec in UDF_SPECS:
        func = getattr(udfs, spec.name)
        result = func(*args[: len(spec.args)])
        assert isinstance(result, float | int | str | datetime), (spec.name, args, result)


@pytest.mark.parametrize("bad", ["六级", "0", "400"])
def test_error_text_quotes_the_value(bad: str) -> None:
    assert DEDUCT_COMPLAINT(bad) == f"#无效级别: {bad}"
