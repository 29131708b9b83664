"""certificates: registry, copies, revocation list

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 05:31:20.394272
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificate",
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("certificate_type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("issued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("issued_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("revoke_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_certificate_holder"), ["holder"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_certificate_station_code"), ["station_code"], unique=False
        )

    op.create_table(
        "certificate_copy",
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("copy_no", sa.Integer(), nullable=False),
        sa.Column("made_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("made_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("number", "copy_no"),
    )
    op.create_table(
        "revocation",
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("number"),
    )
    with op.batch_alter_table("revocation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_revocation_station_code"), ["station_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("revocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revocation_station_code"))

    op.drop_table("revocation")
    op.drop_table("certificate_copy")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_station_code"))
        batch_op.drop_index(batch_op.f("ix_certificate_holder"))
        batch_op.drop_index(batch_op.f("ix_certificate_case_id"))

    op.drop_table("certificate")
