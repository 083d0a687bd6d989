"""Use case: check that this computer can run the add-in (`xinao-xl doctor`, ribbon 诊断).

    checks = run_checks(addin_xlwings="0.37.8", month_folder=Path("D:/服务考核/2026-11"))
    print(report(checks))

Each check says what it found and, when something is wrong, what to do, in Chinese. What
only a front end can find out (the xlwings version inside the installed add-in, the month
folder of the open workbook) is passed in, so this module imports neither xlwings' Excel
side nor the front ends; the UDF module is imported by name.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from xinao_xl import __version__
from xinao_xl.books.month_folder import closed_months
from xinao_xl.books.settings_book import load_settings, settings_path
from xinao_xl.policy import clock
from xinao_xl.policy.calendar import WorkCalendar, default_calendar
from xinao_xl.policy.errors import SETTINGS_BOOK, SettingsError
from xinao_xl.policy.month import Month

from .integrity import verify_month

__all__ = ["ERROR", "OK", "WARNING", "Check", "check_closed_months", "has_errors", "report", "run_checks"]

OK = "正常"
WARNING = "警告"
ERROR = "错误"
MIN_PYTHON = (3, 11)
UDF_MODULE = "xinao_xl.excel.udfs"


@dataclass(frozen=True)
class Check:
    """One item of the diagnosis: what was checked, the outcome, and the fix when not 正常."""

    item: str
    level: str  # 正常 | 警告 | 错误
    detail: str
    advice: str = ""

    @property
    def ok(self) -> bool:
        return self.level == OK


def check_python(version: Sequence[int] | None = None, executable: str | None = None) -> Check:
    version = tuple(version or sys.version_info[:3])
    executable = executable or sys.executable
    text = ".".join(str(v) for v in version)
    detail = f"Python {text}（{executable}）"
    if version[:2] < MIN_PYTHON:
        need = ".".join(map(str, MIN_PYTHON))
        return Check("Python", ERROR, detail, f"需要 Python {need} 或更高版本：请安装新版 Python，重新安装 xinao_xl，再运行 xinao-xl addin install")
    return Check("Python", OK, detail)


def installed_version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


_INSTALLED = "<installed>"


def check_xlwings(addin_xlwings: str | None, python_xlwings: str | None = _INSTALLED) -> Check:
    """The xlwings VBA inside the add-in must be the same version as the Python package.

    ``python_xlwings`` defaults to the installed package's version (None: not installed).
    """
    if python_xlwings == _INSTALLED:
        python_xlwings = installed_version("xlwings")
    if python_xlwings is None:
        return Check("xlwings", ERROR, "Python 中未安装 xlwings", "请运行 pip install xlwings（版本与加载项一致），再运行 xinao-xl addin install")
    if addin_xlwings is None:
        return Check(
            "xlwings",
            WARNING,
            f"Python 中的 xlwings 为 {python_xlwings}；未找到加载项 xinao_xl.xlam，无法比较版本",
            "请运行 xinao-xl addin build 与 xinao-xl addin install 安装加载项",
        )
    if addin_xlwings != python_xlwings:
        return Check(
            "xlwings",
            ERROR,
            f"加载项中的 xlwings VBA 为 {addin_xlwings}，Python 中的 xlwings 为 {python_xlwings}，版本不一致",
            f"请重新生成并安装加载项（xinao-xl addin build，再 xinao-xl addin install），"
            f"或安装与加载项相同的版本：pip install xlwings=={addin_xlwings}",
        )
    return Check("xlwings", OK, f"xlwings {python_xlwings}，与加载项一致")


def check_udf_module(module: str = UDF_MODULE, importer: Callable[[str], object] = importlib.import_module) -> Check:
    try:
        loaded = importer(module)
    except Exception as exc:  # noqa: BLE001 - any failure to import is the finding
        return Check(
            "工作表函数",
            ERROR,
            f"无法导入 {module}：{type(exc).__name__}: {exc}",
            "请在加载项所用的 Python 中重新安装 xinao_xl（pip install -e 项目目录），再点“诊断”",
        )
    count = len(getattr(loaded, "UDF_SPECS", ()))
    return Check("工作表函数", OK, f"{module} 可导入，共 {count} 个函数")


def check_calendar(today: date | None = None, calendar: WorkCalendar | None = None) -> list[Check]:
    """The working-day calendar must know this year and next (complaint deadlines cross the new year)."""
    today = today or clock.today()
    calendar = calendar or default_calendar()
    checks = []
    for year, when in ((today.year, "今年"), (today.year + 1, "明年")):
        if calendar.knows(year):
            checks.append(Check(f"工作日历 {year}", OK, f"{when}（{year}年）的放假安排已知"))
            continue
        level = ERROR if year == today.year else WARNING
        checks.append(
            Check(
                f"工作日历 {year}",
                level,
                f"{when}（{year}年）的国务院放假安排尚未收录，按工作日计算的时限（申诉处理 3 个工作日；自然日时限设为遇休息日顺延时也是）"
                "将显示“日历未确认”。调查、处理、回访、申诉提出、流转单按自然日计算，不受影响",
                f"国务院发布{year}年放假通知后：升级日历数据（pip install -U chinesecalendar），"
                f"或在{SETTINGS_BOOK}的“放假安排”表录入{year}年的放假日和调休上班日、在“已确认年度”表确认{year}年，"
                "再运行 xinao-xl settings --dir 文件夹 --refresh",
            )
        )
    return checks


def check_folder(folder: Path | None) -> Check:
    """The month folder must be writable: results, copies and next month's books go there."""
    if folder is None:
        return Check("月份文件夹", WARNING, "当前工作簿尚未保存，无法确定月份文件夹", "请把工作簿保存到月份文件夹（如 D:\\服务考核\\2026-11）后再点“诊断”")
    folder = Path(folder)
    if not folder.is_dir():
        return Check("月份文件夹", ERROR, f"文件夹不存在：{folder}", "请确认工作簿保存在月份文件夹中，或用 xinao-xl new-month 生成该月文件夹")
    try:
        fd, name = tempfile.mkstemp(prefix=".xinao_doctor_", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        return Check(
            "月份文件夹",
            ERROR,
            f"无法在 {folder} 中写入文件（{exc.strerror or type(exc).__name__}）",
            "请检查该文件夹的写入权限（共享盘是否只读、是否被同步软件锁定），或把月份文件夹复制到本机再操作",
        )
    return Check("月份文件夹", OK, f"{folder} 可写入")


def check_closed_months(folder: Path | None) -> list[Check]:
    """Closed months beside the month folder (or under it, for the folder above the months)
    whose workbooks changed after the close (SHA-256 in the 结账记录, services/integrity.py).

    A 警告, not an 错误: it says nothing about this computer, but the scores paid out for
    that month no longer match its workbooks. Nothing is said when no month is closed.
    """
    if folder is None or not Path(folder).is_dir():
        return []
    folder = Path(folder)
    root = folder.parent if Month.match(folder.name) else folder
    months = closed_months(root)
    if not months:
        return []
    checks = []
    for month in months:
        result = verify_month(root, month, outputs=False)
        if not result.ok:
            advice = f"运行 xinao-xl verify {month} --dir {root} 查看详情；确需按修改后的内容计分时用 xinao-xl close {month} --force --reason 重新结账"
            checks.append(Check(f"已结账月份 {month}", WARNING, "；".join(result.input_messages()), advice))
    if not checks:
        checks.append(Check("已结账月份", OK, f"{'、'.join(months)} 的工作簿与结账记录一致"))
    return checks


def check_settings(folder: Path | None) -> tuple[list[Check], WorkCalendar | None]:
    """The office's 制度设置.xlsx beside the month folders: readable and without errors (every
    command stops on a bad one), and the calendar it confirms (for `check_calendar`)."""
    if folder is None or not Path(folder).is_dir():
        return [], None
    folder = Path(folder)
    root = folder.parent if Month.match(folder.name) else folder
    if not settings_path(root).exists():
        return [Check("制度设置", WARNING, f"{root} 中没有 {SETTINGS_BOOK}，按制度取值和本系统默认解读计算",
                      f"运行 xinao-xl settings --dir {root} 生成后由服务办公室确认各项取值")], None
    try:
        settings = load_settings(root)
    except SettingsError as exc:
        return [Check("制度设置", ERROR, exc.message, f"按提示改正 {SETTINGS_BOOK} 后保存，再点“诊断”")], None
    years = "、".join(str(y) for y in sorted(settings.confirmed_years))
    return [Check("制度设置", OK, f"{settings_path(root)} 无错误" + (f"；已确认 {years} 年的放假安排" if years else ""))], settings.calendar()


def run_checks(
    *,
    addin_xlwings: str | None,
    month_folder: Path | None,
    today: date | None = None,
    udf_module: str = UDF_MODULE,
) -> list[Check]:
    """All checks, in the order the user reads them."""
    settings, calendar = check_settings(month_folder)
    return [
        Check("xinao_xl", OK, f"xinao_xl {__version__}"),
        check_python(),
        check_xlwings(addin_xlwings),
        check_udf_module(udf_module),
        *settings,
        *check_calendar(today, calendar),
        check_folder(month_folder),
        *check_closed_months(month_folder),
    ]


def has_errors(checks: Sequence[Check]) -> bool:
    return any(c.level == ERROR for c in checks)


def report(checks: Sequence[Check]) -> str:
    """The checks as text for a message box or a console: one line each, then what to do."""
    lines = []
    for c in checks:
        lines.append(f"[{c.level}] {c.item}：{c.detail}")
        if c.advice:
            lines.append(f"    处理办法：{c.advice}")
    errors = sum(c.level == ERROR for c in checks)
    warnings = sum(c.level == WARNING for c in checks)
    lines.append("")
    lines.append("诊断通过" if not errors and not warnings else f"共 {errors} 个错误、{warnings} 个警告")
    return "\n".join(lines)
