"""The queue: tickets at the kiosk, the windows that call and serve them, the public display.

Order of a line (one queue category of one station on one local day): tickets transferred to
this very window first, then priority tickets (绿色通道), then appointments, then by
``queue_at`` (the issue time; a no-show re-queued once goes to the back).  Calling next is
atomic with many windows on one store: on SQLite every write transaction is ``BEGIN
IMMEDIATE`` (one writer at a time); on PostgreSQL the next ticket is taken with ``SELECT …
FOR UPDATE SKIP LOCKED``, so two windows never get the same ticket and never wait for each
other's pick.  Every change appends one event with snapshots of the rows it wrote.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.events import snapshot
from hallterm.db.models import Applicant, QueueCategory, ServiceCase, Staff
from hallterm.db.models_queue import Ticket, WindowState
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.applicants import normalize_id
from hallterm.db.services.counters import next_value
from hallterm.db.services.local_secrets import KIOSK_KEY, keyed_id_hash, local_secret
from hallterm.db.services.permissions import require
from hallterm.domain.ids import mask_id
from hallterm.domain.numbering import ticket_number
from hallterm.domain.roles import Permission
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


def ticket_status_label(status: str) -> str:
    return _(_TICKET_LABELS[TicketStatus(status)])


def window_status_label(status: str) -> str:
    return _(_WINDOW_LABELS[WindowStatus(status)])


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
    calls: tuple[CallView, ...]  # newest first
    lines: tuple[LineCount, ...]


@dataclass(frozen=True)
class WindowPanel:
    window: WindowView
    current: TicketView | None
    lines: tuple[LineCount, ...]  # the lines this window serves
    directed: int  # tickets transferred to this window and waiting


# -- helpers -------------------------------------------------------------------------------


def local_day(ctx: Ctx) -> date:
    return to_local(ctx.clock.now()).date()


def id_hash(session: Session, ctx: Ctx, ticket_id: str, id_number: str) -> str:
    """The keyed HMAC (station secret) kept on a ticket instead of the typed ID number."""
    return keyed_id_hash(local_secret(session, KIOSK_KEY, ctx.clock), ticket_id, id_number)


def _split(categories: str) -> tuple[str, ...]:
    return tuple(c for c in categories.split(",") if c)


def _ticket(session: Session, ticket_id: str, *, lock: bool = False) -> Ticket:
    q = select(Ticket).where(Ticket.id == ticket_id)
    if lock:
        q = q.with_for_update()
    row = session.exec(q).first()
    if row is None:
        raise ServiceError(_("no such ticket"))
    return row


def _own(ticket: Ticket, ctx: Ctx) -> None:
    if ticket.station_code != ctx.station_code:
        raise ServiceError(
            _("ticket {number} belongs to station {station}").format(
                number=ticket.number, station=ticket.station_code
            )
        )


def _require(ticket: Ticket, *statuses: TicketStatus) -> None:
    if ticket.status not in statuses:
        raise ServiceError(
            _("ticket {number} is {status}").format(
                number=ticket.number, status=ticket_status_label(ticket.status)
            )
        )


def _bump(row: Ticket | WindowState) -> int:
    base = row.version
    row.version += 1
    return base


def _window_row(session: Session, ctx: Ctx, window: str) -> WindowState:
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


def _window_base(session: Session, row: WindowState) -> int | None:
    """Bump a window row about to change: the version it was based on (None: a new row).

    Only call it when the change is certain and its event follows: a silent bump would make
    central see the next change as based on a version it never received.
    """
    if row in session:
        return _bump(row)
    return None


def _event(
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


def _window_snapshot(session: Session, row: WindowState, base: int | None) -> dict[str, Any]:
    session.add(row)
    session.flush()
    return snapshot(row, base)


def _category(session: Session, code: str) -> QueueCategory:
    row = session.get(QueueCategory, code)
    if row is None:
        raise ServiceError(_("no such queue category {code}").format(code=code))
    return row


def categories(session: Session) -> list[CategoryView]:
    return [
        CategoryView(c.code, c.name, c.prefix)
        for c in session.exec(select(QueueCategory).order_by(QueueCategory.prefix))
    ]


def _before(ticket: Ticket) -> Any:
    """SQL condition: a waiting ticket of the same line that is called before ``ticket``."""
    conditions = [
        and_(
            Ticket.priority == ticket.priority,
            Ticket.appointment == ticket.appointment,
            or_(
                col(Ticket.queue_at) < ticket.queue_at,
                and_(Ticket.queue_at == ticket.queue_at, col(Ticket.seq) < ticket.seq),
            ),
        )
    ]
    if not ticket.priority:
        conditions.append(col(Ticket.priority).is_(True))
    if not ticket.appointment:
        conditions.append(
            and_(Ticket.priority == ticket.priority, col(Ticket.appointment).is_(True))
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
            _before(ticket),
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
    )


def get_ticket(session: Session, ticket_id: str) -> TicketView:
    return view_ticket(session, _ticket(session, ticket_id))


# -- the kiosk -----------------------------------------------------------------------------


def issue_ticket(
    session: Session,
    ctx: Ctx,
    category: str,
    *,
    priority: bool = False,
    appointment: bool = False,
    id_type: str = "resident_id",
    id_number: str | None = None,
) -> TicketView:
    """A new ticket at the end of its line; with an ID number, the applicant is recognised.

    The ID number itself is not kept: only a salted hash (to check it at the window), the
    masked form, and the applicant's id when that person is already registered.
    """
    cat = _category(session, category)
    now = ctx.clock.now()
    today = local_day(ctx)
    ticket_id = str(uuid.uuid4())
    hashed = masked = applicant_id = None
    if id_number and id_number.strip():
        number = normalize_id(id_type, id_number)
        hashed, masked = id_hash(session, ctx, ticket_id, number), mask_id(number)
        applicant_id = session.exec(
            select(Applicant.id).where(Applicant.id_type == id_type, Applicant.id_number == number)
        ).first()
    seq = next_value(session, f"ticket:{ctx.station_code}:{today:%Y%m%d}:{cat.code}")
    try:
        number_text = ticket_number(cat.prefix, seq)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    t = Ticket(
        id=ticket_id,
        station_code=ctx.station_code,
        day=today,
        category=cat.code,
        seq=seq,
        number=number_text,
        priority=priority,
        appointment=appointment,
        id_hash=hashed,
        id_masked=masked or "",
        applicant_id=applicant_id,
        status=TicketStatus.waiting,
        issued_at=now,
        queue_at=now,
    )
    session.add(t)
    session.flush()
    _event(
        session,
        ctx,
        t,
        "ticket.issued",
        [snapshot(t)],
        category=cat.code,
        priority=priority,
        appointment=appointment,
    )
    return view_ticket(session, t, ahead=ahead_of(session, t))


def check_id(session: Session, ctx: Ctx, ticket_id: str, id_type: str, id_number: str) -> bool:
    """Whether ``id_number`` is the one typed at the kiosk for this ticket."""
    require(ctx, Permission.front_desk)
    t = _ticket(session, ticket_id)
    if not t.id_hash:
        return False
    expected = id_hash(session, ctx, t.id, normalize_id(id_type, id_number))
    return hmac.compare_digest(expected, t.id_hash)


# -- the window ----------------------------------------------------------------------------


def _current(session: Session, station_code: str, window: str, day: date) -> Ticket | None:
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


def set_window(
    session: Session,
    ctx: Ctx,
    window: str,
    *,
    categories: Sequence[str] | None = None,
    status: str | None = None,
) -> WindowView:
    """Choose the lines a window serves ("" = all) and open, pause or close it."""
    require(ctx, Permission.front_desk)
    if not window.strip():
        raise ServiceError(_("this terminal has no window number"))
    row = _window_row(session, ctx, window)
    for code in categories or ():
        _category(session, code)
    if status is not None and status not in WindowStatus.__members__:
        raise ServiceError(_("unknown window status {status}").format(status=status))
    base = _window_base(session, row)
    if categories is not None:
        row.categories = ",".join(sorted(set(categories)))
    if status is not None:
        row.status = WindowStatus(status).value
    row.clerk_id = ctx.actor.staff_id or None
    row.clerk_name = ctx.actor.name
    row.updated_at = ctx.clock.now()
    snap = _window_snapshot(session, row, base)
    record_event(
        session,
        ctx,
        entity="window",
        entity_id=f"{ctx.station_code}:{window}",
        kind="window.set",
        payload={"window": window, "rows": [snap]},
    )
    return _window_view(session, row, local_day(ctx))


def call_next(
    session: Session, ctx: Ctx, window: str, categories: Sequence[str] | None = None
) -> TicketView | None:
    """Call the next ticket for ``window`` (None when its lines are empty).

    The lines are ``categories`` or else those set for the window (none set: all lines).
    The window must have finished (or marked no-show) its current ticket first.
    """
    require(ctx, Permission.front_desk)
    if not window.strip():
        raise ServiceError(_("this terminal has no window number"))
    today = local_day(ctx)
    current = _current(session, ctx.station_code, window, today)
    if current is not None:
        raise ServiceError(
            _("window {window} still has ticket {number}: finish it or mark it no-show").format(
                window=window, number=current.number
            )
        )
    row = _window_row(session, ctx, window)
    if row.status != WindowStatus.open:
        raise ServiceError(
            _("window {window} is {status}; open it first").format(
                window=window, status=window_status_label(row.status)
            )
        )
    cats = tuple(categories) if categories is not None else _split(row.categories)
    open_line = Ticket.target_window.is_(None)  # type: ignore[union-attr]
    if cats:
        open_line = and_(open_line, col(Ticket.category).in_(cats))
    q = (
        select(Ticket)
        .where(
            Ticket.station_code == ctx.station_code,
            Ticket.day == today,
            Ticket.status == TicketStatus.waiting,
            or_(Ticket.target_window == window, open_line),
        )
        .order_by(
            case((Ticket.target_window == window, 0), else_=1),
            col(Ticket.priority).desc(),
            col(Ticket.appointment).desc(),
            Ticket.queue_at,
            Ticket.seq,
        )
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Another window's transaction may hold the head of the line: take the next one
        # instead of waiting, and never the same one (it is locked until that commit).
        q = q.with_for_update(skip_locked=True)
    t = session.exec(q).first()
    if t is None:
        return None
    now = ctx.clock.now()
    base = _window_base(session, row)
    tbase = _bump(t)
    t.status = TicketStatus.called
    t.window = window
    t.clerk_id = ctx.actor.staff_id or None
    t.called_at = t.called_at or now
    t.announced_at = now
    session.add(t)
    row.ticket_id, row.since = t.id, now
    row.clerk_id, row.clerk_name, row.updated_at = ctx.actor.staff_id or None, ctx.actor.name, now
    wsnap = _window_snapshot(session, row, base)
    _event(session, ctx, t, "ticket.called", [snapshot(t, tbase), wsnap], window=window)
    return view_ticket(session, t)


def recall(session: Session, ctx: Ctx, ticket_id: str) -> TicketView:
    """Announce the called ticket again (the display and the voice repeat it)."""
    require(ctx, Permission.front_desk)
    t = _ticket(session, ticket_id, lock=True)
    _own(t, ctx)
    _require(t, TicketStatus.called)
    base = _bump(t)
    t.recalls += 1
    t.announced_at = ctx.clock.now()
    session.add(t)
    session.flush()
    _event(session, ctx, t, "ticket.recalled", [snapshot(t, base)], window=t.window)
    return view_ticket(session, t)


def _free_window(session: Session, ctx: Ctx, t: Ticket) -> list[dict[str, Any]]:
    if not t.window:
        return []
    row = session.get(WindowState, (ctx.station_code, t.window))
    if row is None or row.ticket_id != t.id:
        return []
    base = _bump(row)
    row.ticket_id, row.since, row.updated_at = None, None, ctx.clock.now()
    return [_window_snapshot(session, row, base)]


def no_show(session: Session, ctx: Ctx, ticket_id: str) -> TicketView:
    """过号: the first time back to the end of the line, the second time it is over."""
    require(ctx, Permission.front_desk)
    t = _ticket(session, ticket_id, lock=True)
    _own(t, ctx)
    _require(t, TicketStatus.called)
    base = _bump(t)
    wrows = _free_window(session, ctx, t)
    window = t.window
    now = ctx.clock.now()
    if not t.requeued_once:
        t.status = TicketStatus.waiting
        t.requeued_once = True
        t.queue_at = now
        t.window = None
        kind = "ticket.requeued"
    else:
        t.status = TicketStatus.no_show
        t.finished_at = now
        kind = "ticket.no_show"
    session.add(t)
    session.flush()
    _event(session, ctx, t, kind, [snapshot(t, base), *wrows], window=window)
    return view_ticket(session, t)


def start_service(session: Session, ctx: Ctx, ticket_id: str) -> TicketView:
    """The applicant has come to the window: service time starts."""
    require(ctx, Permission.front_desk)
    t = _ticket(session, ticket_id, lock=True)
    _own(t, ctx)
    _require(t, TicketStatus.called)
    base = _bump(t)
    now = ctx.clock.now()
    t.status = TicketStatus.serving
    t.started_at = now
    session.add(t)
    rows = [snapshot(t, base)]
    row = session.get(WindowState, (ctx.station_code, t.window or ""))
    if row is not None and row.ticket_id == t.id:
        wbase = _bump(row)
        row.since, row.updated_at = now, now
        rows.append(_window_snapshot(session, row, wbase))
    session.flush()
    _event(session, ctx, t, "ticket.started", rows, window=t.window)
    return view_ticket(session, t)


def _recent_case(session: Session, ctx: Ctx, t: Ticket) -> str | None:
    """The newest case this clerk registered while serving ``t`` and not linked yet."""
    if t.started_at is None or not ctx.actor.staff_id:
        return None
    linked = select(Ticket.case_id).where(col(Ticket.case_id).is_not(None))
    return session.exec(
        select(ServiceCase.id)
        .where(
            ServiceCase.clerk_id == ctx.actor.staff_id,
            col(ServiceCase.registered_at) >= t.started_at,
            col(ServiceCase.id).not_in(linked),
        )
        .order_by(col(ServiceCase.registered_at).desc())
    ).first()


def finish(session: Session, ctx: Ctx, ticket_id: str, case_id: str | None = None) -> TicketView:
    """Service ends.  The case handled (given, or the one this clerk registered meanwhile)
    is linked to the ticket."""
    require(ctx, Permission.front_desk)
    t = _ticket(session, ticket_id, lock=True)
    _own(t, ctx)
    _require(t, TicketStatus.serving)
    if case_id is not None and session.get(ServiceCase, case_id) is None:
        raise ServiceError(_("no such case"))
    base = _bump(t)
    t.status = TicketStatus.done
    t.finished_at = ctx.clock.now()
    t.case_id = case_id or t.case_id or _recent_case(session, ctx, t)
    if t.case_id and not t.applicant_id:
        case_row = session.get(ServiceCase, t.case_id)
        t.applicant_id = case_row.applicant_id if case_row else None
    session.add(t)
    wrows = _free_window(session, ctx, t)
    session.flush()
    _event(
        session,
        ctx,
        t,
        "ticket.finished",
        [snapshot(t, base), *wrows],
        window=t.window,
        case_id=t.case_id,
    )
    return view_ticket(session, t)


def link_case(session: Session, ctx: Ctx, ticket_id: str, case_id: str) -> TicketView:
    """Link the case handled for this ticket (the front desk calls this when it registers)."""
    require(ctx, Permission.front_desk)
    t = _ticket(session, ticket_id, lock=True)
    _own(t, ctx)
    case_row = session.get(ServiceCase, case_id)
    if case_row is None:
        raise ServiceError(_("no such case"))
    base = _bump(t)
    t.case_id = case_id
    t.applicant_id = t.applicant_id or case_row.applicant_id
    session.add(t)
    session.flush()
    _event(session, ctx, t, "ticket.linked", [snapshot(t, base)], case_id=case_id)
    return view_ticket(session, t)


def transfer(
    session: Session,
    ctx: Ctx,
    ticket_id: str,
    *,
    category: str | None = None,
    window: str | None = None,
) -> TicketView:
    """Send the applicant to another line or window; returns the new waiting ticket.

    The ticket here ends as ``transferred`` (its service time counts for this window); a new
    row with the same number waits in the new line, placed by its first issue time.
    """
    require(ctx, Permission.front_desk)
    t = _ticket(session, ticket_id, lock=True)
    _own(t, ctx)
    _require(t, TicketStatus.called, TicketStatus.serving)
    window = (window or "").strip() or None
    if category is None and window is None:
        raise ServiceError(_("choose a queue category or a window to transfer to"))
    if category is not None:
        _category(session, category)
    if window is not None and window == t.window:
        raise ServiceError(_("the ticket is already at window {window}").format(window=window))
    if category == t.category and window is None:
        raise ServiceError(_("the ticket is already in that line"))
    base = _bump(t)
    now = ctx.clock.now()
    if t.status == TicketStatus.called:
        t.started_at = None
    t.status = TicketStatus.transferred
    t.finished_at = now
    session.add(t)
    wrows = _free_window(session, ctx, t)
    new = Ticket(
        id=str(uuid.uuid4()),
        station_code=t.station_code,
        day=t.day,
        category=category or t.category,
        seq=t.seq,
        number=t.number,
        priority=t.priority,
        appointment=t.appointment,
        id_hash=None,
        id_masked=t.id_masked,
        applicant_id=t.applicant_id,
        status=TicketStatus.waiting,
        target_window=window,
        issued_at=now,
        queue_at=t.queue_at,
        requeued_once=t.requeued_once,
        transferred_from=t.id,
        case_id=t.case_id,
    )
    if t.id_hash:
        new.id_hash = t.id_hash  # the same person: the check at the next window still works
    session.add(new)
    session.flush()
    _event(
        session,
        ctx,
        t,
        "ticket.transferred",
        [snapshot(t, base), snapshot(new), *wrows],
        to_category=new.category,
        to_window=window,
        new_ticket=new.id,
    )
    return view_ticket(session, new)


# -- reading -------------------------------------------------------------------------------


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


def _window_view(session: Session, row: WindowState, day: date) -> WindowView:
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
    return WindowView(
        station_code=row.station_code,
        window=row.window,
        status=row.status,
        categories=_split(row.categories),
        clerk_name=row.clerk_name,
        ticket_id=t.id if t else None,
        ticket_number=t.number if t else None,
        ticket_status=t.status if t else None,
        since=row.since,
        served_today=int(served),
    )


def windows(session: Session, station_code: str | None, day: date) -> list[WindowView]:
    """Every window (of one station, or all) with whom it serves and how many today."""
    q = select(WindowState)
    if station_code:
        q = q.where(WindowState.station_code == station_code)
    rows = list(session.exec(q))
    served_q = (
        select(Ticket.station_code, Ticket.window, func.count())
        .where(Ticket.day == day, Ticket.status == TicketStatus.done)
        .group_by(Ticket.station_code, Ticket.window)
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
    out = []
    for r in rows:
        t = current.get(r.ticket_id or "")
        out.append(
            WindowView(
                station_code=r.station_code,
                window=r.window,
                status=r.status,
                categories=_split(r.categories),
                clerk_name=r.clerk_name,
                ticket_id=t.id if t else None,
                ticket_number=t.number if t else None,
                ticket_status=t.status if t else None,
                since=r.since,
                served_today=served.get((r.station_code, r.window), 0),
            )
        )
    return sorted(out, key=lambda w: (w.station_code, _window_sort(w.window)))


def _window_sort(window: str) -> tuple[int, str]:
    return (int(window), "") if window.isdigit() else (1 << 30, window)


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
    current = _current(session, ctx.station_code, window, today)
    cats = _split(row.categories)
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
        window=_window_view(session, row, today),
        current=view_ticket(session, current) if current else None,
        lines=tuple(line_counts(session, ctx.station_code, today, cats)),
        directed=int(directed),
    )


def display_state(session: Session, station_code: str, day: date, limit: int = 6) -> DisplayState:
    """The public display: the latest calls (newest first) and the waiting counts."""
    rows = session.exec(
        select(Ticket)
        .where(
            Ticket.station_code == station_code,
            Ticket.day == day,
            col(Ticket.announced_at).is_not(None),
            Ticket.status != TicketStatus.waiting,  # a re-queued ticket leaves the board
        )
        .order_by(col(Ticket.announced_at).desc())
        .limit(limit)
    )
    calls = tuple(
        CallView(t.id, t.number, t.window or "", t.announced_at, t.recalls)  # type: ignore[arg-type]
        for t in rows
    )
    return DisplayState(calls, tuple(line_counts(session, station_code, day)))


def tickets_of_day(
    session: Session, station_code: str, day: date, limit: int = 500
) -> list[TicketView]:
    rows = session.exec(
        select(Ticket)
        .where(Ticket.station_code == station_code, Ticket.day == day)
        .order_by(Ticket.issued_at)
        .limit(limit)
    )
    return [view_ticket(session, t) for t in rows]


def staff_names(session: Session, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(
        session.exec(select(Staff.id, Staff.name).where(col(Staff.id).in_(list(ids)))).all()
    )
