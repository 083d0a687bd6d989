"""CSV files Excel opens as text: OWASP's prefix for formula-like texts, every field quoted."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

from xinao_xl.books.csv_export import ENCODING, csv_text, safe_field, write_csv

from .test_cells import HOSTILE


def test_formula_like_texts_get_an_apostrophe() -> None:
    for text in HOSTILE:
        assert safe_field(text) == "'" + text
    assert safe_field("东昌路1号") == "东昌路1号"
    assert safe_field(" =1") == " =1"


def test_numbers_dates_and_blanks() -> None:
    assert safe_field(-1.5) == -1.5 and safe_field(3) == 3  # a number is never a formula
    assert safe_field(None) == ""
    assert safe_field(date(2026, 11, 3)) == "2026-11-03"
    assert safe_field(datetime(2026, 11, 3, 15, 20)) == "2026-11-03 15:20"


def test_separators_and_quotes_cannot_open_a_new_cell() -> None:
    text = csv_text([['a,=1+1;"b"\n=2']])
    assert text == '"a,=1+1;""b""\n=2"\r\n'


def test_written_file_reads_back_as_the_safe_texts(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "out" / "校验结果.csv", [["级别", "说明"], *[["错误", t] for t in HOSTILE]])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel on Chinese Windows reads UTF-8
    with open(path, encoding=ENCODING, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["级别", "说明"]
    assert [r[1] for r in rows[1:]] == ["'" + t for t in HOSTILE]
    assert all(not r[1].startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows[1:])
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
