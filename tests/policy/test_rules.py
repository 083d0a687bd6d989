"""The rules data (rules.toml): every number with its clause, the §6 table, [默认] flags, and a
broken file failing loudly with the key named (issue 2 item 2)."""

import re
import unicodedata

import pytest

from xinao_xl.policy.errors import RulesError
from xinao_xl.policy.rules import DEFAULT_RULES_PATH, load_rules, parse_rules, read_rules

RULES = load_rules()
CLAUSE = re.compile(r"^(考核|回访|投诉|POLICY_RULES) \S|^本系统默认（")  # the last: no clause at all (即将到期)

# 考核 6 exactly as the policy text writes it: department → (row name, target as the text states it)
SECTION_6 = {
    "客服部": [
        ("入户及时率", "50%(暂定)"),
        ("用户好评率", "95%(暂定)"),
        ("零散施工回访满意度", "98%"),
        ("维修业务回访满意度", "98%"),
        ("置换业务回访满意度", "98%"),
        ("控股神秘客户检测", "95%"),
        ("营业厅管理", "依据神秘客户标准评分"),
        ("服务体系建设相关工作", "依据完成情况评分"),
        ("投诉管理", "依据投诉级别评分"),
    ],
    "市场工程部": [
        ("零散施工回访满意度", "98%"),
        ("单项工程回访满意度", "98%"),
        ("合同签订环节回访满意度", "98%"),
        ("工程设计及施工环节回访满意度", "98%"),
        ("置换通气环节回访满意度", "98%"),
        ("施工现场管理", "依据检查表评分"),
        ("服务体系建设相关工作", "依据完成情况评分"),
        ("投诉管理", "依据投诉级别评分"),
    ],
    "车用燃气部": [
        ("客户回访满意度", "96%"),
        ("神秘客户检测", "95%"),
        ("加气站管理", "依据神秘客户标准评分"),
        ("收款室管理", "依据神秘客户标准评分"),
        ("服务体系建设相关工作", "依据完成情况评分"),
        ("投诉管理", "依据投诉级别评分"),
    ],
    "管网部": [
        ("带气作业停气通知率", "100%"),
        ("设施改造停气工作", "依据承诺评价"),
        ("外网置换平均响应时间", "三个自然日"),
        ("服务体系建设相关工作", "依据完成情况评分"),
        ("投诉管理", "依据投诉级别评分"),
    ],
    "调度中心": [
        ("信息传递及时率", "100%"),
        ("信息传递准确率", "100%"),
        ("服务体系建设相关工作", "依据完成情况评分"),
        ("投诉管理", "依据投诉级别评分"),
    ],
    "计财部": [
        ("预算书编制", "2个自然日"),
        ("票据保障率", "100%"),
        ("服务体系建设相关工作", "依据完成情况评分"),
        ("投诉管理", "依据投诉级别评分"),
    ],
    "安保部": [
        ("通气置换办证及时率", "100%"),
        ("服务体系建设相关工作", "依据完成情况评分"),
        ("投诉管理", "依据投诉级别评分"),
    ],
}


# --- 考核 6: departments and rows ---------------------------------------------------------------


def test_6_departments_in_policy_order():
    assert RULES.department_names == ("客服部", "市场工程部", "车用燃气部", "管网部", "调度中心", "计财部", "安保部")


def test_6_row_counts_per_department():
    counts = {d.name: len(d.indicators) for d in RULES.departments}
    assert counts == {"客服部": 9, "市场工程部": 8, "车用燃气部": 6, "管网部": 5, "调度中心": 4, "计财部": 4, "安保部": 3}
    assert sum(counts.values()) == 9 + 8 + 6 + 5 + 4 + 4 + 3 == 39


@pytest.mark.parametrize("department", list(SECTION_6))
def test_6_row_names_exactly_as_policy_text(department):
    names = [i.name for i in RULES.department(department).indicators]
    assert names == [name for name, _ in SECTION_6[department]]
    assert [i.number for i in RULES.department(department).indicators] == list(range(1, len(names) + 1))


def test_6_targets_as_policy_text():
    for dept in RULES.departments:
        for ind, (_, text) in zip(dept.indicators, SECTION_6[dept.name], strict=True):
            target = RULES.target_of(ind)
            if text.endswith("%") or text.endswith("(暂定)"):
                percent = float(text.split("%")[0])
                if ind.kind == "mystery":
                    assert target == percent, ind  # 控股/神秘客户检测 "95%": read as 95 points (7.1.2)
                else:
                    assert target == pytest.approx(percent / 100), ind
                assert ind.provisional == text.endswith("(暂定)"), ind
            elif text.endswith("自然日"):
                assert target == {"三个自然日": 3, "2个自然日": 2}[text] and ind.unit == "自然日", ind
            else:
                assert ind.kind in ("manual", "complaints", "mystery"), ind
                if ind.kind != "mystery":
                    assert target is None
                assert unicodedata.normalize("NFKC", ind.standard_text) == text, ind


def test_6_kinds_of_rows():
    kinds = {(i.department, i.name): i.kind for i in RULES.iter_all_indicators()}
    assert kinds[("客服部", "营业厅管理")] == "mystery"  # 依据神秘客户标准评分
    assert kinds[("车用燃气部", "收款室管理")] == "mystery"
    assert kinds[("市场工程部", "施工现场管理")] == "manual"
    assert kinds[("管网部", "外网置换平均响应时间")] == "days"
    assert kinds[("计财部", "票据保障率")] == "rate"
    assert all(d.indicators[-1].kind == "complaints" for d in RULES.departments)  # 投诉管理 last in each


# What each packaged kind says as data: (direction, unit, range, points-per-unit param), by clause.
KINDS = {
    "mystery": ("below", "points", (0, 100), "mystery_points_per_point"),  # 7.1.2 每降低1分扣3分
    "satisfaction": ("below", "percent", (0, 1), "satisfaction_points_per_point"),  # 7.1.3 每降低1个百分点扣2分
    "platform": ("below", "percent", (0, 1), "platform_points_per_point"),  # 7.1.4 每降低1个百分点扣2分
    "rate": ("below", "percent", (0, 1), "rate_points_per_point"),  # 6, [默认] 2 per point
    "days": ("above", "days", (0, None), "day_points_per_day"),  # 6 三个自然日, [默认] 2 per day
    "manual": ("entered", "points", (0, 100), None),  # 7.1.5 依据完成情况评分
    "complaints": ("complaints", None, (None, None), None),  # 7.1.1 依据投诉级别评分
}


def test_6_7_kinds_table():
    got = {
        key: (k.direction, k.unit.key if k.unit else None, (k.low, k.high), k.per_point_param)
        for key, k in RULES.kinds.items()
    }
    assert got == KINDS
    gap_kinds = [k for k in RULES.kinds.values() if k.counts_gap]
    # one mode; one per-row cap, 0 (no cap) until the office sets it (issue 15 item 4)
    assert all(k.mode_param == "shortfall_mode" and k.cap_param == "indicator_row_cap" for k in gap_kinds)
    assert RULES.kinds["manual"].cap_param == "indicator_row_cap" and RULES.value("indicator_row_cap") == 0
    # a rate is stored as a fraction and counted in percentage points: 0.965 → 98 is 1.5 points
    assert RULES.units["percent"].scale == 100 and RULES.units["percent"].percent
    assert RULES.units["points"].scale == RULES.units["days"].scale == 1


def test_6_rows_and_targets_found_in_the_policy_text(policy_text):
    section = policy_text[policy_text.index("6、服务考核内容和标准") : policy_text.index("7、评分办法")]
    for department, rows in SECTION_6.items():
        assert department in section, department  # "调度\n\n中心" squeezed is 调度中心
        for number, (name, target) in enumerate(rows, start=1):
            assert f"{number}.{name}{target}" in section, (department, name)


# --- 8 weights and the 安保部 alias ---------------------------------------------------------------


def test_8_weights_alias_is_default():
    dept = RULES.department("安保部")
    assert dept.aliases == ("技术质量安全部",) and dept.alias_default  # [默认]
    assert RULES.department("技术质量安全部") is dept


# --- clauses, defaults, effective months ------------------------------------------------------------


def test_every_param_has_a_clause_and_text():
    assert len(RULES.params) >= 35
    for key, param in RULES.params.items():
        assert CLAUSE.match(param.clause), (key, param.clause)
        assert param.text, key
        assert param.defined_name == "P_" + key.upper()


def test_every_entry_has_a_clause():
    entries = [*RULES.channels, *RULES.kinds.values(), *RULES.departments, *RULES.iter_all_indicators(), *RULES.business_types, *RULES.questionnaires, *RULES.stages.values(), *RULES.major_items, *RULES.not_accepted, *RULES.policies.values()]
    for entry in entries:
        assert CLAUSE.match(entry.clause), entry
    assert RULES.levels_clause == "考核 7.1.1" and RULES.no_fault_clause == "投诉 附件2"


# Every [默认] of POLICY_RULES.md, and where the data flags it.
POLICY_RULES_DEFAULTS = [
    "no_fault_deducts",  # §1 7.1.1 + 附件2: 无责 → 0
    "shortfall_mode",  # §1 7.1.2 / 7.1.3 / 7.1.4: 按比例
    "rate_points_per_point",  # §1 other rate rows: −2 per point
    "day_points_per_day",  # §1 day rows: −2 per day
    "allowance_score_cap",  # §3 allowance: no cap
    "pass_on_shortfall",  # §4 四.2(2): on, in table order
    "due_soon_days",  # §5 即将到期: 1 day
]


@pytest.mark.parametrize("key", POLICY_RULES_DEFAULTS)
def test_policy_rules_defaults_are_flagged(key):
    param = RULES.param(key)
    assert param.default and param.flag_text == "本系统默认，制度未规定"


def test_policy_rules_default_values():
    values = {key: RULES.value(key) for key in POLICY_RULES_DEFAULTS}
    assert values == {
        "no_fault_deducts": False,
        "shortfall_mode": "按比例",
        "rate_points_per_point": 2,
        "day_points_per_day": 2,
        "allowance_score_cap": 0,
        "pass_on_shortfall": True,
        "due_soon_days": 1,
    }
    assert RULES.param("shortfall_mode").choices == ("按比例", "向上取整", "向下取整")


def test_policy_rules_defaults_rounding_and_floor_flagged():
    # §1 "round half away from zero to 2 decimals" and "floored at 0": the text fixes neither
    assert RULES.param("round_digits").default and RULES.value("round_digits") == 2
    assert RULES.param("score_floor").default and RULES.value("score_floor") == 0


def test_policy_rules_default_anbaobu_alias_and_row_kinds():
    assert RULES.department("安保部").alias_default  # §2: 安保部 → 技术质量安全部 weight
    assert RULES.kinds["rate"].default and RULES.kinds["days"].default


def test_values_fixed_by_the_text_are_not_flagged_default():
    for key in ("complaint_points_level4", "mystery_standard", "satisfaction_target", "praise_points", "overflow_factor", "late_flow_points", "no_repeat_days", "repeat_complaint_months"):
        assert not RULES.param(key).default, key


def test_provisional_targets_flagged():
    assert RULES.param("platform_visit_target").flag_text == "制度暂定"
    provisional = [i.name for i in RULES.iter_all_indicators() if i.provisional]
    assert provisional == ["入户及时率", "用户好评率"]


def test_numbers_of_the_text():
    expected = {
        "base_score": 100,  # 考核 8 百分制
        "complaint_points_hotline": 10,  # 7.1.1
        "complaint_points_level5": 10,
        "complaint_points_level4": 15,
        "complaint_points_level3": 20,
        "complaint_points_level2": 25,
        "complaint_points_level1": 25,
        "mystery_standard": 95,  # 7.1.2
        "mystery_points_per_point": 3,
        "satisfaction_target": 0.98,  # 7.1.3
        "satisfaction_points_per_point": 2,
        "platform_visit_target": 0.50,  # 7.1.4
        "platform_praise_target": 0.95,
        "platform_points_per_point": 2,
        "praise_points": 2,  # 7.2
        "media_points_min": 3,
        "media_points_max": 5,
        "overflow_factor": 0.1,  # 7.3
        "review_from_day": 3,  # 考核 3 每月3-6日
        "review_to_day": 6,
        "late_flow_points": 2,
        "sample_window_days": 3,  # 回访 五.1
        "callback_within_days": 3,  # 回访 五.2
        "no_repeat_days": 7,  # 回访 三.3 一周
        "report_due_day": 5,  # 回访 五.4(2) 次月5日前
        "repeat_complaint_months": 3,  # 投诉 附件3 第7项
    }
    assert {k: RULES.value(k) for k in expected} == expected
    # 回访 六.1 / 附件3说明2: the flow form's 2 natural days live once, as a stage
    assert (RULES.stages["flow_form"].days_general, RULES.stages["flow_form"].unit) == (2, "自然日")


def test_effective_months():
    effective = {k: p.effective for k, p in RULES.policies.items()}
    # 考核 10 "自2017年10月份起试行"; 回访 七.2 "自2021年5月1日起试行"; 投诉 第十五条 "自2022年3月1日起实施"
    assert effective == {"assessment": "2017-10", "callback": "2021-05", "complaint": "2022-03"}
    for p in RULES.policies.values():
        assert re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", p.effective)


def test_load_rules_is_cached_and_reads_the_packaged_file():
    assert load_rules() is RULES and RULES.source == DEFAULT_RULES_PATH


def test_missing_param_lookup_names_the_key():
    with pytest.raises(RulesError, match="params.nope"):
        RULES.value("nope")


# --- a broken rules file fails loudly, naming the key -------------------------------------------


def broken(raw, match):
    with pytest.raises(RulesError) as info:
        parse_rules(raw)
    assert re.search(match, str(info.value)), str(info.value)
    return info.value


def test_broken_missing_key(raw_rules):
    del raw_rules["params"]["praise_points"]["clause"]
    broken(raw_rules, r"缺少键 params\.praise_points\.clause")


def test_broken_missing_department_weight(raw_rules):
    del raw_rules["departments"][2]["weight"]
    broken(raw_rules, r"缺少键 departments\[2\]\.weight")


def test_broken_missing_level(raw_rules):
    del raw_rules["levels"]["4"]
    broken(raw_rules, r"levels\.4")


def test_broken_missing_target(raw_rules):
    del raw_rules["departments"][3]["indicators"][0]["target"]
    broken(raw_rules, r"departments\[3\]\.indicators\[0\]\.target")


def test_broken_missing_param_fails_at_load(raw_rules):
    # A param the code reads must be there when the file is loaded, not missed later in a cell.
    del raw_rules["params"]["praise_points"]
    broken(raw_rules, r"params\.praise_points")


@pytest.mark.parametrize(
    ("key", "value"),
    [("base_score", "一百"), ("pass_on_shortfall", "是"), ("no_fault_deducts", 0), ("complaint_points_level4", True), ("shortfall_mode", 1)],
)
def test_broken_param_value_of_the_wrong_type_for_its_use(raw_rules, key, value):
    raw_rules["params"][key]["value"] = value
    raw_rules["params"][key].pop("choices", None)
    broken(raw_rules, rf"params\.{key}\.value 类型不对")


def test_broken_wrong_type(raw_rules):
    raw_rules["params"]["base_score"]["value"] = [100]
    broken(raw_rules, r"params\.base_score\.value 类型不对")


def test_broken_bool_is_not_a_number(raw_rules):
    raw_rules["departments"][0]["weight"] = True
    broken(raw_rules, r"departments\[0\]\.weight 类型不对")


def test_broken_stage_days_wrong_type(raw_rules):
    raw_rules["stages"][0]["days_major"] = "1天"
    broken(raw_rules, r"stages\[0\]\.days_major")


def test_broken_unknown_kind(raw_rules):
    raw_rules["departments"][0]["indicators"][1]["kind"] = "bogus"
    broken(raw_rules, r"departments\[0\]\.indicators\[1\]\.kind 未知类型 “bogus”")


def test_broken_dangling_target_param(raw_rules):
    raw_rules["departments"][0]["indicators"][0]["target_param"] = "platform_visit_targte"
    broken(raw_rules, r"departments\[0\]\.indicators\[0\]\.target_param 引用了不存在的参数 “platform_visit_targte”")


def test_broken_dangling_channel_points(raw_rules):
    raw_rules["channels"][0]["points"] = "nope"
    broken(raw_rules, r"channels\[0\]\.points")


def test_broken_dangling_level_param(raw_rules):
    raw_rules["levels"]["3"] = "complaint_points_level9"
    broken(raw_rules, r"levels\.3")


def test_broken_dangling_kind_per_point(raw_rules):
    raw_rules["kinds"]["mystery"]["per_point"] = "nope"
    broken(raw_rules, r"kinds\.mystery\.per_point")


def test_broken_dangling_questionnaire(raw_rules):
    raw_rules["business_types"][0]["questionnaire"] = "维修问卷"
    broken(raw_rules, r"维修.*questionnaire")


def test_broken_choice_not_in_choices(raw_rules):
    raw_rules["params"]["shortfall_mode"]["value"] = "四舍五入"
    broken(raw_rules, r"params\.shortfall_mode")


def test_broken_quota_text(raw_rules):
    raw_rules["business_types"][5]["quota"] = "大部分"
    broken(raw_rules, r"business_types\[5\]\.quota")


def test_broken_stage_unit(raw_rules):
    raw_rules["stages"][4]["unit"] = "周"
    broken(raw_rules, r"stages\[4\]\.unit")


def test_broken_schema_version(raw_rules):
    raw_rules["schema_version"] = 2
    broken(raw_rules, r"schema_version")


def test_broken_table_is_a_list(raw_rules):
    raw_rules["policies"] = []
    broken(raw_rules, r"policies")


def test_read_rules_bad_toml(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(DEFAULT_RULES_PATH.read_text(encoding="utf-8").replace("value = 15\n", "value = = 15\n", 1), encoding="utf-8")
    with pytest.raises(RulesError, match="格式错误"):
        read_rules(path)


def test_read_rules_broken_copy_names_the_key(tmp_path):
    text = DEFAULT_RULES_PATH.read_text(encoding="utf-8")
    path = tmp_path / "rules.toml"
    path.write_text(text.replace('kind = "rate", target = 1.0', 'kind = "ratio", target = 1.0', 1), encoding="utf-8")
    with pytest.raises(RulesError, match=r"departments\[3\]\.indicators\[0\]\.kind 未知类型 “ratio”"):
        read_rules(path)


def test_read_rules_good_copy(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(DEFAULT_RULES_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    rules = read_rules(path)
    assert rules.source == path and rules.value("praise_points") == 2


def test_parse_rules_of_the_packaged_data_is_equal(raw_rules):
    assert parse_rules(raw_rules) == RULES


def test_readings_where_the_text_is_silent_are_flagged_default():
    # POLICY_RULES §3 marks the company item and allowance readings [默认]; the others are
    # choices this system made where the policy text does not say.
    readings = {r.key: r for r in load_rules().readings}
    assert {"company_item", "allowance", "complaint_take_higher", "appeal_upheld", "calendar_confirmed",
            "mystery_row_95_points", "repeat_callback_boundary", "sample_window_boundary"} <= set(readings)
    assert all(r.default and r.clause and r.text for r in readings.values())
    # "only 有责 level 1-2 complaints grade C; 无责 deducts nothing" became two office settings
    # (issue 15 point 1), each our default reading the office may change
    assert RULES.param("no_fault_deducts").default and RULES.param("no_fault_grade_c").default
