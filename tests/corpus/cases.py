"""The corpus: every bad input, what it is, and what the user must be told.

A case is one bad file in an otherwise clean month (``root/<case>/2026-11/`` plus the day's
export ``root/<case>/完工工单.xlsx``). `commands` gives the ``xinao-xl`` calls it goes
through and `code` the exit code each must end with: 1 when validation found errors in
what staff typed, 2 when the file cannot be used at all.

- staff mistakes (`staff.py`) in a month workbook: ``validate FILE`` and ``close``;
- a bad export (`staff.py`): ``sample``;
- hostile and broken files (`hostile.py`), each once as the month's 台账 (``validate``,
  ``close`` and ``sample``, which reads the 台账) and once as the export (``sample``).

    cases = build_corpus(tmp_path)          # writes every case, returns them
    argv = cases[0].argv("validate")
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from xinao_xl.books.workbooks import file_name

from ..services.month import MONTH, build_month
from . import hostile as H
from . import staff as S

NOW = "2026-12-01T10:00"
CLOSE_NOW = "2026-12-03T10:00"
DAY = "2026-11-20"
EXPORT_NAME = "完工工单.xlsx"
EXPORT = "export"
VALIDATE, CLOSE, SAMPLE = "validate", "close", "sample"


@dataclass(frozen=True)
class Case:
    name: str
    book: str  # the stem of the month workbook made bad, or EXPORT
    kind: str  # staff | export | hostile
    code: int
    what: str  # for the report and the test id
    shows: tuple[str, ...] = ()  # "sheet cell" pairs the validate output must show
    quiet: tuple[str, ...] = ()  # "sheet cell" pairs it must not show (odd but valid entries)
    root: Path = field(default=Path("."), compare=False)

    @property
    def folder(self) -> Path:
        return self.root / self.name

    @property
    def path(self) -> Path:
        """The bad file."""
        return self.folder / EXPORT_NAME if self.book == EXPORT else self.folder / MONTH / file_name(self.book, MONTH)

    @property
    def commands(self) -> tuple[str, ...]:
        if self.book == EXPORT:
            return (SAMPLE,)
        if self.kind == "hostile" and self.book == S.CB:
            return (VALIDATE, CLOSE, SAMPLE)
        return (VALIDATE, CLOSE)

    def argv(self, command: str) -> list[str]:
        if command == VALIDATE:
            return [VALIDATE, str(self.path), "--out", str(self.folder / "校验结果"), "--now", NOW]
        if command == CLOSE:
            return [CLOSE, MONTH, "--dir", str(self.folder), "--now", CLOSE_NOW, "--user", "测试"]
        return [SAMPLE, str(self.folder / EXPORT_NAME), "--date", DAY, "--agent", "孙雪燕", "--dir", str(self.folder), "--seed", "1"]

    def inputs(self) -> list[Path]:
        """The files that must come out of every command byte for byte as they went in."""
        return sorted(p for p in (*(self.folder / MONTH).glob("*.xlsx"), self.folder / EXPORT_NAME) if p.is_file())


def _cell(sheet: str, *cells: str) -> tuple[str, ...]:
    return tuple(f"{sheet} {c}" for c in cells)


L, T = S.LEDGER.name, S.COMPLAINTS.name

STAFF: list[tuple[str, str, Callable[[Path], None], str, tuple[str, ...], tuple[str, ...]]] = [
    # name, workbook, maker, what, shows, quiet
    ("ledger_dates", S.CB, S.ledger_dates, "impossible date 2026-02-30, digits 20261120, 下周一; 2026年11月21日 and full-width: text, not dates, to the workbook",
     _cell(L, "A7", "D7", "A9", "A8", "D8"), ()),
    ("ledger_choices", S.CB, S.ledger_choices, "dropdown values typed: 很满意, 维修服务, 客服; '满 意' and a full-width space, which 统计 does not count",
     _cell(L, "K8", "B8", "I8", "K7", "B7"), ()),
    ("ledger_fullwidth", S.CB, S.ledger_fullwidth, "full-width digits: phone and order accepted, a full-width date is text, an impossible one refused",
     _cell(L, "D8", "A7"), _cell(L, "F7", "C7")),
    ("ledger_text_in_numbers", S.CB, S.ledger_text_in_numbers, "完工量 as 十二, 12单, -3", _cell("完工量", "B3", "B4", "B5"), ()),
    ("ledger_blank_rows", S.CB, S.ledger_blank_rows, "24 blank rows, then a record with 回访结果 好", _cell(L, "K31"), ()),
    ("ledger_merged", S.CB, S.ledger_merged, "客户姓名 merged over 电话 and 地址; a date merged down three rows",
     _cell(L, "E7", "A8"), _cell(L, "A9", "A10")),
    ("ledger_extra_columns", S.CB, S.ledger_extra_columns, "two columns of notes right of the table (ignored), one bad result",
     _cell(L, "K7"), _cell(L, "W3", "X3")),
    ("ledger_renamed_sheet", S.CB, S.ledger_renamed_sheet, "台账 renamed 回访台账（11月）: found by its headers", _cell(S.RENAMED, "K7"), ()),
    ("ledger_missing_sheet", S.CB, S.ledger_missing_sheet, "台账 deleted", (f"{L} ",), ()),
    ("ledger_missing_column", S.CB, S.ledger_missing_column, "回访结果 header deleted", _cell(L, "K2"), ()),
    ("ledger_formula_typed_over", S.CB, S.ledger_formula_typed_over, "是否超时 formula overwritten with 否", _cell(L, "U3"), ()),
    ("ledger_duplicate_orders", S.CB, S.ledger_duplicate_orders, "work order 0001 twice, 0101 twice", _cell(L, "C7", "C9"), ()),
    ("ledger_noise", S.CB, S.ledger_noise, "20,000 rows of noise pasted from row 7", _cell(L, "A8", "K2"), ()),
    ("complaint_levels", S.TS, S.complaint_levels, "levels 4 级, 四级, ４级 (read alike by Python and the workbook: a warning), 六级, level 4, 0级 (refused)",
     _cell(T, "D9", "D10", "D11", "D6", "D7", "D8"), ()),
    ("complaint_times", S.TS, S.complaint_times, "2026-11-31 10:00, 25:00; 2026年11月12日9时30分 is text to the workbook", _cell(T, "B6", "J7", "B8"), ()),
    ("assessment_rates", S.KH, S.assessment_rates, "rates 0.965 (accepted), ９６．５％ as text, 96,5, 百分之96.5, 120% (refused)",
     _cell(S.DEPT.name, "E3", "E4", "E5", "E6"), _cell(S.DEPT.name, "E7")),
    ("assessment_text_in_numbers", S.KH, S.assessment_text_in_numbers, "score 九十五, count 2次", _cell(S.DEPT.name, "E8") + _cell("加减分明细", "D7"), ()),
    ("assessment_summary_typed_over", S.KH, S.assessment_summary_typed_over, "汇总 月度服务得分 overwritten with 100", _cell("汇总", "D3"), ()),
    ("items_levels", S.KH, S.items_levels, "加减分明细: a complaint typed again, points 五分", _cell("加减分明细", "C7", "E8"), ()),
    ("opinions_dates", S.YJ, S.opinions_dates, "意见统计表 date 2026-02-30, 序号 三", _cell(S.NOTES.name, "B5", "A5"), ()),
]

EXPORTS: list[tuple[str, Callable[[Path], Path], str, tuple[str, ...]]] = [
    ("export_missing_column", S.export_missing_column, "export without its 完工时间 column", ()),
    ("export_impossible_date", S.export_impossible_date, "完工时间 2026-02-30 10:00 in the export", (f"“{S.EXPORT.name}”C3",)),
    ("export_noise", S.export_noise, "20,000 rows of noise under the export's headers", (f"“{S.EXPORT.name}”",)),
]

HOSTILE: list[tuple[str, Callable[[bytes], bytes], str]] = [
    ("random_bytes", H.random_bytes, "64 KB of random bytes named .xlsx"),
    ("empty", H.empty, "an empty file (0 bytes)"),
    ("csv_renamed", H.csv_renamed, "a CSV (GB18030) renamed .xlsx"),
    ("html_renamed", H.html_renamed, "an HTML table renamed .xlsx (a business-system 'Excel export')"),
    ("encrypted", H.encrypted, "a password-protected workbook (CFB container with EncryptionInfo)"),
    ("legacy_xls", H.legacy_xls, "an Excel 97-2003 .xls renamed .xlsx"),
    ("truncated", H.truncated, "a copy cut at two thirds (no zip end record)"),
    ("corrupted", H.corrupted, "64 bytes flipped inside the sheet's compressed data (bad CRC)"),
    ("word_document", H.word_document, "a Word document renamed .xlsx"),
    ("zip_bomb", H.zip_bomb, "zip bomb: sheet1.xml inflates to 1 GB (1 MB on disk)"),
    ("ratio_bomb", H.ratio_bomb, "zip bomb under the size cap: a 300 MB shared string, 1,000:1"),
    ("size_claim", H.size_claim, "directory claims sheet1.xml inflates to 4 GB"),
    ("directory_claim", H.directory_claim, "end record claims 60,000 parts"),
    ("entity_bomb_sheet", H.entity_bomb_sheet, "billion laughs in sheet1.xml"),
    ("entity_bomb_shared_strings", H.entity_bomb_shared_strings, "billion laughs in sharedStrings.xml"),
    ("external_entity", H.external_entity, "XXE: entity reading /etc/passwd in workbook.xml"),
    ("shared_strings_claim", H.shared_strings_claim, "sst uniqueCount=1,000,000,000 over one string"),
    ("far_cell_corner", H.far_cell("XFD1048576"), "one cell at XFD1048576"),
    ("far_cell_last_row", H.far_cell("A1048576"), "one cell at A1048576 (Ctrl+↓ then typing)"),
    ("macros", H.macros, "vbaProject.bin inside a file named .xlsx"),
    ("excel4_macros", H.excel4_macros, "an Excel 4.0 macro sheet (XLM)"),
]


def build_corpus(root: Path) -> list[Case]:
    """Write every case under `root` (about 2 s) and return them."""
    clean = build_month(root / "_clean")
    good_export = S.export_good(root / "_clean" / EXPORT_NAME)
    cases: list[Case] = []

    def new(name: str, book: str, kind: str, code: int, what: str, shows: tuple[str, ...] = (), quiet: tuple[str, ...] = ()) -> Case:
        case = Case(name, book, kind, code, what, shows, quiet, root)
        shutil.copytree(clean, case.folder / MONTH)
        shutil.copy(good_export, case.folder / EXPORT_NAME)
        cases.append(case)
        return case

    for name, book, make, what, shows, quiet in STAFF:
        make(new(name, book, "staff", 1, what, shows, quiet).folder / MONTH)
    for name, make_export, what, shows in EXPORTS:
        make_export(new(name, EXPORT, "export", 2, what, shows).path)
    goods = {S.CB: (clean / file_name(S.CB, MONTH)).read_bytes(), EXPORT: good_export.read_bytes()}
    for name, make_bad, what in HOSTILE:
        for book, label in ((S.CB, "ledger"), (EXPORT, "export")):
            case = new(f"{name}_as_{label}", book, "hostile", 2, what)
            case.path.write_bytes(make_bad(goods[book]))
    return cases
