"""Reading and writing workbooks without Python's cycle collector walking every cell.

Reading a 100,000-row 台账 turns millions of cells into Python objects, and a close builds
and saves a dozen openpyxl workbooks of tens of thousands of cells each. Each collection
those allocations trigger walks all the objects alive, again and again, though hardly any
are garbage yet: 10–20 % of a read or of a close. `gc_paused` runs a function with the
collector paused; what becomes garbage meanwhile (a saved workbook: its sheets and cells
refer to each other) is collected once it is switched on again.

    @gc_paused
    def close_month(...): ...
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def gc_paused(fn: F) -> F:
    """`fn` with the cycle collector paused; its previous state is restored (nested calls,
    a caller that paused it itself, and an exception alike)."""

    @functools.wraps(fn)
    def paused(*args: Any, **kwargs: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused  # type: ignore[return-value]
