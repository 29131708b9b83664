"""Opening a store: SQLite with durable settings, or PostgreSQL through psycopg 3.

A plain file path means SQLite.  SQLite connections use WAL, ``synchronous=FULL``,
``foreign_keys=ON`` and a ``busy_timeout``; write transactions start with ``BEGIN IMMEDIATE``
so a writer waits for the lock up front instead of failing with SQLITE_BUSY half-way.
Read transactions use a plain deferred ``BEGIN``.

SQLAlchemy is imported when a store is first used, not when it is named: the terminal shows
its login screen while a worker thread opens the store.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hallterm.private_files import create_private

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Engine
    from sqlmodel import Session

    from hallterm.db.privacy.keyring import StoreKeys

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
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", value)


def is_sqlite(url: str) -> bool:
    return normalize_url(url).startswith("sqlite")


def _sqlite_engine(url: str) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    path = make_url(url).database
    if path and path != ":memory:":
        # 0600 before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
        create_private(path)
    engine = create_engine(
        url,
        hide_parameters=True,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        poolclass=NullPool if path in (None, "", ":memory:") else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_engine(url_or_path: str) -> Engine:
    url = normalize_url(url_or_path)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    from sqlalchemy import create_engine

    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, hide_parameters=True)


class Store:
    """One store (station, hall or central): an engine and transaction helpers.

    ``write()`` yields a session inside one transaction (``BEGIN IMMEDIATE`` on SQLite)
    that commits on success and rolls back on error.  ``read()`` is a deferred transaction.
    Share a store between threads freely: the engine's pool is thread-safe, sessions are not.
    ``keys`` are the store's personal-data keys (``hallterm.db.privacy.keyring``), unlocked
    on first use; every session carries them in ``session.info["keys"]``.
    """

    def __init__(self, url_or_path: str) -> None:
        self.url = normalize_url(url_or_path)
        self.dialect = (
            "sqlite" if self.url.startswith("sqlite") else self.url.split(":", 1)[0].split("+")[0]
        )
        self._engine: Engine | None = None
        self._read_engine: Engine | None = None
        self._keys: StoreKeys | None = None
        self._prompt: Callable[[], str] | None = None
        self._keys_lock = threading.Lock()

    @property
    def keys(self) -> StoreKeys:
        # Made once even when the terminal's start-up workers ask for them at the same time.
        with self._keys_lock:
            if self._keys is None:
                from hallterm.db.privacy.keyring import StoreKeys

                self._keys = StoreKeys(self._prompt)
            return self._keys

    def give_prompt(self, prompt: Callable[[], str]) -> None:
        """Ask for the passphrase with ``prompt`` when personal data is first needed.

        Kept here until the keys are made: naming a prompt must not import the keyring
        (SQLModel), which the terminal's first frame does not wait for.
        """
        with self._keys_lock:
            self._prompt = prompt
            if self._keys is not None:
                self._keys.prompt = prompt

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
            self._read_engine = (
                self._engine.execution_options(sqlite_begin="DEFERRED")
                if self.dialect == "sqlite"
                else self._engine
            )
        return self._engine

    @property
    def display_url(self) -> str:
        return mask_url(self.url)

    @contextmanager
    def write(self) -> Iterator[Session]:
        from sqlmodel import Session

        with (
            Session(self.engine, expire_on_commit=False, info={"keys": self.keys}) as session,
            session.begin(),
        ):
            session.connection()  # BEGIN (IMMEDIATE) now, not at the first statement
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        from sqlmodel import Session

        engine = self.engine
        assert self._read_engine is not None
        with (
            Session(
                self._read_engine or engine, expire_on_commit=False, info={"keys": self.keys}
            ) as session,
            session.begin(),
        ):
            yield session

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
