"""客户投诉管理办法: 附件1 重大投诉, 附件2 无责, 附件3 不予受理 and the 3-month repeat."""

from datetime import date, datetime

import pytest

from tests.policy.policy_text import squeeze
from xinao_xl.policy.complaints import (
    ClosedComplaint,
    add_months,
    find_repeat,
    is_repeat,
    is_responsible,
    major_item,
    no_fault_reason,
)
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.rules import load_rules, parse_rules

RULES = load_rules()


# --- 附件3 第7项: closed, nothing new, again within 3 months --------------------------------------


def test_complaint_annex3_7_add_months_clamps_to_month_end():
    assert add_months(date(2026, 10, 20), 3) == date(2027, 1, 20)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)  # no 02-30: the month's end
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)  # leap year
    assert add_months(date(2026, 12, 31), 3) == date(2027, 3, 31)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 5, 15), -3) == date(2026, 2, 15)


def test_complaint_annex3_7_repeat_within_3_months_boundary():
    closed = datetime(2026, 10, 20, 16, 0)
    assert is_repeat("2027-01-20 09:00", closed)  # 10-20 + 3 months = 01-20: still within
    assert not is_repeat("2027-01-21", closed)  # one day later: a new complaint
    assert is_repeat("2026-10-20 17:00", closed)  # the same day
    assert not is_repeat("2026-10-19", closed)  # before it was closed


def test_complaint_annex3_7_repeat_month_end_clamp():
    closed = "2026-11-30"
    assert is_repeat("2027-02-28", closed)  # 11-30 + 3 months clamps to 02-28
    assert not is_repeat("2027-03-01", closed)


def test_complaint_annex3_7_repeat_months_is_data(raw_rules):
    raw_rules["params"]["repeat_complaint_months"]["value"] = 1
    rules = parse_rules(raw_rules)
    assert is_repeat("2026-11-20", "2026-10-20", rules)
    assert not is_repeat("2026-11-21", "2026-10-20", rules)


def test_complaint_annex3_7_find_repeat_latest_of_same_customer():
    closed = [
        ClosedComplaint("TS-1", "T13811112222", datetime(2026, 8, 1)),  # too old for 11-05 (08-01 + 3 = 11-01)
        ClosedComplaint("TS-2", "T13811112222", datetime(2026, 9, 10)),
        ClosedComplaint("TS-3", "T13811112222", datetime(2026, 10, 2)),
        ClosedComplaint("TS-4", "T13899998888", datetime(2026, 10, 30)),  # another customer
    ]
    hit = find_repeat("2026-11-05", "T13811112222", closed)
    assert hit is not None and hit.number == "TS-3"  # the latest of TS-2, TS-3
    assert find_repeat("2027-01-03", "T13811112222", closed) is None  # 10-02 + 3 months = 01-02
    assert find_repeat("2026-11-05", "T10000000000", closed) is None
    assert find_repeat("2026-11-05", "", closed) is None  # an unknown customer is never a repeat


# --- 附件2: 无责 reasons; anything else is 有责 ----------------------------------------------------


def test_complaint_annex2_seven_no_fault_reasons():
    reasons = RULES.no_fault_reasons
    assert len(reasons) == 7
    assert reasons[0].startswith("因自然灾害") and reasons[6].startswith("客户投诉信息失真")


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("3", 3),
        (3, 3),
        ("附件2-3", 3),
        ("3.投诉问题发生经调查核实属于客户方过错或责任", 3),
        ("3、客户方过错", 3),
        ("因客户误解导致投诉发生", 2),
        ("客户非正常业务需求未得到满足", 5),
        (RULES.no_fault_reasons[6], 7),
    ],
)
def test_complaint_annex2_no_fault_reason_forms(typed, number):
    assert no_fault_reason(typed) == number
    assert not is_responsible(typed)


def test_complaint_annex2_blank_reason_is_responsible():
    assert no_fault_reason(None) is None and no_fault_reason("") is None
    assert is_responsible("")  # 其它则为有责投诉


@pytest.mark.parametrize("typed", ["8", "天气不好", "0"])
def test_complaint_annex2_unknown_reason_is_an_error(typed):
    with pytest.raises(PolicyInputError) as info:
        no_fault_reason(typed)
    assert f"“{typed}”" in str(info.value) and info.value.code == "无效无责原因"


# --- 附件1: 重大投诉, 4 classes, 14 items ----------------------------------------------------------


def test_complaint_annex1_four_classes_fourteen_items():
    items = RULES.major_items
    classes = list(dict.fromkeys(i.class_name for i in items))
    assert classes == ["服务态度问题", "安全问题", "合规问题", "升级投诉"]
    per_class = [sum(i.class_name == c for i in items) for c in classes]
    assert per_class == [3, 4, 4, 3] and sum(per_class) == 14
    assert [i.code for i in items] == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3"]


def test_complaint_annex1_major_item_by_code_and_label():
    item = major_item("2.3")
    assert item.class_name == "安全问题" and "一万元" in item.text
    assert major_item(item.label) == item
    assert major_item("4.2 升级投诉") == major_item("4.2")
    assert major_item(None) is None and major_item(" ") is None
    assert major_item("1.3").label == "1.3 服务态度问题：服务超出与客户约定时间且客户跟催3次及以上仍未交付的"


@pytest.mark.parametrize("typed", ["5.1", "2.5", "态度很差"])
def test_complaint_annex1_unknown_item_is_an_error(typed):
    with pytest.raises(PolicyInputError):
        major_item(typed)


# --- 附件3: not to be accepted, 7 cases, case 3 with 8 sub-cases -------------------------------------


def test_complaint_annex3_seven_cases_case3_eight_subcases():
    cases = RULES.not_accepted
    assert [c.case for c in cases] == [1, 2, 3, 4, 5, 6, 7]
    assert len(cases[2].sub_cases) == 8
    assert all(not c.sub_cases for c in cases if c.case != 3)
    assert cases[2].sub_cases[0] == "开放式厨房或其他安全隐患导致无法正常通气"
    assert cases[2].sub_cases[7] == "因客户个性化需求从而要求减免费用的"
    assert "3个月内" in cases[6].text  # the text says "3个内": the month is evident


# --- 第六条(二)4 and 7.1.1 channels ---------------------------------------------------------------


def test_complaint_channels_as_data():
    codes = [c.code for c in RULES.channels]
    assert codes == ["95158", "市长热线", "400", "其他"]
    assert [c.points_param for c in RULES.channels] == ["complaint_points_hotline", "complaint_points_hotline", None, None]


def test_complaint_annexes_as_in_the_policy_text(policy_text):
    for item in RULES.major_items:
        assert squeeze(item.text) in policy_text, item.code
    for reason in RULES.no_fault_reasons:
        # the text writes "…发生;(以最终用户回访结果为准)": compare the part before the note
        assert squeeze(reason).split("(")[0] in policy_text, reason
    # Deliberate departures from the text, each one a visible decision:
    #  附件3 3(4) text "换表气更是结转" (a typo) → data "换表气量结转";
    #  附件3 4 the note shortened; 附件3 7 text "3个内" → data "3个月内".
    departures = {"客户对换表气量结转政策不满或怀疑表快", RULES.not_accepted[3].text, RULES.not_accepted[6].text}
    for case in RULES.not_accepted:
        for text in (case.text, *case.sub_cases):
            if text not in departures:
                assert squeeze(text) in policy_text, text
    assert "客户对换表气更是结转政策不满或怀疑表快" in policy_text
    assert "已办结,没有新问题发生,3个内再次投诉的" in policy_text


def test_attachment_2_reason_column_holding_youze_means_responsible():
    # 附件2: only the seven reasons make a complaint 无责; "有责" typed there names none of them
    from xinao_xl.policy.complaints import is_responsible, no_fault_reason

    assert no_fault_reason("有责") is None
    assert is_responsible("有责") is True
