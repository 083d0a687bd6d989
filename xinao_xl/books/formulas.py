"""Native Excel formula text for the policy rules, generated from the rules data.

Each builder mirrors one function of `xinao_xl.policy` and names it; the LibreOffice
agreement test (tests/books) holds them equal on hundreds of random inputs. Only
functions every spreadsheet program has since Excel 2007 are used (IF, AND, OR, MATCH,
INDEX, CHOOSE, SUMIFS, COUNTIFS, ROUND*, INT, TIME, NOW, IFERROR, SUMPRODUCT): no
XLOOKUP, LET, LAMBDA or dynamic arrays (LibreOffice 7.4 and WPS lack them).
"""

from __future__ import annotations

from xinao_xl.policy.parse import LEVEL_SPACES
from xinao_xl.policy.rules import ABOVE, BELOW, Kind, Rules

from . import lists as L
from .names import CAL_COUNT, CAL_DATES, stage_name

DIGITS = "P_ROUND_DIGITS"
END_OF_DAY = "TIME(23,59,59)"


def rnd(expr: str) -> str:
    return f"ROUND({expr},{DIGITS})"


def level_text(level: str) -> str:
    """The cell as text without spaces, as parse_level and parse_responsible read it
    (`LEVEL_SPACES`)."""
    expr = f'(""&{level})'
    for space in LEVEL_SPACES:
        expr = f'SUBSTITUTE({expr},"{space}","")'
    return expr


def not_responsible(responsible: str) -> str:
    """not parse_responsible: the cell holds a word of the 规则 sheet's 无责 list
    (`L_NOT_RESPONSIBLE_WORDS`: 无责, 否, FALSE, 0…), spaces dropped, case ignored."""
    return f"(SUMPRODUCT(({L.L_NOT_RESPONSIBLE_WORDS}={level_text(responsible)})*1)>0)"


def level_number(level: str) -> str:
    """parse_level: 1-5 for a spelling of the 规则 sheet's table (`L_LEVEL_SPELLINGS`: "4级",
    "四级", "400四级", "４级", a bare 4…), 0 for anything else.

    An equality test summed over the table, not MATCH: MATCH takes * ? ~ in the looked-up
    text as wildcards ("*级" would be level 1), an equality test does not."""
    return f"SUMPRODUCT(({L.L_LEVEL_SPELLINGS}={level_text(level)})*{L.L_LEVEL_NUMBERS})"


def level_points(level: str, rules: Rules) -> str:
    """scoring.level_points: the level's param, 0 for a blank level."""
    params = ",".join(f"P_{rules.level_params[n].upper()}" for n in sorted(rules.level_params))
    return f'IF({level}="",0,CHOOSE({level_number(level)},{params}))'


def _channel_text(channel: str) -> str:
    # "95158" picked from a list may arrive as the number 95158: compare as text.
    return f'(""&{channel})'


def channel_has_points(channel: str, rules: Rules) -> str:
    codes = [c.code for c in rules.channels if c.points_param]
    return "OR(" + ",".join(f'{_channel_text(channel)}="{code}"' for code in codes) + ")"


def channel_points(channel: str, rules: Rules) -> str:
    """scoring.channel_points: 95158 / 市长热线 deduct on their own; others 0."""
    expr = "0"
    for c in reversed([c for c in rules.channels if c.points_param]):
        expr = f'IF({_channel_text(channel)}="{c.code}",P_{c.points_param.upper()},{expr})'
    return expr


INVALID_LEVEL = "#无效级别"
"""What a complaint's points show for a level no spelling of the table reads (六级, 0级):
text, which SUMIFS skips, so the department's total stays a number instead of #N/A;
校验本簿 says what to pick (parse_level raises 无效级别 there)."""


def switch(name: str) -> str:
    """A 是/否 param of the 规则 sheet as a condition (the sheet writes switches as 是/否)."""
    return f'{name}="{L.YES}"'


def no_fault(responsible: str, appeal: str | None = None) -> str:
    """complaints.responsible_after_appeal is False: 无责 as typed (a word of the 规则 sheet's
    无责 list, `not_responsible`), or an upheld appeal (成立, spaces dropped)."""
    typed = not_responsible(responsible)
    return typed if appeal is None else f'OR({typed},{level_text(appeal)}="{L.APPEAL_UPHELD}")'


def complaint_points(level: str, channel: str, responsible: str, rules: Rules, sign: str = "", appeal: str | None = None) -> str:
    """scoring.complaint_deduction: 就高 of level and channel; 无责 (or an upheld appeal) → 0
    unless the office's setting 无责投诉是否扣分 is 是.

    ``sign="-"`` gives the signed value of a deduction line (加减分明细 分值). A level the
    list does not hold gives `INVALID_LEVEL` first, as parse_level raises before anything.
    """
    return (
        f'IF(AND({level}<>"",{level_number(level)}=0),"{INVALID_LEVEL}",'
        f'IF(AND({level}="",NOT({channel_has_points(channel, rules)})),"#缺少级别",'
        f'IF(AND({no_fault(responsible, appeal)},NOT({switch("P_NO_FAULT_DEDUCTS")})),0,'
        f"{sign}{rnd(f'MAX({level_points(level, rules)},{channel_points(channel, rules)})')})))"
    )


def grade_c_flag(level: str, responsible: str, appeal: str | None = None) -> str:
    """scoring.is_grade_c as "是"/"": a complaint of level 1-2, 有责 (or any, when the office's
    setting 无责的一、二级投诉是否定C级 is 是)."""
    return (
        f'IF(AND(OR(NOT({no_fault(responsible, appeal)}),{switch("P_NO_FAULT_GRADE_C")}),{level}<>""),'
        f'IF(AND({level_number(level)}>0,{level_number(level)}<=P_GRADE_C_MAX_LEVEL),"{L.YES}",""),"")'
    )


def shortfall_points(gap: str, per_point: str, mode: str = "P_SHORTFALL_MODE") -> str:
    """scoring.shortfall_points: gap rounded to 6 places, then 按比例/向上取整/向下取整 as the
    `mode` name holds."""
    g = f"ROUND({gap},6)"
    return (
        f'IF({g}<=0,0,{per_point}*IF({mode}="向上取整",ROUNDUP({g},0),'
        f'IF({mode}="向下取整",ROUNDDOWN({g},0),{g})))'
    )


def gap_units(kind: Kind, actual: str, target: str) -> str:
    """scoring.gap_units: counting units the actual misses the target by (below / above)."""
    if kind.direction == BELOW:
        gap = f"{target}-{actual}"
    elif kind.direction == ABOVE:
        gap = f"{actual}-{target}"
    else:
        raise ValueError(f"{kind.key}: {kind.direction} has no gap")
    return f"({gap})*{kind.scale:g}" if kind.scale != 1 else gap


NO_CAP = "9.9E+307"  # near Excel's largest number: MIN against it keeps any deduction


def capped(points: str, cap: str | None) -> str:
    """scoring.row_cap: at most the cap param's value, no cap when it is 0 (or no cap param).

    The cap goes around the points once (MIN with the cap or a number no deduction reaches),
    so the long points expression is not written twice.
    """
    return points if cap is None else f"MIN(IF({cap}>0,{cap},{NO_CAP}),{points})"


def rate_fraction(value: str) -> str:
    """parse_rate: 96.5 and 0.965 are both 96.5%."""
    return f"IF({value}>1,{value}/100,{value})"


def first_workday_from(day: str) -> str:
    """The first working day on or after `day` (a date serial): the 1st working day after the
    day before, found in the 工作日历 sheet; #N/A outside it or in an unconfirmed year."""
    return f"INDEX({CAL_DATES},MATCH(INDEX({CAL_COUNT},MATCH({day}-1,{CAL_DATES},0))+1,{CAL_COUNT},0))"


def natural_due(start: str, major: str | None, stage_key: str, days: str | None = None) -> str:
    """deadlines.natural_due for a natural-day stage: 23:59:59 of INT(start)+N, one day
    earlier when the office counts the start day, moved to the next working day when it
    extends a period ending on a rest day (then "日历未确认" where the calendar does not know
    the day). `major` None: the stage's general days; `days` overrides both."""
    if days is None:
        days = stage_name(stage_key, False) if major is None else f'IF({major}<>"",{stage_name(stage_key, True)},{stage_name(stage_key, False)})'
    last = f"INT({start})+{days}-IF({switch('P_NATURAL_START_COUNTS')},1,0)"
    return (
        f'IF({start}="","",IF({switch("P_NATURAL_EXTEND_HOLIDAY")},'
        f'IFERROR({first_workday_from(last)}+{END_OF_DAY},"{L.CAL_ERROR}"),{last}+{END_OF_DAY}))'
    )


def sla_status(due: str, done: str) -> str:
    """deadlines.sla_status against NOW(); done compared to the second, 24:00 in time
    (deadlines.done_in_time)."""
    return (
        f'IF({due}="","",IF(ISTEXT({due}),{due},IF({done}<>"",'
        f'IF(ROUND(({done}-{due})*86400,0)<=1,"按时完成","超时完成"),'
        f'IF(NOW()>{due},"已超时",IF({due}-NOW()<=P_DUE_SOON_DAYS,"即将到期","正常")))))'
    )


# --- 投诉 第七条: the complaint's course (policy/complaint_process.py) ----------------------------
# Criteria are written `cell&""`: an empty cell then matches empty cells in Excel and in
# LibreOffice alike (a bare empty-cell criterion is 0 in Excel and "" in LibreOffice).


def round_number(no: str, dept: str, review: str, above_no: str, above_dept: str, above_review: str, rejected: str) -> str:
    """complaint_process.rounds: 1 + the rows above of the same complaint and department
    that the office rejected (驳回)."""
    return f'1+COUNTIFS({above_no},{no}&"",{above_dept},{dept}&"",{above_review},"{rejected}")'


def round_start(accepted: str, rnd: str, no: str, dept: str, above: dict[str, str], rejected: str) -> str:
    """complaint_process.round_start: 受理时间 for the first round (or for every round when
    the office keeps the 受理 clock); for a later round the 审核时间 of the rejected row of
    the round before, blank while that has no time."""
    prev = (f'SUMIFS({above["review_at"]},{above["no"]},{no}&"",{above["dept"]},{dept}&"",'
            f'{above["review"]},"{rejected}",{above["round"]},{rnd}-1)')
    first = f'IF({accepted}="","",{accepted})'
    return f'IF(OR({rnd}<=1,NOT({switch("P_REJECTION_RESTARTS_DEADLINES")})),{first},IF({prev}=0,"",{prev}))'


def callback_status(sla: str, callback: str, done: str, review_at: str, unsatisfied: str, recheck: str) -> str:
    """complaint_process.callback_status: 需复查 while an unsatisfied callback waits for a
    review dated at or after it, else the stage's SLA status."""
    return f'IF(AND({callback}="{unsatisfied}",OR({review_at}="",{done}="",{review_at}<{done})),"{recheck}",{sla})'


def row_state(no: str, dept: str, review: str, term_status: str, closed: str, no_fault_test: str, moved: dict[str, str],
              words: dict[str, str]) -> str:
    """complaint_process.row_state: 已取消 / 已改派 when the 改派记录 (`moved`: its 投诉单号,
    原责任部门 and 改派方式 ranges) took the complaint from this department, 已驳回, 特殊终止
    (approved and 无责), 已办结, 办理中."""
    def taken(way: str) -> str:
        return f'COUNTIFS({moved["no"]},{no}&"",{moved["from"]},{dept}&"",{moved["way"]},"{way}")>0'

    return (
        f'IF({no}="","",IF({taken(words["cancel"])},"{words["cancelled"]}",IF({taken(words["move"])},"{words["moved"]}",'
        f'IF({review}="{words["rejected_review"]}","{words["rejected"]}",'
        f'IF(AND({term_status}="{words["approved"]}",{no_fault_test}),"{words["terminated"]}",'
        f'IF({closed}<>"","{words["closed"]}","{words["open"]}"))))))'
    )


def not_counted(state: str, words: dict[str, str]) -> str:
    """not complaint_process.counts: a cancelled, moved-away or rejected row."""
    return f'OR({state}="{words["cancelled"]}",{state}="{words["moved"]}",{state}="{words["rejected"]}")'


def effective_closed(closed: str, state: str, approved_at: str, terminated: str) -> str:
    """complaint_process.effective_closed: 办结时间, else the approval of a special termination."""
    return f'IF({closed}<>"",{closed},IF({state}="{terminated}",IF({approved_at}="","",{approved_at}),""))'
