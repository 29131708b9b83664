"""queue: tickets, window state, evaluations, rectifications; case indexes for the dashboard

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-28 05:22:45.919652
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evaluation",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("ticket_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("window", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("clerk_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["station.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.create_index("ix_evaluation_at", ["station_code", "at"], unique=False)
        batch_op.create_index("ix_evaluation_case", ["case_id"], unique=False)

    op.create_table(
        "ticket",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("priority", sa.Boolean(), nullable=False),
        sa.Column("appointment", sa.Boolean(), nullable=False),
        sa.Column("id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("id_masked", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("applicant_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("target_window", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("window", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("clerk_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("issued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("queue_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("called_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("announced_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("recalls", sa.Integer(), nullable=False),
        sa.Column("requeued_once", sa.Boolean(), nullable=False),
        sa.Column("transferred_from", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["station.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index("ix_ticket_case", ["case_id"], unique=False)
        batch_op.create_index("ix_ticket_day", ["day", "station_code"], unique=False)
        batch_op.create_index(
            "ix_ticket_line", ["station_code", "status", "category", "queue_at"], unique=False
        )

    op.create_table(
        "window_state",
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("window", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("categories", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("clerk_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("clerk_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("ticket_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["station.code"],
        ),
        sa.PrimaryKeyConstraint("station_code", "window"),
    )
    op.create_table(
        "rectification",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("evaluation_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("opened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            ["evaluation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["station.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id"),
    )
    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.create_index("ix_rectification_open", ["station_code", "closed_at"], unique=False)

    with op.batch_alter_table("service_case", schema=None) as batch_op:
        batch_op.create_index("ix_case_open_due", ["status", "due_date"], unique=False)
        batch_op.create_index("ix_case_registered_at", ["registered_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        batch_op.drop_index("ix_case_registered_at")
        batch_op.drop_index("ix_case_open_due")

    with op.batch_alter_table("rectification", schema=None) as batch_op:
        batch_op.drop_index("ix_rectification_open")

    op.drop_table("rectification")
    op.drop_table("window_state")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_line")
        batch_op.drop_index("ix_ticket_day")
        batch_op.drop_index("ix_ticket_case")

    op.drop_table("ticket")
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluation_case")
        batch_op.drop_index("ix_evaluation_at")

    op.drop_table("evaluation")
