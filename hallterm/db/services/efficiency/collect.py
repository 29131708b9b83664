"""The raw figures per key for a period: case and rating figures from the rollups (day and
month rows), waits and service times from the period's tickets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import Float, and_, case, cast, func, literal, or_
from sqlalchemy import select as core_select
from sqlalchemy.sql.elements import ColumnElement, SQLColumnExpression
from sqlalchemy.sql.selectable import Select as CoreSelect
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from hallterm.db.models import CaseMatter, Matter
from hallterm.db.models_queue import Ticket
from hallterm.db.models_rollup import CaseDaily, RatingDaily
from hallterm.db.services.efficiency.sqltime import dialect_of, seconds_between, sum_if
from hallterm.db.services.efficiency_rollups import DONE_STATUSES, RUNNING_STATUSES

# A key column of a grouping (a model's column, or the constant key of the total).
KeyColumn = SQLColumnExpression[str | None]
_Q = TypeVar("_Q", bound=CoreSelect[*tuple[Any, ...]])


@dataclass
class Acc:
    received: int = 0
    accepted: int = 0
    notices: int = 0
    refused: int = 0
    completed: int = 0
    overdue: int = 0
    on_time: int = 0
    completed_with_due: int = 0
    work_days_total: int = 0
    work_days_cases: int = 0
    ratings: int = 0
    good: int = 0
    bad: int = 0
    stars_total: int = 0
    wait_total_s: float = 0.0
    waits: int = 0
    service_total_s: float = 0.0
    services: int = 0
    matters: set[str] = field(default_factory=set)

    def add(self, other: Acc) -> None:
        for f in fields(self):
            if f.name == "matters":
                self.matters |= other.matters
            else:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def empty(self) -> bool:
        return not (self.received or self.notices or self.ratings or self.waits or self.services)


class _Keys:
    """How one grouping finds its key in the raw rating and ticket tables: through the case's
    matters, or a column of the row."""

    def __init__(self, by: str) -> None:
        self.by = by

    def base(
        self,
        table: type[Ticket],
        case_id: KeyColumn,
        station: KeyColumn,
        clerk: KeyColumn,
        scope: SelectOfScalar[str | None] | None = None,
    ) -> tuple[CoreSelect[()], KeyColumn]:
        """``SELECT … FROM table`` joined as the grouping needs; returns (query, key)."""
        q = core_select().select_from(table)
        if self.by not in ("department", "matter"):
            own = {"station": station, "clerk": clerk}.get(self.by, literal(""))
            return q, own
        pairs: Select[str, str]
        if self.by == "department":
            pairs = select(
                col(CaseMatter.case_id).label("case_id"), col(Matter.department_code).label("key")
            ).join(Matter, col(Matter.code) == col(CaseMatter.matter_code))
        else:
            pairs = select(
                col(CaseMatter.case_id).label("case_id"), col(CaseMatter.matter_code).label("key")
            )
        if scope is not None:
            pairs = pairs.where(col(CaseMatter.case_id).in_(scope))
        sub = pairs.distinct().subquery("k")
        return q.join(sub, sub.c.case_id == case_id), sub.c.key


def _rollup_key(by: str) -> tuple[KeyColumn, SQLColumnExpression[bool] | None]:
    """(key column, which bucket rows count for it, or None: all) in ``case_daily``."""
    if by == "department":
        return col(CaseDaily.department_code), col(CaseDaily.first_in_dept)
    if by == "matter":
        return col(CaseDaily.matter_code), None
    if by == "station":
        return col(CaseDaily.station_code), col(CaseDaily.first_in_case)
    if by == "clerk":
        return col(CaseDaily.clerk_id), col(CaseDaily.first_in_case)
    return literal(""), col(CaseDaily.first_in_case)


def _rating_key(by: str) -> tuple[KeyColumn, SQLColumnExpression[bool]]:
    """(key column, which rows count) of a grouping in ``rating_daily``; a rating without a
    case counts for its station and clerk and in the total, not for a department or matter."""
    if by == "department":
        return col(RatingDaily.department_code), col(RatingDaily.first_in_dept)
    if by == "matter":
        return col(RatingDaily.matter_code), col(RatingDaily.matter_code) != ""
    if by == "station":
        return col(RatingDaily.station_code), col(RatingDaily.first_in_case)
    if by == "clerk":
        return col(RatingDaily.clerk_id), col(RatingDaily.first_in_case)
    return literal(""), col(RatingDaily.first_in_case)


def _month_after(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def in_span(
    model: type[CaseDaily] | type[RatingDaily], start: date, end: date
) -> ColumnElement[bool]:
    """SQL: the rollup rows that make up [start, end]: the month rows of the months wholly
    inside it, the day rows of the rest."""
    first = start if start.day == 1 else _month_after(start)
    after = (
        _month_after(end) if _month_after(end) - timedelta(days=1) == end else end.replace(day=1)
    )
    grain, day = col(model.grain), col(model.day)
    if first >= after:  # no whole month inside
        return and_(grain == "d", day >= start, day <= end)
    return or_(
        and_(grain == "m", day >= first, day < after),
        and_(grain == "d", day >= start, day < first),
        and_(grain == "d", day >= after, day <= end),
    )


def _targets(
    acc: dict[str, Acc], total: Acc | None, key: str, counted: bool, first: bool
) -> list[Acc]:
    """Where one grouped rollup row adds: its key's row, and the total once per case."""
    out = [acc[key or ""]] if counted else []
    if total is not None and first:
        out.append(total)
    return out


def _case_figures(
    session: Session,
    by: str,
    span: tuple[date, date],
    today: date,
    within: set[str] | None,
    acc: dict[str, Acc],
    total: Acc | None,
) -> None:
    """Case figures per key, and (``total`` given) the total, in one pass over the buckets."""
    key, counted = _rollup_key(by)
    flags: list[SQLColumnExpression[bool]] = [col(CaseDaily.first_in_case)] + (
        [counted] if counted is not None else []
    )
    # Wider than sqlmodel's select types: a Core select, run with ``session.execute``.
    q = core_select(
        key,
        col(CaseDaily.status),
        *flags,
        func.sum(CaseDaily.cases),
        func.sum(CaseDaily.accepted),
        func.sum(CaseDaily.with_due),
        func.sum(CaseDaily.on_time),
        func.sum(CaseDaily.late),
        func.sum(CaseDaily.work_days),
        func.sum(CaseDaily.work_cases),
        func.sum(CaseDaily.notices),
        sum_if(
            and_(
                col(CaseDaily.status).in_(RUNNING_STATUSES),
                col(CaseDaily.open_due) < today,
            ),
            CaseDaily.cases,
        ),
    ).where(in_span(CaseDaily, *span))
    if total is None and counted is not None:
        q = q.where(counted)
    if within is not None:
        q = q.where(col(CaseDaily.station_code).in_(within))
    q = q.group_by(key, col(CaseDaily.status), *flags)
    for k, status, first, *rest in session.execute(q).tuples().all():
        is_counted = bool(rest.pop(0)) if counted is not None else True
        n, accepted, with_due, on_time, late, wd, wc, notices, open_late = (
            int(v or 0) for v in rest
        )
        for a in _targets(acc, total, k, is_counted, bool(first)):
            a.received += n
            a.accepted += accepted
            a.notices += notices
            a.refused += n if status == "refused" else 0
            a.completed += n if status in DONE_STATUSES else 0
            a.completed_with_due += with_due
            a.on_time += on_time
            a.overdue += late + open_late
            a.work_days_total += wd
            a.work_days_cases += wc

    # The distinct matters handled: a department's own matters, the matter itself, every
    # matter of a station's or clerk's cases.
    mkey = {
        "department": col(CaseDaily.department_code),
        "matter": col(CaseDaily.matter_code),
        "station": col(CaseDaily.station_code),
        "clerk": col(CaseDaily.clerk_id),
    }.get(by, literal(""))
    q2 = select(mkey, col(CaseDaily.matter_code)).where(
        in_span(CaseDaily, *span), col(CaseDaily.cases) > 0
    )
    if within is not None:
        q2 = q2.where(col(CaseDaily.station_code).in_(within))
    for k, code in session.exec(q2.distinct()).all():
        acc[k or ""].matters.add(code)
        if total is not None:
            total.matters.add(code)


def _rating_figures(
    session: Session,
    by: str,
    span: tuple[date, date],
    within: set[str] | None,
    acc: dict[str, Acc],
    total: Acc | None,
) -> None:
    """Ratings given in the period, from their daily rollup, per key and in the total."""
    key, counted = _rating_key(by)
    q = core_select(  # wider than sqlmodel's select types, as in ``_case_figures``
        key,
        col(RatingDaily.first_in_case),
        counted,
        func.sum(RatingDaily.ratings),
        func.sum(RatingDaily.good),
        func.sum(RatingDaily.bad),
        func.sum(RatingDaily.stars),
    ).where(in_span(RatingDaily, *span))
    if total is None:
        q = q.where(counted)
    if within is not None:
        q = q.where(col(RatingDaily.station_code).in_(within))
    q = q.group_by(key, col(RatingDaily.first_in_case), counted)
    for k, first, is_counted, *rest in session.execute(q).tuples().all():
        n, good, bad, stars = (int(v or 0) for v in rest)
        for a in _targets(acc, total, k, bool(is_counted), bool(first)):
            a.ratings += n
            a.good += good
            a.bad += bad
            a.stars_total += stars


def _ticket_figures(
    session: Session,
    by: str,
    span: tuple[date, date],
    within: set[str] | None,
    acc: dict[str, Acc],
) -> None:
    """Waits and service times of the period's tickets (a ticket counts for the matters of
    its linked case)."""
    start, end = span
    d = dialect_of(session)

    def of_days(q: _Q) -> _Q:
        q = q.where(col(Ticket.day) >= start, col(Ticket.day) <= end)
        if within is not None:
            q = q.where(col(Ticket.station_code).in_(within))
        return q

    q, key = _Keys(by).base(
        Ticket,
        col(Ticket.case_id),
        col(Ticket.station_code),
        col(Ticket.clerk_id),
        of_days(select(col(Ticket.case_id)).where(col(Ticket.case_id).is_not(None))),
    )
    called = col(Ticket.called_at).is_not(None)
    served = and_(col(Ticket.started_at).is_not(None), col(Ticket.finished_at).is_not(None))
    wait = seconds_between(Ticket.called_at, Ticket.issued_at, d)
    service = seconds_between(Ticket.finished_at, Ticket.started_at, d)
    q = (
        of_days(q)
        .where(called)
        .add_columns(
            key,
            func.coalesce(func.sum(cast(wait, Float)), 0.0),
            func.count(),
            func.coalesce(func.sum(case((served, cast(service, Float)), else_=0.0)), 0.0),
            sum_if(served),
        )
        .group_by(key)
    )
    for k, wait_s, waits, service_s, services in session.execute(q).tuples().all():
        a = acc[k or ""]
        a.wait_total_s += float(wait_s)
        a.waits += int(waits)
        a.service_total_s += float(service_s)
        a.services += int(services)


def collect(
    session: Session,
    by: str,
    span: tuple[date, date],
    today: date,
    within: set[str] | None,
    with_total: bool,
) -> tuple[dict[str, Acc], Acc | None]:
    """Raw figures per key for the period and, ``with_total``, the total (a case with several
    matters or departments once)."""
    acc: dict[str, Acc] = defaultdict(Acc)
    total = Acc() if with_total else None
    _case_figures(session, by, span, today, within, acc, total)
    _rating_figures(session, by, span, within, acc, total)
    _ticket_figures(session, by, span, within, acc)
    if total is not None:
        tickets: dict[str, Acc] = defaultdict(Acc)
        _ticket_figures(session, "total", span, within, tickets)
        total.add(tickets.get("", Acc()))
    return acc, total
