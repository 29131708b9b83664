"""What the queue screens read: tickets, windows, line counts, the window panel, the display.

Reads only; each function takes a session and returns plain frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from hallterm.db.models import Applicant, QueueCategory, ServiceCase, Staff
from hallterm.db.models_queue import Ticket, WindowState
from hallterm.db.services import Ctx
from hallterm.db.services.queue._base import (
    TicketStatus,
    current_row,
    get_row,
    local_day,
    split_categories,
)


@dataclass(frozen=True)
class CategoryView:
    code: str
    name: str
    prefix: str


@dataclass(frozen=True)
class TicketView:
    id: str
    station_code: str
    day: date
    number: str
    category: str
    category_name: str
    status: str
    priority: bool
    appointment: bool
    window: str | None
    target_window: str | None
    clerk_id: str | None
    issued_at: datetime
    called_at: datetime | None
    announced_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    recalls: int
    requeued_once: bool
    applicant_id: str | None
    applicant_name: str
    id_masked: str
    case_id: str | None
    case_number: str | None
    ahead: int | None = None  # waiting tickets before this one (kiosk slip)
    priority_state: str = ""
    from_window: str | None = None
    out_of_order: bool = False
    call_reason: str = ""

    @property
    def priority_to_confirm(self) -> bool:
        return self.priority_state == "requested"


@dataclass(frozen=True)
class WindowView:
    station_code: str
    window: str
    status: str
    categories: tuple[str, ...]
    clerk_name: str
    ticket_id: str | None
    ticket_number: str | None
    ticket_status: str | None
    since: datetime | None
    served_today: int


@dataclass(frozen=True)
class LineCount:
    category: str
    name: str
    prefix: str
    waiting: int


@dataclass(frozen=True)
class CallView:
    ticket_id: str
    number: str
    window: str
    announced_at: datetime
    recalls: int

    @property
    def key(self) -> tuple[str, int, str]:
        """Changes whenever the ticket is announced again (a recall or a new call)."""
        return (self.ticket_id, self.recalls, self.announced_at.isoformat())


@dataclass(frozen=True)
class DisplayState:
    calls: tuple[CallView, ...]  # newest first, one per number
    lines: tuple[LineCount, ...]


@dataclass(frozen=True)
class WindowPanel:
    window: WindowView
    current: TicketView | None
    lines: tuple[LineCount, ...]  # the lines this window serves
    directed: int  # tickets transferred to this window and waiting


def categories(session: Session) -> list[CategoryView]:
    return [
        CategoryView(c.code, c.name, c.prefix)
        for c in session.exec(select(QueueCategory).order_by(QueueCategory.prefix))
    ]


def before(ticket: Ticket) -> Any:
    """SQL condition: a waiting ticket of the same line that is called before ``ticket``."""
    conditions = [
        and_(
            col(Ticket.priority) == ticket.priority,
            col(Ticket.appointment) == ticket.appointment,
            or_(
                col(Ticket.queue_at) < ticket.queue_at,
                and_(col(Ticket.queue_at) == ticket.queue_at, col(Ticket.seq) < ticket.seq),
            ),
        )
    ]
    if not ticket.priority:
        conditions.append(col(Ticket.priority).is_(True))
    if not ticket.appointment:
        conditions.append(
            and_(col(Ticket.priority) == ticket.priority, col(Ticket.appointment).is_(True))
        )
    return or_(*conditions)


def ahead_of(session: Session, ticket: Ticket) -> int:
    """How many waiting tickets of the same line will be called before ``ticket``."""
    return session.exec(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.station_code == ticket.station_code,
            Ticket.day == ticket.day,
            Ticket.status == TicketStatus.waiting,
            Ticket.category == ticket.category,
            Ticket.target_window.is_(None),  # type: ignore[union-attr]
            Ticket.id != ticket.id,
            before(ticket),
        )
    ).one()


def view_ticket(session: Session, t: Ticket, ahead: int | None = None) -> TicketView:
    cat = session.get(QueueCategory, t.category)
    applicant = session.get(Applicant, t.applicant_id) if t.applicant_id else None
    case_row = session.get(ServiceCase, t.case_id) if t.case_id else None
    return TicketView(
        id=t.id,
        station_code=t.station_code,
        day=t.day,
        number=t.number,
        category=t.category,
        category_name=cat.name if cat else t.category,
        status=t.status,
        priority=t.priority,
        appointment=t.appointment,
        window=t.window,
        target_window=t.target_window,
        clerk_id=t.clerk_id,
        issued_at=t.issued_at,
        called_at=t.called_at,
        announced_at=t.announced_at,
        started_at=t.started_at,
        finished_at=t.finished_at,
        recalls=t.recalls,
        requeued_once=t.requeued_once,
        applicant_id=t.applicant_id,
        applicant_name=applicant.name if applicant else "",
        id_masked=t.id_masked,
        case_id=t.case_id,
        case_number=case_row.number if case_row else None,
        ahead=ahead,
        priority_state=t.priority_state,
        from_window=t.from_window,
        out_of_order=t.out_of_order,
        call_reason=t.call_reason,
    )


def get_ticket(session: Session, ticket_id: str) -> TicketView:
    return view_ticket(session, get_row(session, ticket_id))


def line_counts(
    session: Session, station_code: str, day: date, only: Sequence[str] = ()
) -> list[LineCount]:
    """Waiting tickets per queue category (every category, zero included)."""
    counts = dict(
        session.exec(
            select(Ticket.category, func.count())
            .where(
                Ticket.station_code == station_code,
                Ticket.day == day,
                Ticket.status == TicketStatus.waiting,
                Ticket.target_window.is_(None),  # type: ignore[union-attr]
            )
            .group_by(Ticket.category)
        ).all()
    )
    return [
        LineCount(c.code, c.name, c.prefix, int(counts.get(c.code, 0)))
        for c in categories(session)
        if not only or c.code in only
    ]


def _window_view(row: WindowState, current: Ticket | None, served: int) -> WindowView:
    return WindowView(
        station_code=row.station_code,
        window=row.window,
        status=row.status,
        categories=split_categories(row.categories),
        clerk_name=row.clerk_name,
        ticket_id=current.id if current else None,
        ticket_number=current.number if current else None,
        ticket_status=current.status if current else None,
        since=row.since,
        served_today=served,
    )


def window_view(session: Session, row: WindowState, day: date) -> WindowView:
    t = session.get(Ticket, row.ticket_id) if row.ticket_id else None
    served = session.exec(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.station_code == row.station_code,
            Ticket.day == day,
            Ticket.window == row.window,
            Ticket.status == TicketStatus.done,
        )
    ).one()
    return _window_view(row, t, int(served))


def window_sort(window: str) -> tuple[int, str]:
    return (int(window), "") if window.isdigit() else (1 << 30, window)


def windows(session: Session, station_code: str | None, day: date) -> list[WindowView]:
    """Every window (of one station, or all) with whom it serves and how many today."""
    q = select(WindowState)
    if station_code:
        q = q.where(WindowState.station_code == station_code)
    rows = list(session.exec(q))
    served_q = (
        select(Ticket.station_code, Ticket.window, func.count())
        .where(Ticket.day == day, Ticket.status == TicketStatus.done)
        .group_by(col(Ticket.station_code), col(Ticket.window))
    )
    if station_code:
        served_q = served_q.where(Ticket.station_code == station_code)
    served = {(s, w): int(n) for s, w, n in session.exec(served_q).all()}
    current_ids = [r.ticket_id for r in rows if r.ticket_id]
    current = (
        {t.id: t for t in session.exec(select(Ticket).where(col(Ticket.id).in_(current_ids)))}
        if current_ids
        else {}
    )
    out = [
        _window_view(r, current.get(r.ticket_id or ""), served.get((r.station_code, r.window), 0))
        for r in rows
    ]
    return sorted(out, key=lambda w: (w.station_code, window_sort(w.window)))


def window_panel(session: Session, ctx: Ctx, window: str) -> WindowPanel:
    """What the clerk's queue panel shows: the window, its ticket, its lines."""
    today = local_day(ctx)
    row = session.get(WindowState, (ctx.station_code, window))
    if row is None:
        row = WindowState(
            station_code=ctx.station_code,
            window=window,
            updated_at=ctx.clock.now(),
            clerk_name=ctx.actor.name,
        )
    current = current_row(session, ctx.station_code, window, today)
    cats = split_categories(row.categories)
    directed = session.exec(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.station_code == ctx.station_code,
            Ticket.day == today,
            Ticket.status == TicketStatus.waiting,
            Ticket.target_window == window,
        )
    ).one()
    return WindowPanel(
        window=window_view(session, row, today),
        current=view_ticket(session, current) if current else None,
        lines=tuple(line_counts(session, ctx.station_code, today, cats)),
        directed=int(directed),
    )


def display_state(session: Session, station_code: str, day: date, limit: int = 6) -> DisplayState:
    """The public display: the latest calls (newest first, each number once) and the counts.

    A transferred row is left out (its applicant is on the way to the next window, whose
    call will show), and a number appears once, at its newest call.
    """
    rows = session.exec(
        select(Ticket)
        .where(
            Ticket.station_code == station_code,
            Ticket.day == day,
            col(Ticket.announced_at).is_not(None),
            # a re-queued ticket leaves the board; a transferred one is called again elsewhere
            col(Ticket.status).not_in([TicketStatus.waiting, TicketStatus.transferred]),
        )
        .order_by(col(Ticket.announced_at).desc())
        .limit(limit * 3)
    )
    calls: list[CallView] = []
    seen: set[str] = set()
    for t in rows:
        if t.number in seen or t.announced_at is None:
            continue
        seen.add(t.number)
        calls.append(CallView(t.id, t.number, t.window or "", t.announced_at, t.recalls))
        if len(calls) == limit:
            break
    return DisplayState(tuple(calls), tuple(line_counts(session, station_code, day)))


def tickets_of_day(
    session: Session, station_code: str, day: date, limit: int = 500
) -> list[TicketView]:
    rows = session.exec(
        select(Ticket)
        .where(Ticket.station_code == station_code, Ticket.day == day)
        .order_by(col(Ticket.issued_at))
        .limit(limit)
    )
    return [view_ticket(session, t) for t in rows]


def staff_names(session: Session, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(
        session.exec(select(Staff.id, Staff.name).where(col(Staff.id).in_(list(ids)))).all()
    )
