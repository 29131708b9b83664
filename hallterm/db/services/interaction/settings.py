"""Interaction reply deadlines: the working days allowed per kind, a store's overrides.

The defaults are ``DEFAULT_REPLY_DAYS``; a store overrides one with the store_info key
``interaction.reply_days.<kind>`` (``set_reply_days``).  The deadline is fixed when an item is
taken, so a later change never moves the deadline of an item already promised to somebody.
"""

from __future__ import annotations

from sqlmodel import Session

from hallterm.db.events import append_event
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.interaction.kinds import check_kind
from hallterm.db.services.permissions import require
from hallterm.db.services.setup import get_info, set_info
from hallterm.domain.roles import Permission
from hallterm.i18n import _

# Working days to reply, by kind, unless the store says otherwise.
DEFAULT_REPLY_DAYS: dict[str, int] = {"consultation": 3, "complaint": 5, "correction": 5}
REPLY_DAYS_KEY = "interaction.reply_days.{kind}"
MAX_REPLY_DAYS = 60


def reply_days(session: Session, kind: str) -> int:
    """The working days allowed to reply to an item of ``kind`` in this store."""
    check_kind(kind)
    value = get_info(session, REPLY_DAYS_KEY.format(kind=kind))
    if value is not None and value.strip().isdigit():
        return int(value.strip())
    return DEFAULT_REPLY_DAYS[kind]


def set_reply_days(session: Session, ctx: Ctx, kind: str, days: int) -> None:
    """Override the reply deadline of ``kind`` for items taken from now on."""
    require(ctx, Permission.supervise, Permission.manage_catalog)
    check_kind(kind)
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
