"""Opening a store: SQLite with durable settings, or PostgreSQL through psycopg 3.

A plain file path means SQLite.  SQLite connections use WAL, ``synchronous=FULL``,
``foreign_keys=ON`` and a ``busy_timeout``; write transactions start with ``BEGIN IMMEDIATE``
so a writer waits for the lock up front instead of failing with SQLITE_BUSY half-way.
Read transactions use a plain deferred ``BEGIN``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

BUSY_TIMEOUT_MS = 10_000


def normalize_url(url_or_path: str) -> str:
    """'station.db' → 'sqlite:///station.db'; postgres URLs get the psycopg 3 driver."""
    value = url_or_path.strip()
    if not value:
        raise ValueError("empty store URL")
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    if value.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def mask_url(url_or_path: str) -> str:
    """The URL with any password replaced, safe to print or log."""
    value = url_or_path.strip()
    if "://" not in value:
        return value
    try:
        return make_url(value).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is masked crudely
        return re.sub(r":[^:@/]*@", ":***@", value)


def is_sqlite(url: str) -> bool:
    return normalize_url(url).startswith("sqlite")


def _sqlite_engine(url: str) -> Engine:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        poolclass=NullPool if path in (None, "", ":memory:") else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_engine(url_or_path: str) -> Engine:
    url = normalize_url(url_or_path)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


class Store:
    """One store (station, hall or central): an engine and transaction helpers.

    ``write()`` yields a session inside one transaction (``BEGIN IMMEDIATE`` on SQLite)
    that commits on success and rolls back on error.  ``read()`` is a deferred transaction.
    Open a store per thread or share it: the engine's pool is thread-safe, sessions are not.
    """

    def __init__(self, url_or_path: str) -> None:
        self.url = normalize_url(url_or_path)
        self.engine = make_engine(self.url)
        self.dialect = self.engine.dialect.name
        self._read_engine = (
            self.engine.execution_options(sqlite_begin="DEFERRED")
            if self.dialect == "sqlite"
            else self.engine
        )

    @property
    def display_url(self) -> str:
        return mask_url(self.url)

    @contextmanager
    def write(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            session.connection()  # BEGIN (IMMEDIATE) now, not at the first statement
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self._read_engine, expire_on_commit=False) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
