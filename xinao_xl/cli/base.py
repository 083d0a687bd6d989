"""What every command shares: a Chinese argparse, the error type, UTF-8 output.

argparse speaks English ("usage:", "options", "the following arguments are required");
staff read this tool's help, so the parser and its errors are Chinese here.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from typing import Any, NoReturn

from xinao_xl.policy.errors import XinaoError

_ARGPARSE_ZH = {
    "the following arguments are required": "缺少必填参数",
    "unrecognized arguments": "无法识别的参数",
    "invalid choice": "无效选项",
    "expected one argument": "需要一个值",
    "argument": "参数",
}


class CliError(XinaoError):
    """A problem a command finds in its arguments, to tell the user in Chinese; `code` is the
    exit code (1 findings, 2 bad input)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message, exit_code=code)

    @property
    def code(self) -> int:
        return self.exit_code


def display_width(text: str) -> int:
    """Columns `text` takes on a console: a Chinese (wide) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class ZhHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help, with "用法:" and the option column lined up by display width (argparse
    counts characters, so ``--dir 目录`` pushed its help two columns to the right)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 30, width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, width)

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "用法: ")

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            width = display_width(self._format_action_invocation(action))
            self._action_max_length = max(self._action_max_length, width + self._current_indent)

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        invocation = self._format_action_invocation(action)
        extra = display_width(invocation) - len(invocation)
        head = " " * self._current_indent + invocation
        if extra and action.help and text.startswith(head) and text[len(head):].startswith(" " * (extra + 2)):
            text = head + text[len(head) + extra:]
        return text


class ZhArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ZhHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示帮助并退出")

    def error(self, message: str) -> NoReturn:
        for en, zh in _ARGPARSE_ZH.items():
            message = message.replace(en, zh)
        self.print_usage(sys.stderr)
        self.exit(2, f"错误: {message}\n")


def use_utf8() -> None:
    """Chinese output on a Windows console or a pipe must not die on an encoding error."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            reconfigure(encoding="utf-8", errors="replace")


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def table(rows: list[list[Any]], headers: list[str]) -> str:
    """A plain text table whose columns line up with Chinese (double-width) characters."""
    width = display_width
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
