"""The 投诉过程 sheet's four tables (投诉 第七条) on a hand-made store, every figure worked out
by hand below: rejections per department (第七条(二)3), special terminations (第七条(四)3、
附件5), callback results of complaints (第七条(三)), and complaints caused by an outsourced
provider or an internal partner unit (第七条(四)2); then the 概览's figures made from them.

The month 2026-11 (row: complaint, department, what the row says):

    3  TS10 客服部   round 1 驳回                          not counted
    4  TS10 客服部   round 2 通过, 回访 满意                15 points
    5  TS11 管网部   round 1 驳回                          not counted
    6  TS11 管网部   round 2 驳回                          not counted
    7  TS11 管网部   round 3 通过, 回访 不满意, 需复查       20 points
    8  TS12 调度中心 无责, 已批准 → 特殊终止, 回访 基本满意
    9  TS13 调度中心 无责, 待审批
    10 TS14 管网部   外包服务方 安通管道, 通过, 回访 基本满意  10 points
    11 TS15 客服部   内部协同单位 物流公司 (no department charged)
    12 TS16 计财部   外包服务方, 已改派 (moved away)        not counted
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
import pytest

from tests.history.conftest import empty_store
from tests.history.test_queries import CO, _complaint, _rows
from xinao_xl.history import queries as Q
from xinao_xl.history import schema as S
from xinao_xl.policy.rules import load_rules
from xinao_xl.services.period_report import overview

RULES = load_rules()
PERIOD = ["2026-11"]
AT = datetime(2026, 11, 5, 9)


def _row(row_no: int, no: str, dept: str, **kw: Any) -> dict[str, Any]:
    base = {"round_no": 1, "state": "已办结", "counted": True, "charged_dept": dept, "channel": "400", "level": 4}
    return _complaint("2026-11", row_no, no, AT, dept, **{**base, **kw})


ROWS = [
    _row(3, "TS10", "客服部", review="驳回", state="已驳回", counted=False, points=None),
    _row(4, "TS10", "客服部", round_no=2, review="通过", callback_result="满意", points=15.0),
    _row(5, "TS11", "管网部", review="驳回", state="已驳回", counted=False, points=None),
    _row(6, "TS11", "管网部", round_no=2, review="驳回", state="已驳回", counted=False, points=None),
    _row(7, "TS11", "管网部", round_no=3, review="通过", callback_result="不满意", recheck=True, points=20.0),
    _row(8, "TS12", "调度中心", responsible=False, no_fault_reason=5, term_status="已批准", state="特殊终止", callback_result="基本满意", points=0.0),
    _row(9, "TS13", "调度中心", responsible=False, no_fault_reason=5, term_status="待审批", state="办理中", points=0.0),
    _row(10, "TS14", "管网部", resp_kind="外包服务方", resp_unit="安通管道", review="通过", callback_result="基本满意", points=10.0),
    _row(11, "TS15", "客服部", resp_kind="内部协同单位", resp_unit="物流公司", charged_dept=None, points=0.0),
    _row(12, "TS16", "计财部", resp_kind="外包服务方", resp_unit="某服务商", state="已改派", counted=False, points=None),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def conn(request: pytest.FixtureRequest):
    engine = empty_store(request)
    with engine.begin() as c:
        c.execute(S.months.insert(), _rows(S.months, [{"month": "2026-11"}]))
        c.execute(S.complaints.insert(), _rows(S.complaints, ROWS))
    with engine.connect() as c:
        yield c
    if request.param == "postgresql":
        S.metadata.drop_all(engine)
    engine.dispose()


def _by_key(frame: pd.DataFrame) -> dict[str, tuple]:
    return {r[0]: tuple(None if (isinstance(v, float) and v != v) else v for v in r[1:]) for r in frame.itertuples(index=False, name=None)}


def test_rejections_per_department(conn) -> None:
    """reviewed = rows with an 审核结果; rejected = 驳回 rounds; reject_rate = rejected ÷ reviewed.
    客服部: rows 3, 4 reviewed (11 not) → 2, 驳回 1 (TS10), max round 2, 1 ÷ 2 = 0.5;
    管网部: rows 5, 6, 7, 10 → 4, 驳回 2 (both TS11: 1 complaint), max round 3, 2 ÷ 4 = 0.5;
    调度中心: none reviewed → rate blank; 计财部 likewise; 合计: 6 reviewed, 3 驳回 of 2 complaints, 3 ÷ 6 = 0.5."""
    got = _by_key(Q.rejections(conn, PERIOD, CO, RULES))
    assert got == {
        "客服部": (2, 1, 1, 2, 0.5),
        "管网部": (4, 2, 1, 3, 0.5),
        "调度中心": (0, 0, 0, 1, None),
        "计财部": (0, 0, 0, 1, None),
        "合计": (6, 3, 2, 3, 0.5),
    }
    assert list(got) == ["客服部", "管网部", "调度中心", "计财部", "合计"]  # the rules' department order


def test_special_terminations(conn) -> None:
    """Rows with a 终止状态: 8 (已批准, 无责 → 特殊终止) and 9 (待审批), both 调度中心:
    applied 2, approved 1, terminated (counted as 办结) 1, pending 1, refused 0."""
    assert _by_key(Q.terminations(conn, PERIOD, CO, RULES)) == {"调度中心": (2, 1, 1, 1, 0), "合计": (2, 1, 1, 1, 0)}


def test_callback_results_of_the_counted_rows(conn) -> None:
    """Only the rows that count (the last round; not 12, moved away). satisfaction = (满意 + 基本满意) ÷ called:
    客服部 row 4 满意 → 1 ÷ 1 = 1.0; 管网部 rows 7 不满意 (需复查) and 10 基本满意 → (0 + 1) ÷ 2 = 0.5;
    调度中心 row 8 基本满意 → 1.0 (row 9 not called); 合计 called 4: (1 + 2) ÷ 4 = 0.75, 1 需复查."""
    got = _by_key(Q.complaint_callbacks(conn, PERIOD, CO, RULES))
    assert got == {
        "客服部": (1, 1, 0, 0, 1.0, 0),
        "管网部": (2, 0, 1, 1, 0.5, 1),
        "调度中心": (1, 0, 1, 0, 1.0, 0),
        "合计": (4, 1, 2, 1, 0.75, 1),
    }


def test_outside_parties(conn) -> None:
    """Counted rows whose 责任类别 is not 本单位部门, the partner kind first (the dropdown's
    order): TS15 物流公司 at 客服部 (有责, 0 points: nobody of ours charged); TS14 安通管道 at
    管网部, its managing department (有责, 10 points); TS16 moved away: not listed."""
    frame = Q.outside_parties(conn, PERIOD, CO, RULES)
    assert [tuple(r) for r in frame.itertuples(index=False, name=None)] == [
        ("内部协同单位", "物流公司", "客服部", 1, 1, 0.0),
        ("外包服务方", "安通管道", "管网部", 1, 1, 10.0),
    ]


def test_the_overview_carries_the_new_facts(conn) -> None:
    frames = {f"complaints_by_{by}": Q.complaints_by(conn, PERIOD, CO, by, RULES) for by in ("level", "channel", "dept", "major", "resp")}
    frames["sla"] = Q.sla(conn, PERIOD, CO, RULES)
    frames["repeats"] = Q.repeat_complaints(conn, PERIOD, CO, RULES)
    for key in ("rejections", "terminations", "complaint_callbacks", "outside_parties"):
        frames[key] = getattr(Q, key)(conn, PERIOD, CO, RULES)
    frames["callbacks_by_type"] = Q.callbacks_by_type(conn, PERIOD, CO, RULES)
    frames["late_flows"] = Q.late_flows(conn, PERIOD, CO, RULES)
    frames["scores"] = pd.DataFrame()
    figures = {name: value for name, value, _ in overview(frames, RULES)}
    assert figures["审核驳回（轮）"] == 3 and figures["特殊终止办结（条）"] == 1
    assert figures["投诉回访满意率"] == 0.75 and figures["外包服务方导致的投诉（条）"] == 1
    # the rejected rounds and the moved row do not count: 10 rows − 3 驳回 − 1 改派 = 6 rows, 15 + 20 + 10 = 45 points
    assert figures["投诉（部门条）"] == 6 and figures["投诉扣分合计"] == 45.0
