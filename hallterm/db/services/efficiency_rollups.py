"""Keeping the efficiency rollups (``case_daily``) in step with the cases, in the same transaction.

One entry point, ``apply_case_change(session, case_id, kind=…, at=…)``: the station's case
services call it with every case event, and central's ingest calls it after applying a case
event it received.  It recomputes the case's contribution per matter from its current rows
(``case_fact`` holds the previous one), applies the difference to the buckets, and counts a
一次性告知 notice on the notice's day.  ``rebuild`` recomputes everything from the cases and the
notice events (after a bulk load, or for a store that predates the rollups).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.models import CaseMatter, CaseSuspension, Event, Matter, ServiceCase
from hallterm.db.models_rollup import CaseDaily, CaseFact

NOTICE_KIND = "case.notified"
DONE_STATUSES = ("approved", "denied", "delivered")
RUNNING_STATUSES = ("accepted", "in_review")  # the clock runs
MEASURES = ("accepted", "with_due", "on_time", "late", "work_days", "work_cases")
ALL_MEASURES = ("cases", *MEASURES, "notices")


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


class _Days:
    """Working days between two dates (the efficiency package's prefix-sum index)."""

    def __init__(self, session: Session) -> None:
        from hallterm.db.services.calendar import calendar_for
        from hallterm.db.services.efficiency.workdays import WorkdayIndex

        self.index = WorkdayIndex(calendar_for(session))

    def between(self, start: date, end: date) -> int:
        return self.index.working_days_between(start, end)


@dataclass(frozen=True)
class _CaseRow:
    id: str
    station_code: str
    clerk_id: str
    status: str
    registered_at: datetime
    accepted_at: datetime | None
    completed_at: datetime | None
    due_date: date | None


def _local_day(moment: datetime) -> date:
    return to_local(moment).date()


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def working_days_spent(
    days: _Days,
    accepted_on: date,
    completed_on: date,
    suspensions: Iterable[tuple[date, date | None]],
) -> int:
    """Working days from acceptance to completion, without the days a suspension stopped the
    clock (working days in (start, end] of each suspension, clipped to the case's span)."""
    total = days.between(accepted_on, completed_on)
    for start, end in suspensions:
        lo = max(start, accepted_on)
        hi = min(end or completed_on, completed_on)
        if hi > lo:
            total -= days.between(lo, hi)
    return max(total, 0)


def _facts(
    case: _CaseRow,
    matters: Sequence[tuple[str, str]],
    suspensions: Sequence[tuple[date, date | None]],
    days: _Days,
) -> dict[str, tuple[str, dict[str, int]]]:
    """matter code → (bucket key, measures) of ``case`` as it is now."""
    done = case.status in DONE_STATUSES
    with_due = done and case.due_date is not None and case.completed_at is not None
    completed_on = _local_day(case.completed_at) if case.completed_at is not None else None
    on_time = with_due and completed_on is not None and completed_on <= _as_date(case.due_date)
    measures = {
        "accepted": int(case.accepted_at is not None),
        "with_due": int(with_due),
        "on_time": int(on_time),
        "late": int(with_due and not on_time),
        "work_days": 0,
        "work_cases": 0,
    }
    if done and case.accepted_at is not None and completed_on is not None:
        measures["work_days"] = working_days_spent(
            days, _local_day(case.accepted_at), completed_on, suspensions
        )
        measures["work_cases"] = 1
    open_due = (
        _as_date(case.due_date)
        if case.status in RUNNING_STATUSES and case.due_date is not None
        else None
    )
    out: dict[str, tuple[str, dict[str, int]]] = {}
    seen_depts: set[str] = set()
    for position, (matter, dept) in enumerate(matters):
        if matter in out:
            continue
        bucket = Bucket(
            case.station_code,
            _local_day(case.registered_at),
            matter,
            dept,
            case.clerk_id,
            case.status,
            open_due,
            position == 0,
            dept not in seen_depts,
        )
        seen_depts.add(dept)
        out[matter] = (bucket.key, measures)
    return out


def _case_rows(session: Session, ids: Sequence[str]) -> list[_CaseRow]:
    q = select(
        ServiceCase.id,
        ServiceCase.station_code,
        ServiceCase.clerk_id,
        ServiceCase.status,
        ServiceCase.registered_at,
        ServiceCase.accepted_at,
        ServiceCase.completed_at,
        ServiceCase.due_date,
    ).where(col(ServiceCase.id).in_(ids))
    return [_CaseRow(*row) for row in session.exec(q).all()]


def _matters_of(session: Session, ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    q = (
        select(CaseMatter.case_id, CaseMatter.matter_code, Matter.department_code)
        .outerjoin(Matter, col(Matter.code) == CaseMatter.matter_code)
        .where(col(CaseMatter.case_id).in_(ids))
        .order_by(CaseMatter.case_id, CaseMatter.position, CaseMatter.matter_code)
    )
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for case_id, matter, dept in session.exec(q).all():
        out[case_id].append((matter, dept or ""))
    return out


def _suspensions_of(
    session: Session, ids: Sequence[str]
) -> dict[str, list[tuple[date, date | None]]]:
    q = select(CaseSuspension.case_id, CaseSuspension.started_on, CaseSuspension.ended_on).where(
        col(CaseSuspension.case_id).in_(ids)
    )
    out: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    for case_id, started, ended in session.exec(q).all():
        out[case_id].append((_as_date(started), None if ended is None else _as_date(ended)))
    return out


def _upsert(session: Session, deltas: dict[str, dict[str, int]], *, fresh: bool = False) -> None:
    """Add ``deltas`` (bucket key → measure → change) to ``case_daily``; drop emptied rows.

    ``fresh``: the table is empty (a rebuild): plain inserts in batches, nothing to drop.
    """
    rows = []
    for key, delta in deltas.items():
        if not any(delta.values()):
            continue
        b = Bucket.parse(key)
        rows.append(
            {
                "bucket": key,
                "station_code": b.station_code,
                "day": b.day,
                "matter_code": b.matter_code,
                "department_code": b.department_code,
                "clerk_id": b.clerk_id,
                "status": b.status,
                "open_due": b.open_due,
                "first_in_case": b.first_in_case,
                "first_in_dept": b.first_in_dept,
                **{m: delta.get(m, 0) for m in ALL_MEASURES},
            }
        )
    if not rows:
        return
    table: Any = CaseDaily.__table__
    if fresh:
        for i in range(0, len(rows), 5000):
            session.execute(insert(table), rows[i : i + 5000])
        return
    dialect = session.get_bind().dialect.name
    maker: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = maker(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=["bucket"],
        set_={m: table.c[m] + stmt.excluded[m] for m in ALL_MEASURES},
    )
    session.execute(stmt, rows)
    session.execute(
        delete(table).where(
            table.c.bucket.in_([r["bucket"] for r in rows]),
            table.c.cases == 0,
            table.c.notices == 0,
        )
    )


def _add(deltas: dict[str, dict[str, int]], key: str, measures: dict[str, int], sign: int) -> None:
    d = deltas[key]
    d["cases"] = d.get("cases", 0) + sign
    for m in MEASURES:
        d[m] = d.get(m, 0) + sign * measures.get(m, 0)


def apply_case_change(session: Session, case_id: str, *, kind: str, at: datetime) -> None:
    """Bring the rollups in line with case ``case_id`` after an event of ``kind`` at ``at``.

    Call it in the transaction that wrote the change, after the case's rows are written.
    """
    days = _Days(session)
    deltas: dict[str, dict[str, int]] = defaultdict(dict)
    old = session.exec(select(CaseFact).where(CaseFact.case_id == case_id)).all()
    for fact in old:
        _add(deltas, fact.bucket, {m: getattr(fact, m) for m in MEASURES}, -1)
    rows = _case_rows(session, [case_id])
    new: dict[str, tuple[str, dict[str, int]]] = {}
    matters: list[tuple[str, str]] = []
    if rows:
        case = rows[0]
        matters = _matters_of(session, [case_id]).get(case_id, [])
        new = _facts(case, matters, _suspensions_of(session, [case_id]).get(case_id, []), days)
        for key, measures in new.values():
            _add(deltas, key, measures, +1)
        if kind == NOTICE_KIND:
            for position, (matter, dept) in enumerate(matters):
                notice = Bucket(
                    case.station_code,
                    _local_day(at),
                    matter,
                    dept,
                    case.clerk_id,
                    "",
                    None,
                    position == 0,
                    dept not in {d for _m, d in matters[:position]},
                )
                deltas[notice.key]["notices"] = deltas[notice.key].get("notices", 0) + 1
    _upsert(session, deltas)
    old_keys = {(f.matter_code, f.bucket, tuple(getattr(f, m) for m in MEASURES)) for f in old}
    new_keys = {(m, k, tuple(v[x] for x in MEASURES)) for m, (k, v) in new.items()}
    if old_keys != new_keys:
        session.execute(delete(CaseFact).where(col(CaseFact.case_id) == case_id))
        for matter, (key, measures) in new.items():
            session.add(CaseFact(case_id=case_id, matter_code=matter, bucket=key, **measures))
    session.flush()


def rebuild(session: Session, batch: int = 5000) -> int:
    """Recompute every rollup from the cases and the notice events; returns the cases seen."""
    days = _Days(session)
    session.execute(delete(CaseDaily))
    session.execute(delete(CaseFact))
    buckets: dict[str, dict[str, int]] = defaultdict(dict)
    facts: list[dict[str, Any]] = []
    seen = 0
    last = ""
    while True:
        ids = list(
            session.exec(
                select(ServiceCase.id)
                .where(col(ServiceCase.id) > last)
                .order_by(ServiceCase.id)
                .limit(batch)
            ).all()
        )
        if not ids:
            break
        last = ids[-1]
        matters = _matters_of(session, ids)
        suspensions = _suspensions_of(session, ids)
        for case in _case_rows(session, ids):
            seen += 1
            for matter, (key, measures) in _facts(
                case, matters.get(case.id, []), suspensions.get(case.id, []), days
            ).items():
                _add(buckets, key, measures, +1)
                facts.append({"case_id": case.id, "matter_code": matter, "bucket": key, **measures})
        if len(facts) >= batch:
            session.execute(insert(CaseFact.__table__), facts)  # type: ignore[attr-defined]
            facts = []
    if facts:
        session.execute(insert(CaseFact.__table__), facts)  # type: ignore[attr-defined]
    _count_notices(session, buckets)
    _upsert(session, buckets, fresh=True)
    session.flush()
    return seen


def _count_notices(session: Session, buckets: dict[str, dict[str, int]]) -> None:
    q = (
        select(Event.entity_id, Event.at, func.count())
        .where(Event.entity == "case", Event.kind == NOTICE_KIND)
        .group_by(Event.entity_id, Event.at)
    )
    per_case: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for case_id, at, n in session.exec(q).all():
        per_case[case_id].append((at, int(n)))
    ids = list(per_case)
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        matters = _matters_of(session, chunk)
        for case in _case_rows(session, chunk):
            ms = matters.get(case.id, [])
            for at, n in per_case[case.id]:
                for position, (matter, dept) in enumerate(ms):
                    b = Bucket(
                        case.station_code,
                        _local_day(at),
                        matter,
                        dept,
                        case.clerk_id,
                        "",
                        None,
                        position == 0,
                        dept not in {d for _m, d in ms[:position]},
                    )
                    buckets[b.key]["notices"] = buckets[b.key].get("notices", 0) + n
