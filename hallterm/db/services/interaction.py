"""Interaction (政务互动): consultations, complaints and correction suggestions, with deadlines.

An item is taken at a window, by phone or otherwise, and must be answered within a number of
working days that depends on its kind.  The defaults are below (``DEFAULT_REPLY_DAYS``); a
store overrides one with the store_info key ``interaction.reply_days.<kind>`` (set with
``set_reply_days``).  The deadline is fixed when the item is taken, so changing the setting
later never moves the deadline of an item already promised to somebody.

Every use case appends its event (``interaction.recorded``, ``interaction.replied``,
``interaction.printed``, ``interaction.reply_days_set``) in its own transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.events import append_event, snapshot
from hallterm.db.models import Matter
from hallterm.db.models_interaction import InteractionItem
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.counters import next_value
from hallterm.db.services.permissions import require
from hallterm.db.services.setup import get_info, set_info
from hallterm.domain.roles import Permission
from hallterm.domain.workdays import WorkCalendar, deadline_light
from hallterm.i18n import N_, _

if TYPE_CHECKING:
    from hallterm.db.engine import Store
    from hallterm.printing.guide import InteractionCopy
    from hallterm.printing.output import Printer

KINDS = ("consultation", "complaint", "correction")
CHANNELS = ("window", "phone", "online", "letter", "other")

# Working days to reply, by kind, unless the store says otherwise.
DEFAULT_REPLY_DAYS: dict[str, int] = {"consultation": 3, "complaint": 5, "correction": 5}
REPLY_DAYS_KEY = "interaction.reply_days.{kind}"
MAX_REPLY_DAYS = 60

NUMBER_PREFIX = {"consultation": "ZX", "complaint": "TS", "correction": "JC"}

KIND_LABELS = {
    "consultation": N_("consultation"),
    "complaint": N_("complaint"),
    "correction": N_("correction suggestion"),
}
CHANNEL_LABELS = {
    "window": N_("at the window"),
    "phone": N_("by phone"),
    "online": N_("online"),
    "letter": N_("by letter"),
    "other": N_("other channel"),
}
# Open items turn yellow this many working days before they are due.
YELLOW_AT = 1


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def channel_label(channel: str) -> str:
    return _(CHANNEL_LABELS.get(channel, channel))


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
    contact_phone: str
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


def _today(ctx: Ctx) -> date:
    return to_local(ctx.clock.now()).date()


def reply_days(session: Session, kind: str) -> int:
    """The working days allowed to reply to an item of ``kind`` in this store."""
    _check_kind(kind)
    value = get_info(session, REPLY_DAYS_KEY.format(kind=kind))
    if value is not None and value.strip().isdigit():
        return int(value.strip())
    return DEFAULT_REPLY_DAYS[kind]


def set_reply_days(session: Session, ctx: Ctx, kind: str, days: int) -> None:
    """Override the reply deadline of ``kind`` for items taken from now on."""
    require(ctx, Permission.supervise, Permission.manage_catalog)
    _check_kind(kind)
    if not 1 <= days <= MAX_REPLY_DAYS:
        raise ServiceError(
            _("the reply deadline must be 1 to {max} working days").format(max=MAX_REPLY_DAYS)
        )
    key = REPLY_DAYS_KEY.format(kind=kind)
    set_info(session, key, str(days))
    append_event(
        session,
        station_code=ctx.station_code,
        entity="store_info",
        entity_id=key,
        kind="interaction.reply_days_set",
        # No "rows": a store's own setting, not data for central to apply.
        payload={"kind": kind, "days": days},
        actor=ctx.actor.username,
        at=ctx.clock.now(),
    )


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ServiceError(
            _("unknown kind {kind}; use one of {kinds}").format(kind=kind, kinds=", ".join(KINDS))
        )


def _view(
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
        contact_phone=row.contact_phone,
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


def _event(session: Session, ctx: Ctx, row: InteractionItem, kind: str, base: int | None) -> None:
    record_event(
        session,
        ctx,
        entity="interaction",
        entity_id=row.id,
        kind=kind,
        payload={"number": row.number, "rows": [snapshot(row, base_version=base)]},
    )


def _limit(value: str, field: str, max_len: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_("{field} is required").format(field=field))
    if len(value) > max_len:
        raise ServiceError(
            _("{field} is too long ({n} characters, at most {max})").format(
                field=field, n=len(value), max=max_len
            )
        )
    return value


def record_item(
    session: Session,
    ctx: Ctx,
    *,
    kind: str,
    channel: str,
    subject: str,
    content: str,
    matter_code: str | None = None,
    contact_name: str = "",
    contact_phone: str = "",
) -> InteractionView:
    """Take a consultation, complaint or correction; its reply deadline is fixed now."""
    require(ctx, Permission.front_desk, Permission.process_cases)
    _check_kind(kind)
    if channel not in CHANNELS:
        raise ServiceError(
            _("unknown channel {channel}; use one of {channels}").format(
                channel=channel, channels=", ".join(CHANNELS)
            )
        )
    subject = _limit(subject, _("Subject"), 200, required=True)
    content = _limit(content, _("Content"), 20_000, required=True)
    contact_name = _limit(contact_name, _("Contact name"), 100)
    contact_phone = _limit(contact_phone, _("Contact phone"), 40)
    matter_code = (matter_code or "").strip() or None
    if matter_code and session.get(Matter, matter_code) is None:
        raise ServiceError(_("no matter with code {code}").format(code=matter_code))
    now = ctx.clock.now()
    today = to_local(now).date()
    days = reply_days(session, kind)
    station = ctx.station_code
    seq = next_value(session, f"interaction/{station}/{today:%Y%m%d}")
    row = InteractionItem(
        id=str(uuid.uuid4()),
        number=f"{station}-{NUMBER_PREFIX[kind]}-{today:%Y%m%d}-{seq:04d}",
        station_code=station,
        kind=kind,
        channel=channel,
        subject=subject,
        matter_code=matter_code,
        content=content,
        contact_name=contact_name,
        contact_phone=contact_phone,
        taken_by=ctx.actor.username,
        taken_by_name=ctx.actor.name,
        taken_at=now,
        reply_days=days,
        reply_due=calendar_for(session).add_working_days(today, days),
        reply="",
    )
    session.add(row)
    session.flush()
    _event(session, ctx, row, "interaction.recorded", None)
    return _view(session, row, today)


def _find(session: Session, ref: str) -> InteractionItem:
    ref = ref.strip()
    row = (
        session.get(InteractionItem, ref)
        or session.exec(select(InteractionItem).where(InteractionItem.number == ref)).first()
    )
    if row is None:
        raise ServiceError(_("no interaction item {ref}").format(ref=ref))
    return row


def reply_item(session: Session, ctx: Ctx, ref: str, reply: str) -> InteractionView:
    """Record the answer to an open item (by id or number) and who gave it."""
    require(ctx, Permission.process_cases)
    row = _find(session, ref)
    if row.replied_at is not None:
        raise ServiceError(
            _("item {number} was already answered by {who}").format(
                number=row.number, who=row.replied_by_name or row.replied_by
            )
        )
    row.reply = _limit(reply, _("Reply"), 20_000, required=True)
    row.replied_by = ctx.actor.username
    row.replied_by_name = ctx.actor.name
    row.replied_at = ctx.clock.now()
    base = row.version
    row.version += 1
    session.add(row)
    session.flush()
    _event(session, ctx, row, "interaction.replied", base)
    return _view(session, row, _today(ctx))


def get_item(session: Session, ctx: Ctx, ref: str, today: date) -> InteractionView:
    require(ctx, Permission.read_personal)
    return _view(session, _find(session, ref), today)


def record_copy_printed(session: Session, ctx: Ctx, ref: str, path: str) -> None:
    """The applicant's copy of an item was printed (the audit trail records every print)."""
    row = _find(session, ref)
    record_event(
        session,
        ctx,
        entity="interaction",
        entity_id=row.id,
        kind="interaction.printed",
        payload={"number": row.number, "file": path},
    )


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
    return _items(session, today, kind=kind, status=status, limit=limit)


def _items(
    session: Session,
    today: date,
    *,
    kind: str | None = None,
    status: Status = "all",
    limit: int = 200,
) -> list[InteractionView]:
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
    return [_view(session, row, today, cal) for row in session.exec(q)]


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
    """Items whose number, subject, contact or content contains ``text``."""
    require(ctx, Permission.read_personal)
    like = f"%{text.strip()}%"
    q = (
        select(InteractionItem)
        .where(
            or_(
                col(InteractionItem.number).like(like),
                col(InteractionItem.subject).like(like),
                col(InteractionItem.contact_name).like(like),
                col(InteractionItem.contact_phone).like(like),
                col(InteractionItem.content).like(like),
            )
        )
        .order_by(col(InteractionItem.taken_at).desc())
        .limit(limit)
    )
    cal = calendar_for(session)
    return [_view(session, row, today, cal) for row in session.exec(q)]


def copy_of(view: InteractionView) -> InteractionCopy:
    """The applicant's copy of an item, labels in the current language."""
    from hallterm.printing.guide import InteractionCopy

    return InteractionCopy(
        number=view.number,
        kind=kind_label(view.kind),
        channel=channel_label(view.channel),
        subject=view.subject,
        matter=view.matter_name or (view.matter_code or ""),
        content=view.content,
        contact_name=view.contact_name,
        contact_phone=view.contact_phone,
        taken_at=to_local(view.taken_at),
        taken_by=view.taken_by_name or view.taken_by,
        reply_due=view.reply_due,
        reply=view.reply,
        replied_by=view.replied_by_name or (view.replied_by or ""),
        replied_at=to_local(view.replied_at) if view.replied_at else None,
    )


def print_copy(
    store: Store,
    ctx: Ctx,
    ref: str,
    printer: Printer | None = None,
    *,
    out: Path | None = None,
    font_path: str | None = None,
) -> tuple[Path, str | None]:
    """Print the applicant's copy of item ``ref``; the print is noted in the audit trail.

    Returns the PDF path and the printer's failure message, if any.
    """
    from hallterm.db.services.catalog.guides import hall_of
    from hallterm.printing.guide import render_interaction_copy

    with store.read() as session:
        view = get_item(session, ctx, ref, _today(ctx))
        hall = hall_of(session, ctx)
    if out is None:
        if printer is None:
            raise ServiceError(_("nowhere to print to"))
        out = printer.pdf_path("interaction", view.number)
    render_interaction_copy(copy_of(view), out, hall=hall, font_path=font_path)
    message = printer.send(out) if printer is not None else None
    with store.write() as session:
        record_copy_printed(session, ctx, view.id, out.name)
    return out, message


def dashboard_section(session: Session, station_code: str | None, today: date) -> Any:
    """The supervisor dashboard's table of open items: overdue in red, due today in yellow."""
    from hallterm.db.services.efficiency import DashboardSection

    items = [
        i
        for i in _items(session, today, status="open", limit=200)  # the supervisor's dashboard
        if i.overdue or i.days_left == 0
    ]
    if station_code:
        items = [i for i in items if i.station_code == station_code]
    if not items:
        return None
    items.sort(key=lambda i: (not i.overdue, i.reply_due))
    return DashboardSection(
        title=_("Consultations, complaints and corrections awaiting a reply"),
        columns=(_("Number"), _("Kind"), _("Subject"), _("Reply due"), _("Taken by")),
        rows=tuple(
            (
                i.number,
                kind_label(i.kind),
                i.subject,
                i.reply_due.isoformat(),
                i.taken_by_name or i.taken_by,
            )
            for i in items
        ),
        row_lights=tuple("red" if i.overdue else "yellow" for i in items),
    )


def _register() -> None:
    from hallterm.db.services.efficiency import register_dashboard_section

    register_dashboard_section(dashboard_section)


_register()
