"""诊断 checks, `xinao-xl doctor`, `xinao-xl addin stubs|build|install`, and the install files."""

from __future__ import annotations

import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser

from xinao_xl.cli import main
from xinao_xl.excel.addin.install import (
    add_custom_ui,
    install_built,
    install_conf,
    user_config_path,
    write_user_config,
)
from xinao_xl.excel.addin.sources import CUSTOM_UI_FILE, STUBS_DIR, build_addin
from xinao_xl.policy.calendar import WorkCalendar
from xinao_xl.services import doctor

# --- the checks --------------------------------------------------------------------------


def test_python_version() -> None:
    assert doctor.check_python().ok
    old = doctor.check_python((3, 9, 1), r"C:\Python39\python.exe")
    assert old.level == doctor.ERROR and "3.11" in old.advice and "C:\\Python39" in old.detail


def test_xlwings_versions_must_agree() -> None:
    assert doctor.check_xlwings("0.37.8", "0.37.8").ok
    mismatch = doctor.check_xlwings("0.33.0", "0.37.8")
    assert mismatch.level == doctor.ERROR and "pip install xlwings==0.33.0" in mismatch.advice and "addin build" in mismatch.advice
    assert doctor.check_xlwings(None, "0.37.8").level == doctor.WARNING
    assert doctor.check_xlwings("0.37.8", None).level == doctor.ERROR


def test_udf_module_must_import() -> None:
    assert doctor.check_udf_module().ok

    def broken(name: str) -> object:
        raise ImportError("DLL load failed")

    check = doctor.check_udf_module(importer=broken)
    assert check.level == doctor.ERROR and "DLL load failed" in check.detail and "重新安装" in check.advice


def test_calendar_knows_this_year_and_warns_about_2027() -> None:
    this_year, next_year = doctor.check_calendar(date(2026, 11, 29))
    assert this_year.ok
    assert next_year.level == doctor.WARNING and "2027" in next_year.detail
    # the office confirms a year in one place, 制度设置.xlsx (issue 12 item 5), not in a workbook's 工作日历
    assert "chinesecalendar" in next_year.advice and "制度设置.xlsx" in next_year.advice and "已确认年度" in next_year.advice
    # 调查 and 处理 are natural days (rules.toml stages): not affected by an unknown year
    assert "调查、处理、回访、申诉提出、流转单按自然日计算，不受影响" in next_year.detail and "（调查、处理、申诉等）" not in next_year.detail
    confirmed = doctor.check_calendar(date(2026, 11, 29), WorkCalendar(confirmed_years=[2027]))
    assert all(c.ok for c in confirmed)
    assert doctor.check_calendar(date(2099, 1, 5))[0].level == doctor.ERROR


def test_month_folder_must_be_writable(tmp_path: Path) -> None:
    assert doctor.check_folder(tmp_path).ok
    assert doctor.check_folder(tmp_path / "缺失").level == doctor.ERROR
    assert doctor.check_folder(None).level == doctor.WARNING
    if sys.platform != "win32" and hasattr(__import__("os"), "geteuid") and __import__("os").geteuid() != 0:
        locked = tmp_path / "只读"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            assert doctor.check_folder(locked).level == doctor.ERROR
        finally:
            locked.chmod(0o700)


def test_report_lists_each_problem_with_what_to_do(tmp_path: Path) -> None:
    checks = doctor.run_checks(addin_xlwings="0.1.0", month_folder=tmp_path, today=date(2026, 11, 29))
    text = doctor.report(checks)
    # the warnings: 2027's calendar, and no 制度设置.xlsx beside the folder (issue 15)
    assert "[错误] xlwings" in text and "处理办法" in text and "共 1 个错误、2 个警告" in text and "[警告] 制度设置" in text
    assert doctor.has_errors(checks)


def test_services_doctor_does_not_import_front_ends() -> None:
    source = Path(doctor.__file__).read_text(encoding="utf-8")
    assert "xinao_xl.excel" not in source.replace('UDF_MODULE = "xinao_xl.excel.udfs"', "")
    assert "import xlwings" not in source and "xinao_xl.cli" not in source


# --- the commands ------------------------------------------------------------------------


def test_doctor_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    addin = build_addin(tmp_path / "xinao_xl.xlam")
    code = main(["doctor", "--addin", str(addin), "--folder", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "与加载项一致" in out and "工作日历" in out and "可写入" in out
    assert main(["doctor", "--addin", str(addin), "--folder", str(tmp_path / "无")]) == 1


def test_stubs_check_and_regenerate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["addin", "stubs", "--check"]) == 0
    folder = tmp_path / "vba_stubs"
    folder.mkdir()
    (folder / CUSTOM_UI_FILE).write_text((STUBS_DIR / CUSTOM_UI_FILE).read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["addin", "stubs", "--check", "--dir", str(folder)]) == 1
    assert "已过期" in capsys.readouterr().out
    assert main(["addin", "stubs", "--dir", str(folder)]) == 0
    assert main(["addin", "stubs", "--check", "--dir", str(folder)]) == 0


def test_build_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dist" / "xinao_xl.xlam"
    assert main(["addin", "build", "--out", str(out)]) == 0
    assert "已生成加载项" in capsys.readouterr().out
    parser = VBA_Parser(str(out))
    try:
        names = {Path(n).stem for _, _, n, _ in parser.extract_macros()}
    finally:
        parser.close()
    assert {"XinaoRibbon", "XinaoUDFs", "ThisWorkbook", "xlwings"} <= names


def test_build_refuses_stale_stubs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "vba_stubs"
    folder.mkdir()
    (folder / CUSTOM_UI_FILE).write_text((STUBS_DIR / CUSTOM_UI_FILE).read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["addin", "build", "--dir", str(folder), "--out", str(tmp_path / "x.xlam")]) == 1
    assert "xinao-xl addin stubs" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform.startswith("win"), reason="off Windows only")
def test_install_off_windows_says_it_needs_windows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["addin", "install"]) == 2
    assert "需要 Windows" in capsys.readouterr().err
    assert main(["addin", "install", "--from-source"]) == 2


# --- what install writes (plain files, any OS) --------------------------------------------


def test_install_built_puts_this_python_in_the_conf_and_the_user_config(tmp_path: Path) -> None:
    startup, home = tmp_path / "XLSTART", tmp_path / "home"
    startup.mkdir()
    target = install_built(startup, r"C:\Python311\python.exe", home)
    assert target == startup / "xinao_xl.xlam"
    with zipfile.ZipFile(target) as zf:
        conf = zf.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert "Interpreter_Win" in conf and r"C:\Python311\python.exe" in conf
    config = user_config_path(home)
    assert config == home / ".xinao_xl" / "xinao_xl.conf"
    assert config.read_text(encoding="utf-8") == '"INTERPRETER_WIN","C:\\Python311\\python.exe"\n'
    assert write_user_config("other", home) is None  # an existing file is kept
    assert install_conf("p")["UDF Modules"] == "xinao_xl.excel.udfs"


def test_add_custom_ui_to_an_addin_saved_without_one(tmp_path: Path) -> None:
    addin = build_addin(tmp_path / "a.xlam", include_xlwings=False)
    with zipfile.ZipFile(addin) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist() if not i.filename.startswith("customUI/")}
    rels = parts["_rels/.rels"].decode("utf-8")
    start = rels.index("<Relationship Id=\"rId2\"")
    parts["_rels/.rels"] = (rels[:start] + rels[rels.index("/>", start) + 2 :]).encode("utf-8")
    bare = tmp_path / "bare.xlam"
    with zipfile.ZipFile(bare, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    ui = (STUBS_DIR / CUSTOM_UI_FILE).read_text(encoding="utf-8")
    add_custom_ui(bare, ui)
    add_custom_ui(bare, ui)  # twice: still one relationship
    with zipfile.ZipFile(bare) as zf:
        assert zf.read("customUI/customUI14.xml").decode("utf-8") == ui
        assert zf.read("_rels/.rels").decode("utf-8").count("ui/extensibility") == 1
        assert zf.read("xl/vbaProject.bin") == parts["xl/vbaProject.bin"]
