"""vba_stubs/ and the add-in built from it: fresh stubs, xlwings' form, wiring, olevba, LibreOffice."""

from __future__ import annotations

import ast
import datetime as dt
import functools
import importlib.resources
import inspect
import io
import subprocess
import types
import zipfile
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin, get_type_hints

import olefile
import pytest
from oletools.olevba import VBA_Parser
from xlwings.utils import VBAWriter

import xinao_xl.excel.udfs as udfs
from tests.excel.test_xlam_build import _UNO_RUNNER, _python_with_uno
from tests.support import libreoffice
from xinao_xl.excel import ribbon
from xinao_xl.excel.addin.inspect import (
    embedded_xlwings_version,
    read_cfb_streams,
    vba_module_sources,
)
from xinao_xl.excel.addin.sources import (
    CUSTOM_UI_FILE,
    STUBS_DIR,
    addin_conf,
    build_addin,
    expected_generated,
    load_modules,
    ribbon_actions,
    ribbon_ids,
    stale_stubs,
    vba_subs,
    write_generated,
)
from xinao_xl.excel.addin.stubs import UDF_MODULE, this_workbook_cls, udf_stubs, vba_string
from xinao_xl.excel.addin.vbaproject import VbaModule, normalize_source

CUSTOM_UI = (STUBS_DIR / CUSTOM_UI_FILE).read_text(encoding="utf-8")
BUTTONS = {
    "月度": ["生成下月空表", "月度结账", "生成回访报告"],
    "校验": ["校验本簿", "清除标记"],
    "回访": ["导入完工数据并抽样", "生成流转单"],
    "投诉": ["刷新时限"],
    "帮助": ["函数说明", "诊断", "版本与设置"],
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_addin(tmp_path_factory.mktemp("dist") / "xinao_xl.xlam")


def _macros(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


# --- the generated files are fresh --------------------------------------------------------


def test_committed_stubs_equal_a_fresh_generation() -> None:
    assert stale_stubs() == [], "run: xinao-xl addin stubs"
    for name, text in expected_generated().items():
        assert (STUBS_DIR / name).read_text(encoding="utf-8") == text


def test_a_changed_udf_makes_the_stubs_stale(tmp_path: Path) -> None:
    write_generated(tmp_path)
    assert stale_stubs(tmp_path) == []
    (tmp_path / "XinaoUDFs.bas").write_text(udf_stubs().replace("DEPT_SCORE", "DEPT_SCORE2"), encoding="utf-8")
    (tmp_path / "ThisWorkbook.cls").unlink()
    assert stale_stubs(tmp_path) == ["XinaoUDFs.bas", "ThisWorkbook.cls"]


def _xlwings_generator() -> types.SimpleNamespace:
    """xlwings' own ``generate_vba_wrapper`` and the decorators it reads, from its source.

    ``xlwings.udfs`` imports pywin32 at the top, so it cannot be imported off Windows; these
    functions themselves use only the standard library and ``VBAWriter``.
    """
    source = (importlib.resources.files("xlwings") / "udfs.py").read_text(encoding="utf-8")
    wanted = {"generate_vba_wrapper", "xlfunc", "xlarg", "func_sig", "get_category", "check_bool", "get_async_mode", "extract_type_and_annotations"}
    tree = ast.parse(source)
    module = ast.Module([n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in wanted], type_ignores=[])
    namespace: dict[str, Any] = {
        "VBAWriter": VBAWriter, "inspect": inspect, "dt": dt, "Annotated": Annotated, "get_origin": get_origin,
        "get_args": get_args, "get_type_hints": get_type_hints, "Any": Any, "Callable": Any, "_F": Any,
    }
    exec(compile(module, "xlwings/udfs.py", "exec"), namespace)  # noqa: S102 - xlwings' own code, read from the installed package
    assert wanted <= set(namespace)
    return types.SimpleNamespace(**namespace)


def test_stubs_are_what_xlwings_generates_for_our_functions() -> None:
    xl = _xlwings_generator()
    module = types.SimpleNamespace()
    for spec in udfs.UDF_SPECS:
        original = getattr(udfs, spec.name)
        copy = functools.wraps(original)(lambda *a, _f=original: _f(*a))
        copy.__globals__.update(Any=Any)
        decorated = xl.xlfunc(category=udfs.CATEGORY)(copy)
        for arg in spec.args:
            decorated = xl.xlarg(arg.name, doc=arg.doc)(decorated)
        setattr(module, spec.name, decorated)
    out = io.StringIO()
    xl.generate_vba_wrapper(UDF_MODULE, module, out, types.SimpleNamespace(Name="xinao_xl.xlam"))
    ours = udf_stubs()
    body = ours[ours.index("Function ") :]
    assert body == out.getvalue()
    assert out.getvalue().count("XLPy.CallUDF(\"xinao_xl.excel.udfs\"") == 2 * len(udfs.UDF_SPECS)


def test_macro_options_register_every_function_with_its_chinese_help() -> None:
    text = this_workbook_cls()
    for spec in udfs.UDF_SPECS:
        assert f'Register "{spec.name}", _' in text
        assert vba_string(spec.help) in text
        for arg in spec.args:
            assert vba_string(arg.doc) in text
    assert 'Category:="新奥服务"' in text
    assert "Private Sub Workbook_Open()" in text and "Private Sub Workbook_AddinInstall()" in text
    text.encode("cp936")  # every character survives the VBA code page


def test_vba_strings_double_quotes_and_map_the_minus_sign() -> None:
    assert vba_string('说“是”或"否"') == '"说“是”或""否"""'
    assert vba_string("100 − Σ") == '"100 - Σ"'
    with pytest.raises(ValueError, match="code page"):
        vba_string("😀")


# --- ribbon wiring --------------------------------------------------------------------------


def test_ribbon_has_the_tab_groups_and_buttons_of_the_design() -> None:
    from defusedxml import ElementTree

    ns = {"c": "http://schemas.microsoft.com/office/2009/07/customui"}
    root = ElementTree.fromstring(CUSTOM_UI.encode("utf-8"))
    tabs = root.findall(".//c:tab", ns)
    assert [t.get("label") for t in tabs] == ["新奥服务"]
    groups = {g.get("label"): [b.get("label") for b in g.findall("c:button", ns)] for g in tabs[0].findall("c:group", ns)}
    assert groups == BUTTONS
    for button in root.iter(f"{{{ns['c']}}}button"):
        assert button.get("imageMso") and button.get("screentip") and button.get("supertip")
        assert button.get("onAction") == "OnRibbon"


def test_every_on_action_has_a_vba_sub_with_the_ribbon_signature() -> None:
    subs = {name: params for text in load_modules().values() for name, params in vba_subs(text).items()}
    for action in ribbon_actions(CUSTOM_UI):
        assert action in subs, f"no VBA sub {action}"
        assert subs[action].replace(" ", "").lower() == "controlasiribboncontrol"


def test_every_ribbon_id_has_a_python_handler_and_no_handler_is_orphaned() -> None:
    ids = ribbon_ids(CUSTOM_UI)
    assert len(ids) == len(set(ids)) == 11
    assert set(ids) == set(ribbon.HANDLERS)


def test_ribbon_module_imports_the_services_it_dispatches_to_normally() -> None:
    """Issue 11 reversed the earlier choice (services imported by name when a button ran, a
    missing one reported): the handlers import their services like any module, so a broken
    import shows at once, in tests, and the import graph is checked (tests/test_architecture.py)."""
    source = Path(ribbon.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    assert any((getattr(n, "module", "") or "").startswith("xinao_xl.services") for n in top)
    inner = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) and n not in top]
    assert inner == [] and "importlib" not in source


# --- the built add-in -----------------------------------------------------------------------


def _crlf(text: str) -> str:
    return "\r\n".join(text.splitlines()) + "\r\n"


def test_olevba_extracts_each_vba_stubs_module_exactly(built: Path) -> None:
    macros = _macros(built)
    for name, text in load_modules().items():
        module = VbaModule.from_file(name, text)
        assert macros[module.name] == normalize_source(module), name
        if module.kind == "standard":
            assert macros[module.name] == _crlf(text)  # the file as committed, CRLF
    assert "xlwings" in macros
    assert {"XinaoRibbon", "XinaoUDFs", "ThisWorkbook"} <= set(macros)


def test_this_workbook_is_stored_without_its_export_header(built: Path) -> None:
    stored = _macros(built)["ThisWorkbook"]
    committed = (STUBS_DIR / "ThisWorkbook.cls").read_text(encoding="utf-8")
    assert stored == _crlf(committed.split("END\n", 1)[1])


def test_conf_sheet_names_the_udf_module_and_leaves_the_interpreter_out(built: Path) -> None:
    assert addin_conf() == {"UDF Modules": "xinao_xl.excel.udfs", "Show Console": "False"}
    with zipfile.ZipFile(built) as zf:
        workbook = zf.read("xl/workbook.xml").decode("utf-8")
        conf = zf.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert 'name="xinao_xl.conf"' in workbook and "veryHidden" in workbook
    assert "xinao_xl.excel.udfs" in conf and "Interpreter" not in conf


def test_our_reader_agrees_with_olefile_and_finds_the_xlwings_version(built: Path) -> None:
    with zipfile.ZipFile(built) as zf:
        blob = zf.read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(io.BytesIO(blob))
    streams = read_cfb_streams(blob)
    assert set(streams) == {"/".join(p) for p in ole.listdir()}
    for path, data in streams.items():
        assert ole.openstream(path).read() == data
    sources = vba_module_sources(built)
    assert sources["XinaoRibbon"] == _macros(built)["XinaoRibbon"]
    import xlwings

    assert embedded_xlwings_version(built) == xlwings.__version__
    assert embedded_xlwings_version(built.with_name("missing.xlam")) is None


def test_without_the_xlwings_module_there_is_no_version(tmp_path: Path) -> None:
    addin = build_addin(tmp_path / "lo.xlam", include_xlwings=False)
    assert embedded_xlwings_version(addin) is None


@pytest.mark.libreoffice
def test_libreoffice_loads_the_addin_and_lists_our_modules(built: Path, tmp_path: Path, require_libreoffice: str) -> None:
    subprocess.run(
        [require_libreoffice, "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--infilter=Calc MS Excel 2007 XML", "--convert-to", "ods", "--outdir", str(tmp_path), str(built)],
        check=True, capture_output=True, timeout=180,
    )
    with zipfile.ZipFile(tmp_path / "xinao_xl.ods") as zf:
        basic = {Path(n).stem for n in zf.namelist() if n.startswith("Basic/xinao_xl/")}
    assert {"ThisWorkbook", "XinaoRibbon", "XinaoUDFs", "xlwings"} <= basic


@pytest.mark.libreoffice
def test_libreoffice_vba_runtime_returns_the_runpython_command(tmp_path: Path, require_libreoffice: str) -> None:
    python = _python_with_uno()
    if python is None:
        reason = "LibreOffice's Python UNO bridge (python3-uno) is not installed"
        if libreoffice.in_ci():
            pytest.fail(f"{reason} — required when CI is set", pytrace=False)
        pytest.skip(reason)
    modules = {"XinaoRibbon.bas": load_modules()["XinaoRibbon.bas"]}
    addin = build_addin(tmp_path / "lo.xlam", include_xlwings=False, modules=modules)
    runner = tmp_path / "runner.py"
    runner.write_text(_UNO_RUNNER, encoding="utf-8")
    result = subprocess.run(
        [python, str(runner), require_libreoffice, str(addin), (tmp_path / "profile").as_uri(),
         f"xinao_ribbon_{tmp_path.name}", "xinao_xl.XinaoRibbon.RibbonCommand", "btnCloseMonth"],
        capture_output=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    command = result.stdout.decode("utf-8")
    assert command == "import xinao_xl.excel.ribbon as r; r.dispatch('btnCloseMonth')"
    namespace: dict[str, Any] = {}
    calls: list[str] = []
    ribbon_module = types.SimpleNamespace(dispatch=calls.append)
    exec(command.replace("import xinao_xl.excel.ribbon as r", "r = ribbon_module"), {"ribbon_module": ribbon_module}, namespace)  # noqa: S102
    assert calls == ["btnCloseMonth"]

