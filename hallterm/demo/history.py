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
Given the station's signing key, an approved case whose matter yields a certificate gets it
(through ``services.certificates`` when that part is installed).
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from hallterm.clock import HALL_TZ, Clock, to_local
from hallterm.db.engine import Store
from hallterm.db.models import Bundle, BundleMatter, Matter, ServiceCase, Staff, Station
from hallterm.db.models_queue import Rectification
from hallterm.db.services import SYSTEM, Actor, Ctx, ServiceError, ratings
from hallterm.db.services import cases as case_svc
from hallterm.db.services import queue as q
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

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
)
GIVEN = [
    "伟",
    "芳",
    "娜",
    "秀英",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓红",
    "志强",
    "海燕",
    "建国",
    "玉兰",
    "文",
    "晓梅",
    "春花",
    "国庆",
    "子涵",
    "浩然",
    "雨桐",
    "梓萱",
    "俊杰",
    "欣怡",
    "宇航",
    "思远",
    "佳怡",
    "志明",
    "淑珍",
    "德华",
    "丽娟",
    "红梅",
    "建军",
    "秀梅",
    "凤英",
]
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
    counter: itertools.count[int] = field(default_factory=itertools.count)
    tickets: int = 0
    cases: int = 0
    ratings: int = 0
    supervisor: Actor = SYSTEM
    signer: Any = None  # the station's KeyBundle: approved cases get their certificate
    root: str = ""
    certificates: int = 0


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
            session,
            ctx,
            f"{root.code}{c:02d}",
            f"{places[c % len(places)]}区政务服务中心",
            "county",
            root.code,
        )
        out.append(county)
        for t in range(1, 3):
            if len(out) >= count:
                break
            town = upsert_station(
                session,
                ctx,
                f"{county.code}{t:02d}",
                f"{places[(c + t) % len(places)]}镇便民服务中心",
                "township",
                county.code,
            )
            out.append(town)
            for v in range(1, 3):
                if len(out) >= count:
                    break
                out.append(
                    upsert_station(
                        session,
                        ctx,
                        f"{town.code}{v:02d}",
                        f"{rng.choice(places)}{v}村便民服务站",
                        "village",
                        town.code,
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
        username = (
            f"clerk{len(rows) + 1}"
            if station.code == ctx.station_code
            else (f"clerk_{station.code}_{len(rows) + 1}")
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
    return [
        a if a.window else Actor(**{**a.__dict__, "window": str(i + 1)})
        for i, a in enumerate(actors)
    ]


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


def _agent(a: _Applicant) -> case_svc.AgentInput | None:
    """An entity's 经办人: its legal representative, with an ID made from the entity's code
    (no draw from the random stream, so the history stays the same)."""
    if a.id_type != "uscc":
        return None
    first17 = "329900" + "19800101" + f"{sum(map(ord, a.id_number)) % 1000:03d}"
    return case_svc.AgentInput(
        a.legal_rep, "resident_id", first17 + resident_id_check_char(first17)
    )


def _ensure_registered(session: Session, ctx: Ctx, a: _Applicant) -> str:
    if a.applicant_id is None:
        found = find_applicant(session, ctx, a.id_type, a.id_number)
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


def _receive_all(
    session: Session, ctx: Ctx, view: case_svc.CaseView, missing: str | None = None
) -> None:
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
            inputs.append(case_svc.LineInput.in_full(req))
    if inputs:
        case_svc.record_lines(session, ctx, view.id, inputs)


def _serve(session: Session, sim: _Sim, ctx: Ctx, category: str | None) -> str | None:
    """The work at the window: the applicant, a case and its first decision."""
    rng = sim.rng
    matter = _pick_matter(sim, category)
    a = _applicant(session, sim, ctx, entity=matter.audience == "entity")
    applicant_id = _ensure_registered(session, ctx, a)
    if sim.bundles and a.id_type != "uscc" and rng.random() < 0.05:
        code = rng.choice(sorted(sim.bundles))
        case_id = case_svc.start_case(session, ctx, applicant_id=applicant_id, bundle_code=code)
    else:
        case_id = case_svc.start_case(
            session, ctx, applicant_id=applicant_id, matter_codes=[matter.code], agent=_agent(a)
        )
    sim.cases += 1
    roll = rng.random()
    if roll < 0.03:
        return case_id  # the applicant left to fetch a document: registered only
    today = to_local(ctx.clock.now()).date()
    view = case_svc.load_case(session, ctx, case_id, today)
    required = [
        lv.requirement.type_code
        for lv in view.lines
        if lv.requirement.necessity == "required" and lv.state != LineState.reused
    ]
    if roll < 0.13 and required:
        _receive_all(session, ctx, view, rng.choice(required))
        case_svc.notify(session, ctx, case_id)
        if rng.random() < 0.6:
            _plan(sim, ctx, rng.randint(2, 6), lambda s: _come_back(s, sim, ctx, case_id))
        return case_id
    if roll < 0.17:
        case_svc.refuse(session, ctx, case_id, rng.choice(REFUSE_REASONS))
        return case_id
    _decide_at_window(session, sim, ctx, view)
    return case_id


def _decide_at_window(session: Session, sim: _Sim, ctx: Ctx, view: case_svc.CaseView) -> None:
    case_id = view.id
    _receive_all(session, ctx, view)
    if view.immediate:
        case_svc.complete_on_spot(session, ctx, case_id)
    else:
        case_svc.accept(session, ctx, case_id)
        _plan_case(session, sim, ctx, case_id)


def _come_back(session: Session, sim: _Sim, ctx: Ctx, case_id: str) -> None:
    """The applicant returns with what was missing: received, decided, planned."""
    today = to_local(ctx.clock.now()).date()
    _decide_at_window(session, sim, ctx, case_svc.load_case(session, ctx, case_id, today))


def _plan(sim: _Sim, ctx: Ctx, working_days: int, step: Callable[[Session], None]) -> None:
    """Run ``step`` ``working_days`` after the current day, at a time in office hours."""
    today = to_local(ctx.clock.now()).date()
    day = sim.cal.add_working_days(today, working_days)
    at = _at(day, sim.rng.uniform(9 * 60, 17 * 60))
    sim.plans.setdefault(day, []).append((at, next(sim.counter), step))


def _plan_case(session: Session, sim: _Sim, ctx: Ctx, case_id: str) -> None:
    """Review, maybe a suspension, the decision (sometimes late) and the delivery."""
    rng = sim.rng
    case_row = session.get(ServiceCase, case_id)
    limit = max(1, (case_row.limit_days if case_row else 0) or 1)

    def move(action: CaseAction, reason: str = "") -> Callable[[Session], None]:
        return lambda s: case_svc.advance(s, ctx, case_id, action, reason)

    _plan(sim, ctx, 1, move(CaseAction.start_review))
    stopped = 0
    earliest = 1
    if limit > 1 and rng.random() < 0.1:
        start = rng.randint(1, limit - 1) + 1  # after the review started
        stopped = rng.randint(2, 5)
        _plan(sim, ctx, start, move(CaseAction.suspend, rng.choice(SUSPEND_REASONS)))
        _plan(sim, ctx, start + stopped, move(CaseAction.resume))
        earliest = start + stopped
    if rng.random() < 0.08:  # late: decided after the due date
        decide = limit + stopped + rng.randint(1, 3)
    else:
        decide = rng.randint(earliest, max(earliest, limit + stopped))
    decide = max(decide, earliest + (1 if stopped else 0), 1)
    roll = rng.random()
    if roll < 0.03:
        _plan(sim, ctx, decide, move(CaseAction.withdraw, rng.choice(WITHDRAW_REASONS)))
        return
    # 受理 and 审批 apart: the station's approver decides what its clerk accepted.
    actx = _approver(ctx)
    if roll < 0.08:
        reason = rng.choice(DENY_REASONS)
        _plan(sim, ctx, decide, lambda s: case_svc.advance(s, actx, case_id, "deny", reason))
    else:
        _plan(sim, ctx, decide, lambda s: _approve(s, sim, actx, case_id))
    _plan(sim, ctx, decide + rng.randint(0, 3), move(CaseAction.deliver))
    if rng.random() < 0.25:
        _plan(sim, ctx, decide + 4, lambda s: _rate(s, sim, ctx, case_id=case_id))


# Values a clerk types that the case does not know (realistic ones: the demo prints them).
CERTIFICATE_DEFAULTS = {
    "scope": "预包装食品销售（含冷藏冷冻食品）；热食类食品制售；自制饮品制售",
    "residence": "江川市南门街18号",
    "address": "江川市南门街18号",
    "format": "小餐饮",
    "kind": "有限责任公司（自然人投资或控股）",
    "category": "肢体",
    "grade": "三级",
    "manager": "王建国",
    "quality": "李秀英",
    "area": "江川市城区",
    "floor_area": "120.5平方米",
    "spouse": "周建平",
    "spouse_id": "330299********0015",
    "baby": "周小满",
    "sex": "女",
    "born_at": "2026年11月20日8时30分",
    "birthplace": "江川市",
    "institution": "江川市人民医院",
    "workplace": "江川市人民医院",
    "project": "江川市南门街综合楼",
    "location": "江川市南门街18号",
    "scale": "地上6层，建筑面积8600平方米",
    "price": "3200万元",
    "builder": "江川市第一建筑工程有限公司",
    "supervision": "江川市建设监理有限公司",
    "period": "540日历天",
    "units": "48套",
    "use": "住宅",
    "sharing": "单独所有",
    "unit": "329900001001GB00001F00010001",
    "right": "国有建设用地使用权/房屋所有权",
    "nature": "出让/市场化商品房",
    "term": "2096年11月19日止",
    "matter": "抵押权",
    "obligor": "江川市南门街住户",
    "plate": "浙J·D1234",
    "vehicle": "重型厢式货车",
    "status": "登记失业",
}


def _approver(ctx: Ctx) -> Ctx:
    """The station's approver (审批人员), who decides the cases its clerks accepted."""
    actor = replace(ctx.actor, staff_id="", username="approver", name="审批人员", role="approver")
    return Ctx(actor=actor, station_code=ctx.station_code, clock=ctx.clock)


def _approve(session: Session, sim: _Sim, ctx: Ctx, case_id: str) -> None:
    """Approve; with a signing key, issue the case's certificate (when its matter has one)."""
    case_svc.advance(session, ctx, case_id, CaseAction.approve)
    if sim.signer is None or ctx.station_code != sim.root:
        return
    try:
        from hallterm.db.services import certificates
    except ImportError:  # certificates are another part of hallterm
        return
    try:
        draft = certificates.issue_draft(session, case_id)
    except ServiceError:
        return  # this matter yields no certificate
    fields = {
        f.key: draft.values.get(f.key) or CERTIFICATE_DEFAULTS.get(f.key, "—")
        for f in draft.fields
        if f.required
    }
    try:
        with session.begin_nested():
            certificates.issue_certificate(session, ctx, case_id, fields, sim.signer)
        sim.certificates += 1
    except ServiceError:
        pass


def _rate(
    session: Session,
    sim: _Sim,
    ctx: Ctx,
    *,
    case_id: str | None = None,
    ticket_id: str | None = None,
) -> None:
    rng = sim.rng
    level = rng.choices([lv for lv, _w in LEVEL_WEIGHTS], [w for _lv, w in LEVEL_WEIGHTS])[0]
    comment = rng.choice(BAD_COMMENTS if level <= 2 else GOOD_COMMENTS)
    ratings.rate(
        session,
        ratings.applicant_ctx(ctx),  # the applicant rates, on the window's rating terminal
        level=level,
        comment=comment,
        case_id=case_id,
        ticket_id=ticket_id,
        clerk_id=ctx.actor.staff_id or None,
    )
    sim.ratings += 1


# -- one day -----------------------------------------------------------------------------------


class _Day:
    """The timed actions of one day, run in time order (plans, arrivals, window events)."""

    def __init__(self, sim: _Sim, until: datetime | None) -> None:
        self.sim = sim
        self.until = until
        self.heap: list[tuple[datetime, int, Callable[[Session], None]]] = []

    def at(self, when: datetime, action: Callable[[Session], None]) -> None:
        heapq.heappush(self.heap, (when, next(self.sim.counter), action))

    def run(self, session: Session) -> None:
        while self.heap:
            when, _n, action = heapq.heappop(self.heap)
            if self.until is not None and when > self.until:
                continue  # the future of today: left undone (the live queue)
            self.sim.clock.at = when
            try:
                with session.begin_nested():
                    action(session)
            except ServiceError:
                pass  # the world moved on (e.g. a withdrawn case): this step lapses


def _queue_day(
    day_runner: _Day,
    sim: _Sim,
    station: Station,
    clerks: list[Actor],
    categories: list[str],
    day: date,
    per_day: int,
) -> None:
    """Arrivals at the kiosk and the windows that serve them."""
    rng = sim.rng
    free = {a.window: True for a in clerks}
    by_window = {a.window: a for a in clerks}

    def ctx_of(actor: Actor) -> Ctx:
        return Ctx(actor=actor, station_code=station.code, clock=sim.clock)

    def dispatch(session: Session) -> None:
        for window, is_free in sorted(free.items()):
            if not is_free:
                continue
            ctx = ctx_of(by_window[window])
            ticket = q.call_next(session, ctx, window)
            if ticket is None:
                return  # every window serves every line: the lines are empty
            free[window] = False
            now = sim.clock.now()
            if rng.random() < 0.06:
                day_runner.at(now + timedelta(minutes=3), _no_show(ticket.id, window))
            else:
                delay = timedelta(minutes=rng.uniform(0.5, 2.5))
                day_runner.at(now + delay, _show_up(ticket.id, ticket.category, window))

    def _no_show(ticket_id: str, window: str) -> Callable[[Session], None]:
        def run(session: Session) -> None:
            free[window] = True
            q.no_show(session, ctx_of(by_window[window]), ticket_id)
            dispatch(session)

        return run

    def _show_up(ticket_id: str, category: str, window: str) -> Callable[[Session], None]:
        def run(session: Session) -> None:
            ctx = ctx_of(by_window[window])
            if q.get_ticket(session, ticket_id).priority_to_confirm:
                q.confirm_priority(session, ctx, ticket_id, granted=True)  # checked at the call
            q.start_service(session, ctx, ticket_id)
            if len(categories) > 1 and rng.random() < 0.04:
                other = rng.choice([c for c in categories if c != category])
                day_runner.at(
                    sim.clock.now() + timedelta(minutes=rng.uniform(1, 3)),
                    _transfer(ticket_id, other, window),
                )
                return
            case_id = _serve(session, sim, ctx, category)
            minutes = rng.uniform(6, 24)
            day_runner.at(
                sim.clock.now() + timedelta(minutes=minutes), _finish(ticket_id, case_id, window)
            )

        return run

    def _transfer(ticket_id: str, category: str, window: str) -> Callable[[Session], None]:
        def run(session: Session) -> None:
            free[window] = True
            q.transfer(session, ctx_of(by_window[window]), ticket_id, category=category)
            dispatch(session)

        return run

    def _finish(ticket_id: str, case_id: str | None, window: str) -> Callable[[Session], None]:
        def run(session: Session) -> None:
            ctx = ctx_of(by_window[window])
            free[window] = True
            q.finish(session, ctx, ticket_id, case_id=case_id)
            if rng.random() < 0.7:
                _rate(session, sim, ctx, ticket_id=ticket_id)
            dispatch(session)

        return run

    def _arrive(category: str, priority: bool, appointment: bool) -> Callable[[Session], None]:
        def run(session: Session) -> None:
            kiosk = Ctx(actor=SYSTEM, station_code=station.code, clock=sim.clock)
            number = None
            if rng.random() < 0.5:
                number = _applicant(session, sim, kiosk, entity=False).id_number
            q.issue_ticket(
                session,
                kiosk,
                category,
                priority=priority,
                appointment=appointment,
                id_number=number,
            )
            sim.tickets += 1
            dispatch(session)

        return run

    count = max(1, int(per_day * rng.uniform(0.7, 1.3)))
    weights = [5, 3, 4, 2, 3, 2, 2, 1][: len(categories)] or [1]
    for _ in range(count):
        minutes = rng.triangular(8.5 * 60, 16.5 * 60, 9.5 * 60)
        category = rng.choices(categories, weights[: len(categories)])[0]
        day_runner.at(
            _at(day, minutes),
            _arrive(category, rng.random() < 0.08, rng.random() < 0.12),
        )


def _station_cases(day_runner: _Day, sim: _Sim, station: Station, clerk: Actor, day: date) -> None:
    """A township or village station: a few cases a day, no queue."""
    rng = sim.rng
    ctx = Ctx(actor=clerk, station_code=station.code, clock=sim.clock)
    for _ in range(rng.randint(0, 4)):

        def run(session: Session) -> None:
            case_id = _serve(session, sim, ctx, None)
            if case_id and rng.random() < 0.5:
                _rate(session, sim, ctx, case_id=case_id)

        day_runner.at(_at(day, rng.uniform(9 * 60, 16.5 * 60)), run)


def _close_rectifications(session: Session, sim: _Sim, today: date) -> None:
    """The supervisor answers most bad ratings within a few days."""
    rows = session.exec(select(Rectification).where(col(Rectification.closed_at).is_(None))).all()
    for row in rows:
        opened = to_local(row.opened_at).date()
        if sim.cal.working_days_between(opened, today) >= 2 and sim.rng.random() < 0.35:
            ctx = Ctx(actor=sim.supervisor, station_code=row.station_code, clock=sim.clock)
            sim.clock.at = _at(today, sim.rng.uniform(16 * 60, 17 * 60))
            ratings.close_rectification(session, ctx, row.id, sim.rng.choice(RECTIFY_RESPONSES))


# -- the whole history -------------------------------------------------------------------------


def generate_history(
    store: Store,
    *,
    days: int,
    seed: int,
    clock: Clock | None = None,
    extra_stations: int = 0,
    tickets_per_day: int = 40,
    progress: Callable[[date], None] | None = None,
    signer: Any = None,
) -> HistoryInfo:
    """Fill ``store`` (station set up, catalog imported) with ``days`` days of history.

    Runs once per store: a second call only reports what the first recorded.
    """
    real = clock or Clock()
    now = real.now()
    today = to_local(now).date()
    rng = random.Random(seed)
    sim_clock = _SimClock(_at(today - timedelta(days=days + 1), 8 * 60))
    with store.write() as session:
        done = get_info(session, INFO_KEY)
        if done:
            parts = dict(p.split("=", 1) for p in done.split(";") if "=" in p)
            return HistoryInfo(
                created=False,
                days=int(parts.get("days", 0)),
                seed=int(parts.get("seed", 0)),
                stations=int(parts.get("stations", 0)),
                tickets=int(parts.get("tickets", 0)),
                cases=int(parts.get("cases", 0)),
                ratings=int(parts.get("ratings", 0)),
                certificates=int(parts.get("certificates", 0)),
            )
        own_code = get_info(session, "station_code")
        root = session.get(Station, own_code) if own_code else None
        if root is None:
            raise ServiceError("the store has no station yet; run: hallterm init")
        setup_ctx = Ctx(actor=SYSTEM, station_code=root.code, clock=sim_clock)
        matters = list(session.exec(select(Matter).order_by(col(Matter.position))))
        if not matters:
            raise ServiceError("the store has no catalog yet")
        bundles: dict[str, list[str]] = {}
        for bm in session.exec(select(BundleMatter).order_by(col(BundleMatter.position))):
            bundles.setdefault(bm.bundle_code, []).append(bm.matter_code)
        bundles = {k: v for k, v in bundles.items() if session.get(Bundle, k) is not None}
        sim = _Sim(
            rng=rng,
            clock=sim_clock,
            cal=calendar_for(session),
            matters=matters,
            bundles=bundles,
            signer=signer,
            root=root.code,
        )
        supervisor = session.exec(
            select(Staff).where(Staff.role == "supervisor", Staff.station_code == root.code)
        ).first()
        sim.supervisor = actor_of(supervisor) if supervisor else SYSTEM
        children = _child_stations(session, setup_ctx, root, extra_stations, rng)
        main_clerks = _clerks(session, setup_ctx, root, 3)
        child_clerks = {s.code: _clerks(session, setup_ctx, s, 1)[0] for s in children}
        categories = [c.code for c in q.categories(session)]
        for actor in main_clerks:
            ctx = Ctx(actor=actor, station_code=root.code, clock=sim_clock)
            q.set_window(session, ctx, actor.window, status=q.WindowStatus.open)
    # Each day is one transaction, so a long history never holds the store for long.
    for offset in range(days, -1, -1):
        day = today - timedelta(days=offset)
        until = now if offset == 0 else None
        runner = _Day(sim, until)
        for at, n, step in sim.plans.pop(day, []):
            heapq.heappush(runner.heap, (at, n, step))
        if sim.cal.is_workday(day):
            if categories:
                _queue_day(runner, sim, root, main_clerks, categories, day, tickets_per_day)
            for st in children:
                _station_cases(runner, sim, st, child_clerks[st.code], day)
        with store.write() as session:
            runner.run(session)
            if until is None:
                _close_rectifications(session, sim, day)
        if progress is not None:
            progress(day)
    with store.write() as session:
        record = (
            f"days={days};seed={seed};stations={len(children)};tickets={sim.tickets};"
            f"cases={sim.cases};ratings={sim.ratings};certificates={sim.certificates}"
        )
        set_info(session, INFO_KEY, record)
    return HistoryInfo(
        created=True,
        days=days,
        seed=seed,
        stations=len(children),
        tickets=sim.tickets,
        cases=sim.cases,
        ratings=sim.ratings,
        certificates=sim.certificates,
    )
