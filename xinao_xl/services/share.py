"""A close's outputs that may leave the service office (`xinao-xl close --share`).

What ``--share`` covers:

- **客户回访报告**: no customer name, phone or address at all — the 不满意明细 sheet loses
  its 客户姓名 and 客户电话 columns, and the free texts (不满原因, the problem types) have
  every name, phone and address of the month's customers replaced by ``***`` and any other
  phone number masked (`policy.privacy.scrub`). The report never holds addresses.
- **服务绩效考核表结账副本**: holds no customer columns; what staff typed in 加减分明细 is kept
  as typed, so the close scans every cell of it, and of the report, for the month's
  customer names, phones and addresses and names the cell in the close's notes when one is
  found (`find_customer_data`).
- **Internal, not covered** (`INTERNAL`): the 意见统计表 (回访办法 附件4 lists each
  customer by design) and the 流转单 (the responsible department calls the customer back,
  so the phone is printed in full). Next month's workbooks are working files.

The 结账记录 and the console output of a close hold no customer data in any mode.

    >>> data = shareable_report(mb.report_data(cards), customer_terms(mb))   # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from openpyxl.utils import get_column_letter

from xinao_xl.books.read import BookReader
from xinao_xl.books.report import ProblemRow, ReportData
from xinao_xl.policy.privacy import MIN_TERM, PHONE_PATTERN, customer_terms, redact_phones, scrub

from .month_books import MonthBooks

__all__ = ["INTERNAL", "SHAREABLE", "find_customer_data", "masked_report", "month_customer_terms", "shareable_report"]

SHAREABLE = ("考核表", "回访报告")  # keys of CloseResult.outputs
INTERNAL = ("意见统计表", "流转单")


def month_customer_terms(mb: MonthBooks) -> set[str]:
    """Every customer name, phone and address in the month's 台账, 投诉台账 and 意见统计表."""
    records: list[dict] = []
    for table in (mb.ledger, mb.complaints, mb.opinions):
        if table.found:
            records.extend(table.records())
    return customer_terms(records)


def shareable_report(data: ReportData, terms: Iterable[str]) -> ReportData:
    """The report's figures without customers: names and phones emptied, texts scrubbed."""
    terms = set(terms)
    return _texts(replace(data, calls=[replace(c, customer="", phone="") for c in data.calls]), lambda text: scrub(text, terms))


def masked_report(data: ReportData) -> ReportData:
    """The report's figures with every phone inside a text masked (a 不满原因 typed as
    "请回电13812345678" shows 138****5678 in 不满意明细 and 问题统计): the report masks each
    phone, not only the 客户电话 column (`books.report` masks that one)."""
    return _texts(data, redact_phones)


def _texts(data: ReportData, clean: Callable[[str], str]) -> ReportData:
    """`data` with the customers' texts (不满原因, the problem types) passed through `clean`."""
    calls = [replace(c, reason=clean(c.reason)) for c in data.calls]
    merged: dict[str, Counter] = {}
    for p in data.problems:  # two problem texts may become one once cleaned
        merged.setdefault(clean(p.problem), Counter()).update(p.by_dept)
    problems = [ProblemRow(name, dict(counts)) for name, counts in merged.items()]
    return replace(data, calls=calls, problems=problems)


def find_customer_data(path: Path, terms: Iterable[str]) -> list[str]:
    """``sheet!A1`` of every cell of the workbook holding a customer word or a phone number.

    A month has thousands of customer words; each text is cut into its pieces of the
    lengths the words have and the pieces looked up in a set, so the scan stays linear in
    the text instead of trying every word on every cell.
    """
    words = {t for t in terms if len(t) >= MIN_TERM}
    lengths = sorted({len(t) for t in words})
    reader = BookReader(path)

    def holds(text: str) -> bool:
        if PHONE_PATTERN.search(text):
            return True
        return any(text[i:i + n] in words for n in lengths if n <= len(text) for i in range(len(text) - n + 1))

    found = []
    for sheet in reader.sheet_names:
        for r, row in enumerate(reader.rows(sheet), start=1):
            for c, value in enumerate(row, start=1):
                if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
                    hit = str(int(value)) in words  # a phone typed as a number
                elif isinstance(value, str) and value:
                    hit = holds(value)
                else:
                    hit = False
                if hit:
                    found.append(f"{sheet}!{get_column_letter(c)}{r}")
    return found
