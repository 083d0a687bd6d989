"""The add-in's text sources (``vba_stubs/``) and the build of ``dist/xinao_xl.xlam`` from them.

``vba_stubs/`` sits beside the package in the repository (DESIGN.md); it holds the only VBA
of the project. Two of its files are generated (`stubs`); `stale_stubs` says which ones
differ from a fresh generation, so a test and ``xinao-xl addin stubs --check`` catch a UDF
added without regenerating.

    >>> sorted(expected_generated())
    ['ThisWorkbook.cls', 'XinaoUDFs.bas']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from defusedxml import ElementTree

from xinao_xl.books.save import write_bytes_atomic

from . import texts
from .stubs import UDF_MODULE, this_workbook_cls, udf_stubs
from .xlam import CUSTOM_UI_NAMESPACE, build_xlam

__all__ = [
    "ADDIN_NAME",
    "CUSTOM_UI_FILE",
    "PROJECT_NAME",
    "REPO_ROOT",
    "STUBS_DIR",
    "addin_conf",
    "build_addin",
    "expected_generated",
    "load_modules",
    "ribbon_actions",
    "ribbon_ids",
    "stale_stubs",
    "vba_subs",
    "write_generated",
]

PROJECT_NAME = "xinao_xl"
ADDIN_NAME = f"{PROJECT_NAME}.xlam"
REPO_ROOT = Path(__file__).resolve().parents[3]
STUBS_DIR = REPO_ROOT / "vba_stubs"
CUSTOM_UI_FILE = "customUI14.xml"
_MODULE_SUFFIXES = (".bas", ".cls")


def addin_conf() -> dict[str, str]:
    """Rows of the add-in's ``xinao_xl.conf`` sheet.

    ``Interpreter_Win`` is left out: a key present with an empty value would shadow the
    user's config file, where ``xinao-xl addin install`` writes the interpreter.
    """
    return {"UDF Modules": UDF_MODULE, "Show Console": "False"}


def expected_generated() -> dict[str, str]:
    """File name -> text of the generated files of ``vba_stubs/``."""
    return {"XinaoUDFs.bas": udf_stubs(), "ThisWorkbook.cls": this_workbook_cls()}


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").replace("\r\n", "\n")


def stale_stubs(stubs_dir: Path = STUBS_DIR) -> list[str]:
    """Generated files that are missing or differ from a fresh generation (line ends aside)."""
    return [
        name
        for name, text in expected_generated().items()
        if not (stubs_dir / name).is_file() or _read(stubs_dir / name) != text
    ]


def write_generated(stubs_dir: Path = STUBS_DIR) -> list[Path]:
    """Regenerate the generated files (UTF-8, LF; ASCII; the build converts to CRLF)."""
    stubs_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in expected_generated().items():
        written.append(write_bytes_atomic(stubs_dir / name, text.encode("utf-8"), keep_previous=False))  # kept in git
    return written


def load_modules(stubs_dir: Path = STUBS_DIR) -> dict[str, str]:
    """File name -> source of every VBA module in ``stubs_dir`` (sorted, for reproducible builds)."""
    modules = {p.name: _read(p) for p in sorted(stubs_dir.iterdir()) if p.suffix.lower() in _MODULE_SUFFIXES}
    if not modules:
        raise FileNotFoundError(f"no .bas or .cls files in {stubs_dir}")
    return modules


def build_addin(
    out_path: Path,
    stubs_dir: Path = STUBS_DIR,
    *,
    include_xlwings: bool = True,
    modules: Mapping[str, str] | None = None,
) -> Path:
    """Write the add-in from ``stubs_dir`` (or the ``modules`` given) and return its path.

    The texts its VBA shows (`texts`) go to very hidden sheets beside the conf sheet.
    """
    custom_ui = (stubs_dir / CUSTOM_UI_FILE).read_text(encoding="utf-8")
    return build_xlam(
        out_path,
        dict(modules) if modules is not None else load_modules(stubs_dir),
        custom_ui,
        addin_conf(),
        include_xlwings=include_xlwings,
        project_name=PROJECT_NAME,
        hidden_sheets=texts.sheets(),
    )


def _custom_ui_attributes(xml: str, attribute: str) -> list[str]:
    root = ElementTree.fromstring(xml.encode("utf-8"))
    return [el.get(attribute) for el in root.iter() if el.get(attribute) is not None]


def ribbon_ids(xml: str, kinds: tuple[str, ...] = ("button",)) -> list[str]:
    """Ids of the ribbon controls of these kinds (``button`` by default), in order."""
    root = ElementTree.fromstring(xml.encode("utf-8"))
    tags = {f"{{{CUSTOM_UI_NAMESPACE}}}{kind}" for kind in kinds}
    return [el.get("id") for el in root.iter() if el.tag in tags]


def ribbon_actions(xml: str) -> set[str]:
    """Every callback name the ribbon XML refers to (``onAction``, ``getLabel``, ...)."""
    callbacks = ("onAction", "getLabel", "getEnabled", "getVisible", "getScreentip", "onLoad")
    return {name for attr in callbacks for name in _custom_ui_attributes(xml, attr)}


_SUB = re.compile(r"^\s*(?:Public\s+|Private\s+)?(?:Sub|Function)\s+(\w+)\s*\(([^)]*)\)", re.IGNORECASE | re.MULTILINE)


def vba_subs(source: str) -> dict[str, str]:
    """Procedure name -> its parameter list, for every Sub or Function in ``source``."""
    return {m.group(1): m.group(2).strip() for m in _SUB.finditer(source)}
