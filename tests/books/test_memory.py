"""`memory.gc_paused`: the collector is off inside, and back as it was after (nested, on error)."""

from __future__ import annotations

import gc

import pytest

from xinao_xl.books.memory import gc_paused


@gc_paused
def _inside() -> bool:
    return gc.isenabled()


@gc_paused
def _nested() -> tuple[bool, bool]:
    return _inside(), gc.isenabled()


@gc_paused
def _fails() -> None:
    raise ValueError("x")


def test_paused_inside_and_restored_after() -> None:
    assert gc.isenabled()
    assert _inside() is False and gc.isenabled()
    assert _nested() == (False, False) and gc.isenabled()
    with pytest.raises(ValueError):
        _fails()
    assert gc.isenabled()
    gc.disable()
    try:
        _inside()
        assert not gc.isenabled()  # a caller's own pause is left alone
    finally:
        gc.enable()
