"""Interaction items as plain data: one item, lists, searches and the open/overdue counts.

An item's view carries its deadline state on a given day (working days left, the light).
Reads of items are reads of personal data: they need ``Permission.read_personal``.  The
contact phone is stored encrypted and shown masked (138****5678); a search does not look
into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.models import Matter
from hallterm.db.models_interaction import InteractionItem
from hallterm.db.privacy.personal import ENCRYPTED, open_station_field
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.permissions import require
from hallterm.domain.ids import mask_phone
from hallterm.domain.roles import Permission
from hallterm.domain.workdays import WorkCalendar, deadline_light
from hallterm.i18n import _

# Open items turn yellow this many working days before they are due.
YELLOW_AT = 1


@dataclass(frozen=True)
class InteractionView:
    """One item as plain data, with its deadline state on ``today``."""

    id: str
    number: str
    station_code: str
    kind: str
    channel: str
    subject: str
    matter_code: str | None
    matter_name: str
    content: str
    contact_name: str
    contact_phone: str  # masked
    taken_by: str
    taken_by_name: str
    taken_at: datetime
    reply_days: int
    reply_due: date
    reply: str
    replied_by: str | None
    replied_by_name: str
    replied_at: datetime | None
    days_left: int | None  # working days to the deadline (open items only)
    light: Literal["green", "yellow", "red", "done"]
    overdue: bool  # open and past its deadline
    replied_late: bool

    @property
    def is_open(self) -> bool:
        return self.replied_at is None


def view_of(
    session: Session, row: InteractionItem, today: date, cal: WorkCalendar | None = None
) -> InteractionView:
    matter = session.get(Matter, row.matter_code) if row.matter_code else None
    days_left: int | None = None
    overdue = False
    replied_late = False
    light: Literal["green", "yellow", "red", "done"] = "done"
    if row.replied_at is None:
        days_left = (cal or calendar_for(session)).working_days_left(today, row.reply_due)
        overdue = today > row.reply_due
        light = "red" if overdue else deadline_light(days_left, yellow_at=YELLOW_AT)
    else:
        replied_late = to_local(row.replied_at).date() > row.reply_due
    return InteractionView(
        id=row.id,
        number=row.number,
        station_code=row.station_code,
        kind=row.kind,
        channel=row.channel,
        subject=row.subject,
        matter_code=row.matter_code,
        matter_name=matter.name if matter else "",
        content=row.content,
        contact_name=row.contact_name,
        contact_phone=_masked_phone(session, row),
        taken_by=row.taken_by,
        taken_by_name=row.taken_by_name,
        taken_at=row.taken_at,
        reply_days=row.reply_days,
        reply_due=row.reply_due,
        reply=row.reply,
        replied_by=row.replied_by,
        replied_by_name=row.replied_by_name,
        replied_at=row.replied_at,
        days_left=days_left,
        light=light,
        overdue=overdue,
        replied_late=replied_late,
    )


def _masked_phone(session: Session, row: InteractionItem) -> str:
    clear = open_station_field(
        session, "interaction_item", row.id, "contact_phone", row.contact_phone
    )
    return clear if clear == _(ENCRYPTED) else mask_phone(clear)


def find_item(session: Session, ref: str) -> InteractionItem:
    ref = ref.strip()
    row = (
        session.get(InteractionItem, ref)
        or session.exec(select(InteractionItem).where(InteractionItem.number == ref)).first()
    )
    if row is None:
        raise ServiceError(_("no interaction item {ref}").format(ref=ref))
    return row


def get_item(session: Session, ctx: Ctx, ref: str, today: date) -> InteractionView:
    require(ctx, Permission.read_personal)
    return view_of(session, find_item(session, ref), today)


Status = Literal["all", "open", "overdue", "replied"]


def list_items(
    session: Session,
    ctx: Ctx,
    today: date,
    *,
    kind: str | None = None,
    status: Status = "all",
    limit: int = 200,
) -> list[InteractionView]:
    """Items, open ones first by deadline, then answered ones newest first; capped."""
    require(ctx, Permission.read_personal)
    return query_items(session, today, kind=kind, status=status, limit=limit)


def query_items(
    session: Session,
    today: date,
    *,
    kind: str | None = None,
    status: Status = "all",
    limit: int = 200,
) -> list[InteractionView]:
    """``list_items`` without its permission check (the dashboard's refresh reads it)."""
    q = select(InteractionItem)
    if kind:
        q = q.where(InteractionItem.kind == kind)
    open_ = col(InteractionItem.replied_at).is_(None)
    if status == "open":
        q = q.where(open_)
    elif status == "overdue":
        q = q.where(open_, InteractionItem.reply_due < today)
    elif status == "replied":
        q = q.where(col(InteractionItem.replied_at).is_not(None))
    q = q.order_by(
        case((open_, 0), else_=1),
        case((open_, InteractionItem.reply_due), else_=None),
        col(InteractionItem.taken_at).desc(),
    ).limit(limit)
    cal = calendar_for(session)
    return [view_of(session, row, today, cal) for row in session.exec(q)]


@dataclass(frozen=True)
class InteractionCounts:
    open: int
    overdue: int
    due_today: int


def counts(session: Session, today: date) -> InteractionCounts:
    """Open, overdue and due-today counts (for the supervisor dashboard)."""
    open_ = col(InteractionItem.replied_at).is_(None)
    row = session.execute(
        select(
            func.count(),
            func.sum(case((col(InteractionItem.reply_due) < today, 1), else_=0)),
            func.sum(case((col(InteractionItem.reply_due) == today, 1), else_=0)),
        ).where(open_)
    ).one()
    return InteractionCounts(int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


def overdue_items(
    session: Session, ctx: Ctx, today: date, limit: int = 200
) -> list[InteractionView]:
    return list_items(session, ctx, today, status="overdue", limit=limit)


def search_items(
    session: Session, ctx: Ctx, today: date, text: str, limit: int = 200
) -> list[InteractionView]:
    """Items whose number, subject, contact name or content contains ``text``."""
    require(ctx, Permission.read_personal)
    like = f"%{text.strip()}%"
    q = (
        select(InteractionItem)
        .where(
            or_(
                col(InteractionItem.number).like(like),
                col(InteractionItem.subject).like(like),
                col(InteractionItem.contact_name).like(like),
                col(InteractionItem.content).like(like),
            )
        )
        .order_by(col(InteractionItem.taken_at).desc())
        .limit(limit)
    )
    cal = calendar_for(session)
    return [view_of(session, row, today, cal) for row in session.exec(q)]
