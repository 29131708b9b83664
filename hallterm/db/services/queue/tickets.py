"""A ticket's life: issued at the kiosk, recalled, no-show, served, finished, transferred.

Priority (绿色通道): asked for at the kiosk it is only *requested* — the ticket is called
ahead, and the clerk confirms it at the call or refuses it, which puts the ticket back in the
ordinary line at its place by issue time.  An ID number showing an age of 60 or more grants it
at once (``domain.priority``).  A transfer closes the ticket here and issues a new row with
the same number in the new line; that row remembers the window that sent it, which never
calls it back.
"""

from __future__ import annotations

import hmac

from sqlmodel import Session, col, select

from hallterm.db.events import snapshot
from hallterm.db.ids import new_id
from hallterm.db.models import Applicant, ServiceCase
from hallterm.db.models_queue import Ticket, WindowState
from hallterm.db.privacy.personal import id_index
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.applicants import normalize_id
from hallterm.db.services.counters import next_value
from hallterm.db.services.permissions import require
from hallterm.db.services.queue._base import (
    PriorityState,
    TicketStatus,
    bump,
    category_row,
    free_window,
    get_row,
    id_hash,
    local_day,
    own,
    require_status,
    ticket_event,
    window_snapshot,
)
from hallterm.db.services.queue.views import TicketView, ahead_of, view_ticket
from hallterm.domain.ids import mask_id
from hallterm.domain.numbering import ticket_number
from hallterm.domain.priority import granted_by_age
from hallterm.domain.roles import Permission
from hallterm.i18n import _

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

    ``priority`` is the applicant's request; it is granted at once when the ID number shows
    the age of the priority rule, else the clerk confirms it at the call.  The ID number
    itself is not kept: only a keyed HMAC with a station secret (to check it at the window), the masked form, and
    the applicant's id when that person is already registered.
    """
    cat = category_row(session, category)
    now = ctx.clock.now()
    today = local_day(ctx)
    ticket_id = new_id()
    hashed = masked = applicant_id = None
    state = PriorityState.requested if priority else PriorityState.none
    if id_number and id_number.strip():
        number = normalize_id(id_type, id_number)
        hashed, masked = id_hash(session, ctx, ticket_id, number), mask_id(number)
        applicant_id = session.exec(
            select(Applicant.id).where(
                Applicant.id_type == id_type,
                Applicant.id_index == id_index(session, id_type, number),
            )
        ).first()
        if granted_by_age(id_type, number, today):
            state = PriorityState.by_age
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
        priority=state != PriorityState.none,
        priority_state=state.value,
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
    ticket_event(
        session,
        ctx,
        t,
        "ticket.issued",
        [snapshot(t)],
        category=cat.code,
        priority=t.priority,
        priority_state=t.priority_state,
        appointment=appointment,
    )
    return view_ticket(session, t, ahead=ahead_of(session, t))


def check_id(session: Session, ctx: Ctx, ticket_id: str, id_type: str, id_number: str) -> bool:
    """Whether ``id_number`` is the one typed at the kiosk for this ticket."""
    require(ctx, Permission.front_desk)
    t = get_row(session, ticket_id)
    if not t.id_hash:
        return False
    expected = id_hash(session, ctx, t.id, normalize_id(id_type, id_number))
    return hmac.compare_digest(expected, t.id_hash)


# -- at the window -------------------------------------------------------------------------


def recall(session: Session, ctx: Ctx, ticket_id: str) -> TicketView:
    """Announce the called ticket again (the display and the voice repeat it)."""
    require(ctx, Permission.front_desk)
    t = get_row(session, ticket_id, lock=True)
    own(t, ctx)
    require_status(t, TicketStatus.called)
    base = bump(t)
    t.recalls += 1
    t.announced_at = ctx.clock.now()
    session.add(t)
    session.flush()
    ticket_event(session, ctx, t, "ticket.recalled", [snapshot(t, base)], window=t.window)
    return view_ticket(session, t)


def confirm_priority(session: Session, ctx: Ctx, ticket_id: str, *, granted: bool) -> TicketView:
    """The clerk decides a requested priority at the call.

    Granted: the ticket stays at the window as a priority ticket.  Refused: the ticket goes
    back to the ordinary line at its place by issue time, and the window is free again.
    """
    require(ctx, Permission.front_desk)
    t = get_row(session, ticket_id, lock=True)
    own(t, ctx)
    require_status(t, TicketStatus.called)
    if t.priority_state != PriorityState.requested:
        raise ServiceError(
            _("ticket {number} has no priority request to decide").format(number=t.number)
        )
    base = bump(t)
    window = t.window
    rows = []
    if granted:
        t.priority_state = PriorityState.confirmed
        kind = "ticket.priority_confirmed"
    else:
        t.priority_state = PriorityState.refused
        t.priority = False
        t.status = TicketStatus.waiting
        rows = free_window(session, ctx, t)
        t.window = None
        t.clerk_id = None
        kind = "ticket.priority_refused"
    session.add(t)
    session.flush()
    ticket_event(session, ctx, t, kind, [snapshot(t, base), *rows], window=window)
    return view_ticket(session, t)


def no_show(session: Session, ctx: Ctx, ticket_id: str) -> TicketView:
    """过号: the first time back to the end of the line, the second time it is over."""
    require(ctx, Permission.front_desk)
    t = get_row(session, ticket_id, lock=True)
    own(t, ctx)
    require_status(t, TicketStatus.called)
    base = bump(t)
    wrows = free_window(session, ctx, t)
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
    ticket_event(session, ctx, t, kind, [snapshot(t, base), *wrows], window=window)
    return view_ticket(session, t)


def start_service(session: Session, ctx: Ctx, ticket_id: str) -> TicketView:
    """The applicant has come to the window: service time starts."""
    require(ctx, Permission.front_desk)
    t = get_row(session, ticket_id, lock=True)
    own(t, ctx)
    require_status(t, TicketStatus.called)
    if t.priority_state == PriorityState.requested:
        raise ServiceError(
            _(
                "ticket {number} asked for the priority lane: confirm it (G) or refuse it "
                "(Shift+G) before starting the service"
            ).format(number=t.number)
        )
    base = bump(t)
    now = ctx.clock.now()
    t.status = TicketStatus.serving
    t.started_at = now
    session.add(t)
    rows = [snapshot(t, base)]
    row = session.get(WindowState, (ctx.station_code, t.window or ""))
    if row is not None and row.ticket_id == t.id:
        wbase = bump(row)
        row.since, row.updated_at = now, now
        rows.append(window_snapshot(session, row, wbase))
    session.flush()
    ticket_event(session, ctx, t, "ticket.started", rows, window=t.window)
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
    t = get_row(session, ticket_id, lock=True)
    own(t, ctx)
    require_status(t, TicketStatus.serving)
    if case_id is not None and session.get(ServiceCase, case_id) is None:
        raise ServiceError(_("no such case"))
    base = bump(t)
    t.status = TicketStatus.done
    t.finished_at = ctx.clock.now()
    t.case_id = case_id or t.case_id or _recent_case(session, ctx, t)
    if t.case_id and not t.applicant_id:
        case_row = session.get(ServiceCase, t.case_id)
        t.applicant_id = case_row.applicant_id if case_row else None
    session.add(t)
    wrows = free_window(session, ctx, t)
    session.flush()
    ticket_event(
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
    t = get_row(session, ticket_id, lock=True)
    own(t, ctx)
    case_row = session.get(ServiceCase, case_id)
    if case_row is None:
        raise ServiceError(_("no such case"))
    base = bump(t)
    t.case_id = case_id
    t.applicant_id = t.applicant_id or case_row.applicant_id
    session.add(t)
    session.flush()
    ticket_event(session, ctx, t, "ticket.linked", [snapshot(t, base)], case_id=case_id)
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
    row with the same number waits in the new line, placed by its first issue time.  The
    window that sent it never calls it back.
    """
    require(ctx, Permission.front_desk)
    t = get_row(session, ticket_id, lock=True)
    own(t, ctx)
    require_status(t, TicketStatus.called, TicketStatus.serving)
    window = (window or "").strip() or None
    if category is None and window is None:
        raise ServiceError(_("choose a queue category or a window to transfer to"))
    if category is not None:
        category_row(session, category)
    if window is not None and window == t.window:
        raise ServiceError(_("the ticket is already at window {window}").format(window=window))
    if category == t.category and window is None:
        raise ServiceError(_("the ticket is already in that line"))
    base = bump(t)
    now = ctx.clock.now()
    if t.status == TicketStatus.called:
        t.started_at = None
    t.status = TicketStatus.transferred
    t.finished_at = now
    session.add(t)
    wrows = free_window(session, ctx, t)
    new = Ticket(
        id=new_id(),
        station_code=t.station_code,
        day=t.day,
        category=category or t.category,
        seq=t.seq,
        number=t.number,
        priority=t.priority,
        priority_state=t.priority_state,
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
        from_window=t.window,
        case_id=t.case_id,
    )
    if t.id_hash:
        new.id_hash = t.id_hash  # the same person: the check at the next window still works
    session.add(new)
    session.flush()
    ticket_event(
        session,
        ctx,
        t,
        "ticket.transferred",
        [snapshot(t, base), snapshot(new), *wrows],
        window=t.window,
        to_category=new.category,
        to_window=window,
        new_ticket=new.id,
    )
    return view_ticket(session, new)
