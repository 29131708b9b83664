"""Station → central: the outbox (unsent events) in sequence order, batch by batch.

One central transaction per batch; the events are marked sent locally only after central's
commit returned (a helper thread reads the next batch and writes the marks meanwhile).  If
the connection breaks or times out the outcome is unknown: nothing is marked and the next
run sends the same ids again, which central acknowledges as duplicates.  Before pushing,
the station compares its chain with what central holds (``reconcile``): events central lost
(e.g. restored from a backup) are sent again, and a chain central holds differently (e.g. a
station restored from an old backup) is reported as divergence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, String, func, select, type_coerce, update
from sqlmodel import Session

from hallterm.db.engine import Store
from hallterm.db.models import Event
from hallterm.db.sync.central import (
    EVENT_COLUMNS,
    BulkInsertRefused,
    ChainState,
    EventIn,
    chain_state,
    event_hash_at,
    open_conflict_exists,
    quarantine,
    quarantined_seqs,
    receive,
)

Progress = Callable[[int], None]
_EVENT = Event.__table__  # type: ignore[attr-defined]


@dataclass
class PushResult:
    pushed: int = 0  # new at central
    duplicates: int = 0
    conflicts: int = 0
    batches: int = 0


def unsent_count(session: Session, station_code: str) -> int:
    return session.execute(
        select(func.count())
        .select_from(_EVENT)
        .where(_EVENT.c.station_code == station_code, _EVENT.c.sent_at.is_(None))
    ).scalar_one()


def local_state(session: Session, station_code: str) -> ChainState:
    return chain_state(session, station_code)


def reconcile(local: Store, central: Store, station_code: str, now: datetime) -> tuple[int, str]:
    """Compare chains; requeue events central lost. Returns (requeued, divergence reason)."""
    with central.read() as cs:
        theirs = chain_state(cs, station_code)
    with local.read() as ls:
        mine = local_state(ls, station_code)
        my_hash_at_theirs = event_hash_at(ls, station_code, theirs.seq) if theirs.seq else ""
    reason = ""
    if theirs.seq > mine.seq:
        reason = f"central holds events up to seq {theirs.seq}, this station only up to {mine.seq}"
    elif theirs.seq and my_hash_at_theirs != theirs.hash:
        reason = f"the event at seq {theirs.seq} differs between station and central"
    if reason:
        with central.write() as cs:
            if not open_conflict_exists(cs, station_code, "diverged"):
                quarantine(cs, station_code, "diverged", reason, now)
        return 0, reason
    with local.read() as ls:
        lost: int = ls.execute(
            select(func.count())
            .select_from(_EVENT)
            .where(
                _EVENT.c.station_code == station_code,
                _EVENT.c.seq > theirs.seq,
                _EVENT.c.sent_at.is_not(None),
            )
        ).scalar_one()
    if not lost:
        return 0, ""
    # Sent but not at central: lost there (a restore), unless central refused them.
    with central.read() as cs:
        refused = quarantined_seqs(cs, station_code, theirs.seq)
    with local.write() as ls:
        requeued = cast(
            "CursorResult[Any]",
            ls.execute(
                update(_EVENT)
                .where(
                    _EVENT.c.station_code == station_code,
                    _EVENT.c.seq > theirs.seq,
                    _EVENT.c.sent_at.is_not(None),
                    _EVENT.c.seq.not_in(sorted(refused)),
                )
                .values(sent_at=None)
            ),
        ).rowcount
    return requeued or 0, ""


def _at(value: datetime | str) -> datetime:
    # SQLite keeps UTC as "YYYY-MM-DD HH:MM:SS.ffffff"; fromisoformat is much faster than
    # the generic type processing, which matters at tens of thousands of events.
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def _next_batch(session: Session, station_code: str, batch: int, after: int = 0) -> list[EventIn]:
    """The next unsent events after sequence number ``after``, in order."""
    at = _EVENT.c.at
    if session.get_bind().dialect.name == "sqlite":
        at = type_coerce(_EVENT.c.at, String).label("at")
    cols = [at if c == "at" else _EVENT.c[c] for c in EVENT_COLUMNS]
    rows = session.execute(
        select(*cols)
        .where(
            _EVENT.c.station_code == station_code,
            _EVENT.c.sent_at.is_(None),
            _EVENT.c.seq > after,
        )
        .order_by(_EVENT.c.seq)
        .limit(batch)
    ).all()
    i = EVENT_COLUMNS.index("at")
    return [EventIn._make((*r[:i], _at(r[i]), *r[i + 1 :])) for r in rows]


@contextmanager
def _marking(local: Store) -> Iterator[Session]:
    """The local transaction that marks a batch sent and reads the next one.

    On SQLite it commits with ``synchronous=NORMAL`` (no fsync per commit in WAL mode):
    a mark lost in a power cut only means the batch is sent again and acknowledged as a
    duplicate, so waiting for the disk after every batch would buy nothing.  The
    connection is put back to ``FULL`` before it returns to the pool.
    """
    if local.dialect != "sqlite":
        with local.write() as session:
            yield session
        return
    with local.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA synchronous=NORMAL")
        try:
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                session.connection()
                yield session
        finally:
            raw.execute("PRAGMA synchronous=FULL")


def _receive(conn: Connection, station_code: str, events: list[EventIn], now: datetime):  # type: ignore[no-untyped-def]
    """One central transaction for the batch; the bulk path first, the careful one if needed."""
    try:
        with Session(bind=conn, expire_on_commit=False) as cs, cs.begin():
            return receive(cs, station_code, events, now, fast=True)
    except BulkInsertRefused:
        with Session(bind=conn, expire_on_commit=False) as cs, cs.begin():
            return receive(cs, station_code, events, now, fast=False)


def push(
    local: Store,
    central: Store,
    station_code: str,
    *,
    batch: int,
    now: Callable[[], datetime],
    progress: Progress | None = None,
) -> PushResult:
    """Send every unsent event of ``station_code``; raises on a connection problem.

    A helper thread does the local work (reading the next batch, marking the previous one
    sent after central's commit returned) while this thread waits for central.
    """
    result = PushResult()

    def read(after: int) -> list[EventIn]:
        with local.read() as ls:
            return _next_batch(ls, station_code, batch, after)

    def mark(first: int, last: int, at: datetime) -> None:
        # The batch is every unsent event in [first, last]: later events get higher numbers.
        with _marking(local) as ls:
            ls.execute(
                update(_EVENT)
                .where(
                    _EVENT.c.station_code == station_code,
                    _EVENT.c.sent_at.is_(None),
                    _EVENT.c.seq.between(first, last),
                )
                .values(sent_at=at)
            )

    with ThreadPoolExecutor(max_workers=1) as helper:  # runs its tasks in order
        events = read(0)
        if not events:
            return result
        marked: Future[None] | None = None
        with central.engine.connect() as conn:  # one connection for the whole push
            while events:
                upcoming = helper.submit(read, events[-1].seq)
                replies = _receive(conn, station_code, events, now())
                # Central has committed: only now may the batch be marked sent.
                if marked is not None:
                    marked.result()  # a failed mark surfaces here
                marked = helper.submit(mark, events[0].seq, events[-1].seq, now())
                for r in replies:
                    if r.status == "ok":
                        result.pushed += 1
                    elif r.status == "duplicate":
                        result.duplicates += 1
                    else:
                        result.conflicts += 1
                result.batches += 1
                if progress:
                    progress(len(events))
                events = upcoming.result()
        if marked is not None:
            marked.result()
    return result
