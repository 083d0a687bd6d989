"""The error types of the policy layer.

Every problem with what staff typed ends in one exception type, so front ends (UDFs, CLI,
validation) can catch exactly that and show its Chinese message. The `code` is the short
label a UDF returns in the cell (``#无效级别: 六级``).
"""

from __future__ import annotations

from typing import Any


def quote(value: Any, limit: int = 20) -> str:
    """Show a bad value in a message, shortened so a message never carries a whole cell."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


class PolicyInputError(ValueError):
    """A value staff typed that a policy rule cannot use."""

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
            f"请在工作日历中录入{year}年国务院放假通知（含调休上班日）并标记为已确认",
        )
        self.year = year


class RulesError(RuntimeError):
    """The rules data file is broken; the message names the key."""
