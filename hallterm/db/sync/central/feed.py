"""The pull feed: what central publishes (``publish``) and what a station pulls (``pull_page``),
and a station's own events handed back to it after it was restored from an older backup
(``own_events``).

Stations pull ``sync_feed`` rows by id cursor.  A cursor on a sequence can skip a row when
two writers commit out of id order (the reader sees id 8, moves its cursor past 7, then 7
commits).  We serialise feed writers instead: ``publish`` locks the ``sync_feed`` table in
EXCLUSIVE mode (readers go on; writers wait) before drawing the id, and PostgreSQL releases
it only after the commit is visible, so ids become visible in order.  Only the table's owner
(central, the service) may take that lock: a station role, which may only read the feed,
cannot, so no station can block publishing (an advisory lock, used before, could be taken
by anyone).  Feed writes are rare (catalog, staff, stations, holidays, transfers,
revocations).  On SQLite the database lock already serialises writers.  Central answers
"reset" when a station's cursor is ahead of its feed or belongs to another central
(``central_id``).  Reading a page writes nothing.  A ``person_key`` item (a transferred
person) gets the station's escrow copy as central holds it when the page is read
(``central.escrow``): the feed itself never holds a key, so erasure can destroy every copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import or_, text
from sqlmodel import Session, SQLModel, col, select

from hallterm.clock import Clock
from hallterm.db.events import canonical_json, snapshot
from hallterm.db.models import Event
from hallterm.db.models_sync import SyncFeed
from hallterm.db.services.setup import get_info
from hallterm.db.sync.central.common import (
    EVENT_COLUMNS,
    ChainState,
    EventIn,
    FeedItem,
    Page,
    SyncRefused,
)
from hallterm.i18n import _


def check_central(session: Session) -> str:
    """Central's id; ``SyncRefused`` when the store is not a central store."""
    if get_info(session, "role") != "central":
        raise SyncRefused(
            _("the central URL does not point to a central store; run: hallterm central init")
        )
    return get_info(session, "central_id") or ""


def publish(
    session: Session,
    topic: str,
    key: str,
    payload: dict[str, Any],
    station_code: str | None = None,
    now: datetime | None = None,
) -> int:
    """Append to the pull feed (``station_code`` None: every station); returns the feed id.

    Other areas add their pullable things here (e.g. a revocation list); a station applies
    topic "rows" generically and other topics through ``pull.register_pull_handler``.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE sync_feed IN EXCLUSIVE MODE"))
    row = SyncFeed(
        topic=topic,
        key=key[:100],
        station_code=station_code,
        payload=canonical_json(payload),
        created_at=now or Clock().now(),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def publish_rows(
    session: Session,
    rows: Sequence[SQLModel],
    station_code: str | None = None,
    key: str = "",
    now: datetime | None = None,
) -> int:
    """Publish table rows (as ``events.snapshot``s) for stations to upsert."""
    session.flush()
    return publish(
        session,
        "rows",
        key,
        {"rows": [snapshot(r) for r in rows]},
        station_code=station_code,
        now=now,
    )


# One statement for what every pull needs: the newest feed row the station may read, and
# the head of its chain at central (the service reads it with the credential:
# ``admin.authenticate_pull``).  Plain text: an idle poll is nothing else, and the ORM would
# cost more than the database does.
TOP_AND_HEAD = (
    "SELECT f.top, e.seq, e.hash FROM "
    "(SELECT max(id) AS top FROM sync_feed WHERE station_code IS NULL OR station_code = :c) f "
    "LEFT JOIN (SELECT seq, hash FROM event WHERE station_code = :c "
    "ORDER BY seq DESC LIMIT 1) e ON 1 = 1"
)
_TOP_AND_HEAD = text(TOP_AND_HEAD)


def top_and_head(session: Session, station_code: str) -> tuple[int, ChainState]:
    """The newest feed id visible to the station, and its chain head at central."""
    return top_and_head_of(session.execute(_TOP_AND_HEAD, {"c": station_code}).one())


def top_and_head_of(row: Any) -> tuple[int, ChainState]:
    """``TOP_AND_HEAD``'s three columns (NULL where the feed or the chain is empty)."""
    top, seq, hash_ = cast("tuple[int | None, int | None, str | None]", tuple(row))
    return int(top or 0), ChainState(int(seq or 0), str(hash_ or ""))


def pull_page(
    session: Session,
    station_code: str,
    cursor: int,
    central_id: str | None,
    limit: int = 100,
    mine: str | None = None,
    top: int | None = None,
) -> Page:
    """The next feed rows for a station after ``cursor``, or "reset" when the cursor is not ours.
    ``mine``: central's id, and ``top``: the newest feed id the station may read, when the
    caller knows them (``check_central``, ``top_and_head``)."""
    mine = mine or check_central(session)
    if top is None:
        top = top_and_head(session, station_code)[0]
    if cursor > 0 and ((central_id and central_id != mine) or cursor > top):
        return Page((), 0, mine, reset=True)
    if top <= cursor:  # nothing new (an idle poll): the rows are not read
        return Page((), cursor, mine)
    visible = or_(col(SyncFeed.station_code).is_(None), col(SyncFeed.station_code) == station_code)
    rows = session.exec(
        select(col(SyncFeed.id), SyncFeed.topic, SyncFeed.key, SyncFeed.payload)
        .where(visible, col(SyncFeed.id) > cursor)
        .order_by(col(SyncFeed.id))
        .limit(limit + 1)
    ).all()
    items = tuple(
        FeedItem(fid or 0, topic, key, payload) for fid, topic, key, payload in rows[:limit]
    )
    if any(i.topic == "person_key" for i in items):  # a transferred person's key, as of now
        from hallterm.db.sync.central.escrow import fill_copies

        items = fill_copies(session, station_code, items)
    return Page(items, items[-1].id if items else cursor, mine, more=len(rows) > limit)


def own_events(session: Session, station_code: str, after: int, limit: int) -> list[EventIn]:
    """A station's own events after sequence number ``after``, in order (its backup copy)."""
    rows = session.execute(
        select(*(Event.__table__.c[c] for c in EVENT_COLUMNS))  # type: ignore[attr-defined]
        .where(Event.station_code == station_code, Event.seq > after)
        .order_by(Event.seq)  # type: ignore[arg-type]
        .limit(limit)
    ).all()
    return [EventIn._make(r) for r in rows]


__all__ = ["check_central", "own_events", "publish", "publish_rows", "pull_page", "top_and_head"]
