"""Shared pieces of the queue services: statuses and labels, row look-ups, versions, events.

Every change of a ticket or a window bumps the row's version and appends one event with
snapshots of the rows it wrote (sync applies them at central with version checks).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.events import snapshot
from hallterm.db.models import QueueCategory
from hallterm.db.models_queue import Ticket, WindowState
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.local_secrets import KIOSK_KEY, keyed_id_hash, local_secret
from hallterm.i18n import N_, _


class TicketStatus(StrEnum):
    waiting = "waiting"
    called = "called"
    serving = "serving"
    done = "done"
    no_show = "no_show"
    transferred = "transferred"


class WindowStatus(StrEnum):
    open = "open"
    paused = "paused"
    closed = "closed"


class PriorityState(StrEnum):
    none = ""
    requested = "requested"  # chosen at the kiosk, not verified yet
    confirmed = "confirmed"  # the clerk checked it at the call
    by_age = "by_age"  # granted by the rule on the ID's birth date
    refused = "refused"  # the clerk refused it: back in the ordinary line


_TICKET_LABELS = {
    TicketStatus.waiting: N_("waiting"),
    TicketStatus.called: N_("called"),
    TicketStatus.serving: N_("being served"),
    TicketStatus.done: N_("served"),
    TicketStatus.no_show: N_("no-show"),
    TicketStatus.transferred: N_("transferred"),
}
_WINDOW_LABELS = {
    WindowStatus.open: N_("open"),
    WindowStatus.paused: N_("paused"),
    WindowStatus.closed: N_("closed"),
}
_PRIORITY_LABELS = {
    PriorityState.none: "",
    PriorityState.requested: N_("priority requested (to confirm)"),
    PriorityState.confirmed: N_("priority confirmed"),
    PriorityState.by_age: N_("priority by age"),
    PriorityState.refused: N_("priority refused"),
}


def ticket_status_label(status: str) -> str:
    return _(_TICKET_LABELS[TicketStatus(status)])


def window_status_label(status: str) -> str:
    return _(_WINDOW_LABELS[WindowStatus(status)])


def priority_label(state: str) -> str:
    label = _PRIORITY_LABELS[PriorityState(state)]
    return _(label) if label else ""


def local_day(ctx: Ctx) -> date:
    return to_local(ctx.clock.now()).date()


def id_hash(session: Session, ctx: Ctx, ticket_id: str, id_number: str) -> str:
    """The keyed HMAC (station secret) kept on a ticket instead of the typed ID number."""
    return keyed_id_hash(local_secret(session, KIOSK_KEY, ctx.clock), ticket_id, id_number)


def split_categories(categories: str) -> tuple[str, ...]:
    return tuple(c for c in categories.split(",") if c)


def get_row(session: Session, ticket_id: str, *, lock: bool = False) -> Ticket:
    q = select(Ticket).where(Ticket.id == ticket_id)
    if lock:
        q = q.with_for_update()
    row = session.exec(q).first()
    if row is None:
        raise ServiceError(_("no such ticket"))
    return row


def own(ticket: Ticket, ctx: Ctx) -> None:
    if ticket.station_code != ctx.station_code:
        raise ServiceError(
            _("ticket {number} belongs to station {station}").format(
                number=ticket.number, station=ticket.station_code
            )
        )


def require_status(ticket: Ticket, *statuses: TicketStatus) -> None:
    if ticket.status not in statuses:
        raise ServiceError(
            _("ticket {number} is {status}").format(
                number=ticket.number, status=ticket_status_label(ticket.status)
            )
        )


def bump(row: Ticket | WindowState) -> int:
    base = row.version
    row.version += 1
    return base


def window_row(session: Session, ctx: Ctx, window: str) -> WindowState:
    """The window's row, or a new one (not yet added: nothing is written unless it changes)."""
    row = session.get(WindowState, (ctx.station_code, window))
    if row is None:
        row = WindowState(
            station_code=ctx.station_code,
            window=window,
            updated_at=ctx.clock.now(),
            clerk_id=ctx.actor.staff_id or None,
            clerk_name=ctx.actor.name,
        )
    return row


def window_base(session: Session, row: WindowState) -> int | None:
    """Bump a window row about to change: the version it was based on (None: a new row).

    Only call it when the change is certain and its event follows: a silent bump would make
    central see the next change as based on a version it never received.
    """
    if row in session:
        return bump(row)
    return None


def ticket_event(
    session: Session,
    ctx: Ctx,
    ticket: Ticket,
    kind: str,
    rows: list[dict[str, Any]],
    **extra: Any,
) -> None:
    record_event(
        session,
        ctx,
        entity="ticket",
        entity_id=ticket.id,
        kind=kind,
        payload={"number": ticket.number, **extra, "rows": rows},
    )


def window_snapshot(session: Session, row: WindowState, base: int | None) -> dict[str, Any]:
    session.add(row)
    session.flush()
    return snapshot(row, base)


def category_row(session: Session, code: str) -> QueueCategory:
    row = session.get(QueueCategory, code)
    if row is None:
        raise ServiceError(_("no such queue category {code}").format(code=code))
    return row


def current_row(session: Session, station_code: str, window: str, day: date) -> Ticket | None:
    """The ticket called or served at ``window`` today, if any."""
    return session.exec(
        select(Ticket)
        .where(
            Ticket.station_code == station_code,
            Ticket.day == day,
            Ticket.window == window,
            col(Ticket.status).in_([TicketStatus.called, TicketStatus.serving]),
        )
        .order_by(col(Ticket.announced_at).desc())
    ).first()


def free_window(session: Session, ctx: Ctx, t: Ticket) -> list[dict[str, Any]]:
    """The window that held ``t`` holds nothing now (its snapshot, or nothing to write)."""
    if not t.window:
        return []
    row = session.get(WindowState, (ctx.station_code, t.window))
    if row is None or row.ticket_id != t.id:
        return []
    base = bump(row)
    row.ticket_id, row.since, row.updated_at = None, None, ctx.clock.now()
    return [window_snapshot(session, row, base)]
