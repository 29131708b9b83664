"""Tables of station ⇄ central sync: peers, the pull feed and the conflict quarantine.

``sync_peer`` (central): one row per registered station; its row lock serialises pushes
of the same station, and on PostgreSQL ``role_name`` maps a login role to its station for
the row-level security policies.  ``sync_feed`` (central): what stations pull, in id order
(see ``hallterm.db.sync.central`` for why ids commit in order).  ``sync_quarantine``
(central and station): conflicts kept for a person to resolve, never applied silently.
The station keeps its pull cursor in ``store_info`` (keys ``sync.*``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Text
from sqlmodel import Field, SQLModel


class SyncPeer(SQLModel, table=True):
    """A station known to central: its login role and when it last pushed and pulled."""

    __tablename__ = "sync_peer"
    station_code: str = Field(primary_key=True, max_length=32)
    role_name: str | None = Field(default=None, unique=True, max_length=63)
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
