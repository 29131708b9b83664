"""Per-day series for the charts: cases received and completed, tickets called, average wait."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Float, cast, func
from sqlmodel import Session, col, select

from hallterm.db.models import ServiceCase
from hallterm.db.models_queue import Ticket
from hallterm.db.models_rollup import CaseDaily
from hallterm.db.services.efficiency.sqltime import (
    as_date,
    dialect_of,
    local_date,
    seconds_between,
    utc_bounds,
)
from hallterm.db.services.efficiency.stations import subtree
from hallterm.db.services.efficiency_rollups import DONE_STATUSES
from hallterm.domain.figures import DayPoint


def daily_series(
    session: Session, start: date, end: date, within: str | None = None
) -> list[DayPoint]:
    """Per local day: cases received, cases completed, tickets called and their average wait."""
    d = dialect_of(session)
    lo, hi = utc_bounds(start, end)
    scope = subtree(session, within) if within else None
    received: dict[date, int] = {}
    completed: dict[date, int] = {}
    q = select(col(CaseDaily.day), func.sum(CaseDaily.cases)).where(
        CaseDaily.grain == "d",
        col(CaseDaily.day) >= start,
        col(CaseDaily.day) <= end,
        col(CaseDaily.first_in_case),
    )
    if scope is not None:
        q = q.where(col(CaseDaily.station_code).in_(scope))
    for day, n in session.exec(q.group_by(col(CaseDaily.day))).all():
        received[as_date(day)] = int(n or 0)
    done_day = local_date(ServiceCase.completed_at, d)
    q2 = select(done_day, func.count()).where(
        col(ServiceCase.status).in_(DONE_STATUSES),
        col(ServiceCase.completed_at) >= lo,
        col(ServiceCase.completed_at) < hi,
    )
    if scope is not None:
        q2 = q2.where(col(ServiceCase.station_code).in_(scope))
    for day, n in session.exec(q2.group_by(done_day)).all():
        completed[as_date(day)] = int(n)
    waits: dict[date, tuple[int, float | None]] = {}
    wait = cast(seconds_between(Ticket.called_at, Ticket.issued_at, d), Float)
    q3 = select(col(Ticket.day), func.count(), func.avg(wait)).where(
        col(Ticket.day) >= start, col(Ticket.day) <= end, col(Ticket.called_at).is_not(None)
    )
    if scope is not None:
        q3 = q3.where(col(Ticket.station_code).in_(scope))
    for day, n, avg in session.exec(q3.group_by(col(Ticket.day))).all():
        waits[as_date(day)] = (int(n), None if avg is None else float(avg) / 60)
    out = []
    day = start
    while day <= end:
        n, avg = waits.get(day, (0, None))
        out.append(DayPoint(day, received.get(day, 0), completed.get(day, 0), n, avg))
        day += timedelta(days=1)
    return out
