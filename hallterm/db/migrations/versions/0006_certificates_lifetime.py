"""certificates: one per matter of a case, long-term signatures, station key revocation

Revision ID: 0006_certificates_lifetime
Revises: 0002
Create Date: 2026-12-05 19:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_certificates_lifetime"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("matter_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    with op.batch_alter_table("certificate_copy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "ltv",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                nullable=False,
                server_default="B-B",
            )
        )
        batch_op.add_column(sa.Column("ltv_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("revocation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="revoked",
            )
        )
    op.create_table(
        "station_key_revocation",
        sa.Column("serial", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("serial"),
    )
    with op.batch_alter_table("station_key_revocation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_station_key_revocation_station_code"), ["station_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("station_key_revocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_station_key_revocation_station_code"))
    op.drop_table("station_key_revocation")
    with op.batch_alter_table("revocation", schema=None) as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("certificate_copy", schema=None) as batch_op:
        batch_op.drop_column("ltv_at")
        batch_op.drop_column("ltv")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_column("matter_code")
