"""sync: peers, the pull feed and the conflict quarantine

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-28 05:24:02.482082
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_feed",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sync_feed_station", "sync_feed", ["station_code", "id"], unique=False)
    op.create_table(
        "sync_peer",
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("role_name", sqlmodel.sql.sqltypes.AutoString(length=63), nullable=True),
        sa.Column("last_push_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_pull_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("station_code"),
        sa.UniqueConstraint("role_name"),
    )
    op.create_table(
        "sync_quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("problem", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("table_name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("row_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("resolved_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sync_quarantine_event_id", "sync_quarantine", ["event_id"], unique=False)
    op.create_index(
        "ix_sync_quarantine_open", "sync_quarantine", ["resolved_at", "id"], unique=False
    )
    op.create_index(
        "ix_sync_quarantine_station_code", "sync_quarantine", ["station_code"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_sync_quarantine_station_code", table_name="sync_quarantine")
    op.drop_index("ix_sync_quarantine_open", table_name="sync_quarantine")
    op.drop_index("ix_sync_quarantine_event_id", table_name="sync_quarantine")
    op.drop_table("sync_quarantine")
    op.drop_table("sync_peer")
    op.drop_index("ix_sync_feed_station", table_name="sync_feed")
    op.drop_table("sync_feed")
