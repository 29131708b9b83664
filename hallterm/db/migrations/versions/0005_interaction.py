"""interaction

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-28 05:26:04.617036
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "interaction_item",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("matter_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("contact_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("contact_phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("taken_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("taken_by_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reply_days", sa.Integer(), nullable=False),
        sa.Column("reply_due", sa.Date(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("replied_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("replied_by_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("replied_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("interaction_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interaction_item_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_interaction_item_station_code"), ["station_code"], unique=False
        )
        batch_op.create_index("ix_interaction_open", ["replied_at", "reply_due"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("interaction_item", schema=None) as batch_op:
        batch_op.drop_index("ix_interaction_open")
        batch_op.drop_index(batch_op.f("ix_interaction_item_station_code"))
        batch_op.drop_index(batch_op.f("ix_interaction_item_kind"))

    op.drop_table("interaction_item")
