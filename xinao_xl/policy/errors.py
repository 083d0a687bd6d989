"""The error family of the whole package, and the error types of the policy layer.

Every error meant for staff is a `XinaoError`: it carries a Chinese message written for
staff (`message`) and the exit code the command line ends with (`exit_code`). The front
ends map errors in one place each (`cli.main`, `excel.ribbon.dispatch`): a `XinaoError`
shows its message; anything else is a bug or a case nobody foresaw and shows only its type
(`staff_text`), because its text may carry a cell's content (a customer's name or phone).

Every problem with what staff typed ends in one exception type, `PolicyInputError`, so
front ends (UDFs, CLI, validation) can catch exactly that and show its Chinese message. The
`code` is the short label a UDF returns in the cell (``#无效级别: 六级``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def quote(value: Any, limit: int = 20) -> str:
    """Show a bad value in a message, shortened so a message never carries a whole cell."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


class XinaoError(Exception):
    """An error with a Chinese message for staff and the command line's exit code.

    Subclasses keep the builtin base they had (``ValueError``, ``FileExistsError`` …) as a
    second base, so code that caught those still does.
    """

    exit_code: int = 2  # 1: the input has findings (validation errors); 2: unusable input or refused
    label: str = "错误"  # the word the command line puts before the message

    def __init__(self, message: str, *args: Any, exit_code: int | None = None) -> None:
        super().__init__(message, *args)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


def staff_text(exc: BaseException) -> str:
    """What staff may see of an error: a `XinaoError`'s message, else only the error's type
    (its text may hold a customer's name or phone, a path, a database row)."""
    if isinstance(exc, XinaoError):
        return exc.message
    return type(exc).__name__


class PolicyInputError(XinaoError, ValueError):
    """A value staff typed that a policy rule cannot use."""

    label = "输入错误"

    def __init__(self, code: str, value: Any, hint: str = "") -> None:
        self.code = code
        self.value = value
        self.hint = hint
        message = f"{code}: “{quote(value)}”"
        if hint:
            message += f"（{hint}）"
        super().__init__(message)

    @property
    def cell_text(self) -> str:
        """The short text a UDF puts in the cell instead of a number."""
        return f"#{self.code}: {quote(self.value, 12)}"


class CalendarUnknownError(PolicyInputError):
    """A date in a year whose holiday notice nobody has confirmed yet."""

    def __init__(self, year: int) -> None:
        super().__init__(
            "日历未确认",
            f"{year}年",
            f"请在{SETTINGS_BOOK}的“放假安排”表录入{year}年国务院放假通知（放假日和调休上班日），在“已确认年度”表确认{year}年，"
            "再刷新本月工作簿（xinao-xl settings --refresh）",
        )
        self.year = year


class RulesError(XinaoError, RuntimeError):
    """The rules data file is broken; the message names the key."""

    label = "规则文件错误"

# The office's settings workbook beside the month folders, as every message names it.
SETTINGS_BOOK = "制度设置.xlsx"


@dataclass(frozen=True)
class Problem:
    """One problem in the office's settings: the sheet, the cell and what to do."""

    sheet: str
    cell: str
    text: str


class SettingsError(XinaoError, ValueError):
    """The office's settings (制度设置.xlsx) have problems: every command stops before it
    writes anything, and the message names the file, each cell and the fix."""

    label = "制度设置错误"

    def __init__(self, problems: list[Problem], book: str = SETTINGS_BOOK) -> None:
        self.problems = list(problems)
        self.book = book
        lines = [f"  {book} {p.sheet}!{p.cell}：{p.text}" if p.cell else f"  {book} {p.sheet}：{p.text}" for p in self.problems]
        message = f"{book} 有 {len(self.problems)} 处错误，已停止，没有写入任何文件；请改正后重试：\n" + "\n".join(lines)
        super().__init__(message)
