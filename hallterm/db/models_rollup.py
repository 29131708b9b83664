"""Tables of the efficiency rollups: per station, day, matter, status and clerk, kept in the
same transaction as the case changes that move them (``services/efficiency_rollups``).

``case_daily`` holds one row per bucket, at two grains (a day, and a month for long periods):
the station, the hall's local day of registration
(or of the notice, for notice rows), the matter and its department, the clerk, the case's
current status, the due date while the clock runs, and whether the row is the case's first
matter (``first_in_case``) and the first matter of its department (``first_in_dept``), so a
bundle counts once per matter, once per department and once in a total.  ``case_fact`` is
each case's current contribution per matter, so a change subtracts exactly what it added.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from hallterm.db.models import ServiceCase
from hallterm.db.models_queue import Rectification


class CaseDaily(SQLModel, table=True):
    __tablename__ = "case_daily"
    __table_args__ = (Index("ix_case_daily_day", "grain", "day", "station_code"),)
    bucket: str = Field(primary_key=True, max_length=400)
    grain: str = Field(max_length=1)  # "d" a day, "m" a month (day: its first)
    station_code: str = Field(max_length=32)
    day: date
    matter_code: str = Field(max_length=64)
    department_code: str = Field(max_length=32)
    clerk_id: str = Field(max_length=36)
    status: str = Field(max_length=16)  # "" on rows that carry only notices
    open_due: date | None = None  # the due date while the clock runs (accepted, in review)
    first_in_case: bool
    first_in_dept: bool
    cases: int = 0
    accepted: int = 0
    with_due: int = 0
    on_time: int = 0
    late: int = 0
    work_days: int = 0
    work_cases: int = 0
    notices: int = 0


class CaseFact(SQLModel, table=True):
    __tablename__ = "case_fact"
    case_id: str = Field(primary_key=True, max_length=36)
    matter_code: str = Field(primary_key=True, max_length=64)
    bucket: str = Field(max_length=400)
    accepted: int = 0
    with_due: int = 0
    on_time: int = 0
    late: int = 0
    work_days: int = 0
    work_cases: int = 0


# Partial indexes over the live working set only (migration 0006_supervisor_rollups): the open
# rectifications, and the open cases by due date for the deadline lights.  Their size follows
# what is open, not the history.
_OPEN_CASE = "status IN ('accepted', 'in_review', 'suspended')"
Index(
    "ix_rectification_open_only",
    Rectification.__table__.c.station_code,  # type: ignore[attr-defined]
    Rectification.__table__.c.due_date,  # type: ignore[attr-defined]
    postgresql_where=text("closed_at IS NULL"),
    sqlite_where=text("closed_at IS NULL"),
)
Index(
    "ix_case_open_only",
    ServiceCase.__table__.c.station_code,  # type: ignore[attr-defined]
    ServiceCase.__table__.c.status,  # type: ignore[attr-defined]
    ServiceCase.__table__.c.due_date,  # type: ignore[attr-defined]
    postgresql_where=text(_OPEN_CASE),
    sqlite_where=text(_OPEN_CASE),
)


class RatingDaily(SQLModel, table=True):
    """好差评 per station, day given, matter (of the rated case; "" without a case) and clerk."""

    __tablename__ = "rating_daily"
    __table_args__ = (Index("ix_rating_daily_day", "grain", "day", "station_code"),)
    bucket: str = Field(primary_key=True, max_length=400)
    grain: str = Field(max_length=1)  # "d" a day, "m" a month (day: its first)
    station_code: str = Field(max_length=32)
    day: date
    matter_code: str = Field(max_length=64)
    department_code: str = Field(max_length=32)
    clerk_id: str = Field(max_length=36)
    first_in_case: bool  # counts once per rating (totals, stations, clerks)
    first_in_dept: bool  # counts once per department of the rated case
    ratings: int = 0
    good: int = 0
    bad: int = 0
    stars: int = 0
