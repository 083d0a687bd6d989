"""The .xlam build: olevba reads back each module's text, the package is wired as Excel expects."""

from __future__ import annotations

import importlib.resources
import io
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import olefile
import pytest
from defusedxml import ElementTree
from oletools.olevba import VBA_Parser

from tests.support.uno_run import require_uno, run_uno_script
from xinao_xl.excel.addin.ovba import decompress
from xinao_xl.excel.addin.vbaproject import (
    VbaModule,
    build_vba_project,
    decrypt_project_data,
    normalize_source,
)
from xinao_xl.excel.addin.xlam import (
    ADDIN_CONTENT_TYPE,
    UI_EXTENSIBILITY_REL,
    VBA_PROJECT_CONTENT_TYPE,
    build_xlam,
)

RIBBON_BAS = (
    'Attribute VB_Name = "SampleRibbon"\n'
    "Option Explicit\n"
    "\n"
    "' 每个按钮只转发到 Python\n"
    "Public Sub OnRibbon(control As IRibbonControl)\n"
    '    RunPython "import xinao_xl.excel.ribbon as r; r.dispatch(""" & control.Id & """)"\n'
    "End Sub\n"
    "\n"
    "Public Function CommandFor(id As String) As String\n"
    '    CommandFor = "月度结账: " & id\n'
    "End Function\n"
)
HELPERS_BAS = (
    "Attribute VB_Name = \"SampleHelpers\"\r\n"
    "Public Function Twice(x As Double) As Double\r\n"
    "    Twice = 2 * x\r\n"
    "End Function\r\n"
)
THIS_WORKBOOK_CLS = (
    "VERSION 1.0 CLASS\r\n"
    "BEGIN\r\n"
    "  MultiUse = -1  'True\r\n"
    "END\r\n"
    'Attribute VB_Name = "ThisWorkbook"\r\n'
    'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\r\n'
    "Attribute VB_GlobalNameSpace = False\r\n"
    "Attribute VB_Creatable = False\r\n"
    "Attribute VB_PredeclaredId = True\r\n"
    "Attribute VB_Exposed = True\r\n"
    "Attribute VB_TemplateDerived = False\r\n"
    "Attribute VB_Customizable = True\r\n"
    "Private Sub Workbook_Open()\r\n"
    '    Application.StatusBar = "新奥服务已加载"\r\n'
    "End Sub\r\n"
)
CUSTOM_UI = (
    '<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui">'
    '<ribbon><tabs><tab id="xinaoTab" label="新奥服务"><group id="grpMonth" label="月度">'
    '<button id="btnClose" label="月度结账" size="large" imageMso="MacroPlay" onAction="OnRibbon"/>'
    "</group></tab></tabs></ribbon></customUI>"
)
CONF = {"UDF Modules": "xinao_xl.excel.udfs", "Interpreter_Win": "", "Show Console": "False"}

NS = {
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
}
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _crlf(text: str) -> str:
    return "\r\n".join(text.splitlines()) + "\r\n"


def _macros(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {Path(vba_filename).stem: code for _, _, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xlam") / "dist" / "sample.xlam"
    modules = {"SampleRibbon.bas": RIBBON_BAS, "SampleHelpers.bas": HELPERS_BAS}
    return build_xlam(out, modules, CUSTOM_UI, CONF, include_xlwings=False)


@pytest.fixture(scope="module")
def built_with_xlwings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xlam") / "full.xlam"
    modules = {"SampleRibbon.bas": RIBBON_BAS, "ThisWorkbook.cls": THIS_WORKBOOK_CLS}
    return build_xlam(out, modules, CUSTOM_UI, CONF)


def _xml(path: Path, part: str) -> ElementTree.Element:
    with zipfile.ZipFile(path) as zf:
        return ElementTree.fromstring(zf.read(part))


# --- the VBA text round-trips through olevba -------------------------------------------------


def test_olevba_extracts_each_module_exactly(built: Path) -> None:
    macros = _macros(built)
    # olevba returns the stored text, Attribute lines included; Excel stores them too.
    assert macros["SampleRibbon"] == _crlf(RIBBON_BAS)
    assert macros["SampleHelpers"] == HELPERS_BAS
    assert "月度结账" in macros["SampleRibbon"]


def test_document_modules_exist_for_the_workbook_and_each_sheet(built: Path) -> None:
    macros = _macros(built)
    assert set(macros) == {"ThisWorkbook", "Sheet1", "Sheet2", "SampleRibbon", "SampleHelpers"}
    assert 'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"' in macros["ThisWorkbook"]
    assert 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in macros["Sheet2"]


def test_class_header_is_not_stored_and_attributes_are(built_with_xlwings: Path) -> None:
    stored = _macros(built_with_xlwings)["ThisWorkbook"]
    assert stored == _crlf(THIS_WORKBOOK_CLS.split("END\r\n", 1)[1])
    assert "新奥服务已加载" in stored


def test_xlwings_custom_addin_module_is_read_from_the_installed_package(built_with_xlwings: Path) -> None:
    original = (importlib.resources.files("xlwings") / "xlwings_custom_addin.bas").read_text("utf-8")
    stored = _macros(built_with_xlwings)["xlwings"]
    assert 'Public Const PROJECT_NAME As String = "xinao_xl"' in stored
    expected = original.replace(
        'Public Const PROJECT_NAME As String = "myaddin"',
        'Public Const PROJECT_NAME As String = "xinao_xl"',
    )
    assert stored == _crlf(expected)


def test_build_without_xlwings_leaves_it_out(built: Path) -> None:
    assert "xlwings" not in _macros(built)


# --- the vbaProject.bin layout ----------------------------------------------------------------


def test_vba_project_is_source_only_in_code_page_936(built: Path) -> None:
    with zipfile.ZipFile(built) as zf:
        ole = olefile.OleFileIO(io.BytesIO(zf.read("xl/vbaProject.bin")))
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000100")
    records = decompress(ole.openstream("VBA/dir").read())
    assert records[:10] == struct.pack("<HII", 0x0001, 4, 1)
    assert struct.pack("<HIH", 0x0003, 2, 936) in records
    assert records.count(struct.pack("<HII", 0x0031, 4, 0)) == 5  # MODULEOFFSET 0 everywhere
    assert records.count(struct.pack("<HI", 0x0031, 4)) == 5
    assert b"stdole" in records and b"Office" in records
    module = decompress(ole.openstream("VBA/SampleRibbon").read())  # no performance cache
    assert module.decode("cp936") == _crlf(RIBBON_BAS)


def test_project_stream_lists_modules_and_is_unprotected(built: Path) -> None:
    with zipfile.ZipFile(built) as zf:
        ole = olefile.OleFileIO(io.BytesIO(zf.read("xl/vbaProject.bin")))
    text = ole.openstream("PROJECT").read().decode("cp936")
    lines = text.split("\r\n")
    assert "Document=ThisWorkbook/&H00000000" in lines
    assert "Document=Sheet2/&H00000000" in lines
    assert "Module=SampleRibbon" in lines and "Module=SampleHelpers" in lines
    assert 'Name="xinao_xl"' in lines
    fields = dict(line.split("=", 1) for line in lines if line[:4] in ("CMG=", "DPB=", "GC=\""))
    assert decrypt_project_data(fields["CMG"].strip('"')) == bytes(4)
    assert decrypt_project_data(fields["DPB"].strip('"')) == b"\x00"
    assert decrypt_project_data(fields["GC"].strip('"')) == b"\xff"
    wm = ole.openstream("PROJECTwm").read()
    assert b"SampleRibbon\x00" + "SampleRibbon".encode("utf-16-le") + b"\x00\x00" in wm


def test_decrypts_what_excel_wrote() -> None:
    """CMG/DPB/GC copied from the vbaProject.bin Excel wrote for xlwings' quickstart add-in."""
    assert decrypt_project_data("5D5F8AADDAA8DEA8DEA8DEA8DE") == bytes(4)
    assert decrypt_project_data("5D5F8AADDAADDBADDBAD") == b"\x00"
    assert decrypt_project_data("5D5F8AADDAADDBADDB52") == b"\xff"


def test_characters_outside_the_code_page_are_refused() -> None:
    with pytest.raises(ValueError, match="code page"):
        build_vba_project([VbaModule("Bad", 'Sub X()\r\n  MsgBox "😀"\r\nEnd Sub\r\n')])


def test_vb_name_must_match_the_module_name() -> None:
    with pytest.raises(ValueError, match="VB_Name"):
        normalize_source(VbaModule("One", 'Attribute VB_Name = "Two"\r\n'))


def test_missing_vb_name_is_added() -> None:
    assert normalize_source(VbaModule("One", "Sub A()\nEnd Sub")) == (
        'Attribute VB_Name = "One"\r\nSub A()\r\nEnd Sub\r\n'
    )


def test_kinds_from_file_names() -> None:
    assert VbaModule.from_file("A.bas", "").kind == "standard"
    assert VbaModule.from_file("ThisWorkbook.cls", "").kind == "document"
    assert VbaModule.from_file("Sheet3.cls", THIS_WORKBOOK_CLS.replace("ThisWorkbook", "Sheet3")).kind == "document"
    assert VbaModule.from_file("Dictionary.cls", 'Attribute VB_Name = "Dictionary"\r\n').kind == "class"


# --- the OOXML package ------------------------------------------------------------------------


def test_content_types(built: Path) -> None:
    types = _xml(built, "[Content_Types].xml")
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.findall("ct:Override", NS)}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.findall("ct:Default", NS)}
    assert overrides["/xl/workbook.xml"] == ADDIN_CONTENT_TYPE
    assert overrides.get("/xl/vbaProject.bin", defaults.get("bin")) == VBA_PROJECT_CONTENT_TYPE
    with zipfile.ZipFile(built) as zf:
        names = set(zf.namelist())
    for part in overrides:
        assert part.lstrip("/") in names


def test_relationships(built: Path) -> None:
    root_rels = {r.get("Type"): r.get("Target") for r in _xml(built, "_rels/.rels").findall("rel:Relationship", NS)}
    assert root_rels[UI_EXTENSIBILITY_REL] == "customUI/customUI14.xml"
    office = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
    assert root_rels[office] == "xl/workbook.xml"
    book_rels = _xml(built, "xl/_rels/workbook.xml.rels").findall("rel:Relationship", NS)
    vba = [r for r in book_rels if r.get("Type") == "http://schemas.microsoft.com/office/2006/relationships/vbaProject"]
    assert [r.get("Target") for r in vba] == ["vbaProject.bin"]
    with zipfile.ZipFile(built) as zf:
        assert zf.read("customUI/customUI14.xml").decode("utf-8") == CUSTOM_UI


def test_conf_sheet_is_very_hidden_and_holds_the_settings(built: Path) -> None:
    workbook = _xml(built, "xl/workbook.xml")
    assert workbook.find("m:workbookPr", NS).get("codeName") == "ThisWorkbook"
    sheets = {s.get("name"): s for s in workbook.findall("m:sheets/m:sheet", NS)}
    assert sheets["xinao_xl.conf"].get("state") == "veryHidden"
    assert any(s.get("state") is None for s in sheets.values()), "one sheet stays visible"
    rels = {r.get("Id"): r.get("Target") for r in _xml(built, "xl/_rels/workbook.xml.rels").findall("rel:Relationship", NS)}
    sheet = _xml(built, "xl/" + rels[sheets["xinao_xl.conf"].get(R_ID)])
    assert sheet.find("m:sheetPr", NS).get("codeName") == "Sheet2"
    cells = {c.get("r"): "".join(c.itertext()) for c in sheet.iter(f"{{{NS['m']}}}c")}
    assert cells == {
        "A1": "UDF Modules",
        "B1": "xinao_xl.excel.udfs",
        "A2": "Interpreter_Win",
        "A3": "Show Console",
        "B3": "False",
    }


def test_build_is_reproducible_and_replaces_atomically(tmp_path: Path) -> None:
    out = tmp_path / "a.xlam"
    out.write_bytes(b"old")
    modules = {"SampleRibbon.bas": RIBBON_BAS}
    build_xlam(out, modules, CUSTOM_UI, CONF, include_xlwings=False)
    first = out.read_bytes()
    build_xlam(out, modules, CUSTOM_UI, CONF, include_xlwings=False)
    assert out.read_bytes() == first != b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlam"]


def test_failed_build_leaves_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "a.xlam"
    out.write_bytes(b"old")
    with pytest.raises(ValueError):
        build_xlam(out, {"Bad.bas": 'MsgBox "😀"'}, CUSTOM_UI, CONF, include_xlwings=False)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlam"]


def test_custom_ui_must_use_the_2009_namespace(tmp_path: Path) -> None:
    old = '<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui"/>'
    with pytest.raises(ValueError, match="customUI"):
        build_xlam(tmp_path / "x.xlam", {}, old, CONF, include_xlwings=False)


# --- LibreOffice loads it ---------------------------------------------------------------------


@pytest.mark.libreoffice
def test_libreoffice_loads_the_addin_and_lists_the_modules(built_with_xlwings: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--infilter=Calc MS Excel 2007 XML",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(built_with_xlwings),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with zipfile.ZipFile(tmp_path / "full.ods") as zf:
        basic = {Path(n).stem: zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("Basic/xinao_xl/")}
        content = zf.read("content.xml").decode("utf-8")
    assert {"ThisWorkbook", "Sheet1", "Sheet2", "SampleRibbon", "xlwings"} <= set(basic)
    assert 'script:moduleType="document"' in basic["ThisWorkbook"]
    assert "月度结账" in basic["SampleRibbon"]
    assert 'table:name="xinao_xl.conf"' in content


# Runs inside the Python that ships LibreOffice's UNO bridge (not our venv): loads the add-in
# with macros enabled and calls one of our functions through LibreOffice's VBA runtime.
_UNO_RUNNER = r'''
import sys
from lo_session import load, prop, session

path, macro, argument = sys.argv[1:]
with session() as (ctx, desktop):
    doc = load(desktop, path, prop("MacroExecutionMode", 4), prop("FilterName", "Calc MS Excel 2007 XML"))
    script = doc.getScriptProvider().getScript(
        "vnd.sun.star.script:%s?language=Basic&location=document" % macro)
    sys.stdout.buffer.write(str(script.invoke((argument,), (), ())[0]).encode("utf-8"))
    doc.close(True)
'''


@pytest.mark.libreoffice
def test_libreoffice_vba_runtime_runs_our_module(tmp_path: Path) -> None:
    require_uno()
    addin = build_xlam(tmp_path / "lo.xlam", {"SampleRibbon.bas": RIBBON_BAS}, CUSTOM_UI, CONF, include_xlwings=False)
    out = run_uno_script(_UNO_RUNNER, str(addin), "xinao_xl.SampleRibbon.CommandFor", "btnClose")
    assert out == "月度结账: btnClose"
