"""Station → central: the outbox (unsent events) in sequence order, batch by batch.

One central transaction per batch; the events are marked sent locally only after central's
commit returned.  If the connection breaks or times out the outcome is unknown: nothing is
marked and the next run sends the same ids again, which central acknowledges as duplicates.
Before pushing, the station compares its chain with what central holds (``reconcile``):
events central lost (e.g. restored from a backup) are sent again, and a chain central holds
differently (e.g. a station restored from an old backup) is reported as divergence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session

from hallterm.db.engine import Store
from hallterm.db.models import Event
from hallterm.db.sync.central import (
    EVENT_COLUMNS,
    ChainState,
    EventIn,
    chain_state,
    event_hash_at,
    open_conflict_exists,
    quarantine,
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
    repushed: int = 0  # events central had lost, queued again
    diverged: str = ""  # why central's copy of this chain differs ("" when it does not)


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
    with local.write() as ls:
        requeued = ls.execute(
            update(_EVENT)
            .where(
                _EVENT.c.station_code == station_code,
                _EVENT.c.seq > theirs.seq,
                _EVENT.c.sent_at.is_not(None),
            )
            .values(sent_at=None)
        ).rowcount
    return requeued or 0, ""


def push(
    local: Store,
    central: Store,
    station_code: str,
    *,
    batch: int,
    now: Callable[[], datetime],
    progress: Progress | None = None,
) -> PushResult:
    """Send every unsent event of ``station_code``; raises on a connection problem."""
    result = PushResult()
    cols = [_EVENT.c[c] for c in EVENT_COLUMNS]
    while True:
        with local.read() as ls:
            rows = (
                ls.execute(
                    select(*cols)
                    .where(_EVENT.c.station_code == station_code, _EVENT.c.sent_at.is_(None))
                    .order_by(_EVENT.c.seq)
                    .limit(batch)
                )
                .mappings()
                .all()
            )
        if not rows:
            return result
        events = [EventIn.from_row(r) for r in rows]
        with central.write() as cs:
            replies = receive(cs, station_code, events, now())
        # Central has committed: only now is the batch marked sent.
        with local.write() as ls:
            ls.execute(
                update(_EVENT).where(_EVENT.c.id.in_([e.id for e in events])).values(sent_at=now())
            )
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
