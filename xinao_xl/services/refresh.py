"""Use case: refresh the 考核表's 汇入 (`xinao-xl refresh 2026-11`, ribbon 刷新汇入).

The 汇入 sheet holds what the 考核表 takes from the month's other workbooks: the 回访台账's
满意/不满意 by business type and late 流转单 by department, the 投诉台账's complaints of the
month (books/imported.py). This recounts them (`MonthBooks.imports`, the very recount the
close scores from) and writes them into the 考核表 in place: only the 汇入 sheet's part
changes (and workbook.xml asks for a recalculation on open); everything else staff have in
the file stays byte for byte (books/inplace.py).

    result = refresh_month("2026-11", Path("D:/服务考核"))
    print(result.summary())

A 考核表 whose 汇入 already holds the recount is not rewritten (no new 历史版本 for nothing).
The month's lock is held meanwhile and a closed month is refused (services/month_writer.py);
a workbook open in Excel is refused before any work (the ribbon closes the month's books for
the run and reopens them, as it does for the close).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from xinao_xl.books import assessment, imported
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.save import preflight
from xinao_xl.books.schema import NATIVE, UDF
from xinao_xl.policy import clock
from xinao_xl.policy.rules import Rules

from .month_books import MonthBooks
from .month_writer import month_writer
from .settings import rules_for_month

__all__ = ["RefreshResult", "formula_style", "held_imports", "refresh_month"]


@dataclass
class RefreshResult:
    month: str
    path: Path
    as_of: datetime
    changes: list[tuple[str, str]] = field(default_factory=list)  # (汇入 cell, what changed)
    written: bool = False

    def summary(self) -> str:
        where = f"{self.path.name} 的“{imported.SHEET}”表"
        if not self.written:
            return f"{where}已是最新（统计时间 {self.as_of:%Y-%m-%d %H:%M}），未改动文件"
        lines = [f"已刷新{where}（统计时间 {self.as_of:%Y-%m-%d %H:%M}）："]
        lines += [f"  {cell}：{text}" for cell, text in self.changes] or ["  各项数字与上次相同，仅更新统计时间"]
        lines.append("用Excel打开考核表即按新数字重新计算（WPS、LibreOffice 打开后按 Ctrl+Shift+F9）")
        return "\n".join(lines)


def formula_style(mb: MonthBooks) -> str:
    """Whether the 考核表 was made with native formulas or with the add-in's functions
    (`new-month --formulas udf`): the complaint rows written anew follow the book's own."""
    formulas = mb.books[assessment.STEM].read_formulas(assessment.SUMMARY)
    return UDF if any("DEPT_SCORE(" in f for f in formulas.values()) else NATIVE


def held_imports(mb: MonthBooks) -> imported.Imports | None:
    """The figures the 考核表's 汇入 sheet holds now; None when it has none in this layout."""
    reader = mb.books[assessment.STEM].reader
    if imported.SHEET not in reader.sheet_names:
        return None
    return imported.read_imports(reader.rows(imported.SHEET), mb.rules)


def refresh_month(month: str, root: Path, *, now: datetime | None = None, rules: Rules | None = None,
                  keep_previous: bool = True, user: str | None = None) -> RefreshResult:
    """Recount the month's ledgers as of `now` and write the figures into the 考核表's 汇入;
    the file replaced is kept in 历史版本 unless ``keep_previous`` is off (a book just made)."""
    rules = rules or rules_for_month(root, month)  # the month's rules (the office's settings)
    mf = MonthFolder(root, month)
    paths = mf.existing_books()
    # the month's lock (one writer at a time) and no refresh of a closed month: its 考核表 is
    # what the close read (services/month_writer.py)
    with month_writer(mf, "刷新汇入", user=user):
        path = paths[assessment.STEM]
        preflight(read=paths.values(), write=[path])
        mb = MonthBooks.open(root, month, as_of=(now or clock.now()).replace(microsecond=0), rules=rules)
        fresh = mb.imports()
        held = held_imports(mb)
        changes = imported.differences(held, fresh, rules) if held is not None else [("A1", "汇入表尚未填写")]
        result = RefreshResult(str(mb.month), path, mb.as_of, changes)
        if held is not None and not changes:
            return result
        imported.refresh_in_place(path, fresh, rules, formula_style(mb), keep_previous=keep_previous)
        result.written = True
        return result
