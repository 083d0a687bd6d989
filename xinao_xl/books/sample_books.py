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
# a 1×1 grey PNG: the demo's evidence file (a real picture, so opening the link shows one)
SAMPLE_PICTURE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c633870e0000004840241e18daf270000000049454e44ae426082")
ALLOWANCE_BASE = 8  # 汇总's 兼职服务津贴基数 column


def _rows(wb: Workbook, spec: TableSheet, records: Records) -> None:
    write_rows(wb[spec.name], spec, ({k: v for k, v in r.items() if v is not None} for r in records))


def write_sample_books(mf: MonthFolder, rules: Rules, *, callbacks: Records, complaints: Records, items: Records,
                       actuals: Mapping[tuple[str, str], tuple[Any, Any]], completed: Mapping[str, int],
                       allowance_bases: Mapping[str, float], reassignments: Records = (), evidence: Records = ()) -> dict[str, Path]:
    """Build, fill and save the month's four books into its folder; stem -> path. `actuals`
    maps (department, indicator) to (自评, 审核), None where left blank. An evidence line's
    ``_link`` (relative to the month folder) becomes the 文件 cell's hyperlink, and a small
    picture is put there, so the link leads somewhere."""
    books = {stem: build(mf.month, rules, NATIVE) for stem, build in BOOKS}
    cbw = books[callback_ledger.STEM]
    _rows(cbw, callback_ledger.ledger_sheet(), callbacks)
    cspec = callback_ledger.completed_sheet(rules)
    for name, count in completed.items():
        put(cbw[cspec.name], cspec.row_of(name), 2, count)
    cw = books[complaint_ledger.STEM]
    _rows(cw, complaint_ledger.ledger_sheet(rules), complaints)
    _rows(cw, complaint_ledger.reassign_sheet(), reassignments)
    espec = complaint_ledger.evidence_sheet()
    _rows(cw, espec, [{k: v for k, v in r.items() if not k.startswith("_")} for r in evidence])
    for i, r in enumerate(evidence):
        if r.get("_link"):
            cw[espec.name].cell(row=espec.first_row + i, column=espec.index("file")).hyperlink = str(r["_link"])
            picture = mf.path / str(r["_link"])
            picture.parent.mkdir(parents=True, exist_ok=True)
            picture.write_bytes(SAMPLE_PICTURE)
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
