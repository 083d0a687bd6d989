"""What staff type wrong, applied to the clean month of tests/services/month.py.

Each maker edits one workbook of ``folder`` (a copy of the clean month) the way a person in
Excel would: values typed as text, odd spellings, blank rows, merged cells, a sheet renamed
or deleted, a formula overwritten. Values go in through `books.cells.put` (text stays text).
The clean month's records are in rows 3-6 of each ledger; the makers add theirs from row 7.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from xinao_xl.books import assessment, callback_ledger, complaint_ledger, opinions
from xinao_xl.books.cells import put
from xinao_xl.books.completed_export import export_sheet, write_completed_export
from xinao_xl.books.read import sheet_parts
from xinao_xl.books.workbooks import file_name
from xinao_xl.books.writer import write_record
from xinao_xl.policy.parse import datetime_to_excel_serial

from ..services.month import COMPLAINTS, ITEMS, LEDGER, MONTH, NOTES, RULES
from .hostile import rezip

CB, TS, KH, YJ = callback_ledger.STEM, complaint_ledger.STEM, assessment.STEM, opinions.STEM
DEPT = RULES.department("客服部")
DEPT_SHEET = assessment.department_sheet(DEPT)
COMPLETED = callback_ledger.completed_sheet(RULES)
EXPORT = export_sheet()

# a valid callback, complaint and 加减分明细 row the makers start from
CALL = {"call_date": date(2026, 11, 21), "business": "维修", "order": "0101", "done_date": date(2026, 11, 20), "customer": "赵六",
        "phone": "13900000101", "dept": "客服部", "agent": "孙雪燕", "result": "满意"}
COMPLAINT = {"no": "TS101", "accepted": datetime(2026, 11, 12, 9), "channel": "400", "level": "5级", "dept": "客服部",
             "inv_done": datetime(2026, 11, 12, 15), "resp": "无责", "reason": f"2.{RULES.no_fault_reasons[1]}"}


def path_of(folder: Path, stem: str) -> Path:
    return folder / file_name(stem, MONTH)


def edit(folder: Path, stem: str, change: Callable[[Workbook], None]) -> None:
    path = path_of(folder, stem)
    wb = load_workbook(path)
    change(wb)
    wb.save(path)


def at(spec: Any, key: str, row: int) -> str:
    return f"{spec.letter(key)}{row}"


def _calls(wb: Workbook, rows: dict[int, dict[str, Any]]) -> None:
    """Valid calls at the given rows (each its own order and phone), then the raw entries."""
    ws = wb[LEDGER.name]
    for r, raw in rows.items():
        write_record(ws, LEDGER, r, {**CALL, "order": f"0{r:03d}", "phone": f"1390000{r:04d}"})
        for key, value in raw.items():
            put(ws, r, LEDGER.index(key), value)


# --- 台账 -------------------------------------------------------------------------------------------


def ledger_dates(folder: Path) -> None:
    """Impossible and text dates; row 8 holds spellings Python reads but the workbook,
    holding them as text, does not compute with."""
    edit(folder, CB, lambda wb: _calls(wb, {
        7: {"call_date": "2026-02-30", "done_date": "20261120"},
        8: {"call_date": "2026年11月21日", "done_date": "２０２６－１１－２０"},
        9: {"call_date": "下周一"},
    }))


def ledger_choices(folder: Path) -> None:
    """Dropdown values typed by hand: with spaces (统计 does not count them), words not in the list."""
    edit(folder, CB, lambda wb: _calls(wb, {
        7: {"result": "满 意", "business": "维修　"},
        8: {"result": "很满意", "business": "维修服务", "dept": "客服"},
    }))


def ledger_fullwidth(folder: Path) -> None:
    """Full-width digits and letters where staff switched their input method: the phone,
    the order and the date of row 7 are read as their half-width selves; row 8's date,
    2026-11-31 in full width, does not exist."""
    edit(folder, CB, lambda wb: _calls(wb, {
        7: {"phone": "１３９０００００１０７", "order": "ＧＤ０１０７", "call_date": "２０２６－１１－２１"},
        8: {"done_date": "２０２６－１１－３１"},
    }))


def ledger_text_in_numbers(folder: Path) -> None:
    """完工量 counts typed as words, with units, negative."""
    def change(wb: Workbook) -> None:
        ws = wb[COMPLETED.name]
        put(ws, COMPLETED.row_of("维修"), 2, "十二")
        put(ws, COMPLETED.row_of("置换"), 2, "12单")
        put(ws, COMPLETED.row_of("安检"), 2, -3)
    edit(folder, CB, change)


def ledger_blank_rows(folder: Path) -> None:
    """Twenty blank rows in the middle, then a record with a bad result."""
    edit(folder, CB, lambda wb: _calls(wb, {31: {"result": "好"}}))


def ledger_merged(folder: Path) -> None:
    """客户姓名 merged over 电话 and 地址 in row 7 (the phone is lost); a date merged down
    rows 8-10 (each row reads the date, no finding)."""
    def change(wb: Workbook) -> None:
        _calls(wb, {7: {}, 8: {}, 9: {}, 10: {}})
        ws = wb[LEDGER.name]
        ws.merge_cells(f"{at(LEDGER, 'customer', 7)}:{at(LEDGER, 'address', 7)}")
        ws.merge_cells(f"{at(LEDGER, 'call_date', 8)}:{at(LEDGER, 'call_date', 10)}")
    edit(folder, CB, change)


def ledger_extra_columns(folder: Path) -> None:
    """Two columns added right of the table, full of notes; one bad result in row 7."""
    def change(wb: Workbook) -> None:
        _calls(wb, {7: {"result": "好"}})
        ws = wb[LEDGER.name]
        last = len(LEDGER.columns)
        put(ws, LEDGER.header_row, last + 1, "备用1")
        put(ws, LEDGER.header_row, last + 2, "临时")
        for r in range(3, 40):
            put(ws, r, last + 1, f"已电话{r}")
            put(ws, r, last + 2, "2026-02-30")
    edit(folder, CB, change)


RENAMED = "回访台账（11月）"


def ledger_renamed_sheet(folder: Path) -> None:
    def change(wb: Workbook) -> None:
        _calls(wb, {7: {"result": "好"}})
        wb[LEDGER.name].title = RENAMED
    edit(folder, CB, change)


def ledger_missing_sheet(folder: Path) -> None:
    edit(folder, CB, lambda wb: wb.remove(wb[LEDGER.name]))


def ledger_missing_column(folder: Path) -> None:
    """The 回访结果 header deleted (the column's values stay)."""
    edit(folder, CB, lambda wb: put(wb[LEDGER.name], LEDGER.header_row, LEDGER.index("result"), None))


def ledger_formula_typed_over(folder: Path) -> None:
    """是否超时 (a formula) overwritten with a typed 否."""
    edit(folder, CB, lambda wb: put(wb[LEDGER.name], 3, LEDGER.index("late"), "否"))


def ledger_duplicate_orders(folder: Path) -> None:
    """Work order 0001 (row 3) entered again in row 7 for another customer and day, and
    0101 twice (rows 8 and 9)."""
    def change(wb: Workbook) -> None:
        _calls(wb, {7: {"order": "0001"}, 8: {"order": "0101"}, 9: {"order": "0101"}})
    edit(folder, CB, change)


NOISE_ROWS = 20_000


def noise(rng: random.Random) -> Any:
    """One cell of what a paste from somewhere else leaves: words, numbers, odd dates, symbols."""
    kind = rng.randrange(8)
    if kind == 0:
        return rng.choice(["见附件", "同上", "？？", "#N/A", "——", "无", "待定", "电话没人接", "ＯＫ", "√"])
    if kind == 1:
        return rng.uniform(-1e6, 1e9)
    if kind == 2:
        return f"2026-{rng.randrange(0, 15):02d}-{rng.randrange(0, 40):02d}"
    if kind == 3:
        return datetime(2026, 11, 1) + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
    if kind == 4:
        return "".join(rng.choice("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞") for _ in range(rng.randrange(1, 30)))
    if kind == 5:
        return rng.randrange(10**10, 10**12)
    if kind == 6:
        return None
    return rng.choice(["满意", "不满意", "维修", "客服部", "是", "否", "13812345678", "2026-11-05"])


def noise_rows(seed: int, first: int, columns: list[int]) -> list[tuple[int, list[tuple[int, Any]]]]:
    rng = random.Random(seed)
    return [(r, [(c, noise(rng)) for c in columns]) for r in range(first, first + NOISE_ROWS)]


def replace_rows(path: Path, sheet: str, first: int, rows: list[tuple[int, list[tuple[int, Any]]]]) -> None:
    """Rows from `first` on replaced by `rows`, written straight into the sheet's XML: 440,000
    cells through openpyxl take 13 s, this takes a fraction of one."""
    part = sheet_parts(path)[sheet]
    cells = []
    for r, values in rows:
        out = [f'<row r="{r}">']
        for c, value in values:
            ref = f"{get_column_letter(c)}{r}"
            if value is None:
                continue
            if isinstance(value, datetime):
                out.append(f'<c r="{ref}"><v>{datetime_to_excel_serial(value)}</v></c>')
            elif isinstance(value, int | float):
                out.append(f'<c r="{ref}"><v>{value!r}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        out.append("</row>")
        cells.append("".join(out))
    new_rows = "".join(cells).encode()

    def keep_before(xml: bytes) -> bytes:
        kept = re.sub(rb'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', lambda m: m.group(0) if int(m.group(1)) < first else b"", xml, flags=re.S)
        return kept.replace(b"</sheetData>", new_rows + b"</sheetData>", 1)

    path.write_bytes(rezip(path.read_bytes(), {part: keep_before}))


def ledger_noise(folder: Path) -> None:
    """20,000 rows pasted from another sheet over the 台账 from row 7: nothing where it belongs."""
    columns = [LEDGER.index(c.key) for c in LEDGER.entry_columns]
    replace_rows(path_of(folder, CB), LEDGER.name, 7, noise_rows(20_000, 7, columns))


# --- 投诉台账 ------------------------------------------------------------------------------------------


LEVELS = {6: "4 级", 7: "四级", 8: "４级", 9: "六级", 10: "level 4", 11: "0级"}


def complaint_levels(folder: Path) -> None:
    """Complaint levels written every way staff write them (rows 6-8 valid, 9-11 not)."""
    def change(wb: Workbook) -> None:
        ws = wb[COMPLAINTS.name]
        for r, level in LEVELS.items():
            write_record(ws, COMPLAINTS, r, {**COMPLAINT, "no": f"TS1{r:02d}"})
            put(ws, r, COMPLAINTS.index("level"), level)
    edit(folder, TS, change)


def complaint_times(folder: Path) -> None:
    """Times that do not exist, and a valid one in Chinese."""
    def change(wb: Workbook) -> None:
        ws = wb[COMPLAINTS.name]
        for r, raw in {6: {"accepted": "2026-11-31 10:00"}, 7: {"inv_done": "2026/11/12 25:00"},
                       8: {"accepted": "2026年11月12日9时30分"}}.items():
            write_record(ws, COMPLAINTS, r, {**COMPLAINT, "no": f"TS1{r:02d}"})
            for key, value in raw.items():
                put(ws, r, COMPLAINTS.index(key), value)
    edit(folder, TS, change)


# --- 服务绩效考核表 --------------------------------------------------------------------------------------

RATE_ROWS = [assessment.indicator_key(i) for i in DEPT.indicators if i.is_rate]
RATES = dict(zip(RATE_ROWS, ["９６．５％", "96,5", "百分之96.5", "120%", 0.965], strict=True))  # the last as Excel stores 96.5% typed
SELF = [c.key for c in DEPT_SHEET.columns].index("self") + 1


def assessment_rates(folder: Path) -> None:
    """Rates in the department sheet's 自评实际: a fraction (valid); full-width text (the
    department's 扣分 formula cannot read it), decimal comma, words, above 100% (not)."""
    def change(wb: Workbook) -> None:
        ws = wb[DEPT.name]
        for key, value in RATES.items():
            put(ws, DEPT_SHEET.row_of(key), SELF, value)
    edit(folder, KH, change)


MYSTERY_KEY = assessment.indicator_key(next(i for i in DEPT.indicators if i.kind == "mystery"))


def assessment_text_in_numbers(folder: Path) -> None:
    """A score written in words; 表扬 counted with a unit."""
    def change(wb: Workbook) -> None:
        put(wb[DEPT.name], DEPT_SHEET.row_of(MYSTERY_KEY), SELF, "九十五")
        write_record(wb[ITEMS.name], ITEMS, 7, {"date": date(2026, 11, 18), "dept": "客服部", "type": "表扬", "source": "BY07"})
        put(wb[ITEMS.name], 7, ITEMS.index("count"), "2次")
    edit(folder, KH, change)


def assessment_summary_typed_over(folder: Path) -> None:
    """月度服务得分 on 汇总 overwritten with 100."""
    edit(folder, KH, lambda wb: put(wb[assessment.SUMMARY], 3, 4, 100))


def items_levels(folder: Path) -> None:
    """加减分明细: a complaint typed here again (it comes from the 投诉台账 through the 汇入), media
    points in words."""
    def change(wb: Workbook) -> None:
        ws = wb[ITEMS.name]
        write_record(ws, ITEMS, 7, {"date": date(2026, 11, 20), "dept": "客服部", "type": "投诉", "desc": "六级", "source": "TS999"})
        write_record(ws, ITEMS, 8, {"date": date(2026, 11, 21), "dept": "客服部", "type": "媒体表扬", "source": "MT08"})
        put(ws, 8, ITEMS.index("pin"), "五分")
    edit(folder, KH, change)


# --- 意见统计表 -----------------------------------------------------------------------------------------


def opinions_dates(folder: Path) -> None:
    def change(wb: Workbook) -> None:
        ws = wb[NOTES.name]
        write_record(ws, NOTES, 5, {"seq": 3, "customer": "赵六", "phone": "13900000101", "dept": "客服部"})
        put(ws, 5, NOTES.index("visit_date"), "2026-02-30")
        put(ws, 5, NOTES.index("seq"), "三")
    edit(folder, YJ, change)


# --- the completed-orders export (sampling) --------------------------------------------------------


def order(n: int, **raw: Any) -> dict[str, Any]:
    return {"order": f"WG{n:05d}", "business": "维修", "done_at": datetime(2026, 11, 19, 10), "customer": f"新客户{n}",
            "phone": f"1380000{n:04d}", "address": f"柳园路{n}号", "staff": "李师傅", "dept": "客服部", **raw}


def export_good(path: Path) -> Path:
    return write_completed_export(path, [order(i) for i in range(1, 13)])


def export_missing_column(path: Path) -> Path:
    """The export without its 完工时间 column (someone deleted it to print the sheet)."""
    wb = load_workbook(export_good(path))
    wb[EXPORT.name].delete_cols(EXPORT.index("done_at"))
    wb.save(path)
    return path


def export_impossible_date(path: Path) -> Path:
    return write_completed_export(path, [order(1), order(2, done_at="2026-02-30 10:00"), order(3)])


def export_noise(path: Path) -> Path:
    """Two good orders, then 20,000 rows of noise under the export's headers."""
    write_completed_export(path, [order(1), order(2)])
    replace_rows(path, EXPORT.name, 4, noise_rows(20_001, 4, list(range(1, len(EXPORT.columns) + 1))))
    return path
