"""Refused before any work: a workbook open in Excel (its lock file beside it) among what a use
case reads or replaces, a read-only file it would replace, a folder it cannot write in. The
message is Chinese and names the file; nothing on disk changes; the close never starts its
first step."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from xinao_xl.books import callback_ledger
from xinao_xl.books.completed_export import write_completed_export
from xinao_xl.books.month_folder import OUT_DIR, MonthFolder
from xinao_xl.books.save import ReadOnlyError, WorkbookOpenError, sha256
from xinao_xl.books.workbooks import file_name
from xinao_xl.cli import main
from xinao_xl.services.close import close_month
from xinao_xl.services.new_month import create_month
from xinao_xl.services.sampling import ledger_path, sample_day

from . import hand_month as H
from .test_sampling import export_rows


def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha256(p) for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("refusals")
    H.build(root)
    write_completed_export(root / "完工.xlsx", export_rows())
    return root


@pytest.fixture
def root(month: Path, tmp_path: Path) -> Path:
    shutil.copytree(month, tmp_path / "m")
    return tmp_path / "m"


def _close_refused(root: Path, error: type[Exception], match: str, **kwargs: object) -> None:
    before = _digests(root)
    steps: list[int] = []
    with pytest.raises(error, match=match):
        close_month(H.MONTH, root, now=H.NOW, progress=lambda i, n, text: steps.append(i), **kwargs)
    assert steps == [] and _digests(root) == before


def test_close_refuses_an_open_input_output_or_last_months_ledger(root: Path) -> None:
    ledger = root / "2026-10" / file_name(callback_ledger.STEM, "2026-10")  # read for the 7-day rule
    lock = ledger.with_name("~$" + ledger.name)
    lock.write_bytes(b"")
    _close_refused(root, WorkbookOpenError, "2026-10_客户回访信息台账.xlsx 正在被Excel")
    lock.unlink()
    out = root / H.MONTH / OUT_DIR
    out.mkdir()
    report = MonthFolder(root, H.MONTH).output("回访报告")
    (out / f".~lock.{report.name}#").write_bytes(b"")  # LibreOffice has the old report open
    _close_refused(root, WorkbookOpenError, "客户回访报告.xlsx 正在被")


def test_close_refuses_a_read_only_output_and_folder_at_once(root: Path) -> None:
    out = root / H.MONTH / OUT_DIR
    out.mkdir()
    report = MonthFolder(root, H.MONTH).output("回访报告")
    report.write_bytes(b"last close's report")
    os.chmod(report, 0o444)
    os.chmod(root / H.MONTH, 0o555)
    try:
        with pytest.raises(ReadOnlyError) as info:
            close_month(H.MONTH, root, now=H.NOW)
        lines = str(info.value).splitlines()
        assert any(report.name in line and "只读" in line for line in lines)
        assert any(f"文件夹 {root / H.MONTH} 不能写入" in line for line in lines)
    finally:
        os.chmod(root / H.MONTH, 0o755)
    assert report.read_bytes() == b"last close's report"


def test_open_next_month_book_matters_only_when_it_would_be_replaced(root: Path) -> None:
    close_month(H.MONTH, root, now=H.NOW)
    nxt = root / "2026-12" / file_name(callback_ledger.STEM, "2026-12")
    lock = nxt.with_name("~$" + nxt.name)
    lock.write_bytes(b"")  # staff have December's 台账 open, nothing typed yet: the re-close would replace it
    _close_refused(root, WorkbookOpenError, "2026-12_客户回访信息台账.xlsx 正在被", force=True, reason="复核")
    wb = load_workbook(nxt)
    wb[callback_ledger.LEDGER]["A10"] = "staff typed"
    wb.save(nxt)
    # now the close leaves next month alone, so the open book does not stop it
    result = close_month(H.MONTH, root, now=H.NOW, force=True, reason="复核")
    assert any("2026-12" in n and "未重新生成" in n for n in result.notes)


def test_sampling_refuses_an_open_export_and_a_read_only_ledger(root: Path) -> None:
    export = root / "完工.xlsx"
    (root / ("~$" + export.name)).write_bytes(b"")
    before = _digests(root)
    with pytest.raises(WorkbookOpenError, match="完工.xlsx 正在被"):
        sample_day(export, date(2026, 11, 20), "孙雪燕", root)
    (root / ("~$" + export.name)).unlink()
    ledger = ledger_path(root, H.MONTH)
    os.chmod(ledger, 0o444)
    with pytest.raises(ReadOnlyError, match="回访信息台账.xlsx 是只读文件"):
        sample_day(export, date(2026, 11, 20), "孙雪燕", root)
    assert {k: v for k, v in _digests(root).items() if not k.startswith("~$")} == {k: v for k, v in before.items() if not k.startswith("~$")}


def test_new_month_refuses_a_folder_it_cannot_write(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o555)
    try:
        with pytest.raises(ReadOnlyError, match="不能写入"):
            create_month("2026-12", tmp_path)
    finally:
        os.chmod(tmp_path, 0o755)
    assert list(tmp_path.iterdir()) == []


def test_cli_says_so_and_exits_2(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = root / H.MONTH / f"{H.MONTH}_校验结果.xlsx"  # the last run's results, set read-only
    copy.write_bytes(b"yesterday's result")
    os.chmod(copy, 0o444)
    assert main(["validate", str(root / H.MONTH), "--now", "2026-12-03T09:00"]) == 2
    err = capsys.readouterr().err
    assert "只读" in err and copy.name in err and "Traceback" not in err
    assert copy.read_bytes() == b"yesterday's result"
    os.chmod(root / H.MONTH, 0o555)
    try:
        assert main(["close", H.MONTH, "--dir", str(root)]) == 2
    finally:
        os.chmod(root / H.MONTH, 0o755)
    err = capsys.readouterr().err
    assert "不能写入" in err and "Traceback" not in err
