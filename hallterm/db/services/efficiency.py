"""效能监测: the supervisor's dashboard and the efficiency table, computed set-based in SQL.

The efficiency table groups by department, matter, station (each station's row includes its
whole subtree 市 → 县 → 乡 → 村, following ``station.parent_code``) or clerk, over a period of
local dates.  The definitions, so that anyone can recompute a figure with a plain query:

- The cohort is the cases *registered* in the period.  A case with several matters counts once
  per matter in the matter table and once per department in the department table.
- received: every case of the cohort; accepted: ``accepted_at`` set; notified: still waiting for
  materials (status notified); refused: status refused; completed (办结): approved, denied or
  delivered.
- on-time rate: completed cases with a due date whose local completion date is on or before the
  due date, over completed cases with a due date.  overdue: completed after the due date, plus
  open cases (accepted, in review) whose due date has passed; a suspended case's clock is
  stopped, so it is not overdue.
- average working days: working days (the store's calendar) from the acceptance date to the
  completion date, over completed cases that were accepted (suspensions included).
- online share: of the distinct matters handled in the cohort — a department's own matters,
  the matter itself, every matter of a station's (subtree's) or clerk's cases — those whose
  catalog ``online_depth`` is at least ``ONLINE_DEPTH_MIN`` (3: applications are accepted and
  decided online; 4: 全程网办).
- satisfaction: ratings *given* in the period; satisfied means level 3 (基本满意) or better;
  stars is the average level.  Ratings about a case count for its matters and departments;
  ratings of a ticket without a case only for station and clerk.
- waits and service: tickets of the period's days; wait is first call minus issue (in the line
  it was waiting in), service is finish minus start.  A ticket counts for the matters of its
  linked case.

Heavy work is in SQL (GROUP BY); Python only maps the few distinct dates through the working-day
calendar and adds station subtrees.  The dashboard's extension point is ``DASHBOARD_SECTIONS``.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import Date, Float, and_, case, cast, func, literal, or_, tuple_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from hallterm.clock import HALL_TZ
from hallterm.db.models import (
    Applicant,
    CaseMatter,
    CaseSuspension,
    Department,
    Matter,
    ServiceCase,
    Staff,
    Station,
)
from hallterm.db.models_queue import Evaluation, Rectification, Ticket
from hallterm.db.services import queue
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.ratings import SATISFIED_FROM, RectificationView, rectifications
from hallterm.domain.workdays import WorkCalendar, deadline_light
from hallterm.i18n import N_, _

ONLINE_DEPTH_MIN = 3
DONE_STATUSES = ("approved", "denied", "delivered")
RUNNING_STATUSES = ("accepted", "in_review")  # the clock runs
LIT_STATUSES = ("accepted", "in_review", "suspended")
GROUPINGS = ("department", "matter", "station", "clerk")
By = Literal["department", "matter", "station", "clerk"]
Light = Literal["green", "yellow", "red"]


# -- SQL helpers ---------------------------------------------------------------------------


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _offset_minutes() -> int:
    # The hall's zone has no daylight saving (China Standard Time), so one offset serves.
    offset = datetime(2000, 1, 1, tzinfo=HALL_TZ).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


def local_date(column: Any, dialect: str) -> ColumnElement[Any]:
    """SQL: the hall's local date of a stored UTC timestamp."""
    if dialect == "postgresql":
        return cast(func.timezone(HALL_TZ.key, column), Date)
    return func.date(column, f"{_offset_minutes():+d} minutes")


def epoch(column: Any, dialect: str) -> ColumnElement[Any]:
    """SQL: seconds since 1970 of a stored UTC timestamp."""
    if dialect == "postgresql":
        return func.extract("epoch", column)
    return (func.julianday(column) - 2440587.5) * 86400.0


def seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    # julianday carries ~10 µs of float noise: round to milliseconds.
    return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0, 3)


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[local midnight of ``start``, local midnight after ``end``) in UTC."""
    lo = datetime.combine(start, time(0), HALL_TZ).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(0), HALL_TZ).astimezone(UTC)
    return lo, hi


def _sum_if(condition: Any, value: Any = 1) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


# -- working days, fast --------------------------------------------------------------------

_WORKDAY_CACHE: dict[Any, dict[date, bool]] = {}


class WorkdayIndex:
    """``WorkCalendar``'s day counts by prefix sums: each date is looked up once.

    ``chinese_calendar.is_workday`` re-validates its tables on every call (~0.1 ms), too slow
    for thousands of (acceptance, completion) pairs per refresh.  The per-date answers are
    kept per calendar content, so repeated refreshes reuse them.
    """

    def __init__(self, cal: WorkCalendar) -> None:
        self.cal = cal
        key = (frozenset(cal.overrides.items()), cal.override_years)
        if key not in _WORKDAY_CACHE:
            if len(_WORKDAY_CACHE) >= 4:
                _WORKDAY_CACHE.pop(next(iter(_WORKDAY_CACHE)))
            _WORKDAY_CACHE[key] = {}
        self.days = _WORKDAY_CACHE[key]
        self.first: date | None = None
        self.prefix: list[int] = []  # prefix[i]: working days in (first, first + i]

    def is_workday(self, d: date) -> bool:
        hit = self.days.get(d)
        if hit is None:
            hit = self.days[d] = self.cal.is_workday(d)
        return hit

    def _cover(self, lo: date, hi: date) -> None:
        if (
            self.first is not None
            and lo >= self.first
            and hi <= self.first + timedelta(days=len(self.prefix) - 1)
        ):
            return
        first = lo if self.first is None else min(lo, self.first)
        last = hi if self.first is None else max(hi, self.first + timedelta(len(self.prefix) - 1))
        prefix, count, d = [0], 0, first
        while d < last:
            d += timedelta(days=1)
            count += self.is_workday(d)
            prefix.append(count)
        self.first, self.prefix = first, prefix

    def working_days_between(self, start: date, end: date) -> int:
        """As ``WorkCalendar.working_days_between``: working days in (start, end]."""
        if end < start:
            return -self.working_days_between(end, start)
        self._cover(start, end)
        assert self.first is not None
        return self.prefix[(end - self.first).days] - self.prefix[(start - self.first).days]

    def working_days_left(self, today: date, due: date) -> int:
        """As ``WorkCalendar.working_days_left``."""
        if today > due:
            return min(-1, -self.working_days_between(due, today))
        return self.working_days_between(today, due)


# -- periods -------------------------------------------------------------------------------


PERIODS = ("today", "week", "month", "range")
PERIOD_LABELS = {
    "today": N_("today"),
    "week": N_("this week"),
    "month": N_("this month"),
    "range": N_("chosen range"),
}


def period(
    kind: str, today: date, start: date | None = None, end: date | None = None
) -> tuple[date, date]:
    """The local dates [first, last] of today / this week (from Monday) / this month / a range."""
    if kind == "today":
        return today, today
    if kind == "week":
        return today - timedelta(days=today.weekday()), today
    if kind == "month":
        return today.replace(day=1), today
    if start is None or end is None:
        raise ValueError(_("a range needs a first and a last date"))
    if end < start:
        raise ValueError(
            _("the range ends ({end}) before it starts ({start})").format(
                start=start.isoformat(), end=end.isoformat()
            )
        )
    return start, end


# -- stations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StationNode:
    code: str
    name: str
    level: str
    parent_code: str | None


def station_tree(session: Session) -> list[StationNode]:
    return [
        StationNode(s.code, s.name, s.level, s.parent_code)
        for s in session.exec(select(Station).order_by(Station.code))
    ]


def _children(nodes: Sequence[StationNode]) -> dict[str | None, list[StationNode]]:
    known = {n.code for n in nodes}
    out: dict[str | None, list[StationNode]] = defaultdict(list)
    for n in nodes:
        out[n.parent_code if n.parent_code in known else None].append(n)
    return out


def subtree(session: Session, code: str) -> set[str]:
    """``code`` and every station below it."""
    kids = _children(station_tree(session))
    out: set[str] = set()
    stack = [code]
    while stack:
        c = stack.pop()
        if c in out:
            continue
        out.add(c)
        stack.extend(n.code for n in kids.get(c, []))
    return out


# -- the efficiency table ------------------------------------------------------------------


@dataclass
class _Acc:
    received: int = 0
    accepted: int = 0
    notified: int = 0
    refused: int = 0
    completed: int = 0
    overdue: int = 0
    on_time: int = 0
    completed_with_due: int = 0
    work_days_total: int = 0
    work_days_cases: int = 0
    ratings: int = 0
    satisfied: int = 0
    stars_total: int = 0
    wait_total_s: float = 0.0
    waits: int = 0
    service_total_s: float = 0.0
    services: int = 0
    matters: set[str] = field(default_factory=set)

    def add(self, other: _Acc) -> None:
        for f in fields(self):
            if f.name == "matters":
                self.matters |= other.matters
            else:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True)
class EfficiencyRow:
    """One line of the table; ``depth`` indents stations under their parent."""

    key: str
    name: str
    depth: int
    received: int
    accepted: int
    notified: int
    refused: int
    completed: int
    overdue: int
    on_time: int
    completed_with_due: int
    work_days_total: int
    work_days_cases: int
    matters: int
    matters_online: int
    ratings: int
    satisfied: int
    stars_total: int
    wait_total_s: float
    waits: int
    service_total_s: float
    services: int

    @staticmethod
    def _ratio(num: float, den: float) -> float | None:
        return num / den if den else None

    @property
    def on_time_rate(self) -> float | None:
        return self._ratio(self.on_time, self.completed_with_due)

    @property
    def avg_work_days(self) -> float | None:
        return self._ratio(self.work_days_total, self.work_days_cases)

    @property
    def online_share(self) -> float | None:
        return self._ratio(self.matters_online, self.matters)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._ratio(self.satisfied, self.ratings)

    @property
    def stars(self) -> float | None:
        return self._ratio(self.stars_total, self.ratings)

    @property
    def avg_wait_min(self) -> float | None:
        r = self._ratio(self.wait_total_s, self.waits)
        return None if r is None else r / 60

    @property
    def avg_service_min(self) -> float | None:
        r = self._ratio(self.service_total_s, self.services)
        return None if r is None else r / 60


@dataclass(frozen=True)
class EfficiencyTable:
    by: str
    start: date
    end: date
    rows: tuple[EfficiencyRow, ...]
    total: EfficiencyRow


@dataclass(frozen=True)
class TableColumn:
    key: str
    title: str  # msgid
    kind: Literal["text", "int", "pct", "num"]


COLUMNS: tuple[TableColumn, ...] = (
    TableColumn("name", N_("Name"), "text"),  # titled by the grouping, see column_title
    TableColumn("received", N_("Cases received"), "int"),
    TableColumn("accepted", N_("Cases accepted"), "int"),
    TableColumn("notified", N_("Cases notified"), "int"),
    TableColumn("refused", N_("Cases refused"), "int"),
    TableColumn("completed", N_("Cases completed"), "int"),
    TableColumn("overdue", N_("Cases overdue"), "int"),
    TableColumn("on_time_rate", N_("On-time rate"), "pct"),
    TableColumn("avg_work_days", N_("Average working days"), "num"),
    TableColumn("online_share", N_("Online share"), "pct"),
    TableColumn("satisfaction_rate", N_("Satisfaction rate"), "pct"),
    TableColumn("stars", N_("Average stars"), "num"),
    TableColumn("ratings", N_("Ratings given"), "int"),
    TableColumn("avg_wait_min", N_("Average wait (min)"), "num"),
    TableColumn("avg_service_min", N_("Average service (min)"), "num"),
)

BY_LABELS = {
    "department": N_("department"),
    "matter": N_("matter"),
    "station": N_("service station"),
    "clerk": N_("window clerk"),
}
BY_TITLES = {
    "department": N_("Department"),
    "matter": N_("Matter"),
    "station": N_("Service station"),
    "clerk": N_("Window clerk"),
}


def column_title(column: TableColumn, by: str) -> str:
    """The translated heading of ``column`` in a table grouped ``by``."""
    if column.key == "name":
        return _(BY_TITLES.get(by, column.title))
    return _(column.title)


def value(row: EfficiencyRow, column: TableColumn) -> Any:
    if column.key == "name":
        return row.name
    return getattr(row, column.key)


def formatted(row: EfficiencyRow, column: TableColumn, indent: bool = True) -> str:
    """The cell as shown and printed: percentages with one decimal, '—' for no data."""
    v = value(row, column)
    if column.kind == "text":
        return ("  " * row.depth if indent else "") + str(v)
    if v is None:
        return "—"
    if column.kind == "pct":
        return f"{v * 100:.1f}%"
    if column.kind == "num":
        return f"{v:.1f}" if column.key != "stars" else f"{v:.2f}"
    return str(v)


class _Keys:
    """How one grouping finds its key: through the case's matters, or a column of the row."""

    def __init__(self, by: str) -> None:
        self.by = by

    def base(
        self, table: Any, case_id: Any, station: Any, clerk: Any, scope: Any = None
    ) -> tuple[Any, Any]:
        """``SELECT … FROM table`` joined as the grouping needs; returns (query, key).

        ``scope`` (a SELECT of case ids) limits the (case, key) pairs to the cases that
        matter, so the pairs are never built for the whole history.
        """
        q = select().select_from(table)
        if self.by not in ("department", "matter"):
            own = {"station": station, "clerk": clerk}.get(self.by, literal(""))
            return q, own
        if self.by == "department":
            pairs = select(
                col(CaseMatter.case_id).label("case_id"), col(Matter.department_code).label("key")
            ).join(Matter, Matter.code == CaseMatter.matter_code)
        else:
            pairs = select(
                col(CaseMatter.case_id).label("case_id"), col(CaseMatter.matter_code).label("key")
            )
        if scope is not None:
            pairs = pairs.where(col(CaseMatter.case_id).in_(scope))
        sub = pairs.distinct().subquery("k")
        return q.join(sub, sub.c.case_id == case_id), sub.c.key


def _collect(
    session: Session,
    by: str,
    start: date,
    end: date,
    today: date,
    within: set[str] | None,
    days: WorkdayIndex,
) -> dict[str, _Acc]:
    """Raw figures per key ("total": one key "") for the cohort of [start, end]."""
    d = _dialect(session)
    lo, hi = utc_bounds(start, end)
    keys = _Keys(by)
    acc: dict[str, _Acc] = defaultdict(_Acc)

    def cohort(q: Any) -> Any:
        q = q.where(col(ServiceCase.registered_at) >= lo, col(ServiceCase.registered_at) < hi)
        if within is not None:
            q = q.where(col(ServiceCase.station_code).in_(within))
        return q

    # One pass over the cohort: per key the cases by status and deadline outcome, and the
    # (acceptance, completion) dates of completed cases, each pair mapped to working days once.
    done = col(ServiceCase.status).in_(DONE_STATUSES)
    completed_day = local_date(ServiceCase.completed_at, d)
    with_due = and_(
        done, col(ServiceCase.due_date).is_not(None), col(ServiceCase.completed_at).is_not(None)
    )
    flags = (
        ServiceCase.status,
        case((col(ServiceCase.accepted_at).is_not(None), 1), else_=0),
        case((with_due, 1), else_=0),
        case((and_(with_due, completed_day <= ServiceCase.due_date), 1), else_=0),
        case(
            (
                or_(
                    and_(with_due, completed_day > ServiceCase.due_date),
                    and_(
                        col(ServiceCase.status).in_(RUNNING_STATUSES),
                        col(ServiceCase.due_date) < today,
                    ),
                ),
                1,
            ),
            else_=0,
        ),
        case(
            (
                and_(done, col(ServiceCase.accepted_at).is_not(None)),
                local_date(ServiceCase.accepted_at, d),
            ),
            else_=None,
        ),
        case((and_(done, col(ServiceCase.accepted_at).is_not(None)), completed_day), else_=None),
    )
    q, key = keys.base(
        ServiceCase,
        ServiceCase.id,
        ServiceCase.station_code,
        ServiceCase.clerk_id,
        cohort(select(ServiceCase.id)),
    )
    q = cohort(q).add_columns(key, *flags, func.count()).group_by(key, *flags)
    for k, status, accepted, due, on_time, overdue, a_day, c_day, n in session.exec(q).all():
        a = acc[k or ""]
        n = int(n)
        a.received += n
        a.accepted += n * int(accepted)
        a.notified += n if status == "notified" else 0
        a.refused += n if status == "refused" else 0
        a.completed += n if status in DONE_STATUSES else 0
        a.completed_with_due += n * int(due)
        a.on_time += n * int(on_time)
        a.overdue += n * int(overdue)
        if a_day is not None and c_day is not None:
            a.work_days_total += days.working_days_between(as_date(a_day), as_date(c_day)) * n
            a.work_days_cases += n

    # The distinct matters handled: a department's own matters, the matter itself, every
    # matter of a station's or clerk's cases.
    q = cohort(
        select().select_from(ServiceCase).join(CaseMatter, CaseMatter.case_id == ServiceCase.id)
    )
    if by == "department":
        q = q.join(Matter, Matter.code == CaseMatter.matter_code)
        mkey: Any = Matter.department_code
    else:
        mkey = {
            "matter": CaseMatter.matter_code,
            "station": ServiceCase.station_code,
            "clerk": ServiceCase.clerk_id,
        }.get(by, literal(""))
    for k, code in session.exec(q.add_columns(mkey, CaseMatter.matter_code).distinct()).all():
        acc[k or ""].matters.add(code)

    # Ratings given in the period.
    def rated(q: Any) -> Any:
        q = q.where(col(Evaluation.at) >= lo, col(Evaluation.at) < hi)
        if within is not None:
            q = q.where(col(Evaluation.station_code).in_(within))
        return q

    q, key = keys.base(
        Evaluation,
        Evaluation.case_id,
        Evaluation.station_code,
        Evaluation.clerk_id,
        rated(select(Evaluation.case_id).where(col(Evaluation.case_id).is_not(None))),
    )
    q = (
        rated(q)
        .add_columns(
            key,
            func.count(),
            _sum_if(col(Evaluation.level) >= SATISFIED_FROM),
            func.coalesce(func.sum(Evaluation.level), 0),
        )
        .group_by(key)
    )
    for k, n, satisfied, stars in session.exec(q).all():
        a = acc[k or ""]
        a.ratings += int(n)
        a.satisfied += int(satisfied)
        a.stars_total += int(stars)

    # Waits and service times of the period's tickets.
    def of_days(q: Any) -> Any:
        q = q.where(col(Ticket.day) >= start, col(Ticket.day) <= end)
        if within is not None:
            q = q.where(col(Ticket.station_code).in_(within))
        return q

    q, key = keys.base(
        Ticket,
        Ticket.case_id,
        Ticket.station_code,
        Ticket.clerk_id,
        of_days(select(Ticket.case_id).where(col(Ticket.case_id).is_not(None))),
    )
    called = col(Ticket.called_at).is_not(None)
    served = and_(col(Ticket.started_at).is_not(None), col(Ticket.finished_at).is_not(None))
    wait = seconds_between(Ticket.called_at, Ticket.issued_at, d)
    service = seconds_between(Ticket.finished_at, Ticket.started_at, d)
    q = (
        of_days(q)
        .add_columns(
            key,
            func.coalesce(func.sum(case((called, cast(wait, Float)), else_=0.0)), 0.0),
            _sum_if(called),
            func.coalesce(func.sum(case((served, cast(service, Float)), else_=0.0)), 0.0),
            _sum_if(served),
        )
        .group_by(key)
    )
    for k, wait_s, waits, service_s, services in session.exec(q).all():
        a = acc[k or ""]
        a.wait_total_s += float(wait_s)
        a.waits += int(waits)
        a.service_total_s += float(service_s)
        a.services += int(services)
    return acc


def _row(key: str, name: str, depth: int, a: _Acc, online: set[str]) -> EfficiencyRow:
    return EfficiencyRow(
        key=key,
        name=name,
        depth=depth,
        received=a.received,
        accepted=a.accepted,
        notified=a.notified,
        refused=a.refused,
        completed=a.completed,
        overdue=a.overdue,
        on_time=a.on_time,
        completed_with_due=a.completed_with_due,
        work_days_total=a.work_days_total,
        work_days_cases=a.work_days_cases,
        matters=len(a.matters),
        matters_online=len(a.matters & online),
        ratings=a.ratings,
        satisfied=a.satisfied,
        stars_total=a.stars_total,
        wait_total_s=a.wait_total_s,
        waits=a.waits,
        service_total_s=a.service_total_s,
        services=a.services,
    )


def _names(session: Session, by: str, keys: Iterable[str]) -> dict[str, str]:
    wanted = [k for k in keys if k]
    if not wanted:
        return {}
    if by == "department":
        q: Any = select(Department.code, Department.name).where(col(Department.code).in_(wanted))
    elif by == "matter":
        q = select(Matter.code, Matter.name).where(col(Matter.code).in_(wanted))
    elif by == "clerk":
        q = select(Staff.id, Staff.name).where(col(Staff.id).in_(wanted))
    else:
        q = select(Station.code, Station.name).where(col(Station.code).in_(wanted))
    return {k: n for k, n in session.exec(q).all()}


def efficiency_table(
    session: Session,
    *,
    by: str,
    start: date,
    end: date,
    today: date,
    within: str | None = None,
) -> EfficiencyTable:
    """The table for [start, end] grouped ``by``; ``within`` limits it to a station subtree."""
    if by not in GROUPINGS:
        raise ValueError(by)
    days = WorkdayIndex(calendar_for(session))
    scope = subtree(session, within) if within else None
    online = set(
        session.exec(select(Matter.code).where(col(Matter.online_depth) >= ONLINE_DEPTH_MIN))
    )
    raw = _collect(session, by, start, end, today, scope, days)
    if by in ("station", "clerk"):
        # Every case, rating and ticket has exactly one station and one clerk: add them up.
        total_acc = _Acc()
        for a in raw.values():
            total_acc.add(a)
    else:  # a case with several matters or departments counts once in the total
        total_acc = _collect(session, "total", start, end, today, scope, days).get("", _Acc())
    total = _row("", _("Total"), 0, total_acc, online)
    rows: list[EfficiencyRow] = []
    if by == "station":
        nodes = station_tree(session)
        kids = _children(nodes)
        roots = kids.get(None, [])
        if within:
            roots = [n for n in nodes if n.code == within]

        def walk(node: StationNode, depth: int) -> _Acc:
            summed = _Acc()
            summed.add(raw.get(node.code, _Acc()))
            position = len(rows)
            rows.append(
                _row(node.code, node.name, depth, summed, online)
            )  # parent first; refilled below
            for child in kids.get(node.code, []):
                summed.add(walk(child, depth + 1))
            rows[position] = _row(node.code, node.name, depth, summed, online)
            return summed

        for root in roots:
            walk(root, 0)
    else:
        names = _names(session, by, raw)
        order = {}
        if by == "matter":
            order = {
                c: p
                for c, p in session.exec(
                    select(Matter.code, Matter.position).where(col(Matter.code).in_(list(raw)))
                ).all()
            }
        for k, a in raw.items():
            rows.append(_row(k, names.get(k) or k or _("(unknown)"), 0, a, online))
        if by == "matter":
            rows.sort(key=lambda r: (order.get(r.key, 1 << 30), r.key))
        elif by == "clerk":
            rows.sort(key=lambda r: (r.name, r.key))
        else:
            rows.sort(key=lambda r: r.key)
    return EfficiencyTable(by, start, end, tuple(rows), total)


# -- charts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayPoint:
    day: date
    received: int
    completed: int
    tickets: int
    avg_wait_min: float | None


def daily_series(
    session: Session, start: date, end: date, within: str | None = None
) -> list[DayPoint]:
    """Per local day: cases received, cases completed, tickets called and their average wait."""
    d = _dialect(session)
    lo, hi = utc_bounds(start, end)
    scope = subtree(session, within) if within else None
    received: dict[date, int] = {}
    completed: dict[date, int] = {}
    reg_day = local_date(ServiceCase.registered_at, d)
    q = select(reg_day, func.count()).where(
        col(ServiceCase.registered_at) >= lo, col(ServiceCase.registered_at) < hi
    )
    if scope is not None:
        q = q.where(col(ServiceCase.station_code).in_(scope))
    for day, n in session.exec(q.group_by(reg_day)).all():
        received[as_date(day)] = int(n)
    done_day = local_date(ServiceCase.completed_at, d)
    q = select(done_day, func.count()).where(
        col(ServiceCase.status).in_(DONE_STATUSES),
        col(ServiceCase.completed_at) >= lo,
        col(ServiceCase.completed_at) < hi,
    )
    if scope is not None:
        q = q.where(col(ServiceCase.station_code).in_(scope))
    for day, n in session.exec(q.group_by(done_day)).all():
        completed[as_date(day)] = int(n)
    waits: dict[date, tuple[int, float | None]] = {}
    wait = cast(seconds_between(Ticket.called_at, Ticket.issued_at, d), Float)
    q = select(Ticket.day, func.count(), func.avg(wait)).where(
        col(Ticket.day) >= start, col(Ticket.day) <= end, col(Ticket.called_at).is_not(None)
    )
    if scope is not None:
        q = q.where(col(Ticket.station_code).in_(scope))
    for day, n, avg in session.exec(q.group_by(Ticket.day)).all():
        waits[as_date(day)] = (int(n), None if avg is None else float(avg) / 60)
    out = []
    day = start
    while day <= end:
        n, avg = waits.get(day, (0, None))
        out.append(DayPoint(day, received.get(day, 0), completed.get(day, 0), n, avg))
        day += timedelta(days=1)
    return out


# -- the dashboard -------------------------------------------------------------------------


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
SECTION_MODULES = ("hallterm.db.services.interaction",)


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
    d = _dialect(session)
    q = select(
        Ticket.station_code,
        Ticket.category,
        func.count(),
        func.min(epoch(Ticket.issued_at, d)),
        func.avg(epoch(Ticket.issued_at, d)),
    ).where(Ticket.day == day, Ticket.status == queue.TicketStatus.waiting)
    if station_code:
        q = q.where(Ticket.station_code == station_code)
    found = {
        (s, c): (int(n), float(first), float(mean))
        for s, c, n, first, mean in session.exec(q.group_by(Ticket.station_code, Ticket.category))
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
    q = select(ServiceCase.due_date, func.count()).where(
        col(ServiceCase.status).in_(RUNNING_STATUSES), col(ServiceCase.due_date).is_not(None)
    )
    if station_code:
        q = q.where(ServiceCase.station_code == station_code)
    out: list[tuple[date, date | None, int]] = [
        (as_date(due), None, int(n)) for due, n in session.exec(q.group_by(ServiceCase.due_date))
    ]
    q2 = (
        select(ServiceCase.due_date, CaseSuspension.started_on, func.count())
        .join(CaseSuspension, CaseSuspension.case_id == ServiceCase.id)
        .where(
            ServiceCase.status == "suspended",
            col(ServiceCase.due_date).is_not(None),
            col(CaseSuspension.ended_on).is_(None),
        )
    )
    if station_code:
        q2 = q2.where(ServiceCase.station_code == station_code)
    for due, since, n in session.exec(q2.group_by(ServiceCase.due_date, CaseSuspension.started_on)):
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
        Applicant, Applicant.id == ServiceCase.applicant_id
    )
    if station_code:
        base = base.where(ServiceCase.station_code == station_code)
    if running_dues:
        q = base.where(
            col(ServiceCase.status).in_(RUNNING_STATUSES),
            col(ServiceCase.due_date).in_(running_dues),
        )
        q = q.order_by(ServiceCase.due_date, ServiceCase.number).limit(limit)
        found += [(c, name, None) for c, name in session.exec(q).all()]
    if stopped:
        q2 = (
            base.add_columns(CaseSuspension.started_on)
            .join(CaseSuspension, CaseSuspension.case_id == ServiceCase.id)
            .where(
                ServiceCase.status == "suspended",
                col(CaseSuspension.ended_on).is_(None),
                tuple_(ServiceCase.due_date, CaseSuspension.started_on).in_(stopped),
            )
            .order_by(ServiceCase.due_date, ServiceCase.number)
            .limit(limit)
        )
        found += [(c, name, since) for c, name, since in session.exec(q2).all()]
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
        select(CaseMatter.case_id, Matter.name)
        .join(Matter, Matter.code == CaseMatter.matter_code)
        .where(col(CaseMatter.case_id).in_(case_ids))
        .order_by(CaseMatter.case_id, CaseMatter.position)
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
        .select_from(Evaluation)
        .join(Rectification, Rectification.evaluation_id == Evaluation.id)
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
