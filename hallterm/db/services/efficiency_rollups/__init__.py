"""Keeping the efficiency rollups in step with the cases and ratings, in the same transaction.

Two entry points.  ``apply_case_change(session, case_id, kind=…, at=…)``: the station's case
services call it with every case event, and central's ingest calls it after applying a case
event it received.  ``apply_rating(session, evaluation_id)``: the rating service calls it for
a new 好差评 rating (ratings never change), and central's ingest after applying one.  It recomputes the case's contribution per matter from its current rows
(``case_fact`` holds the previous one), applies the difference to the buckets, and counts a
一次性告知 notice on the notice's day.  ``rebuild`` recomputes everything from the cases and the
notice events (after a bulk load, or for a store that predates the rollups).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from hallterm.db.models import ServiceCase
from hallterm.db.models_rollup import CaseDaily, CaseFact, RatingDaily
from hallterm.db.services.efficiency_rollups.cases import (
    add,
    apply_case_change,
    apply_case_changes,
    count_notices,
    facts,
    upsert,
    working_days_spent,
)
from hallterm.db.services.efficiency_rollups.common import (
    ALL_MEASURES,
    DONE_STATUSES,
    MEASURES,
    NOTICE_KIND,
    RUNNING_STATUSES,
    Bucket,
    Days,
    case_rows,
    matters_of,
    suspensions_of,
    table_of,
)
from hallterm.db.services.efficiency_rollups.ratings import (
    apply_rating,
    apply_ratings,
    rating_buckets,
    upsert_ratings,
)

__all__ = [
    "ALL_MEASURES",
    "DONE_STATUSES",
    "MEASURES",
    "NOTICE_KIND",
    "RUNNING_STATUSES",
    "Bucket",
    "apply_case_change",
    "apply_case_changes",
    "apply_rating",
    "apply_ratings",
    "rebuild",
    "working_days_spent",
]


def rebuild(session: Session, batch: int = 5000) -> int:
    """Recompute every rollup from the cases and the notice events; returns the cases seen."""
    days = Days(session)
    session.execute(delete(CaseDaily))
    session.execute(delete(CaseFact))
    buckets: dict[str, dict[str, int]] = defaultdict(dict)
    fact_rows: list[dict[str, Any]] = []
    seen = 0
    last = ""
    while True:
        ids = list(
            session.exec(
                select(col(ServiceCase.id))
                .where(col(ServiceCase.id) > last)
                .order_by(col(ServiceCase.id))
                .limit(batch)
            ).all()
        )
        if not ids:
            break
        last = ids[-1]
        matters = matters_of(session, ids)
        suspensions = suspensions_of(session, ids)
        for case in case_rows(session, ids):
            seen += 1
            for matter, (key, measures) in facts(
                case, matters.get(case.id, []), suspensions.get(case.id, []), days
            ).items():
                add(buckets, key, measures, +1)
                fact_rows.append(
                    {"case_id": case.id, "matter_code": matter, "bucket": key, **measures}
                )
        if len(fact_rows) >= batch:
            session.execute(insert(table_of(CaseFact)), fact_rows)
            fact_rows = []
    if fact_rows:
        session.execute(insert(table_of(CaseFact)), fact_rows)
    count_notices(session, buckets)
    upsert(session, buckets, fresh=True)
    session.execute(delete(RatingDaily))
    upsert_ratings(session, rating_buckets(session, None), fresh=True)
    session.flush()
    return seen
