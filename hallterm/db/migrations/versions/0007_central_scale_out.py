"""central scale-out: station_code on every station-owned row; central's keys and events

Revision ID: 0007_central_scale_out
Revises: 0005, 0006_certificates_lifetime, 0006_desk, 0006_papers, 0006_queue_priority,
    0006_security, 0006_supervisor_rollups, 0006_sync_service
Create Date: 2027-01-10 10:00:00

Case children (``case_matter``, ``case_material_line``, ``case_suspension``), stored
materials and certificate copies get a ``station_code`` column, filled from their case (or
applicant, or certificate), so every station-owned row names its station.  On a PostgreSQL
central (``store_info`` role "central") the keys are then rebuilt around ``station_code``
and ``event`` is partitioned by month (``hallterm.db.sync.central.scale``); a new central
gets the same from ``init_central``.  Stations keep their keys.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007_central_scale_out"
down_revision = (
    "0005",
    "0006_certificates_lifetime",
    "0006_desk",
    "0006_papers",
    "0006_queue_priority",
    "0006_security",
    "0006_supervisor_rollups",
    "0006_sync_service",
)
branch_labels = None
depends_on = None

_CASE = "(SELECT c.station_code FROM service_case c WHERE c.id = {t}.case_id)"
FILL = {
    "case_matter": _CASE.format(t="case_matter"),
    "case_material_line": _CASE.format(t="case_material_line"),
    "case_suspension": _CASE.format(t="case_suspension"),
    "stored_material": _CASE.format(t="stored_material")
    + ", (SELECT a.station_code FROM applicant a WHERE a.id = stored_material.applicant_id)",
    "certificate_copy": "(SELECT c.station_code FROM certificate c "
    "WHERE c.number = certificate_copy.number)",
}


def upgrade() -> None:
    for table, source in FILL.items():
        op.add_column(
            table,
            sa.Column(
                "station_code",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
                server_default="",
            ),
        )
        op.execute(f"UPDATE {table} SET station_code = COALESCE({source}, '')")
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    role = bind.execute(sa.text("SELECT value FROM store_info WHERE key = 'role'")).scalar()
    if role == "central":
        from hallterm.clock import Clock
        from hallterm.db.sync.central.scale import scale_out

        scale_out(bind, Clock().today())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        kind = bind.execute(
            sa.text("SELECT relkind FROM pg_class WHERE oid = to_regclass('public.event')")
        ).scalar()
        if kind == "p":
            raise NotImplementedError("a scaled-out central cannot be downgraded")
    for table in reversed(list(FILL)):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("station_code")
