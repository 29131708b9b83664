"""escrow: person keys also wrapped under the province escrow key; interaction phone encrypted

``person_key.escrow`` holds the person key wrapped under the province-wide escrow key (at a
station: the copy to hand to central; at central: the copy a station handed over, which
central cannot open).  ``interaction_item.contact_phone`` grows to hold ciphertext; rows
already in a store are encrypted by ``hallterm privacy migrate`` (the key needs the station
passphrase).

Revision ID: 0009_escrow
Revises: 0008_privacy
Create Date: 2027-01-11 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009_escrow"
down_revision = "0008_privacy"
branch_labels = None
depends_on = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("person_key", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escrow", _s(128), nullable=False, server_default=""))
    with op.batch_alter_table("interaction_item", schema=None) as batch_op:
        batch_op.alter_column("contact_phone", type_=_s(255), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("interaction_item", schema=None) as batch_op:
        batch_op.alter_column("contact_phone", type_=_s(40), existing_nullable=False)
    with op.batch_alter_table("person_key", schema=None) as batch_op:
        batch_op.drop_column("escrow")
