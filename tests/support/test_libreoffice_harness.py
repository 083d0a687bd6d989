"""The LibreOffice harness really recalculates, and the formula patterns our workbooks use work.

One workbook holds every case (one LibreOffice start for the module): formulas written by
openpyxl without cached values, read back after LibreOffice recalculated and saved them.
Besides the harness itself this pins down what the templates rely on: Excel ROUND
semantics, working-day deadlines over a 工作日历 sheet with 调休 days, natural-day
deadlines ending at 23:59:59, NOW()-based SLA status, list validations on defined names
(ASCII and Chinese), sheet protection with unlocked entry cells, a hidden protected 规则.
"""

from __future__ import annotations

import os
import re
import stat
import time
import zipfile
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from tests.support import libreoffice as lo
from tests.support import uno_run
from xinao_xl.policy.calendar import WorkCalendar

pytestmark = pytest.mark.libreoffice

CAL = WorkCalendar(confirmed_years=[2027])  # 2027 not yet published: weekdays, as the office would confirm it
END = dtime(23, 59, 59)

# label -> (formula, expected value after recalculation)
SIMPLE: dict[str, tuple[str, Any]] = {
    # ROUND: half away from zero on the decimal shown (Excel's ROUND(2.675,2) is 2.68, not 2.67)
    "round_2.675": ("=ROUND(2.675*1,2)", 2.68),
    "round_-2.675": ("=ROUND(-2.675,2)", -2.68),
    "round_1.005": ("=ROUND(1.005,2)", 1.01),
    "round_0.125": ("=ROUND(0.125,2)", 0.13),
    "round_0.285": ("=ROUND(0.285,2)", 0.29),
    "round_2.5": ("=ROUND(2.5,0)", 3),
    "round_-2.5": ("=ROUND(-2.5,0)", -3),
    # computed operands with binary noise (1.15*3 == 3.4499999999999997): rounded as 3.45
    "round_1.15*3": ("=ROUND(1.15*3,1)", 3.5),
    "round_4.35*3": ("=ROUND(4.35*3,1)", 13.1),
    "round_name": ("=ROUND(P_RATE,2)", 2.68),
    "sumproduct": ("=SUMPRODUCT(数据!$D$2:$D$5,数据!$E$2:$E$5)", 1 * 2 + 3 * 4 + 5 * 6 + 7 * 8),
    "sumproduct_cond": ('=SUMPRODUCT((数据!$C$2:$C$5="客服部")*数据!$D$2:$D$5)', 1 + 5),
    "name_other_sheet": ("=P_BASE*2", 3000),
    "index_match": ('=INDEX(规则!$B$2:$B$5,MATCH("工程部",DEPT_LIST,0))', 0.15),
    "countifs_date": ('=COUNTIFS(数据!$F$2:$F$5,">="&DATE(2026,10,1),数据!$F$2:$F$5,"<"&DATE(2026,11,1))', 2),
    "countifs_date_cell": ('=COUNTIFS(数据!$F$2:$F$5,">="&数据!$G$2,数据!$C$2:$C$5,"客服部")', 1),
    "isblank_empty": ('=IF(ISBLANK(数据!$H$2),"空","有")', "空"),
    "isblank_filled": ('=IF(ISBLANK(数据!$H$3),"空","有")', "有"),
    "max0": ("=MAX(0,100-SUM(数据!$D$2:$D$5)*10)", 0),
    "max0_pos": ("=MAX(0,100-SUM(数据!$D$2:$D$3))", 96),
    "text_date": ('=TEXT(DATE(2026,10,8),"yyyy-mm-dd")', "2026-10-08"),
    "text_date_cn": ('=TEXT(DATE(2026,10,8),"yyyy年m月d日")', "2026年10月8日"),
    "text_pct": ('=TEXT(0.965,"0.00%")', "96.50%"),
    "text_round": ('=TEXT(2.675,"0.00")', "2.68"),
    "counta_ascii_name": ("=COUNTA(DEPT_LIST)", 4),
    "counta_chinese_name": ("=COUNTA(部门列表)", 4),
}

# Working-day deadline: 工作日历 has A date, B 工作日/休息日, C running count of 工作日.
# The N-th working day strictly after the start day is the first row whose count is
# (count on the start day) + N; it ends at 24:00, written 23:59:59.
WORKDAY_DUE = "=INDEX(WD_DATE,MATCH(INDEX(WD_COUNT,MATCH(INT({s}),WD_DATE,0))+{n},WD_COUNT,0))+TIME(23,59,59)"
WORKDAY_DUE_SAFE = '=IFERROR(' + WORKDAY_DUE[1:] + ',"日历未确认")'
NATURAL_DUE = "=INT({s})+{n}+TIME(23,59,59)"
SLA = (
    '=IF(ISBLANK({done}),IF(NOW()>{due},"已超时",IF({due}-NOW()<1,"即将到期","正常")),'
    'IF({done}<={due},"按时完成","超时完成"))'
)

WORKDAY_STARTS = [
    datetime(2026, 9, 30),  # before National Day
    datetime(2026, 10, 1),  # National Day (a holiday): 10-08, 10-09, 10-10 (调休 Saturday)
    datetime(2026, 10, 9, 23, 0),  # late evening before the 调休 Saturday
    datetime(2026, 10, 10),  # the 调休 Saturday itself, a working day
    datetime(2026, 11, 3, 15, 20),  # a time part does not count
    datetime(2026, 12, 31, 9, 0),  # into 2027
]
WORKDAY_NS = (1, 3, 5, 10)


def _write_calendar(wb: Workbook) -> int:
    ws = wb.create_sheet("工作日历")
    ws.append(["日期", "类型", "累计工作日"])
    row = 2
    for year in (2026, 2027):
        for day, working in CAL.days_of_year(year):
            ws.cell(row, 1, day).number_format = "yyyy-mm-dd"
            ws.cell(row, 2, "工作日" if working else "休息日")
            ws.cell(row, 3, f'=N(C{row - 1})+(B{row}="工作日")')  # N(): the header counts 0
            row += 1
    last = row - 1
    wb.defined_names["WD_DATE"] = DefinedName("WD_DATE", attr_text=f"工作日历!$A$2:$A${last}")
    wb.defined_names["WD_COUNT"] = DefinedName("WD_COUNT", attr_text=f"工作日历!$C$2:$C${last}")
    return last


def _write_rules(wb: Workbook) -> None:
    ws = wb.create_sheet("规则")
    ws.append(["部门", "权重"])
    for name, weight in [("客服部", 0.3), ("安检部", 0.25), ("工程部", 0.15), ("调度中心", 0.3)]:
        ws.append([name, weight])
    ws["D1"], ws["D2"], ws["D3"] = "参数", 2.675, 1500
    wb.defined_names["DEPT_LIST"] = DefinedName("DEPT_LIST", attr_text="规则!$A$2:$A$5")
    wb.defined_names["部门列表"] = DefinedName("部门列表", attr_text="规则!$A$2:$A$5")
    wb.defined_names["P_RATE"] = DefinedName("P_RATE", attr_text="规则!$D$2")
    wb.defined_names["P_BASE"] = DefinedName("P_BASE", attr_text="规则!$D$3")
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def build_study(path: Path, now: datetime) -> dict[str, Any]:
    """The study workbook; returns label -> (sheet, cell, expected)."""
    wb = Workbook()
    data = wb.active
    data.title = "数据"
    data.append(["", "", "部门", "数量", "单价", "日期", "起始", "备注"])
    for dept, qty, price, day in [
        ("客服部", 1, 2, datetime(2026, 9, 30, 18, 0)),
        ("安检部", 3, 4, datetime(2026, 10, 1, 8, 0)),
        ("客服部", 5, 6, datetime(2026, 10, 31, 23, 59)),
        ("工程部", 7, 8, datetime(2026, 11, 1)),
    ]:
        data.append(["", "", dept, qty, price, day])
    data["G2"] = datetime(2026, 10, 1)
    data["H3"] = "已处理"
    _write_rules(wb)
    _write_calendar(wb)

    f = wb.create_sheet("公式")
    f.append(["用例", "公式", "期望", "起始", "天数", "完成"])
    cases: dict[str, Any] = {}

    def add(label: str, formula: str, expected: Any, fmt: str | None = None) -> int:
        row = f.max_row + 1
        f.cell(row, 1, label)
        cell = f.cell(row, 2, formula)
        if fmt:
            cell.number_format = fmt
        cases[label] = ("公式", f"B{row}", expected)
        return row

    for label, (formula, expected) in SIMPLE.items():
        add(label, formula, expected)
    for start in WORKDAY_STARTS:
        for n in WORKDAY_NS:
            row = f.max_row + 1
            f.cell(row, 4, start).number_format = "yyyy-mm-dd hh:mm"
            f.cell(row, 5, n)
            due = datetime.combine(CAL.add_workdays(start.date(), n), END)
            add(f"workday_{start:%m%d%H%M}+{n}", WORKDAY_DUE.format(s=f"D{row}", n=f"E{row}"), due, "yyyy-mm-dd hh:mm")
    for label, start in [("workday_beyond_calendar", datetime(2028, 1, 5)), ("workday_past_last_row", datetime(2027, 12, 30))]:
        row = f.max_row + 1
        f.cell(row, 4, start)
        add(label, WORKDAY_DUE_SAFE.format(s=f"D{row}", n="5"), "日历未确认")
    row = f.max_row + 1
    f.cell(row, 4, datetime(2026, 11, 3, 15, 20)).number_format = "yyyy-mm-dd hh:mm"
    f.cell(row, 5, 2)
    nat = add("natural_2", NATURAL_DUE.format(s=f"D{row}", n=f"E{row}"), datetime(2026, 11, 5, 23, 59, 59), "yyyy-mm-dd hh:mm")
    add("natural_typed_2359_on_time", f'=(DATEVALUE("2026-11-05")+TIMEVALUE("23:59:59"))<=B{nat}', True)
    add("natural_next_midnight_late", f"=DATE(2026,11,6)<=B{nat}", False)
    add("natural_shown", f'=TEXT(B{nat},"yyyy-mm-dd hh:mm")', "2026-11-05 23:59")
    for label, due, done, expected in [
        ("sla_overdue", now - timedelta(days=2), None, "已超时"),
        ("sla_due_soon", now + timedelta(hours=12), None, "即将到期"),
        ("sla_normal", now + timedelta(days=3), None, "正常"),
        ("sla_done_on_time", now, now - timedelta(hours=1), "按时完成"),
        ("sla_done_late", now - timedelta(days=1), now, "超时完成"),
    ]:
        row = f.max_row + 1
        f.cell(row, 4, due).number_format = "yyyy-mm-dd hh:mm"
        if done is not None:
            f.cell(row, 6, done).number_format = "yyyy-mm-dd hh:mm"
        add(label, SLA.format(due=f"D{row}", done=f"F{row}"), expected)

    # entry cells: list validations on an ASCII and a Chinese defined name, unlocked; sheet protected
    for label, formula1 in [("ascii", "DEPT_LIST"), ("chinese", "部门列表")]:
        dv = DataValidation(type="list", formula1=formula1, allow_blank=True, showErrorMessage=True, errorTitle="输入错误", error="请从下拉列表选择部门")
        data.add_data_validation(dv)
        dv.add("J2:J20" if label == "ascii" else "K2:K20")
    for row in range(2, 21):
        for col in (10, 11):
            data.cell(row, col).protection = Protection(locked=False)
    data.protection.sheet = True
    wb.save(path)
    return cases


@pytest.fixture(scope="module")
def study(require_libreoffice: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("lo_study")
    src = tmp / "study.xlsx"
    before = datetime.now()
    cases = build_study(src, before)
    started = time.monotonic()
    out = lo.recalculate(src, tmp / "out")
    return {"src": src, "out": out, "cases": cases, "seconds": time.monotonic() - started}


def test_openpyxl_leaves_no_cached_values_and_libreoffice_fills_them(study: dict[str, Any]) -> None:
    before = load_workbook(study["src"], data_only=True)["公式"]
    after = load_workbook(study["out"], data_only=True)["公式"]
    assert before["B2"].value is None
    assert after["B2"].value == 2.68
    # calamine reads the same cached values
    rows = CalamineWorkbook.from_path(str(study["out"])).get_sheet_by_name("公式").to_python()
    assert rows[1][1] == 2.68


def test_every_formula_gives_the_expected_value(study: dict[str, Any]) -> None:
    wb = load_workbook(study["out"], data_only=True)
    got, want = {}, {}
    for label, (sheet, ref, expected) in study["cases"].items():
        value = wb[sheet][ref].value
        if isinstance(expected, float) and isinstance(value, int | float):
            value = round(value, 9)
        if isinstance(expected, datetime) and isinstance(value, datetime):
            value = value.replace(microsecond=0) + timedelta(seconds=round(value.microsecond / 1e6))
        got[label], want[label] = value, expected
    assert got == want


def test_workday_deadline_examples(study: dict[str, Any]) -> None:
    """The cases the brief names, spelled out (also covered by the loop above)."""
    wb = load_workbook(study["out"], data_only=True)

    def due(label: str) -> datetime:
        sheet, ref, _ = study["cases"][label]
        return wb[sheet][ref].value.replace(microsecond=0)

    assert due("workday_10010000+3") == datetime(2026, 10, 10, 23, 59, 59)  # holiday start; 调休 Saturday counts
    assert due("workday_10100000+1") == datetime(2026, 10, 12, 23, 59, 59)  # start on the 调休 Saturday
    assert due("workday_11031520+3") == datetime(2026, 11, 6, 23, 59, 59)  # time part ignored
    assert date(2026, 10, 10).weekday() == 5 and CAL.is_workday(date(2026, 10, 10))


def test_defined_names_validations_and_protection_survive_libreoffice(study: dict[str, Any]) -> None:
    wb = load_workbook(study["out"])
    assert {"DEPT_LIST", "部门列表", "P_RATE", "WD_DATE", "WD_COUNT"} <= set(wb.defined_names.keys())
    assert wb.defined_names["部门列表"].attr_text == "规则!$A$2:$A$5"
    data = wb["数据"]
    dvs = {str(dv.sqref): (dv.type, dv.formula1, dv.showErrorMessage, dv.error) for dv in data.data_validations.dataValidation}
    assert dvs["J2:J20"] == ("list", "DEPT_LIST", True, "请从下拉列表选择部门")
    assert dvs["K2:K20"] == ("list", "部门列表", True, "请从下拉列表选择部门")
    assert data.protection.sheet and not data.protection.password
    assert data["J2"].protection.locked is False and data["B2"].protection.locked is True
    rules = wb["规则"]
    assert rules.sheet_state == "hidden" and rules.protection.sheet
    # formulas stay formulas (and LibreOffice writes them back unchanged)
    assert wb["公式"]["B2"].value == "=ROUND(2.675*1,2)"
    assert wb["工作日历"]["C3"].value == '=N(C2)+(B3="工作日")'


def _patch_cached_value(src: Path, dst: Path, ref: str, old: str, new: str) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(
                    rf'(<c r="{ref}"[^>]*>.*?<v>){old}(</v>)'.encode(), rb"\g<1>" + new.encode() + rb"\g<2>", data
                )
                assert count == 1
            zout.writestr(item, data)


def test_stale_cached_values_are_recomputed_only_because_of_the_profile(
    require_libreoffice: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wb = Workbook()
    wb.active["A1"], wb.active["A2"] = 6, "=A1*7"
    wb.save(tmp_path / "a.xlsx")
    first = lo.recalculate(tmp_path / "a.xlsx", tmp_path / "r1")
    stale = tmp_path / "stale.xlsx"
    _patch_cached_value(first, stale, "A2", "42", "999")
    assert load_workbook(stale, data_only=True).active["A2"].value == 999
    assert load_workbook(lo.recalculate(stale, tmp_path / "r2"), data_only=True).active["A2"].value == 42
    # with LibreOffice's "never recalculate" the stale value would pass as computed
    monkeypatch.setattr(lo, "RECALC_PROFILE_XCU", lo.RECALC_PROFILE_XCU.replace("<value>0</value>", "<value>1</value>"))
    assert load_workbook(lo.recalculate(stale, tmp_path / "r3"), data_only=True).active["A2"].value == 999


def test_many_files_in_one_call_keep_their_order_and_pdf_renders(require_libreoffice: str, tmp_path: Path) -> None:
    paths = []
    for i in range(3):
        wb = Workbook()
        wb.active["A1"] = f"={i}*10+1"
        paths.append(tmp_path / "src" / f"book{i}.xlsx")
        paths[-1].parent.mkdir(exist_ok=True)
        wb.save(paths[-1])
    outs = lo.recalculate_many(paths, tmp_path / "out")
    assert [p.name for p in outs] == ["book0.xlsx", "book1.xlsx", "book2.xlsx"]
    assert [load_workbook(p, data_only=True).active["A1"].value for p in outs] == [1, 11, 21]
    pdf = lo.render_pdf(paths[0], tmp_path / "pdf")
    assert pdf.name == "book0.pdf" and pdf.read_bytes().startswith(b"%PDF")


# --- failures are clear (no LibreOffice needed) -------------------------------------------


def _fake_soffice(tmp_path: Path, body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "fake-soffice"
    script.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("SOFFICE", str(script))


@pytest.fixture
def book(tmp_path: Path) -> Path:
    wb = Workbook()
    wb.active["A1"] = "=1+1"
    wb.save(tmp_path / "book.xlsx")
    return tmp_path / "book.xlsx"


@pytest.mark.skipif(os.name != "posix", reason="shell-script stand-in for soffice")
def test_a_hanging_soffice_is_killed_with_a_clear_error(tmp_path: Path, book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_soffice(tmp_path, "sleep 30", monkeypatch)
    started = time.monotonic()
    with pytest.raises(lo.LibreOfficeError, match="hung"):
        lo.recalculate(book, tmp_path / "out", timeout=1)
    assert time.monotonic() - started < 10


@pytest.mark.skipif(os.name != "posix", reason="shell-script stand-in for soffice")
def test_no_output_is_an_error_even_when_soffice_exits_0(tmp_path: Path, book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2; exit 0", monkeypatch)
    with pytest.raises(lo.LibreOfficeError, match=r"(?s)did not write book.xlsx.*could not be loaded"):
        lo.recalculate(book, tmp_path / "out")


def test_refuses_to_overwrite_the_source(book: Path) -> None:
    with pytest.raises(lo.LibreOfficeError, match="overwrite"):
        lo.recalculate(book, book.parent)


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("1", True), ("", False), ("false", False), ("0", False)])
def test_ci_is_read_the_way_ci_services_set_it(value: str, expected: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", value)
    assert lo.in_ci() is expected


_FLAKY = """
import sys
from pathlib import Path
tries = Path(sys.argv[1])
n = len(tries.read_text()) if tries.exists() else 0
tries.write_text("x" * (n + 1))
if n < int(sys.argv[2]):
    sys.exit(sys.argv[3])
print("ran", n + 1)
"""


def test_a_crashed_libreoffice_is_run_again_and_other_failures_are_not(tmp_path: Path) -> None:
    """Crashing twice then running: 3 runs (the first plus CRASH_RETRIES); crashing every time
    raises after 3; a script error is raised after its one run."""
    uno_run.require_uno()
    crash = "com.sun.star.lang.DisposedException: Binary URP bridge disposed during call"
    assert uno_run.run_uno_script(_FLAKY, str(tmp_path / "a"), "2", crash).split() == ["ran", "3"]
    with pytest.raises(uno_run.LibreOfficeCrashed):
        uno_run.run_uno_script(_FLAKY, str(tmp_path / "b"), "9", crash)
    assert len((tmp_path / "b").read_text()) == 1 + uno_run.CRASH_RETRIES
    with pytest.raises(uno_run.UnoError) as failed:
        uno_run.run_uno_script(_FLAKY, str(tmp_path / "c"), "9", "NameError: name 'x' is not defined")
    assert not isinstance(failed.value, uno_run.LibreOfficeCrashed) and len((tmp_path / "c").read_text()) == 1
