"""Use cases: each takes a session (one transaction) and appends its events there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hallterm.clock import Clock

if TYPE_CHECKING:
    from sqlmodel import Session

    from hallterm.db.models import Event


@dataclass(frozen=True)
class Actor:
    """Who is acting, as plain data (never an ORM row across threads)."""

    staff_id: str
    username: str
    name: str
    role: str
    station_code: str
    window: str = ""


SYSTEM = Actor(staff_id="", username="system", name="system", role="admin", station_code="")


@dataclass(frozen=True)
class Ctx:
    """The acting person, the station whose chain receives the events, and the clock."""

    actor: Actor
    station_code: str
    clock: Clock


class ServiceError(Exception):
    """A use case refused: the message is translated and safe to show to the clerk."""


def record_event(
    session: Session, ctx: Ctx, *, entity: str, entity_id: str, kind: str, payload: dict[str, Any]
) -> Event:
    """Append an event by ``ctx``'s actor, now, to ``ctx``'s station chain (same transaction)."""
    from hallterm.db.events import append_event  # lazy: keeps SQLAlchemy off the start-up path

    return append_event(
        session,
        station_code=ctx.station_code,
        entity=entity,
        entity_id=entity_id,
        kind=kind,
        payload=payload,
        actor=ctx.actor.username,
        at=ctx.clock.now(),
    )
