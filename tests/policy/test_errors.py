"""The error family (policy/errors.py): a Chinese message for staff and an exit code."""

from __future__ import annotations

from xinao_xl.policy.errors import (
    CalendarUnknownError,
    PolicyInputError,
    RulesError,
    XinaoError,
    staff_text,
)


def test_message_exit_code_and_label() -> None:
    e = XinaoError("找不到文件")
    assert (str(e), e.message, e.exit_code, e.label) == ("找不到文件", "找不到文件", 2, "错误")
    assert XinaoError("校验发现错误", exit_code=1).exit_code == 1
    bad = PolicyInputError("无效级别", "六级", "应为1-5级")
    assert isinstance(bad, ValueError) and bad.message == "无效级别: “六级”（应为1-5级）" and bad.label == "输入错误"
    assert isinstance(CalendarUnknownError(2031), PolicyInputError) and isinstance(RulesError("x"), RuntimeError)


def test_staff_see_a_foreign_error_s_type_only() -> None:
    assert staff_text(XinaoError("历史库已关闭")) == "历史库已关闭"
    assert staff_text(KeyError("13812345678")) == "KeyError"  # its text may hold a customer's phone
    assert staff_text(OSError(28, "No space left on device", "/d/张三.xlsx")) == "OSError"
