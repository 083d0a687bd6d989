"""Every use case that writes into a month folder goes through here: the folder's lock (one
writer at a time, books/lock.py) and, for a closed month, a refusal.

    with month_writer(MonthFolder(root, "2026-11"), "抽样", user="孙雪燕"):
        ...   # nobody else writes 2026-11 meanwhile; 2026-11 is not closed

Why a closed month is refused: its four workbooks are what the close read and recorded
(their SHA-256 in the 结账记录), and its ``结账/`` holds what the close wrote from them; a
sampling run, a regenerated month or a regenerated report would change them behind the
record (issue 13: `sample` wrote into a closed month and only a later `verify` noticed).
Staff inputs of a closed month are never written; its outputs are re-made only by closing
again (``close --force --reason``), which records why. Reports written elsewhere (``--out``,
the 报表 folder) do not touch the month and are not refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from xinao_xl.books.lock import MonthLock
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.policy.errors import XinaoError

__all__ = ["ClosedMonthError", "month_writer", "refuse_closed"]


class ClosedMonthError(XinaoError, ValueError):
    """A use case would write into a closed month (Chinese message)."""


def refuse_closed(mf: MonthFolder, doing: str) -> None:
    if mf.closed:
        raise ClosedMonthError(f"{mf.month} 已于 {mf.closed_text()} 结账，不能再{doing}：已结账月份的工作簿和结账结果是结账记录的依据。"
                               f"如确需更改，请改正后用 xinao-xl close {mf.month} --force --reason 说明原因 重新结账")


@contextmanager
def month_writer(mf: MonthFolder, doing: str, *, user: str | None = None) -> Iterator[MonthLock]:
    """Hold `mf`'s lock for `doing` (refused at once while another writer holds it), and
    refuse a closed month, before and under the lock (a close that ends meanwhile is seen)."""
    refuse_closed(mf, doing)
    with MonthLock(mf.path, doing, user=user) as lock:
        refuse_closed(mf, doing)
        yield lock
