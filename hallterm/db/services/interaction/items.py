"""Interaction use cases that write an item: taking it (its deadline fixed then) and replying.

Each appends its event (``interaction.recorded``, ``interaction.replied``) with a snapshot of
the row, in the caller's transaction.  The contact phone is stored encrypted under the
station's field key (``privacy.personal.seal_station_field``): the row, its event payloads
and central's copy hold ciphertext only.
"""

from __future__ import annotations

from sqlmodel import Session

from hallterm.clock import to_local
from hallterm.db.events import snapshot
from hallterm.db.ids import new_id
from hallterm.db.models import Matter
from hallterm.db.models_interaction import InteractionItem
from hallterm.db.privacy.personal import seal_station_field
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.counters import next_value
from hallterm.db.services.interaction.kinds import CHANNELS, NUMBER_PREFIX, check_kind
from hallterm.db.services.interaction.settings import reply_days
from hallterm.db.services.interaction.views import InteractionView, find_item, view_of
from hallterm.db.services.permissions import require
from hallterm.domain.roles import Permission
from hallterm.i18n import _


def item_event(
    session: Session, ctx: Ctx, row: InteractionItem, kind: str, base: int | None
) -> None:
    record_event(
        session,
        ctx,
        entity="interaction",
        entity_id=row.id,
        kind=kind,
        payload={"number": row.number, "rows": [snapshot(row, base_version=base)]},
    )


def limit_text(value: str, field: str, max_len: int, required: bool = False) -> str:
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
    check_kind(kind)
    if channel not in CHANNELS:
        raise ServiceError(
            _("unknown channel {channel}; use one of {channels}").format(
                channel=channel, channels=", ".join(CHANNELS)
            )
        )
    subject = limit_text(subject, _("Subject"), 200, required=True)
    content = limit_text(content, _("Content"), 20_000, required=True)
    contact_name = limit_text(contact_name, _("Contact name"), 100)
    contact_phone = limit_text(contact_phone, _("Contact phone"), 40)
    matter_code = (matter_code or "").strip() or None
    if matter_code and session.get(Matter, matter_code) is None:
        raise ServiceError(_("no matter with code {code}").format(code=matter_code))
    now = ctx.clock.now()
    today = to_local(now).date()
    days = reply_days(session, kind)
    station = ctx.station_code
    seq = next_value(session, f"interaction/{station}/{today:%Y%m%d}")
    item_id = new_id()
    row = InteractionItem(
        id=item_id,
        number=f"{station}-{NUMBER_PREFIX[kind]}-{today:%Y%m%d}-{seq:04d}",
        station_code=station,
        kind=kind,
        channel=channel,
        subject=subject,
        matter_code=matter_code,
        content=content,
        contact_name=contact_name,
        contact_phone=seal_station_field(
            session, "interaction_item", item_id, "contact_phone", contact_phone
        ),
        taken_by=ctx.actor.username,
        taken_by_name=ctx.actor.name,
        taken_at=now,
        reply_days=days,
        reply_due=calendar_for(session).add_working_days(today, days),
        reply="",
    )
    session.add(row)
    session.flush()
    item_event(session, ctx, row, "interaction.recorded", None)
    return view_of(session, row, today)


def reply_item(session: Session, ctx: Ctx, ref: str, reply: str) -> InteractionView:
    """Record the answer to an open item (by id or number) and who gave it."""
    require(ctx, Permission.process_cases)
    row = find_item(session, ref)
    if row.replied_at is not None:
        raise ServiceError(
            _("item {number} was already answered by {who}").format(
                number=row.number, who=row.replied_by_name or row.replied_by
            )
        )
    row.reply = limit_text(reply, _("Reply"), 20_000, required=True)
    row.replied_by = ctx.actor.username
    row.replied_by_name = ctx.actor.name
    row.replied_at = ctx.clock.now()
    base = row.version
    row.version += 1
    session.add(row)
    session.flush()
    item_event(session, ctx, row, "interaction.replied", base)
    return view_of(session, row, ctx.clock.today())
