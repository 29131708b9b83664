"""lz4 for the large values PostgreSQL compresses: event payloads and certificate PDFs

PostgreSQL compresses a value over ~2 kB before storing it out of line, with pglz unless told
otherwise.  A month of a station's events (~9,500, a quarter of them signed PDFs in base64)
took ~0.55 s of pglz at central on every ingest, beside ~0.25 s for the whole ``COPY``; lz4
stores about as small at a quarter of that time.  Values already stored keep their pglz and
stay readable.  The event table's partitions get it too (a partition made later takes it from
the table: ``central.partitions``).  Only on a PostgreSQL built with lz4 (14 or later, the
usual packages); a SQLite store has no such compression and nothing changes.

Revision ID: 0010_lz4_payloads
Revises: 0009_escrow
Create Date: 2027-01-18 10:00:00
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "0010_lz4_payloads"
down_revision = "0009_escrow"
branch_labels = None
depends_on = None

COLUMNS = (("event", "payload"), ("certificate_copy", "pdf"))


def _has_lz4() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    return bool(
        bind.execute(
            text(
                "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                "AND 'lz4' = ANY(enumvals)"
            )
        ).scalar()
    )


def _set(method: str) -> None:
    if not _has_lz4():
        return
    bind = op.get_bind()
    for table, column in COLUMNS:
        # A partitioned table's setting reaches the partitions made after it, not those it has.
        names = bind.execute(
            text(
                "SELECT CAST(:t AS regclass)::text UNION "
                "SELECT relid::regclass::text FROM pg_partition_tree(CAST(:t AS regclass))"
            ),
            {"t": table},
        ).scalars()
        for name in list(names):  # regclass text: quoted where a name needs it
            op.execute(f"ALTER TABLE {name} ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("pglz")
