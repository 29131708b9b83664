"""Bringing a PostgreSQL central's keys to the scale-out layout (``central.layout``).

``scale_out`` is safe to run again: it reads the catalog and changes only what differs.
For every distributed table it makes ``station_code`` lead the primary key and join every
unique constraint (same constraint names), rebuilds the foreign keys between distributed
tables as ``CENTRAL_FOREIGN_KEYS`` says (dropping the ones central does not keep), turns
``event`` into a table partitioned by month (``central.partitions``) and makes sure the
current and next months' partitions exist.  Migration 0007 runs it on an existing central;
``init_central`` runs it on a new one.  Stations (SQLite or PostgreSQL) keep their schema.

Rebuilding ``event`` drops its row-level security policies and grants: the caller
(``init_central``) installs them again right after.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

from hallterm.db.sync.central.layout import (
    CENTRAL_FOREIGN_KEYS,
    DISTRIBUTED,
    DISTRIBUTION_COLUMN,
)
from hallterm.db.sync.central.partitions import ensure_partitions, partition_event
from hallterm.db.sync.roles import quote_ident as _q


@dataclass(frozen=True)
class Constraint:
    name: str
    kind: str  # p primary key, u unique, f foreign key
    columns: tuple[str, ...]
    target: str  # the referenced table of a foreign key, else ""
    target_columns: tuple[str, ...]


_CONSTRAINTS = text(
    """
    SELECT c.conname, c.contype, coalesce(c.confrelid::regclass::text, ''),
      array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
      coalesce(array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
            JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
            ORDER BY k.i), '{}')
    FROM pg_constraint c
    WHERE c.conrelid = to_regclass(:t) AND c.contype IN ('p', 'u', 'f')
    ORDER BY c.conname
    """
)


def constraints(conn: Connection, table: str) -> list[Constraint]:
    """The primary key, unique and foreign key constraints of ``table`` (schema public)."""
    out = []
    for row in conn.execute(_CONSTRAINTS, {"t": f"public.{table}"}):
        name, kind, target = str(row[0]), str(row[1]), str(row[2])
        columns: list[str] = list(row[3])
        target_columns: list[str] = list(row[4])
        out.append(
            Constraint(
                name,
                kind,
                tuple(columns),
                target if kind == "f" else "",
                tuple(target_columns),
            )
        )
    return out


def _has_table(conn: Connection, table: str) -> bool:
    return (
        conn.execute(text("SELECT to_regclass(:t)"), {"t": f"public.{table}"}).scalar() is not None
    )


def _cols(columns: tuple[str, ...]) -> str:
    return ", ".join(_q(c) for c in columns)


def _keyed(columns: tuple[str, ...]) -> tuple[str, ...]:
    """``columns`` led by the distribution column (kept once)."""
    return (DISTRIBUTION_COLUMN, *(c for c in columns if c != DISTRIBUTION_COLUMN))


def _drop_foreign_keys(conn: Connection, tables: list[str]) -> None:
    """Drop every foreign key between distributed tables that is not in the plan."""
    planned = {
        (fk.table, fk.name, fk.columns, fk.target, fk.target_columns) for fk in CENTRAL_FOREIGN_KEYS
    }
    for table in tables:
        for c in constraints(conn, table):
            if c.kind != "f" or c.target not in DISTRIBUTED:
                continue
            if (table, c.name, c.columns, c.target, c.target_columns) not in planned:
                conn.execute(text(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(c.name)}"))


def _lookup_index(table: str, columns: tuple[str, ...]) -> str:
    return f"ix_{table}_{'_'.join(columns)}_lookup"[:63]


def _rekey(conn: Connection, table: str) -> None:
    """station_code first in the primary key and in every unique constraint of ``table``."""
    ex = conn.execute
    for c in constraints(conn, table):
        if c.kind not in ("p", "u") or DISTRIBUTION_COLUMN in c.columns:
            continue
        kind = "PRIMARY KEY" if c.kind == "p" else "UNIQUE"
        ex(text(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(c.name)}"))
        ex(
            text(
                f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(c.name)} "
                f"{kind} ({_cols(_keyed(c.columns))})"
            )
        )
        # Rows are still found by the old key alone (the apply step's look-ups, a case by its
        # number, row-level security): a plain index keeps that from scanning the table.
        ex(
            text(
                f"CREATE INDEX IF NOT EXISTS {_q(_lookup_index(table, c.columns))} "
                f"ON {_q(table)} ({_cols(c.columns)})"
            )
        )
    # An index on station_code alone repeats the primary key's first column; worse, a plan
    # made while the table was small (a foreign key's check is planned once per session)
    # takes it for every look-up and then walks the station's rows at each one.
    ex(text(f"DROP INDEX IF EXISTS {_q(f'ix_{table}_{DISTRIBUTION_COLUMN}')}"))
    # Unique indexes that are not constraints (none today; kept for later migrations).
    found = ex(
        text(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = to_regclass(:t) AND x.indisunique AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
        ),
        {"t": f"public.{table}"},
    ).all()
    for name, definition in found:
        head, cols = str(definition).split("(", 1)
        if DISTRIBUTION_COLUMN in cols:
            continue
        ex(text(f"DROP INDEX {_q(str(name))}"))
        ex(text(f"{head}({_q(DISTRIBUTION_COLUMN)}, {cols}"))


def _add_foreign_keys(conn: Connection) -> None:
    for fk in CENTRAL_FOREIGN_KEYS:
        have = {c.name for c in constraints(conn, fk.table) if c.kind == "f"}
        if fk.name in have:
            continue
        conn.execute(
            text(
                f"ALTER TABLE {_q(fk.table)} ADD CONSTRAINT {_q(fk.name)} "
                f"FOREIGN KEY ({_cols(fk.columns)}) "
                f"REFERENCES {_q(fk.target)} ({_cols(fk.target_columns)})"
            )
        )


def scale_out(conn: Connection, today: date) -> None:
    """Give a PostgreSQL central the scale-out keys and the partitioned event table."""
    if conn.dialect.name != "postgresql":
        return
    tables = sorted(t for t in DISTRIBUTED if _has_table(conn, t))
    _drop_foreign_keys(conn, tables)
    partition_event(conn, today)  # before the keys: the partitioned table has its own
    for table in tables:
        _rekey(conn, table)
    _add_foreign_keys(conn)
    ensure_partitions(conn, today, months=1)
