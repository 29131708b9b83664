"""好差评: the applicant's rating of a finished service, and the rectification of a bad one.

Five levels: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.  A rating belongs to the
case and/or the ticket, the window and the clerk who served.  Only the applicant rates: the
rating terminal paired with a window (``hallterm rate --window N``) acts as ``APPLICANT``;
a signed-in clerk, supervisor or admin is refused, and so is a rating of a ticket whose
service is not finished (or of a case not yet decided at the window).  A bad rating (不满意 or
worse) opens a rectification due in the store's setting (``efficiency_settings``, default 15
working days), tracked until a supervisor closes it with the response given to the
applicant (``rectification``).  The figures count 好评 (levels 4-5) and 差评 (levels 1-2);
see ``hallterm.domain.figures``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.events import append_event, snapshot
from hallterm.db.ids import new_id
from hallterm.db.models import ServiceCase, Staff
from hallterm.db.models_queue import Evaluation, Rectification, Ticket
from hallterm.db.services import Actor, Ctx, ServiceError
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.efficiency_rollups import apply_rating
from hallterm.db.services.efficiency_settings import rectify_working_days

# Re-exported: the rectification of a bad rating has its own module (``rectification``);
# callers that import it from here (the dashboard's figures) keep working.
from hallterm.db.services.rectification import RectificationView as RectificationView
from hallterm.db.services.rectification import close_rectification as close_rectification
from hallterm.db.services.rectification import rectifications as rectifications
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
RECTIFY_WORKING_DAYS = 15  # the default; the store's setting decides (efficiency_settings)
MAX_COMMENT = 500
APPLICANT_ROLE = "applicant"
RATE_WITHIN_MINUTES = 15  # the rating terminal offers a service finished this recently


def applicant_actor(window: str) -> Actor:
    """Who rates at the rating terminal of ``window``: the applicant, not a member of staff."""
    return Actor(
        staff_id="",
        username=f"rating:{window}"[:64],
        name="applicant",
        role=APPLICANT_ROLE,
        station_code="",
        window=window,
    )


def applicant_ctx(ctx: Ctx, window: str | None = None) -> Ctx:
    """``ctx`` with the applicant of ``window`` (default: ``ctx``'s window) acting."""
    return Ctx(
        actor=applicant_actor(window or ctx.actor.window),
        station_code=ctx.station_code,
        clock=ctx.clock,
    )


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


def _rating_view(ev: Evaluation, rect: Rectification | None) -> RatingView:
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
    """Record the applicant's rating; window and clerk default to those of the ticket (or of
    the case), else the terminal's window."""
    if ctx.actor.role != APPLICANT_ROLE:
        raise ServiceError(
            _(
                "only the applicant rates, on the rating terminal of the window "
                "(hallterm rate --window N)"
            )
        )
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
        if ticket.status != "done":
            raise ServiceError(
                _("ticket {number} has no finished service to rate").format(number=ticket.number)
            )
        case_id = case_id or ticket.case_id
        if session.exec(select(Evaluation.id).where(Evaluation.ticket_id == ticket.id)).first():
            raise ServiceError(
                _("ticket {number} has already been rated").format(number=ticket.number)
            )
    case_row = session.get(ServiceCase, case_id) if case_id is not None else None
    if case_id is not None:
        if case_row is None:
            raise ServiceError(_("no such case"))
        if ticket is None and case_row.status == "registered":
            raise ServiceError(
                _("case {number} is not decided yet: nothing to rate").format(
                    number=case_row.number
                )
            )
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
        id=new_id(),
        station_code=ctx.station_code,
        case_id=case_id,
        ticket_id=ticket.id if ticket else None,
        window=window or (ticket.window if ticket else None) or ctx.actor.window,
        clerk_id=clerk_id
        or (ticket.clerk_id if ticket else None)
        or (case_row.clerk_id if case_row else None),
        level=level,
        comment=comment,
        channel="terminal",
        at=now,
    )
    session.add(ev)
    session.flush()
    apply_rating(session, ev.id)
    rows = [snapshot(ev)]
    rect = None
    if level <= BAD_AT_OR_BELOW:
        today = to_local(now).date()
        rect = Rectification(
            id=new_id(),
            evaluation_id=ev.id,
            station_code=ctx.station_code,
            opened_at=now,
            due_date=calendar_for(session).add_working_days(today, rectify_working_days(session)),
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
    return _rating_view(ev, rect)


@dataclass(frozen=True)
class PendingRating:
    """The service the rating terminal of a window offers to rate."""

    ticket_id: str
    number: str
    window: str
    clerk_name: str
    case_number: str | None
    finished_at: datetime


def pending_rating(
    session: Session, station_code: str, window: str, now: datetime
) -> PendingRating | None:
    """The newest service finished at ``window`` in the last minutes and not rated yet."""
    rated = select(Evaluation.ticket_id).where(col(Evaluation.ticket_id).is_not(None))
    row = session.exec(
        select(Ticket, Staff.name, ServiceCase.number)
        .join(Staff, col(Staff.id) == col(Ticket.clerk_id), isouter=True)
        .join(ServiceCase, col(ServiceCase.id) == col(Ticket.case_id), isouter=True)
        .where(
            Ticket.station_code == station_code,
            Ticket.window == window,
            Ticket.status == "done",
            col(Ticket.finished_at) >= now - timedelta(minutes=RATE_WITHIN_MINUTES),
        )
        .order_by(col(Ticket.finished_at).desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    ticket, clerk_name, case_number = row
    if session.exec(rated.where(Evaluation.ticket_id == ticket.id)).first():
        return None
    assert ticket.finished_at is not None
    return PendingRating(
        ticket.id, ticket.number, window, clerk_name or "", case_number, ticket.finished_at
    )


def rate_window(
    session: Session, ctx: Ctx, window: str, *, level: int, comment: str = ""
) -> RatingView:
    """The rating terminal of ``window``: rate the service just finished there."""
    pending = pending_rating(session, ctx.station_code, window, ctx.clock.now())
    if pending is None:
        raise ServiceError(
            _("window {window} has no finished service to rate").format(window=window)
        )
    return rate(session, ctx, level=level, comment=comment, ticket_id=pending.ticket_id)


def ratings_of_case(session: Session, case_id: str) -> list[RatingView]:
    rows = session.exec(
        select(Evaluation, Rectification)
        .join(Rectification, col(Rectification.evaluation_id) == col(Evaluation.id), isouter=True)
        .where(Evaluation.case_id == case_id)
        .order_by(col(Evaluation.at))
    ).all()
    return [_rating_view(ev, rect) for ev, rect in rows]
