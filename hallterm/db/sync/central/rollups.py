"""Central's efficiency rollups follow the events it accepts, in the ingest's transaction.

A station keeps its rollups event by event (``efficiency_rollups.apply_case_change`` and
``apply_rating``); central does the same for what it receives, once the batch's rows are
written: every case of a case event is brought in line (a 一次性告知 notice counted on the
notice's day) and every new rating counted, in a few set-based statements per batch (a case
with several events in the batch is recomputed once).  This is central's own derived data,
so it runs as central (``as_central``), not as the station.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from hallterm.db.services.efficiency_rollups import apply_case_changes, apply_ratings
from hallterm.db.sync.central.apply import register_event_hook
from hallterm.db.sync.central.common import EventIn
from hallterm.db.sync.roles import as_central

RATED = "evaluation.rated"


def follow_rollups(session: Session, station_code: str, events: Sequence[EventIn]) -> None:
    """Bring the rollups in line with a batch of ``station_code``'s accepted events."""
    changes = [(e.entity_id, e.kind, e.at) for e in events if e.entity == "case"]
    rated = [e.entity_id for e in events if e.kind == RATED]
    if changes or rated:
        with as_central(session):
            apply_case_changes(session, changes)
            apply_ratings(session, rated)


register_event_hook(follow_rollups)
