"""Receiving a pushed batch: classify each event, store the new ones as sent, apply them.

The station's peer row is locked first, so two pushes of one station never interleave.
Each event is classified — new, duplicate (same id, same hash), or conflict (same id with
another hash, a sequence number taken by another event, a ``prev_hash`` not linking to the
event before it, another station's event) — and the new ones are inserted as sent
(``INSERT … ON CONFLICT DO NOTHING``; on PostgreSQL fed by a binary ``COPY``; per-station
``seq`` and hashes kept as sent).  At a PostgreSQL central ``event`` is partitioned by month
and keyed ``(station_code, id, at)``: the seq check here, under the peer lock, is what keeps
``(station_code, seq)`` unique (``central.partitions``).  Their effects are then applied (``apply``); anything
refused goes to ``sync_quarantine`` for a person — never overwritten, and never blocking the
events behind.  Every event gets its own reply; a batch sent again gets the same replies
and changes nothing (its refused events are not quarantined twice).

Content hashes are not recomputed on receipt: a station able to edit its store can also
recompute a hash, so the check would add no security while costing more than the insert
itself; ``events.verify_chain`` checks every stored chain at central whenever asked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from hallterm.db.events import canonical_json
from hallterm.db.models import Event, Station
from hallterm.db.models_sync import SyncPeer, SyncQuarantine
from hallterm.db.one_of import one_of
from hallterm.db.sync.central.apply import Applier, Prepared, run_event_hooks
from hallterm.db.sync.central.common import (
    EVENT_COLUMNS,
    BulkInsertRefused,
    ChainState,
    EventIn,
    Problem,
    Reply,
    SyncRefused,
)
from hallterm.db.sync.central.feed import publish
from hallterm.db.sync.roles import as_central, taken_role
from hallterm.i18n import _


def chain_state(session: Session, station_code: str) -> ChainState:
    """What a store holds of a station's chain: the newest seq and its hash (index lookup)."""
    last = session.exec(
        select(Event.seq, Event.hash)
        .where(col(Event.station_code) == station_code)
        .order_by(col(Event.seq).desc())
        .limit(1)
    ).first()
    return ChainState(*last) if last else ChainState(0, "")


def event_hash_at(session: Session, station_code: str, seq: int) -> str | None:
    return session.exec(
        select(Event.hash).where(col(Event.station_code) == station_code, col(Event.seq) == seq)
    ).first()


def _lock_peer(session: Session, station_code: str, now: datetime) -> None:
    """Stamp and lock the station's peer row: pushes of one station never interleave."""
    stamp = (
        update(SyncPeer)
        .where(col(SyncPeer.station_code) == station_code)
        .values(last_push_at=now)
        .returning(col(SyncPeer.station_code))
    )
    if session.execute(stamp).first() is not None:
        return
    if session.get(Station, station_code) is None:
        raise SyncRefused(
            _(
                "station {code} is not registered at central; run: hallterm central add-station"
            ).format(code=station_code)
        )
    session.add(SyncPeer(station_code=station_code))
    session.flush()
    session.execute(stamp).first()


def receive(
    session: Session,
    station_code: str,
    events: Sequence[EventIn],
    now: datetime,
    fast: bool = False,
    prepared: Prepared | None = None,
) -> list[Reply]:
    """Store and apply one batch of a station's events; one reply per event, in order.

    The caller has checked once that this is a central store (``check_central``).  With
    ``fast`` the new events are copied straight into ``event`` on PostgreSQL (not under
    row-level security, which refuses COPY); if an id turns out to exist elsewhere after all,
    ``BulkInsertRefused`` is raised and the caller redoes the batch without ``fast``.
    ``prepared``: the events' row changes read before the lock (``apply.prepare``).
    """
    if not events:
        return []
    fast = fast and session.get_bind().dialect.name == "postgresql" and _may_copy(session)
    _lock_peer(session, station_code, now)
    ids = {e.id for e in events}
    seqs = [e.seq for e in events]
    known: dict[str, str] = {}  # event id → hash, wherever central holds it
    taken: dict[int, str] = {}  # seq → event id of this station's chain at central
    chain: dict[int, str] = {0: ""}  # seq → hash (seq 1 follows "")
    this_chain = and_(
        col(Event.station_code) == station_code,
        col(Event.seq).between(min(seqs) - 1, max(seqs)),
    )
    # The bulk path looks only at the chain's range (an index range scan); an id held
    # elsewhere makes its COPY fail, and the careful path then also asks for the ids.
    where = this_chain if fast else or_(one_of(session, col(Event.id), sorted(ids)), this_chain)
    for eid, code, seq, h in session.exec(
        select(Event.id, Event.station_code, Event.seq, Event.hash).where(where)
    ):
        if eid in ids:
            known[eid] = h
        if code == station_code:
            taken[seq], chain[seq] = eid, h
    quarantined: dict[str, str] = {}  # stored, but still refused (an open conflict)
    if known:
        quarantined = {
            str(eid): problem
            for eid, problem in session.exec(
                select(col(SyncQuarantine.event_id), SyncQuarantine.problem).where(
                    one_of(session, col(SyncQuarantine.event_id), known),
                    col(SyncQuarantine.resolved_at).is_(None),
                )
            )
        }
    status: dict[str, Reply] = {}
    problems: dict[str, Problem] = {}
    new: list[EventIn] = []
    for e in events:
        if e.station_code != station_code:
            problems[e.id] = Problem("foreign", f"event of station {e.station_code}")
        elif e.id in known:
            if known[e.id] == e.hash:
                if e.id in quarantined:
                    status[e.id] = Reply(e.id, "conflict", quarantined[e.id])
                else:
                    status[e.id] = Reply(e.id, "duplicate")
            else:
                problems[e.id] = Problem(
                    "event_id", f"central holds this event id with hash {known[e.id]}"
                )
        elif taken.get(e.seq, e.id) != e.id:
            problems[e.id] = Problem(
                "seq", f"central holds event {taken[e.seq]} at seq {e.seq} (diverged chain)"
            )
        elif chain.get(e.seq - 1) != e.prev_hash:
            problems[e.id] = Problem(
                "chain", f"the previous event (seq {e.seq - 1}) at central has another hash"
            )
        else:
            new.append(e)
            chain[e.seq] = e.hash
    for e in events:  # the refused event itself goes to quarantine for a person to see
        if e.id in problems:
            problems[e.id].payload = canonical_json(e.as_dict())
    if new:
        inserted = _insert_events(session, new, now, fast)
        for e in new:
            if e.id not in inserted:
                problems[e.id] = Problem("event_id", "central holds this event id already")
                problems[e.id].payload = canonical_json(e.as_dict())
        new = [e for e in new if e.id in inserted]
        problems.update(Applier(session, station_code).apply(new, prepared))
        accepted = [e for e in new if e.id not in problems]
        _fan_out(session, accepted, now)
        run_event_hooks(session, station_code, accepted)
    # A batch sent again (its first commit's answer was lost) must not quarantine twice.
    recorded = (
        set(
            session.exec(
                select(col(SyncQuarantine.event_id)).where(
                    one_of(session, col(SyncQuarantine.event_id), sorted(problems))
                )
            )
        )
        if problems
        else set()
    )
    fresh = {eid: p for eid, p in problems.items() if eid not in recorded}
    if fresh:
        by_id = {e.id: e for e in events}
        session.execute(
            insert(SyncQuarantine.__table__),  # type: ignore[attr-defined]
            [
                {
                    "station_code": station_code,
                    "event_id": eid,
                    "seq": by_id[eid].seq,
                    "problem": p.problem,
                    "table_name": p.table_name,
                    "row_key": p.row_key,
                    "detail": p.detail,
                    "payload": p.payload or by_id[eid].payload,
                    "created_at": now,
                    "resolved_by": "",
                    "resolution": "",
                }
                for eid, p in fresh.items()
            ],
        )
    out = []
    for e in events:
        if e.id in problems:
            out.append(Reply(e.id, "conflict", problems[e.id].problem))
        else:
            out.append(status.get(e.id, Reply(e.id, "ok")))
    return out


_COPY_TYPES = (
    "varchar",
    "varchar",
    "int4",
    "varchar",
    "varchar",
    "varchar",
    "text",
    "varchar",
    "timestamptz",
    "varchar",
    "varchar",
    "timestamptz",
)


# Rows a station writes that every station must learn through the pull feed.
FAN_OUT_TABLES = frozenset({"revocation"})


def _fan_out(session: Session, events: Sequence[EventIn], now: datetime) -> None:
    """Publish the accepted events' rows of ``FAN_OUT_TABLES`` (e.g. a revocation) to all."""
    for e in events:
        if not any(f'"{name}"' in e.payload for name in FAN_OUT_TABLES):
            continue  # most events: no need to parse the payload again
        rows = [
            r for r in json.loads(e.payload).get("rows", []) if r.get("table") in FAN_OUT_TABLES
        ]
        if rows:
            key = ",".join(f"{r['table']}:{canonical_json(r['pk'])}" for r in rows)
            with as_central(session):  # the feed is central's: stations may only read it
                publish(session, "rows", key[:100], {"rows": rows}, now=now)


def _may_copy(session: Session) -> bool:
    """COPY is refused where row-level security applies (a transaction run as a station)."""
    if taken_role(session):
        return False
    return not session.execute(text("SELECT row_security_active('event')")).scalar()


_INCOMING = (
    "CREATE TEMP TABLE IF NOT EXISTS sync_incoming "
    "(LIKE event INCLUDING DEFAULTS INCLUDING COMPRESSION)"
)


STAGED = "sync_incoming"  # key in a pooled connection's ``info``: its staging table exists


def stage_incoming(dbapi_connection: Any, info: dict[Any, Any]) -> None:
    """Give a new PostgreSQL connection its own ``sync_incoming`` table, kept as long as the
    connection: made once, not at every push (creating and dropping it cost ~3 ms of catalog
    writes a push).  Made by central's login, not a station's role (which could not be dropped
    while a pooled connection held its table); every station role may use it, and each push
    leaves it empty (``DELETE``, or its rollback).  Nothing before central's schema exists.
    ``info``: the pooled connection's, marked so a push does not ask for the table again."""
    with dbapi_connection.cursor() as cur:
        cur.execute("SELECT to_regclass('event') IS NOT NULL")
        if cur.fetchone()[0]:
            cur.execute(_INCOMING)
            cur.execute("GRANT SELECT, INSERT, DELETE ON sync_incoming TO PUBLIC")
            info[STAGED] = True
    dbapi_connection.commit()


def _insert_events(
    session: Session, events: Sequence[EventIn], now: datetime, fast: bool
) -> set[str]:
    """Insert the batch's new events (as sent); returns the ids actually inserted."""
    cols = ", ".join(EVENT_COLUMNS)
    if session.get_bind().dialect.name != "postgresql":
        stmt = sqlite_insert(Event.__table__).on_conflict_do_nothing(index_elements=["id"])  # type: ignore[attr-defined]
        session.execute(stmt, [{**e.as_dict(), "sent_at": now} for e in events])
        return {e.id for e in events}  # SQLite central: no hidden rows, ids were checked
    from psycopg import errors

    conn = session.connection()
    raw = conn.connection.dbapi_connection
    rows = ((*e, now) for e in events)  # EventIn is in EVENT_COLUMNS order
    with raw.cursor() as cur:  # type: ignore[union-attr]
        if fast:
            # Binary COPY straight into the table: the ids were checked under the peer lock.
            try:
                with cur.copy(f"COPY event ({cols}, sent_at) FROM STDIN (FORMAT BINARY)") as cp:
                    cp.set_types(_COPY_TYPES)
                    for row in rows:
                        cp.write_row(row)
            except errors.UniqueViolation:
                raise BulkInsertRefused() from None
            return {e.id for e in events}
        # Careful path: COPY into a temporary table, then INSERT … ON CONFLICT DO NOTHING.
        # The service's connections have one for their lifetime (``stage_incoming``); any
        # other gets one for this transaction.  Its payloads are compressed as event's are
        # (lz4): INSERT … SELECT keeps them as they are.
        if not conn.info.get(STAGED):
            cur.execute(f"{_INCOMING} ON COMMIT DROP")
        with cur.copy(f"COPY sync_incoming ({cols}, sent_at) FROM STDIN (FORMAT BINARY)") as cp:
            cp.set_types(_COPY_TYPES)
            for row in rows:
                cp.write_row(row)
        cur.execute(
            f"INSERT INTO event ({cols}, sent_at) SELECT {cols}, sent_at FROM sync_incoming "
            "ON CONFLICT DO NOTHING RETURNING id"  # event may be partitioned (no key on id)
        )
        inserted = {r[0] for r in cur.fetchall()}
        cur.execute("DELETE FROM sync_incoming")
        return inserted
