"""A window's own moves: its lines and status, calling the next ticket or a ticket by number.

Order of a line (one queue category of one station on one local day): tickets transferred to
this very window first, then priority tickets (绿色通道), then appointments, then by
``queue_at`` (the issue time; a no-show re-queued once goes to the back).  A ticket that this
window transferred away is never called back by it.

Calling is atomic with many windows on one store: on SQLite every write transaction is
``BEGIN IMMEDIATE`` (one writer at a time); on PostgreSQL the next ticket is taken with
``SELECT … FOR UPDATE SKIP LOCKED``, so two windows never get the same ticket and never wait
for each other's pick.  ``run_write`` keeps SQLite fair under load: every try starts after a small
random pause and waits a millisecond for the lock, instead of SQLite's growing back-off that
lets the window that has just written win again and again.

A ticket called by its number ahead of its turn needs a reason; the call is logged with how
many tickets it skipped, for the supervisor's review.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import and_, case, func, or_
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from hallterm.db.engine import BUSY_TIMEOUT_MS, Store
from hallterm.db.events import snapshot
from hallterm.db.models_queue import Ticket
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.permissions import require
from hallterm.db.services.queue._base import (
    TicketStatus,
    WindowStatus,
    bump,
    category_row,
    current_row,
    local_day,
    split_categories,
    ticket_event,
    window_base,
    window_row,
    window_snapshot,
    window_status_label,
)
from hallterm.db.services.queue.views import TicketView, WindowView, before, view_ticket
from hallterm.db.services.queue.views import window_view as _window_view
from hallterm.domain.roles import Permission
from hallterm.i18n import _

T = TypeVar("T")

TRY_LOCK_MS = 1  # how long one try waits for SQLite's write lock
RETRY_PAUSE_S = 0.004  # at most this random pause before each try
MAX_REASON = 200


def run_write(store: Store, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one write transaction; on SQLite, retry fairly while the store is busy.

    The tries add up to the store's usual busy timeout; after that the window sees a clear
    "busy" error instead of a raw database message.
    """
    if store.dialect != "sqlite":
        with store.write() as session:
            return work(session)
    tries = max(1, int(BUSY_TIMEOUT_MS / (TRY_LOCK_MS + RETRY_PAUSE_S * 500)))
    rng = random.Random()
    for _attempt in range(tries):
        # Every try, the first too, starts after a small random pause: the window that has
        # just written does not get the lock back before the windows already waiting.
        time.sleep(rng.uniform(0, RETRY_PAUSE_S))
        with store.engine.connect() as conn:
            raw: Any = conn.connection.dbapi_connection
            raw.execute(f"PRAGMA busy_timeout={TRY_LOCK_MS}")
            try:
                with (
                    Session(
                        bind=conn, expire_on_commit=False, info={"keys": store.keys}
                    ) as session,
                    session.begin(),
                ):
                    session.connection()  # BEGIN IMMEDIATE now
                    return work(session)
            except OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            finally:
                raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    raise ServiceError(_("the store is busy: try again in a moment"))


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
    row = window_row(session, ctx, window)
    for code in categories or ():
        category_row(session, code)
    if status is not None and status not in WindowStatus.__members__:
        raise ServiceError(_("unknown window status {status}").format(status=status))
    base = window_base(session, row)
    if categories is not None:
        row.categories = ",".join(sorted(set(categories)))
    if status is not None:
        row.status = WindowStatus(status).value
    row.clerk_id = ctx.actor.staff_id or None
    row.clerk_name = ctx.actor.name
    row.updated_at = ctx.clock.now()
    snap = window_snapshot(session, row, base)
    record_event(
        session,
        ctx,
        entity="window",
        entity_id=f"{ctx.station_code}:{window}",
        kind="window.set",
        payload={"window": window, "status": row.status, "rows": [snap]},
    )
    return _window_view(session, row, local_day(ctx))


def _ready(session: Session, ctx: Ctx, window: str) -> Any:
    """Check the window may call now; returns its row."""
    if not window.strip():
        raise ServiceError(_("this terminal has no window number"))
    current = current_row(session, ctx.station_code, window, local_day(ctx))
    if current is not None:
        raise ServiceError(
            _("window {window} still has ticket {number}: finish it or mark it no-show").format(
                window=window, number=current.number
            )
        )
    row = window_row(session, ctx, window)
    if row.status != WindowStatus.open:
        raise ServiceError(
            _("window {window} is {status}; open it first").format(
                window=window, status=window_status_label(row.status)
            )
        )
    return row


def _eligible(ctx: Ctx, window: str, cats: Sequence[str]) -> Any:
    """SQL condition: a waiting ticket of today that ``window`` may call."""
    open_line = Ticket.target_window.is_(None)  # type: ignore[union-attr]
    if cats:
        open_line = and_(open_line, col(Ticket.category).in_(cats))
    not_sent_by_me = or_(col(Ticket.from_window).is_(None), col(Ticket.from_window) != window)
    return and_(
        col(Ticket.station_code) == ctx.station_code,
        col(Ticket.day) == local_day(ctx),
        col(Ticket.status) == TicketStatus.waiting,
        or_(col(Ticket.target_window) == window, and_(open_line, not_sent_by_me)),
    )


def _order(window: str) -> tuple[Any, ...]:
    return (
        case((col(Ticket.target_window) == window, 0), else_=1),
        col(Ticket.priority).desc(),
        col(Ticket.appointment).desc(),
        Ticket.queue_at,
        Ticket.seq,
    )


def _take(
    session: Session,
    ctx: Ctx,
    window: str,
    row: Any,
    t: Ticket,
    **extra: Any,
) -> TicketView:
    now = ctx.clock.now()
    base = window_base(session, row)
    tbase = bump(t)
    t.status = TicketStatus.called
    t.window = window
    t.clerk_id = ctx.actor.staff_id or None
    t.called_at = t.called_at or now
    t.announced_at = now
    session.add(t)
    row.ticket_id, row.since = t.id, now
    row.clerk_id, row.clerk_name, row.updated_at = ctx.actor.staff_id or None, ctx.actor.name, now
    wsnap = window_snapshot(session, row, base)
    ticket_event(
        session, ctx, t, "ticket.called", [snapshot(t, tbase), wsnap], window=window, **extra
    )
    return view_ticket(session, t)


def call_next(
    session: Session, ctx: Ctx, window: str, categories: Sequence[str] | None = None
) -> TicketView | None:
    """Call the next ticket for ``window`` (None when its lines are empty).

    The lines are ``categories`` or else those set for the window (none set: all lines).
    The window must have finished (or marked no-show) its current ticket first.
    """
    require(ctx, Permission.front_desk)
    row = _ready(session, ctx, window)
    cats = tuple(categories) if categories is not None else split_categories(row.categories)
    q = select(Ticket).where(_eligible(ctx, window, cats)).order_by(*_order(window)).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        # Another window's transaction may hold the head of the line: take the next one
        # instead of waiting, and never the same one (it is locked until that commit).
        q = q.with_for_update(skip_locked=True)
    t = session.exec(q).first()
    if t is None:
        return None
    return _take(session, ctx, window, row, t)


def call_number(session: Session, ctx: Ctx, window: str, number: str, reason: str) -> TicketView:
    """Call the waiting ticket ``number`` now, ahead of its turn, for ``reason`` (logged).

    When it is the very ticket ``call_next`` would take, it is an ordinary call.
    """
    require(ctx, Permission.front_desk)
    number = number.strip().upper()
    reason = reason.strip()
    if not number:
        raise ServiceError(_("type the ticket number to call"))
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _("the reason is too long (at most {n} characters)").format(n=MAX_REASON)
        )
    row = _ready(session, ctx, window)
    cats = split_categories(row.categories)
    today = local_day(ctx)
    q = select(Ticket).where(
        Ticket.station_code == ctx.station_code,
        Ticket.day == today,
        Ticket.number == number,
        Ticket.status == TicketStatus.waiting,
    )
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    t = session.exec(q).first()
    if t is None:
        raise ServiceError(_("no ticket {number} is waiting today").format(number=number))
    if t.target_window is not None and t.target_window != window:
        raise ServiceError(
            _("ticket {number} was sent to window {window}").format(
                number=number, window=t.target_window
            )
        )
    head = session.exec(
        select(Ticket.id).where(_eligible(ctx, window, cats)).order_by(*_order(window)).limit(1)
    ).first()
    if head == t.id:
        return _take(session, ctx, window, row, t)
    if not reason:
        raise ServiceError(
            _("ticket {number} is not next in line: give the reason for calling it now").format(
                number=number
            )
        )
    skipped = session.exec(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.station_code == ctx.station_code,
            Ticket.day == today,
            Ticket.status == TicketStatus.waiting,
            Ticket.category == t.category,
            Ticket.target_window.is_(None),  # type: ignore[union-attr]
            Ticket.id != t.id,
            before(t),
        )
    ).one()
    t.out_of_order = True
    t.call_reason = reason
    return _take(
        session,
        ctx,
        window,
        row,
        t,
        out_of_order=True,
        reason=reason,
        skipped=int(skipped),
    )
