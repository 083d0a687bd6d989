"""vba_stubs/ and the add-in built from it: fresh stubs, xlwings' form, wiring, olevba, LibreOffice."""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import subprocess
import zipfile
from pathlib import Path

import olefile
import pytest
from oletools.olevba import VBA_Parser

import xinao_xl.excel.udfs as udfs
from tests.support.imports import heavy_imports
from xinao_xl.excel import ribbon
from xinao_xl.excel.addin import texts
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
from xinao_xl.excel.addin.stubs import this_workbook_cls, udf_stubs
from xinao_xl.excel.addin.vbaproject import VbaModule, normalize_source

CUSTOM_UI = (STUBS_DIR / CUSTOM_UI_FILE).read_text(encoding="utf-8")
BUTTONS = {
    "月度": ["今日待办", "生成下月空表", "刷新汇入", "发放自评表", "收集自评", "月度结账", "生成回访报告"],  # 刷新汇入: issue 12; 自评: issue 19
    "校验": ["校验本簿", "清除标记"],
    "回访": ["导入完工数据并抽样", "生成流转单"],
    "投诉": ["刷新时限", "打印投诉单", "特殊终止申请表"],
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


def test_macro_options_register_every_function_from_the_functions_sheet() -> None:
    """ThisWorkbook.cls holds no help text: it walks the rows `texts.function_rows` writes."""
    text = this_workbook_cls()
    assert "Private Sub Workbook_Open()" in text and "Private Sub Workbook_AddinInstall()" in text
    assert "Register FunctionCell(r, 1), FunctionCell(r, 2), ArgumentTexts(r)" in text
    assert 'Category:=AddinText("category")' in text
    rows = texts.function_rows()
    assert [r[0] for r in rows] == [s.name for s in udfs.UDF_SPECS]
    for spec, row in zip(udfs.UDF_SPECS, rows, strict=True):
        assert row == (spec.name, spec.help, *(a.doc for a in spec.args))
        assert spec.help not in text
    assert dict(texts.text_rows())["category"] == udfs.CATEGORY == "新奥服务"


def test_help_longer_than_excel_accepts_is_refused() -> None:
    spec = udfs.UdfSpec("LONG", "说" * (texts.MACRO_OPTIONS_LIMIT + 1), ())
    with pytest.raises(ValueError, match="255"):
        texts.function_rows([spec])
    assert texts.function_rows([udfs.UdfSpec("OK", "说" * texts.MACRO_OPTIONS_LIMIT, ())])


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
    assert len(ids) == len(set(ids)) == sum(map(len, BUTTONS.values()))
    assert set(ids) == set(ribbon.HANDLERS)


def test_ribbon_handlers_import_their_services_by_statement_when_they_run() -> None:
    """Issue 11 reversed an earlier choice (services imported by name when a button ran, a
    missing one reported): the handlers import their services with import statements, so
    the import graph is checked (tests/test_architecture.py counts imports inside
    functions) and a broken import shows in tests, here. Issue 16 moved those statements
    into the handlers: every click starts a process that imports this module, and a button
    pays only for its own use case."""
    source = Path(ribbon.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    inner = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n not in top and n.module and n.level == 0]
    modules = set()
    for node in inner:  # a broken import fails here, not at a click
        base = importlib.import_module(node.module)
        for alias in node.names:  # `from package import module` binds the module once imported
            value = getattr(base, alias.name, None) or importlib.import_module(f"{node.module}.{alias.name}")
            modules.add(value.__name__ if inspect.ismodule(value) else node.module)
    assert len({m for m in modules if m.startswith("xinao_xl.services.")}) >= 10
    assert "importlib" not in source and "__import__" not in source


def test_importing_the_ribbon_imports_no_heavy_library() -> None:
    assert heavy_imports("import xinao_xl.excel.ribbon") == set()


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
        content = zf.read("content.xml").decode("utf-8")
    assert {"ThisWorkbook", "XinaoRibbon", "XinaoText", "XinaoMessage", "XinaoUDFs", "xlwings"} <= basic
    for sheet in (texts.TEXT_SHEET, texts.FUNCTIONS_SHEET):
        assert f'table:name="{sheet}"' in content
