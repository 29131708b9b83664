"""Reading a case's timeline: every event of the case, oldest first, with who and when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from hallterm.db.models import Event
from hallterm.db.services import Ctx
from hallterm.db.services.permissions import require
from hallterm.domain.roles import Permission


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    actor: str
    details: dict[str, Any]


def timeline(session: Session, ctx: Ctx, case_id: str) -> list[TimelineEntry]:
    """Every event of the case, oldest first, with who and when."""
    require(ctx, Permission.read_personal)
    rows = session.exec(
        select(Event)
        .where(Event.entity == "case", Event.entity_id == case_id)
        .order_by(col(Event.at), col(Event.seq))
    )
    out = []
    for ev in rows:
        details = json.loads(ev.payload)
        details.pop("rows", None)
        out.append(TimelineEntry(ev.at, ev.kind, ev.actor, details))
    return out
