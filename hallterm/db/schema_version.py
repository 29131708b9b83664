"""The schema revision this hallterm expects, and the revision a store has, read cheaply.

Starting the terminal must not pay for importing Alembic (and, for a SQLite store, not even
SQLAlchemy) just to learn that nothing needs upgrading: ``SCHEMA_HEADS`` names the newest
migrations (a test proves it equals Alembic's heads), and ``stored_heads`` reads the store's
``alembic_version`` table directly. Only when the two differ is Alembic imported to upgrade.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hallterm.db.engine import Store

# The heads of hallterm/db/migrations/versions; tests/test_store.py checks it against Alembic.
SCHEMA_HEADS: frozenset[str] = frozenset(
    {
        "0010_lz4_payloads",
    }
)


def stored_heads(store: Store) -> frozenset[str] | None:
    """The revisions recorded in ``store``; None when it has no schema yet."""
    if store.dialect == "sqlite":
        path = store.url.removeprefix("sqlite:///")
        if not path or path == ":memory:" or not Path(path).is_file():
            return None
        # Read-only, so looking never creates or changes the file.
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.OperationalError:
            return None
        finally:
            conn.close()
        return frozenset(str(r[0]) for r in rows) or None
    from sqlalchemy import inspect, text

    with store.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        found: Iterable[object] = connection.execute(
            text("SELECT version_num FROM alembic_version")
        ).scalars()
        return frozenset(str(v) for v in found) or None
