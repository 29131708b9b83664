"""The sync service's read transactions: rolled back, so a read writes and commits nothing,
with their statements prepared (an idle poll is one statement, run on every poll)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection
from sqlmodel import Session

from hallterm.db.engine import Store

if TYPE_CHECKING:
    import psycopg


@contextmanager
def peek(store: Store) -> Iterator[Session]:
    """A read transaction that is rolled back: it writes nothing and commits nothing.

    Its session is bound to one connection, whose transaction it joins and leaves to us: the
    credential's statement goes to that connection straight (``direct``), and an idle poll is
    nothing else."""
    engine = store.engine
    if store.dialect == "sqlite":
        engine = engine.execution_options(sqlite_begin="DEFERRED")
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            with _prepared(conn), Session(bind=conn, expire_on_commit=False) as session:
                yield session
        finally:
            transaction.rollback()


READ_PREPARE_THRESHOLD = 3  # runs of a read statement before psycopg prepares it


@contextmanager
def _prepared(conn: Connection) -> Iterator[None]:
    """A read's statements are prepared, so an idle poll's is parsed and planned once per
    connection, not each time (~0.4 ms of PostgreSQL's time a poll, four times its run).

    The service's connections prepare nothing otherwise (``ServiceStore``): a push's statements
    follow its batch, and their generic plans measured slower.  And psycopg forgets every
    prepared statement at a rollback (in case it undid DDL they depend on): a read runs no DDL,
    so a protocol-level ROLLBACK ends it here, and psycopg, finding no transaction open, then
    sends nothing more."""
    if conn.dialect.name != "postgresql":
        yield
        return
    from psycopg import pq

    raw = cast("psycopg.Connection[Any]", conn.connection.dbapi_connection)
    raw.prepare_threshold = READ_PREPARE_THRESHOLD
    try:
        yield
    finally:
        raw.prepare_threshold = None
        open_ = (pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR)
        if not conn.invalidated and raw.pgconn.transaction_status in open_:
            raw.pgconn.exec_(b"ROLLBACK")  # if it fails, ``rollback()`` after it says why


def direct(session: Session) -> Session | Connection:
    """Where a request's credential goes: a read's own connection (``peek``), without the
    ORM's bookkeeping (~0.25 ms of a poll's), else the write's session."""
    bind = session.get_bind()
    return bind if isinstance(bind, Connection) else session
