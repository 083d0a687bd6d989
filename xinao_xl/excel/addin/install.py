"""Install the add-in on Windows: our build into XLSTART, or one built by Excel from source.

- `install_built`: build the add-in straight into Excel's startup folder with this Python as
  ``Interpreter_Win`` on its conf sheet (what ``xlwings addin install`` plus ``xlwings config
  create`` achieve for the standard add-in), and write the user config file the custom
  add-in also reads (``%USERPROFILE%\\.xinao_xl\\xinao_xl.conf``) when there is none.
- `install_from_source`: for offices that require Excel-compiled VBA. Excel (through COM)
  imports the ``vba_stubs`` modules and the xlwings module into a new workbook, puts the
  ThisWorkbook code in place, adds the conf and text sheets, and saves as ``.xlam``; the ribbon XML,
  which Excel cannot add through COM, is then added to the saved package (no VBA touched).
  Needs 信任对 VBA 工程对象模型的访问 in the Trust Center.

The file work is plain Python and tested on any OS; the COM steps only run on Windows.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from xinao_xl.books.save import open_atomic, write_bytes_atomic, write_text_atomic

from . import texts
from .sources import (
    ADDIN_NAME,
    CUSTOM_UI_FILE,
    PROJECT_NAME,
    STUBS_DIR,
    addin_conf,
    build_addin,
    load_modules,
)
from .vbaproject import VbaModule, normalize_source
from .xlam import UI_EXTENSIBILITY_REL, build_xlam, xlwings_addin_module

__all__ = [
    "add_custom_ui",
    "install_built",
    "install_from_source",
    "install_conf",
    "user_config_path",
    "write_user_config",
]

XL_OPENXML_ADDIN = 55  # XlFileFormat.xlOpenXMLAddIn
XL_SHEET_VERY_HIDDEN = 2
_UI_PART = f"customUI/{CUSTOM_UI_FILE}"


def install_conf(python: str) -> dict[str, str]:
    """The conf sheet of an installed add-in: the build's settings plus this interpreter."""
    return {**addin_conf(), "Interpreter_Win": python}


def user_config_path(home: Path | None = None) -> Path:
    """Where the custom add-in looks for the user's settings (its ``GetConfigFilePath``)."""
    home = home or Path(os.environ.get("USERPROFILE") or Path.home())
    return home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"


def write_user_config(python: str, home: Path | None = None, force: bool = False) -> Path | None:
    """Write ``"INTERPRETER_WIN","<python>"`` as ``xlwings config create`` does; keep an existing file."""
    path = user_config_path(home)
    if path.exists() and not force:
        return None
    return write_text_atomic(path, f'"INTERPRETER_WIN","{python}"\n')


def install_built(startup_dir: Path, python: str = sys.executable, home: Path | None = None, stubs_dir: Path = STUBS_DIR) -> Path:
    """Build the add-in into ``startup_dir`` (Excel's XLSTART) with ``python`` in its conf."""
    custom_ui = (stubs_dir / CUSTOM_UI_FILE).read_text(encoding="utf-8")
    target = build_xlam(
        Path(startup_dir) / ADDIN_NAME, load_modules(stubs_dir), custom_ui, install_conf(python),
        project_name=PROJECT_NAME, hidden_sheets=texts.sheets(),
    )
    write_user_config(python, home)
    return target


def add_custom_ui(xlam: Path, custom_ui_xml: str) -> Path:
    """Add (or replace) the ribbon part of a saved ``.xlam``: part, relationship, nothing else."""
    xlam = Path(xlam)
    with zipfile.ZipFile(xlam) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    rels = parts["_rels/.rels"].decode("utf-8")
    if UI_EXTENSIBILITY_REL not in rels:
        rel = f'<Relationship Id="rIdXinaoUI" Type="{UI_EXTENSIBILITY_REL}" Target="{_UI_PART}"/>'
        rels = rels.replace("</Relationships>", rel + "</Relationships>")
    parts["_rels/.rels"] = rels.encode("utf-8")
    parts[_UI_PART] = custom_ui_xml.encode("utf-8")
    with open_atomic(xlam, keep_previous=False) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return xlam


def _module_file(module: VbaModule, folder: Path, codepage: int = 936) -> Path:
    """An export file VBE can import: CRLF, in the ANSI code page (VBE reads files that way)."""
    text = normalize_source(module)
    if module.kind == "class":
        text = "VERSION 1.0 CLASS\r\nBEGIN\r\n  MultiUse = -1  'True\r\nEND\r\n" + text
    path = folder / (module.name + (".cls" if module.kind == "class" else ".bas"))
    return write_bytes_atomic(path, text.encode(f"cp{codepage}"), keep_previous=False)


def _document_code(module: VbaModule) -> str:
    """The code of a document module without its attribute lines (CodeModule.AddFromString)."""
    lines = normalize_source(module).split("\r\n")
    return "\r\n".join(line for line in lines if not re.match(r"Attribute\s+VB_", line))


def install_from_source(startup_dir: Path, python: str = sys.executable, stubs_dir: Path = STUBS_DIR, app: Any = None) -> Path:  # pragma: no cover - Windows + Excel
    """Let Excel build and compile the add-in from ``vba_stubs`` (see the module docstring)."""
    import xlwings as xw

    modules = [VbaModule.from_file(name, text) for name, text in load_modules(stubs_dir).items()]
    modules.append(xlwings_addin_module(PROJECT_NAME))
    target = Path(startup_dir) / ADDIN_NAME
    own_app = app is None
    app = app or xw.App(visible=False, add_book=False)
    try:
        book = app.books.add()
        project = book.api.VBProject
        with tempfile.TemporaryDirectory() as tmp:
            for module in modules:
                if module.kind == "document":
                    code = project.VBComponents(book.api.CodeName if module.name == "ThisWorkbook" else module.name).CodeModule
                    code.AddFromString(_document_code(module))
                else:
                    project.VBComponents.Import(str(_module_file(module, Path(tmp))))
        _conf_sheet(book, install_conf(python))
        for name, rows in texts.sheets().items():
            _text_sheet(book, name, rows)
        book.api.IsAddin = True
        book.api.SaveAs(str(target), XL_OPENXML_ADDIN)
        book.close()
    finally:
        if own_app:
            app.quit()
    add_custom_ui(target, (stubs_dir / CUSTOM_UI_FILE).read_text(encoding="utf-8"))
    write_user_config(python)
    return target


def _conf_sheet(book: Any, conf: Mapping[str, str]) -> None:  # pragma: no cover - Windows + Excel
    sheet = book.sheets.add(f"{PROJECT_NAME}.conf")
    for i, (key, value) in enumerate(conf.items(), start=1):
        sheet.range((i, 1)).value = key
        if value:
            sheet.range((i, 2)).value = "'" + value
    sheet.api.Visible = XL_SHEET_VERY_HIDDEN


def _text_sheet(book: Any, name: str, rows: list[tuple[str, ...]]) -> None:  # pragma: no cover - Windows + Excel
    """A very hidden sheet of texts the VBA shows (`texts`), as `build_xlam` writes it."""
    sheet = book.sheets.add(name)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row, start=1):
            if value:
                sheet.range((i, j)).value = "'" + value
    sheet.api.Visible = XL_SHEET_VERY_HIDDEN


def startup_folder() -> Path:  # pragma: no cover - Windows + Excel
    """Excel's per-user XLSTART folder (asks Excel, which creates it when missing)."""
    import xlwings as xw

    if xw.apps:
        return Path(xw.apps.active.startup_path)
    with xw.App(visible=False, add_book=False) as app:
        return Path(app.startup_path)


def build_default(out: Path, include_xlwings: bool = True) -> Path:
    """``xinao-xl addin build``: the add-in from ``vba_stubs`` with the build's conf."""
    return build_addin(out, include_xlwings=include_xlwings)
