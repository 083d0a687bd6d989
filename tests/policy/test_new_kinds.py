"""A new indicator kind is rules data: two kinds defined only in tests/data/rules_new_kinds.toml
load, score (with the rounding mode and the per-row cap from their params) and fail loudly
when their data is wrong. No code knows their names."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.new_kinds import CHECKLIST, ERROR_RATE, new_kinds_data, new_kinds_rules
from xinao_xl.policy.errors import PolicyInputError, RulesError
from xinao_xl.policy.rules import ABOVE, ENTERED, parse_rules
from xinao_xl.policy.scoring import (
    DepartmentMonth,
    actual_for_gap,
    indicator_deduction,
    score_department,
)

RULES = new_kinds_rules()
DEPT = RULES.department("调度中心")
ERR, CHECK = DEPT.indicator(ERROR_RATE), DEPT.indicator(CHECKLIST)


def test_the_kinds_load_from_data_alone() -> None:
    kind = RULES.kinds["error_rate"]
    assert (kind.direction, kind.unit.key, kind.scale, kind.low, kind.high) == (ABOVE, "percent", 100, 0, 1)
    assert (kind.per_point_param, kind.mode_param, kind.cap_param) == ("error_rate_points_per_point", "shortfall_mode", "row_cap")
    assert ERR.kind_spec is kind and ERR.is_rate and RULES.target_of(ERR) == 0.02
    check = RULES.kinds["checklist"]
    assert (check.direction, check.low, check.high, check.example) == (ENTERED, 0, 20, "2.5")
    assert all(d.indicators[-1].kind_spec.from_complaints for d in RULES.departments)  # 投诉管理 still last


@pytest.mark.parametrize(
    ("actual", "mode", "cap", "points"),
    [
        (0.045, "按比例", 5, 3.75),  # 4.5% − 2% = 2.5 points over × 1.5 = 3.75
        ("4.5%", "按比例", 5, 3.75),  # typed as a percentage: the same rate
        (4.5, "按比例", 5, 3.75),  # 4.5 > 1 reads as 4.5%
        (0.02, "按比例", 5, 0),  # at the limit: nothing
        (0.015, "按比例", 5, 0),  # under the limit: nothing (no bonus)
        (0.0333, "按比例", 5, 2),  # 1.33 × 1.5 = 1.995 → ROUND 2.00
        (0.0333, "向上取整", 5, 3),  # ceil(1.33) = 2 × 1.5 = 3
        (0.0333, "向下取整", 5, 1.5),  # floor(1.33) = 1 × 1.5 = 1.5
        (0.10, "按比例", 5, 5),  # 8 × 1.5 = 12, capped at 5
        (0.10, "按比例", 0, 12),  # row_cap 0: no cap, 8 × 1.5 = 12
    ],
)
def test_an_above_the_limit_rate_kind_scores_from_its_params(actual: Any, mode: str, cap: float, points: float) -> None:
    rules = new_kinds_rules(shortfall_mode=mode, row_cap=cap)
    assert indicator_deduction(rules.department("调度中心").indicator(ERROR_RATE), actual, rules) == points


@pytest.mark.parametrize(("actual", "cap", "points"), [(3, 5, 3), (7, 5, 5), (7, 0, 7), ("2.5", 5, 2.5), (0, 5, 0)])
def test_an_entered_kind_is_its_value_capped(actual: Any, cap: float, points: float) -> None:
    rules = new_kinds_rules(row_cap=cap)
    assert indicator_deduction(rules.department("调度中心").indicator(CHECKLIST), actual, rules) == points


@pytest.mark.parametrize(("row", "actual"), [(ERROR_RATE, "abc"), (ERROR_RATE, 101), (CHECKLIST, 21), (CHECKLIST, -1)])
def test_a_value_outside_the_kinds_range_is_refused(row: str, actual: Any) -> None:
    with pytest.raises(PolicyInputError) as raised:
        indicator_deduction(DEPT.indicator(row), actual, RULES)
    assert raised.value.code == DEPT.indicator(row).kind_spec.error


def test_the_department_score_counts_the_new_rows() -> None:
    card = score_department(DepartmentMonth("调度中心", "2026-11", {ERROR_RATE: 0.045, CHECKLIST: 7}), RULES)
    assert card.deductions == 8.75  # 3.75 (2.5 points over × 1.5) + 5 (7 capped at 5)
    assert card.score == 91.25  # 100 − 8.75
    assert [(i.source, i.points, i.clause) for i in card.items] == [(ERROR_RATE, -3.75, "考核 6"), (CHECKLIST, -5, "考核 6")]


def test_actual_for_gap_inverts_the_gap() -> None:
    kind = RULES.kinds["error_rate"]
    assert actual_for_gap(kind, 0.02, 1) == 0.03  # 1 point over 2%
    assert actual_for_gap(kind, 0.02, -0.5) == 0.015  # half a point under
    assert actual_for_gap(kind, 0.02, 200) == 1  # kept inside the range 0-100%
    assert actual_for_gap(RULES.kinds["checklist"], None, 7) == 7  # entered: the value itself


def _broken(**changes: Any) -> dict[str, Any]:
    data = new_kinds_data()
    kind = data["kinds"]["error_rate"]
    for key, value in changes.items():
        if value is None:
            del kind[key]
        else:
            kind[key] = value
    return data


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"direction": "sideways"}, "kinds.error_rate.direction"),
        ({"unit": "件"}, "kinds.error_rate.unit"),
        ({"range": [1, 0]}, "kinds.error_rate.range"),
        ({"range": []}, "kinds.error_rate.range"),
        ({"per_point": None}, "kinds.error_rate"),
        ({"cap": "no_such_param"}, "kinds.error_rate.cap"),
        ({"cap": "shortfall_mode"}, "kinds.error_rate.cap"),  # a text param cannot cap points
        ({"cap": "no_fault_deducts"}, "kinds.error_rate.cap"),  # nor a 是/否 one
        ({"mode": "round_digits"}, "kinds.error_rate.mode"),  # a mode param has choices
        ({"udf": "DEDUCT_RATE({actual},{limit})"}, "kinds.error_rate.udf"),
        ({"sample": ["a"]}, "kinds.error_rate.sample"),
        ({"error": None}, "kinds.error_rate.error"),
    ],
)
def test_broken_kind_data_fails_at_load_naming_the_key(changes: dict[str, Any], key: str) -> None:
    with pytest.raises(RulesError, match=key.replace(".", r"\.")):
        parse_rules(_broken(**changes))


def test_a_row_of_a_gap_kind_needs_a_target() -> None:
    data = new_kinds_data()
    del data["departments"][0]["indicators"][-3]["target"]  # 业务差错率 of 客服部
    with pytest.raises(RulesError, match=r"departments\[0\]\.indicators\[8\]\.target"):
        parse_rules(data)


def test_a_mode_param_offers_only_the_modes_the_code_knows() -> None:
    data = _broken(mode="odd_mode")
    data["params"]["odd_mode"] = {"value": "四舍五入", "clause": "考核 6", "text": "测试", "choices": ["四舍五入"]}
    with pytest.raises(RulesError, match=r"kinds\.error_rate\.mode"):
        parse_rules(data)
