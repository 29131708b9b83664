"""How central's tables scale out: the one place that classifies every table.

Central can run on one PostgreSQL server or on a Citus cluster distributed by station.  Each
table is one of:

- **distributed** by ``station_code``: rows a station makes (cases and their children,
  applicants, tickets, certificates, events …).  At a PostgreSQL central ``station_code``
  leads every primary key and is in every unique constraint and every foreign key between
  two distributed tables (``central.scale`` rebuilds them), which is what Citus asks of a
  table distributed on that column (``create_distributed_table(t, 'station_code')``).
- **reference**: small tables central governs that every node reads (catalog, stations,
  staff, holidays, the station registry the row-level security policies read); Citus copies
  them to every node (``create_reference_table``).  They have no foreign key to a
  distributed table.
- **central-local**: central's own bookkeeping (persons across stations, the pull feed, the
  quarantine, counters, derived rollups, local secrets, Alembic's version): they stay on the
  coordinator (or the one server).

Case children (``CASE_CHILDREN``) carry the ``station_code`` of their case and move with it
when central transfers the case (``central.relocate``): the distribution column is never
updated, the rows are copied under the new station's code and the old ones deleted.
``CENTRAL_FOREIGN_KEYS`` lists the foreign keys between distributed tables at central;
the station's own foreign keys that cannot hold across stations are dropped at central
(``DROPPED_FOREIGN_KEYS``, with the reason).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Kind = Literal["distributed", "reference", "central-local"]
DISTRIBUTION_COLUMN = "station_code"

DISTRIBUTED: frozenset[str] = frozenset(
    {
        "applicant",
        "service_case",
        "case_matter",
        "case_material_line",
        "case_suspension",
        "case_paper",
        "stored_material",
        "person_key",
        "certificate",
        "certificate_copy",
        "revocation",
        "interaction_item",
        "ticket",
        "window_state",
        "evaluation",
        "rectification",
        "event",
        "event_head",
    }
)

REFERENCE: frozenset[str] = frozenset(
    {
        "station",
        "department",
        "queue_category",
        "catalog_version",
        "matter",
        "material_requirement",
        "bundle",
        "bundle_matter",
        "staff",
        "holiday_override",
        "holiday_year",
        "station_key_revocation",
        "sync_peer",
    }
)

CENTRAL_LOCAL: frozenset[str] = frozenset(
    {
        "store_info",
        "alembic_version",
        "counter",
        "sync_feed",
        "sync_quarantine",
        "sync_person",
        "sync_person_link",
        "case_daily",
        "case_fact",
        "rating_daily",
        "login_throttle",
        "local_secret",
    }
)

# Rows that follow their case: same station_code, moved with it on a transfer.
CASE_CHILDREN: tuple[str, ...] = ("case_matter", "case_material_line", "case_suspension")
# Tables that gained station_code for the scale-out (migration 0007): a snapshot from an
# older station lacks it, and central fills it in from the sending station.
STATION_CODE_ADDED: frozenset[str] = frozenset(
    {*CASE_CHILDREN, "stored_material", "certificate_copy"}
)


class ForeignKey(NamedTuple):
    table: str
    columns: tuple[str, ...]
    target: str
    target_columns: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"fk_{self.table}_{self.columns[-1]}"


CENTRAL_FOREIGN_KEYS: tuple[ForeignKey, ...] = tuple(
    ForeignKey(child, ("station_code", "case_id"), "service_case", ("station_code", "id"))
    for child in CASE_CHILDREN
) + (
    ForeignKey(
        "rectification", ("station_code", "evaluation_id"), "evaluation", ("station_code", "id")
    ),
)

# (table, column) of the station's foreign keys central does not keep, and why.
DROPPED_FOREIGN_KEYS: dict[tuple[str, str], str] = {
    ("service_case", "applicant_id"): "a transferred case keeps the applicant of the "
    "station that registered them, on that station's shard",
    ("stored_material", "applicant_id"): "a station keeps documents of an applicant another "
    "station registered (a transferred case)",
    ("case_paper", "case_id"): "a paper keeps the station that numbered it; its case may "
    "have been transferred to another station since",
}


def kind_of(table: str) -> Kind | None:
    """The class of ``table`` at central; None when it is not classified."""
    if table in DISTRIBUTED:
        return "distributed"
    if table in REFERENCE:
        return "reference"
    if table in CENTRAL_LOCAL:
        return "central-local"
    return None
