"""The 文号 issued to a case's papers (one row per paper kind, and per suspension).

Made on the station that owns the case, from a counter per kind, station and year, in the
transaction of the decision the paper records; synced like any other station row through
the event that writes it.  A reprint reads the row, so it shows the same 文号 and date.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class CasePaper(SQLModel, table=True):
    __tablename__ = "case_paper"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "ref", name="uq_case_paper_kind"),
        UniqueConstraint("station_code", "kind", "year", "seq", name="uq_case_paper_seq"),
    )

    id: str = Field(primary_key=True, max_length=36)
    case_id: str = Field(foreign_key="service_case.id", index=True, max_length=36)
    station_code: str = Field(max_length=32)
    kind: str = Field(max_length=16)  # receipt / notice / refusal / completion / …
    ref: str = Field(default="", max_length=36)  # the suspension a 中止告知书 belongs to
    year: int
    seq: int
    number: str = Field(max_length=64)  # 江川政务受〔2026〕第12号
    decided_at: datetime  # the decision the paper records (its printed date)
