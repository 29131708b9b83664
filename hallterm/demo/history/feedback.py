"""The demo history's ratings and the supervisor's answers to the bad ones (rectifications)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.models_queue import Rectification
from hallterm.db.services import Ctx, ratings
from hallterm.db.services.rectification import close_rectification
from hallterm.demo.history.state import Sim, local_moment

GOOD_COMMENTS = ("办事效率高", "服务热情周到", "一次就办好了", "", "", "", "")
BAD_COMMENTS = ("等待时间太长", "材料要求没有一次说清楚", "窗口人员态度一般", "系统故障耽误时间")
RECTIFY_RESPONSES = (
    "已电话回访申请人并致歉，窗口已整改",
    "已对窗口人员进行提醒谈话，优化叫号安排",
    "已完善一次性告知清单",
)
LEVEL_WEIGHTS = ((5, 62), (4, 23), (3, 8), (2, 5), (1, 2))


def rate_service(
    session: Session,
    sim: Sim,
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


def close_rectifications(session: Session, sim: Sim, today: date) -> None:
    """The supervisor answers most bad ratings within a few days."""
    rows = session.exec(select(Rectification).where(col(Rectification.closed_at).is_(None))).all()
    for row in rows:
        opened = to_local(row.opened_at).date()
        if sim.cal.working_days_between(opened, today) >= 2 and sim.rng.random() < 0.35:
            ctx = Ctx(actor=sim.supervisor, station_code=row.station_code, clock=sim.clock)
            sim.clock.at = local_moment(today, sim.rng.uniform(16 * 60, 17 * 60))
            close_rectification(session, ctx, row.id, sim.rng.choice(RECTIFY_RESPONSES))
