"""The four monthly workbooks together: build them and write them to a folder.

    >>> [stem for stem, _ in BOOKS]
    ['服务绩效考核表', '客户回访信息台账', '客户回访意见统计表', '客户投诉台账']
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

from xinao_xl.policy.month import Month
from xinao_xl.policy.rules import Rules, load_rules

from . import assessment, callback_ledger, complaint_ledger, opinions
from .save import Batch
from .schema import FORMULA_STYLES, NATIVE

Builder = Callable[..., Workbook]

BOOKS: tuple[tuple[str, Builder], ...] = (
    (assessment.STEM, assessment.build_assessment),
    (callback_ledger.STEM, callback_ledger.build_callback_ledger),
    (opinions.STEM, opinions.build_opinions),
    (complaint_ledger.STEM, complaint_ledger.build_complaint_ledger),
)

def file_name(stem: str, month: str | None) -> str:
    """2026-12_服务绩效考核表.xlsx; a template (no month) is 服务绩效考核表.xlsx."""
    return f"{month}_{stem}.xlsx" if month else f"{stem}.xlsx"


def write_books(folder: Path, month: str | None, style: str = NATIVE, rules: Rules | None = None,
                keep_previous: bool = True) -> list[Path]:
    """Build the four workbooks of `month` and put them into `folder` together (`save.Batch`:
    a new folder appears with all four or not at all; files already there are each replaced
    atomically, the replaced ones kept in 历史版本 unless ``keep_previous`` is False).
    Without a month: the templates (no month in their names, titles or 规则 sheet)."""
    month = Month(month) if month else None
    if style not in FORMULA_STYLES:
        raise ValueError(f"公式样式应为 {' 或 '.join(FORMULA_STYLES)}：{style!r}")
    rules = rules or load_rules()
    with Batch(Path(folder), keep_previous) as batch:
        for stem, build in BOOKS:
            batch.add_workbook(file_name(stem, month), build(month, rules, style))
        return batch.commit()
