"""Use case: the month's printable 流转单 (回访办法 附件3) on their own — the ribbon's
生成流转单 and ``xinao-xl flow-forms 2026-11 [--order LZ001 …]``.

    result = make_flow_forms("2026-11", Path("D:/服务考核"))            # → 结账/2026-11_流转单.xlsx
    result = make_flow_forms("2026-11", root, orders=["LZ20261100188"])   # → 结账/2026-11_流转单_LZ20261100188.xlsx

One A4 sheet per callback of the month marked 是否流转 = 是; the close writes the month's
file with the same builder and the same fixed file properties (the day of `now`). A form
is due within 2 natural days of the flow (回访 六.1), long before the close: ``orders`` makes
just the forms of those 流转单号, at the moment of flow, in a file of their own
(`MonthFolder.flow_form_file`), so the month's file is never replaced by a part of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from xinao_xl.books.flow_form import FlowForm, build_flow_forms
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.save import write_bytes_atomic
from xinao_xl.policy import clock
from xinao_xl.policy.errors import XinaoError, quote
from xinao_xl.policy.parse import normalize_text
from xinao_xl.policy.rules import Rules

from .month_books import MonthBooks
from .month_writer import month_writer

__all__ = ["FlowFormError", "FlowFormsResult", "choose_forms", "make_flow_forms"]

class FlowFormError(XinaoError, ValueError):
    """A 流转单号 asked for that the month's 台账 does not flag (Chinese message)."""


@dataclass
class FlowFormsResult:
    month: str
    path: Path
    numbers: list[str] = field(default_factory=list)  # the forms written, in 台账 order

    def summary(self) -> str:
        if not self.numbers:
            return f"{self.month} 没有需要流转的回访（台账中没有“是否流转”为“是”的回访）；已写入说明页：\n  {self.path}"
        shown = "、".join(self.numbers[:10]) + (f" 等 {len(self.numbers)} 张" if len(self.numbers) > 10 else "")
        return f"已生成 {self.month} 流转单 {len(self.numbers)} 张（每张一页A4）：{shown}\n  {self.path}"


def choose_forms(forms: Sequence[FlowForm], orders: Sequence[str]) -> list[FlowForm]:
    """The forms of the given 流转单号 (case and full-width letters do not matter), in the
    order asked; every number must be one of the month's flagged callbacks."""
    by_no: dict[str, list[FlowForm]] = {}
    for f in forms:
        by_no.setdefault(normalize_text(f.flow_no).upper(), []).append(f)
    chosen: list[FlowForm] = []
    unknown = []
    for order in orders:
        hits = by_no.get(normalize_text(order).upper())
        if hits is None:
            unknown.append(quote(order))
        else:
            chosen += [f for f in hits if f not in chosen]
    if unknown:
        known = "、".join(f.flow_no for f in forms[:10]) + ("……" if len(forms) > 10 else "")
        listed = f"本月已流转的有：{known}" if forms else "本月台账中没有“是否流转”为“是”的回访"
        raise FlowFormError(f"回访台账中找不到流转单号 {'、'.join(unknown)}（只找本月回访日期的、“是否流转”为“是”的回访）；{listed}")
    return chosen


def make_flow_forms(month: str, root: Path, now: datetime | None = None, rules: Rules | None = None,
                    orders: Sequence[str] = ()) -> FlowFormsResult:
    """Write the month's 流转单 (all, or those of `orders`) into the month's ``结账/``; a closed
    month's are the close's and are refused (services/month_writer.py)."""
    now = now or clock.now()
    mf = MonthFolder(root, month)
    with month_writer(mf, "生成流转单"):
        mb = MonthBooks.open(Path(root), month, as_of=now, rules=rules)
        forms = mb.flow_forms()
        if orders:
            forms = choose_forms(forms, orders)
        data = build_flow_forms(forms, mb.month, now)
        path = write_bytes_atomic(mf.flow_form_file([f.flow_no for f in forms] if orders else ()), data)
    return FlowFormsResult(mb.month, path, [f.flow_no for f in forms])
