"""A new indicator kind is rules data: the 考核表 renders rows of two kinds defined only in
tests/data/rules_new_kinds.toml — formula, data validation, number format — and LibreOffice,
recalculating them under every rounding mode with and without the per-row cap, agrees with
the policy engine cell by cell."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from tests.support.libreoffice import recalculate_many
from tests.support.new_kinds import CHECKLIST, ERROR_RATE, new_kinds_rules
from xinao_xl.books import assessment
from xinao_xl.books.assessment import build_assessment
from xinao_xl.books.save import save_atomic
from xinao_xl.books.schema import FMT_PERCENT, FMT_POINTS, FMT_RATE_ENTRY, NATIVE, UDF
from xinao_xl.policy import scoring

from . import agreement as A
from . import fill

MONTH = "2026-10"
RULES = new_kinds_rules()
DEPT = RULES.department("调度中心")
SPEC = assessment.department_sheet(DEPT)
ERR_ROW = SPEC.row_of(assessment.indicator_key(DEPT.indicator(ERROR_RATE)))
CHECK_ROW = SPEC.row_of(assessment.indicator_key(DEPT.indicator(CHECKLIST)))


def test_rows_are_where_the_data_puts_them() -> None:
    # 调度中心: 信息传递及时率, 信息传递准确率, 服务体系建设相关工作, then the two new rows, then 投诉管理
    assert (ERR_ROW, CHECK_ROW) == (SPEC.first_row + 3, SPEC.first_row + 4) == (6, 7)


def test_the_formulas_are_built_from_the_kinds_data() -> None:
    ws = build_assessment(MONTH, RULES)[DEPT.name]
    gap = "ROUND((G6-D6)*100,6)"  # above the limit: actual − limit, a fraction × 100 = percentage points
    points = (
        f'IF({gap}<=0,0,P_ERROR_RATE_POINTS_PER_POINT*IF(P_SHORTFALL_MODE="向上取整",ROUNDUP({gap},0),'
        f'IF(P_SHORTFALL_MODE="向下取整",ROUNDDOWN({gap},0),{gap})))'
    )
    capped = f"MIN(IF(P_ROW_CAP>0,P_ROW_CAP,9.9E+307),{points})"  # row_cap 0: no cap
    assert ws["H6"].value == f'=IF(G6="",0,IF(ISNUMBER(G6),ROUND({capped},P_ROUND_DIGITS),"#无效数字"))'
    assert ws["G6"].value == '=IF(F6<>"",IF(F6>1,F6/100,F6),IF(E6<>"",IF(E6>1,E6/100,E6),""))'  # a rate: 4.5 is 4.5%
    assert ws["D6"].value == 0.02 and ws["C6"].value == "≤2%"
    # entered: the value itself, refused below the range's 0, capped
    assert ws["H7"].value == '=IF(G7="",0,IF(AND(ISNUMBER(G7),G7>=0),ROUND(MIN(IF(P_ROW_CAP>0,P_ROW_CAP,9.9E+307),G7),P_ROUND_DIGITS),"#无效扣分"))'
    assert ws["G7"].value == '=IF(F7<>"",F7,IF(E7<>"",E7,""))'


def test_without_a_udf_the_addin_style_keeps_the_native_formula() -> None:
    native = build_assessment(MONTH, RULES, NATIVE)[DEPT.name]
    udf = build_assessment(MONTH, RULES, UDF)[DEPT.name]
    assert udf["H6"].value == native["H6"].value and udf["H7"].value == native["H7"].value
    assert udf["H3"].value == '=IF(G3="",0,DEDUCT_RATE(G3,D3,P_RATE_POINTS_PER_POINT))'  # a packaged kind's UDF


def test_entry_cells_check_the_kinds_range_and_format() -> None:
    ws = build_assessment(MONTH, RULES)[DEPT.name]
    checks = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    rate, check = checks[f"E{ERR_ROW}:F{ERR_ROW}"], checks[f"E{CHECK_ROW}:F{CHECK_ROW}"]
    assert (rate.type, rate.formula1, rate.formula2) == ("decimal", "0", "100")  # 0%-100%, typed 4.5% or 4.5
    assert rate.prompt == "请填写业务差错率实际差错率，如 96.5% 或 0.965。"
    assert (check.type, check.formula1, check.formula2) == ("decimal", "0", "20")  # the checklist's 0-20
    assert check.prompt == "请填写现场检查检查扣分（0到20）。依据检查表填写扣分。"
    assert ws[f"E{ERR_ROW}"].number_format == FMT_RATE_ENTRY and ws[f"G{ERR_ROW}"].number_format == FMT_PERCENT
    assert ws[f"E{CHECK_ROW}"].number_format == FMT_POINTS


# Typed as staff would: fractions, percentages above 1, at/under/over the 2% limit, far over (capped).
ERR_VALUES = [None, 0.01, 0.02, 0.0201, 0.025, 0.0333, 3.5, 4.5, 0.1, 12, 0.35]
CHECK_VALUES = [None, 0, 0.5, 3.25, 5, 7.5, 20]
SETTINGS = [("按比例", 5), ("向上取整", 5), ("向下取整", 5), ("按比例", 0)]


def _fill_new_rows(wb: Any, data: fill.AssessmentInputs, rng: random.Random) -> None:
    for dept in RULES.departments:
        spec = assessment.department_sheet(dept)
        for name, values in ((ERROR_RATE, ERR_VALUES), (CHECKLIST, CHECK_VALUES)):
            ind = dept.indicator(name)
            r = spec.row_of(assessment.indicator_key(ind))
            own, audit = rng.choice(values), rng.choice(values) if rng.random() < 0.4 else None
            wb[dept.name].cell(row=r, column=5).value = own
            wb[dept.name].cell(row=r, column=6).value = audit
            data.actuals[(dept.name, ind.number)] = (own, audit)


@pytest.mark.libreoffice
def test_libreoffice_agrees_on_the_new_kinds(require_libreoffice: Any, tmp_path: Path) -> None:
    rng = random.Random(20261011)
    src, out = tmp_path / "src", tmp_path / "out"
    plan = []
    for mode, cap in SETTINGS:
        wb = build_assessment(MONTH, RULES)
        fill.set_param(wb, "P_SHORTFALL_MODE", mode)
        fill.set_param(wb, "P_ROW_CAP", cap)
        data = fill.fill_assessment(wb, RULES, rng, n_items=40)
        _fill_new_rows(wb, data, rng)
        plan.append((save_atomic(wb, src / f"考核表_{mode}_{cap}.xlsx"), data, A.rules_with(RULES, shortfall_mode=mode, row_cap=cap)))
    results = recalculate_many([p for p, _, _ in plan], out)

    c = A.Checker()
    seen: set[str] = set()
    for (_, data, rules), result in zip(plan, results, strict=True):
        A.check_assessment(result, data, rules, c)  # every row, the new ones included, and the 汇总 scores
        for dept in rules.departments:
            for name in (ERROR_RATE, CHECKLIST):
                ind = dept.indicator(name)
                own, audit = data.actuals[(dept.name, ind.number)]
                used = audit if audit is not None else own
                points = scoring.indicator_deduction(ind, used, rules)
                cap = rules.value("row_cap")
                seen.add("blank" if used is None else "zero" if points == 0 else "capped" if cap and points == cap else "uncapped over 5" if points > 5 else "part")
    assert not c.problems, f"{len(c.problems)} of {c.count} cells disagree:\n" + "\n".join(c.problems[:30])
    assert seen == {"blank", "zero", "capped", "uncapped over 5", "part"}, seen  # every case met at least once
