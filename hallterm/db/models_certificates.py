"""Tables of electronic certificates: the registry, the issued PDF copies, the revocation list.

``certificate`` holds one row per number with the full field set (``record``, the JSON of
``CertificateData.to_record()``) that the QR hash is checked against; it syncs like any row.
``certificate_copy`` keeps the exact signed PDF of every copy (first issue and reprints) so
``certificate export`` writes the signed file itself; it stays at the station (PDF bytes are
not JSON, and central re-checks certificates from their records) unless the sync sends it up
for central to add its timestamp and validation data (``ltv``: "B-B" as signed at the station,
"B-LTA" once central has added them).  ``revocation`` is the revocation list of certificates:
one row per revoked number, synced up and published down by central.
``station_key_revocation`` lists revoked station signing keys (the root's CRL is made from
it); it lives at central, and the signed CRL reaches stations through the pull feed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, Text
from sqlmodel import Field, SQLModel


def _text() -> Column[str]:
    return Column(Text, nullable=False, default="")


class Certificate(SQLModel, table=True):
    __tablename__ = "certificate"

    number: str = Field(primary_key=True, max_length=64)
    case_id: str = Field(index=True, max_length=36)
    matter_code: str | None = Field(default=None, max_length=64)  # the matter that yields it
    station_code: str = Field(index=True, max_length=32)
    certificate_type: str = Field(max_length=50)
    holder: str = Field(index=True, max_length=200)
    record: str = Field(sa_column=_text())  # canonical JSON of CertificateData.to_record()
    issued_at: datetime
    issued_by: str = Field(max_length=64)
    copies: int = 1
    revoked_at: datetime | None = None
    revoked_by: str | None = Field(default=None, max_length=64)
    revoke_reason: str = Field(default="", max_length=500)
    version: int = 1


class CertificateCopy(SQLModel, table=True):
    """One signed copy (1 = the first issue); local to the issuing station."""

    __tablename__ = "certificate_copy"

    number: str = Field(primary_key=True, max_length=64)
    copy_no: int = Field(primary_key=True)
    made_at: datetime
    made_by: str = Field(max_length=64)
    reason: str = Field(default="", max_length=500)
    pdf: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    ltv: str = Field(default="B-B", max_length=8)  # B-B as signed; B-LTA after central's step
    ltv_at: datetime | None = None
    station_code: str = Field(default="", max_length=32)  # the certificate's station


class Revocation(SQLModel, table=True):
    __tablename__ = "revocation"

    number: str = Field(primary_key=True, max_length=64)
    station_code: str = Field(index=True, max_length=32)
    reason: str = Field(sa_column=_text())
    revoked_at: datetime
    revoked_by: str = Field(max_length=64)
    kind: str = Field(default="revoked", max_length=10)  # revoked 吊销 (penalty), cancelled 注销


class StationKeyRevocation(SQLModel, table=True):
    """A revoked station signing certificate (by serial number), listed on the root's CRL."""

    __tablename__ = "station_key_revocation"

    serial: str = Field(primary_key=True, max_length=64)  # hex, as in the certificate
    station_code: str = Field(index=True, max_length=32)
    reason: str = Field(max_length=32)  # RFC 5280 reason, e.g. key_compromise
    note: str = Field(default="", max_length=500)
    revoked_at: datetime
    revoked_by: str = Field(max_length=64)
