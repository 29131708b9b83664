"""Per-person keys (crypto-shredding): one random key per applicant, stored wrapped.

A row's ``wrapped`` is the person key sealed under the station data key; erasing the person
blanks it and sets ``erased_at``, after which the person's encrypted fields can never be
read again, wherever copies of them went (event payloads, backups, central).  The table is
never in an event payload: the event log is append-only, a key there could not be destroyed.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class PersonKey(SQLModel, table=True):
    __tablename__ = "person_key"
    applicant_id: str = Field(primary_key=True, max_length=36)
    station_code: str = Field(index=True, max_length=32)
    wrapped: str = Field(default="", max_length=128)
    created_at: datetime
    erased_at: datetime | None = None
    delivered: bool = False  # handed to central (station side)
