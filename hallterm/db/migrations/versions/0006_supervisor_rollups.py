"""supervisor: daily efficiency rollups (cases, ratings), partial indexes over the open set

Revision ID: 0006_supervisor_rollups
Revises: 0004
Create Date: 2026-12-05 19:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_supervisor_rollups"
down_revision = "0004"  # the queue and supervisor tables (rectification, indexes) it builds on
branch_labels = None
depends_on = None

_OPEN_CASE = "status IN ('accepted', 'in_review', 'suspended')"


def upgrade() -> None:
    op.create_table(
        "case_daily",
        sa.Column("bucket", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("grain", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("matter_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("department_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("clerk_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("open_due", sa.Date(), nullable=True),
        sa.Column("first_in_case", sa.Boolean(), nullable=False),
        sa.Column("first_in_dept", sa.Boolean(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "cases",
                "accepted",
                "with_due",
                "on_time",
                "late",
                "work_days",
                "work_cases",
                "notices",
            )
        ),
        sa.PrimaryKeyConstraint("bucket"),
    )
    with op.batch_alter_table("case_daily", schema=None) as batch_op:
        batch_op.create_index("ix_case_daily_day", ["grain", "day", "station_code"], unique=False)
    op.create_table(
        "case_fact",
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("matter_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("bucket", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("accepted", "with_due", "on_time", "late", "work_days", "work_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", "matter_code"),
    )
    op.create_table(
        "rating_daily",
        sa.Column("bucket", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("grain", sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("matter_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("department_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("clerk_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("first_in_case", sa.Boolean(), nullable=False),
        sa.Column("first_in_dept", sa.Boolean(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("ratings", "good", "bad", "stars")
        ),
        sa.PrimaryKeyConstraint("bucket"),
    )
    with op.batch_alter_table("rating_daily", schema=None) as batch_op:
        batch_op.create_index("ix_rating_daily_day", ["grain", "day", "station_code"], unique=False)
    op.create_index(
        "ix_rectification_open_only",
        "rectification",
        ["station_code", "due_date"],
        postgresql_where=sa.text("closed_at IS NULL"),
        sqlite_where=sa.text("closed_at IS NULL"),
    )
    op.create_index(
        "ix_case_open_only",
        "service_case",
        ["station_code", "status", "due_date"],
        postgresql_where=sa.text(_OPEN_CASE),
        sqlite_where=sa.text(_OPEN_CASE),
    )
    # A store with cases already gets its rollups now (the same code keeps them afterwards).
    from sqlmodel import Session

    from hallterm.db.services.efficiency_rollups import rebuild

    bind = op.get_bind()
    has_rows = (
        bind.execute(sa.text("SELECT 1 FROM service_case LIMIT 1")).first() is not None
        or bind.execute(sa.text("SELECT 1 FROM evaluation LIMIT 1")).first() is not None
    )
    if has_rows:
        with Session(bind=bind) as session:
            rebuild(session)
            session.flush()


def downgrade() -> None:
    op.drop_index("ix_case_open_only", table_name="service_case")
    op.drop_index("ix_rectification_open_only", table_name="rectification")
    with op.batch_alter_table("case_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_case_daily_day")
    with op.batch_alter_table("rating_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_rating_daily_day")
    op.drop_table("rating_daily")
    op.drop_table("case_fact")
    op.drop_table("case_daily")
