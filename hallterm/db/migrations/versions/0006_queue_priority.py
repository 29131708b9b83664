"""queue: priority requested/confirmed, the sending window of a transfer, out-of-order calls

Revision ID: 0006_queue_priority
Revises: 0004
Create Date: 2026-12-05 18:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_queue_priority"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "priority_state",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("from_window", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.add_column(
            sa.Column("out_of_order", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column(
                "call_reason",
                sqlmodel.sql.sqltypes.AutoString(length=200),
                nullable=False,
                server_default="",
            )
        )
    # Existing priority tickets were chosen at the kiosk, unverified.
    op.execute("UPDATE ticket SET priority_state = 'requested' WHERE priority")


def downgrade() -> None:
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("call_reason")
        batch_op.drop_column("out_of_order")
        batch_op.drop_column("from_window")
        batch_op.drop_column("priority_state")
