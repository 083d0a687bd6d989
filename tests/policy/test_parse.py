"""Parsing what staff type (issue 2 item 3): every accepted form, and the Chinese errors."""

import math
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.parse import (
    datetime_to_excel_serial,
    excel_serial_to_datetime,
    is_blank,
    parse_bool,
    parse_channel,
    parse_count,
    parse_date,
    parse_datetime,
    parse_department,
    parse_level,
    parse_number,
    parse_rate,
)

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def assert_chinese_error(exc: PolicyInputError, typed) -> None:
    """The message is Chinese and quotes what was typed."""
    message = str(exc)
    assert CHINESE.search(message), message
    assert f"“{str(typed)[:20]}" in message, message
    assert exc.cell_text.startswith("#")


# --- complaint levels (考核 7.1.1) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "level"),
    [
        (4, 4),
        (4.0, 4),
        ("4", 4),
        ("四级", 4),
        ("400四级", 4),
        ("４级", 4),  # full-width digit
        (" 4 级 ", 4),  # spaces anywhere
        ("4级投诉", 4),
        ("一级", 1),
        ("二级", 2),
        ("两级", 2),
        ("三级", 3),
        ("400五级", 5),
        ("5", 5),
        ("1", 1),
    ],
)
def test_7_1_1_level_forms(typed, level):
    assert parse_level(typed) == level


@pytest.mark.parametrize("typed", ["六级", 6, 0, 4.5, "400", "高", "四五级", "级", True, -1, "4级4"])
def test_7_1_1_bad_level_raises_chinese_error_quoting_value(typed):
    with pytest.raises(PolicyInputError) as info:
        parse_level(typed)
    assert_chinese_error(info.value, typed)
    assert info.value.code == "无效级别"


def test_7_1_1_bad_level_cell_text_is_short():
    with pytest.raises(PolicyInputError) as info:
        parse_level("六级")
    assert info.value.cell_text == "#无效级别: 六级"  # DESIGN: `#无效级别: 六级`


@pytest.mark.parametrize("typed", [None, "", "   ", float("nan")])
def test_7_1_1_blank_level_is_missing(typed):
    with pytest.raises(PolicyInputError) as info:
        parse_level(typed)
    assert info.value.code == "缺少级别"


# --- channels (考核 7.1.1; 投诉 第六条(一)1) --------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (95158, "95158"),
        ("95158", "95158"),
        (95158.0, "95158"),
        ("95158热线", "95158"),
        ("市长热线", "市长热线"),
        ("12345", "市长热线"),
        (12345, "市长热线"),
        ("12345政务服务热线", "市长热线"),
        ("政务热线", "市长热线"),
        ("400", "400"),
        (400, "400"),
        ("400热线", "400"),
        ("４００", "400"),
        ("服务热线", "其他"),
        ("投诉专线", "其他"),
        ("线上", "其他"),
        ("微信公众号", "其他"),
    ],
)
def test_7_1_1_channel_forms(typed, code):
    assert parse_channel(typed) == code


@pytest.mark.parametrize("typed", [None, "", "  "])
def test_7_1_1_blank_channel_is_none(typed):
    assert parse_channel(typed) is None


# --- rates (考核 7.1.3, 7.1.4, §6) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "rate"),
    [
        (0.965, 0.965),  # a fraction
        (96.5, 0.965),  # a percentage number: 96.5 / 100
        ("96.5%", 0.965),
        ("９６.５％", 0.965),  # full-width digits and percent sign
        ("96.5", 0.965),
        (" 96.5 % ", 0.965),
        (Decimal("0.965"), 0.965),
        (1, 1.0),  # 1 is 100%
        (100, 1.0),
        ("100%", 1.0),
        (0, 0.0),
        ("0.5%", 0.005),  # with a percent sign a small number is still a percentage
        (0.46, 0.46),
    ],
)
def test_rate_forms(typed, rate):
    assert parse_rate(typed) == pytest.approx(rate, abs=1e-12)


@pytest.mark.parametrize("typed", ["abc", "96.5‰", -1, 100.5, "101%", "--5", float("inf"), "nan", True])
def test_bad_rate_raises_chinese_error_quoting_value(typed):
    with pytest.raises(PolicyInputError) as info:
        parse_rate(typed)
    assert_chinese_error(info.value, typed)


def test_blank_rate_is_missing():
    with pytest.raises(PolicyInputError) as info:
        parse_rate("")
    assert info.value.code == "缺少比率"


# --- numbers and counts ------------------------------------------------------------------


def test_number_forms():
    assert parse_number(93.5) == 93.5
    assert parse_number("93.5") == 93.5
    assert parse_number("９３.５分") == 93.5
    assert parse_number("3天") == 3
    assert parse_number(Decimal("2.5")) == 2.5


@pytest.mark.parametrize("typed", ["九十三", "abc", True, None, "", float("inf")])
def test_bad_number_raises(typed):
    with pytest.raises(PolicyInputError):
        parse_number(typed)


def test_number_range_message_names_bounds():
    with pytest.raises(PolicyInputError) as info:
        parse_number(120, "无效分数", minimum=0, maximum=100)
    assert "0 到 100" in str(info.value) and "“120”" in str(info.value)


def test_count_forms():
    assert parse_count(None) == 0  # a blank count counts nothing
    assert parse_count("") == 0
    assert parse_count(2) == 2
    assert parse_count("2") == 2
    assert parse_count(2.0) == 2
    for bad in (1.5, -1, "两次"):
        with pytest.raises(PolicyInputError):
            parse_count(bad)


# --- dates and times ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "moment"),
    [
        (46329, datetime(2026, 11, 3)),  # Excel serial of 2026-11-03
        (46329.0, datetime(2026, 11, 3)),
        (46329 + (15 * 60 + 20) / 1440, datetime(2026, 11, 3, 15, 20)),  # float noise rounds to the second
        (datetime(2026, 11, 3, 15, 20), datetime(2026, 11, 3, 15, 20)),
        (date(2026, 11, 3), datetime(2026, 11, 3)),
        ("2026-11-03", datetime(2026, 11, 3)),
        ("2026/11/3", datetime(2026, 11, 3)),
        ("2026.11.3", datetime(2026, 11, 3)),
        ("2026年11月3日", datetime(2026, 11, 3)),
        ("２０２６年１１月３日", datetime(2026, 11, 3)),
        ("2026-11-03 15:20", datetime(2026, 11, 3, 15, 20)),
        ("2026-11-03T15:20:30", datetime(2026, 11, 3, 15, 20, 30)),
        ("2026/11/3 15:20:30", datetime(2026, 11, 3, 15, 20, 30)),
        ("2026年11月3日 15:20", datetime(2026, 11, 3, 15, 20)),
        ("2026年11月3日15时20分", datetime(2026, 11, 3, 15, 20)),
        ("2026年11月3日 15点20", datetime(2026, 11, 3, 15, 20)),
        (" 2026 - 11 - 03 ", datetime(2026, 11, 3)),
    ],
)
def test_datetime_forms(typed, moment):
    assert parse_datetime(typed) == moment


def test_date_drops_the_time():
    assert parse_date("2026-11-03 15:20") == date(2026, 11, 3)
    assert parse_date(46329.64) == date(2026, 11, 3)


def test_excel_serial_round_trip_and_1900_bug():
    # 1900-03-01 is serial 61 (Excel counts a fake 1900-02-29 as 60); 1900-01-01 is 1.
    assert excel_serial_to_datetime(61) == datetime(1900, 3, 1)
    assert excel_serial_to_datetime(1) == datetime(1900, 1, 1)
    assert datetime_to_excel_serial(date(2026, 11, 3)) == 46329
    assert datetime_to_excel_serial(datetime(2026, 11, 3, 12)) == 46329.5


@pytest.mark.parametrize(
    "typed", ["2026-13-01", "2026-02-30", "2026-11-03 25:00", "明天", "11月3日", "20261103x", 0, -5, 3_000_000, True]
)
def test_bad_date_raises_chinese_error_quoting_value(typed):
    with pytest.raises(PolicyInputError) as info:
        parse_datetime(typed)
    assert_chinese_error(info.value, typed)


def test_blank_date_is_missing():
    with pytest.raises(PolicyInputError) as info:
        parse_datetime(None)
    assert info.value.code == "缺少日期"


# --- yes / no ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("是", True),
        ("否", False),
        ("有责", True),
        ("无责", False),
        ("TRUE", True),
        ("FALSE", False),
        ("true", True),
        ("false", False),
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        (" 是 ", True),
        ("Ｙ", True),
    ],
)
def test_yes_no_forms(typed, value):
    assert parse_bool(typed) is value


@pytest.mark.parametrize("typed", ["也许", 2, "maybe", "无责任?", -1])
def test_bad_yes_no_raises_chinese_error_quoting_value(typed):
    with pytest.raises(PolicyInputError) as info:
        parse_bool(typed)
    assert_chinese_error(info.value, typed)


def test_blank_yes_no_is_missing():
    with pytest.raises(PolicyInputError) as info:
        parse_bool("")
    assert info.value.code == "缺少是否"


# --- departments ---------------------------------------------------------------------------


def test_department_forms_and_alias():
    assert parse_department("客服部") == "客服部"
    assert parse_department(" 客服部 ") == "客服部"
    assert parse_department("技术质量安全部") == "安保部"  # 考核 8 name → 考核 6 name [默认]
    with pytest.raises(PolicyInputError) as info:
        parse_department("财务部")
    assert_chinese_error(info.value, "财务部")


def test_is_blank():
    assert is_blank(None) and is_blank("") and is_blank(" \t") and is_blank(float("nan"))
    assert not is_blank(0) and not is_blank("0") and not is_blank(False)


def test_long_bad_value_is_shortened_in_message():
    typed = "这是一个非常非常长的级别说明文字，超过了二十个字符的限制"
    with pytest.raises(PolicyInputError) as info:
        parse_level(typed)
    assert "…" in str(info.value) and len(info.value.cell_text) < 25


# --- properties: nothing but PolicyInputError, ever ----------------------------------------

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.text(),
    st.text(alphabet="0123456789.%-/年月日:级四五一二三 ％４Ｅe+"),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.datetimes(),
    st.dates(),
)

PARSERS = [parse_level, parse_rate, parse_number, parse_count, parse_datetime, parse_date, parse_bool, parse_channel, parse_department]


@settings(max_examples=300, deadline=None)
@given(value=anything, which=st.sampled_from(PARSERS))
def test_parsers_raise_only_policy_input_error(value, which):
    try:
        which(value)
    except PolicyInputError as exc:
        assert CHINESE.search(str(exc))


@given(st.floats(min_value=0, max_value=1, allow_nan=False))
def test_fraction_rates_read_back_as_themselves(rate):
    assert math.isclose(parse_rate(rate), rate)


@given(st.integers(min_value=1, max_value=5))
def test_every_level_form_reads_the_same(level):
    cn = "一二三四五"[level - 1]
    full = chr(ord("０") + level)
    for typed in (level, str(level), f"{cn}级", f"400{cn}级", f"{full}级", f" {level} 级 "):
        assert parse_level(typed) == level


@pytest.mark.parametrize("typed", [10**400, -(10**400), Decimal("sNaN"), Decimal("NaN"), Decimal("-Infinity")])
@pytest.mark.parametrize("parser", PARSERS)
def test_numbers_beyond_float_are_input_errors(parser, typed):
    # Regression: float(10**400) raised OverflowError and float(Decimal("sNaN")) ValueError.
    try:
        parser(typed)
    except PolicyInputError:
        pass
