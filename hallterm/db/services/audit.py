"""The audit trail: checking each station's event hash chain, and searching the events.

``verify_store`` walks every station's chain with ``events.verify_chain`` (on a station store
and on central alike) and also compares the end of the chain with the store's chain head
(``event_head``), which catches events cut off the end — a walk alone cannot see those.
It reports the first broken link of each chain with its 1-based position.

``search_events`` filters by actor, kind, entity, station and local date range.  Its summary
of a payload never shows row values or full ID numbers: the trail says *what* happened to
which record; reading a full ID number stays a separate, audited act.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from hallterm.clock import HALL_TZ
from hallterm.db.events import verify_chain
from hallterm.db.models import Event, EventHead
from hallterm.db.services import Ctx, record_event
from hallterm.db.services.audit_view import entity_labels, kind_label
from hallterm.db.services.permissions import require
from hallterm.domain.ids import mask_id
from hallterm.domain.roles import Permission, Role, role_label
from hallterm.i18n import _

MAX_ROWS = 1000
ROLE_VALUES = frozenset(r.value for r in Role)


@dataclass(frozen=True)
class ChainReport:
    """One station's chain: how many events, and its first broken link if any."""

    station_code: str
    events: int
    position: int | None = None  # 1-based position of the first broken link
    seq: int | None = None
    event_id: str | None = None
    kind: str | None = None  # the event kind at the break
    problem: str = ""  # translated

    @property
    def ok(self) -> bool:
        return self.position is None


_SEQ = re.compile(r"sequence (\d+), expected (\d+)")


def _translate_problem(problem: str) -> str:
    """``verify_chain`` speaks English; the supervisor reads the current language."""
    m = _SEQ.match(problem)
    if m:
        return _(
            "sequence number {seq} where {expected} was expected (an event is missing or "
            "out of order)"
        ).format(seq=m.group(1), expected=m.group(2))
    if problem.startswith("previous-hash"):
        return _("the link to the previous event does not match (an event was removed or moved)")
    if problem.startswith("content does not match"):
        return _("the event's content does not match its hash (the event was edited)")
    return problem


def _stations(session: Session) -> list[str]:
    codes: set[str] = set(session.execute(select(col(Event.station_code)).distinct()).scalars())
    codes |= set(
        session.execute(select(col(EventHead.station_code)).where(col(EventHead.seq) > 0)).scalars()
    )
    return sorted(codes)


def verify_store(session: Session, station_code: str | None = None) -> list[ChainReport]:
    """A report per station chain (only ``station_code``'s when given), sorted by station."""
    stations = [station_code] if station_code else _stations(session)
    counts = dict(
        session.execute(select(Event.station_code, func.count()).group_by(Event.station_code)).all()
    )
    reports: list[ChainReport] = []
    for code in stations:
        n = int(counts.get(code, 0))
        breaks = verify_chain(session, code)
        if breaks:
            b = breaks[0]
            ev = session.get(Event, b.event_id) if b.event_id else None
            reports.append(
                ChainReport(
                    code,
                    n,
                    b.position,
                    b.seq,
                    b.event_id,
                    ev.kind if ev else None,
                    _translate_problem(b.problem),
                )
            )
            continue
        reports.append(_check_head(session, code, n))
    return reports


def _check_head(session: Session, code: str, n: int) -> ChainReport:
    """Compare the walked chain's last event with the recorded head of the chain."""
    head = session.get(EventHead, code)
    if head is None or head.seq == 0 and n == 0:
        return ChainReport(code, n)  # central keeps no head for other stations' chains
    last = session.execute(
        select(Event).where(Event.station_code == code).order_by(col(Event.seq).desc()).limit(1)
    ).scalar_one_or_none()
    last_seq = last.seq if last else 0
    if head.seq > last_seq:
        return ChainReport(
            code,
            n,
            n + 1,
            last_seq + 1,
            None,
            None,
            _(
                "the chain ends at sequence {last} but its head records {head}: events were "
                "removed from the end"
            ).format(last=last_seq, head=head.seq),
        )
    if head.seq < last_seq:
        ev = session.execute(
            select(Event).where(Event.station_code == code, Event.seq == head.seq + 1)
        ).scalar_one_or_none()
        return ChainReport(
            code,
            n,
            head.seq + 1,
            head.seq + 1,
            ev.id if ev else None,
            ev.kind if ev else None,
            _(
                "events after the recorded head of the chain ({head}) were added outside hallterm"
            ).format(head=head.seq),
        )
    if last is not None and head.hash != last.hash:
        return ChainReport(
            code,
            n,
            n,
            last.seq,
            last.id,
            last.kind,
            _("the last event does not match the recorded head of the chain (it was replaced)"),
        )
    return ChainReport(code, n)


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class AuditRow:
    id: str
    station_code: str
    seq: int
    at: datetime
    actor: str
    entity: str
    entity_id: str
    kind: str
    summary: str
    kind_label: str = ""  # the kind in words, in the current language
    entity_label: str = ""  # the record's number or name


def _local_start(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=HALL_TZ).astimezone(UTC)


def summarize(payload: str, limit: int = 160) -> str:
    """A short, safe reading of an event payload: keys and scalars, never row values."""
    try:
        data: Any = json.loads(payload)
    except ValueError:
        return payload[:limit]
    if not isinstance(data, dict):
        return str(data)[:limit]
    parts: list[str] = []
    for key, value in data.items():
        if key == "rows" and isinstance(value, list):
            tables = [f"{r.get('table')}" for r in value if isinstance(r, dict) and r.get("table")]
            if tables:
                parts.append(_("rows: {tables}").format(tables=", ".join(tables)))
            continue
        if isinstance(value, dict | list):
            continue
        text = "" if value is None else str(value)
        if key in ("role", "from", "to") and text in ROLE_VALUES:
            text = role_label(text)  # a role in words, not the code ``admin``
        if text.startswith("enc1:"):
            text = _("(encrypted)")
        elif "id_number" in key or "password" in key:
            text = mask_id(text) if text else text
        if len(text) > 40:
            text = text[:39] + "…"
        parts.append(f"{key}={text}")
    out = " ".join(parts)
    return out if len(out) <= limit else out[: limit - 1] + "…"


def search_events(
    session: Session,
    ctx: Ctx,
    *,
    actor: str | None = None,
    kind: str | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    station_code: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    text: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditRow]:
    """Events matching every given filter, newest first; ``limit`` is capped at 1000.

    ``kind`` matches exactly, or as a family: ``staff`` finds ``staff.login``,
    ``staff.login_failed`` …; ``*`` is a wildcard (``*.printed``).  Dates are the hall's
    local calendar days, both ends included.
    """
    require(ctx, Permission.read_audit)
    q = select(Event)
    if actor:
        q = q.where(Event.actor == actor.strip())
    if kind:
        k = kind.strip()
        if "*" in k:
            q = q.where(col(Event.kind).like(k.replace("*", "%")))
        else:
            q = q.where(or_(col(Event.kind) == k, col(Event.kind).like(k.rstrip(".") + ".%")))
    if entity:
        q = q.where(Event.entity == entity.strip())
    if entity_id:
        q = q.where(Event.entity_id == entity_id.strip())
    if station_code:
        q = q.where(Event.station_code == station_code.strip())
    if date_from:
        q = q.where(Event.at >= _local_start(date_from))
    if date_to:
        q = q.where(Event.at < _local_start(date_to + timedelta(days=1)))
    if text:
        q = q.where(col(Event.payload).like(f"%{text.strip()}%"))
    q = (
        q.order_by(col(Event.at).desc(), Event.station_code, col(Event.seq).desc())
        .offset(max(0, offset))
        .limit(max(1, min(limit, MAX_ROWS)))
    )
    events = list(session.exec(q))
    labels = entity_labels(session, ((e.entity, e.entity_id) for e in events))
    return [
        AuditRow(
            e.id,
            e.station_code,
            e.seq,
            e.at,
            e.actor,
            e.entity,
            e.entity_id,
            e.kind,
            summarize(e.payload),
            kind_label(e.kind),
            labels[(e.entity, e.entity_id)],
        )
        for e in events
    ]


def record_print(
    session: Session,
    ctx: Ctx,
    *,
    entity: str,
    entity_id: str,
    kind: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Note a printed document in the audit trail (``kind`` like ``guide.printed``)."""
    record_event(
        session,
        ctx,
        entity=entity,
        entity_id=entity_id[:64],
        kind=kind,
        payload={"window": ctx.actor.window, **(detail or {})},
    )
