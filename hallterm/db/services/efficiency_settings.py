"""Supervision settings kept in the store: the working days a rectification of a bad rating
(差评整改) is due in.  Local rules use 5, 7 or 15 working days; the default is 15."""

from __future__ import annotations

from sqlmodel import Session

from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.setup import get_info, set_info
from hallterm.i18n import _

RECTIFY_KEY = "rectify_working_days"
RECTIFY_DEFAULT = 15
RECTIFY_MAX = 60


def rectify_working_days(session: Session) -> int:
    """The working days a new rectification is due in (the store's setting, else 15)."""
    raw = get_info(session, RECTIFY_KEY)
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) <= RECTIFY_MAX else RECTIFY_DEFAULT


def set_rectify_working_days(session: Session, ctx: Ctx, days: int) -> None:
    """Change the deadline of rectifications opened from now on (open ones keep theirs)."""
    if not 1 <= days <= RECTIFY_MAX:
        raise ServiceError(
            _("the rectification deadline must be 1 to {most} working days, not {days}").format(
                most=RECTIFY_MAX, days=days
            )
        )
    before = rectify_working_days(session)
    set_info(session, RECTIFY_KEY, str(days))
    session.flush()
    record_event(
        session,
        ctx,
        entity="setting",
        entity_id=RECTIFY_KEY,
        kind="setting.changed",
        payload={"key": RECTIFY_KEY, "from": before, "to": days},
    )
