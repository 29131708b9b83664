"""What central's sync modules share: the event as it travels, replies, pages, problem codes.

Central is a store made with the same migrations (``store_info`` role "central").  Only the
sync service (``hallterm.db.sync.service``) and the ``hallterm central …`` admin commands
open it; stations talk to the service over HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from hallterm.i18n import N_, _

CENTRAL_CODE = "central"  # the chain of central's own events (catalog, stations, transfers)
EVENT_COLUMNS = (
    "id",
    "station_code",
    "seq",
    "entity",
    "entity_id",
    "kind",
    "payload",
    "actor",
    "at",
    "prev_hash",
    "hash",
)
# Tables central governs: rows for them in a station's event are station-local, not applied.
CENTRAL_TABLES = frozenset(
    {
        "store_info",
        "station",
        "staff",
        "department",
        "queue_category",
        "catalog_version",
        "matter",
        "material_requirement",
        "bundle",
        "bundle_matter",
        "event",
        "event_head",
        "counter",
        "holiday_override",
        "holiday_year",
        "alembic_version",
        "sync_peer",
        "sync_feed",
        "sync_quarantine",
    }
)
# Shared records anyone may update (version-checked); their station_code is only the origin.
SHARED_TABLES = frozenset({"applicant"})


PROBLEM_LABELS = {
    "event_id": N_("same event id, other content"),
    "seq": N_("sequence number already taken (diverged chain)"),
    "chain": N_("does not continue the station's chain at central"),
    "foreign": N_("event of another station"),
    "owner": N_("written by a station that does not own it"),
    "stale": N_("update based on an old version"),
    "exists": N_("central already holds another version"),
    "integrity": N_("refused by the database"),
    "table": N_("unknown table"),
    "diverged": N_("station and central chains differ"),
    "pull": N_("pulled item could not be applied"),
}


def problem_label(problem: str) -> str:
    """The translated description of a quarantine problem code."""
    label = PROBLEM_LABELS.get(problem)
    return _(label) if label else problem


class SyncRefused(Exception):
    """Central will not sync with this store; the message is translated."""


class BulkInsertRefused(Exception):
    """The bulk path met an event id central already holds; redo the batch carefully."""


class EventIn(NamedTuple):
    """One event as it travels from a station (the ``event`` columns without ``sent_at``).

    A named tuple: batches hold thousands of them, and tuples are cheap to make and to copy.
    """

    id: str
    station_code: str
    seq: int
    entity: str
    entity_id: str
    kind: str
    payload: str
    actor: str
    at: datetime
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: Any) -> EventIn:
        return cls(**{c: row[c] for c in EVENT_COLUMNS})

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


class Reply(NamedTuple):
    event_id: str
    status: str  # ok / duplicate / conflict
    problem: str = ""


@dataclass(frozen=True)
class ChainState:
    """The newest event a store holds of one station's chain: the short "state hash" that
    station and central compare to find lost events or a diverged history."""

    seq: int
    hash: str


@dataclass(frozen=True)
class FeedItem:
    id: int
    topic: str
    key: str
    payload: str


@dataclass(frozen=True)
class Page:
    items: tuple[FeedItem, ...]
    cursor: int
    central_id: str
    reset: bool = False
    more: bool = False


@dataclass(frozen=True)
class ConflictView:
    id: int
    station_code: str
    event_id: str | None
    seq: int | None
    problem: str
    table_name: str
    row_key: str
    detail: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str
    resolution: str


@dataclass
class Problem:
    """Why central refused one event: a problem code, detail for central, and what arrived."""

    problem: str
    detail: str
    table_name: str = ""
    row_key: str = ""
    payload: str = ""
