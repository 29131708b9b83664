"""Appending to the event log (audit trail and sync outbox) and checking its hash chain.

Every service appends its events in its own transaction through ``append_event``.  Each
station's events form a chain: ``seq`` counts up from 1 without gaps and each ``hash`` is
the SHA-256 of the event's canonical content including the previous event's hash, so an
edited, deleted or reordered event breaks the chain where it happened.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from hallterm.db.ids import new_id
from hallterm.db.models import Event, EventHead


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def canonical_json(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    )


def event_hash(
    id: str,
    station_code: str,
    seq: int,
    entity: str,
    entity_id: str,
    kind: str,
    payload: str,
    actor: str,
    at: datetime,
    prev_hash: str,
) -> str:
    content: dict[str, str | int] = {
        "id": id,
        "station": station_code,
        "seq": seq,
        "entity": entity,
        "entity_id": entity_id,
        "kind": kind,
        "payload": payload,
        "actor": actor,
        "at": at.isoformat(timespec="microseconds"),
        "prev": prev_hash,
    }
    return hashlib.sha256(_canonical_bytes(content)).hexdigest()


def _canonical_bytes(value: dict[str, str | int]) -> bytes:
    """``canonical_json(value)`` in UTF-8, for a flat dict of text and numbers.  orjson writes
    the very same bytes (every code point is checked in ``tests/test_store.py``) several
    times faster; central hashes every event of a compact batch."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # e.g. a lone surrogate: fail as canonical_json does
        return canonical_json(value).encode("utf-8")


def hash_of(ev: Event) -> str:
    return event_hash(
        id=ev.id,
        station_code=ev.station_code,
        seq=ev.seq,
        entity=ev.entity,
        entity_id=ev.entity_id,
        kind=ev.kind,
        payload=ev.payload,
        actor=ev.actor,
        at=ev.at,
        prev_hash=ev.prev_hash,
    )


def _lock_head(session: Session, station_code: str) -> EventHead:
    """The chain head row of a station, locked for this transaction."""
    dialect = session.get_bind().dialect.name
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        ins(EventHead).values(station_code=station_code, seq=0, hash="").on_conflict_do_nothing()
    )
    head: EventHead = session.execute(
        select(EventHead).where(col(EventHead.station_code) == station_code).with_for_update()
    ).scalar_one()
    return head


def append_event(
    session: Session,
    *,
    station_code: str,
    entity: str,
    entity_id: str,
    kind: str,
    payload: dict[str, Any],
    actor: str,
    at: datetime,
) -> Event:
    """Append one event to ``station_code``'s chain inside the caller's transaction."""
    head = _lock_head(session, station_code)
    ev = Event(
        id=new_id(),
        station_code=station_code,
        seq=head.seq + 1,
        entity=entity,
        entity_id=entity_id,
        kind=kind,
        payload=canonical_json(payload),
        actor=actor,
        at=at,
        prev_hash=head.hash,
        hash="",
    )
    ev.hash = hash_of(ev)
    head.seq = ev.seq
    head.hash = ev.hash
    session.add(ev)
    session.add(head)
    session.flush()
    return ev


@dataclass(frozen=True)
class ChainBreak:
    station_code: str
    position: int  # 1-based position in the station's chain as stored (ordered by seq)
    seq: int | None
    event_id: str | None
    problem: str


def verify_chain(session: Session, station_code: str | None = None) -> list[ChainBreak]:
    """Walk each station's chain; return the first break of each broken chain."""
    stations = (
        [station_code]
        if station_code
        else list(session.execute(select(col(Event.station_code)).distinct()).scalars())
    )
    breaks: list[ChainBreak] = []
    for code in sorted(stations):
        prev = ""
        expected_seq = 1
        rows: Iterable[Event] = session.execute(
            select(Event).where(col(Event.station_code) == code).order_by(col(Event.seq))
        ).scalars()
        for position, ev in enumerate(rows, 1):
            problem = None
            if ev.seq != expected_seq:
                problem = f"sequence {ev.seq}, expected {expected_seq} (missing or reordered event)"
            elif ev.prev_hash != prev:
                problem = "previous-hash link does not match (event removed or reordered)"
            elif hash_of(ev) != ev.hash:
                problem = "content does not match its hash (event edited)"
            if problem:
                breaks.append(ChainBreak(code, position, ev.seq, ev.id, problem))
                break
            prev = ev.hash
            expected_seq += 1
    return breaks


def snapshot(row: Any, base_version: int | None = None) -> dict[str, Any]:
    """A row as it is after the change, for the event payload's ``rows`` list.

    Sync applies these generically at central: insert, or update when the central copy is
    at ``base_version`` (the version this change was based on); anything else is a conflict.
    """
    table = row.__table__
    values = {c.name: getattr(row, c.name) for c in table.columns}
    pk = {c.name: values[c.name] for c in table.primary_key.columns}
    out: dict[str, Any] = {"table": table.name, "pk": pk, "values": values}
    if base_version is not None:
        out["base_version"] = base_version
    decoded: dict[str, Any] = json.loads(canonical_json(out))
    return decoded
