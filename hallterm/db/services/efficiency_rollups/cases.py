"""Case rollups (``case_daily``): a case's contribution per matter, kept as it changes, and
the 一次性告知 notices counted on their day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from hallterm.db.bulk_insert import insert_rows
from hallterm.db.models import Event
from hallterm.db.models_rollup import CaseDaily, CaseFact
from hallterm.db.one_of import one_of
from hallterm.db.services.efficiency_rollups.common import (
    ALL_MEASURES,
    DONE_STATUSES,
    GRAINS,
    MEASURES,
    NOTICE_KIND,
    RUNNING_STATUSES,
    Bucket,
    CaseRow,
    Days,
    add_to_buckets,
    as_date,
    at_grain,
    case_rows,
    local_day,
    matters_of,
    suspensions_of,
    table_of,
)


def working_days_spent(
    days: Days,
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


def facts(
    case: CaseRow,
    matters: Sequence[tuple[str, str]],
    suspensions: Sequence[tuple[date, date | None]],
    days: Days,
) -> dict[str, tuple[str, dict[str, int]]]:
    """matter code → (bucket key, measures) of ``case`` as it is now."""
    done = case.status in DONE_STATUSES
    with_due = done and case.due_date is not None and case.completed_at is not None
    completed_on = local_day(case.completed_at) if case.completed_at is not None else None
    on_time = with_due and completed_on is not None and completed_on <= as_date(case.due_date)
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
            days, local_day(case.accepted_at), completed_on, suspensions
        )
        measures["work_cases"] = 1
    open_due = (
        as_date(case.due_date)
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
            local_day(case.registered_at),
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


def upsert(
    session: Session,
    deltas: dict[str, dict[str, int]],
    *,
    fresh: bool = False,
) -> None:
    """Add ``deltas`` (day bucket key → measure → change) to ``case_daily`` at both grains;
    drop emptied rows.

    ``fresh``: the table is empty (a rebuild): plain inserts in batches, nothing to drop.
    """
    merged: dict[str, dict[str, Any]] = {}
    for key, delta in deltas.items():
        if not any(delta.values()):
            continue
        b = Bucket.parse(key)
        for grain in GRAINS:
            bucket, day = at_grain(grain, key)
            row = merged.get(bucket)
            if row is None:
                row = merged[bucket] = {
                    "bucket": bucket,
                    "grain": grain,
                    "station_code": b.station_code,
                    "day": day,
                    "matter_code": b.matter_code,
                    "department_code": b.department_code,
                    "clerk_id": b.clerk_id,
                    "status": b.status,
                    "open_due": b.open_due,
                    "first_in_case": b.first_in_case,
                    "first_in_dept": b.first_in_dept,
                    **dict.fromkeys(ALL_MEASURES, 0),
                }
            for m in ALL_MEASURES:
                row[m] += delta.get(m, 0)
    rows = list(merged.values())
    if not rows:
        return
    table = table_of(CaseDaily)
    add_to_buckets(session, table, rows, ALL_MEASURES, fresh)
    if fresh or not any(v < 0 for d in deltas.values() for v in d.values()):
        return  # only a subtraction empties a row
    session.execute(
        delete(table).where(
            one_of(session, table.c.bucket, [r["bucket"] for r in rows]),
            table.c.cases == 0,
            table.c.notices == 0,
        )
    )


def add(deltas: dict[str, dict[str, int]], key: str, measures: dict[str, int], sign: int) -> None:
    d = deltas[key]
    d["cases"] = d.get("cases", 0) + sign
    for m in MEASURES:
        d[m] = d.get(m, 0) + sign * measures.get(m, 0)


def notice_buckets(case: CaseRow, matters: Sequence[tuple[str, str]], at: datetime) -> list[str]:
    """The bucket keys a 一次性告知 notice of ``case`` at ``at`` counts in, one per matter."""
    return [
        Bucket(
            case.station_code,
            local_day(at),
            matter,
            dept,
            case.clerk_id,
            "",
            None,
            position == 0,
            dept not in {d for _m, d in matters[:position]},
        ).key
        for position, (matter, dept) in enumerate(matters)
    ]


def apply_case_change(session: Session, case_id: str, *, kind: str, at: datetime) -> None:
    """Bring the rollups in line with case ``case_id`` after an event of ``kind`` at ``at``.

    Call it in the transaction that wrote the change, after the case's rows are written.
    """
    apply_case_changes(session, [(case_id, kind, at)])


def apply_case_changes(session: Session, changes: Sequence[tuple[str, str, datetime]]) -> None:
    """The bulk form for a batch of case events, ``(case id, kind, at)`` in order (central's
    ingest): every case is recomputed once from its rows as they are now, and every
    一次性告知 notice counted on its own day."""
    ids = list(dict.fromkeys(case_id for case_id, _kind, _at in changes))
    if not ids:
        return
    days = Days(session)
    deltas: dict[str, dict[str, int]] = defaultdict(dict)
    old: dict[str, set[tuple[str, str, tuple[int, ...]]]] = defaultdict(set)
    q = select(col(CaseFact.case_id), col(CaseFact.matter_code), col(CaseFact.bucket)).add_columns(
        *(col(getattr(CaseFact, m)) for m in MEASURES)
    )
    for row in session.execute(q.where(one_of(session, col(CaseFact.case_id), ids))):
        fact = row._mapping  # plain values: no ORM objects left stale by the writes below
        measures = {m: int(fact[m]) for m in MEASURES}
        add(deltas, fact["bucket"], measures, -1)
        old[fact["case_id"]].add(
            (fact["matter_code"], fact["bucket"], tuple(measures[m] for m in MEASURES))
        )
    cases = {c.id: c for c in case_rows(session, ids)}
    matters = matters_of(session, ids)
    done = [c.id for c in cases.values() if c.status in DONE_STATUSES]  # only they count days
    suspensions = suspensions_of(session, done) if done else {}
    new_rows: list[dict[str, Any]] = []
    changed: list[str] = []
    for case_id in ids:
        case = cases.get(case_id)
        new = (
            facts(case, matters.get(case_id, []), suspensions.get(case_id, []), days)
            if case
            else {}
        )
        for key, measures in new.values():
            add(deltas, key, measures, +1)
        if old[case_id] != {(m, k, tuple(v[x] for x in MEASURES)) for m, (k, v) in new.items()}:
            changed.append(case_id)
            new_rows += [
                {"case_id": case_id, "matter_code": m, "bucket": k, **v}
                for m, (k, v) in new.items()
            ]
    for case_id, kind, at in changes:
        case = cases.get(case_id)
        if kind != NOTICE_KIND or case is None:
            continue
        for notice in notice_buckets(case, matters.get(case_id, []), at):
            deltas[notice]["notices"] = deltas[notice].get("notices", 0) + 1
    upsert(session, deltas)
    facts_table = table_of(CaseFact)
    stale = [case_id for case_id in changed if old[case_id]]  # a new case has no facts yet
    if stale:
        session.execute(delete(facts_table).where(one_of(session, facts_table.c.case_id, stale)))
    insert_rows(session, facts_table, new_rows)
    session.flush()


def count_notices(session: Session, buckets: dict[str, dict[str, int]]) -> None:
    q = (
        select(col(Event.entity_id), col(Event.at), func.count())
        .where(Event.entity == "case", Event.kind == NOTICE_KIND)
        .group_by(col(Event.entity_id), col(Event.at))
    )
    per_case: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for case_id, at, n in session.exec(q).all():
        per_case[case_id].append((at, int(n)))
    ids = list(per_case)
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        matters = matters_of(session, chunk)
        for case in case_rows(session, chunk):
            for at, n in per_case[case.id]:
                for notice in notice_buckets(case, matters.get(case.id, []), at):
                    buckets[notice]["notices"] = buckets[notice].get("notices", 0) + n
