"""A realistic synthetic month: the four workbooks filled as staff would fill them.

Why: the demo, the benchmarks and the close tests need a month that looks like the real
thing (every business type, some 不满意 with their 流转单, late feedback, complaints of
every level and channel, 无责 complaints with their 附件2 reason, praise, media praise,
hand entries, 自评/审核 actuals) without a single real customer in it. Names, phones
(139xxxxxxxx) and addresses come from a seeded RNG: the same seed gives the same month.

    >>> month = make_sample_month("2026-11", Path("示例"), seed=7)        # doctest: +SKIP
    >>> month.folder, len(month.callbacks), len(month.complaints)        # doctest: +SKIP
    (PosixPath('示例/2026-11'), 300, 8)

The data is valid for the validation service: no 错误 (a few 警告 remain on purpose —
flow forms still open past their deadline are what the close carries over). Its texts are
what customers and clerks write; hostile ones belong to the tests.

Beside the month, `write_sample_export` writes a completed-orders export of the next
month's first days (some customers called in the month), for a newcomer to practise the
daily sampling on (`xinao-xl demo`, docs/使用说明.md 第 2 节).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from xinao_xl.books import lists as L
from xinao_xl.books.completed_export import write_completed_export
from xinao_xl.books.month_folder import MonthFolder
from xinao_xl.books.sample_books import write_sample_books
from xinao_xl.books.settings_book import ensure_settings_book
from xinao_xl.policy import callbacks as cb
from xinao_xl.policy import deadlines
from xinao_xl.policy.month import Month
from xinao_xl.policy.rules import Rules, load_rules
from xinao_xl.policy.scoring import actual_for_gap

from .new_month import MonthExistsError, _refuse_open
from .refresh import refresh_month
from .sample_size import BENCH, SMALL, SampleSize
from .settings import rules_for_month

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华玉兰萍红志强春梅海燕国庆晓东文博子豪雨涵"
ROADS = ("东昌路", "柳园路", "花园路", "昌润路", "建设路", "兴华路", "光岳路", "湖南路", "振兴路", "铁塔路", "嫩江路", "黄河路")
AGENTS = ("孙雪燕", "李晓梅", "王丽娜")
# business type -> department usually responsible (a 不满意 may still land elsewhere)
HOME_DEPT = {"维修": "客服部", "置换": "市场工程部", "安检": "客服部", "售气": "计财部", "车用燃气": "车用燃气部", "零散": "市场工程部", "单项工程": "市场工程部"}
TYPE_WEIGHTS = {"维修": 30, "置换": 14, "安检": 30, "售气": 9, "车用燃气": 8, "零散": 5, "单项工程": 4}
PROBLEMS = ("上门不及时", "服务态度差", "维修质量问题", "收费有疑问", "施工现场未清理", "停气通知不到位", "等待时间长")
# What customers say, as a clerk types it. Hostile texts (a leading =, + or -, formulas,
# links) are the tests' business (tests/services/test_injection.py, tests/corpus), not the
# month a new clerk studies.
OPINIONS = ("希望上门前提前电话联系", "希望上门前电话联系", "安检时间安排在周末更方便", "建议增加线上缴费渠道", "师傅讲解很细致", "希望缩短置换等待时间")
COMPLAINT_TEXTS = ("维修人员未按约定时间上门", "安检人员态度生硬", "气费异常，要求核查", "置换后灶具点火困难", "停气未提前通知", "施工后路面未恢复")
HANDLING = ("已电话致歉并重新上门", "已核实并向客户解释", "已安排复查，客户认可", "已整改并回访")
DEPT_WEIGHTS = {"客服部": 30, "市场工程部": 22, "车用燃气部": 10, "管网部": 14, "调度中心": 8, "计财部": 8, "安保部": 8}


@dataclass
class SampleMonth:
    """What was generated (rows as written, by column key) and where."""

    month: str
    folder: Path
    paths: dict[str, Path]
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    complaints: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    reassignments: list[dict[str, Any]] = field(default_factory=list)  # the 投诉台账's 改派记录
    evidence: list[dict[str, Any]] = field(default_factory=list)  # its 证据 lines (``_link``: the file, relative to the month)
    actuals: dict[tuple[str, str], tuple[Any, Any]] = field(default_factory=dict)  # (dept, indicator) -> (自评, 审核)
    completed: dict[str, int] = field(default_factory=dict)
    now: datetime | None = None  # when the month is looked at (late flow forms, the 汇入's 统计时间)


class Fake:
    """Fake people and places from one seeded RNG; every phone is used once."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._phones: set[str] = set()

    def name(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))

    def phone(self) -> str:
        while True:
            p = f"139{self.rng.randrange(10**8):08d}"
            if p not in self._phones:
                self._phones.add(p)
                return p

    def address(self) -> str:
        r = self.rng
        return f"聊城市东昌府区{r.choice(ROADS)}{r.randrange(1, 400)}号{r.randrange(1, 30)}号楼{r.randrange(1, 7)}单元{r.randrange(101, 1802)}"


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _at(day: date, hour: float) -> datetime:
    return datetime.combine(day, time()) + timedelta(minutes=int(hour * 60))


# --- 台账 ---------------------------------------------------------------------------------


def callback_rows(month: str, n: int, rng: random.Random, fake: Fake, rules: Rules) -> list[dict[str, Any]]:
    """n callbacks spread over the month; ~2.5% 不满意 each with a 流转单 (most answered in
    time, some late, some still open), some opinions and suggestions."""
    days = Month(month).days()
    rows = []
    for i in range(n):
        call_day = rng.choice(days)
        business = _weighted(rng, TYPE_WEIGHTS)
        roll = rng.random()
        result = "不满意" if roll < 0.025 else "未接通" if roll < 0.095 else "拒访" if roll < 0.125 else "满意"
        dept = HOME_DEPT[business] if result != "不满意" or rng.random() < 0.7 else _weighted(rng, DEPT_WEIGHTS)
        row: dict[str, Any] = {
            "call_date": call_day,
            "business": business,
            "order": f"GD{month.replace('-', '')}{i + 1:06d}",
            "done_date": call_day - timedelta(days=rng.choice((0, 1, 1, 2, 2, 3))),
            "customer": fake.name(),
            "phone": fake.phone(),
            "address": fake.address(),
            "staff": fake.name(),
            "dept": dept,
            "agent": rng.choice(AGENTS),
            "result": result,
        }
        if result == "不满意":
            problem = rng.choice(PROBLEMS)
            flow_at = _at(call_day, rng.uniform(9, 17))
            row.update(reason=problem, opinion=f"客户反映{problem}", flow="是", flow_no=f"LZ{month.replace('-', '')}{i + 1:05d}", flow_date=flow_at)
            fate = rng.random()
            if fate < 0.7:
                row.update(feedback_date=flow_at + timedelta(hours=rng.uniform(2, 40)), handling=rng.choice(HANDLING))
            elif fate < 0.85:
                row.update(feedback_date=flow_at + timedelta(days=rng.choice((3, 4)), hours=1), handling=rng.choice(HANDLING))
            # else: still open (carried over to next month)
        elif result == "满意" and rng.random() < 0.08:
            row["suggestion" if rng.random() < 0.5 else "opinion"] = rng.choice(OPINIONS)
        rows.append(row)
    # The last flow form still open (the close carries it over), the one before it late.
    flows = [r for r in rows if r.get("flow_date")]
    if flows:
        flows[-1].pop("feedback_date", None)
        flows[-1].pop("handling", None)
    if len(flows) > 1:
        flows[-2].update(feedback_date=flows[-2]["flow_date"] + timedelta(days=3, hours=2), handling=HANDLING[0])
    # One opinion on the first satisfied call (the first rows a clerk looks at).
    for row in rows:
        if row["result"] == "满意":
            row["opinion"] = "希望上门前电话联系"
            break
    return rows


# --- 投诉台账 -------------------------------------------------------------------------------


def complaint_rows(month: str, n: int, rng: random.Random, fake: Fake, rules: Rules) -> list[dict[str, Any]]:
    """n complaints (a few with two responsible departments, one row each); every level and
    channel, ~8% suspected major, ~20% 无责 with a 附件2 reason, ~15% not yet 办结."""
    days = Month(month).days()[:-2]
    rows: list[dict[str, Any]] = []
    level_2_done = False
    for i in range(n):
        accepted = _at(rng.choice(days), rng.uniform(8, 18))
        channel = rng.choices(["400", "95158", "市长热线", "其他"], weights=[60, 15, 10, 15])[0]
        level: str | None = rng.choices(["3级", "4级", "5级"], weights=[10, 35, 55])[0]
        if channel in ("95158", "市长热线") and rng.random() < 0.5:
            level = None
        forced_c = not level_2_done and i == n // 2  # one 有责 level-2 complaint: a grade-C month
        if forced_c:
            channel, level, level_2_done = "400", "2级", True
        major = rng.choice(rules.major_items).label if rng.random() < 0.08 else None
        responsible = rng.random() >= 0.2 or forced_c
        base: dict[str, Any] = {
            "no": f"TS{month.replace('-', '')}{i + 1:04d}",
            "accepted": accepted,
            "channel": channel,
            "level": level,
            "major": major,
            "customer": fake.name(),
            "phone": fake.phone(),
            "address": fake.address(),
            "content": rng.choice(COMPLAINT_TEXTS),
            "resp": L.RESPONSIBLE if responsible else L.NOT_RESPONSIBLE,
        }
        if not responsible:
            k = rng.randrange(len(rules.no_fault_reasons))
            base["reason"] = f"{k + 1}.{rules.no_fault_reasons[k]}"
        inv_days, handle_days = (1, 2) if major else (2, 3)
        inv = accepted + timedelta(hours=rng.uniform(2, 24 * inv_days + 10))
        handle = max(inv, accepted + timedelta(hours=rng.uniform(6, 24 * handle_days + 12))) + timedelta(hours=1)
        base.update(inv_done=_minute(inv))
        if rng.random() < 0.85:
            base.update(handle_done=_minute(handle), revisit_done=_minute(handle + timedelta(hours=rng.uniform(2, 40))))
            base.update(closed=_minute(handle + timedelta(hours=rng.uniform(41, 60))))
            if rng.random() < 0.05:
                base.update(appeal_at=base["closed"] + timedelta(days=1), appeal_result="不成立")
        depts = [_weighted(rng, DEPT_WEIGHTS)]
        if rng.random() < 0.05:
            depts.append(rng.choice([d for d in rules.department_names if d != depts[0]]))
        for dept in depts:
            rows.append({**base, "dept": dept})
    return rows


def _minute(t: datetime) -> datetime:
    return t.replace(second=0, microsecond=0)


def complaint_course(month: str, complaints: list[dict[str, Any]], rng: random.Random, fake: Fake, rules: Rules,
                     now: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """投诉 第七条 on the month's complaints (a separate RNG, so the rows and scores above stay
    as they were): every handled complaint reviewed (通过) and, once called back, its result
    (客户误解 confirmed 满意; a 不满意 re-reviewed after the callback: 通过, no re-investigation);
    one complaint rejected once (驳回, its next round in the row below: it deducts once); one
    caused by an outsourced provider (charged to its managing department); one 无责 complaint
    specially terminated with the 客户服务理正's approval; one re-assigned from a wrongly
    routed department; one piece of evidence. Returns (complaints, 改派记录, 证据)."""
    step = rules.step
    satisfied, basically, unsatisfied = step("callback").choices()
    rows = [dict(r) for r in complaints]
    for r in rows:
        if r.get("handle_done") is not None:
            r.update(review=step("review").word("passed"), review_at=r["handle_done"] + timedelta(hours=2))
        if r.get("revisit_done") is not None:
            reason = r.get("reason") or ""
            r["callback"] = satisfied if reason.startswith("2.") else rng.choices((satisfied, basically, unsatisfied), weights=(70, 20, 10))[0]
            r["callback_note"] = "客户认可处理结果" if r["callback"] != unsatisfied else "客户仍不认可，服务办公室复查后维持原处理"
            if r["callback"] == unsatisfied:
                r["review_at"] = r["revisit_done"] + timedelta(hours=3)  # re-reviewed after the callback: 通过
        if r.get("handle_done") is not None:
            r.setdefault("result", rng.choice(HANDLING))
    handled = [i for i, r in enumerate(rows) if r.get("closed") is not None and r["accepted"] + timedelta(days=8) < now]
    moved: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    if handled:
        # one round rejected: the first round's row above (no 办结), the second below it
        i = handled[0]
        second = rows[i]
        first = {k: v for k, v in second.items() if k not in ("revisit_done", "callback", "callback_note", "closed", "result")}
        rejected_at = second["inv_done"] + timedelta(hours=1)
        first.update(review=step("review").word("rejected"), review_at=rejected_at, handle_done=None,
                     note="调查结论缺少现场核实，服务办公室驳回")
        shift = rejected_at - second["accepted"]
        for key in ("inv_done", "handle_done", "revisit_done", "closed"):
            if second.get(key) is not None:
                second[key] = second[key] + shift
        second["review_at"] = second["handle_done"] + timedelta(hours=2)
        if second.get("callback") == unsatisfied:
            second["review_at"] = second["revisit_done"] + timedelta(hours=3)
        rows.insert(i, first)
    responsible = [r for r in rows if r.get("resp") == L.RESPONSIBLE and r.get("review") != step("review").word("rejected")]
    if responsible:
        r = responsible[-1]
        r.update(resp_kind=step("responsibility").word("contractor"), resp_unit="聊城市安通管道工程有限公司")
    quiet = [r for r in rows if r.get("resp") == L.NOT_RESPONSIBLE and not str(r.get("reason") or "").startswith("2.")]
    quiet.sort(key=lambda r: r.get("closed") is not None)  # an open one first: the termination is its 办结
    if quiet:
        r = quiet[0]
        applied = (r.get("handle_done") or r.get("inv_done") or r["accepted"]).date() + timedelta(days=1)
        r.update(term_applied=applied, term_reason="已判定无责，客户仍反复来电要求赔偿", term_script="向客户说明调查结论及相关规定，如有新情况再受理",
                 term_suggest=L.NO, term_approver=fake.name(), term_approved=applied + timedelta(days=1),
                 term_status=step("termination").word("approved"))
    if rows:
        r = rows[-1]
        wrong = next(d for d in rules.department_names if d != r["dept"])
        moved.append({"no": r["no"], "at": r["accepted"] + timedelta(hours=2), "way": step("reassignment").word("move"), "from_dept": wrong,
                      "to_dept": r["dept"], "agent": AGENTS[0], "why": "受理时按表象判断为该部门，调查人发现批转有误"})
        evidence.append({"no": rows[0]["no"], "kind": step("evidence").choices("kinds")[0], "file": f"{rows[0]['no']}_现场照片.png",
                         "desc": "调查人员现场拍摄", "by": AGENTS[0], "date": rows[0]["accepted"].date(),
                         "_link": f"证据/{rows[0]['no']}_现场照片.png"})
    return rows, moved, evidence


# --- 考核表 -------------------------------------------------------------------------------


def item_rows(month: str, complaints: list[dict[str, Any]], rng: random.Random, rules: Rules) -> list[dict[str, Any]]:
    """加减分明细: praise, media praise and hand entries (complaints and late flow forms are
    not typed here: the 考核表's 汇入 sheet takes them from the 投诉台账 and the 台账)."""
    rows: list[dict[str, Any]] = []
    days = Month(month).days()
    for k in range(max(2, len(complaints) // 6)):
        rows.append({"date": rng.choice(days), "dept": _weighted(rng, DEPT_WEIGHTS), "type": L.ITEM_PRAISE, "count": rng.choice((1, 1, 2)),
                     "desc": rng.choice(("客户致电表扬", "客户送锦旗", "表扬信")), "source": f"BY{k + 1:03d}"})
    for k in range(max(1, len(complaints) // 20)):
        rows.append({"date": rng.choice(days), "dept": _weighted(rng, DEPT_WEIGHTS), "type": L.ITEM_MEDIA, "pin": rng.choice((3, 4, 5)),
                     "desc": rng.choice(("聊城日报报道抢修事迹", "聊城电视台报道")), "source": f"MT{k + 1:03d}"})
    for k in range(max(1, len(complaints) // 12)):
        rows.append({"date": rng.choice(days), "dept": _weighted(rng, DEPT_WEIGHTS), "type": L.ITEM_MANUAL, "pin": rng.choice((0.5, 1, 2)),
                     "desc": rng.choice(("服务体系建设资料未按时报送", "例会未参加")), "source": f"SG{k + 1:03d}"})
    return rows


def late_flow(row: dict[str, Any], now: datetime, rules: Rules) -> bool:
    """回访 六.1: answered after its 2-day deadline, or unanswered once the deadline passed."""
    if row.get("flow_date") is None:
        return False
    due = deadlines.flow_form_due(row["flow_date"], rules)
    done = row.get("feedback_date")
    return not deadlines.done_in_time(done, due) if done is not None else now > due


def indicator_actuals(calls: list[dict[str, Any]], rng: random.Random, rules: Rules) -> dict[tuple[str, str], tuple[Any, Any]]:
    """自评 for every row (satisfaction rows: the 台账's own rate), 审核 for ~40%.

    A row's 自评 misses its target by one of its kind's sample gaps (rules.toml [kinds]); its
    审核 is the same value, or further off by one of the kind's audit gaps.
    """
    by_type: dict[str, list[str]] = {}
    for r in calls:
        by_type.setdefault(r["business"], []).append(r["result"])
    out: dict[tuple[str, str], tuple[Any, Any]] = {}
    for dept in rules.departments:
        for ind in dept.indicators:
            kind = ind.kind_spec
            if kind.from_complaints:
                continue
            if ind.callback_type:
                rate = cb.satisfaction_rate(by_type.get(ind.callback_type, []), rules)
                self_value = round(rate, 4) if rate is not None else None
                out[(dept.name, ind.name)] = (self_value, None)
                continue
            if not kind.sample:
                continue
            target = rules.target_of(ind)
            self_value = actual_for_gap(kind, target, rng.choice(kind.sample))
            audit = None
            if rng.random() < 0.4:
                audit = actual_for_gap(kind, self_value, rng.choice(kind.audit_sample)) if kind.audit_sample else self_value
            out[(dept.name, ind.name)] = (self_value, audit)
    return out


def generate(month: str, size: SampleSize = SMALL, seed: int = 2026, rules: Rules | None = None, now: datetime | None = None) -> SampleMonth:
    """The month's synthetic records (nothing written yet)."""
    month = Month(month)
    rules = rules or load_rules()
    rng = random.Random(f"{month}:{seed}")
    fake = Fake(rng)
    data = SampleMonth(month, Path(), {}, now=now or default_now(month))
    data.callbacks = callback_rows(month, size.callbacks, rng, fake, rules)
    data.complaints = complaint_rows(month, size.complaints, rng, fake, rules)
    data.items = item_rows(month, data.complaints, rng, rules)
    course = random.Random(f"{month}:{seed}:course")  # its own RNG: the rows above stay as they were
    data.complaints, data.reassignments, data.evidence = complaint_course(month, data.complaints, course, Fake(course), rules, data.now)
    data.actuals = indicator_actuals(data.callbacks, rng, rules)
    calls = Counter(r["business"] for r in data.callbacks if r["result"] in rules.callback_valid)
    data.completed = {b.name: calls[b.name] * rng.choice((3, 4, 5)) + rng.randrange(5) if b.quota is not None else calls[b.name] for b in rules.business_types}
    return data


def make_sample_month(month: str, root: Path, size: SampleSize = SMALL, seed: int = 2026, overwrite: bool = True,
                      rules: Rules | None = None, now: datetime | None = None) -> SampleMonth:
    """Write the four workbooks of `month`, filled with synthetic data, into ``root/month``.

    The books are those `create_month` writes (same builders), filled before saving. An
    existing month folder is replaced only with ``overwrite`` (old files kept in 历史版本) and
    never while one of its workbooks is open.
    """
    rules = rules or rules_for_month(root, month)
    data = generate(month, size, seed, rules, now)
    mf = MonthFolder(root, month)
    folder = mf.path
    if folder.exists():
        if not overwrite:
            raise MonthExistsError(f"{folder} 已存在")
        _refuse_open(folder, month)
    bases = {dept.name: 1500 + 250 * (n % 3) for n, dept in enumerate(rules.departments)}  # 兼职服务津贴基数
    data.folder = folder
    data.paths = write_sample_books(mf, rules, callbacks=data.callbacks, complaints=data.complaints, items=data.items,
                                    actuals=data.actuals, completed=data.completed, allowance_bases=bases,
                                    reassignments=data.reassignments, evidence=data.evidence)
    ensure_settings_book(root)  # beside the month, as new-month leaves it
    # the office's refresh after the entries: the 考核表's 汇入 holds the ledgers' recount
    refresh_month(str(data.month), Path(root), now=data.now, rules=rules, keep_previous=False)
    return data


def default_now(month: str) -> datetime:
    """When the synthetic month is looked at: 09:00 three days after its last day."""
    return datetime.combine(Month(month).days()[-1] + timedelta(days=3), time(9))


# --- the completed-orders export (input of the daily sampling) -----------------------------


def completed_orders(day: date, n: int = 150, seed: int = 1, called: Iterable[dict[str, Any]] = (), rules: Rules | None = None) -> list[dict[str, Any]]:
    """Orders completed in the days before `day` (some too old to sample), a few of them
    for customers already called (taken from `called`, rows of a 台账)."""
    rules = rules or load_rules()
    rng = random.Random(f"export:{day}:{seed}")
    fake = Fake(rng)
    known = [r for r in called if r.get("phone")]
    rows = []
    for i in range(n):
        business = _weighted(rng, TYPE_WEIGHTS)
        done = _at(day - timedelta(days=rng.choice((0, 1, 1, 2, 2, 3, 4, 5))), rng.uniform(8, 19))
        row = {"order": f"WG{day:%Y%m%d}{i + 1:05d}", "business": business, "done_at": _minute(done), "customer": fake.name(),
               "phone": fake.phone(), "address": fake.address(), "staff": fake.name(), "dept": HOME_DEPT[business]}
        if known and rng.random() < 0.05:
            prev = rng.choice(known)
            row.update(customer=prev.get("customer"), phone=prev["phone"], address=prev.get("address"))
        rows.append(row)
    if rows:
        rows[0]["business"] = "表计更换"  # a type the policy does not call back
    return rows


def export_name(day: date) -> str:
    """The sample export's file name: ``完工工单_2026-12-03.xlsx``."""
    return f"完工工单_{day:%Y-%m-%d}.xlsx"


def write_sample_export(folder: Path, day: date, called: Iterable[dict[str, Any]] = (), n: int = 150, seed: int = 1,
                        rules: Rules | None = None) -> Path:
    """A completed-orders export (`completed_orders`) as the business system gives it, into
    ``folder/完工工单_<day>.xlsx``: orders of the days before `day`, a few for customers in
    `called` (rows of a 台账, so the 7-day rule has something to keep out)."""
    return write_completed_export(Path(folder) / export_name(day), completed_orders(day, n, seed, called, rules))


__all__ = ["BENCH", "SMALL", "SampleMonth", "SampleSize", "completed_orders", "export_name", "generate", "late_flow",
           "make_sample_month", "write_sample_export"]
