"""The synthetic month's four workbooks, filled the way staff fill them (the data: services/sample_data.py).

The books are those `new-month` builds (`workbooks.BOOKS`), filled before their one save:
台账 rows, 完工量, the complaint ledger, 加减分明细, each indicator row's 自评 and 审核, each
department's 兼职服务津贴基数 on 汇总.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from xinao_xl.policy.rules import Rules

from . import assessment, callback_ledger, complaint_ledger
from .cells import put
from .month_folder import MonthFolder
from .save import save_atomic
from .schema import NATIVE, TableSheet
from .workbooks import BOOKS
from .writer import write_rows

__all__ = ["write_sample_books"]

Records = Sequence[Mapping[str, Any]]
SELF, AUDIT = 5, 6  # the department sheets' 自评 and 审核 columns
ALLOWANCE_BASE = 8  # 汇总's 兼职服务津贴基数 column


def _rows(wb: Workbook, spec: TableSheet, records: Records) -> None:
    write_rows(wb[spec.name], spec, ({k: v for k, v in r.items() if v is not None} for r in records))


def write_sample_books(mf: MonthFolder, rules: Rules, *, callbacks: Records, complaints: Records, items: Records,
                       actuals: Mapping[tuple[str, str], tuple[Any, Any]], completed: Mapping[str, int],
                       allowance_bases: Mapping[str, float]) -> dict[str, Path]:
    """Build, fill and save the month's four books into its folder; stem -> path. `actuals`
    maps (department, indicator) to (自评, 审核), None where left blank."""
    books = {stem: build(mf.month, rules, NATIVE) for stem, build in BOOKS}
    cbw = books[callback_ledger.STEM]
    _rows(cbw, callback_ledger.ledger_sheet(), callbacks)
    cspec = callback_ledger.completed_sheet(rules)
    for name, count in completed.items():
        put(cbw[cspec.name], cspec.row_of(name), 2, count)
    _rows(books[complaint_ledger.STEM], complaint_ledger.ledger_sheet(rules), complaints)
    ab = books[assessment.STEM]
    _rows(ab, assessment.items_sheet(rules), items)
    for dept in rules.departments:
        dspec = assessment.department_sheet(dept)
        for ind in dept.indicators:
            actual = actuals.get((dept.name, ind.name))
            if actual is None:
                continue
            r = dspec.row_of(assessment.indicator_key(ind))
            for col, value in zip((SELF, AUDIT), actual, strict=True):
                if value is not None:
                    put(ab[dept.name], r, col, value)
    sspec = assessment.summary_sheet(rules)
    for name, base in allowance_bases.items():
        put(ab[assessment.SUMMARY], sspec.row_of(name), ALLOWANCE_BASE, base)
    return {stem: save_atomic(wb, mf.book(stem)) for stem, wb in books.items()}
