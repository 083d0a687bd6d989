"""The VBA is ASCII and every text it shows comes from Python (vba_stubs/README.md).

VBA stores source in the project's ANSI code page (936): Chinese in a ``.bas`` reads right only
on a Windows set to Chinese. The texts VBA must show without Python (no workbook open; the
function wizard's help) sit on very hidden sheets of the add-in that the build writes from
`xinao_xl.excel.addin.texts`. Checked here: the files, the sheets in the built package, and
LibreOffice's VBA runtime reading them through our modules; plus the guard that keeps a
ribbon click with no workbook open from reaching xlwings' ``RunPython`` (VBA error 91).
"""

from __future__ import annotations

import json
import re
import types
import zipfile
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree

from tests.support.uno_run import require_uno, run_uno_script
from xinao_xl.excel import ribbon
from xinao_xl.excel.addin import texts
from xinao_xl.excel.addin.sources import STUBS_DIR, build_addin, load_modules
from xinao_xl.excel.addin.vbaproject import VbaModule, normalize_source
from xinao_xl.excel.addin.xlam import xlwings_addin_module
from xinao_xl.excel.udfs import UDF_SPECS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def non_ascii(name: str, text: str) -> list[str]:
    """``file:line: text`` for every line holding a character outside ASCII."""
    return [f"{name}:{i}: {line.strip()}" for i, line in enumerate(text.splitlines(), start=1) if not line.isascii()]


def _vba_files() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(STUBS_DIR.iterdir()) if p.suffix in (".bas", ".cls")}


def test_every_vba_file_is_ascii() -> None:
    files = _vba_files()
    assert set(files) == {"ThisWorkbook.cls", "XinaoMessage.bas", "XinaoRibbon.bas", "XinaoText.bas", "XinaoUDFs.bas"}
    assert [line for name, text in files.items() for line in non_ascii(name, text)] == []


def test_a_chinese_string_or_comment_is_caught() -> None:
    ribbon_bas = _vba_files()["XinaoRibbon.bas"]
    literal = ribbon_bas.replace('BlockedMessage = ""', 'BlockedMessage = "请先打开工作簿"')
    comment = ribbon_bas.replace("' Every button's onAction", "' 每个按钮的 onAction")
    line = literal.splitlines().index('        BlockedMessage = "请先打开工作簿"') + 1
    assert non_ascii("XinaoRibbon.bas", literal) == [f'XinaoRibbon.bas:{line}: BlockedMessage = "请先打开工作簿"']
    assert len(non_ascii("XinaoRibbon.bas", comment)) == 1


def test_xlwings_own_module_is_ascii_too() -> None:
    """So the project's code page changes no character of any module."""
    module = xlwings_addin_module("xinao_xl")
    assert normalize_source(module).isascii()
    assert all(normalize_source(VbaModule.from_file(n, t)).isascii() for n, t in load_modules().items())


def test_the_vba_reads_the_sheets_the_build_writes() -> None:
    text_bas = _vba_files()["XinaoText.bas"]
    assert f'Private Const TEXT_SHEET As String = "{texts.TEXT_SHEET}"' in text_bas
    assert f'Private Const FUNCTIONS_SHEET As String = "{texts.FUNCTIONS_SHEET}"' in text_bas
    used = set(re.findall(r'AddinText\("(\w+)"\)', "".join(_vba_files().values())))
    assert used == {"title", "no_workbook", "category"} == set(dict(texts.text_rows()))


def _sheet_cells(addin: Path) -> dict[str, tuple[str | None, dict[str, str]]]:
    """Sheet name -> (state, {cell: text}) of a built add-in."""
    with zipfile.ZipFile(addin) as zf:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        out = {}
        for sheet in book.iter(f"{{{MAIN}}}sheet"):
            xml = ElementTree.fromstring(zf.read("xl/" + targets[sheet.get(f"{{{REL}}}id")]))
            cells = {c.get("r"): "".join(c.itertext()) for c in xml.iter(f"{{{MAIN}}}c")}
            out[sheet.get("name")] = (sheet.get("state"), cells)
    return out


def test_the_built_addin_holds_the_texts_on_very_hidden_sheets(tmp_path: Path) -> None:
    sheets = _sheet_cells(build_addin(tmp_path / "xinao_xl.xlam", include_xlwings=False))
    state, cells = sheets[texts.TEXT_SHEET]
    assert state == "veryHidden"
    assert cells == {"A1": "title", "B1": "新奥服务", "A2": "no_workbook", "B2": texts.NO_WORKBOOK, "A3": "category", "B3": "新奥服务"}
    assert "\n" in texts.NO_WORKBOOK and "请先打开" in texts.NO_WORKBOOK
    state, cells = sheets[texts.FUNCTIONS_SHEET]
    assert state == "veryHidden"
    mystery = next(i for i, s in enumerate(UDF_SPECS, start=1) if s.name == "DEDUCT_MYSTERY")
    assert (cells[f"A{mystery}"], cells[f"B{mystery}"], cells[f"C{mystery}"], cells[f"D{mystery}"]) == (
        "DEDUCT_MYSTERY", "神秘客户检测扣分（考核7.1.2）：每低于标准1分扣3分", "神秘客户检测得分，如 93.5", "考核标准分，默认95",
    )
    assert f"E{mystery}" not in cells
    assert sum(ref.startswith("A") for ref in cells) == len(UDF_SPECS) == 17
    score = next(i for i, s in enumerate(UDF_SPECS, start=1) if s.name == "DEPT_SCORE")
    assert "100 − 扣分合计" in cells[f"B{score}"]  # a cell keeps the minus sign GBK lacks
    # xlwings' RunPython treats any sheet whose name ends in .py as embedded code (xlwings PRO)
    assert not [name for name in sheets if name.endswith(".py")]


def test_on_ribbon_checks_for_a_workbook_before_run_python() -> None:
    source = _vba_files()["XinaoRibbon.bas"]
    body = source[source.index("Public Sub OnRibbon") : source.index("End Sub")]
    guard, run = body.index("BlockedMessage(ActiveWorkbook)"), body.index("RunPython")
    assert guard < body.index("Exit Sub") < run
    assert "ShowMessage blocked" in body  # MessageBoxW (XinaoMessage.bas), not the ANSI MsgBox
    code = [line.split("'")[0] for text in _vba_files().values() for line in text.splitlines() if not line.lstrip().startswith("'")]
    assert not [line for line in code if re.search(r"\bMsgBox\b", line)]
    assert 'Lib "user32"' in _vba_files()["XinaoMessage.bas"] and "StrPtr(text)" in _vba_files()["XinaoMessage.bas"]


# --- LibreOffice's VBA runtime runs our modules -------------------------------------------

# Runs in the Python that has LibreOffice's UNO bridge: loads the add-in with macros enabled
# and calls several Basic functions in one LibreOffice session; prints a JSON list of results.
_UNO_CALLS = r'''
import json, sys
from lo_session import load, prop, session

path, calls = sys.argv[1:]
with session() as (ctx, desktop):
    doc = load(desktop, path, prop("MacroExecutionMode", 4), prop("FilterName", "Calc MS Excel 2007 XML"))
    provider = doc.getScriptProvider()
    results = []
    for macro, args in json.loads(calls):
        script = provider.getScript("vnd.sun.star.script:%s?language=Basic&location=document" % macro)
        results.append(str(script.invoke(tuple(args), (), ())[0]))
    sys.stdout.buffer.write(json.dumps(results, ensure_ascii=False).encode("utf-8"))
    doc.close(True)
'''

# Test-only Basic: what OnRibbon does with no workbook (ActiveWorkbook Is Nothing) and with one,
# and the argument texts as MacroOptions gets them, joined for printing.
PROBE_BAS = """Attribute VB_Name = "Probe"
Option Explicit

Public Function NoWorkbook(ByVal unused As String) As String
    NoWorkbook = "[" & BlockedMessage(Nothing) & "]"
End Function

Public Function WithWorkbook(ByVal unused As String) As String
    WithWorkbook = "[" & BlockedMessage(ThisWorkbook) & "]"
End Function

Public Function Arguments(ByVal r As String) As String
    Dim texts As Variant
    texts = ArgumentTexts(CLng(r))
    If IsEmpty(texts) Then
        Arguments = "(none)"
    Else
        Arguments = Join(texts, "|")
    End If
End Function

Public Function Cell(ByVal rc As String) As String
    Cell = FunctionCell(CLng(Split(rc, ",")(0)), CLng(Split(rc, ",")(1)))
End Function
"""


def run_basic(addin: Path, calls: list[tuple[str, list[Any]]]) -> list[str]:
    require_uno()
    return json.loads(run_uno_script(_UNO_CALLS, str(addin), json.dumps(calls)))


@pytest.mark.libreoffice
def test_libreoffice_vba_runtime_reads_the_texts_and_guards_the_ribbon(tmp_path: Path) -> None:
    modules = {n: t for n, t in load_modules().items() if n in ("XinaoRibbon.bas", "XinaoText.bas", "XinaoMessage.bas")}
    addin = build_addin(tmp_path / "lo.xlam", include_xlwings=False, modules={**modules, "Probe.bas": PROBE_BAS})
    sla = next(i for i, s in enumerate(UDF_SPECS, start=1) if s.name == "SLA_STATUS")
    calls: list[tuple[str, list[Any]]] = [
        ("xinao_xl.Probe.NoWorkbook", [""]),
        ("xinao_xl.Probe.WithWorkbook", [""]),
        ("xinao_xl.XinaoText.AddinText", ["title"]),
        ("xinao_xl.XinaoText.AddinText", ["category"]),
        ("xinao_xl.XinaoText.AddinText", ["no_such_key"]),
        ("xinao_xl.Probe.Cell", [f"{sla},1"]),
        ("xinao_xl.Probe.Cell", [f"{sla},2"]),
        ("xinao_xl.Probe.Arguments", [str(sla)]),
        ("xinao_xl.Probe.Cell", [f"{len(UDF_SPECS) + 1},1"]),
        ("xinao_xl.XinaoRibbon.RibbonCommand", ["btnCloseMonth"]),
    ]
    got = run_basic(addin, calls)
    spec = UDF_SPECS[sla - 1]
    assert got == [
        f"[{texts.NO_WORKBOOK}]",  # no workbook: the message, so OnRibbon stops before RunPython
        "[]",  # a workbook: nothing blocks
        "新奥服务",
        "新奥服务",
        "no_such_key",  # a damaged add-in still says something
        "SLA_STATUS",
        spec.help,
        "|".join(a.doc for a in spec.args),
        "",  # past the last function: RegisterFunctions stops
        "import xinao_xl.excel.ribbon as r; r.dispatch('btnCloseMonth')",
    ]
    calls_seen: list[str] = []
    namespace: dict[str, Any] = {"ribbon_module": types.SimpleNamespace(dispatch=calls_seen.append)}
    exec(got[-1].replace("import xinao_xl.excel.ribbon as r", "r = ribbon_module"), namespace)  # noqa: S102
    assert calls_seen == ["btnCloseMonth"] and "btnCloseMonth" in ribbon.HANDLERS
