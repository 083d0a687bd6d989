"""Workbook defined names: the one way formulas reach the 规则 and 工作日历 sheets.

A formula reads ``P_SATISFACTION_TARGET`` rather than ``规则!$B$19``: it stays right when
a row is inserted on 规则, reads like the rule, and works in Excel, WPS and LibreOffice.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from defusedxml import ElementTree
from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName


def absolute(sheet: str, ref: str) -> str:
    """``'规则'!$B$5`` or ``'规则'!$H$3:$H$9`` from a plain A1 reference."""
    parts = []
    for part in ref.split(":"):
        letters = "".join(ch for ch in part if ch.isalpha())
        digits = part[len(letters):]
        parts.append(f"${letters}${digits}")
    return f"'{sheet}'!" + ":".join(parts)


def define(wb: Workbook, name: str, sheet: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=absolute(sheet, ref))


def stage_name(key: str, major: bool) -> str:
    """Defined name of a stage's day count: D_INVESTIGATE_MAJOR, D_APPEAL_HANDLE_GENERAL…"""
    return f"D_{key.upper()}_{'MAJOR' if major else 'GENERAL'}"


CAL_DATES = "CAL_DATES"
CAL_COUNT = "CAL_COUNT"


def workbook_names(path: Path | str) -> dict[str, str]:
    """The workbook-level defined names of a file on disk (name -> reference text), read from
    its workbook part without loading the workbook (for an in-place edit, `inplace.py`)."""
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    with zipfile.ZipFile(path) as z:
        root = ElementTree.fromstring(z.read("xl/workbook.xml"))
    return {dn.get("name", ""): dn.text or "" for dn in root.iter(f"{ns}definedName") if dn.get("localSheetId") is None}
