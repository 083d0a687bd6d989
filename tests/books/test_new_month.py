"""The new-month and templates use cases, and the committed templates being up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinao_xl.books.save import history_versions, sha256
from xinao_xl.books.workbooks import BOOKS
from xinao_xl.services.new_month import (
    MonthExistsError,
    WorkbookOpenError,
    create_month,
    write_templates,
)

from .fingerprint import diff, fingerprint

REPO = Path(__file__).resolve().parents[2]


def test_new_month_writes_the_four_workbooks(tmp_path: Path) -> None:
    paths = create_month("2026-12", tmp_path)
    assert [p.parent for p in paths] == [tmp_path / "2026-12"] * 4
    assert {p.name for p in paths} == {f"2026-12_{stem}.xlsx" for stem, _ in BOOKS}
    assert not list((tmp_path / "2026-12").glob("*.tmp*"))


def test_new_month_refuses_an_existing_month(tmp_path: Path) -> None:
    create_month("2026-12", tmp_path)
    with pytest.raises(MonthExistsError, match="已存在"):
        create_month("2026-12", tmp_path)


def test_overwrite_keeps_the_old_files_and_refuses_an_open_workbook(tmp_path: Path) -> None:
    first = create_month("2026-12", tmp_path)
    digests = [sha256(p) for p in first]
    create_month("2026-12", tmp_path, overwrite=True)
    assert [[sha256(v) for v in history_versions(p)] for p in first] == [[d] for d in digests]
    (tmp_path / "2026-12" / f"~${first[1].name}").write_bytes(b"")
    with pytest.raises(WorkbookOpenError, match="正在被"):
        create_month("2026-12", tmp_path, overwrite=True)


@pytest.mark.parametrize("month", ["2026-13", "202612", "26-12", ""])
def test_bad_month_is_refused_in_chinese(tmp_path: Path, month: str) -> None:
    with pytest.raises(ValueError, match="月份格式"):
        create_month(month, tmp_path)


def test_committed_templates_match_a_fresh_generation(tmp_path: Path) -> None:
    """Fails when workbooks/ is stale: run `xinao-xl templates` and commit the result."""
    fresh = write_templates(tmp_path)
    for path in fresh:
        committed = REPO / "workbooks" / path.name
        assert committed.exists(), f"workbooks/{path.name} 缺失"
        problems = diff(fingerprint(committed), fingerprint(path))
        assert not problems, f"workbooks/{path.name} 与重新生成的不一致: " + "; ".join(problems)
