"""`memory.gc_paused`: the collector is off inside, and back as it was after (nested, on error)."""

from __future__ import annotations

import gc
import weakref

import pytest

from xinao_xl.books.memory import collect_garbage, gc_paused


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


class _Node:
    """A cycle only the collector can free (as a workbook's sheets and cells are)."""

    def __init__(self) -> None:
        self.me = self


@gc_paused
def _made_and_collected() -> tuple[bool, bool, int]:
    node = _Node()
    ref = weakref.ref(node)
    del node
    kept = ref() is not None  # paused: the cycle stays
    collect_garbage()
    return kept, ref() is None, gc.get_freeze_count()


def test_collect_garbage_frees_a_cycle_inside_a_paused_call_and_gives_back_what_it_set_aside() -> None:
    assert gc.get_freeze_count() == 0
    kept, freed, frozen = _made_and_collected()
    assert kept and freed
    assert frozen > 0  # what lived on was set aside, so the next collection skips it
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_collect_garbage_outside_a_paused_call_does_nothing() -> None:
    collect_garbage()
    assert gc.get_freeze_count() == 0


def test_objects_someone_else_froze_are_left_frozen() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        kept, freed, _ = _made_and_collected()
        # not given back (0) and nothing more set aside; a frozen object whose last
        # reference goes is still freed, so the count may drop a little (another test's)
        assert kept and freed and 0 < gc.get_freeze_count() <= before
    finally:
        gc.unfreeze()
