"""Proof in a real spreadsheet engine: the native formulas give the policy engine's numbers.

Fixed seed; the four workbooks (the 考核表 once per 不足1分计算方式, the 回访台账 with the
shortfall passed on and not) are filled with random valid entries — every department,
level, channel, rate form, and dates around 2026 National Day with its 10-10 调休 Saturday
and into the not-yet-published 2027 calendar — recalculated by LibreOffice, read back,
and every computed cell compared with `xinao_xl.policy`.
"""

from __future__ import annotations

import random
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from tests.support.libreoffice import recalculate_many
from xinao_xl.books.assessment import build_assessment
from xinao_xl.books.callback_ledger import build_callback_ledger
from xinao_xl.books.complaint_ledger import build_complaint_ledger
from xinao_xl.books.opinions import build_opinions
from xinao_xl.books.save import save_atomic
from xinao_xl.policy.rules import load_rules

from . import agreement as A
from . import fill

pytestmark = pytest.mark.libreoffice

SEED = 20261010
MONTH = "2026-10"


def recalculate_filled_books(tmp_path: Path) -> dict[str, Any]:
    """Generate, fill, save and recalculate every workbook in one LibreOffice run."""
    rules = load_rules()
    rng = random.Random(SEED)
    src, out = tmp_path / "src", tmp_path / "recalculated"
    src.mkdir()
    out.mkdir()
    now = datetime.now()
    plan: list[tuple[str, Path, Any, Any]] = []
    for mode in rules.param("shortfall_mode").choices:
        wb = build_assessment(MONTH, rules)
        fill.set_param(wb, "P_SHORTFALL_MODE", mode)
        data = fill.fill_assessment(wb, rules, rng)
        plan.append(("assessment", save_atomic(wb, src / f"考核表_{mode}.xlsx"), data, A.rules_with(rules, shortfall_mode=mode)))
    for pass_on in (True, False):
        wb = build_callback_ledger(MONTH, rules)
        fill.set_param(wb, "P_PASS_ON_SHORTFALL", pass_on)
        data = fill.fill_callbacks(wb, rules, rng, now)
        plan.append(("callbacks", save_atomic(wb, src / f"回访台账_{pass_on}.xlsx"), data, A.rules_with(rules, pass_on_shortfall=pass_on)))
    wb = build_complaint_ledger(MONTH, rules)
    complaints = fill.fill_complaints(wb, rules, rng, now)
    plan.append(("complaints", save_atomic(wb, src / "投诉台账.xlsx"), complaints, rules))
    wb = build_opinions(MONTH, rules)
    opinion_rows = fill.fill_opinions(wb, rng)
    plan.append(("opinions", save_atomic(wb, src / "意见统计表.xlsx"), opinion_rows, rules))

    before, started = datetime.now(), time.monotonic()
    paths = [p for _, p, _, _ in plan]
    results = dict(zip(paths, recalculate_many(paths, out), strict=True))
    after, seconds = datetime.now(), time.monotonic() - started
    return {"plan": plan, "results": results, "now": A.now_window(before, after), "seconds": seconds}


def test_libreoffice_agrees_with_the_policy_engine(require_libreoffice: Any, tmp_path: Path) -> None:
    """One recalculation (the slow part) for both checks below."""
    recalculated = recalculate_filled_books(tmp_path)
    check_every_computed_cell(recalculated)
    check_files_keep_dropdowns_and_protection(recalculated)


def check_every_computed_cell(recalculated: dict[str, Any]) -> None:
    c = A.Checker()
    rows = 0
    for kind, path, data, rules in recalculated["plan"]:
        result = recalculated["results"][path]
        if kind == "assessment":
            A.check_assessment(result, data, rules, c)
            rows += len(data.items) + len(data.actuals)
        elif kind == "callbacks":
            A.check_callbacks(result, data, rules, recalculated["now"], c)
            rows += len(data.rows)
        elif kind == "complaints":
            A.check_complaints(result, data, rules, recalculated["now"], c)
            rows += len(data)
        else:
            A.check_opinions(result, data, c)
            rows += len(data)
    print(f"LibreOffice agreement: {rows} filled rows, {c.count} computed cells, recalculation {recalculated['seconds']:.1f} s")
    assert rows >= 200 and c.count >= 2000
    assert not c.problems, f"{len(c.problems)} of {c.count} cells disagree:\n" + "\n".join(c.problems[:30])


def check_files_keep_dropdowns_and_protection(recalculated: dict[str, Any]) -> None:
    """Each file loads in LibreOffice and comes back with its dropdowns, names and protection."""
    for _, path, _, _ in recalculated["plan"]:
        original = load_workbook(path)
        after = load_workbook(recalculated["results"][path])
        assert after.sheetnames == original.sheetnames
        assert set(original.defined_names.keys()) <= set(after.defined_names.keys())
        for ws in original.worksheets:
            lists = {(str(d.sqref), d.formula1) for d in ws.data_validations.dataValidation if d.type == "list"}
            kept = {(str(d.sqref), d.formula1) for d in after[ws.title].data_validations.dataValidation if d.type == "list"}
            assert lists <= kept, f"{path.name}!{ws.title}: dropdowns lost {sorted(lists - kept)[:3]}"
            assert after[ws.title].protection.sheet
            unlocked_after = _unlocked_columns(after[ws.title])
            for letter, dim in ws.column_dimensions.items():
                if dim.protection is not None and dim.protection.locked is False:
                    assert column_index_from_string(letter) in unlocked_after, f"{path.name}!{ws.title}!{letter} 列不再可填写"


def _unlocked_columns(ws: Any) -> set[int]:
    """Column numbers whose style is unlocked (LibreOffice stores runs of columns as one <col>)."""
    out: set[int] = set()
    for dim in ws.column_dimensions.values():
        if dim.protection is not None and dim.protection.locked is False:
            out |= set(range(dim.min, dim.max + 1))
    return out
