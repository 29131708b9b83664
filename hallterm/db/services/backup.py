"""Backup and restore of a SQLite store, checked against the event hash chain.

A backup is taken with ``VACUUM INTO``: SQLite writes a compact copy from one read
transaction, so the copy is consistent while clerks keep writing (WAL lets the writers go on;
they are never blocked).  The copy is written beside the destination and renamed into place
only once it has passed ``PRAGMA integrity_check`` and the event chain check, so a
half-written or bad file never sits under the backup's name.

Restore checks the backup the same way before it accepts it, refuses to overwrite an
existing store unless forced, removes the old store's ``-wal``/``-shm`` files (a leftover
write-ahead log would be replayed onto the restored file) and renames the checked copy into
place.  Stop every hallterm using the store before restoring it.

PostgreSQL stores are not copied here: ``pg_dump`` makes a consistent dump of a live
database and ``pg_restore`` loads it; both functions refuse such a store and say so.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from hallterm.db.engine import is_sqlite, mask_url, normalize_url
from hallterm.db.services import ServiceError
from hallterm.db.services.audit import ChainReport, verify_store
from hallterm.i18n import _
from hallterm.private_files import create_private, private_dir


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    events: int
    chains: tuple[ChainReport, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.chains)


def _pg_refusal(url: str) -> ServiceError:
    return ServiceError(
        _(
            "{url} is a PostgreSQL store: back it up with pg_dump, which takes a consistent "
            "dump while the hall keeps working, e.g. pg_dump --format=custom --file=hall.dump "
            "URL, and restore it with pg_restore --clean --dbname=URL hall.dump"
        ).format(url=mask_url(url))
    )


def sqlite_path(url_or_path: str) -> Path:
    """The database file of a SQLite store; ``ServiceError`` for any other store."""
    if not is_sqlite(url_or_path):
        raise _pg_refusal(url_or_path)
    database = make_url(normalize_url(url_or_path)).database
    if not database or database == ":memory:":
        raise ServiceError(_("an in-memory store cannot be backed up"))
    return Path(database)


def _temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")


def _open_readonly(path: Path) -> sqlite3.Connection:
    """Read-only and immutable: checking a file never creates -wal/-shm files beside it."""
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False
    )


def check_file(path: Path) -> tuple[int, tuple[ChainReport, ...]]:
    """Integrity and chain check of a SQLite store file: (events, chain reports).

    ``ServiceError`` when the file is not a sound hallterm store.
    """
    if not path.is_file():
        raise ServiceError(_("{path} does not exist").format(path=path))
    try:
        conn = _open_readonly(path)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ServiceError(
            _("{path} is not a SQLite database: {error}").format(path=path, error=exc)
        ) from None
    if not result or result[0] != "ok":
        raise ServiceError(
            _("{path} is damaged: {error}").format(path=path, error=result[0] if result else "?")
        )
    if not {"event", "event_head", "alembic_version"} <= tables:
        raise ServiceError(_("{path} is not a hallterm store").format(path=path))
    engine = create_engine(
        "sqlite://", creator=lambda: _open_readonly(path), poolclass=NullPool, hide_parameters=True
    )
    try:
        with Session(engine) as session:
            chains = tuple(verify_store(session))
    finally:
        engine.dispose()
    return sum(c.events for c in chains), chains


def backup_store(url_or_path: str, dest: Path, *, force: bool = False) -> BackupReport:
    """A consistent, checked copy of a live SQLite store at ``dest``."""
    source = sqlite_path(url_or_path)
    dest = Path(dest).expanduser()
    if not source.is_file():
        raise ServiceError(_("{path} does not exist").format(path=source))
    if dest.resolve() == source.resolve():
        raise ServiceError(_("the backup cannot replace the store itself"))
    if dest.exists() and not force:
        raise ServiceError(
            _("{path} exists; choose another file or use --force to replace it").format(path=dest)
        )
    private_dir(dest.parent)
    tmp = create_private(_temp_beside(dest))  # VACUUM INTO fills an empty file: 0600 first
    try:
        conn = sqlite3.connect(str(source), timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("VACUUM INTO ?", (str(tmp),))
        finally:
            conn.close()
        events, chains = check_file(tmp)
        if not all(c.ok for c in chains):
            bad = next(c for c in chains if not c.ok)
            raise ServiceError(
                _(
                    "the store's event chain of station {station} is broken at position "
                    "{position} ({problem}); no backup was written"
                ).format(station=bad.station_code, position=bad.position, problem=bad.problem)
            )
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        raise ServiceError(_("backup failed: {error}").format(error=exc)) from None
    finally:
        tmp.unlink(missing_ok=True)
    return BackupReport(dest, dest.stat().st_size, events, chains)


def restore_store(backup: Path, target: str, *, force: bool = False) -> BackupReport:
    """Put a checked backup in place as the SQLite store ``target``."""
    backup = Path(backup).expanduser()
    target_path = sqlite_path(target)
    events, chains = check_file(backup)
    if not all(c.ok for c in chains):
        bad = next(c for c in chains if not c.ok)
        raise ServiceError(
            _(
                "the backup's event chain of station {station} is broken at position {position} "
                "({problem}); not restored"
            ).format(station=bad.station_code, position=bad.position, problem=bad.problem)
        )
    if target_path.exists() and not force:
        raise ServiceError(
            _("{path} exists; use --force to replace it with the backup").format(path=target_path)
        )
    if target_path.exists() and target_path.resolve() == backup.resolve():
        raise ServiceError(_("the backup is the store itself"))
    private_dir(target_path.parent)
    tmp = create_private(_temp_beside(target_path))
    try:
        src = _open_readonly(backup)
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        copied = check_file(tmp)[1]
        if not all(c.ok for c in copied):
            raise ServiceError(_("the restored copy does not verify; not restored"))
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target_path}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, target_path)
    except sqlite3.Error as exc:
        raise ServiceError(_("restore failed: {error}").format(error=exc)) from None
    finally:
        tmp.unlink(missing_ok=True)
    return BackupReport(target_path, target_path.stat().st_size, events, chains)
