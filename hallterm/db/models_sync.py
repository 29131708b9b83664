"""Tables of station ⇄ central sync: peers, the pull feed, the quarantine and persons.

``sync_peer`` (central): one row per registered station: the hash of its credential (the
clear token lives only in the station's store), when it was enrolled or revoked; its row
lock serialises pushes of the same station, and on PostgreSQL ``role_name`` is the role the
sync service takes (``SET LOCAL ROLE``) for that station's transactions, which the
row-level security policies check.  ``sync_feed`` (central): what stations pull, in id order
(see ``hallterm.db.sync.central`` for why ids commit in order).  ``sync_quarantine``
(central and station): conflicts kept for a person to resolve, never applied silently.
``sync_person`` / ``sync_person_link`` (central only): one person per ID type and number,
and which station's applicant row is that person (stations never read these).
The station keeps its pull cursor in ``store_info`` (keys ``sync.*``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class SyncPeer(SQLModel, table=True):
    """A station known to central: its login role and when it last pushed and pulled."""

    __tablename__ = "sync_peer"
    station_code: str = Field(primary_key=True, max_length=32)
    role_name: str | None = Field(default=None, unique=True, max_length=63)
    credential_hash: str | None = Field(default=None, max_length=64)
    enrolled_at: datetime | None = None
    revoked_at: datetime | None = None
    last_push_at: datetime | None = None
    last_pull_at: datetime | None = None


class SyncFeed(SQLModel, table=True):
    """One pullable change; ``station_code`` NULL means every station pulls it."""

    __tablename__ = "sync_feed"
    __table_args__ = (Index("ix_sync_feed_station", "station_code", "id"),)
    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
    )
    topic: str = Field(max_length=32)
    key: str = Field(max_length=100)
    station_code: str | None = Field(default=None, max_length=32)
    payload: str = Field(sa_column=Column(Text, nullable=False, default=""))  # canonical JSON
    created_at: datetime


class SyncQuarantine(SQLModel, table=True):
    """A conflict: what arrived, why it was not applied, and how a person resolved it."""

    __tablename__ = "sync_quarantine"
    __table_args__ = (Index("ix_sync_quarantine_open", "resolved_at", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    station_code: str = Field(index=True, max_length=32)
    event_id: str | None = Field(default=None, index=True, max_length=36)
    seq: int | None = None
    problem: str = Field(max_length=32)  # event_id, seq, hash, owner, stale, exists, integrity …
    table_name: str = Field(default="", max_length=64)
    row_key: str = Field(default="", max_length=200)
    detail: str = Field(sa_column=Column(Text, nullable=False, default=""))
    payload: str = Field(sa_column=Column(Text, nullable=False, default=""))  # what arrived, JSON
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str = Field(default="", max_length=64)
    resolution: str = Field(sa_column=Column(Text, nullable=False, default=""))


class SyncPerson(SQLModel, table=True):
    """One person at central, whatever station registered them (matched by ID type and the
    blind index of the number: central never holds the number itself)."""

    __tablename__ = "sync_person"
    __table_args__ = (UniqueConstraint("id_type", "id_index", name="uq_sync_person_id"),)
    id: str = Field(primary_key=True, max_length=36)
    id_type: str = Field(max_length=20)
    id_index: str = Field(max_length=64)
    created_at: datetime


class SyncPersonLink(SQLModel, table=True):
    """A station's applicant row is this person."""

    __tablename__ = "sync_person_link"
    applicant_id: str = Field(primary_key=True, max_length=36)
    station_code: str = Field(max_length=32)
    person_id: str = Field(foreign_key="sync_person.id", index=True, max_length=36)
