"""Central's efficiency rollups follow the events it accepts, in the ingest's transaction.

A station keeps its rollups event by event (``efficiency_rollups.apply_case_change`` and
``apply_rating``); central does the same for what it receives, once the batch's rows are
written: every case of a case event is brought in line (a 一次性告知 notice counted on the
notice's day), every new rating counted.  A case with several events in one batch is
recomputed once, plus once per notice event (a notice is counted on its own day).  This is
central's own derived data, so it runs as central (``as_central``), not as the station.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from hallterm.db.services.efficiency_rollups import NOTICE_KIND, apply_case_change, apply_rating
from hallterm.db.sync.central.apply import register_event_hook
from hallterm.db.sync.central.common import EventIn
from hallterm.db.sync.roles import as_central

RATED = "evaluation.rated"


def follow_rollups(session: Session, station_code: str, events: Sequence[EventIn]) -> None:
    """Bring the rollups in line with a batch of ``station_code``'s accepted events."""
    last: dict[str, EventIn] = {}  # case id → its last event of the batch
    notices: list[EventIn] = []
    rated: list[str] = []
    for e in events:
        if e.entity == "case":
            last[e.entity_id] = e
            if e.kind == NOTICE_KIND:
                notices.append(e)
        elif e.kind == RATED:
            rated.append(e.entity_id)
    if not (last or rated):
        return
    noticed = {e.entity_id for e in notices}
    with as_central(session):
        for e in notices:
            apply_case_change(session, e.entity_id, kind=e.kind, at=e.at)
        for case_id, e in last.items():
            if case_id not in noticed:
                apply_case_change(session, case_id, kind=e.kind, at=e.at)
        for evaluation_id in rated:
            apply_rating(session, evaluation_id)


register_event_hook(follow_rollups)
