"""The close's progress line (cli/close.py, console_bar)."""

from __future__ import annotations

import pytest


def test_progress_into_a_log_is_one_plain_line_per_step(capsys: pytest.CaptureFixture[str]) -> None:
    """A close run by a scheduled task writes its progress into a log: no carriage returns or
    terminal codes there (capsys' stderr is not a terminal)."""
    from xinao_xl.cli.close import console_bar

    console_bar(3, 8, "写入考核表结账副本")
    console_bar(8, 8, "放入结果并写结账记录")
    err = capsys.readouterr().err
    assert err == "3/8 写入考核表结账副本\n8/8 放入结果并写结账记录\n"
