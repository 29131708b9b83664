"""``insert_rows``: every column type comes back as it went in, on both stores, whether the
rows hold Python values or a snapshot's JSON values (PostgreSQL casts them from JSON text)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    select,
)
from sqlalchemy.orm import Session

from hallterm.db.bulk_insert import insert_rows

META = MetaData()
ROWS = Table(
    "bulk_row",
    META,
    Column("id", String(8), primary_key=True),
    Column("window", String(8)),  # a reserved word: quoted
    Column("at", DateTime(timezone=True)),
    Column("day", Date),
    Column("amount", Numeric(10, 2)),
    Column("blob", LargeBinary),
    Column("flag", Boolean),
    Column("n", Integer),
    Column("note", String(40)),
)
AT = datetime(2026, 12, 6, 8, 30, 15, 123456, tzinfo=UTC)
PYTHON = {
    "id": "r1", "window": "3号窗", "at": AT, "day": date(2026, 12, 6), "amount": Decimal("12.50"),
    "blob": b"\x00\xff\\x", "flag": True, "n": 7, "note": 'quote " and \\ backslash',
}  # fmt: skip
EMPTY = {k: None for k in PYTHON} | {"id": "r2"}


def test_rows_come_back_as_they_went_in(any_engine_url: str) -> None:
    engine = create_engine(any_engine_url)
    META.create_all(engine)
    try:
        with Session(engine) as session:
            insert_rows(session, ROWS, [PYTHON, EMPTY])
            insert_rows(session, ROWS, [])  # nothing to do
            got = {r["id"]: dict(r) for r in session.execute(select(ROWS)).mappings()}
        stored = got["r1"]
        if stored["at"].tzinfo is None:  # SQLite keeps no zone
            stored["at"] = stored["at"].replace(tzinfo=UTC)
        assert stored == PYTHON
        assert got["r2"] == EMPTY
    finally:
        META.drop_all(engine)
        engine.dispose()


def test_snapshot_values_are_read_in_column_types(pg_engine_url: str) -> None:
    """Central inserts a snapshot's rows as they came (ISO text for times and dates)."""
    engine = create_engine(pg_engine_url)
    META.create_all(engine)
    snapshot = PYTHON | {"at": AT.isoformat(), "day": "2026-12-06", "amount": "12.50"}
    try:
        with Session(engine) as session:
            insert_rows(session, ROWS, [snapshot])
            assert dict(session.execute(select(ROWS)).mappings().one()) == PYTHON
    finally:
        META.drop_all(engine)
        engine.dispose()
