"""docs/architecture.md stays true: every file it names exists, and the functions and names
it points a maintainer to are defined where it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
PATH = re.compile(r"`((?:xinao_xl|tests|docs|vba_stubs|workbooks|tools|benchmarks)/[^`\s]*)`")

# name the document cites -> the file it says defines it
NAMES = {
    "close_month": "xinao_xl/services/close.py",
    "MonthFolder": "xinao_xl/books/month_folder.py",
    "save_record": "xinao_xl/books/month_folder.py",
    "mark_closed": "xinao_xl/books/month_folder.py",
    "FileBook": "xinao_xl/books/port.py",
    "Batch": "xinao_xl/books/save.py",
    "score_cards": "xinao_xl/services/month_books.py",
    "validate_books": "xinao_xl/services/validate.py",
    "at": "xinao_xl/services/validate_context.py",
    "XinaoError": "xinao_xl/policy/errors.py",
    "main": "xinao_xl/cli/__init__.py",
    "error_text": "xinao_xl/excel/ribbon.py",
    "HANDLERS": "xinao_xl/excel/ribbon.py",
}


def test_the_document_names_files() -> None:
    assert len(set(PATH.findall(DOC))) > 30


@pytest.mark.parametrize("path", sorted(set(PATH.findall(DOC))))
def test_every_file_it_names_exists(path: str) -> None:
    assert (REPO / path).exists(), f"docs/architecture.md names {path}, which is not there"


@pytest.mark.parametrize(("name", "path"), sorted(NAMES.items()))
def test_every_name_it_points_to_is_defined_there(name: str, path: str) -> None:
    assert re.search(rf"`(\w+\.)?{name}[`( ]", DOC), f"the document no longer cites {name}"
    source = (REPO / path).read_text(encoding="utf-8")
    assert re.search(rf"^\s*(def|class) {name}\b|^{name}\b.*=", source, re.M), f"{name} is not defined in {path}"
