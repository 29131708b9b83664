"""The rectification (整改) of a bad rating: the open ones by due date, and their closing.

A rating of 不满意 or worse opens a rectification (``ratings.rate``), due in the store's
number of working days; a supervisor closes it with the response given to the applicant.
The dashboard lists the open ones with the working days left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.events import snapshot
from hallterm.db.models import ServiceCase, Staff
from hallterm.db.models_queue import Evaluation, Rectification, Ticket
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.permissions import require
from hallterm.domain.roles import Permission
from hallterm.i18n import _


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


def close_rectification(
    session: Session, ctx: Ctx, rectification_id: str, response: str
) -> RectificationView:
    """Close a rectification with the response given to the applicant (supervisors)."""
    require(ctx, Permission.supervise)
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
        select(Rectification, Evaluation, col(clerk.name), col(ServiceCase.number))
        .join(Evaluation, col(Evaluation.id) == col(Rectification.evaluation_id))
        .join(clerk, col(clerk.id) == col(Evaluation.clerk_id), isouter=True)
        .join(ServiceCase, col(ServiceCase.id) == col(Evaluation.case_id), isouter=True)
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
    rows = session.exec(q).all()
    ticket_ids = [ev.ticket_id for _r, ev, _c, _n in rows if ev.ticket_id]
    tickets = (
        dict(
            session.exec(
                select(Ticket.id, Ticket.number).where(col(Ticket.id).in_(ticket_ids))
            ).all()
        )
        if ticket_ids
        else {}
    )
    for rect, ev, clerk_name, case_number in rows:
        ticket_number = tickets.get(ev.ticket_id) if ev.ticket_id else None
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
