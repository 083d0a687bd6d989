"""openpyxl without numpy in a process of ours: the ``xinao-xl`` command (installed when the CLI
is imported) and the close's second process (services/spawned.py).

openpyxl imports numpy whenever it is installed, only to accept numpy's number types as
cell values; that import was 0.06-0.08 s of every command that touches a workbook, a close
and every ribbon click included, though no numpy number reaches openpyxl from our code (the
one module that holds pandas values, books/period_report.py, turns them into Python's own
before writing them). So an ``xinao-xl`` process keeps openpyxl from importing it: a finder
refuses ``import numpy`` while openpyxl's ``compat.numbers`` runs (which then sets
``NUMPY = False``); numpy itself still imports for pandas. A process that imported numpy
before openpyxl gets openpyxl as it comes, and ``import xinao_xl`` as a library changes
nothing: only the command and the second process install the finder.
"""

from __future__ import annotations

import sys


class OpenpyxlWithoutNumpy:
    """A finder that refuses ``import numpy`` while openpyxl's ``compat.numbers`` runs;
    every other import goes on to the usual finders."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        if name == "numpy":
            numbers = sys.modules.get("openpyxl.compat.numbers")
            if numbers is not None and not hasattr(numbers, "NUMPY"):
                raise ModuleNotFoundError("numpy is not imported for openpyxl (xinao_xl/books/no_numpy.py)", name="numpy")
        return None


def install() -> None:
    if OpenpyxlWithoutNumpy not in sys.meta_path:
        sys.meta_path.insert(0, OpenpyxlWithoutNumpy)  # type: ignore[arg-type]
