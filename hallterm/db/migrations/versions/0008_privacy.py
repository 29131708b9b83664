"""privacy: encrypted personal fields (wider columns), blind index, person keys, erasure

Applicant ``id_number`` / ``phone`` / ``address`` and a case's agent ID number and phone now
hold ciphertext (longer); ``applicant.id_index`` (blind index) takes the ID number's place in
the per-station unique key; ``applicant.erased_at`` marks an erased person; ``person_key``
holds the wrapped per-person keys.  Central's ``sync_person`` matches persons by blind index:
its clear ID numbers are dropped (persons are linked again as stations send their rows).

Rows already in a store cannot be encrypted here (the key needs the station passphrase):
they get a placeholder index and are encrypted by ``hallterm privacy migrate``.

Revision ID: 0008_privacy
Revises: 0007_central_scale_out
Create Date: 2027-01-10 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_privacy"
down_revision = "0007_central_scale_out"
branch_labels = None
depends_on = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("applicant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_index", _s(64), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.alter_column("id_number", type_=_s(255), existing_nullable=False)
        batch_op.alter_column("phone", type_=_s(255), existing_nullable=False)
        batch_op.alter_column("address", type_=sa.Text(), existing_nullable=False)
        batch_op.drop_constraint("uq_applicant_station_id", type_="unique")
    # Rows from before: a unique placeholder until ``hallterm privacy migrate`` indexes them.
    op.execute("UPDATE applicant SET id_index = 'legacy:' || id WHERE id_index = ''")
    with op.batch_alter_table("applicant", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_applicant_station_id", ["station_code", "id_type", "id_index"]
        )
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        batch_op.alter_column("agent_id_number", type_=_s(255), existing_nullable=False)
        batch_op.alter_column("agent_phone", type_=_s(255), existing_nullable=False)
    op.create_table(
        "person_key",
        sa.Column("applicant_id", _s(36), nullable=False),
        sa.Column("station_code", _s(32), nullable=False),
        sa.Column("wrapped", _s(128), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("erased_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("delivered", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("applicant_id"),
    )
    op.create_index("ix_person_key_station_code", "person_key", ["station_code"])
    # Central's persons: matched by blind index from now on; clear numbers are dropped.
    op.execute("DELETE FROM sync_person_link")
    op.execute("DELETE FROM sync_person")
    with op.batch_alter_table("sync_person", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sync_person_id", type_="unique")
        batch_op.drop_column("id_number")
        batch_op.add_column(sa.Column("id_index", _s(64), nullable=False, server_default=""))
    with op.batch_alter_table("sync_person", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_sync_person_id", ["id_type", "id_index"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        role = bind.execute(sa.text("SELECT value FROM store_info WHERE key = 'role'")).scalar()
        if role == "central":  # the new keys and person_key keyed by station, as 0007 did
            from hallterm.clock import Clock
            from hallterm.db.sync.central.scale import scale_out

            scale_out(bind, Clock().today())


def downgrade() -> None:
    with op.batch_alter_table("sync_person", schema=None) as batch_op:
        batch_op.drop_constraint("uq_sync_person_id", type_="unique")
        batch_op.drop_column("id_index")
        batch_op.add_column(sa.Column("id_number", _s(40), nullable=False, server_default=""))
        batch_op.create_unique_constraint("uq_sync_person_id", ["id_type", "id_number"])
    op.drop_index("ix_person_key_station_code", table_name="person_key")
    op.drop_table("person_key")
    with op.batch_alter_table("applicant", schema=None) as batch_op:
        batch_op.drop_constraint("uq_applicant_station_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_applicant_station_id", ["station_code", "id_type", "id_number"]
        )
        batch_op.drop_column("erased_at")
        batch_op.drop_column("id_index")
