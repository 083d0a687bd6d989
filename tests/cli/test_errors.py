"""The command line maps errors in one place (cli.main): a XinaoError prints its Chinese
message once and ends with its exit code; anything else prints only its type."""

from __future__ import annotations

from typing import Any

import pytest

from xinao_xl.cli import main
from xinao_xl.policy.errors import RulesError
from xinao_xl.services import close


def _raise(exc: BaseException) -> Any:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise exc

    return boom


def test_a_plain_error_in_the_close_shows_its_type_not_its_text(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # (cli/close.py used to print a plain ValueError's text: here it holds a customer's phone)
    monkeypatch.setattr(close, "close_month", _raise(ValueError("张三 13812345678 的级别")))
    assert main(["close", "2026-11", "--dir", "."]) == 2
    err = capsys.readouterr().err
    assert "意外错误（ValueError）" in err and "13812345678" not in err and "张三" not in err


def test_a_xinao_error_prints_its_message_once_with_its_code(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(close, "close_month", _raise(RulesError("规则文件错误: 缺少键 params.x")))
    assert main(["close", "2026-11", "--dir", "."]) == 2
    assert capsys.readouterr().err.strip() == "规则文件错误: 缺少键 params.x"  # the label not twice
    monkeypatch.setattr(close, "close_month", _raise(close.ValidationFailed("校验发现 1 个错误，已停止结账", [])))
    assert main(["close", "2026-11", "--dir", "."]) == 1
    assert capsys.readouterr().err.strip().endswith("错误: 校验发现 1 个错误，已停止结账")


def test_debug_shows_where_a_xinao_error_came_from(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(close, "close_month", _raise(close.CloseError("强制结账须说明原因（--reason）")))
    assert main(["--debug", "close", "2026-11", "--dir", "."]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().endswith("错误: 强制结账须说明原因（--reason）")
