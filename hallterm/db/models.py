"""The tables (SQLModel).  Migrations in ``db/migrations`` create and upgrade them.

Times are stored as timezone-aware UTC datetimes; calendar dates (due dates, validity) as dates in
the hall's local calendar.  Identifiers that travel between stations are UUID strings made
where the record is created; catalog records keep their national codes as keys.
"""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def import_all_tables() -> None:
    """Import every ``hallterm.db.models_*`` module so their tables join the metadata."""
    import hallterm.db as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("models_"):
            importlib.import_module(f"hallterm.db.{info.name}")


def _text() -> Column[str]:
    return Column(Text, nullable=False, default="")


class StoreInfo(SQLModel, table=True):
    """Key/value facts about this store: its role (station/central) and own station code."""

    __tablename__ = "store_info"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="")


class Station(SQLModel, table=True):
    __tablename__ = "station"
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=100)
    level: str = Field(max_length=16)  # city / county / township / village
    parent_code: str | None = Field(default=None, foreign_key="station.code", max_length=32)
    address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)


class Department(SQLModel, table=True):
    __tablename__ = "department"
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=100)


class QueueCategory(SQLModel, table=True):
    __tablename__ = "queue_category"
    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=50)
    prefix: str = Field(max_length=2)


class CatalogVersion(SQLModel, table=True):
    __tablename__ = "catalog_version"
    version: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    region: str = Field(default="", max_length=100)
    imported_at: datetime
    sha256: str = Field(max_length=64)
    document: str = Field(sa_column=_text())  # the imported document, for old cases' checklists


class Matter(SQLModel, table=True):
    __tablename__ = "matter"
    code: str = Field(primary_key=True, max_length=64)  # implementation code 实施编码
    basic_code: str = Field(index=True, max_length=64)
    name: str = Field(index=True, max_length=200)
    kind: str = Field(max_length=20)
    audience: str = Field(max_length=10)
    department_code: str = Field(foreign_key="department.code", index=True, max_length=32)
    handling_type: str = Field(max_length=10)
    legal_limit_days: int
    promised_limit_days: int
    fee: str = Field(default="", max_length=200)
    conditions: str = Field(sa_column=_text())
    legal_basis: str = Field(sa_column=_text())
    process: str = Field(sa_column=_text())  # JSON list of steps
    visits: int = 1
    online_depth: int = 0
    certificate_type: str | None = Field(default=None, max_length=50)
    queue_category: str | None = Field(default=None, max_length=16)
    theme: str = Field(default="", max_length=50)
    place: str = Field(default="", max_length=200)
    hours: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=40)
    position: int = 0
    catalog_version: str = Field(max_length=32)
    # 容缺: may the case be approved (and its certificate issued) before a deferred
    # material arrives?  By default not.
    approve_with_deferral: bool = False


class MaterialRequirement(SQLModel, table=True):
    __tablename__ = "material_requirement"
    id: int | None = Field(default=None, primary_key=True)
    matter_code: str = Field(foreign_key="matter.code", index=True, max_length=64)
    position: int
    type_code: str = Field(index=True, max_length=32)
    name: str = Field(max_length=200)
    necessity: str = Field(max_length=12)
    form: str = Field(max_length=12)
    source: str = Field(max_length=12)
    originals: int
    copies: int
    standard: str = Field(sa_column=_text())
    valid_days: int | None = None


class Bundle(SQLModel, table=True):
    __tablename__ = "bundle"
    code: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    description: str = Field(sa_column=_text())


class BundleMatter(SQLModel, table=True):
    __tablename__ = "bundle_matter"
    bundle_code: str = Field(foreign_key="bundle.code", primary_key=True, max_length=32)
    matter_code: str = Field(foreign_key="matter.code", primary_key=True, max_length=64)
    position: int = 0


class Staff(SQLModel, table=True):
    __tablename__ = "staff"
    id: str = Field(primary_key=True, max_length=36)
    username: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=100)
    role: str = Field(max_length=16)  # clerk / supervisor / admin
    station_code: str = Field(foreign_key="station.code", max_length=32)
    window: str = Field(default="", max_length=16)
    password_hash: str = Field(max_length=300)
    failed_logins: int = 0
    locked_until: datetime | None = None
    active: bool = True
    created_at: datetime


class Applicant(SQLModel, table=True):
    __tablename__ = "applicant"
    __table_args__ = (
        UniqueConstraint("station_code", "id_type", "id_index", name="uq_applicant_station_id"),
    )
    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=10)  # person / entity
    name: str = Field(max_length=200)
    id_type: str = Field(max_length=20)
    # Personal fields hold ciphertext (``hallterm.db.privacy``): "enc1:…" under the person key.
    id_number: str = Field(max_length=255)
    phone: str = Field(default="", max_length=255)
    address: str = Field(default="", sa_column=_text())
    legal_rep: str = Field(default="", max_length=100)
    station_code: str = Field(max_length=32)
    created_at: datetime
    version: int = 1
    # Blind index: HMAC of the ID type and number under the province-wide blind key.
    id_index: str = Field(default="", max_length=64)
    erased_at: datetime | None = None  # personal data erased (PIPL art. 47)


class StoredMaterial(SQLModel, table=True):
    """A document an applicant brought once, reusable in later cases while valid."""

    __tablename__ = "stored_material"
    id: str = Field(primary_key=True, max_length=36)
    applicant_id: str = Field(foreign_key="applicant.id", index=True, max_length=36)
    type_code: str = Field(max_length=32)
    name: str = Field(max_length=200)
    received_as: str = Field(max_length=12)
    received_on: date
    valid_until: date | None = None
    case_id: str | None = Field(default=None, max_length=36)
    station_code: str = Field(default="", max_length=32)  # the station that stored it


class ServiceCase(SQLModel, table=True):
    __tablename__ = "service_case"
    id: str = Field(primary_key=True, max_length=36)
    number: str = Field(unique=True, max_length=64)
    station_code: str = Field(foreign_key="station.code", index=True, max_length=32)
    applicant_id: str = Field(foreign_key="applicant.id", index=True, max_length=36)
    clerk_id: str = Field(max_length=36)
    window: str = Field(default="", max_length=16)
    bundle_code: str | None = Field(default=None, max_length=32)
    status: str = Field(index=True, max_length=16)
    catalog_version: str = Field(max_length=32)
    registered_at: datetime
    accepted_at: datetime | None = None
    due_date: date | None = None
    limit_days: int | None = None
    completed_at: datetime | None = None
    delivered_at: datetime | None = None
    decision_reason: str = Field(sa_column=_text())
    version: int = 1
    updated_at: datetime
    # 经办人: who came to the window for the applicant (an entity, or a person represented)
    agent_name: str = Field(default="", max_length=100)
    agent_id_type: str = Field(default="", max_length=20)
    agent_id_number: str = Field(default="", max_length=255)  # encrypted like the applicant's
    agent_phone: str = Field(default="", max_length=255)
    # 送达: window / post (with tracking number) / electronic, recorded at delivery
    delivery_method: str = Field(default="", max_length=16)
    delivery_reference: str = Field(default="", max_length=64)


class CaseMatter(SQLModel, table=True):
    __tablename__ = "case_matter"
    case_id: str = Field(foreign_key="service_case.id", primary_key=True, max_length=36)
    matter_code: str = Field(primary_key=True, max_length=64)
    position: int = 0
    station_code: str = Field(default="", max_length=32)  # its case's (central's key)


class CaseSuspension(SQLModel, table=True):
    __tablename__ = "case_suspension"
    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="service_case.id", index=True, max_length=36)
    started_on: date
    ended_on: date | None = None
    reason: str = Field(sa_column=_text())
    expected_resume_on: date | None = None
    station_code: str = Field(default="", max_length=32)  # its case's (central's key)


class CaseMaterialLine(SQLModel, table=True):
    __tablename__ = "case_material_line"
    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="service_case.id", index=True, max_length=36)
    position: int
    type_code: str = Field(max_length=32)
    name: str = Field(max_length=200)
    necessity: str = Field(max_length=12)
    form: str = Field(default="", max_length=12)
    source: str = Field(default="", max_length=12)
    originals: int = 0
    copies: int = 0
    standard: str = Field(sa_column=_text())
    valid_days: int | None = None
    matters: str = Field(
        default="", max_length=1000
    )  # implementation codes needing it, comma-separated
    state: str = Field(max_length=16)
    received_as: str | None = Field(default=None, max_length=12)
    count: int = 0
    originals_received: int = 0
    copies_received: int = 0
    deferred_until: date | None = None
    arrived_on: date | None = None  # a deferred material handed in later
    reused_from: str | None = Field(default=None, max_length=36)
    note: str = Field(sa_column=_text())
    station_code: str = Field(default="", max_length=32)  # its case's (central's key)


class Event(SQLModel, table=True):
    """Audit log and sync outbox in one append-only table, hash-chained per station."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("station_code", "seq", name="uq_event_station_seq"),
        Index("ix_event_unsent", "station_code", "sent_at", "seq"),
        Index("ix_event_entity", "entity", "entity_id"),
    )
    id: str = Field(primary_key=True, max_length=36)
    station_code: str = Field(max_length=32)
    seq: int
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    kind: str = Field(max_length=48)
    payload: str = Field(sa_column=_text())  # canonical JSON
    actor: str = Field(default="", max_length=64)
    at: datetime
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    sent_at: datetime | None = None


class EventHead(SQLModel, table=True):
    """The newest event of each station's chain; its row is the lock that orders appends."""

    __tablename__ = "event_head"
    station_code: str = Field(primary_key=True, max_length=32)
    seq: int = 0
    hash: str = Field(default="", max_length=64)


class Counter(SQLModel, table=True):
    """Named sequences made offline (case numbers per station and day, …)."""

    __tablename__ = "counter"
    name: str = Field(primary_key=True, max_length=100)
    value: int = 0


class HolidayOverride(SQLModel, table=True):
    __tablename__ = "holiday_override"
    day: date = Field(primary_key=True)
    is_workday: bool
    note: str = Field(default="", max_length=100)


class HolidayYear(SQLModel, table=True):
    """Years whose whole holiday arrangement the admin has entered."""

    __tablename__ = "holiday_year"
    year: int = Field(primary_key=True)
