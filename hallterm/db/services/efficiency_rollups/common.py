"""What the rollups share: bucket keys, working days, the case rows they are made of."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert, inspect
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, select

from hallterm.clock import to_local
from hallterm.db.models import CaseMatter, CaseSuspension, Matter, ServiceCase
from hallterm.db.one_of import one_of

if TYPE_CHECKING:
    from hallterm.db.services.efficiency.workdays import WorkdayIndex

NOTICE_KIND = "case.notified"
DONE_STATUSES = ("approved", "denied", "delivered")
RUNNING_STATUSES = ("accepted", "in_review")  # the clock runs
MEASURES = ("accepted", "with_due", "on_time", "late", "work_days", "work_cases")
ALL_MEASURES = ("cases", *MEASURES, "notices")
# Each change is kept at two grains: per day ("d") and per month ("m", the day is the month's
# first), so a long period reads whole months from the month rows and only its partial
# months from the day rows.
GRAINS = ("d", "m")


def at_grain(grain: str, key: str) -> tuple[str, date]:
    """(bucket of the ``grain`` row, its day) for a day-grain ``key`` whose second field is
    the day."""
    head, day, rest = key.split("|", 2)
    when = date.fromisoformat(day)
    if grain == "m":
        when = when.replace(day=1)
    return f"{grain}|{head}|{when.isoformat()}|{rest}", when


@dataclass(frozen=True)
class Bucket:
    station_code: str
    day: date
    matter_code: str
    department_code: str
    clerk_id: str
    status: str
    open_due: date | None
    first_in_case: bool
    first_in_dept: bool

    @property
    def key(self) -> str:
        return "|".join(
            (
                self.station_code,
                self.day.isoformat(),
                self.matter_code,
                self.department_code,
                self.clerk_id,
                self.status,
                self.open_due.isoformat() if self.open_due else "",
                "1" if self.first_in_case else "0",
                "1" if self.first_in_dept else "0",
            )
        )

    @staticmethod
    def parse(key: str) -> Bucket:
        st, day, matter, dept, clerk, status, due, fc, fd = key.split("|")
        return Bucket(
            st,
            date.fromisoformat(day),
            matter,
            dept,
            clerk,
            status,
            date.fromisoformat(due) if due else None,
            fc == "1",
            fd == "1",
        )


class Days:
    """Working days between two dates (the efficiency package's prefix-sum index).

    The calendar is read on the first question: most of central's batches complete no case
    and never ask (two queries and the calendar's index saved per batch)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._index: WorkdayIndex | None = None

    def between(self, start: date, end: date) -> int:
        if self._index is None:
            from hallterm.db.services.calendar import calendar_for
            from hallterm.db.services.efficiency.workdays import WorkdayIndex

            self._index = WorkdayIndex(calendar_for(self.session))
        return self._index.working_days_between(start, end)


@dataclass(frozen=True)
class CaseRow:
    id: str
    station_code: str
    clerk_id: str
    status: str
    registered_at: datetime
    accepted_at: datetime | None
    completed_at: datetime | None
    due_date: date | None


def local_day(moment: datetime) -> date:
    return to_local(moment).date()


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a table model (SQLModel's types do not declare ``__table__``)."""
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


def case_rows(session: Session, ids: Sequence[str]) -> list[CaseRow]:
    # Wider than sqlmodel's select types: a Core select, run with ``session.execute``.
    q = core_select(
        col(ServiceCase.id),
        col(ServiceCase.station_code),
        col(ServiceCase.clerk_id),
        col(ServiceCase.status),
        col(ServiceCase.registered_at),
        col(ServiceCase.accepted_at),
        col(ServiceCase.completed_at),
        col(ServiceCase.due_date),
    ).where(one_of(session, col(ServiceCase.id), ids))
    return [CaseRow(*row) for row in session.execute(q).tuples().all()]


def matters_of(session: Session, ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    q = (
        select(col(CaseMatter.case_id), col(CaseMatter.matter_code), col(Matter.department_code))
        .outerjoin(Matter, col(Matter.code) == col(CaseMatter.matter_code))
        .where(one_of(session, col(CaseMatter.case_id), ids))
        .order_by(col(CaseMatter.case_id), col(CaseMatter.position), col(CaseMatter.matter_code))
    )
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for case_id, matter, dept in session.exec(q).all():
        out[case_id].append((matter, dept or ""))
    return out


def suspensions_of(
    session: Session, ids: Sequence[str]
) -> dict[str, list[tuple[date, date | None]]]:
    q = select(
        col(CaseSuspension.case_id), col(CaseSuspension.started_on), col(CaseSuspension.ended_on)
    ).where(one_of(session, col(CaseSuspension.case_id), ids))
    out: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    for case_id, started, ended in session.exec(q).all():
        out[case_id].append((as_date(started), None if ended is None else as_date(ended)))
    return out


def add_to_buckets(
    session: Session, table: Table, rows: list[dict[str, Any]], measures: Sequence[str], fresh: bool
) -> None:
    """Add ``rows`` (one per bucket) to a rollup table: each measure added to the bucket's row,
    the row made when new.  ``fresh``: the table is empty (a rebuild), plain batched inserts."""
    if fresh:
        for i in range(0, len(rows), 5000):
            session.execute(insert(table), rows[i : i + 5000])
        return
    maker: Any = (
        postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )
    stmt = maker(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["bucket"], set_={m: table.c[m] + stmt.excluded[m] for m in measures}
    )
    session.execute(stmt, rows)
