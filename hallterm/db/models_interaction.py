"""The interaction table (政务互动): consultations, complaints and correction suggestions.

One row per item taken at a window, by phone or otherwise; the reply is recorded on the same
row.  Made on the station (UUID and a station-prefixed number), synced like any other row
through the events the service appends.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel


def _text() -> Column[str]:
    return Column(Text, nullable=False, default="")


class InteractionItem(SQLModel, table=True):
    __tablename__ = "interaction_item"
    __table_args__ = (Index("ix_interaction_open", "replied_at", "reply_due"),)

    id: str = Field(primary_key=True, max_length=36)
    number: str = Field(unique=True, max_length=64)  # STATION-ZX-YYYYMMDD-NNNN
    station_code: str = Field(index=True, max_length=32)
    kind: str = Field(index=True, max_length=16)  # consultation / complaint / correction
    channel: str = Field(max_length=16)  # window / phone / online / letter / other
    subject: str = Field(max_length=200)
    matter_code: str | None = Field(default=None, max_length=64)
    content: str = Field(sa_column=_text())
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=255)  # encrypted (data key)
    taken_by: str = Field(max_length=64)  # user name
    taken_by_name: str = Field(default="", max_length=100)
    taken_at: datetime
    reply_days: int
    reply_due: date
    reply: str = Field(sa_column=_text())
    replied_by: str | None = Field(default=None, max_length=64)
    replied_by_name: str = Field(default="", max_length=100)
    replied_at: datetime | None = None
    version: int = 1
