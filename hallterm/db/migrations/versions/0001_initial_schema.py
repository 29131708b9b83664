"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 05:19:15.929340
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applicant",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("id_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("id_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("legal_rep", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_type", "id_number", name="uq_applicant_id"),
    )
    op.create_table(
        "bundle",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "catalog_version",
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("imported_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "counter",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "department",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "event",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("station_code", "seq", name="uq_event_station_seq"),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_entity", ["entity", "entity_id"], unique=False)
        batch_op.create_index("ix_event_unsent", ["station_code", "sent_at", "seq"], unique=False)

    op.create_table(
        "event_head",
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("station_code"),
    )
    op.create_table(
        "holiday_override",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "holiday_year",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year"),
    )
    op.create_table(
        "queue_category",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("prefix", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "station",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("parent_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_code"],
            ["station.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "store_info",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "matter",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("basic_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("audience", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("department_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("handling_type", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("legal_limit_days", sa.Integer(), nullable=False),
        sa.Column("promised_limit_days", sa.Integer(), nullable=False),
        sa.Column("fee", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("process", sa.Text(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("online_depth", sa.Integer(), nullable=False),
        sa.Column("certificate_type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("queue_category", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("theme", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("hours", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("catalog_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_code"],
            ["department.code"],
        ),
        sa.PrimaryKeyConstraint("code"),
    )
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matter_basic_code"), ["basic_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_matter_department_code"), ["department_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_matter_name"), ["name"], unique=False)

    op.create_table(
        "service_case",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("applicant_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("clerk_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("window", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("bundle_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("catalog_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("registered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("accepted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("limit_days", sa.Integer(), nullable=True),
        sa.Column("completed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("delivered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["applicant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["station.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_case_applicant_id"), ["applicant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_case_station_code"), ["station_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_service_case_status"), ["status"], unique=False)

    op.create_table(
        "staff",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("station_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("window", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_code"],
            ["station.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "stored_material",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("applicant_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("type_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("received_as", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["applicant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stored_material", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stored_material_applicant_id"), ["applicant_id"], unique=False
        )

    op.create_table(
        "bundle_matter",
        sa.Column("bundle_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("matter_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bundle_code"],
            ["bundle.code"],
        ),
        sa.ForeignKeyConstraint(
            ["matter_code"],
            ["matter.code"],
        ),
        sa.PrimaryKeyConstraint("bundle_code", "matter_code"),
    )
    op.create_table(
        "case_material_line",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("necessity", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("form", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("originals", sa.Integer(), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("standard", sa.Text(), nullable=False),
        sa.Column("valid_days", sa.Integer(), nullable=True),
        sa.Column("matters", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("received_as", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("deferred_until", sa.Date(), nullable=True),
        sa.Column("reused_from", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["service_case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_material_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_material_line_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "case_matter",
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("matter_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["service_case.id"],
        ),
        sa.PrimaryKeyConstraint("case_id", "matter_code"),
    )
    op.create_table(
        "case_suspension",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("case_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["service_case.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_suspension", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_suspension_case_id"), ["case_id"], unique=False)

    op.create_table(
        "material_requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("matter_code", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("type_code", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("necessity", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("form", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("originals", sa.Integer(), nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("standard", sa.Text(), nullable=False),
        sa.Column("valid_days", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["matter_code"],
            ["matter.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("material_requirement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_material_requirement_matter_code"), ["matter_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_material_requirement_type_code"), ["type_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("material_requirement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_material_requirement_type_code"))
        batch_op.drop_index(batch_op.f("ix_material_requirement_matter_code"))

    op.drop_table("material_requirement")
    with op.batch_alter_table("case_suspension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_suspension_case_id"))

    op.drop_table("case_suspension")
    op.drop_table("case_matter")
    with op.batch_alter_table("case_material_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_material_line_case_id"))

    op.drop_table("case_material_line")
    op.drop_table("bundle_matter")
    with op.batch_alter_table("stored_material", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_material_applicant_id"))

    op.drop_table("stored_material")
    op.drop_table("staff")
    with op.batch_alter_table("service_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_case_status"))
        batch_op.drop_index(batch_op.f("ix_service_case_station_code"))
        batch_op.drop_index(batch_op.f("ix_service_case_applicant_id"))

    op.drop_table("service_case")
    with op.batch_alter_table("matter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matter_name"))
        batch_op.drop_index(batch_op.f("ix_matter_department_code"))
        batch_op.drop_index(batch_op.f("ix_matter_basic_code"))

    op.drop_table("matter")
    op.drop_table("store_info")
    op.drop_table("station")
    op.drop_table("queue_category")
    op.drop_table("holiday_year")
    op.drop_table("holiday_override")
    op.drop_table("event_head")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_unsent")
        batch_op.drop_index("ix_event_entity")

    op.drop_table("event")
    op.drop_table("department")
    op.drop_table("counter")
    op.drop_table("catalog_version")
    op.drop_table("bundle")
    op.drop_table("applicant")
