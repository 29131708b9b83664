"""Creating and upgrading a store's schema with Alembic (run twice: nothing happens)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from hallterm.db.engine import Store

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest revision(s); feature areas add migrations as branches off the base."""
    return ",".join(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))


def current_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) if heads else None


def upgrade(store: Store, revision: str = "heads") -> None:
    """Bring the store's schema to ``revision`` in one transaction (SQLite: immediate)."""
    _run(store, lambda cfg: command.upgrade(cfg, revision))


def downgrade(store: Store, revision: str) -> None:
    _run(store, lambda cfg: command.downgrade(cfg, revision))


def _run(store: Store, step: Callable[[Config], None]) -> None:
    """Run a migration step in one transaction.

    On SQLite, a migration that changes a constraint rebuilds the table (copy, drop, rename):
    with foreign keys enforced, dropping a table that other rows point at fails.  SQLite's
    documented procedure is followed instead: foreign keys off (outside the transaction,
    where the pragma takes effect), the step, ``PRAGMA foreign_key_check`` before the commit
    (a dangling reference undoes it all), foreign keys on again.
    """
    cfg = alembic_config()
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection if store.dialect == "sqlite" else None
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                step(cfg)
                if raw is not None:
                    dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if dangling:
                        raise RuntimeError(
                            f"the migration left {len(dangling)} dangling references"
                        )
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
