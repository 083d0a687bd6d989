"""xinao_xl: Python behind the service office's Excel workbooks (考核表, 回访台账, 投诉台账).

One thing happens on import: openpyxl is kept from importing numpy (`_OpenpyxlWithoutNumpy`).
openpyxl imports numpy whenever it is installed, only to accept numpy's number types as cell
values; that import was 0.06-0.08 s of every command that touches a workbook, a close and
every ribbon click included, though no numpy number ever reaches openpyxl from our code
(the one module that holds pandas values, books/period_report.py, turns them into Python's
own before writing them). A process that imported numpy before openpyxl (pandas first) gets
openpyxl as it comes.
"""

import sys

__version__ = "0.1.0"


class _OpenpyxlWithoutNumpy:
    """A finder that refuses ``import numpy`` while openpyxl's ``compat.numbers`` runs (that
    module then sets ``NUMPY = False``); every other import goes on to the usual finders."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        if name == "numpy":
            numbers = sys.modules.get("openpyxl.compat.numbers")
            if numbers is not None and not hasattr(numbers, "NUMPY"):
                raise ModuleNotFoundError("numpy is not imported for openpyxl (xinao_xl/__init__.py)", name="numpy")
        return None


if _OpenpyxlWithoutNumpy not in sys.meta_path:
    sys.meta_path.insert(0, _OpenpyxlWithoutNumpy)  # type: ignore[arg-type]
