"""Per-person keys (crypto-shredding): one random key per applicant, stored wrapped.

A row's ``wrapped`` is the person key sealed under the station data key; erasing the person
blanks it and sets ``erased_at``, after which the person's encrypted fields can never be
read again, wherever copies of them went (event payloads, backups, central).  The table is
never in an event payload: the event log is append-only, a key there could not be destroyed.

``escrow`` is the same person key wrapped under the province-wide escrow key
(``privacy.escrow``): the copy a station hands to central beside its events (``delivered``
once central's reply says it is stored) and gets back on recovery or with a transferred case.
At central the rows hold only that copy (``wrapped`` empty), under the code of each station
that may have it; central cannot open it.  Erasure destroys both copies.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class PersonKey(SQLModel, table=True):
    __tablename__ = "person_key"
    applicant_id: str = Field(primary_key=True, max_length=36)
    station_code: str = Field(index=True, max_length=32)
    wrapped: str = Field(default="", max_length=128)
    escrow: str = Field(default="", max_length=128)  # wrapped under the province escrow key
    created_at: datetime
    erased_at: datetime | None = None
    delivered: bool = False  # handed to central (station side)
