"""Central's ``event`` table partitioned by month (PostgreSQL only).

Central keeps every station's events forever; by month they can be archived, moved to cheaper
storage or detached whole.  ``partition_event`` turns the plain table into one declaratively
partitioned by ``RANGE (at)`` (month bounds in UTC), with the primary key
``(station_code, id, at)`` (a partitioned table's keys must hold the partition column), one
partition per month that holds events, and a default partition for anything outside them.
Its indexes: ``(station_code, seq)`` for the chain checks and ``(entity, entity_id)`` for the
audit trail; there is no outbox index (``ix_event_unsent``): central sends nothing.

``(station_code, seq)`` cannot be a unique constraint across partitions (it lacks ``at``).
It stays unique because every append is serialised and checked first: a station's pushes
hold its ``sync_peer`` row lock and ``receive`` refuses any seq already taken in the batch's
range (whatever month its event is in); central's own chain appends under its
``event_head`` row lock; ``events.verify_chain`` reports a repeated seq.

``ensure_partitions`` makes the coming months' partitions (``hallterm central partitions``),
moving rows that had landed in the default partition; it is safe to run again.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, text
from sqlmodel import Session

from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.permissions import require
from hallterm.db.sync.roles import quote_ident as _q
from hallterm.domain.roles import Permission
from hallterm.i18n import _

DEFAULT_PARTITION = "event_default"


def month_start(day: date, ahead: int = 0) -> date:
    """The first day of the month ``ahead`` months after ``day``'s."""
    index = day.year * 12 + day.month - 1 + ahead
    return date(index // 12, index % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"event_y{month.year:04d}m{month.month:02d}"


def _bound(month: date) -> str:
    return f"'{month.isoformat()} 00:00:00+00'"


def is_partitioned(conn: Connection) -> bool:
    kind = conn.execute(
        text("SELECT relkind FROM pg_class WHERE oid = to_regclass('public.event')")
    ).scalar()
    return kind == "p"


def partitions(conn: Connection) -> list[str]:
    """The names of ``event``'s partitions, sorted."""
    found = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass('public.event')"
        )
    ).all()
    return sorted(str(row[0]) for row in found)


def partition_event(conn: Connection, today: date) -> bool:
    """Make ``event`` partitioned by month, keeping its rows; False when it already is."""
    if conn.dialect.name != "postgresql" or is_partitioned(conn):
        return False
    ex = conn.execute
    span = ex(
        text(
            "SELECT CAST(min(at) AT TIME ZONE 'UTC' AS date), "
            "CAST(max(at) AT TIME ZONE 'UTC' AS date) FROM event"
        )
    ).one()
    first: date | None = span[0]
    last: date | None = span[1]
    start = month_start(first or today)
    end = month_start(max(last, today) if last else today, 1)
    ex(
        text(
            "CREATE TABLE event_partitioned (LIKE event INCLUDING DEFAULTS INCLUDING COMPRESSION) "
            "PARTITION BY RANGE (at)"
        )
    )
    ex(
        text(
            "ALTER TABLE event_partitioned ADD CONSTRAINT event_partitioned_pkey "
            "PRIMARY KEY (station_code, id, at)"
        )
    )
    ex(text(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF event_partitioned DEFAULT"))
    month = start
    while month <= end:
        _create(conn, "event_partitioned", month)
        month = month_start(month, 1)
    ex(text("INSERT INTO event_partitioned SELECT * FROM event"))
    ex(text("DROP TABLE event"))
    ex(text("ALTER TABLE event_partitioned RENAME TO event"))
    ex(text("ALTER TABLE event RENAME CONSTRAINT event_partitioned_pkey TO event_pkey"))
    ex(text("CREATE INDEX ix_event_station_seq ON event (station_code, seq)"))
    ex(text("CREATE INDEX ix_event_id ON event (id)"))  # an event found by its id alone
    ex(text("CREATE INDEX ix_event_entity ON event (entity, entity_id)"))
    return True


def _create(conn: Connection, parent: str, month: date) -> None:
    conn.execute(
        text(
            f"CREATE TABLE {_q(partition_name(month))} PARTITION OF {_q(parent)} "
            f"FOR VALUES FROM ({_bound(month)}) TO ({_bound(month_start(month, 1))})"
        )
    )


def ensure_partitions(conn: Connection, today: date, months: int) -> list[str]:
    """Partitions for ``today``'s month and the ``months`` after it; the names made.

    Rows of those months already in the default partition are moved into the new one in
    the same transaction.
    """
    if not is_partitioned(conn):
        raise RuntimeError("the event table is not partitioned (not a PostgreSQL central)")
    have = set(partitions(conn))
    made: list[str] = []
    ex = conn.execute
    for ahead in range(months + 1):
        month = month_start(today, ahead)
        name = partition_name(month)
        if name in have:
            continue
        lo, hi = _bound(month), _bound(month_start(month, 1))
        stray = ex(
            text(f"SELECT 1 FROM {DEFAULT_PARTITION} WHERE at >= {lo} AND at < {hi} LIMIT 1")
        ).first()
        if stray is None:
            _create(conn, "event", month)
        else:
            ex(
                text(
                    f"CREATE TABLE {_q(name)} (LIKE event INCLUDING DEFAULTS INCLUDING COMPRESSION)"
                )
            )
            ex(
                text(
                    f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} "
                    f"WHERE at >= {lo} AND at < {hi} RETURNING *) "
                    f"INSERT INTO {_q(name)} SELECT * FROM moved"
                )
            )
            ex(
                text(
                    f"ALTER TABLE event ATTACH PARTITION {_q(name)} FOR VALUES FROM ({lo}) TO ({hi})"
                )
            )
        made.append(name)
    return made


def add_event_partitions(session: Session, ctx: Ctx, months: int) -> list[str]:
    """``hallterm central partitions``: an admin makes this month's and the next ``months``
    months' partitions of central's event table; the names made (none: all were there)."""
    require(ctx, Permission.manage_store)
    if months < 0:
        raise ServiceError(_("the number of months cannot be negative"))
    conn = session.connection()
    if conn.dialect.name != "postgresql" or not is_partitioned(conn):
        raise ServiceError(_("only a PostgreSQL central keeps its events in monthly partitions"))
    return ensure_partitions(conn, ctx.clock.today(), months)
