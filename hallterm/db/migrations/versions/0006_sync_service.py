"""sync service: station credentials, persons across stations, applicants keyed per station

Revision ID: 0006_sync_service
Revises: 0003
Create Date: 2026-12-05 18:45:00

Central keeps each station's applicant row (a person registered offline at two stations
arrives twice): the applicant's unique key becomes (station_code, id_type, id_number), and
``sync_person`` / ``sync_person_link`` link those rows to one person.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_sync_service"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_peer") as batch:
        batch.add_column(
            sa.Column("credential_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.add_column(
            sa.Column("enrolled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch.add_column(
            sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.create_table(
        "sync_person",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("id_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("id_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_type", "id_number", name="uq_sync_person_id"),
    )
    op.create_table(
        "sync_person_link",
        sa.Column("applicant_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("person_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["sync_person.id"]),
        sa.PrimaryKeyConstraint("applicant_id"),
    )
    op.create_index("ix_sync_person_link_person_id", "sync_person_link", ["person_id"])
    if op.get_bind().dialect.name == "sqlite":
        # The applicant table is rebuilt; its children's keys are checked at commit, when the
        # rebuilt table holds every row again.
        op.execute("PRAGMA defer_foreign_keys = ON")
    with op.batch_alter_table("applicant") as batch:
        batch.drop_constraint("uq_applicant_id", type_="unique")
        batch.create_unique_constraint(
            "uq_applicant_station_id", ["station_code", "id_type", "id_number"]
        )


def downgrade() -> None:
    with op.batch_alter_table("applicant") as batch:
        batch.drop_constraint("uq_applicant_station_id", type_="unique")
        batch.create_unique_constraint("uq_applicant_id", ["id_type", "id_number"])
    op.drop_index("ix_sync_person_link_person_id", table_name="sync_person_link")
    op.drop_table("sync_person_link")
    op.drop_table("sync_person")
    with op.batch_alter_table("sync_peer") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("enrolled_at")
        batch.drop_column("credential_hash")
