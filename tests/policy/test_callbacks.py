"""客户回访管理办法: quotas, sampling, the 7-day rule, timing, satisfaction (回访 三-六)."""

import re
from datetime import date, datetime, timedelta

import pytest

from tests.policy.policy_text import squeeze
from xinao_xl.policy.callbacks import (
    CompletedOrder,
    PastCallback,
    callback_late,
    customer_key,
    daily_quotas,
    repeat_within,
    sample_orders,
    satisfaction_rate,
)
from xinao_xl.policy.errors import PolicyInputError
from xinao_xl.policy.rules import load_rules, parse_rules

RULES = load_rules()
DAY = date(2026, 11, 10)  # the day the agent samples and calls
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def order(no, business="维修", completed=date(2026, 11, 9), phone="", customer="", address=""):
    if not phone and not customer:
        phone = f"1380000{int(no):04d}"
    moment = datetime.combine(completed, datetime.min.time()).replace(hour=10)
    return CompletedOrder(str(no), business, moment, customer, phone, address)


# --- 四.1 / 四.2(1) business types and quotas --------------------------------------------------


def test_callback_4_2_quota_table():
    # 维修15 置换10 安检30 售气10 车用燃气用户10 零散全部 单项工程全部, in this order
    table = [(b.name, b.quota) for b in RULES.business_types]
    assert table == [("维修", 15), ("置换", 10), ("安检", 30), ("售气", 10), ("车用燃气", 10), ("零散", None), ("单项工程", None)]
    assert RULES.business_type("车用燃气用户").name == "车用燃气"  # the policy's own word


def test_callback_4_2_full_days_take_the_quota():
    q = daily_quotas({"维修": 40, "置换": 40, "安检": 40, "售气": 40, "车用燃气": 40, "零散": 3, "单项工程": 1})
    assert q == {"维修": 15, "置换": 10, "安检": 30, "售气": 10, "车用燃气": 10, "零散": 3, "单项工程": 1}


def test_callback_4_2_scattered_and_single_projects_all():
    # 零散、单项工程 实施100%回访: every completed order, however many
    q = daily_quotas({"零散": 57, "单项工程": 23})
    assert q["零散"] == 57 and q["单项工程"] == 23


def test_callback_4_2_2_shortfall_passed_on_docstring_example():
    # 置换 has 4 of 10: short 6. In table order: 维修 has 20 − 15 = 5 spare → 20 (short 1 left);
    # 置换 none spare; 安检 50 − 30 = 20 spare → takes the last 1 → 31.
    q = daily_quotas({"维修": 20, "置换": 4, "安检": 50, "售气": 10, "车用燃气": 10})
    assert (q["维修"], q["置换"], q["安检"], q["售气"], q["车用燃气"]) == (20, 4, 31, 10, 10)
    assert sum(q.values()) == 15 + 10 + 30 + 10 + 10 == 75  # the day's total is kept


def test_callback_4_2_2_shortfall_worked_by_hand():
    completed = {"维修": 8, "置换": 25, "安检": 20, "售气": 0, "车用燃气": 12, "零散": 5, "单项工程": 2}
    # quotas first: 维修 min(15, 8) = 8 (short 7), 置换 10 (15 spare), 安检 min(30, 20) = 20 (short 10),
    # 售气 0 (short 10), 车用燃气 10 (2 spare). Shortfall 7 + 10 + 10 = 27.
    # Passed on in table order: 置换 takes min(15, 27) = 15 → 25 (12 left); 车用燃气 takes 2 → 12
    # (10 left, nobody has more: the day ends 10 short). 零散 5 and 单项工程 2 in full.
    q = daily_quotas(completed)
    assert q == {"维修": 8, "置换": 10 + 15, "安检": 20, "售气": 0, "车用燃气": 10 + 2, "零散": 5, "单项工程": 2}
    assert sum(q.values()) == 72  # 8 + 25 + 20 + 0 + 12 + 5 + 2


def test_callback_4_2_2_shortfall_not_passed_when_switched_off(raw_rules):
    raw_rules["params"]["pass_on_shortfall"]["value"] = False
    rules = parse_rules(raw_rules)
    q = daily_quotas({"维修": 20, "置换": 4, "安检": 50}, rules)
    assert (q["维修"], q["置换"], q["安检"]) == (15, 4, 30)


def test_callback_4_2_quota_inputs():
    assert daily_quotas({"车用燃气用户": "12"})["车用燃气"] == 12  # 10 + 2 spare taking shortfall of others
    with pytest.raises(PolicyInputError) as info:
        daily_quotas({"抄表": 5})
    assert "“抄表”" in str(info.value)
    with pytest.raises(PolicyInputError):
        daily_quotas({"维修": -1})


# --- 三.3 never the same customer within a week -------------------------------------------------


def test_callback_3_3_repeat_within_7_days_boundary():
    assert repeat_within("2026-11-01", "2026-11-08")  # 7 days: still the same week → repeat
    assert not repeat_within("2026-11-01", "2026-11-09")  # 8 days: may call again
    assert repeat_within("2026-11-01", "2026-11-01")  # same day


def test_callback_3_3_repeat_across_month_boundary():
    assert repeat_within("2026-10-28", "2026-11-04")  # 10-28 + 7 = 11-04
    assert not repeat_within("2026-10-28", "2026-11-05")


def test_callback_3_3_customer_key_phone_first():
    assert customer_key("138-1234-5678", "张三", "东昌路1号") == "T13812345678"
    assert customer_key(13812345678.0) == "T13812345678"  # a phone read from a number cell
    assert customer_key("１３８ １２３４ ５６７８") == "T13812345678"


def test_callback_3_3_customer_key_country_code_is_the_same_customer():
    # +86 / 0086 before an 11-digit mobile is dropped: one customer however the number is typed
    assert customer_key("+86 138 1234 5678") == customer_key("0086-13812345678") == "T13812345678"
    assert customer_key("8613812345678") == "T13812345678"  # 13 digits: 86 + a mobile (1…)
    assert customer_key("0635-8123456") == "T06358123456"  # a landline keeps its area code


def test_callback_3_3_customer_key_name_and_address_without_phone():
    assert customer_key(None, "张三", "东昌路 1号") == customer_key("", "张三", "东昌路1号")
    assert customer_key("123", "张三", "东昌路1号").startswith("N")  # too short to be a phone
    assert customer_key(None, None, None) == ""


def test_callback_3_3_sampling_skips_customer_called_7_days_ago():
    o = order(1, phone="13811112222")
    history = [PastCallback(date(2026, 11, 3), phone="138 1111 2222")]  # 11-10 − 11-03 = 7 days
    result = sample_orders([o], DAY, history, seed=1)
    assert result.taken == []
    assert result.skipped == [(o, "该客户11-03已回访，7日内不重复回访")]


def test_callback_3_3_sampling_takes_customer_called_8_days_ago():
    o = order(1, phone="13811112222")
    result = sample_orders([o], DAY, [PastCallback(date(2026, 11, 2), phone="13811112222")], seed=1)
    assert result.taken == [o]  # 11-10 − 11-02 = 8 days


def test_callback_3_3_sampling_history_across_month():
    day = date(2026, 12, 2)
    o = order(1, completed=date(2026, 12, 1), phone="13811112222")
    assert sample_orders([o], day, [PastCallback(date(2026, 11, 25), phone="13811112222")], seed=1).taken == []  # 7 days
    assert sample_orders([o], day, [PastCallback(date(2026, 11, 24), phone="13811112222")], seed=1).taken == [o]  # 8 days


def test_callback_3_3_latest_past_call_counts():
    o = order(1, phone="13811112222")
    history = [PastCallback(date(2026, 10, 1), phone="13811112222"), PastCallback(date(2026, 11, 5), phone="13811112222")]
    assert sample_orders([o], DAY, history, seed=1).taken == []


def test_callback_3_3_same_customer_not_twice_in_one_day():
    a = order(1, "维修", phone="13899990000")
    b = order(2, "置换", phone="13899990000")  # the same household, another business
    c = order(3, "维修", phone="13899990000")
    result = sample_orders([a, b, c], DAY, seed=7)
    assert len(result.taken) == 1
    reasons = [r for _, r in result.skipped]
    assert reasons == ["同一客户今日已抽取", "同一客户今日已抽取"]


def test_callback_3_3_same_customer_by_name_and_address():
    a = order(1, customer="李四", address="柳园路8号")
    b = order(2, "安检", customer="李四", address="柳园路 8号")
    assert len(sample_orders([a, b], DAY, seed=3).taken) == 1


# --- 五.1 only orders completed within 3 days -------------------------------------------------------


def test_callback_5_1_only_orders_completed_within_3_days():
    orders = [order(n, completed=DAY - timedelta(days=age)) for n, age in enumerate([0, 1, 2, 3, 4, 10])]
    result = sample_orders(orders, DAY, seed=1)
    # ages 0..3 are in (11-07 is 3 days before 11-10); 4 and 10 days are out
    assert sorted(o.order_no for o in result.taken) == ["0", "1", "2", "3"]
    assert sorted((o.order_no, r) for o, r in result.skipped) == [("4", "完工已超过3日"), ("5", "完工已超过3日")]


def test_callback_5_1_future_completion_is_skipped():
    o = order(1, completed=DAY + timedelta(days=1))
    assert sample_orders([o], DAY, seed=1).skipped == [(o, "完工时间晚于回访日")]


def test_callback_5_1_unknown_business_is_skipped():
    o = order(1, business="抄表")
    assert sample_orders([o], DAY, seed=1).skipped == [(o, "业务类型“抄表”不在回访范围")]


def test_callback_5_1_alias_business_is_taken_under_its_name():
    o = order(1, business="车用燃气用户")
    assert [t.business for t in sample_orders([o], DAY, seed=1).taken] == ["车用燃气"]


def test_callback_5_1_sampling_keeps_quotas_with_shortfall_passed_on():
    orders = [order(n, "维修") for n in range(50)] + [order(100 + n, "安检") for n in range(50)] + [order(200 + n, "零散") for n in range(4)]
    result = sample_orders(orders, DAY, seed=11)
    # 置换 10 + 售气 10 + 车用燃气 10 = 30 short: 维修 (35 spare) takes all 30 → 15 + 30 = 45
    assert result.taken_by_type() == {"维修": 45, "安检": 30, "零散": 4}
    assert result.quotas["维修"] == 45
    assert sum(r == "超出当日回访量" for _, r in result.skipped) == (50 - 45) + (50 - 30)


def test_callback_5_1_sampling_deterministic_for_a_seed():
    orders = [order(n, "维修") for n in range(60)] + [order(100 + n, "安检") for n in range(80)]
    first = [o.order_no for o in sample_orders(orders, DAY, seed=42).taken]
    again = [o.order_no for o in sample_orders(list(orders), DAY, seed=42).taken]
    shuffled = [o.order_no for o in sample_orders(list(reversed(orders)), DAY, seed=42).taken]
    assert first == again == shuffled  # the input order does not matter either
    other = [o.order_no for o in sample_orders(orders, DAY, seed=43).taken]
    assert sorted(other) != sorted(first)
    # the default seed is the day: re-running a day's sampling gives the same list
    assert [o.order_no for o in sample_orders(orders, DAY).taken] == [o.order_no for o in sample_orders(orders, DAY).taken]


def test_callback_5_1_every_skip_reason_is_chinese():
    orders = [order(n, "维修") for n in range(30)] + [order(99, "抄表"), order(98, completed=date(2026, 11, 1)), order(97, completed=date(2026, 11, 11))]
    orders += [order(96, phone="13800000001")]  # same phone as order 1
    history = [PastCallback(date(2026, 11, 8), phone="13800000002")]
    result = sample_orders(orders, DAY, history, seed=5)
    assert result.skipped
    for _, reason in result.skipped:
        assert CHINESE.search(reason), reason
    assert len(result.taken) + len(result.skipped) == len(orders)


# --- 五.2 callbacks within 3 days of completion --------------------------------------------------


def test_callback_5_2_callback_within_3_days():
    assert not callback_late("2026-11-03", "2026-11-06")  # 3 days: in time
    assert callback_late("2026-11-03", "2026-11-07")  # 4 days: late
    assert not callback_late("2026-11-03 18:00", "2026-11-03 18:30")


# --- 回访结果 and satisfaction (考核 7.1.3 input) -------------------------------------------------


def test_callback_satisfaction_rate_ignores_invalid_callbacks():
    # 满意 3, 不满意 1; 未接通 and 拒访 are not valid → 3 / (3 + 1) = 75%
    assert satisfaction_rate(["满意", "满意", " 满意 ", "不满意", "未接通", "拒访", None]) == 0.75


def test_callback_satisfaction_rate_none_without_valid_callbacks():
    assert satisfaction_rate(["未接通", "拒访"]) is None
    assert satisfaction_rate([]) is None


def test_callback_results_as_data():
    assert RULES.callback_valid == ("满意", "不满意")
    assert RULES.callback_invalid == ("未接通", "拒访")


# --- 附件1 questionnaires ------------------------------------------------------------------------


def test_callback_annex1_five_questionnaires():
    names = [q.name for q in RULES.questionnaires]
    assert names == ["零散（单项工程）业务回访问卷", "维修、置换业务回访问卷", "磁卡售气业务回访问卷", "安检业务回访问卷", "车用燃气业务回访问卷"]
    # question counts from the text: 11, 12 − 1 duplicate = 11, 6, 9, 7
    assert [len(q.questions) for q in RULES.questionnaires] == [11, 12 - 1, 6, 9, 7]


def test_callback_annex1_duplicated_question_appears_once():
    q = next(q for q in RULES.questionnaires if q.name == "维修、置换业务回访问卷")
    assert q.questions.count("是否与您提前联系上门安装时间？") == 1
    for questionnaire in RULES.questionnaires:
        assert len(set(questionnaire.questions)) == len(questionnaire.questions)
        assert questionnaire.questions[-1] == "还有其他可以帮您的吗？"


def test_callback_annex1_every_business_type_has_its_questionnaire():
    by_type = {b.name: b.questionnaire for b in RULES.business_types}
    assert by_type["维修"] == by_type["置换"] == "维修、置换业务回访问卷"
    assert by_type["零散"] == by_type["单项工程"] == "零散（单项工程）业务回访问卷"
    assert by_type["售气"] == "磁卡售气业务回访问卷"


def test_callback_annex1_questions_as_in_the_policy_text(policy_text):
    annex = policy_text[policy_text.index("附件1日常业务回访问卷") : policy_text.index("附件3客户回访信息流转单")]
    for questionnaire in RULES.questionnaires:
        for question in questionnaire.questions:
            # the text drops the question mark once (安检 第5问); the data writes it
            assert squeeze(question).rstrip("?") in annex, question
    # and the duplicate is really in the text: twice in the 维修、置换 block
    block = annex[annex.index("维修、置换") : annex.index("磁卡售气")]
    assert block.count("是否与您提前联系上门安装时间?") == 2
