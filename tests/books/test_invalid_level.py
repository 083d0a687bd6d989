"""A complaint level outside the dropdown in 加减分明细 (六级, or 五级 typed or pasted past the
list) shows #无效级别 in its row, and the department's totals stay numbers (issue 17: it was
#N/A, carried through the department sheet into 汇总). Checked in LibreOffice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.books import fill
from tests.support.libreoffice import recalculate
from xinao_xl.books import assessment
from xinao_xl.books.formulas import INVALID_LEVEL
from xinao_xl.books.save import save_atomic
from xinao_xl.policy.rules import load_rules

pytestmark = pytest.mark.libreoffice


def test_a_level_outside_the_list_is_a_marker_and_the_total_a_number(tmp_path: Path, require_libreoffice: str) -> None:
    rules = load_rules()
    items, summary = assessment.items_sheet(rules), assessment.summary_sheet(rules)
    wb = assessment.build_assessment("2026-10", rules)
    rows = [  # all 客服部, all 投诉
        {"level": "五级", "channel": "400"},  # not the dropdown's 5级: marker
        {"level": "六级"},  # no such level: marker
        {"level": "4级"},  # 15 points (考核 7.1.1)
        {"level": 7},  # no such level: marker
        {"level": "2级", "resp": "无责"},  # 无责: 0 points
    ]
    for i, row in enumerate(rows):
        fill.write_row(wb[items.name], items, items.first_row + i, {"date": date(2026, 10, 3), "dept": "客服部", "type": "投诉", **row})
    result = load_workbook(recalculate(save_atomic(wb, tmp_path / "考核表.xlsx"), tmp_path / "out"), data_only=True)

    points = [result[items.name][f"{items.letter('points')}{items.first_row + i}"].value for i in range(len(rows))]
    assert points == [INVALID_LEVEL, INVALID_LEVEL, -15, INVALID_LEVEL, 0]
    r = summary.row_of("客服部")
    deduct, bonus, score = (result[summary.name][f"{c}{r}"].value for c in "BCD")
    # only the 4级 complaint counts: 扣分合计 15, 加分合计 0, 得分 100 - 15 + 0 = 85
    assert (deduct, bonus, score) == (15, 0, 85)
    assert result[summary.name][f"G{r}"].value == pytest.approx(0.15 * 85)  # 公司绩效服务项: 权重 15% × 85
