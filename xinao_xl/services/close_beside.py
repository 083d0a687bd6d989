"""What the close builds beside itself: the 流转单 and next month's books, from plain records.

Why a module of its own: these two outputs need nothing of the month but a few plain
records the close has as soon as it has read the month — the flagged callbacks as
`FlowForm`s, and for next month the complaints and flow forms still open, the carried
complaints' 改派记录 and 证据 lines, each department's 服务津贴基数. A second process
(services/spawned.py) builds them from those records alone, sent to it pickled, while the
close validates, scores and writes the rest. This module imports only what building them
needs, so that process is ready by the time the close has read the month.

    made = build_beside(BesideInput("2026-11", now, forms, next_month))

The records are made by the close (services/close.py `beside_input`); whoever builds from
them (the second process, or the close itself when there is none) gets the same contents
(openpyxl stamps next month's books with the time of their save, as it always has).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xinao_xl.books.closing import next_month_books
from xinao_xl.books.flow_form import FlowForm, build_flow_forms
from xinao_xl.books.memory import collect_garbage
from xinao_xl.books.save import workbook_bytes
from xinao_xl.policy.rules import Rules

__all__ = ["BesideInput", "MadeBeside", "NextBooks", "NextMonthInput", "build_beside"]


@dataclass(frozen=True)
class NextMonthInput:
    """What next month's books carry (books/closing.py `next_month_books`), and their file names."""

    month: str  # next month
    carried_from: str
    rules: Rules  # next month's (the office's settings in effect then)
    names: Mapping[str, str]  # workbook stem -> file name in next month's folder
    open_complaints: list[dict[str, Any]]
    open_flows: list[dict[str, Any]]
    reassignments: list[dict[str, Any]]
    evidence: list[dict[str, Any]]  # each with its ``_link`` relative to next month's folder
    allowance_bases: dict[str, Any]

    @property
    def carried(self) -> dict[str, int]:
        """`CloseResult.carried`: how many of each went over."""
        return {"complaints": len(self.open_complaints), "flow_forms": len(self.open_flows),
                "allowance_bases": len(self.allowance_bases)}


@dataclass(frozen=True)
class BesideInput:
    """Everything `build_beside` reads."""

    month: str
    now: datetime
    flow_forms: list[FlowForm]
    next_month: NextMonthInput | None  # None: next month's folder is not ours to regenerate


@dataclass
class NextBooks:
    """Next month's books as files (name -> bytes) and what they carry (`CloseResult.carried`)."""

    files: dict[str, bytes]
    carried: dict[str, int] = field(default_factory=dict)


@dataclass
class MadeBeside:
    """The 流转单 and next month's books, as bytes."""

    flow_forms: bytes
    next_books: NextBooks | None


def build_beside(given: BesideInput) -> MadeBeside:
    """The 流转单 and next month's books of `given` (deterministic: the same records, the
    same contents, in whichever process)."""
    flow_forms = build_flow_forms(given.flow_forms, given.month, given.now)
    collect_garbage()  # each workbook once saved (books/memory.py)
    nxt = given.next_month
    if nxt is None:
        return MadeBeside(flow_forms, None)
    books = next_month_books(nxt.month, nxt.rules, nxt.carried_from, nxt.open_complaints, nxt.open_flows,
                             nxt.reassignments, nxt.evidence, nxt.allowance_bases)
    files = {}
    for stem in list(books):
        files[nxt.names[stem]] = workbook_bytes(books.pop(stem))
        collect_garbage()
    return MadeBeside(flow_forms, NextBooks(files, nxt.carried))
