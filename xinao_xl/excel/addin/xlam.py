"""Write the ``.xlam`` add-in: an OOXML zip with a small workbook, the VBA project and the ribbon.

The parts are written directly (no openpyxl) because an add-in needs things openpyxl does not
model: the add-in content type of the workbook part, the ``vbaProject.bin`` part, the
``customUI14.xml`` part with its relationship, and sheet code names matching the VBA
document modules.

Settings for xlwings live on a very hidden sheet of the add-in. The xlwings VBA module for
custom add-ins looks that sheet up as ``PROJECT_NAME & ".conf"`` (its ``GetConfigFromSheet``)
and ships with ``PROJECT_NAME = "myaddin"``; the build sets that constant to our project
name, so the sheet is ``xinao_xl.conf`` (``xlwings.conf`` is only the name the standard
xlwings add-in uses). Keys are read upper-cased (``UDF MODULES``, ``INTERPRETER_WIN``...),
and a key present with an empty value shadows the user's config file, so leave a key out
rather than empty when a lower layer should supply it.

>>> import tempfile, pathlib
>>> out = pathlib.Path(tempfile.mkdtemp()) / "demo.xlam"
>>> build_xlam(out, {"Demo.bas": "Sub Hi()\\r\\nEnd Sub\\r\\n"}, MINIMAL_CUSTOM_UI,
...            {"UDF Modules": "xinao_xl.excel.udfs"}, include_xlwings=False).name
'demo.xlam'
"""

from __future__ import annotations

import importlib.resources
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree
from openpyxl.utils import get_column_letter

from xinao_xl.books.save import open_atomic

from .vbaproject import DEFAULT_CODEPAGE, VbaModule, build_vba_project

__all__ = [
    "ADDIN_CONTENT_TYPE",
    "CUSTOM_UI_NAMESPACE",
    "MINIMAL_CUSTOM_UI",
    "UI_EXTENSIBILITY_REL",
    "VBA_PROJECT_CONTENT_TYPE",
    "build_xlam",
    "xlwings_addin_module",
]

ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
VBA_PROJECT_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
UI_EXTENSIBILITY_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_PROJECT_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CUSTOM_UI_NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"
MINIMAL_CUSTOM_UI = f'<customUI xmlns="{CUSTOM_UI_NAMESPACE}"><ribbon/></customUI>'

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOC_REL = f"{_REL_NS}/officeDocument"
_WORKSHEET_REL = f"{_REL_NS}/worksheet"
_STYLES_REL = f"{_REL_NS}/styles"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so two builds of the same sources are identical
_PROJECT_NAME_CONST = re.compile(r'^(Public Const PROJECT_NAME As String = )"[^"\r\n]*"', re.MULTILINE)

_STYLES = (
    _XML_DECL + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def xlwings_addin_module(project_name: str) -> VbaModule:
    """The xlwings VBA module for custom add-ins, read from the installed xlwings package.

    It is what ``xlwings copy vba --addin`` copies, with ``PROJECT_NAME`` set to
    ``project_name`` (xlwings' instructions for custom add-ins); it is never committed to
    our repository, so it always matches the installed xlwings version.
    """
    resource = importlib.resources.files("xlwings") / "xlwings_custom_addin.bas"
    text = resource.read_text(encoding="utf-8")
    text, count = _PROJECT_NAME_CONST.subn(rf'\g<1>"{project_name}"', text)
    if count != 1:
        raise RuntimeError("xlwings_custom_addin.bas no longer declares PROJECT_NAME; check xlwings")
    return VbaModule.from_file("xlwings.bas", text)


def _module(key: str, text: str) -> VbaModule:
    filename = key if Path(key).suffix.lower() in (".bas", ".cls") else f"{key}.bas"
    module = VbaModule.from_file(filename, text)
    if Path(key).stem != module.name:
        raise ValueError(f"{key}: Attribute VB_Name is {module.name!r}")
    return module


def _check_custom_ui(xml: str) -> None:
    root = ElementTree.fromstring(xml.encode("utf-8"))
    if root.tag != f"{{{CUSTOM_UI_NAMESPACE}}}customUI":
        raise ValueError(f"customUI14.xml must be a customUI element in {CUSTOM_UI_NAMESPACE}")


def _cell(ref: str, value: str) -> str:
    space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


def _worksheet(code_name: str, rows: Sequence[Sequence[str]] = ()) -> str:
    """A sheet of text cells, one row per item of ``rows``; an empty value leaves its cell out."""
    body = []
    for i, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{get_column_letter(j)}{i}", value) for j, value in enumerate(row, start=1) if value)
        body.append(f'<row r="{i}">{cells}</row>')
    width = max((len(row) for row in rows), default=0)
    dimension = f"A1:{get_column_letter(max(width, 2))}{len(rows)}" if rows else "A1"
    return (
        _XML_DECL + f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        f'<sheetPr codeName="{code_name}"/><dimension ref="{dimension}"/>'
        f'<sheetData>{"".join(body)}</sheetData></worksheet>'
    )


def _relationships(rels: Sequence[tuple[str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{kind}" Target={quoteattr(target)}/>'
        for i, (kind, target) in enumerate(rels, start=1)
    )
    return _XML_DECL + f'<Relationships xmlns="{_PKG_REL_NS}">{items}</Relationships>'


def _parts(
    vba_project: bytes, custom_ui_xml: str, sheets: Sequence[tuple[str, str, str, str]]
) -> dict[str, bytes | str]:
    """All parts of the package; ``sheets`` holds (name, state, code name, xml)."""
    overrides = [
        ("/xl/workbook.xml", ADDIN_CONTENT_TYPE),
        ("/xl/styles.xml", _STYLES_TYPE),
        *((f"/xl/worksheets/sheet{i}.xml", _WORKSHEET_TYPE) for i in range(1, len(sheets) + 1)),
    ]
    content_types = (
        _XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Default Extension="bin" ContentType="{VBA_PROJECT_CONTENT_TYPE}"/>'
        + "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
        + "</Types>"
    )
    sheet_entries = "".join(
        f"<sheet name={quoteattr(name)} sheetId=\"{i}\"{f' state={quoteattr(state)}' if state else ''}"
        f' r:id="rId{i}"/>'
        for i, (name, state, _, _) in enumerate(sheets, start=1)
    )
    workbook = (
        _XML_DECL + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheet_entries}</sheets></workbook>"
    )
    workbook_rels = [(_WORKSHEET_REL, f"worksheets/sheet{i}.xml") for i in range(1, len(sheets) + 1)]
    workbook_rels += [(_STYLES_REL, "styles.xml"), (VBA_PROJECT_REL, "vbaProject.bin")]
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": _relationships(
            [(_OFFICE_DOC_REL, "xl/workbook.xml"), (UI_EXTENSIBILITY_REL, "customUI/customUI14.xml")]
        ),
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": _relationships(workbook_rels),
        "xl/styles.xml": _STYLES,
        "xl/vbaProject.bin": vba_project,
        "customUI/customUI14.xml": custom_ui_xml,
    }
    for i, (_, _, _, xml) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    return parts


def build_xlam(
    out_path: str | os.PathLike[str],
    modules: Mapping[str, str],
    custom_ui_xml: str,
    conf: Mapping[str, str],
    *,
    include_xlwings: bool = True,
    project_name: str = "xinao_xl",
    codepage: int = DEFAULT_CODEPAGE,
    hidden_sheets: Mapping[str, Sequence[Sequence[str]]] | None = None,
) -> Path:
    """Write the add-in to ``out_path`` (through a temporary file, then replace) and return it.

    ``modules`` maps file names (``XinaoRibbon.bas``, ``ThisWorkbook.cls``) or module names
    to source text. ``conf`` becomes the rows of the very hidden ``<project_name>.conf``
    sheet; an empty value leaves column B empty. ``hidden_sheets`` (name -> rows of text)
    become further very hidden sheets: texts the VBA shows, kept out of the VBA source
    (`xinao_xl.excel.addin.texts`). ``include_xlwings=False`` leaves out the xlwings module
    (for a LibreOffice test build, whose VBA runtime cannot compile it).
    """
    out = Path(out_path)
    _check_custom_ui(custom_ui_xml)
    given = [_module(key, text) for key, text in modules.items()]
    workbook_module = next((m for m in given if m.name == "ThisWorkbook"), None)
    if workbook_module is None:
        workbook_module = VbaModule.document("ThisWorkbook", workbook=True)
    elif workbook_module.kind != "document":
        raise ValueError("ThisWorkbook must be a document module (.cls)")
    others = [m for m in given if m.name != "ThisWorkbook"]
    if include_xlwings:
        others.append(xlwings_addin_module(project_name))
    # A visible placeholder sheet keeps the workbook valid; settings sit on a very hidden one.
    conf_name = f"{project_name}.conf"
    sheets = [
        (project_name, "", "Sheet1", _worksheet("Sheet1")),
        (conf_name, "veryHidden", "Sheet2", _worksheet("Sheet2", list(conf.items()))),
    ]
    for i, (name, rows) in enumerate((hidden_sheets or {}).items(), start=len(sheets) + 1):
        if name in (project_name, conf_name):
            raise ValueError(f"sheet {name!r} is taken")
        sheets.append((name, "veryHidden", f"Sheet{i}", _worksheet(f"Sheet{i}", rows)))
    taken = {m.name.upper() for m in [workbook_module, *others]}
    sheet_modules = [VbaModule.document(code) for _, _, code, _ in sheets if code.upper() not in taken]
    vba = build_vba_project(
        [workbook_module, *sheet_modules, *others], project_name=project_name, codepage=codepage
    )
    parts = _parts(vba, custom_ui_xml, sheets)

    # a build artefact: no 历史版本 kept (build it again)
    with open_atomic(out, keep_previous=False) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return out
