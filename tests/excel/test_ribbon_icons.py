"""Every ``imageMso`` of the ribbon is an Excel control id from Microsoft's own list.

``imageMso`` names an icon of the host application's image library; a name Excel does not
know (``AcceptInvitation`` is Outlook's, ``ImportTextFile`` Access's) leaves the button
without an icon and no error anywhere. The list is Microsoft's "Office Fluent UI Command
Identifiers" for Excel (``tests/data/excel_control_ids.tsv`` names the files and commits).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml import ElementTree

from xinao_xl.excel.addin.sources import CUSTOM_UI_FILE, STUBS_DIR

ID_LIST = Path(__file__).resolve().parents[1] / "data" / "excel_control_ids.tsv"
# Control types that carry an icon (a tab, group or context menu id names no image).
WITH_IMAGE = {"button", "toggleButton", "splitButton", "gallery", "menu", "checkBox"}


def excel_control_ids(path: Path = ID_LIST) -> dict[str, str]:
    """Control id -> control type, from the test data file (``#`` lines are its header)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, kind = line.split("\t")
            out[name] = kind
    return out


def image_names(xml: str) -> list[str]:
    root = ElementTree.fromstring(xml.encode("utf-8"))
    return [el.get("imageMso") for el in root.iter() if el.get("imageMso") is not None]


def icons_not_in_excel(xml: str, ids: dict[str, str]) -> list[str]:
    return [name for name in image_names(xml) if ids.get(name) not in WITH_IMAGE]


def test_the_id_list_names_its_source_and_holds_excel_s_controls() -> None:
    header = [line for line in ID_LIST.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any("github.com/OfficeDev/office-fluent-ui-command-identifiers" in line for line in header)
    assert any("excelcontrols.xlsx" in line for line in header)
    ids = excel_control_ids()
    assert len(ids) > 1500
    assert ids["FileNew"] == "button" and ids["AutoSum"] == "button" and ids["TabHome"] == "tab"


def test_every_ribbon_icon_is_an_excel_control_with_an_image() -> None:
    xml = (STUBS_DIR / CUSTOM_UI_FILE).read_text(encoding="utf-8")
    assert len(image_names(xml)) == xml.count("<button ") >= 12  # one per button
    assert icons_not_in_excel(xml, excel_control_ids()) == []


@pytest.mark.parametrize(("name", "owner"), [("AcceptInvitation", "Outlook"), ("ImportTextFile", "Access"), ("TabHome", "a tab")])
def test_an_icon_of_another_application_is_caught(name: str, owner: str) -> None:
    """The two names the review found (and a tab id, which has no image) fail the check."""
    xml = (STUBS_DIR / CUSTOM_UI_FILE).read_text(encoding="utf-8")
    broken = xml.replace('imageMso="FileNew"', f'imageMso="{name}"', 1)
    assert broken != xml
    assert icons_not_in_excel(broken, excel_control_ids()) == [name], owner
