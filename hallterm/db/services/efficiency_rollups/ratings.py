"""Rating rollups (``rating_daily``): each 好差评 rating counted once, per matter of its case."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select as core_select
from sqlmodel import Session, col

from hallterm.db.models_queue import Evaluation
from hallterm.db.models_rollup import RatingDaily
from hallterm.db.one_of import one_of
from hallterm.db.services.efficiency_rollups.common import (
    GRAINS,
    add_to_buckets,
    at_grain,
    local_day,
    matters_of,
    table_of,
)

# -- ratings -------------------------------------------------------------------------------

RATING_MEASURES = ("ratings", "good", "bad", "stars")
GOOD_FROM = 4  # 满意, 非常满意 (hallterm.domain.figures)
BAD_UPTO = 2  # 不满意, 非常不满意


def _rating_key(
    station: str, day: date, matter: str, dept: str, clerk: str, fc: bool, fd: bool
) -> str:
    return "|".join(
        (station, day.isoformat(), matter, dept, clerk, "1" if fc else "0", "1" if fd else "0")
    )


def rating_buckets(session: Session, ids: Sequence[str] | None) -> dict[str, dict[str, int]]:
    """The rollup contributions of the ratings ``ids`` (None: every rating)."""
    # Wider than sqlmodel's select types: a Core select, run with ``session.execute``.
    q = core_select(
        col(Evaluation.id),
        col(Evaluation.station_code),
        col(Evaluation.at),
        col(Evaluation.case_id),
        col(Evaluation.clerk_id),
        col(Evaluation.level),
    )
    if ids is not None:
        q = q.where(one_of(session, col(Evaluation.id), ids))
    found = session.execute(q).tuples().all()
    case_ids = sorted({c for _i, _s, _a, c, _k, _l in found if c})
    matters: dict[str, list[tuple[str, str]]] = {}
    for i in range(0, len(case_ids), 5000):
        matters.update(matters_of(session, case_ids[i : i + 5000]))
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for _id, station, at, case_id, clerk, level in found:
        day = local_day(at)
        ms = matters.get(case_id or "", [])
        keys = (
            [
                _rating_key(
                    station,
                    day,
                    matter,
                    dept,
                    clerk or "",
                    position == 0,
                    dept not in {d for _m, d in ms[:position]},
                )
                for position, (matter, dept) in enumerate(ms)
            ]
            if ms
            else [_rating_key(station, day, "", "", clerk or "", True, False)]
        )
        for key in keys:
            d = out[key]
            d["ratings"] = d.get("ratings", 0) + 1
            d["good"] = d.get("good", 0) + int(level >= GOOD_FROM)
            d["bad"] = d.get("bad", 0) + int(level <= BAD_UPTO)
            d["stars"] = d.get("stars", 0) + int(level)
    return out


def upsert_ratings(session: Session, deltas: dict[str, dict[str, int]], fresh: bool) -> None:
    merged: dict[str, dict[str, Any]] = {}
    for key, delta in deltas.items():
        station, _day, matter, dept, clerk, fc, fd = key.split("|")
        for grain in GRAINS:
            bucket, day = at_grain(grain, key)
            row = merged.get(bucket)
            if row is None:
                row = merged[bucket] = {
                    "bucket": bucket,
                    "grain": grain,
                    "station_code": station,
                    "day": day,
                    "matter_code": matter,
                    "department_code": dept,
                    "clerk_id": clerk,
                    "first_in_case": fc == "1",
                    "first_in_dept": fd == "1",
                    **dict.fromkeys(RATING_MEASURES, 0),
                }
            for m in RATING_MEASURES:
                row[m] += delta.get(m, 0)
    rows = list(merged.values())
    if not rows:
        return
    add_to_buckets(session, table_of(RatingDaily), rows, RATING_MEASURES, fresh)


def apply_rating(session: Session, evaluation_id: str) -> None:
    """Count a new rating in the rollups (call it once, in the transaction that stores it)."""
    apply_ratings(session, [evaluation_id])


def apply_ratings(session: Session, evaluation_ids: Sequence[str]) -> None:
    """Count new ratings in the rollups, each once (central's ingest: a batch's ratings)."""
    if evaluation_ids:
        session.flush()
        upsert_ratings(session, rating_buckets(session, evaluation_ids), fresh=False)
