"""The calamine reader: columns by header, addresses kept, IDs as text, dates normalised."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from xinao_xl.books import callback_ledger
from xinao_xl.books.read import (
    BookReader,
    BookReadError,
    formula_cells_in_xml,
    formulas_in_stream,
    formulas_in_xml,
    read_formula_cells,
    read_formulas,
    read_table,
)
from xinao_xl.books.writer import write_record
from xinao_xl.policy.rules import load_rules

SPEC = callback_ledger.ledger_sheet()


def ledger(tmp_path: Path, rows: dict[int, dict], extra=None, name: str = "l.xlsx") -> Path:
    wb = callback_ledger.build_callback_ledger("2026-11", load_rules())
    ws = wb[SPEC.name]
    for r, values in rows.items():
        write_record(ws, SPEC, r, values)
    if extra:
        extra(wb)
    path = tmp_path / name
    wb.save(path)
    return path


ROW = {"call_date": date(2026, 11, 5), "business": "维修", "order": "0123", "done_date": date(2026, 11, 3), "phone": "13812345678", "result": "满意"}


def test_records_keep_rows_and_addresses_and_skip_blank_rows(tmp_path: Path) -> None:
    path = ledger(tmp_path, {3: ROW, 4: {}, 6: {**ROW, "customer": "张三"}})
    t = read_table(path, SPEC)
    assert t.found and t.header_row == 2 and t.missing == ()
    assert t.column("_row") == [3, 6]
    assert t.address("phone", 6) == "F6"
    assert t.column("customer")[1] == "张三"
    assert t.column("call_date")[0] == date(2026, 11, 5)


def test_a_table_is_plain_columns_typed_and_as_typed(tmp_path: Path) -> None:
    """The column store: ``_row`` first, each column found as a list in record order; the
    typed value (`column`) beside the value as typed (`raw_column`); a column the sheet
    lacks reads as None throughout, as ``record.get`` reads it."""
    def typed(wb: Workbook) -> None:
        ws = wb[SPEC.name]
        ws["F3"] = 13812345678  # a phone typed as a number
        ws["E4"] = " 张三 "  # a name typed with spaces

    path = ledger(tmp_path, {3: ROW, 4: ROW}, typed)
    t = read_table(path, SPEC)
    assert t.size == 2 and t.keys[:4] == ["_row", "call_date", "business", "order"]
    assert t.column("_row") == t.raw_column("_row") == t.excel_rows == [3, 4]
    assert t.column("phone") == ["13812345678", "13812345678"] and t.raw_column("phone")[0] == 13812345678
    assert t.column("customer") == [None, "张三"] and t.raw_column("customer") == [None, " 张三 "]
    assert t.has("customer") and not t.has("没有的列")
    assert t.column("没有的列") == t.raw_column("没有的列") == [None, None]
    assert t.values["result"] is t.raws["result"]  # typed as it reads: one list for both
    assert t.records()[1] == dict(zip(t.keys, (t.column(k)[1] for k in t.keys), strict=True))
    assert t.records()[1]["customer"] == "张三" and t.records() is t.records()
    assert t  # found with records or not, a table is true (``if table`` asks whether it was read)


def test_records_at_are_the_records_there_built_alone(tmp_path: Path) -> None:
    """`records_at` gives the records `records` gives at those positions: before `records`
    is built, as new dicts of the same content (and `records` is still not built: a second
    process picks the few rows it needs without copying the rest); after, the very dicts."""
    path = ledger(tmp_path, {3: ROW, 4: {**ROW, "customer": "李四"}, 5: {**ROW, "customer": "王五"}})
    t = read_table(path, SPEC)
    alone = t.records_at([2, 0])
    assert t._records is None
    assert [r["customer"] for r in alone] == ["王五", None] and [r["_row"] for r in alone] == [5, 3]
    assert alone == [t.records()[2], t.records()[0]] and t.records_at([]) == []
    assert all(a is b for a, b in zip(t.records_at([2, 0]), (t.records()[2], t.records()[0]), strict=True))


def test_equal_repeated_entries_are_one_object(tmp_path: Path) -> None:
    """Calamine makes an object of every cell; a column whose entries repeat keeps one
    object per distinct value (the 100,000-callback close's memory), equal as before."""
    path = ledger(tmp_path, {r: {**ROW, "customer": f"客户{r}"} for r in range(3, 11)})
    t = read_table(path, SPEC)
    business, days = t.column("business"), t.column("call_date")
    assert business == ["维修"] * 8 and len({id(v) for v in business}) == 1
    assert days == [date(2026, 11, 5)] * 8 and len({id(v) for v in days}) == 1
    assert t.column("customer") == [f"客户{r}" for r in range(3, 11)]


def test_a_form_is_read_by_row_key_and_column_key(tmp_path: Path) -> None:
    rules = load_rules()
    spec = callback_ledger.completed_sheet(rules)
    first, second = (b.name for b in rules.business_types[:2])

    def counts(wb: Workbook) -> None:
        ws = wb[spec.name]
        ws[spec.cell(first, "count")] = 12
        ws[spec.cell(second, "count")] = "7"  # a count stored as text

    path = ledger(tmp_path, {3: ROW}, counts)
    f = BookReader(path).form(spec)
    assert f.found and f.keys == [r.key for r in spec.rows + spec.footer_rows]
    row = spec.row_of(second)
    assert f.excel_row(second) == f.value(second, "_row") == row
    assert f.value(second, "count") == 7 and f.raw(second, "count") == "7"
    assert f.row(second)["count"] == 7 and f.raw_row(second)["count"] == "7" and f.row(first)["count"] == 12
    assert f.raw_at(row, "count") == "7" and f.raw_at(999, "count") is None and f.raw_at(row, "没有的列") is None
    assert f.has_row(first) and not f.has_row("没有的行")
    with pytest.raises(KeyError):
        f.value("没有的行", "count")
    with pytest.raises(KeyError):
        f.value(first, "没有的列")


def test_tables_and_forms_are_read_once_and_outlive_the_cells(tmp_path: Path) -> None:
    """Validation (which names the book's other sheets) and the close (which does not) get
    the same table; `release` lets go of the sheet's cells and formula cells, and a sheet
    asked for again is read again from the same bytes, to the same answers."""
    path = ledger(tmp_path, {3: ROW, 4: ROW})
    reader = BookReader(path)
    t = reader.table(SPEC, others=("完工量", "统计", "抽样"))
    assert reader.table(SPEC) is t
    form = reader.form(callback_ledger.completed_sheet(load_rules()))
    assert reader.form(callback_ledger.completed_sheet(load_rules())) is form
    rows, cells = reader.rows(SPEC.name), reader.formula_cells(SPEC.name)
    reader.release()
    again = reader.rows(SPEC.name)
    assert again is not rows and again == rows
    assert reader.formula_cells(SPEC.name) == cells and "T3" in cells
    assert reader.table(SPEC) is t and t.column("order") == ["0123", "0123"]


def test_reading_imports_no_pandas(tmp_path: Path) -> None:
    """pandas' import alone was a quarter of a second of every close (issue 16). (numpy
    comes with openpyxl, which imports it when it is installed.)"""
    from tests.support.imports import heavy_imports

    path = ledger(tmp_path, {3: ROW})
    code = ("from xinao_xl.books import callback_ledger\nfrom xinao_xl.books.read import BookReader\n"
            f"BookReader({str(path)!r}).table(callback_ledger.ledger_sheet()).records()")
    assert "pandas" not in heavy_imports(code)
    assert "pandas" in heavy_imports(code + "\nimport pandas")  # the probe sees it when it is there


def test_ids_stay_text_numbers_and_dates_in_any_form(tmp_path: Path) -> None:
    def typed(wb: Workbook) -> None:
        ws = wb[SPEC.name]
        ws["F3"] = 13812345678  # a phone typed as a number
        ws["C3"] = 635123456.0
        ws["A4"] = 46331  # a serial: 2026-11-05
        ws["A5"] = "2026年11月5日"
        ws["Q5"] = "2026/11/05 15:20"

    path = ledger(tmp_path, {3: ROW, 4: ROW, 5: {**ROW, "order": "00042"}}, typed)
    t = read_table(path, SPEC)
    assert t.column("phone")[0] == "13812345678"
    assert t.column("order")[0] == "635123456"
    assert t.column("order")[2] == "00042"
    assert t.column("call_date") == [date(2026, 11, 5)] * 3
    assert t.column("flow_date")[2] == datetime(2026, 11, 5, 15, 20)
    assert t.raw_column("call_date")[1] in (46331, date(2026, 11, 5))


def test_bad_value_is_a_problem_with_its_cell_and_raw_value(tmp_path: Path) -> None:
    path = ledger(tmp_path, {3: ROW, 4: {**ROW, "done_date": "上周三"}})
    t = read_table(path, SPEC)
    assert [(p.key, p.row, p.raw) for p in t.problems] == [("done_date", 4, "上周三")]
    assert t.column("done_date")[1] is None


def test_moved_extra_and_missing_columns_and_renamed_sheet(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "回访记录"  # renamed
    headers = ["备用", *(h for h in SPEC.headers if h not in ("客户地址",))]  # extra col A, 客户地址 gone
    ws.append(["标题"])
    ws.append(headers)
    ws.append([None, date(2026, 11, 5), "维修", "007"])
    path = tmp_path / "moved.xlsx"
    wb.save(path)
    t = BookReader(path).table(SPEC, others=("完工量",))
    assert t.renamed_from == "台账" and t.sheet == "回访记录"
    assert t.missing == ("客户地址",)
    assert t.letters["call_date"] == "B"
    assert t.address("order", 3) == "D3"
    assert t.column("order")[0] == "007"


def test_merged_cells_give_their_value_to_every_row(tmp_path: Path) -> None:
    def merge(wb: Workbook) -> None:
        ws = wb[SPEC.name]
        ws.merge_cells("I3:I4")
        ws["I3"] = "客服部"

    path = ledger(tmp_path, {3: ROW, 4: ROW}, merge)
    t = read_table(path, SPEC)
    assert t.column("dept") == ["客服部", "客服部"]


def test_formulas_are_read_from_the_sheet_xml(tmp_path: Path) -> None:
    def tamper(wb: Workbook) -> None:
        wb[SPEC.name]["U5"] = "否"

    path = ledger(tmp_path, {3: ROW}, tamper)
    formulas = read_formulas(path, SPEC.name)
    assert formulas["T3"] == SPEC.render(SPEC.column("due"), 3)
    assert "U5" not in formulas and "U6" in formulas
    assert read_formulas(path, "没有这个表") == {}


def test_shared_and_prefixed_formula_cells_count_as_formulas() -> None:
    xml = (
        b'<sheetData><row r="3"><c r="T3" s="2"><f t="shared" ref="T3:T4" si="0">A3+1</f><v>2</v></c>'
        b'<c r="U3" s="1"/><c r="V3" t="s"><v>0</v></c></row>'
        b'<row r="4"><x:c r="T4" s="2"><x:f t="shared" si="0"/><x:v>3</x:v></x:c>'
        b'<c r="W4"><f>IF(A4&lt;&gt;"","&amp;",1)</f></c></row></sheetData>'
    )
    assert formulas_in_xml(xml) == {"T3": "=A3+1", "T4": "=", "W4": '=IF(A4<>"","&",1)'}


def test_formulas_read_piece_by_piece_are_those_of_the_whole_part() -> None:
    """A part is scanned in pieces cut where a row ends (issue 16: memory), so a cell is
    never cut in two: pieces of 7, 40 and 10,000 bytes give the whole part's formulas, in
    order, plain and prefixed rows alike."""
    rows = b"".join(b'<row r="%d"><c r="T%d"><f>A%d+1</f></c><c r="U%d"><v>1</v></c></row>' % (r, r, r, r) for r in range(3, 40))
    prefixed = b'<x:row r="40"><x:c r="T40"><x:f t="shared" si="0"/></x:c></x:row>'
    xml = b"<worksheet><sheetData>" + rows + prefixed + b"</sheetData><mergeCells/></worksheet>"
    whole = formulas_in_xml(xml)
    assert len(whole) == 38 and whole["T3"] == "=A3+1" and whole["T40"] == "="
    for size in (7, 40, 10_000):
        assert list(formulas_in_stream(io.BytesIO(xml), size).items()) == list(whole.items())


def test_unreadable_file_is_a_chinese_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(BookReadError, match="无法读取"):
        BookReader(bad)
    with pytest.raises(BookReadError, match="找不到"):
        BookReader(tmp_path / "none.xlsx")


def test_unparsable_values_each_a_problem_in_row_order(tmp_path: Path) -> None:
    """The reader parses a repeated value once; every cell holding it is still reported."""

    def typed(wb: Workbook) -> None:
        ws = wb[SPEC.name]
        for r in (3, 4, 5):
            ws[f"A{r}"] = "昨天"  # 回访日期, the same unreadable text three times
        ws["D4"] = "上周"  # 完工日期
        ws["A6"], ws["D6"] = 1.0, True  # equal as keys, read differently

    path = ledger(tmp_path, {r: ROW for r in (3, 4, 5, 6)}, typed)
    t = read_table(path, SPEC)
    assert [(p.key, p.row, p.raw) for p in t.problems[:4]] == [("call_date", 3, "昨天"), ("call_date", 4, "昨天"), ("done_date", 4, "上周"), ("call_date", 5, "昨天")]
    assert t.column("call_date")[:3] == [None, None, None]
    assert t.raw_column("call_date")[:3] == ["昨天"] * 3


def test_formula_layouts_other_writers_use_are_read_the_general_way() -> None:
    plain = b'<row r="3"><c r="T3" s="2"><f>A3+1</f><v>2</v></c><c r="U3"><f>CHAR(&#60;)&amp;"&lt;"</f></c></row>'
    assert formulas_in_xml(plain) == {"T3": "=A3+1", "U3": '=CHAR(<)&"<"'}
    # whitespace between <c> and <f>, r not the first attribute: the fast pattern misses them
    spaced = plain + b'<row r="4"><c r="T4">\n  <f>A4+1</f></c><c s="1" r="U4"><f t="shared" si="0"/></c></row>'
    assert formulas_in_xml(spaced) == {"T3": "=A3+1", "U3": '=CHAR(<)&"<"', "T4": "=A4+1", "U4": "="}


def test_formulas_scanned_beside_the_sheet_read_equal_a_plain_read(tmp_path: Path) -> None:
    path = ledger(tmp_path, {3: ROW})
    reader = BookReader(path)
    reader.rows(SPEC.name)  # starts the scan in a worker thread
    first = reader.formulas(SPEC.name)
    assert first == read_formulas(path, SPEC.name) and first["T3"] == SPEC.render(SPEC.column("due"), 3)
    first.clear()  # each caller gets its own copy
    assert reader.formulas(SPEC.name) == read_formulas(path, SPEC.name)
    assert reader.formulas("没有这个表") == {}


def test_the_bytes_are_read_once_and_everything_comes_from_them(tmp_path: Path) -> None:
    """A file replaced after the reader opened it changes nothing the reader gives: values,
    formulas and the digest are those of the bytes it read (what the close records)."""
    import hashlib

    path = ledger(tmp_path, {3: ROW})
    before = path.read_bytes()
    reader = BookReader(path)
    assert reader.data == before and reader.sha256 == hashlib.sha256(before).hexdigest()
    other = ledger(tmp_path, {3: {**ROW, "order": "9999"}, 4: ROW}, name="other.xlsx")
    path.write_bytes(other.read_bytes())  # saved over meanwhile (sampling, Excel)
    t = reader.table(SPEC)
    assert t.column("order") == ["0123"] and t.column("_row") == [3]
    assert reader.formulas(SPEC.name) == read_formulas(before, SPEC.name) != {}
    assert BookReader(path).table(SPEC).column("order") == ["9999", "0123"]  # a new reader sees the new file


def test_unreadable_file_says_so_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EACCES on reading (an ACL on a shared folder; as root a chmod would not stop the read)."""
    path = ledger(tmp_path, {3: ROW})

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(BookReadError, match="没有权限读取 l.xlsx"):
        BookReader(path)


def test_a_table_is_read_once_per_spec_and_a_formula_scan_handed_out_once(tmp_path: Path) -> None:
    """Issue 16, memory: validation and the close share one read of a ledger (the same
    object) and one scan of which cells hold a formula (the same set, kept: addresses, not
    the 100 MB of a 100,000-row 台账's formula texts); the texts are read anew when asked
    and never kept."""
    path = ledger(tmp_path, {3: ROW})
    reader = BookReader(path)
    first = reader.table(SPEC)
    assert reader.table(SPEC) is first
    cells = reader.formula_cells(SPEC.name)
    assert "T3" in cells and reader.formula_cells(SPEC.name) is cells and reader.__dict__.get("_scans", {}) == {}
    formulas = reader.formulas(SPEC.name)
    assert formulas.keys() == cells
    assert reader.formulas(SPEC.name) == formulas and reader.formulas(SPEC.name) is not formulas


def test_formula_cells_are_the_addresses_the_texts_are_read_at() -> None:
    """`formula_cells_in_xml` (validation, the content digest) finds the very cells
    `formulas_in_xml` gives texts for, in each layout: plain, shared, prefixed, spaced,
    a numeric character reference; a file's cells equal its formulas' keys."""
    plain = b'<row r="3"><c r="T3" s="2"><f>A3+1</f><v>2</v></c><c r="U3"><f>CHAR(&#60;)&amp;"&lt;"</f></c></row>'
    spaced = plain + b'<row r="4"><c r="T4">\n  <f>A4+1</f></c><c s="1" r="U4"><f t="shared" si="0"/></c></row>'
    prefixed = plain + b'<x:row r="5"><x:c r="T5"><x:f t="shared" si="0"/></x:c><x:c r="U5"><x:v>1</x:v></x:c></x:row>'
    for xml in (plain, spaced, prefixed, b"<sheetData/>"):
        assert formula_cells_in_xml(xml) == list(formulas_in_xml(xml))
    assert formula_cells_in_xml(spaced) == ["T3", "U3", "T4", "U4"]


def test_a_files_formula_cells_are_its_formulas_keys(tmp_path: Path) -> None:
    def tamper(wb: Workbook) -> None:
        wb[SPEC.name]["U5"] = "否"

    path = ledger(tmp_path, {3: ROW}, tamper)
    assert read_formula_cells(path, SPEC.name) == read_formulas(path, SPEC.name).keys() and "U5" not in read_formula_cells(path, SPEC.name)
    reader = BookReader(path)
    reader.rows(SPEC.name)  # the scan runs beside the read
    assert reader.formula_cells(SPEC.name) == read_formulas(path, SPEC.name).keys()
    assert read_formula_cells(path, "没有这个表") == frozenset()
