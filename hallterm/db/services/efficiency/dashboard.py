"""The supervisor's dashboard: waiting lines, windows, deadline lights, open rectifications.

Everything here reads the live working set (today's tickets, open cases, open
rectifications) through indexes that cover only that set, so a refresh does not grow with
history.  Other areas add tables through ``register_dashboard_section``.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, tuple_
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from hallterm.db.models import Applicant, CaseMatter, CaseSuspension, Matter, ServiceCase
from hallterm.db.models_queue import Rectification, Ticket
from hallterm.db.services import queue
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.efficiency.sqltime import as_date, dialect_of, epoch
from hallterm.db.services.efficiency.workdays import WorkdayIndex
from hallterm.db.services.efficiency_rollups import RUNNING_STATUSES
from hallterm.db.services.ratings import RectificationView, rectifications
from hallterm.domain.workdays import deadline_light


@dataclass(frozen=True)
class LineStats:
    station_code: str
    category: str
    name: str
    prefix: str
    waiting: int
    longest_wait_s: float
    avg_wait_s: float


@dataclass(frozen=True)
class LightCase:
    id: str
    number: str
    status: str
    station_code: str
    applicant_name: str
    title: str
    due_date: date
    days_left: int
    light: str


@dataclass(frozen=True)
class DashboardSection:
    """An extra table on the dashboard (e.g. overdue consultations, added by another area)."""

    title: str  # translated
    columns: tuple[str, ...]  # translated
    rows: tuple[tuple[str, ...], ...]
    row_lights: tuple[str, ...] = ()  # per row: "red" / "yellow" / "green" / "" (drawn in colour)


SectionProvider = Callable[[Session, str | None, date], DashboardSection | None]
DASHBOARD_SECTIONS: list[SectionProvider] = []
# Areas whose modules register a section when imported; loaded on the first refresh, so
# this module does not depend on them.
SECTION_MODULES = (
    "hallterm.db.services.interaction",
    "hallterm.db.services.cases.deferral_section",
)


def register_dashboard_section(provider: SectionProvider) -> SectionProvider:
    """Add a section to every dashboard refresh: ``provider(session, station_code, today)``.

    It runs in the refresh's read transaction and returns a small table (or None to hide).
    """
    if provider not in DASHBOARD_SECTIONS:
        DASHBOARD_SECTIONS.append(provider)
    return provider


@dataclass(frozen=True)
class Dashboard:
    at: datetime
    station_code: str | None
    lines: tuple[LineStats, ...]
    windows: tuple[queue.WindowView, ...]
    lights: dict[str, int]
    rectifications: tuple[RectificationView, ...]
    open_rectifications: int
    extra: tuple[DashboardSection, ...]


def line_stats(
    session: Session, station_code: str | None, day: date, now: datetime
) -> list[LineStats]:
    """Per station and queue category: waiting count, longest and average wait so far."""
    d = dialect_of(session)
    # Wider than sqlmodel's select types: a Core select, run with ``session.execute``.
    q = core_select(
        col(Ticket.station_code),
        col(Ticket.category),
        func.count(),
        func.min(epoch(Ticket.issued_at, d)),
        func.avg(epoch(Ticket.issued_at, d)),
    ).where(col(Ticket.day) == day, col(Ticket.status) == queue.TicketStatus.waiting)
    if station_code:
        q = q.where(col(Ticket.station_code) == station_code)
    q = q.group_by(col(Ticket.station_code), col(Ticket.category))
    found = {
        (s, c): (int(n), float(first), float(mean))
        for s, c, n, first, mean in session.execute(q).tuples()
    }
    now_s = now.timestamp()
    cats = queue.categories(session)
    stations = sorted({s for s, _c in found} | ({station_code} if station_code else set()))
    out = []
    for st in stations:
        for c in cats:
            n, first, mean = found.get((st, c.code), (0, now_s, now_s))
            out.append(
                LineStats(
                    st, c.code, c.name, c.prefix, n, max(0.0, now_s - first), max(0.0, now_s - mean)
                )
            )
    return out


def _days_left(cal: WorkdayIndex, today: date, due: date, suspended_on: date | None) -> int:
    """Working days left, as ``cases.load_case`` counts them (the clock stops in suspension).

    While suspended since ``s`` the remaining budget is frozen at the working days in (s, due];
    a suspension that began on or after the due date shifts nothing.
    """
    if suspended_on is not None and suspended_on < due:
        return cal.working_days_between(suspended_on, due)
    return cal.working_days_left(today, due)


def _due_groups(session: Session, station_code: str | None) -> list[tuple[date, date | None, int]]:
    """Open cases with a running or stopped clock, counted per (due date, suspended since)."""
    q = select(col(ServiceCase.due_date), func.count()).where(
        col(ServiceCase.status).in_(RUNNING_STATUSES), col(ServiceCase.due_date).is_not(None)
    )
    if station_code:
        q = q.where(ServiceCase.station_code == station_code)
    out: list[tuple[date, date | None, int]] = [
        (as_date(due), None, int(n))
        for due, n in session.exec(q.group_by(col(ServiceCase.due_date)))
    ]
    q2 = (
        select(col(ServiceCase.due_date), col(CaseSuspension.started_on), func.count())
        .join(CaseSuspension, col(CaseSuspension.case_id) == col(ServiceCase.id))
        .where(
            ServiceCase.status == "suspended",
            col(ServiceCase.due_date).is_not(None),
            col(CaseSuspension.ended_on).is_(None),
        )
    )
    if station_code:
        q2 = q2.where(ServiceCase.station_code == station_code)
    q2 = q2.group_by(col(ServiceCase.due_date), col(CaseSuspension.started_on))
    for due, since, n in session.exec(q2):
        out.append((as_date(due), as_date(since), int(n)))
    return out


def light_counts(
    session: Session,
    *,
    station_code: str | None,
    today: date,
    yellow_days: int = 2,
    calendar: WorkdayIndex | None = None,
) -> dict[str, int]:
    cal = calendar or WorkdayIndex(calendar_for(session))
    counts = {"green": 0, "yellow": 0, "red": 0}
    for due, since, n in _due_groups(session, station_code):
        counts[deadline_light(_days_left(cal, today, due, since), yellow_days)] += n
    return counts


def cases_by_light(
    session: Session,
    light: str,
    *,
    station_code: str | None,
    today: date,
    yellow_days: int = 2,
    limit: int = 200,
) -> list[LightCase]:
    """The open cases of one light, most urgent first (for the drill-down)."""
    cal = WorkdayIndex(calendar_for(session))
    running_dues: list[date] = []
    stopped: list[tuple[date, date]] = []
    for due, since, _n in _due_groups(session, station_code):
        if deadline_light(_days_left(cal, today, due, since), yellow_days) != light:
            continue
        if since is None:
            running_dues.append(due)
        else:
            stopped.append((due, since))
    found: list[tuple[ServiceCase, str, date | None]] = []
    base = select(ServiceCase, Applicant.name).join(
        Applicant, col(Applicant.id) == col(ServiceCase.applicant_id)
    )
    if station_code:
        base = base.where(ServiceCase.station_code == station_code)
    if running_dues:
        q = base.where(
            col(ServiceCase.status).in_(RUNNING_STATUSES),
            col(ServiceCase.due_date).in_(running_dues),
        )
        q = q.order_by(col(ServiceCase.due_date), col(ServiceCase.number)).limit(limit)
        found += [(c, name, None) for c, name in session.exec(q).all()]
    if stopped:
        # ``add_columns`` gives back a Core select, run with ``session.execute``.
        q2 = (
            base.add_columns(col(CaseSuspension.started_on))
            .join(CaseSuspension, col(CaseSuspension.case_id) == col(ServiceCase.id))
            .where(
                col(ServiceCase.status) == "suspended",
                col(CaseSuspension.ended_on).is_(None),
                tuple_(col(ServiceCase.due_date), col(CaseSuspension.started_on)).in_(stopped),
            )
            .order_by(col(ServiceCase.due_date), col(ServiceCase.number))
            .limit(limit)
        )
        found += [(c, name, since) for c, name, since in session.execute(q2).tuples().all()]
    titles = _titles(session, [c.id for c, _n, _s in found])
    out = [
        LightCase(
            id=c.id,
            number=c.number,
            status=c.status,
            station_code=c.station_code,
            applicant_name=name,
            title=titles.get(c.id, ""),
            due_date=as_date(c.due_date),
            days_left=_days_left(cal, today, as_date(c.due_date), since),
            light=light,
        )
        for c, name, since in found
    ]
    out.sort(key=lambda x: (x.days_left, x.due_date, x.number))
    return out[:limit]


def _titles(session: Session, case_ids: list[str]) -> dict[str, str]:
    if not case_ids:
        return {}
    names: dict[str, list[str]] = defaultdict(list)
    q = (
        select(col(CaseMatter.case_id), col(Matter.name))
        .join(Matter, col(Matter.code) == col(CaseMatter.matter_code))
        .where(col(CaseMatter.case_id).in_(case_ids))
        .order_by(col(CaseMatter.case_id), col(CaseMatter.position))
    )
    for cid, name in session.exec(q).all():
        names[cid].append(name)
    return {cid: "、".join(n) for cid, n in names.items()}


def dashboard(
    session: Session,
    *,
    station_code: str | None,
    now: datetime,
    today: date,
    yellow_days: int = 2,
) -> Dashboard:
    """One refresh of the supervisor's dashboard (``station_code`` None: every station)."""
    cal = WorkdayIndex(calendar_for(session))
    rects = rectifications(
        session, today=today, station_code=station_code, open_only=True, limit=50, calendar=cal
    )
    open_count = session.exec(
        select(func.count())
        .select_from(Rectification)
        .where(
            col(Rectification.closed_at).is_(None),
            *([Rectification.station_code == station_code] if station_code else []),
        )
    ).one()
    extra = []
    for module in SECTION_MODULES:
        importlib.import_module(module)
    for provider in DASHBOARD_SECTIONS:
        section = provider(session, station_code, today)
        if section is not None:
            extra.append(section)
    return Dashboard(
        at=now,
        station_code=station_code,
        lines=tuple(line_stats(session, station_code, today, now)),
        windows=tuple(queue.windows(session, station_code, today)),
        lights=light_counts(
            session, station_code=station_code, today=today, yellow_days=yellow_days, calendar=cal
        ),
        rectifications=tuple(rects),
        open_rectifications=int(open_count),
        extra=tuple(extra),
    )
