"""Reading and writing workbooks without Python's cycle collector walking every cell.

Reading a 100,000-row 台账 turns millions of cells into Python objects, and a close builds
and saves a dozen openpyxl workbooks of tens of thousands of cells each. Each collection
those allocations trigger walks all the objects alive, again and again, though hardly any
are garbage yet: 10–20 % of a read or of a close. `gc_paused` runs a function with the
collector paused.

A saved workbook is garbage that only the collector can free (its sheets and cells refer
to each other), so with the collector paused for a whole close every output built stayed
in memory to the end: 100–250 MB at 100,000 callbacks. `collect_garbage` frees it inside a
paused call without walking what lives on: the objects alive when the outermost paused
call began, and those that survived an earlier `collect_garbage`, are set aside
(``gc.freeze``) and given back to the collector when that call ends. So it is called
where nothing still being built is alive (what is alive then stays to the end of the
paused call): between the steps of a close (services/close.py) and before a
`books.save.Batch` commits, when the workbooks saved before are garbage; never while a
workbook is being saved (it would be set aside, not freed).

    @gc_paused
    def close_month(...): ...
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_depth = 0  # paused calls under way (nested calls count; the main thread's)
_frozen = False  # whether the outermost paused call froze objects (it gives them back)


def gc_paused(fn: F) -> F:
    """`fn` with the cycle collector paused; its previous state is restored (nested calls,
    a caller that paused it itself, and an exception alike)."""

    @functools.wraps(fn)
    def paused(*args: Any, **kwargs: Any) -> Any:
        global _depth, _frozen
        enabled = gc.isenabled()
        gc.disable()
        if _depth == 0 and gc.get_freeze_count() == 0:  # (objects frozen by others are left as they are)
            gc.freeze()
            _frozen = True
        _depth += 1
        try:
            return fn(*args, **kwargs)
        finally:
            _depth -= 1
            if _depth == 0 and _frozen:
                gc.unfreeze()
                _frozen = False
            if enabled:
                gc.enable()

    return paused  # type: ignore[return-value]


def collect_garbage() -> None:
    """Inside a paused call: free the cyclic garbage made since the call began or since the
    last `collect_garbage` (a workbook saved), looking only at objects made since, then set
    the survivors aside too. Outside one the collector runs on its own: nothing to do."""
    if _depth == 0:
        return
    gc.collect()
    if _frozen:
        gc.freeze()
