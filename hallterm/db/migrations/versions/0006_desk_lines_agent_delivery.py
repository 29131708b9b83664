"""desk: originals and copies per line, deferral arrival, 经办人, delivery, resumption

Revision ID: 0006_desk
Revises: 0001
Create Date: 2026-12-05 18:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_desk"
down_revision = "0001"
branch_labels = None
depends_on = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("case_material_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("originals_received", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("copies_received", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("arrived_on", sa.Date(), nullable=True))
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        for name, length in (
            ("agent_name", 100),
            ("agent_id_type", 20),
            ("agent_id_number", 40),
            ("agent_phone", 40),
            ("delivery_method", 16),
            ("delivery_reference", 64),
        ):
            batch_op.add_column(sa.Column(name, _text(length), nullable=False, server_default=""))
    with op.batch_alter_table("case_suspension", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expected_resume_on", sa.Date(), nullable=True))
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "approve_with_deferral", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.drop_column("approve_with_deferral")
    with op.batch_alter_table("case_suspension", schema=None) as batch_op:
        batch_op.drop_column("expected_resume_on")
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        for name in (
            "delivery_reference",
            "delivery_method",
            "agent_phone",
            "agent_id_number",
            "agent_id_type",
            "agent_name",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("case_material_line", schema=None) as batch_op:
        batch_op.drop_column("arrived_on")
        batch_op.drop_column("copies_received")
        batch_op.drop_column("originals_received")
