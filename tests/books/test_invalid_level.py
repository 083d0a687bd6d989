"""Both engines read a complaint's level and 有责/无责 the same way (issue 12, one truth).

A level outside the dropdown is read when parse_level reads it (五级, 400四级, ４级, 两级 …:
the 规则 sheet's spelling table, generated from the same data) and is a marker (#无效级别)
when it does not (六级, 0级, a wildcard like *级 that MATCH would take for any level); the
department's totals stay numbers (issue 17: it was #N/A). 有责/无责 the same: 否, FALSE, 0
are 无责 in Python and in the formulas. Checked in LibreOffice against the policy functions.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.books import fill
from tests.support.libreoffice import recalculate
from xinao_xl.books import complaint_ledger
from xinao_xl.books.formulas import INVALID_LEVEL
from xinao_xl.books.save import save_atomic
from xinao_xl.policy import scoring
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.parse import level_spellings, parse_level
from xinao_xl.policy.rules import load_rules

pytestmark = pytest.mark.libreoffice

# (level, channel, 有责/无责) -> points (考核 7.1.1: 5级 10, 4级 15, 3级 20, 1-2级 25;
# 95158/市长热线 10, 就高; 无责 0)
CASES = [
    ("五级", "400", None, 10),  # the reviewer's case: was #无效级别 in the workbook, 10 in Python
    ("400四级", None, None, 15),
    ("４级", None, "有责", 15),
    (" 3 级 ", None, None, 20),
    ("两级", None, None, 25),
    ("5级投诉", "市长热线", None, 10),  # 就高: 10 and 10
    ("五级", "95158", "否", 0),  # 否 is 无责
    ("4级", None, "FALSE", 0),
    ("4级", None, 0, 0),
    ("4级", None, " 无责 ", 0),
    ("4级", None, "是", 15),
    (4, None, None, 15),
    ("六级", None, None, INVALID_LEVEL),
    ("0级", None, None, INVALID_LEVEL),
    ("*级", None, None, INVALID_LEVEL),  # MATCH would take * for any text: level 1, 25 points
    ("?级", None, None, INVALID_LEVEL),
    ("4.5", None, None, INVALID_LEVEL),
    (7, None, None, INVALID_LEVEL),
]


def test_python_reads_exactly_the_table():
    table = level_spellings()
    assert table["五级"] == 5 and table["400四级"] == 4 and table["４级"] == 4 and table["两级"] == 2
    for text, level in table.items():
        assert parse_level(text) == level
    for text in ("六级", "0级", "*级", "4.5", "400", "④级"):
        with pytest.raises(PolicyInputError):
            parse_level(text)


def test_every_engine_reads_a_level_and_a_responsibility_the_same(tmp_path: Path, require_libreoffice: str) -> None:
    rules = load_rules()
    spec = complaint_ledger.ledger_sheet(rules)
    wb = complaint_ledger.build_complaint_ledger("2026-10", rules)
    for i, (level, channel, resp, _) in enumerate(CASES):
        row = {"no": f"TS{i:03d}", "accepted": datetime(2026, 10, 3, 9, 0), "dept": "客服部", "level": level, "channel": channel, "resp": resp}
        fill.write_row(wb[spec.name], spec, spec.first_row + i, {k: v for k, v in row.items() if v is not None})
    result = load_workbook(recalculate(save_atomic(wb, tmp_path / "投诉台账.xlsx"), tmp_path / "out"), data_only=True)
    got = [result[spec.name][f"{spec.letter('deduct')}{spec.first_row + i}"].value for i in range(len(CASES))]
    assert got == [points for *_, points in CASES]
    for (level, channel, resp, points) in CASES:  # the policy functions (the close, the UDFs) agree
        if points == INVALID_LEVEL:
            with pytest.raises(PolicyInputError):
                scoring.complaint_deduction(level, channel, resp, rules)
        else:
            assert scoring.complaint_deduction(level, channel, resp, rules) == points
