"""The period queries on a hand-made store (SQLite and PostgreSQL): every figure worked out by hand.

The rows below are few and chosen so that a wrong rule shows: a complaint with two
departments (counted once as 起, twice as 部门条), a complaint carried into the next month
with a later state (SLA uses the latest state; counts use the month it was accepted in), a
carried callback and flow form (not counted again), a repeat complaint and one just outside
the 3 months, a score month outside the 12-month trend.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Table

from tests.history.conftest import empty_store
from xinao_xl.history import queries as Q
from xinao_xl.history import schema as S
from xinao_xl.policy.month import Month
from xinao_xl.policy.rules import load_rules

RULES = load_rules()
CO = "测试公司"
PERIOD = ["2026-10", "2026-11", "2026-12"]
KEY_A = "T13900000001"


def _rows(table: Table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill what a test row leaves out: not-null flags false, the rest NULL."""
    out = []
    for r in rows:
        full = {c.name: (False if not c.nullable and isinstance(c.type, S.Boolean) else None) for c in table.columns}
        full.update(company=CO, **r)
        out.append(full)
    return out


def _complaint(month: str, row_no: int, no: str, accepted: datetime, dept: str, **kw: Any) -> dict[str, Any]:
    return {"month": month, "row_no": row_no, "complaint_no": no, "accepted": accepted, "dept": dept, "responsible": True,
            "in_month": f"{accepted:%Y-%m}" == month, **kw}


TS1 = {"channel": "400", "level": 4, "points": 15.0, "customer_key": KEY_A, "closed": datetime(2026, 10, 9, 12),
       "inv_status": "按时完成", "inv_hours": 10.0, "handle_status": "按时完成", "handle_hours": 30.0, "revisit_status": "超时完成", "revisit_hours": 60.0}
TS2 = {"channel": "400", "level": 3, "major": "2.1", "major_class": "安全问题", "inv_status": "超时完成", "inv_hours": 50.0, "handle_status": "已超时"}
TS2_LATER = {**TS2, "carried": True, "handle_status": "超时完成"}
COMPLAINTS = [
    _complaint("2026-07", 3, "TS0", datetime(2026, 6, 20, 9), "客服部", channel="400", level=5, customer_key="T13900000009", closed=datetime(2026, 7, 1, 9)),
    _complaint("2026-10", 3, "TS1", datetime(2026, 10, 5, 10), "客服部", **TS1),
    _complaint("2026-10", 4, "TS2", datetime(2026, 10, 20, 10), "客服部", points=20.0, **TS2),
    _complaint("2026-10", 5, "TS2", datetime(2026, 10, 20, 10), "管网部", responsible=False, no_fault_reason=2, points=0.0, **TS2),
    _complaint("2026-11", 3, "TS2", datetime(2026, 10, 20, 10), "客服部", points=20.0, **{**TS2_LATER, "handle_hours": 80.0}),
    _complaint("2026-11", 4, "TS2", datetime(2026, 10, 20, 10), "管网部", responsible=False, no_fault_reason=2, points=0.0,
               **{**TS2_LATER, "handle_hours": 70.0}),
    _complaint("2026-11", 5, "TS3", datetime(2026, 11, 20, 15), "计财部", channel="95158", points=10.0, customer_key=KEY_A,
               inv_status="按时完成", inv_hours=5.0, handle_status="正常"),
    _complaint("2026-11", 6, "TS4", datetime(2026, 11, 25, 15), "计财部", channel="其他", level=5, points=0.0, customer_key="T13900000009"),
]


def _call(month: str, row_no: int, business: str, result: str, **kw: Any) -> dict[str, Any]:
    return {"month": month, "row_no": row_no, "business": business, "result": result, "in_month": True,
            "satisfied": result == "满意", "unsatisfied": result == "不满意", **kw}


CALLS = [
    *(_call("2026-10", r, "维修", "满意") for r in (3, 4, 5)),
    _call("2026-10", 6, "维修", "不满意", reason="上门不及时", dept="客服部"),
    _call("2026-10", 7, "维修", "未接通"),
    _call("2026-10", 8, "安检", "满意"),
    _call("2026-10", 9, "安检", "满意"),
    _call("2026-11", 3, "维修", "满意"),
    _call("2026-11", 4, "维修", "拒访"),
    _call("2026-11", 5, "维修", "不满意", in_month=False, carried=True),  # October's, carried
]
FLOWS = [
    {"month": "2026-10", "row_no": 6, "dept": "客服部", "late": True, "in_month": True},
    {"month": "2026-10", "row_no": 7, "dept": "客服部", "late": False, "in_month": True},
    {"month": "2026-11", "row_no": 9, "dept": "管网部", "late": True, "in_month": True},
    {"month": "2026-11", "row_no": 5, "dept": "客服部", "late": True, "in_month": False, "carried": True},
]


def _card(month: str, dept: str, score: float, deductions: float, bonuses: float = 0.0) -> dict[str, Any]:
    return {"month": month, "dept": dept, "score": score, "deductions": deductions, "bonuses": bonuses, "grade": "", "weight": 0.1, "company_item": 0.0}


CARDS = [
    _card("2025-12", "客服部", 50, 50),  # outside the 12 months ending 2026-12
    _card("2026-01", "客服部", 60, 40),
    _card("2026-10", "客服部", 80, 25, 5), _card("2026-10", "管网部", 100, 0),
    _card("2026-11", "客服部", 90, 10), _card("2026-11", "管网部", 70, 30),
]
ITEMS = [
    {"month": "2026-10", "dept": "客服部", "seq": 0, "category": "指标", "item_text": "入户及时率", "points": -10.0},
    {"month": "2026-10", "dept": "客服部", "seq": 1, "category": "投诉", "item_text": "TS1", "points": -15.0},
    {"month": "2026-10", "dept": "客服部", "seq": 2, "category": "表扬", "item_text": "表扬", "points": 5.0},
    {"month": "2026-11", "dept": "管网部", "seq": 0, "category": "投诉", "item_text": "TS5", "points": -20.0},
    {"month": "2026-11", "dept": "管网部", "seq": 1, "category": "流转单", "item_text": "超时", "points": -2.0},
    {"month": "2026-11", "dept": "管网部", "seq": 2, "category": "手工", "item_text": "手工", "points": -8.0},
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def conn(request: pytest.FixtureRequest):
    """The hand-made store in SQLite (in memory) and in the session's PostgreSQL (conftest)."""
    engine = empty_store(request)
    with engine.begin() as c:
        c.execute(S.months.insert(), _rows(S.months, [{"month": m} for m in ("2025-12", "2026-01", "2026-07", "2026-10", "2026-11")]))
        c.execute(S.complaints.insert(), _rows(S.complaints, COMPLAINTS))
        c.execute(S.callbacks.insert(), _rows(S.callbacks, CALLS))
        c.execute(S.flow_forms.insert(), _rows(S.flow_forms, FLOWS))
        c.execute(S.completed_orders.insert(), _rows(S.completed_orders, [
            {"month": "2026-10", "business": "维修", "count": 20}, {"month": "2026-10", "business": "安检", "count": 10},
            {"month": "2026-11", "business": "维修", "count": 5}]))
        c.execute(S.score_cards.insert(), _rows(S.score_cards, CARDS))
        c.execute(S.score_items.insert(), _rows(S.score_items, ITEMS))
        # another company's month must never leak in
        c.execute(S.score_cards.insert(), [{**_rows(S.score_cards, [_card("2026-10", "客服部", 1, 99)])[0], "company": "别的公司"}])
    with engine.connect() as c:
        yield c
    if request.param == "postgresql":
        S.metadata.drop_all(engine)
    engine.dispose()


def _table(frame: pd.DataFrame, *cols: str) -> dict[str, tuple]:
    return {r[0]: tuple(r[1:]) for r in frame[["key", *cols]].itertuples(index=False, name=None)}


def test_present_months(conn) -> None:
    # (the months of a trend, formerly month_range here: Month.back, tests/policy/test_month.py)
    assert Q.present_months(conn, PERIOD, CO) == ["2026-10", "2026-11"]


def test_complaints_by_level_counts_complaints_once_and_departments_each(conn) -> None:
    f = Q.complaints_by(conn, PERIOD, CO, "level", RULES)
    # TS2 (3级) has two department rows, one 无责; TS3 is channel-only; TS4 5级 has 0 points
    assert list(f["key"]) == ["3级", "4级", "5级", Q.UNLEVELLED]
    assert _table(f, "complaints", "rows", "responsible", "not_responsible", "points") == {
        "3级": (1, 2, 1, 1, 20.0), "4级": (1, 1, 1, 0, 15.0), "5级": (1, 1, 1, 0, 0.0), Q.UNLEVELLED: (1, 1, 1, 0, 10.0)}
    assert list(f["share"]) == [2 / 5, 1 / 5, 1 / 5, 1 / 5]


def test_complaints_by_channel_department_major_and_responsibility(conn) -> None:
    channel = Q.complaints_by(conn, PERIOD, CO, "channel", RULES)
    assert list(channel["key"]) == ["95158", "400", "其他"]  # the rules' order
    assert _table(channel, "complaints", "rows") == {"95158": (1, 1), "400": (2, 3), "其他": (1, 1)}
    dept = Q.complaints_by(conn, PERIOD, CO, "dept", RULES)
    assert _table(dept, "rows", "responsible", "not_responsible", "points") == {
        "客服部": (2, 2, 0, 35.0), "管网部": (1, 0, 1, 0.0), "计财部": (2, 2, 0, 10.0)}
    assert list(dept["key"]) == ["客服部", "管网部", "计财部"]
    major = Q.complaints_by(conn, PERIOD, CO, "major", RULES)
    assert _table(major, "complaints", "rows") == {"安全问题": (1, 2), Q.GENERAL: (3, 3)}
    resp = Q.complaints_by(conn, PERIOD, CO, "resp", RULES)
    assert _table(resp, "rows") == {"有责": (4,), f"无责：2.{RULES.no_fault_reasons[1]}": (1,)}


def test_sla_uses_the_latest_state_and_hours(conn) -> None:
    f = Q.sla(conn, PERIOD, CO, RULES).set_index("stage")
    inv, handle, revisit = (f.loc[name] for _, _, name in Q.STAGES)
    # 调查: TS1 按时 10 h, TS2 ×2 超时 50 h, TS3 按时 5 h; TS4 not started
    assert (inv["total"], inv["on_time"], inv["late"], inv["open_overdue"], inv["open"]) == (4, 2, 2, 0, 0)
    assert inv["on_time_rate"] == 2 / 4
    assert inv["median_hours"] == (10 + 50) / 2  # sorted 5, 10, 50, 50
    assert inv["p90_hours"] == 50.0  # position 0.9 × 3 = 2.7 between 50 and 50
    # 处理: TS1 按时 30 h; TS2 已超时 in October, 超时完成 in November (80 h, 70 h); TS3 正常
    assert (handle["total"], handle["on_time"], handle["late"], handle["open_overdue"], handle["open"]) == (4, 1, 2, 0, 1)
    assert handle["on_time_rate"] == 1 / 3
    assert handle["median_hours"] == 70.0  # 30, 70, 80
    assert handle["p90_hours"] == 70 + 0.8 * (80 - 70)  # position 0.9 × 2 = 1.8
    assert (revisit["total"], revisit["late"], revisit["on_time_rate"], revisit["median_hours"]) == (1, 1, 0.0, 60.0)
    october = Q.sla(conn, ["2026-10"], CO, RULES).set_index("stage").loc["最终处理、答复客户"]
    assert (october["open_overdue"], october["late"]) == (2, 0)  # as October's close saw them


def test_repeat_complaints_within_three_months_of_closing(conn) -> None:
    f = Q.repeat_complaints(conn, PERIOD, CO, RULES)
    # TS3 (11-20) comes from the customer of TS1 (办结 10-09): 42 days later, a repeat;
    # TS4's customer had TS0 办结 07-01: 07-01 + 3 months = 10-01 < 11-25, not a repeat
    assert list(f["no"]) == ["TS3"]
    row = f.iloc[0]
    assert (row["previous_no"], row["days_after"], row["dept"]) == ("TS1", (date(2026, 11, 20) - date(2026, 10, 9)).days, "计财部")
    # October alone: TS1 is its customer's first complaint (itself never counts), TS2 has no customer
    assert Q.repeat_complaints(conn, ["2026-10"], CO, RULES).empty


def test_callbacks_by_type_and_trend(conn) -> None:
    f = Q.callbacks_by_type(conn, PERIOD, CO, RULES).set_index("business")
    assert tuple(f.loc["维修", ["completed", "calls", "satisfied", "unsatisfied", "invalid"]]) == (20 + 5, 5, 4, 1, 2)
    assert f.loc["维修", "satisfaction"] == 4 / 5
    assert tuple(f.loc["安检", ["completed", "calls", "satisfaction"]]) == (10, 2, 1.0)
    assert f.loc["置换", "calls"] == 0 and pd.isna(f.loc["置换", "satisfaction"])
    assert tuple(f.loc["合计", ["completed", "calls", "satisfied", "unsatisfied", "invalid"]]) == (35, 7, 6, 1, 2)
    trend = Q.satisfaction_trend(conn, PERIOD, CO, RULES).set_index("month")
    assert list(trend.columns) == ["维修", "安检", "合计"]
    assert trend.loc["2026-10", "维修"] == 3 / 4 and trend.loc["2026-10", "合计"] == 5 / 6
    assert trend.loc["2026-11", "维修"] == 1.0 and pd.isna(trend.loc["2026-11", "安检"])
    assert trend.loc["2026-12"].isna().all()


def test_late_flow_forms_by_department_and_month(conn) -> None:
    f = Q.late_flows(conn, PERIOD, CO, RULES)
    assert _table(f, *PERIOD, "flows", "late_flows", "late_rate") == {
        "客服部": (1, 0, 0, 2, 1, 0.5), "管网部": (0, 1, 0, 1, 1, 1.0), "合计": (1, 1, 0, 3, 2, 2 / 3)}


def test_scores_deductions_and_twelve_month_trend(conn) -> None:
    scores = Q.score_table(conn, PERIOD, CO, "score", RULES)
    assert list(scores.columns) == ["key", *PERIOD, "平均"]
    row = scores.set_index("key").loc["客服部"]
    assert (row["2026-10"], row["2026-11"], row["平均"]) == (80, 90, (80 + 90) / 2) and pd.isna(row["2026-12"])
    deductions = Q.score_table(conn, PERIOD, CO, "deductions", RULES).set_index("key")
    assert deductions.loc["管网部", "合计"] == 0 + 30 and deductions.loc["客服部", "合计"] == 25 + 10
    categories = Q.deductions_by_category(conn, PERIOD, CO, RULES).set_index("key")
    assert list(categories.columns) == ["指标", "投诉", "流转单", "手工", "合计"]
    assert tuple(categories.loc["客服部"]) == (10, 15, 0, 0, 25)
    assert tuple(categories.loc["管网部"]) == (0, 20, 2, 8, 30)
    trend = Q.score_trend(conn, "2026-12", CO, rules=RULES).set_index("month")
    assert list(trend.index) == Month("2026-12").back(12)
    assert trend.loc["2026-01", "客服部"] == 60 and trend.loc["2026-10", "管网部"] == 100
    assert trend.loc["2026-05"].isna().all()
    assert list(trend.columns) == ["客服部", "管网部"]


def test_other_company_never_counted(conn) -> None:
    assert Q.score_table(conn, ["2026-10"], "别的公司", "score", RULES).set_index("key").loc["客服部", "2026-10"] == 1
    assert Q.score_table(conn, ["2026-10"], CO, "score", RULES).set_index("key").loc["客服部", "2026-10"] == 80

