"""Central's side of sync: receiving pushed events, applying them, and serving the pull feed.

Central is a store made with the same migrations (``store_info`` role "central").  A sync
client talks to it directly through SQLAlchemy; every function here takes a central
``Session`` and runs inside the caller's transaction (one transaction per pushed batch).

Receiving (``receive``): the station's peer row is locked first, so two pushes of one
station never interleave.  Each event is classified — new, duplicate (same id, same hash),
or conflict (same id with another hash, a sequence number taken by another event, a
``prev_hash`` not linking to the event before it, another station's event) — and the new
ones are inserted as sent (``INSERT … ON CONFLICT (id) DO NOTHING``, on PostgreSQL fed by a
binary ``COPY``; per-station ``seq`` and hashes kept as sent).
Their effects (the payload's ``rows``) are then applied generically: a row is inserted
when absent; an update needs the central row's ``version`` to equal the row's
``base_version``; a case is written only by its owning station.  Anything else goes to
``sync_quarantine`` for a person — never overwritten, and never blocking the events behind.
The whole batch is applied under one savepoint; if the database refuses it (a unique or
foreign key, a row-level security policy), it is redone event by event under savepoints so
only the offending events are quarantined.

Content hashes are not recomputed on receipt: a station able to edit its store can also
recompute a hash, so the check would add no security while costing more than the insert
itself; ``events.verify_chain`` checks every stored chain at central whenever asked.

Pull feed (``publish`` / ``pull_page``): stations pull ``sync_feed`` rows by id cursor.
A cursor on a sequence can skip a row when two writers commit out of id order (the reader
sees id 8, moves its cursor past 7, then 7 commits).  We serialise feed writers instead:
``publish`` takes the transaction-level advisory lock ``FEED_LOCK`` before drawing the id,
and PostgreSQL releases it only after the commit is visible, so ids become visible in
order (the sequence keeps its default CACHE 1).  Feed writes are rare (catalog, staff,
stations, holidays, transfers), so the serialisation costs nothing noticeable.  On SQLite
the database lock already serialises writers.  Central answers "reset" when a station's
cursor is ahead of its feed or belongs to another central (``central_id``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Table, and_, bindparam, func, insert, or_, select, text, tuple_, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DataError, IntegrityError, ProgrammingError
from sqlmodel import Session, SQLModel

from hallterm.clock import Clock, utc_now
from hallterm.db.engine import Store
from hallterm.db.events import append_event, canonical_json, snapshot
from hallterm.db.migrate import upgrade
from hallterm.db.models import (
    Applicant,
    CaseMaterialLine,
    CaseMatter,
    CaseSuspension,
    Event,
    ServiceCase,
    Staff,
    Station,
    StoredMaterial,
)
from hallterm.db.models_sync import SyncFeed, SyncPeer, SyncQuarantine
from hallterm.db.services import SYSTEM, Actor, Ctx, ServiceError, record_event
from hallterm.db.services.setup import get_info, set_info, upsert_station
from hallterm.db.sync.rows import (
    pk_names,
    pk_of,
    row_key,
    same,
    table_for,
    table_order,
    to_python,
)
from hallterm.domain.catalog import CatalogIn
from hallterm.i18n import N_, _

CENTRAL_CODE = "central"  # the chain of central's own events (catalog, stations, transfers)
FEED_LOCK = 0x68616C6C74  # pg_advisory_xact_lock key of feed writers
EVENT_COLUMNS = (
    "id",
    "station_code",
    "seq",
    "entity",
    "entity_id",
    "kind",
    "payload",
    "actor",
    "at",
    "prev_hash",
    "hash",
)
# Tables central governs: rows for them in a station's event are station-local, not applied.
CENTRAL_TABLES = frozenset(
    {
        "store_info",
        "station",
        "staff",
        "department",
        "queue_category",
        "catalog_version",
        "matter",
        "material_requirement",
        "bundle",
        "bundle_matter",
        "event",
        "event_head",
        "counter",
        "holiday_override",
        "holiday_year",
        "alembic_version",
        "sync_peer",
        "sync_feed",
        "sync_quarantine",
    }
)
# Shared records anyone may update (version-checked); their station_code is only the origin.
SHARED_TABLES = frozenset({"applicant"})


PROBLEM_LABELS = {
    "event_id": N_("same event id, other content"),
    "seq": N_("sequence number already taken (diverged chain)"),
    "chain": N_("does not continue the station's chain at central"),
    "foreign": N_("event of another station"),
    "owner": N_("written by a station that does not own it"),
    "stale": N_("update based on an old version"),
    "exists": N_("central already holds another version"),
    "integrity": N_("refused by the database"),
    "table": N_("unknown table"),
    "diverged": N_("station and central chains differ"),
    "pull": N_("pulled item could not be applied"),
}


def problem_label(problem: str) -> str:
    """The translated description of a quarantine problem code."""
    label = PROBLEM_LABELS.get(problem)
    return _(label) if label else problem


class SyncRefused(Exception):
    """Central will not sync with this store; the message is translated."""


class BulkInsertRefused(Exception):
    """The bulk path met an event id central already holds; redo the batch carefully."""


class EventIn(NamedTuple):
    """One event as it travels from a station (the ``event`` columns without ``sent_at``).

    A named tuple: batches hold thousands of them, and tuples are cheap to make and to copy.
    """

    id: str
    station_code: str
    seq: int
    entity: str
    entity_id: str
    kind: str
    payload: str
    actor: str
    at: datetime
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: Any) -> EventIn:
        return cls(**{c: row[c] for c in EVENT_COLUMNS})

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


class Reply(NamedTuple):
    event_id: str
    status: str  # ok / duplicate / conflict
    problem: str = ""


@dataclass(frozen=True)
class ChainState:
    """The newest event a store holds of one station's chain: the short "state hash" that
    station and central compare to find lost events or a diverged history."""

    seq: int
    hash: str


@dataclass(frozen=True)
class FeedItem:
    id: int
    topic: str
    key: str
    payload: str


@dataclass(frozen=True)
class Page:
    items: tuple[FeedItem, ...]
    cursor: int
    central_id: str
    reset: bool = False
    more: bool = False


@dataclass(frozen=True)
class ConflictView:
    id: int
    station_code: str
    event_id: str | None
    seq: int | None
    problem: str
    table_name: str
    row_key: str
    detail: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str
    resolution: str


@dataclass
class _Problem:
    problem: str
    detail: str
    table_name: str = ""
    row_key: str = ""
    payload: str = ""


# -- setting up central ----------------------------------------------------------------


def central_ctx(clock: Clock | None = None, actor: Actor = SYSTEM) -> Ctx:
    return Ctx(actor=actor, station_code=CENTRAL_CODE, clock=clock or Clock())


def init_central(store: Store) -> str:
    """Create or upgrade a central store (safe to run again); returns its central id."""
    upgrade(store)
    with store.write() as session:
        role = get_info(session, "role")
        if role and role != "central":
            raise ServiceError(
                _("this store is a {role} store, not a central store").format(role=role)
            )
        set_info(session, "role", "central")
        central_id = get_info(session, "central_id")
        if not central_id:
            central_id = str(uuid.uuid4())
            set_info(session, "central_id", central_id)
    if store.dialect == "postgresql":
        from hallterm.db.sync.security import install_policies

        with store.write() as session:
            install_policies(session)
    return central_id


def check_central(session: Session) -> str:
    """Central's id; ``SyncRefused`` when the store is not a central store."""
    if get_info(session, "role") != "central":
        raise SyncRefused(
            _("the central URL does not point to a central store; run: hallterm central init")
        )
    return get_info(session, "central_id") or ""


def register_station(
    session: Session,
    ctx: Ctx,
    code: str,
    name: str,
    level: str,
    parent_code: str | None = None,
) -> None:
    """Register (or rename) a station at central and publish it to every station."""
    if parent_code and session.get(Station, parent_code) is None:
        raise ServiceError(_("unknown parent station {code}").format(code=parent_code))
    before = session.get(Station, code)
    old = (before.name, before.level, before.parent_code) if before else None
    station = upsert_station(session, ctx, code, name, level, parent_code)
    if session.get(SyncPeer, code) is None:
        session.add(SyncPeer(station_code=code))
    if old != (station.name, station.level, station.parent_code):
        publish_rows(session, [station], key=f"station:{code}", now=ctx.clock.now())
    session.flush()


def add_staff(session: Session, ctx: Ctx, **fields: Any) -> Staff:
    """Create a staff account at central (``staff.create_staff``) and publish it to its station."""
    from hallterm.db.services.staff import create_staff

    staff = create_staff(session, ctx, **fields)
    publish_rows(
        session,
        [staff],
        station_code=staff.station_code,
        key=f"staff:{staff.username}",
        now=ctx.clock.now(),
    )
    return staff


def publish_catalog(session: Session, ctx: Ctx, catalog: CatalogIn) -> str:
    """Import a catalog version at central and publish it; returns the import outcome."""
    from hallterm.db.services.catalog.io import import_catalog

    outcome = import_catalog(session, ctx, catalog)
    already = session.execute(
        select(SyncFeed.id).where(SyncFeed.topic == "catalog", SyncFeed.key == catalog.version)
    ).first()
    if outcome == "imported" or already is None:
        publish(
            session,
            "catalog",
            catalog.version,
            {"document": catalog.model_dump(mode="json")},
            now=ctx.clock.now(),
        )
    return outcome


def set_holiday(session: Session, ctx: Ctx, day: date, is_workday: bool, note: str = "") -> None:
    """An admin-kept calendar override at central, published to every station."""
    from hallterm.db.models import HolidayOverride
    from hallterm.db.services.calendar import set_override

    set_override(session, ctx, day, is_workday, note)
    row = session.get(HolidayOverride, day)
    assert row is not None
    publish_rows(session, [row], key=f"holiday:{day.isoformat()}", now=ctx.clock.now())


@dataclass(frozen=True)
class Transfer:
    case_id: str
    number: str
    from_station: str
    to_station: str


def transfer_case(session: Session, ctx: Ctx, case_ref: str, to_station: str) -> Transfer:
    """通办: make ``to_station`` the owner of a case; both stations pull the change.

    The new owner pulls the whole case (applicant, matters, checklist, suspensions); the old
    owner pulls the case row, so its own services stop changing it.  Changes the old owner
    made offline arrive later as ownership conflicts.
    """
    query = select(ServiceCase).where(
        or_(ServiceCase.id == case_ref.strip(), ServiceCase.number == case_ref.strip())
    )
    case = session.execute(query.with_for_update()).scalars().first()
    if case is None:
        raise ServiceError(_("no such case"))
    if session.get(Station, to_station) is None:
        raise ServiceError(_("unknown station {code}").format(code=to_station))
    old = case.station_code
    if old == to_station:
        raise ServiceError(
            _("case {number} already belongs to station {station}").format(
                number=case.number, station=to_station
            )
        )
    base = case.version
    case.station_code = to_station
    case.version += 1
    case.updated_at = ctx.clock.now()
    session.add(case)
    session.flush()
    append_event(
        session,
        station_code=ctx.station_code,
        entity="case",
        entity_id=case.id,
        kind="case.transferred",
        payload={
            "number": case.number,
            "from": old,
            "to": to_station,
            "rows": [snapshot(case, base)],
        },
        actor=ctx.actor.username,
        at=ctx.clock.now(),
    )
    applicant = session.get(Applicant, case.applicant_id)
    bundle: list[SQLModel] = [applicant] if applicant else []
    bundle.append(case)
    for model in (CaseMatter, CaseMaterialLine, CaseSuspension, StoredMaterial):
        bundle += list(session.execute(select(model).where(model.case_id == case.id)).scalars())
    now = ctx.clock.now()
    publish_rows(session, bundle, station_code=to_station, key=f"case:{case.number}", now=now)
    publish_rows(session, [case], station_code=old, key=f"case:{case.number}", now=now)
    return Transfer(case.id, case.number, old, to_station)


# -- the pull feed ---------------------------------------------------------------------


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
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": FEED_LOCK})
    row = SyncFeed(
        topic=topic,
        key=key[:100],
        station_code=station_code,
        payload=canonical_json(payload),
        created_at=now or utc_now(),
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


def pull_page(
    session: Session, station_code: str, cursor: int, central_id: str | None, limit: int = 100
) -> Page:
    """The next feed rows for a station after ``cursor``, or "reset" when the cursor is not ours."""
    mine = check_central(session)
    visible = or_(SyncFeed.station_code.is_(None), SyncFeed.station_code == station_code)  # type: ignore[union-attr]
    if cursor > 0:
        top = session.execute(select(func.max(SyncFeed.id)).where(visible)).scalar() or 0
        if (central_id and central_id != mine) or cursor > top:
            return Page((), 0, mine, reset=True)
    rows = session.execute(
        select(SyncFeed.id, SyncFeed.topic, SyncFeed.key, SyncFeed.payload)
        .where(visible, SyncFeed.id > cursor)  # type: ignore[operator]
        .order_by(SyncFeed.id)
        .limit(limit + 1)
    ).all()
    items = tuple(FeedItem(r.id, r.topic, r.key, r.payload) for r in rows[:limit])
    return Page(items, items[-1].id if items else cursor, mine, more=len(rows) > limit)


def note_pull(session: Session, station_code: str, now: datetime) -> None:
    session.execute(
        update(SyncPeer).where(SyncPeer.station_code == station_code).values(last_pull_at=now)
    )


# -- receiving pushed events -----------------------------------------------------------


def chain_state(session: Session, station_code: str) -> ChainState:
    """What a store holds of a station's chain: the newest seq and its hash (index lookup)."""
    last = session.execute(
        select(Event.seq, Event.hash)
        .where(Event.station_code == station_code)
        .order_by(Event.seq.desc())  # type: ignore[attr-defined]
        .limit(1)
    ).first()
    return ChainState(last.seq, last.hash) if last else ChainState(0, "")


def event_hash_at(session: Session, station_code: str, seq: int) -> str | None:
    return session.execute(
        select(Event.hash).where(Event.station_code == station_code, Event.seq == seq)
    ).scalar()


def _lock_peer(session: Session, station_code: str, now: datetime) -> None:
    """Stamp and lock the station's peer row: pushes of one station never interleave."""
    stamp = (
        update(SyncPeer)
        .where(SyncPeer.station_code == station_code)
        .values(last_push_at=now)
        .returning(SyncPeer.station_code)
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
) -> list[Reply]:
    """Store and apply one batch of a station's events; one reply per event, in order.

    The caller has checked once that this is a central store (``check_central``).  With
    ``fast`` the new events are copied straight into ``event`` on PostgreSQL (not under
    row-level security, which refuses COPY); if an id turns out to exist elsewhere after all,
    ``BulkInsertRefused`` is raised and the caller redoes the batch without ``fast``.
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
        Event.station_code == station_code,
        Event.seq.between(min(seqs) - 1, max(seqs)),  # type: ignore[attr-defined]
    )
    # The bulk path looks only at the chain's range (an index range scan); an id held
    # elsewhere makes its COPY fail, and the careful path then also asks for the ids.
    where = this_chain if fast else or_(Event.id.in_(sorted(ids)), this_chain)  # type: ignore[attr-defined]
    for eid, code, seq, h in session.execute(
        select(Event.id, Event.station_code, Event.seq, Event.hash).where(where)
    ):
        if eid in ids:
            known[eid] = h
        if code == station_code:
            taken[seq], chain[seq] = eid, h
    quarantined: set[str] = set()
    if known:
        quarantined = set(
            session.execute(
                select(SyncQuarantine.event_id).where(
                    SyncQuarantine.event_id.in_(list(known))  # type: ignore[union-attr]
                )
            ).scalars()
        )
    status: dict[str, Reply] = {}
    problems: dict[str, _Problem] = {}
    new: list[EventIn] = []
    for e in events:
        if e.station_code != station_code:
            problems[e.id] = _Problem("foreign", f"event of station {e.station_code}")
        elif e.id in known:
            if known[e.id] == e.hash:
                state = "conflict" if e.id in quarantined else "duplicate"
                status[e.id] = Reply(e.id, state)
            else:
                problems[e.id] = _Problem(
                    "event_id", f"central holds this event id with hash {known[e.id]}"
                )
        elif taken.get(e.seq, e.id) != e.id:
            problems[e.id] = _Problem(
                "seq", f"central holds event {taken[e.seq]} at seq {e.seq} (diverged chain)"
            )
        elif chain.get(e.seq - 1) != e.prev_hash:
            problems[e.id] = _Problem(
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
                problems[e.id] = _Problem("event_id", "central holds this event id already")
                problems[e.id].payload = canonical_json(e.as_dict())
        new = [e for e in new if e.id in inserted]
        problems.update(_Applier(session, station_code).apply(new))
        _fan_out(session, [e for e in new if e.id not in problems], now)
    # A batch sent again (its first commit's answer was lost) must not quarantine twice.
    recorded = (
        set(
            session.execute(
                select(SyncQuarantine.event_id).where(
                    SyncQuarantine.event_id.in_(sorted(problems))  # type: ignore[union-attr]
                )
            ).scalars()
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
        rows = [
            r for r in json.loads(e.payload).get("rows", []) if r.get("table") in FAN_OUT_TABLES
        ]
        if rows:
            key = ",".join(f"{r['table']}:{canonical_json(r['pk'])}" for r in rows)
            publish(session, "rows", key[:100], {"rows": rows}, now=now)


def _may_copy(session: Session) -> bool:
    """COPY is refused where row-level security applies (station roles): ask once per connection."""
    info = session.connection().info
    if "hallterm_may_copy" not in info:
        active = session.execute(text("SELECT row_security_active('event')")).scalar()
        info["hallterm_may_copy"] = not active
    return bool(info["hallterm_may_copy"])


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

    raw = session.connection().connection.dbapi_connection
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
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS sync_incoming "
            "(LIKE event INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cur.copy(f"COPY sync_incoming ({cols}, sent_at) FROM STDIN (FORMAT BINARY)") as cp:
            cp.set_types(_COPY_TYPES)
            for row in rows:
                cp.write_row(row)
        cur.execute(
            f"INSERT INTO event ({cols}, sent_at) SELECT {cols}, sent_at FROM sync_incoming "
            "ON CONFLICT (id) DO NOTHING RETURNING id"
        )
        inserted = {r[0] for r in cur.fetchall()}
        cur.execute("DELETE FROM sync_incoming")
        return inserted


@dataclass
class _Change:
    table: Table
    pk: tuple[Any, ...]
    values: dict[str, Any]
    base_version: int | None

    @property
    def key(self) -> tuple[str, tuple[Any, ...]]:
        return (self.table.name, self.pk)


Key = tuple[str, tuple[Any, ...]]


@dataclass
class _Applier:
    """Applies the row snapshots of new events: plan in memory, then write in bulk."""

    session: Session
    sender: str
    start: dict[Key, dict[str, Any] | None] = field(default_factory=dict)
    state: dict[Key, dict[str, Any] | None] = field(default_factory=dict)

    def apply(self, events: Sequence[EventIn]) -> dict[str, _Problem]:
        changes = {e.id: self._changes(e) for e in events}
        self._prefetch(c for c in changes.values() if isinstance(c, list))
        problems: dict[str, _Problem] = {}
        pending: dict[Key, dict[str, Any]] = {}
        for e in events:
            planned = self._plan(changes[e.id])
            if isinstance(planned, _Problem):
                problems[e.id] = planned
                continue
            self.state.update(planned)
            pending.update(planned)
        if not pending:
            return problems
        try:
            with self.session.begin_nested():
                self._write(pending, self.start)
            return problems
        except (IntegrityError, ProgrammingError, DataError):
            pass
        # Slow path: one savepoint per event, so only the refused events are quarantined.
        self.state = dict(self.start)
        problems = {}
        for e in events:
            planned = self._plan(changes[e.id])
            if isinstance(planned, _Problem):
                problems[e.id] = planned
                continue
            try:
                with self.session.begin_nested():
                    self._write(planned, self.state)
            except (IntegrityError, ProgrammingError, DataError) as exc:
                problems[e.id] = _Problem("integrity", str(getattr(exc, "orig", exc))[:1000])
                continue
            self.state.update(planned)
        return problems

    def _changes(self, e: EventIn) -> list[_Change] | _Problem:
        if '"rows"' not in e.payload:  # most audit events change no table
            return []
        try:
            payload = json.loads(e.payload)
        except ValueError:
            return []
        rows = payload.get("rows") if isinstance(payload, dict) else None
        out: list[_Change] = []
        for snap in rows or []:
            name = str(snap.get("table", ""))
            if name in CENTRAL_TABLES:
                continue
            table = table_for(name)
            if table is None:
                return _Problem("table", f"central does not know table {name!r}", name)
            values = to_python(table, snap.get("values") or {})
            pk = pk_of(table, values)
            if any(v is None for v in pk):
                return _Problem("integrity", "row without its primary key", name)
            out.append(_Change(table, pk, values, snap.get("base_version")))
        return out

    def _prefetch(self, change_lists: Iterable[list[_Change]]) -> None:
        wanted: dict[str, set[tuple[Any, ...]]] = {}
        for changes in change_lists:
            for ch in changes:
                wanted.setdefault(ch.table.name, set()).add(ch.pk)
                case_id = ch.values.get("case_id") if "case_id" in ch.table.c else None
                if case_id:
                    wanted.setdefault("service_case", set()).add((case_id,))
        pg = self.session.get_bind().dialect.name == "postgresql"
        for name, pks in wanted.items():
            table = table_for(name)
            assert table is not None
            cols = [table.c[n] for n in pk_names(table)]
            keys = sorted(pks, key=repr)
            for k in keys:
                self.start[(name, k)] = None
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                cond = (
                    cols[0].in_([k[0] for k in chunk])
                    if len(cols) == 1
                    else tuple_(*cols).in_(chunk)
                )
                query = select(table).where(cond)
                if pg:  # lock the rows we decide on (another station may update an applicant)
                    query = query.with_for_update()
                for row in self.session.execute(query).mappings():
                    found = dict(row)
                    self.start[(name, pk_of(table, found))] = found
        self.state = dict(self.start)

    def _current(self, local: dict[Key, dict[str, Any]], key: Key) -> dict[str, Any] | None:
        return local[key] if key in local else self.state.get(key)

    def _plan(self, changes: list[_Change] | _Problem) -> dict[Key, dict[str, Any]] | _Problem:
        if isinstance(changes, _Problem):
            return changes
        local: dict[Key, dict[str, Any]] = {}
        for ch in changes:
            existing = self._current(local, ch.key)
            problem = self._owner_problem(ch, existing, local)
            if problem:
                return problem
            if existing is None:
                local[ch.key] = ch.values
                continue
            if "version" in ch.table.c:
                if ch.base_version is None:
                    if same(existing, ch.values):
                        continue
                    return self._problem(ch, "exists", "central already holds another version")
                if existing.get("version") != ch.base_version:
                    return self._problem(
                        ch,
                        "stale",
                        f"central is at version {existing.get('version')}, "
                        f"the update was based on version {ch.base_version}",
                    )
            local[ch.key] = {**existing, **ch.values}
        return local

    def _problem(self, ch: _Change, problem: str, detail: str) -> _Problem:
        return _Problem(problem, detail, ch.table.name, row_key(ch.table, ch.pk))

    def _owner_problem(
        self, ch: _Change, existing: dict[str, Any] | None, local: dict[Key, dict[str, Any]]
    ) -> _Problem | None:
        name, values = ch.table.name, ch.values
        if name == "service_case" or (name not in SHARED_TABLES and "station_code" in ch.table.c):
            owner = existing.get("station_code") if existing else values.get("station_code")
            if owner != self.sender or values.get("station_code", owner) != self.sender:
                return self._problem(
                    ch, "owner", f"owned by station {owner}; only the owner may write it"
                )
        elif "case_id" in ch.table.c and values.get("case_id"):
            case = self._current(local, ("service_case", (values["case_id"],)))
            if case is None:
                return self._problem(ch, "owner", "its case is not at central")
            if case.get("station_code") != self.sender:
                return self._problem(
                    ch,
                    "owner",
                    f"its case is owned by station {case.get('station_code')}",
                )
        return None

    def _write(
        self, rows: dict[Key, dict[str, Any]], before: dict[Key, dict[str, Any] | None]
    ) -> None:
        order = table_order()
        inserts: dict[str, list[dict[str, Any]]] = {}
        updates: dict[str, list[dict[str, Any]]] = {}
        for (name, pk), values in rows.items():
            old = before.get((name, pk))
            if old is None:
                inserts.setdefault(name, []).append(values)
            elif not same(old, values):
                updates.setdefault(name, []).append(values)
        for name in sorted(inserts, key=lambda n: order.get(n, 0)):
            table = table_for(name)
            assert table is not None
            for group in _by_columns(inserts[name]):
                self.session.execute(insert(table), group)
        for name in sorted(updates, key=lambda n: order.get(n, 0)):
            table = table_for(name)
            assert table is not None
            pks = pk_names(table)
            for group in _by_columns(updates[name]):
                cols = [c for c in group[0] if c not in pks]
                stmt = (
                    update(table)
                    .where(*(table.c[n] == bindparam(f"k_{n}") for n in pks))
                    .values({c: bindparam(f"v_{c}") for c in cols})
                )
                self.session.execute(
                    stmt,
                    [
                        {**{f"k_{n}": r[n] for n in pks}, **{f"v_{c}": r[c] for c in cols}}
                        for r in group
                    ],
                )


def _by_columns(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(sorted(r)), []).append(r)
    return list(groups.values())


# -- conflicts -------------------------------------------------------------------------


def list_conflicts(
    session: Session, *, open_only: bool = True, station_code: str | None = None, limit: int = 500
) -> list[ConflictView]:
    query = select(SyncQuarantine).order_by(SyncQuarantine.id)
    if open_only:
        query = query.where(SyncQuarantine.resolved_at.is_(None))  # type: ignore[union-attr]
    if station_code:
        query = query.where(SyncQuarantine.station_code == station_code)
    return [
        ConflictView(
            q.id or 0,
            q.station_code,
            q.event_id,
            q.seq,
            q.problem,
            q.table_name,
            q.row_key,
            q.detail,
            q.created_at,
            q.resolved_at,
            q.resolved_by,
            q.resolution,
        )
        for q in session.execute(query.limit(limit)).scalars()
    ]


def resolve_conflict(session: Session, ctx: Ctx, conflict_id: int, resolution: str) -> None:
    """A person closes a conflict with a note of what was done (the row stays as evidence)."""
    row = session.get(SyncQuarantine, conflict_id)
    if row is None:
        raise ServiceError(_("no such conflict {id}").format(id=conflict_id))
    if not resolution.strip():
        raise ServiceError(_("say how the conflict was resolved"))
    row.resolved_at = ctx.clock.now()
    row.resolved_by = ctx.actor.username
    row.resolution = resolution.strip()
    session.add(row)
    record_event(
        session,
        ctx,
        entity="sync_conflict",
        entity_id=str(conflict_id),
        kind="sync.conflict_resolved",
        payload={"id": conflict_id, "event_id": row.event_id, "resolution": row.resolution},
    )


def quarantine(
    session: Session,
    station_code: str,
    problem: str,
    detail: str,
    now: datetime,
    *,
    event_id: str | None = None,
    table_name: str = "",
    key: str = "",
    payload: str = "",
) -> None:
    """Record one conflict (used by central for divergence and by stations for pulls)."""
    session.add(
        SyncQuarantine(
            station_code=station_code,
            event_id=event_id,
            problem=problem,
            table_name=table_name,
            row_key=key[:200],
            detail=detail,
            payload=payload,
            created_at=now,
        )
    )
    session.flush()


def quarantined_seqs(session: Session, station_code: str, above: int) -> set[int]:
    """Sequence numbers of a station's events central refused (they are not to be resent)."""
    return {
        seq
        for seq in session.execute(
            select(SyncQuarantine.seq).where(
                SyncQuarantine.station_code == station_code,
                SyncQuarantine.seq > above,  # type: ignore[operator]
            )
        ).scalars()
        if seq is not None
    }


def open_conflict_exists(session: Session, station_code: str, problem: str) -> bool:
    return (
        session.execute(
            select(SyncQuarantine.id).where(
                SyncQuarantine.station_code == station_code,
                SyncQuarantine.problem == problem,
                SyncQuarantine.resolved_at.is_(None),  # type: ignore[union-attr]
            )
        ).first()
        is not None
    )


__all__ = [
    "CENTRAL_CODE",
    "ChainState",
    "ConflictView",
    "EventIn",
    "FeedItem",
    "Page",
    "Reply",
    "SyncRefused",
    "Transfer",
    "add_staff",
    "central_ctx",
    "chain_state",
    "check_central",
    "init_central",
    "list_conflicts",
    "note_pull",
    "publish",
    "publish_catalog",
    "publish_rows",
    "problem_label",
    "pull_page",
    "quarantine",
    "receive",
    "register_station",
    "resolve_conflict",
    "set_holiday",
    "transfer_case",
]
