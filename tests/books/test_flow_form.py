"""流转单 sheets copied from one drawn blank form equal sheets drawn one by one."""

from __future__ import annotations

from datetime import date, datetime

from tests.support.snapshot import snapshot, snapshot_diff
from xinao_xl.books.flow_form import BLANK_SHEET, FlowForm, build_flow_forms
from xinao_xl.books.style import public_setters

FORMS = [
    FlowForm("LZ001", "客服部", "张三", "13812345678", "东昌路1号", "维修", "GD1", date(2026, 11, 4), "上门太晚\n不满原因：等待", "孙雪燕",
             date(2026, 11, 5), datetime(2026, 11, 5, 10), datetime(2026, 11, 7, 23, 59, 59), ""),
    # text that looks like a formula gets the quote prefix on its own sheet only
    FlowForm("LZ001", "管网部", "=HYPERLINK(\"x\")", "+8613812345678", "-东昌路", "置换", "@GD2", None, "=不满意", "李四",
             None, None, None, "－已处理"),
    # a number where text is expected, blanks, and a number that needs a safe sheet name
    FlowForm("LZ/003:a", "", 3, 5.5, "", "", "", None, "", "", None, None, None, ""),
    FlowForm(BLANK_SHEET.replace("'", "_"), "客服部", "王五", "", "", "", "", None, "", "", None, None, None, ""),
]


def test_copied_forms_equal_forms_drawn_one_by_one() -> None:
    fast = build_flow_forms(FORMS, "2026-11")
    with public_setters():
        reference = build_flow_forms(FORMS, "2026-11")
    for wb in (fast, reference):
        wb.properties.created = wb.properties.modified = datetime(2026, 12, 3)
    assert fast.sheetnames == reference.sheetnames == ["LZ001", "LZ001(2)", "LZ_003_a", "流转单_空白"]
    assert snapshot_diff(snapshot(reference), snapshot(fast)) == []
    second = fast["LZ001(2)"]
    assert second["A4"].value == "客户姓名" and second["B4"].quotePrefix and not fast["LZ001"]["B4"].quotePrefix
    assert fast["LZ_003_a"]["B4"].value == 3 and fast["LZ_003_a"].print_area == "'LZ_003_a'!$A$1:$D$19"
