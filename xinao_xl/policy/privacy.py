"""Customers' data in what we show: masked phones, and text with customers taken out.

The workbooks hold customers' names, phones and addresses; the office's reports, the
console, message boxes and validation messages do not need them. Three pure functions:

- `mask_phone` — 138****5678: enough to find the row in the 台账, not enough to call;
- `redact_phones` — every phone number inside a free text masked the same way (an opinion
  may say "请打电话13812345678"; a staff member may type a phone into a date cell);
- `scrub` — a text with given customer words (the month's names, phones, addresses)
  replaced by ``***``, then its phones masked: the last guard for a report that leaves
  the office (``xinao-xl close --share``).

    >>> mask_phone("+86 138-1234-5678")
    '138****5678'
    >>> redact_phones("客户说请打13812345678或0635-8211234")
    '客户说请打138****5678或063****1234'
    >>> scrub("张三反映东昌路1号漏气", {"张三", "东昌路1号"})
    '***反映***漏气'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["MASK", "PHONE_PATTERN", "customer_terms", "mask_phone", "redact_phones", "scrub"]

MASK = "***"
CUSTOMER_KEYS = ("customer", "phone", "address")
MIN_TERM = 2  # a one-character "name" would blank out every word it appears in

# A mainland mobile (11 digits from 13–19, groups split by a space or hyphen, +86/0086
# before it or not), or a landline with its area code (0635-8211234, 06358211234). Digits
# on either side make it part of a longer number (a work order, a complaint number).
# Full-width digits (１３８…) count as digits: staff type them with a Chinese input method.
_SEP = r"[\s\-－]?"
PHONE_PATTERN = re.compile(
    rf"(?<![\dA-Za-z])(?:(?:[+＋]|[0０]{{2}})?[8８][6６]{_SEP})?[1１][3-9３-９]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)"
    rf"|(?<![\dA-Za-z])[0０]\d{{2,3}}{_SEP}\d{{7,8}}(?!\d)"
)


def _digits(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", str(value)))
    if len(digits) == 15 and digits.startswith("0086"):  # 0086 138…
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):  # +86 138…
        digits = digits[2:]
    return digits


def mask_phone(value: Any) -> str:
    """138****5678 (first three, last four digits); "" for a blank, "****" for a short one."""
    if value is None or (isinstance(value, float) and value != value) or str(value).strip() == "":
        return ""
    digits = _digits(value)
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"


def redact_phones(text: str) -> str:
    """`text` with every phone number in it masked (`mask_phone`)."""
    return PHONE_PATTERN.sub(lambda m: mask_phone(m.group(0)), text)


def scrub(text: str, terms: Iterable[str] = ()) -> str:
    """`text` with each of `terms` replaced by ``***`` (longest first), phones masked."""
    for term in sorted({t for t in terms if len(t) >= MIN_TERM}, key=len, reverse=True):
        text = text.replace(term, MASK)
    return redact_phones(text)


def customer_terms(records: Iterable[Mapping[str, Any]]) -> set[str]:
    """The names, phones and addresses of ledger records (keys customer, phone, address),
    as written and, for phones, as bare digits; blanks and one-character words left out."""
    out: set[str] = set()
    for rec in records:
        for key in CUSTOMER_KEYS:
            value = rec.get(key)
            if value is None or (isinstance(value, float) and value != value):
                continue
            text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
            if len(text) >= MIN_TERM:
                out.add(text)
            if key == "phone" and len(_digits(value)) >= 7:
                out.add(_digits(value))
    return out
