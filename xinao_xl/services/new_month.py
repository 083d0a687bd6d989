"""Use cases: a month's blank workbooks (`xinao-xl new-month`) and the templates (`xinao-xl templates`).

    create_month("2026-12", Path("D:/服务考核"))   # → D:/服务考核/2026-12/2026-12_服务绩效考核表.xlsx …

A month that already has a folder is refused unless ``overwrite=True``: its workbooks may
hold a month of staff's typing. Before anything is built, a workbook open in Excel, WPS or
LibreOffice (its lock file is present), a read-only workbook or a folder that cannot be
written is refused (`books.save.preflight`). A new month's folder appears with all four
workbooks or not at all; with ``overwrite`` each old file is replaced atomically and kept
in the folder's 历史版本 (books/save.py).
"""

from __future__ import annotations

from pathlib import Path

from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.save import WorkbookOpenError, lock_files, preflight, sweep_temps
from xinao_xl.books.schema import NATIVE
from xinao_xl.books.settings_book import ensure_settings_book
from xinao_xl.books.workbooks import BOOKS, file_name, write_books
from xinao_xl.policy.errors import XinaoError
from xinao_xl.policy.rules import Rules

from .month_writer import month_writer, refuse_closed
from .settings import rules_for_month

__all__ = ["MonthExistsError", "WorkbookOpenError", "lock_files", "create_month", "write_templates"]


class MonthExistsError(XinaoError, FileExistsError):
    """The month's folder is already there (and overwrite was not asked for)."""


def _refuse_open(folder: Path, month: str | None) -> None:
    """The month's four workbooks in `folder`: none open, none read-only, the folder writable."""
    preflight(write=[Path(folder) / file_name(stem, month) for stem, _ in BOOKS])


def create_month(month: str, root: Path, overwrite: bool = False, formulas: str = NATIVE, rules: Rules | None = None) -> list[Path]:
    """Write the four blank workbooks of `month` into ``root/month/``; returns their paths.

    They compute with the month's rules: the packaged `rules` (default: rules.toml) with the
    office's settings in effect for the month (制度设置.xlsx beside the month folders, made
    blank here when missing). A bad 制度设置.xlsx stops before anything is written."""
    mf = MonthFolder(root, month)
    folder = mf.path
    if folder.exists() and not overwrite:
        raise MonthExistsError(f"{folder} 已存在，为避免覆盖已填写的工作簿，已停止；确需重新生成请使用覆盖选项（命令行 new-month --overwrite，原文件保留在“历史版本”）")
    month_rules = rules_for_month(root, month, rules)
    refuse_closed(mf, "重新生成空白工作簿")  # a closed month's books are the record's
    _refuse_open(folder, month)
    # an existing folder is written under its lock; a new one appears whole (books/save.py Batch)
    with month_writer(mf, "生成空白工作簿"):
        sweep_temps([Path(root), folder])  # what a killed run left under temporary names
        paths = write_books(folder, month, formulas, month_rules)
    ensure_settings_book(root, rules)
    return paths


def write_templates(dest: Path, formulas: str = NATIVE, rules: Rules | None = None) -> list[Path]:
    """Regenerate the committed templates into `dest`: no month in their names, titles or
    规则 sheet (a template copied into ``2026-11/`` as ``2026-11_服务绩效考核表.xlsx`` is that
    month's: the program reads the month from the folder and file name, and no formula
    depends on it); the 工作日历 covers the last year the calendar data knows and the next."""
    dest = Path(dest)
    _refuse_open(dest, None)
    # templates are regenerated from the code and kept in git: no 历史版本 beside them
    return write_books(dest, None, formulas, rules, keep_previous=False)
