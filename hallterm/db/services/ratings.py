"""好差评: the applicant's rating at the window, and the rectification of a bad one.

Five levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.  A rating belongs to the
case and/or the ticket, the window and the clerk who served.  A bad rating (不满意 or worse)
opens a rectification due in 15 working days, tracked until a supervisor closes it with the
response given to the applicant.  "Satisfied" in the figures means level 3 or better.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.events import append_event, snapshot
from hallterm.db.models import ServiceCase, Staff
from hallterm.db.models_queue import Evaluation, Rectification, Ticket
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.calendar import calendar_for
from hallterm.domain.roles import Permission, allowed
from hallterm.i18n import N_, _

LEVELS: dict[int, str] = {
    5: N_("very satisfied"),
    4: N_("satisfied"),
    3: N_("basically satisfied"),
    2: N_("dissatisfied"),
    1: N_("very dissatisfied"),
}
BAD_AT_OR_BELOW = 2  # 不满意 and 非常不满意 open a rectification
SATISFIED_FROM = 3  # 基本满意 and better count as satisfied
RECTIFY_WORKING_DAYS = 15
MAX_COMMENT = 500


def level_label(level: int) -> str:
    return _(LEVELS[level])


@dataclass(frozen=True)
class RatingView:
    id: str
    level: int
    comment: str
    case_id: str | None
    ticket_id: str | None
    window: str
    clerk_id: str | None
    at: datetime
    rectification_id: str | None
    rectification_due: date | None


@dataclass(frozen=True)
class RectificationView:
    id: str
    evaluation_id: str
    station_code: str
    level: int
    comment: str
    window: str
    clerk_name: str
    case_id: str | None
    case_number: str | None
    ticket_number: str | None
    rated_at: datetime
    opened_at: datetime
    due_date: date
    days_left: int
    response: str
    closed_at: datetime | None
    closed_by: str

    @property
    def overdue(self) -> bool:
        return self.closed_at is None and self.days_left < 0


def rate(
    session: Session,
    ctx: Ctx,
    *,
    level: int,
    comment: str = "",
    case_id: str | None = None,
    ticket_id: str | None = None,
    window: str | None = None,
    clerk_id: str | None = None,
) -> RatingView:
    """Record a rating; window and clerk default to those of the ticket, else the actor."""
    if level not in LEVELS:
        raise ServiceError(_("a rating is a level from 1 to 5, got {level}").format(level=level))
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ServiceError(
            _("the comment is too long (at most {n} characters)").format(n=MAX_COMMENT)
        )
    ticket = session.get(Ticket, ticket_id) if ticket_id else None
    if ticket_id and ticket is None:
        raise ServiceError(_("no such ticket"))
    if ticket is not None:
        case_id = case_id or ticket.case_id
        if session.exec(select(Evaluation.id).where(Evaluation.ticket_id == ticket.id)).first():
            raise ServiceError(
                _("ticket {number} has already been rated").format(number=ticket.number)
            )
    if case_id is not None:
        if session.get(ServiceCase, case_id) is None:
            raise ServiceError(_("no such case"))
        if (
            ticket is None
            and session.exec(
                select(Evaluation.id).where(
                    Evaluation.case_id == case_id, col(Evaluation.ticket_id).is_(None)
                )
            ).first()
        ):
            raise ServiceError(_("this case has already been rated"))
    if case_id is None and ticket is None:
        raise ServiceError(_("a rating needs the case or the ticket it is about"))
    now = ctx.clock.now()
    ev = Evaluation(
        id=str(uuid.uuid4()),
        station_code=ctx.station_code,
        case_id=case_id,
        ticket_id=ticket.id if ticket else None,
        window=window or (ticket.window if ticket else None) or ctx.actor.window,
        clerk_id=clerk_id or (ticket.clerk_id if ticket else None) or ctx.actor.staff_id or None,
        level=level,
        comment=comment,
        at=now,
    )
    session.add(ev)
    session.flush()
    rows = [snapshot(ev)]
    rect = None
    if level <= BAD_AT_OR_BELOW:
        today = to_local(now).date()
        rect = Rectification(
            id=str(uuid.uuid4()),
            evaluation_id=ev.id,
            station_code=ctx.station_code,
            opened_at=now,
            due_date=calendar_for(session).add_working_days(today, RECTIFY_WORKING_DAYS),
            response="",
        )
        session.add(rect)
        session.flush()
        rows.append(snapshot(rect))
    append_event(
        session,
        station_code=ctx.station_code,
        entity="evaluation",
        entity_id=ev.id,
        kind="evaluation.rated",
        payload={
            "level": level,
            "case_id": case_id,
            "ticket_id": ev.ticket_id,
            "window": ev.window,
            "rectification": rect.id if rect else None,
            "rows": rows,
        },
        actor=ctx.actor.username,
        at=now,
    )
    return RatingView(
        ev.id,
        ev.level,
        ev.comment,
        ev.case_id,
        ev.ticket_id,
        ev.window,
        ev.clerk_id,
        ev.at,
        rect.id if rect else None,
        rect.due_date if rect else None,
    )


def close_rectification(
    session: Session, ctx: Ctx, rectification_id: str, response: str
) -> RectificationView:
    """Close a rectification with the response given to the applicant (supervisors)."""
    if not allowed(ctx.actor.role, Permission.supervise):
        raise ServiceError(_("only a supervisor may close a rectification"))
    response = response.strip()
    if not response:
        raise ServiceError(_("write the response given to the applicant"))
    row = session.exec(
        select(Rectification).where(Rectification.id == rectification_id).with_for_update()
    ).first()
    if row is None:
        raise ServiceError(_("no such rectification"))
    if row.closed_at is not None:
        raise ServiceError(_("this rectification is already closed"))
    base = row.version
    row.version += 1
    row.response = response
    row.closed_at = ctx.clock.now()
    row.closed_by = ctx.actor.username
    session.add(row)
    session.flush()
    record_event(
        session,
        ctx,
        entity="rectification",
        entity_id=row.id,
        kind="rectification.closed",
        payload={"evaluation_id": row.evaluation_id, "rows": [snapshot(row, base)]},
    )
    return rectifications(session, today=to_local(ctx.clock.now()).date(), ids=[row.id])[0]


def rectifications(
    session: Session,
    *,
    today: date,
    station_code: str | None = None,
    open_only: bool = False,
    ids: list[str] | None = None,
    limit: int = 200,
    calendar: Any = None,
) -> list[RectificationView]:
    """Rectifications, oldest due first (open ones only on request).

    ``calendar``: anything with ``working_days_left`` (default: the store's calendar).
    """
    clerk = aliased(Staff)
    q = (
        sa_select(
            Rectification, Evaluation, col(clerk.name), col(ServiceCase.number), col(Ticket.number)
        )
        .join(Evaluation, col(Evaluation.id) == Rectification.evaluation_id)
        .join(clerk, col(clerk.id) == Evaluation.clerk_id, isouter=True)
        .join(ServiceCase, col(ServiceCase.id) == Evaluation.case_id, isouter=True)
        .join(Ticket, col(Ticket.id) == Evaluation.ticket_id, isouter=True)
    )
    if station_code:
        q = q.where(col(Rectification.station_code) == station_code)
    if open_only:
        q = q.where(col(Rectification.closed_at).is_(None))
    if ids is not None:
        q = q.where(col(Rectification.id).in_(ids))
    q = q.order_by(col(Rectification.due_date), col(Rectification.opened_at)).limit(limit)
    cal = calendar or calendar_for(session)
    out = []
    found = cast(
        "list[tuple[Rectification, Evaluation, str | None, str | None, str | None]]",
        session.execute(q).all(),
    )
    for rect, ev, clerk_name, case_number, ticket_number in found:
        out.append(
            RectificationView(
                id=rect.id,
                evaluation_id=ev.id,
                station_code=rect.station_code,
                level=ev.level,
                comment=ev.comment,
                window=ev.window,
                clerk_name=clerk_name or "",
                case_id=ev.case_id,
                case_number=case_number,
                ticket_number=ticket_number,
                rated_at=ev.at,
                opened_at=rect.opened_at,
                due_date=rect.due_date,
                days_left=cal.working_days_left(today, rect.due_date),
                response=rect.response,
                closed_at=rect.closed_at,
                closed_by=rect.closed_by,
            )
        )
    return out


def ratings_of_case(session: Session, case_id: str) -> list[RatingView]:
    rows = session.exec(
        select(Evaluation, Rectification)
        .join(Rectification, col(Rectification.evaluation_id) == Evaluation.id, isouter=True)
        .where(Evaluation.case_id == case_id)
        .order_by(col(Evaluation.at))
    ).all()
    return [
        RatingView(
            ev.id,
            ev.level,
            ev.comment,
            ev.case_id,
            ev.ticket_id,
            ev.window,
            ev.clerk_id,
            ev.at,
            rect.id if rect else None,
            rect.due_date if rect else None,
        )
        for ev, rect in rows
    ]
