"""Reading what staff type into the values the rules need.

Staff write a complaint level as 4, "4", "四级", "400四级", "４级" or " 4 级 "; a rate as
0.965, 96.5 or "96.5%"; a date as an Excel serial, a datetime or "2026年11月3日". Every
function here accepts all of those and raises `PolicyInputError` (Chinese, quoting the
value) for anything else, so no caller ever sees a bare ValueError or TypeError.

    >>> parse_level("400四级"), parse_rate("９６.５％"), parse_date("2026/11/3")
    (4, 0.965, datetime.date(2026, 11, 3))
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from . import clock
from .errors import PolicyInputError
from .privacy import PHONE_PATTERN
from .rules import Rules, load_rules

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "两": 2}
_EXCEL_EPOCH = datetime(1899, 12, 30)  # serial 1 = 1900-01-01 once Excel's fake 1900-02-29 is skipped
_MAX_SERIAL = 2958465  # 9999-12-31


def is_blank(value: Any) -> bool:
    """Empty cell: None, "", whitespace, or a float NaN (pandas' empty)."""
    if value is None:
        return True
    if value.__class__ is str:  # the usual cell, tested first: validation asks for every cell of a column
        return not value or value.isspace()
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def normalize_text(value: Any) -> str:
    """Full-width to half-width (NFKC), no spaces at all: how we compare typed words."""
    text = str(value)
    if text.isascii() and text.isprintable() and " " not in text:
        return text  # ASCII is its own NFKC form, and printable ASCII's only space is " "
    return _normalized(text)


@lru_cache(maxsize=4096)
def _normalized(text: str) -> str:
    """Cached: validation and the close compare the same few words (回访结果, 是/否, a
    department) across every row of a ledger, hundreds of thousands of times."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


_SPACES = re.compile(r"\s+")


def _finite_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        try:
            number = float(value)
        except (OverflowError, ValueError):  # an int beyond float range, a signalling NaN
            return None
        return number if math.isfinite(number) else None
    return None


def parse_number(value: Any, code: str = "无效数字", *, minimum: float | None = None, maximum: float | None = None) -> float:
    """A number typed as a number or as text ("93.5", "９３.５分")."""
    number = _finite_number(value)
    if number is None:
        if is_blank(value) or isinstance(value, bool):
            raise PolicyInputError(code, "" if value is None else value, "请填写数字")
        text = normalize_text(value).rstrip("分天日")
        try:
            number = float(Decimal(text))
        except (InvalidOperation, ValueError):
            raise PolicyInputError(code, value, "请填写数字") from None
        if not math.isfinite(number):
            raise PolicyInputError(code, value, "请填写数字")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise PolicyInputError(code, value, f"应在 {minimum:g} 到 {maximum:g} 之间" if minimum is not None and maximum is not None else "超出范围")
    return number


def parse_count(value: Any, code: str = "无效次数") -> int:
    """A non-negative whole count; blank is 0 (a row nobody filled counts nothing)."""
    if is_blank(value):
        return 0
    number = parse_number(value, code, minimum=0)
    if number != int(number):
        raise PolicyInputError(code, value, "应为整数")
    return int(number)


# How staff write a level (考核 7.1.1): the digit, full-width or not, or the Chinese numeral
# (两 for 2), with 级 or 级投诉 after it, and 400 before it when followed by 级 ("400四级").
# Spaces (half- and full-width) anywhere are ignored. The spellings are a finite table
# (`level_spellings`) that the workbooks carry on their 规则 sheet: the native formulas look
# a level up there and this function looks it up here, so both accept exactly the same.
_LEVEL_NUMERALS = {1: ("一",), 2: ("二", "两"), 3: ("三",), 4: ("四",), 5: ("五",)}
_LEVEL_PREFIXES = ("400", "４００")
_LEVEL_SUFFIXES = ("", "级", "级投诉")
LEVEL_SPACES = (" ", "\u3000")
"""The characters a level's spelling drops before the look-up (formulas.level_number too)."""


@lru_cache(maxsize=8)
def _spellings(levels: tuple[int, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for level in levels:
        cores = (str(level), chr(ord("０") + level), *_LEVEL_NUMERALS.get(level, ()))
        for core in cores:
            for suffix in _LEVEL_SUFFIXES:
                out[core + suffix] = level
                if suffix:
                    for prefix in _LEVEL_PREFIXES:
                        out[prefix + core + suffix] = level
    return out


def level_spellings(rules: Rules | None = None) -> dict[str, int]:
    """Every accepted spelling of a complaint level → the level (1-5), in a fixed order."""
    rules = rules or load_rules()
    return dict(_spellings(tuple(sorted(rules.level_params))))


def parse_level(value: Any, rules: Rules | None = None) -> int:
    """Complaint level 1-5 from a number or one of `level_spellings` (spaces ignored)."""
    if is_blank(value):
        raise PolicyInputError("缺少级别", "", "请填写1-5级")
    rules = rules or load_rules()
    levels = tuple(sorted(rules.level_params))
    number = _finite_number(value)
    if number is not None:
        if number == int(number) and int(number) in levels:
            return int(number)
        raise PolicyInputError("无效级别", value, "应为1-5级")
    if isinstance(value, bool):
        raise PolicyInputError("无效级别", value, "应为1-5级，如“4级”或“四级”")
    text = str(value)
    for space in LEVEL_SPACES:
        text = text.replace(space, "")
    level = _spellings(levels).get(text)
    if level is None:
        raise PolicyInputError("无效级别", value, "应为1-5级，如“4级”或“四级”")
    return level


def parse_channel(value: Any, rules: Rules | None = None) -> str | None:
    """Channel code (95158, 市长热线, 400, 其他) or None for a blank cell.

    Any other channel the policy lists (服务热线, 投诉专线, 线上…) is 其他: it deducts by
    level only.
    """
    if is_blank(value):
        return None
    rules = rules or load_rules()
    number = _finite_number(value)
    text = normalize_text(int(number) if number is not None and number == int(number) else value)
    for channel in rules.channels:
        if text == channel.code or text in (normalize_text(a) for a in channel.aliases):
            return channel.code
    # Loose forms seen in exports: "12345政务服务热线", "95158客服", "400-xxx".
    if "12345" in text or "市长" in text:
        return "市长热线"
    if "95158" in text:
        return "95158"
    if text.startswith("400"):
        return "400"
    return "其他"


def parse_rate(value: Any) -> float:
    """A rate as a fraction: 0.965, 96.5 and "96.5%" are all 0.965.

    A plain number up to 1 is a fraction, above 1 a percentage (nobody types a rate
    below 1%); a rate outside 0-100% is an error.
    """
    if is_blank(value):
        raise PolicyInputError("缺少比率", "", "请填写百分比，如96.5%")
    number = _finite_number(value)
    percent = False
    if number is None:
        text = normalize_text(value)
        percent = text.endswith("%")
        try:
            number = float(Decimal(text.rstrip("%")))
        except (InvalidOperation, ValueError):
            raise PolicyInputError("无效比率", value, "请填写百分比，如96.5%") from None
        if not math.isfinite(number):
            raise PolicyInputError("无效比率", value, "请填写百分比，如96.5%")
    if number < 0 or number > 100:
        raise PolicyInputError("无效比率", value, "应在0%到100%之间")
    if percent or number > 1:
        return float(Decimal(repr(number)) / 100)
    return number


def excel_serial_to_datetime(serial: float) -> datetime:
    """Excel 1900 date system; serials below 61 sit before Excel's fake 1900-02-29."""
    if not 1 <= serial <= _MAX_SERIAL:
        raise PolicyInputError("无效日期", serial, "不是Excel日期序号")
    days = serial if serial >= 61 else serial + 1
    moment = _EXCEL_EPOCH + timedelta(days=days)
    # Serials carry float noise: 45964.6388888 is 15:20:00, not 15:19:59.99
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


def datetime_to_excel_serial(moment: datetime | date) -> float:
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time())
    delta = moment - _EXCEL_EPOCH
    return delta.days + delta.seconds / 86400


_DATE_RE = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[T ]?(\d{1,2})[:时点](\d{1,2})(?:[:分](\d{1,2}(?:\.\d+)?)秒?)?分?)?"
)


# A period ends at 24:00 of its last day (民法典 203); that instant is written 23:59:59 of the
# day (deadlines.END_OF_DAY), so "2026-11-05 24:00" typed or pasted as text is that deadline.
END_OF_DAY = time(23, 59, 59)


def parse_datetime(value: Any) -> datetime:
    """A moment from an Excel serial, a datetime/date, or text in the usual Chinese forms.

    ``24:00`` is the end of that day (the deadlines' 23:59:59), not the next day's 00:00:
    "2026-11-05 24:00" and DUE_DATE's 2026-11-05 23:59:59 are one deadline. An aware
    datetime is read as Beijing wall time (`clock.local`)."""
    if is_blank(value):
        raise PolicyInputError("缺少日期", "", "请填写日期，如2026-11-03")
    if isinstance(value, datetime):
        return clock.local(value)
    if isinstance(value, date):
        return datetime.combine(value, time())
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return clock.local(value.to_pydatetime())
    number = _finite_number(value)
    if number is not None:
        return excel_serial_to_datetime(number)
    if isinstance(value, bool):
        raise PolicyInputError("无效日期", value, "请填写日期，如2026-11-03")
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value)).strip())
    text = re.sub(r"\s*([-/.年月日:时点分])\s*", r"\1", text)
    match = _DATE_RE.fullmatch(text)
    if not match:
        raise PolicyInputError("无效日期", value, "请填写日期，如2026-11-03或2026-11-03 15:20")
    y, mo, d, h, mi, s = match.groups()
    seconds = float(s) if s else 0.0
    try:
        if h is not None and int(h) == 24 and int(mi) == 0 and seconds == 0:
            return datetime.combine(date(int(y), int(mo), int(d)), END_OF_DAY)
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(seconds))
    except ValueError:
        raise PolicyInputError("无效日期", value, "日期不存在") from None


def parse_date(value: Any) -> date:
    return parse_datetime(value).date()


_TRUE = {"是", "有责", "TRUE", "T", "Y", "YES", "1", "对", "√", "有", "需要", "已流转"}
_FALSE = {"否", "无责", "FALSE", "F", "N", "NO", "0", "不是", "×", "无", "不需要", "未流转"}


def parse_bool(value: Any) -> bool:
    """是/否, 有责/无责, TRUE/FALSE (text or Excel boolean), 1/0."""
    if isinstance(value, bool):
        return value
    if is_blank(value):
        raise PolicyInputError("缺少是否", "", "请填写“是”或“否”")
    number = _finite_number(value)
    if number is not None and number in (0, 1):
        return bool(number)
    text = normalize_text(value).upper()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise PolicyInputError("无效是否", value, "请填写“是/否”或“有责/无责”")


# 有责/无责 of a complaint (投诉 附件2): the dropdown gives 有责/无责; the other words staff
# paste for yes and no read as parse_bool reads them. Spaces dropped, letters compared in
# upper case; the 规则 sheet carries the 无责 words (L_NOT_RESPONSIBLE_WORDS) for the formulas.
NOT_RESPONSIBLE_WORDS = ("无责", "否", "FALSE", "F", "N", "NO", "0", "不是", "×", "无", "不需要")
RESPONSIBLE_WORDS = ("有责", "是", "TRUE", "T", "Y", "YES", "1", "对", "√", "有", "需要")


def parse_responsible(value: Any) -> bool:
    """A complaint's 有责 (True) or 无责 (False); blank is 有责 (the form's default).

    Exactly what the native formulas read: a word of `NOT_RESPONSIBLE_WORDS` is 无责, a
    word of `RESPONSIBLE_WORDS` 有责, anything else an error here (validation stops the
    close on it) and 有责 in a formula."""
    if is_blank(value):
        return True
    if isinstance(value, bool):
        return value
    number = _finite_number(value)
    text = (str(int(number)) if number is not None and number == int(number) else str(value)).upper()
    for space in LEVEL_SPACES:
        text = text.replace(space, "")
    if text in NOT_RESPONSIBLE_WORDS:
        return False
    if text in RESPONSIBLE_WORDS:
        return True
    raise PolicyInputError("无效是否", value, "请填写“有责”或“无责”")


def parse_department(value: Any, rules: Rules | None = None) -> str:
    """The department's name as the rules data spells it (aliases accepted)."""
    rules = rules or load_rules()
    if is_blank(value):
        raise PolicyInputError("缺少部门", "", "请从下拉列表选择部门")
    text = normalize_text(value)
    try:
        return rules.department(text).name
    except KeyError:
        raise PolicyInputError("无效部门", value, "可选：" + "、".join(rules.department_names)) from None


# A phone as staff type it: a mobile (11 digits from 13-19), a landline with its area code
# (0635-8211234; privacy.PHONE_PATTERN), or a local number of 7-8 digits without it; an
# extension may follow a landline (0635-8211234-801, 转801). Two numbers in one cell are
# split by / 、 , ; or a wide space.
_PHONE_PARTS = re.compile(r"[/,;、]|\s{2,}")
_PHONE_NOISE = re.compile(r"[\s\-()（）]")
_LOCAL_PHONE = re.compile(r"[2-9]\d{6,7}")
_EXTENSION = re.compile(r"(?:-|转|分机)\d{1,5}$")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")  # matched by PHONE_PATTERN as it stands


def phone_problem(value: Any) -> str | None:
    """What is wrong with a typed phone, in words for a message ("是10位数字", "含有字母"),
    or None for one that can be dialled. The value itself is not repeated: it may be a
    customer's number with one digit missing."""
    if value.__class__ is str and _MOBILE.fullmatch(value):
        return None  # the usual phone, a mobile as 11 plain digits: one C-level test (a 台账 has 100,000)
    if is_blank(value):
        return None
    number = _finite_number(value)
    text = unicodedata.normalize("NFKC", str(int(number)) if number is not None and number == int(number) else str(value)).strip()
    for part in filter(None, (p.strip() for p in _PHONE_PARTS.split(text))):
        part = _EXTENSION.sub("", part) if part.startswith("0") else part
        bare = _PHONE_NOISE.sub("", part)
        if PHONE_PATTERN.fullmatch(part) or PHONE_PATTERN.fullmatch(bare) or _LOCAL_PHONE.fullmatch(bare):
            continue
        if re.search(r"[A-Za-z]", bare):
            return "含有字母"
        if not bare.lstrip("+").isdigit():
            return "含有数字以外的文字"
        return f"是{len(bare.lstrip('+'))}位数字"
    return None
