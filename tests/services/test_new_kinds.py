"""A new indicator kind is rules data, through the use cases: the synthetic month fills rows of
the two kinds defined only in tests/data/rules_new_kinds.toml from their sample gaps,
validation reads their entries by the kinds' unit and range, and the close scores them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.support.new_kinds import CHECKLIST, ERROR_RATE, new_kinds_rules
from xinao_xl.books import assessment
from xinao_xl.books.port import ERROR
from xinao_xl.books.save import save_atomic
from xinao_xl.policy.scoring import indicator_deduction
from xinao_xl.services.close import close_month
from xinao_xl.services.sample_data import generate, make_sample_month
from xinao_xl.services.validate import validate_month

MONTH = "2026-11"
NOW = datetime(2026, 12, 3, 9, 0)
RULES = new_kinds_rules()


def test_the_sample_month_picks_the_new_rows_from_their_gaps() -> None:
    data = generate(MONTH, seed=2026, rules=RULES, now=NOW)
    # error_rate: gaps 0, −0.5, 1, 4 percentage points over the 2% limit; checklist: 0, 1.5, 7 points
    rates = {data.actuals[(d.name, ERROR_RATE)][0] for d in RULES.departments}
    checks = {data.actuals[(d.name, CHECKLIST)][0] for d in RULES.departments}
    assert rates <= {0.02, 0.015, 0.03, 0.06} and len(rates) > 1
    assert checks <= {0, 1.5, 7} and len(checks) > 1


@pytest.fixture(scope="module")
def month_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("new_kinds")
    make_sample_month(MONTH, root, seed=2026, rules=RULES, now=NOW)
    return root


def _book(root: Path) -> Path:
    return root / MONTH / f"{MONTH}_{assessment.STEM}.xlsx"


def test_validation_reads_the_new_rows_by_their_kinds(month_root: Path, tmp_path: Path) -> None:
    errors = [f for f in validate_month(month_root / MONTH, now=NOW, rules=RULES) if f.severity == ERROR]
    assert errors == []  # the sample month is valid, new rows included
    dept = RULES.department("调度中心")
    spec = assessment.department_sheet(dept)
    err_row = spec.row_of(assessment.indicator_key(dept.indicator(ERROR_RATE)))
    check_row = spec.row_of(assessment.indicator_key(dept.indicator(CHECKLIST)))
    folder = tmp_path / MONTH
    folder.mkdir()
    for path in (month_root / MONTH).glob("*.xlsx"):
        (folder / path.name).write_bytes(path.read_bytes())
    wb = load_workbook(folder / _book(month_root).name)
    wb[dept.name][f"E{err_row}"] = "百分之三"
    wb[dept.name][f"F{err_row}"] = 4.5  # 4.5%: fine
    wb[dept.name][f"E{check_row}"] = 25  # over the checklist's 20
    save_atomic(wb, folder / _book(month_root).name)
    found = {(f.sheet, f.cell): f.message for f in validate_month(folder, now=NOW, rules=RULES) if f.severity == ERROR}
    assert found == {
        (dept.name, f"E{err_row}"): "业务差错率的自评实际“百分之三”不是0%到100%之间的比率：请填写如 96.5% 或 0.965",
        (dept.name, f"E{check_row}"): "现场检查的自评实际“25”不是0到20之间的数字：请填写如 2.5",
    }


def test_the_close_scores_the_new_rows(month_root: Path) -> None:
    data = generate(MONTH, seed=2026, rules=RULES, now=NOW)
    result = close_month(MONTH, month_root, now=NOW, rules=RULES)
    deducted = set()
    for dept in RULES.departments:
        card = result.cards[dept.name]
        for name in (ERROR_RATE, CHECKLIST):
            own, audit = data.actuals[(dept.name, name)]
            expected = indicator_deduction(dept.indicator(name), audit if audit is not None else own, RULES)
            lines = [i.points for i in card.items if i.category == "指标" and i.source == name]
            assert lines == ([-expected] if expected else []), (dept.name, name)
            if expected:
                deducted.add(name)
    assert deducted == {ERROR_RATE, CHECKLIST}  # each new kind deducted somewhere, so the check bites
