"""`xinao-xl … | head`: a reader that stops early is not an error for staff to see."""

from __future__ import annotations

import io
import os

import pytest

from xinao_xl import cli


class ClosedPipe(io.TextIOWrapper):
    """stdout whose reader has gone: every write raises as a closed pipe does."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_ends_quietly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    read_end, write_end = os.pipe()
    stdout = ClosedPipe(open(write_end, "wb"))  # a real descriptor for the devnull hand-over
    monkeypatch.setattr("sys.stdout", stdout)
    try:
        assert cli.main(["rules"]) == 0
    finally:
        os.close(read_end)
    assert "意外错误" not in capsys.readouterr().err

