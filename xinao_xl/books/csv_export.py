"""CSV files that Excel and WPS open as text, never as formulas (CSV injection).

A CSV cell carries no type: Excel, WPS and LibreOffice read ``=HYPERLINK("http://x","点击")``
or ``@SUM(1+1)`` in a CSV as a formula and run it when the file is opened. What staff and
customers wrote ends up in our CSV files (validation messages quote cell contents, file
names are staff's), so every text field is made safe as OWASP's "CSV Injection" page
advises (https://owasp.org/www-community/attacks/CSV_Injection):

- a text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return (and, here, their
  full-width forms ＝＋－＠, `cells.FORMULA_LEADS`) gets a leading apostrophe ``'``, which
  the spreadsheet shows and does not evaluate;
- every field is quoted and embedded double quotes are doubled (``csv.QUOTE_ALL``), so a
  comma, a semicolon or a line break inside a text cannot start a new cell.

Numbers, dates and booleans are written as they are (a number is never a formula). The
file is UTF-8 with a byte-order mark, which is how Excel on a Chinese Windows recognises
UTF-8 (without it, Chinese turns into mojibake); it is written as every file we write
(a temporary file moved over the target, the previous version kept; books/save.py).

    >>> safe_field('=HYPERLINK("http://x","点击")')
    '\\'=HYPERLINK("http://x","点击")'
    >>> safe_field(-1.5), safe_field("东昌路1号")
    (-1.5, '东昌路1号')
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .cells import looks_like_formula
from .save import write_bytes_atomic

__all__ = ["ENCODING", "safe_field", "write_csv"]

ENCODING = "utf-8-sig"


def safe_field(value: Any) -> Any:
    """One CSV field: a text that could be read as a formula gets a leading ``'``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}" if value.second == 0 else f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return "'" + text if looks_like_formula(text) else text


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    """The rows as CSV text (every field quoted, formula-like texts prefixed)."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_field(v) for v in row])
    return out.getvalue()


def write_csv(path: Path, rows: Iterable[Sequence[Any]]) -> Path:
    """Write `rows` (the first one the header) to `path` as safe CSV, atomically (`save.write_bytes_atomic`)."""
    return write_bytes_atomic(Path(path), csv_text(rows).encode(ENCODING))
