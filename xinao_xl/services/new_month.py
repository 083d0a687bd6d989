"""Use cases: a month's blank workbooks (`xinao-xl new-month`) and the templates (`xinao-xl templates`).

    create_month("2026-12", Path("D:/服务考核"))   # → D:/服务考核/2026-12/2026-12_服务绩效考核表.xlsx …

A month that already has a folder is refused unless ``overwrite=True``: its workbooks may
hold a month of staff's typing. Even with ``overwrite``, a workbook open in Excel, WPS or
LibreOffice (its lock file is present) is refused, and the old files are kept as .bak.
"""

from __future__ import annotations

from pathlib import Path

from xinao_xl.books.schema import NATIVE
from xinao_xl.books.workbooks import BOOKS, check_month, file_name, write_books
from xinao_xl.policy.rules import Rules

# The month the committed templates in workbooks/ are generated for (titles, 规则 MONTH,
# 工作日历 2026–2027). Staff who start from a template change MONTH on the 规则 sheet.
TEMPLATE_MONTH = "2026-12"


class MonthExistsError(FileExistsError):
    """The month's folder is already there (and overwrite was not asked for)."""


class WorkbookOpenError(RuntimeError):
    """A workbook to be replaced is open in Excel / WPS / LibreOffice."""


def lock_files(path: Path) -> list[Path]:
    """Excel/WPS write ``~$name``; LibreOffice writes ``.~lock.name#``."""
    candidates = (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#"))
    return [p for p in candidates if p.exists()]


def _refuse_open(folder: Path, month: str | None) -> None:
    for stem, _ in BOOKS:
        target = folder / file_name(stem, month)
        if lock_files(target):
            raise WorkbookOpenError(f"{target.name} 正在被Excel/WPS/LibreOffice打开，请关闭后再试")


def create_month(month: str, root: Path, overwrite: bool = False, formulas: str = NATIVE, rules: Rules | None = None) -> list[Path]:
    """Write the four blank workbooks of `month` into ``root/month/``; returns their paths."""
    check_month(month)
    folder = Path(root) / month
    if folder.exists():
        if not overwrite:
            raise MonthExistsError(f"{folder} 已存在，为避免覆盖已填写的工作簿，已停止；确需重新生成请使用覆盖选项")
        _refuse_open(folder, month)
        for stem, _ in BOOKS:
            old = folder / file_name(stem, month)
            if old.exists():
                old.replace(old.with_name(old.name + ".bak"))
    return write_books(folder, month, formulas, rules)


def write_templates(dest: Path, formulas: str = NATIVE, rules: Rules | None = None) -> list[Path]:
    """Regenerate the committed templates (month-neutral file names) into `dest`."""
    dest = Path(dest)
    _refuse_open(dest, None)
    return write_books(dest, TEMPLATE_MONTH, formulas, rules, month_in_name=False)
