"""Station → central: the outbox (undelivered events) in sequence order, one request per batch.

An event is marked delivered only when its own reply says central stored it (``ok``, or
``duplicate``: stored by an earlier attempt).  A ``refused`` event stays undelivered and is
listed in the local ``sync_quarantine`` (table "push") with central's reason; the events
behind it still go.  A timeout or a cut means "unknown": nothing is marked, and the same
ids go again (central answers ``duplicate``).

The batch size adapts to the link (``BatchSize``): it doubles after a batch answered within
``fast_seconds`` (5 s) and is quartered after a timeout, always within its bounds.  The last
two batches share what is left evenly (``BatchSize.for_remaining``), so the push does not end
with a full batch and a few stragglers.

Escrow copies of person keys not yet confirmed by central (``privacy.escrow``) ride along,
up to ``KEYS_PER_BATCH`` a request (a request of keys alone when no event waits); a copy
is marked delivered only when its own reply says central stored it, and is sent at most
once per push (a central that does not know keys gets them again at the next sync).
"""

from __future__ import annotations

import contextlib
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import String, func, select, type_coerce, update
from sqlmodel import Session, col

from hallterm.db.engine import Store
from hallterm.db.models import Event
from hallterm.db.models_sync import SyncQuarantine
from hallterm.db.privacy.escrow import mark_delivered, undelivered
from hallterm.db.sync.central.common import EVENT_COLUMNS, ChainState, EventIn
from hallterm.db.sync.client import (
    Behind,
    Diverged,
    FullHashesNeeded,
    LinkError,
    PushReply,
    SyncClient,
)
from hallterm.db.sync.recover import delivered_head

Progress = Callable[[int], None]
_EVENT = Event.__table__  # type: ignore[attr-defined]
PUSH_TABLE = "push"  # local quarantine rows of events central refused
RETRIES = 3
KEYS_PER_BATCH = 500
Copies = list[tuple[str, str]]  # (applicant_id, escrow copy)


@dataclass
class BatchSize:
    """The adaptive batch size and its bounds.  A batch answered within ``fast_seconds``
    doubles the next: twice as much still comes back well inside the request timeout (60 s)
    on the same link, and on a township link (2 Mbit/s, 300 ms) the size reaches a few
    thousand events within the first seconds of a month's sync."""

    size: int = 1000
    low: int = 50
    high: int = 5000
    fast_seconds: float = 5.0

    def __post_init__(self) -> None:
        self.low = max(1, min(self.low, self.size))
        self.high = max(self.high, self.size)

    def succeeded(self, seconds: float) -> None:
        if seconds < self.fast_seconds:
            self.size = min(self.high, self.size * 2)

    def timed_out(self) -> None:
        self.size = max(self.low, self.size // 4)

    def for_remaining(self, remaining: int) -> int:
        """The next batch's size when about ``remaining`` events wait: half of them when they
        are more than one batch and less than two."""
        if self.size < remaining < 2 * self.size:
            return max(self.low, (remaining + 1) // 2)
        return self.size


@dataclass
class Refusal:
    event_id: str
    seq: int
    problem: str
    message: str


@dataclass
class PushResult:
    pushed: int = 0  # stored at central now
    duplicates: int = 0  # stored by an earlier attempt
    refused: list[Refusal] = field(default_factory=list)
    batches: int = 0
    chain: ChainState | None = None
    keys: int = 0  # escrow copies central confirmed


def unsent_count(session: Session, station_code: str) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(_EVENT)
            .where(_EVENT.c.station_code == station_code, _EVENT.c.sent_at.is_(None))
        ).scalar_one()
    )


def _at(value: datetime | str) -> datetime:
    # SQLite keeps UTC as "YYYY-MM-DD HH:MM:SS.ffffff"; fromisoformat is much faster than
    # the generic type processing, which matters at tens of thousands of events.
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def next_batch(session: Session, station_code: str, batch: int, after: int = 0) -> list[EventIn]:
    """The next undelivered events after sequence number ``after``, in order."""
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


def _record(
    local: Store,
    station_code: str,
    events: list[EventIn],
    replies: list[PushReply],
    now: datetime,
    keys: Copies | None = None,
) -> None:
    """Mark delivered what central stored (events and escrow copies); list what it refused
    (once), in one transaction."""
    delivered = [r.event_id for r in replies if r.status in ("ok", "duplicate")]
    refused = {r.event_id: r for r in replies if r.status == "refused"}
    seqs = {e.id: e.seq for e in events}
    with local.write() as ls:
        mark_delivered(ls, keys or [])
        for i in range(0, len(delivered), 500):
            ls.execute(
                update(_EVENT).where(_EVENT.c.id.in_(delivered[i : i + 500])).values(sent_at=now)
            )
        open_rows = _open_refusals(ls, list(refused) + delivered)
        for eid in delivered:  # refused before, stored now (e.g. after a fix at central)
            row = open_rows.get(eid)
            if row is not None:
                row.resolved_at = now
                row.resolved_by = "central"
                row.resolution = "delivered"
                ls.add(row)
        for eid, r in refused.items():
            if eid in open_rows:
                continue
            ls.add(
                SyncQuarantine(
                    station_code=station_code,
                    event_id=eid,
                    seq=seqs.get(eid),
                    problem=r.problem or "refused",
                    table_name=PUSH_TABLE,
                    row_key="",
                    detail=r.message,
                    payload="",
                    created_at=now,
                    resolution="",
                )
            )


def _open_refusals(session: Session, ids: list[str]) -> dict[str, SyncQuarantine]:
    out: dict[str, SyncQuarantine] = {}
    row: SyncQuarantine
    for i in range(0, len(ids), 500):
        for row in session.execute(
            select(SyncQuarantine).where(
                col(SyncQuarantine.table_name) == PUSH_TABLE,
                col(SyncQuarantine.resolved_at).is_(None),
                col(SyncQuarantine.event_id).in_(ids[i : i + 500]),
            )
        ).scalars():
            if row.event_id:
                out[row.event_id] = row
    return out


@dataclass
class _Flight:
    """A batch on the wire: its events and escrow copies, the future reply, when it left,
    what it follows."""

    events: list[EventIn]
    keys: Copies
    reply: Future[tuple[list[PushReply], ChainState, list[str]]] | None
    started: float
    after: int


@dataclass
class EarlyBatch:
    """The first batch of a sync, sent beside the pull rather than after it: it names the
    chain head at central it follows (``base``, the newest event the station saw delivered),
    so central stores it only if its chain is where the station thinks."""

    flight: _Flight
    base: ChainState
    pool: ThreadPoolExecutor

    def drop(self) -> None:
        """Wait for its answer and forget it (the pull found central's chain elsewhere, or
        failed): its events stay waiting, and whatever central did is answered again."""
        with contextlib.suppress(Exception):
            if self.flight.reply is not None:
                self.flight.reply.result()
        self.pool.shutdown(wait=False)


def send_early(
    local: Store, client: SyncClient, station_code: str, batch: BatchSize
) -> EarlyBatch | None:
    """Send the first waiting batch with its ``base`` now; None when nothing waits."""
    with local.read() as ls:
        events = next_batch(ls, station_code, batch.size)
        if not events:
            return None
        base = delivered_head(ls, station_code)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-early")
    reply = pool.submit(client.push_with_keys, events, None, None, 0, base)
    return EarlyBatch(_Flight(events, [], reply, time.monotonic(), 0), base, pool)


def push(
    local: Store,
    client: SyncClient,
    station_code: str,
    *,
    batch: BatchSize,
    now: Callable[[], datetime],
    progress: Progress | None = None,
    early: EarlyBatch | None = None,
) -> PushResult:
    """Send every undelivered event; raises ``LinkError`` when the link fails for good.

    Two batches are on the wire at once: the next one leaves while central works on the
    previous one (``after`` tells central which batch it follows), so transfer and central's
    work overlap on a slow link.  Replies are taken in order.  ``early``: the first batch,
    already on the wire (``send_early``; the pull found central's chain where it said).
    """
    result = PushResult()

    tried: set[str] = set()  # escrow copies sent in this push: each goes once

    def read(after: int) -> list[EventIn]:
        with local.read() as ls:
            return next_batch(ls, station_code, batch.for_remaining(waiting - taken), after)

    def read_keys() -> Copies:
        with local.read() as ls:
            copies = undelivered(ls, KEYS_PER_BATCH, tried)
        tried.update(a for a, _c in copies)
        return copies

    def settle(flight: _Flight) -> tuple[list[PushReply], ChainState, list[str]]:
        tries = 0
        while True:
            try:
                if flight.reply is not None:
                    replies, chain, stored = flight.reply.result()
                else:
                    replies, chain, stored = client.push_with_keys(flight.events, flight.keys)
            except Behind:  # central had not stored the batch before it yet: send it again
                flight.reply, flight.started = None, time.monotonic()
                continue
            except Diverged:
                # Only the early batch names a base.  Its pull found central's chain where
                # the station thought, so another sync of this station (one frozen or cut
                # mid-push) stored events since: send the batch the careful way, where what
                # is already there comes back as duplicates.
                flight.reply, flight.started = None, time.monotonic()
                continue
            except FullHashesNeeded:  # rare: central's hash differs; it names the event now
                client.full_hashes = True
                flight.reply, flight.started = None, time.monotonic()
                continue
            except LinkError:
                tries += 1
                if tries >= RETRIES:
                    raise
                if len(flight.events) > batch.low:  # a smaller batch may get through
                    batch.timed_out()
                flight.reply, flight.started = None, time.monotonic()
                continue
            batch.succeeded(time.monotonic() - flight.started)
            return replies, chain, stored

    with local.read() as ls:
        waiting = unsent_count(ls, station_code)
    taken = 0  # events read so far (sent or on the wire)
    last_seq = 0  # the newest event read
    more_events = more_keys = True
    flights: deque[_Flight] = deque()  # on the wire, oldest first
    wire = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sync-push")

    def launch() -> None:
        """Read the next batch and send it behind the flight still on the wire, if any."""
        nonlocal taken, last_seq, more_events, more_keys
        events = read(last_seq) if more_events else []
        keys = read_keys() if more_keys else []
        more_events, more_keys = bool(events), bool(keys)
        if not events and not keys:
            return
        taken += len(events)
        last_seq = events[-1].seq if events else last_seq
        after = flights[-1].events[-1].seq if flights and flights[-1].events else 0
        reply = wire.submit(client.push_with_keys, events, keys, None, after)
        flights.append(_Flight(events, keys, reply, time.monotonic(), after))

    if early is not None:
        flights.append(early.flight)
        taken, last_seq = len(early.flight.events), early.flight.events[-1].seq
    try:
        launch()
        if early is None:
            launch()
        while flights:
            flight = flights.popleft()
            replies, chain, stored = settle(flight)
            launch()  # the next batch leaves before this one is recorded: the link stays busy
            confirmed = set(stored)
            copies = [k for k in flight.keys if k[0] in confirmed]
            _record(local, station_code, flight.events, replies, now(), copies)
            result.keys += len(copies)
            result.chain = chain
            result.batches += 1
            for e, r in zip(flight.events, replies, strict=True):
                if r.status == "ok":
                    result.pushed += 1
                elif r.status == "duplicate":
                    result.duplicates += 1
                else:
                    result.refused.append(Refusal(e.id, e.seq, r.problem, r.message))
            if progress:
                progress(len(flight.events))
    finally:
        wire.shutdown(wait=False, cancel_futures=True)
        if early is not None:
            early.pool.shutdown(wait=False)
    return result
