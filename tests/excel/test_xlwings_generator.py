"""xlwings' own wrapper generator writes exactly our ``vba_stubs/XinaoUDFs.bas``.

``xlwings.udfs`` is what Excel runs on Windows when xlwings imports UDFs: its ``xlfunc`` and
``xlarg`` decorators describe a function, ``generate_vba_wrapper`` writes the VBA. It imports
pywin32 at the top, so here pywin32's three modules are stubbed (only the names it imports;
nothing of them runs while decorating or generating), the real ``xlwings/udfs.py`` of the
installed xlwings is loaded, our ``xinao_xl/excel/udfs.py`` is executed afresh with
``xw.func``/``xw.arg`` being those real decorators (off Windows xlwings gives no-ops), and
the generated text is compared with the committed stubs.

The generated form belongs to the xlwings version (the add-in embeds xlwings' VBA module of
the same version): when an xlwings upgrade changes it, this test says which version wrote
what, and ``stubs._stub`` follows xlwings.
"""

from __future__ import annotations

import importlib.util
import io
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlwings

from xinao_xl.excel import udfs
from xinao_xl.excel.addin.sources import STUBS_DIR
from xinao_xl.excel.addin.stubs import UDF_MODULE, udf_stubs

_PYWIN32 = {
    "pythoncom": {"CoInitialize": lambda: None},
    "pywintypes": {},
    "win32com": {},
    "win32com.client": {"Dispatch": None},
}


@pytest.fixture(scope="module")
def xlwings_udfs() -> Iterator[types.ModuleType]:
    """The installed ``xlwings/udfs.py``, loaded as on Windows with pywin32 stubbed."""
    saved = {name: sys.modules.get(name) for name in _PYWIN32}
    for name, attrs in _PYWIN32.items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
    sys.modules["win32com"].client = sys.modules["win32com.client"]  # type: ignore[attr-defined]
    path = Path(xlwings.__file__).with_name("udfs.py")
    spec = importlib.util.spec_from_file_location("xlwings._udfs_as_on_windows", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        assert module.xlfunc is not xlwings.func  # the real decorator, not the off-Windows no-op
        yield module
    finally:
        module.com_executor.shutdown(wait=False)
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old


def _our_udfs_decorated_by(real: types.ModuleType) -> types.ModuleType:
    """A fresh copy of ``xinao_xl.excel.udfs`` whose ``@udf`` ran xlwings' real decorators."""
    spec = importlib.util.spec_from_file_location("xinao_xl.excel._udfs_for_xlwings", udfs.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlwings, "func", real.xlfunc)
        mp.setattr(xlwings, "arg", real.xlarg)
        mp.setitem(sys.modules, spec.name, module)  # its dataclasses look their module up
        spec.loader.exec_module(module)
    return module


def generated_by_xlwings(real: types.ModuleType, module: Any) -> str:
    out = io.StringIO()
    # An add-in: xlwings passes ActiveWorkbook instead of ThisWorkbook when the name ends .xlam.
    real.generate_vba_wrapper(UDF_MODULE, module, out, types.SimpleNamespace(Name="xinao_xl.xlam"))
    return out.getvalue()


def _body(stub_text: str) -> str:
    """The functions of a stub file (after our header lines)."""
    return stub_text.replace("\r\n", "\n")[stub_text.index("Function ") :]


@pytest.fixture(scope="module")
def xlwings_text(xlwings_udfs: types.ModuleType) -> str:
    return generated_by_xlwings(xlwings_udfs, _our_udfs_decorated_by(xlwings_udfs))


def test_the_committed_stubs_are_what_xlwings_generates(xlwings_text: str) -> None:
    committed = (STUBS_DIR / "XinaoUDFs.bas").read_text(encoding="utf-8")
    assert _body(committed) == xlwings_text, (
        f"xlwings {xlwings.__version__} writes other UDF wrappers than vba_stubs/XinaoUDFs.bas: "
        "make xinao_xl/excel/addin/stubs.py write its form, then run xinao-xl addin stubs"
    )
    assert _body(udf_stubs()) == xlwings_text
    assert xlwings_text.count(f'XLPy.CallUDF("{UDF_MODULE}"') == 2 * len(udfs.UDF_SPECS)
    assert xlwings_text.count("ActiveWorkbook, Application.Caller)") == len(udfs.UDF_SPECS)


def test_the_header_constant_is_xlwings_own(xlwings_udfs: types.ModuleType) -> None:
    import inspect

    const = "#Const App = \"Microsoft Excel\" 'Adjust when using outside of Excel"
    assert const in inspect.getsource(xlwings_udfs.import_udfs)
    assert const in (STUBS_DIR / "XinaoUDFs.bas").read_text(encoding="utf-8").splitlines()


def test_xlwings_marks_only_sla_status_volatile(xlwings_udfs: types.ModuleType) -> None:
    module = _our_udfs_decorated_by(xlwings_udfs)
    volatile = sorted(name for name in dir(module) if getattr(getattr(module, name), "__xlfunc__", {}).get("volatile"))
    assert volatile == ["SLA_STATUS"]
    text = generated_by_xlwings(xlwings_udfs, module)
    assert "Function SLA_STATUS(due, Optional done, Optional now)\n    Application.Volatile\n" in text


def test_a_stub_broken_on_purpose_is_caught(xlwings_text: str) -> None:
    committed = _body((STUBS_DIR / "XinaoUDFs.bas").read_text(encoding="utf-8"))
    for broken in (
        committed.replace("    Application.Volatile\n", ""),  # SLA_STATUS no longer volatile
        committed.replace('"DEPT_SCORE", Array(deductions, bonuses, Nothing)', '"DEPT_SCORE", Array(bonuses, deductions, Nothing)'),
        committed.replace('"DEPT_SCORE", Array(deductions, bonuses, Nothing)', '"DEPT_SCORE", Array(deductions, bonuses)'),  # no caller
        committed.replace("Function WORKDAY_CN(start, days)", "Function WORKDAY_CN(start, Optional days)"),
        committed.replace("ActiveWorkbook, Application.Caller", "ThisWorkbook, Application.Caller", 1),
    ):
        assert broken != committed
        assert broken != xlwings_text
