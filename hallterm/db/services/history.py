"""A deterministic demo history: days of tickets, cases in every state and ratings.

Everything goes through the real services (tickets, applicants, cases, ratings), each at its
simulated moment, so the events, the numbers and every figure are as true as in a hall.  The
same ``seed`` gives the same history (numbers, times, choices; UUIDs differ).  A day is one
write transaction.  Extra stations (county → township → village under the store's station)
make the station roll-up of the efficiency table worth looking at.

The queue of the store's own station is a small discrete-event simulation: arrivals peak in
the morning, every open window calls the next ticket as soon as it is free, some applicants do
not show up (re-queued once), some are transferred, and the service itself registers the case.
Accepted cases then follow a plan over later working days (review, sometimes a suspension,
decision, delivery), a few of them late, so the deadline lights show green, yellow and red.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from hallterm.clock import HALL_TZ, Clock, to_local
from hallterm.db.engine import Store
from hallterm.db.models import Bundle, BundleMatter, Matter, Staff, Station
from hallterm.db.models_queue import Rectification
from hallterm.db.services import SYSTEM, Actor, Ctx, ServiceError
from hallterm.db.services import cases as case_svc
from hallterm.db.services import queue as q
from hallterm.db.services import ratings
from hallterm.db.services.applicants import find_applicant, register_applicant
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.setup import get_info, set_info, upsert_station
from hallterm.db.services.staff import actor_of, create_staff
from hallterm.domain.case_states import CaseAction
from hallterm.domain.checklist import LineState
from hallterm.domain.ids import USCC_ALPHABET, resident_id_check_char, uscc_check_char
from hallterm.domain.workdays import WorkCalendar

INFO_KEY = "demo_history"
DEMO_PASSWORD = "clerk1234"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎贺顾毛郝龚邵万钱覃武戴孔汤庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍申尤毕聂柴焦向柳邢岳齐沿梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧解强丛华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄盖符奚木穆党燕郎邸冀谈姬屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花艾蓝都巩稽井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应台巫鞠僧桑荆谌银扬明沙薄伏岑习胥保和蔺"
GIVEN = (
    "伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建华 晓红 "
    "志强 海燕 建国 玉兰 文 晓梅 春花 国庆 子涵 浩然 雨桐 梓萱 俊杰 欣怡 宇航 思远 佳怡 "
    "志明 淑珍 德华 丽娟 红梅 建军 秀梅 凤英"
).split()
REGIONS = ("530402", "530421", "530422", "530423", "530424", "530425", "530426", "530427")
GOOD_COMMENTS = ("办事效率高", "服务热情周到", "一次就办好了", "", "", "", "")
BAD_COMMENTS = ("等待时间太长", "材料要求没有一次说清楚", "窗口人员态度一般", "系统故障耽误时间")
REFUSE_REASONS = ("申请事项不属于本机关职权范围", "申请人不具备申请资格")
DENY_REASONS = ("经审查不符合法定条件",)
SUSPEND_REASONS = ("需要现场核查", "需要专家评审", "需要听证")
WITHDRAW_REASONS = ("申请人主动撤回申请",)
RECTIFY_RESPONSES = (
    "已电话回访申请人并致歉，窗口已整改",
    "已对窗口人员进行提醒谈话，优化叫号安排",
    "已完善一次性告知清单",
)
LEVEL_WEIGHTS = ((5, 62), (4, 23), (3, 8), (2, 5), (1, 2))


@dataclass(frozen=True)
class HistoryInfo:
    created: bool
    days: int
    seed: int
    stations: int
    tickets: int
    cases: int
    ratings: int
    certificates: int


class _SimClock(Clock):
    """The simulation's clock: set to the moment of each action."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@dataclass
class _Applicant:
    id_type: str
    id_number: str
    name: str
    legal_rep: str = ""
    applicant_id: str | None = None


@dataclass
class _Sim:
    rng: random.Random
    clock: _SimClock
    cal: WorkCalendar
    matters: list[Matter]
    bundles: dict[str, list[str]]
    persons: list[_Applicant] = field(default_factory=list)
    entities: list[_Applicant] = field(default_factory=list)
    plans: dict[date, list[tuple[datetime, int, Callable[[Session], None]]]] = field(
        default_factory=dict
    )
    counter: itertools.count = field(default_factory=itertools.count)  # type: ignore[type-arg]
    tickets: int = 0
    cases: int = 0
    ratings: int = 0
    supervisor: Actor = SYSTEM


def _at(day: date, minutes: float) -> datetime:
    """The UTC moment ``minutes`` after local midnight of ``day``."""
    return (datetime.combine(day, time(0), HALL_TZ) + timedelta(minutes=minutes)).astimezone(UTC)


def _resident_id(rng: random.Random, today: date) -> str:
    born = date(rng.randint(1945, 2004), rng.randint(1, 12), rng.randint(1, 28))
    born = min(born, today - timedelta(days=365 * 18))
    first17 = rng.choice(REGIONS) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    return first17 + resident_id_check_char(first17)


def _uscc(rng: random.Random) -> str:
    body = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    first17 = "91" + rng.choice(REGIONS) + body
    return first17 + uscc_check_char(first17)


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _entity_name(rng: random.Random) -> str:
    trade = rng.choice(("商贸", "餐饮", "建材", "物流", "农业科技", "家政服务", "文化传媒"))
    return f"江川{rng.choice(GIVEN)}{trade}有限公司"


# -- stations and staff --------------------------------------------------------------------


def _child_stations(
    session: Session, ctx: Ctx, root: Station, count: int, rng: random.Random
) -> list[Station]:
    """``count`` stations below ``root``: per county two townships with two villages each."""
    out: list[Station] = []
    places = ("东城", "西山", "南湖", "北岭", "青龙", "白沙", "龙泉", "石桥", "柳溪", "桃源")
    c = 0
    while len(out) < count:
        c += 1
        county = upsert_station(
            session, ctx, f"{root.code}{c:02d}", f"{places[c % len(places)]}区政务服务中心",
            "county", root.code,
        )
        out.append(county)
        for t in range(1, 3):
            if len(out) >= count:
                break
            town = upsert_station(
                session, ctx, f"{county.code}{t:02d}",
                f"{places[(c + t) % len(places)]}镇便民服务中心", "township", county.code,
            )
            out.append(town)
            for v in range(1, 3):
                if len(out) >= count:
                    break
                out.append(
                    upsert_station(
                        session, ctx, f"{town.code}{v:02d}",
                        f"{rng.choice(places)}{v}村便民服务站", "village", town.code,
                    )
                )
    return out[:count]


def _clerks(session: Session, ctx: Ctx, station: Station, wanted: int) -> list[Actor]:
    """The station's clerks (with windows), made up to ``wanted`` when there are fewer."""
    rows = list(
        session.exec(
            select(Staff)
            .where(Staff.station_code == station.code, Staff.role == "clerk", Staff.active)
            .order_by(Staff.username)
        )
    )
    used = {r.window for r in rows if r.window}
    number = 1
    while len(rows) < wanted:
        while str(number) in used:
            number += 1
        username = f"clerk{len(rows) + 1}" if station.code == ctx.station_code else (
            f"clerk_{station.code}_{len(rows) + 1}"
        )
        if session.exec(select(Staff).where(Staff.username == username)).first():
            username = f"{username}_{station.code}"
        rows.append(
            create_staff(
                session,
                ctx,
                username=username,
                name=_person_name(random.Random(username)),
                role="clerk",
                password=DEMO_PASSWORD,
                station_code=station.code,
                window=str(number),
            )
        )
        used.add(str(number))
    actors = [actor_of(r) for r in rows]
    return [a if a.window else Actor(**{**a.__dict__, "window": str(i + 1)}) for i, a in enumerate(actors)]


# -- one service at the window ---------------------------------------------------------------


def _applicant(session: Session, sim: _Sim, ctx: Ctx, entity: bool) -> _Applicant:
    rng = sim.rng
    pool = sim.entities if entity else sim.persons
    if pool and rng.random() < 0.3:
        return rng.choice(pool)
    today = to_local(ctx.clock.now()).date()
    if entity:
        a = _Applicant("uscc", _uscc(rng), _entity_name(rng), legal_rep=_person_name(rng))
    else:
        a = _Applicant("resident_id", _resident_id(rng, today), _person_name(rng))
    pool.append(a)
    return a


def _ensure_registered(session: Session, ctx: Ctx, a: _Applicant) -> str:
    if a.applicant_id is None:
        found = find_applicant(session, a.id_type, a.id_number)
        if found is None:
            found = register_applicant(
                session,
                ctx,
                id_type=a.id_type,
                id_number=a.id_number,
                name=a.name,
                phone=f"13{ctx.clock.now().microsecond % 10}{abs(hash(a.id_number)) % 10**8:08d}",
                legal_rep=a.legal_rep,
            )
        a.applicant_id = found.id
    return a.applicant_id


def _pick_matter(sim: _Sim, category: str | None) -> Matter:
    fitting = [m for m in sim.matters if category is None or m.queue_category == category]
    return sim.rng.choice(fitting or sim.matters)


def _receive_all(session: Session, ctx: Ctx, case_id: str, missing: str | None = None) -> None:
    today = to_local(ctx.clock.now()).date()
    view = case_svc.load_case(session, case_id, today)
    inputs = []
    for line in view.lines:
        req = line.requirement
        if line.state == LineState.reused:
            continue
        if req.type_code == missing:
            inputs.append(case_svc.LineInput(req.type_code, LineState.missing.value, note="未带"))
        elif req.necessity == "optional":
            inputs.append(case_svc.LineInput(req.type_code, LineState.not_applicable.value))
        else:
            inputs.append(
                case_svc.LineInput(req.type_code, LineState.received.value, "original", 1)
            )
    if inputs:
        case_svc.record_lines(session, ctx, case_id, inputs)


def _serve(session: Session, sim: _Sim, ctx: Ctx, category: str | None) -> str | None:
    """The work at the window: the applicant, a case and its first decision."""
    rng = sim.rng
    use_bundle = sim.bundles and rng.random() < 0.05
    matter = _pick_matter(sim, category)
    a = _applicant(session, sim, ctx, entity=matter.audience == "entity")
    applicant_id = _ensure_registered(session, ctx, a)
    if use_bundle and not a.id_type == "uscc":
        code = rng.choice(sorted(sim.bundles))
        case_id = case_svc.start_case(session, ctx, applicant_id=applicant_id, bundle_code=code)
    else:
        case_id = case_svc.start_case(session, ctx, applicant_id=applicant_id, matter_codes=[matter.code])
    sim.cases += 1
    roll = rng.random()
    if roll < 0.03:
        return case_id  # the applicant left to fetch a document: registered only
    view = case_svc.load_case(session, case_id, to_local(ctx.clock.now()).date())
    required = [
        lv.requirement.type_code
        for lv in view.lines
        if lv.requirement.necessity == "required" and lv.state != LineState.reused
    ]
    if roll < 0.13 and required:
        missing = rng.choice(required)
        _receive_all(session, ctx, case_id, missing)
        case_svc.notify(session, ctx, case_id)
        if rng.random() < 0.6:
            _plan(sim, ctx, rng.randint(2, 6), lambda s, c=ctx: _come_back(s, sim, c, case_id))
        return case_id
    if roll < 0.17:
        case_svc.refuse(session, ctx, case_id, rng.choice(REFUSE_REASONS))
        return case_id
    _receive_all(session, ctx, case_id)
    if view.immediate:
        case_svc.complete_on_spot(session, ctx, case_id)
    else:
        case_svc.accept(session, ctx, case_id)
        _plan_case(sim, ctx, case_id)
    return case_id


def _come_back(session: Session, sim: _Sim, ctx: Ctx, case_id: str) -> None:
    """The applicant returns with what was missing: received, accepted, planned."""
    _receive_all(session, ctx, case_id)
    view = case_svc.load_case(session, case_id, to_local(ctx.clock.now()).date())
    if view.immediate:
        case_svc.complete_on_spot(session, ctx, case_id)
    else:
        case_svc.accept(session, ctx, case_id)
        _plan_case(sim, ctx, case_id)


def _plan(sim: _Sim, ctx: Ctx, working_days: int, step: Callable[[Session], None]) -> None:
    """Run ``step`` ``working_days`` after the current day, at a time in office hours."""
    today = to_local(ctx.clock.now()).date()
    day = sim.cal.add_working_days(today, working_days)
    at = _at(day, sim.rng.uniform(9 * 60, 17 * 60))
    sim.plans.setdefault(day, []).append((at, next(sim.counter), _with_clock(sim, ctx, at, step)))


def _with_clock(
    sim: _Sim, ctx: Ctx, at: datetime, step: Callable[[Session], None]
) -> Callable[[Session], None]:
    def run(session: Session) -> None:
        sim.clock.at = at
        try:
            with session.begin_nested():
                step(session)
        except ServiceError:
            pass  # the case moved on meanwhile (e.g. withdrawn): the plan step lapses

    return run


def _plan_case(sim: _Sim, ctx: Ctx, case_id: str) -> None:
    """Review, maybe a suspension, the decision (sometimes late) and the delivery."""
    rng = sim.rng
    limit = 1
    offset = 1

    def move(action: CaseAction, reason: str = "") -> Callable[[Session], None]:
        return lambda s: case_svc.advance(s, ctx, case_id, action, reason)

    def first(session: Session) -> None:
        nonlocal limit
        case_row = case_svc.load_case(session, case_id, to_local(ctx.clock.now()).date())
        limit = case_row.limit_days or 1

    _plan(sim, ctx, 1, move(CaseAction.start_review))
    today = to_local(ctx.clock.now()).date()
    # The limit is known from the catalog at acceptance; read it through the due date.
    limit = max(1, sim.cal.working_days_between(today, _due_of(sim, ctx, case_id, today)))
    stopped = 0
    if rng.random() < 0.1:
        start = rng.randint(1, max(1, limit - 1))
        stopped = rng.randint(2, 5)
        _plan(sim, ctx, start, move(CaseAction.suspend, rng.choice(SUSPEND_REASONS)))
        _plan(sim, ctx, start + stopped, move(CaseAction.resume))
        offset = start + stopped
    late = rng.random() < 0.08
    decide = (limit + stopped + rng.randint(1, 3)) if late else rng.randint(offset, max(offset, limit + stopped))
    decide = max(decide, offset + 1 if stopped else 1)
    roll = rng.random()
    if roll < 0.03:
        _plan(sim, ctx, decide, move(CaseAction.withdraw, rng.choice(WITHDRAW_REASONS)))
        return
    action = CaseAction.deny if roll < 0.08 else CaseAction.approve
    _plan(sim, ctx, decide, move(action, rng.choice(DENY_REASONS) if action is CaseAction.deny else ""))
    _plan(sim, ctx, decide + rng.randint(0, 3), move(CaseAction.deliver))
    if rng.random() < 0.25:
        _plan(sim, ctx, decide + 4, lambda s: _rate(s, sim, ctx, case_id=case_id))
    del first


def _due_of(sim: _Sim, ctx: Ctx, case_id: str, today: date) -> date:
    due = sim.due_cache.pop(case_id, None) if hasattr(sim, "due_cache") else None
    return due or today


def _rate(
    session: Session, sim: _Sim, ctx: Ctx, *, case_id: str | None = None, ticket_id: str | None = None
) -> None:
    rng = sim.rng
    level = rng.choices([lv for lv, _w in LEVEL_WEIGHTS], [w for _lv, w in LEVEL_WEIGHTS])[0]
    comment = rng.choice(BAD_COMMENTS if level <= 2 else GOOD_COMMENTS)
    try:
        with session.begin_nested():
            ratings.rate(session, ctx, level=level, comment=comment, case_id=case_id, ticket_id=ticket_id)
        sim.ratings += 1
    except ServiceError:
        pass
