"""Use cases: each takes a session (one transaction) and appends its events there."""

from __future__ import annotations

from dataclasses import dataclass

from hallterm.clock import Clock


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
