"""Central's side of sync, by concern: ``admin`` (the store, stations, credentials, staff,
catalog, holidays, transfers), ``accounts`` (central's own people), ``receive`` (a pushed
batch), ``apply`` (its rows), ``persons`` (one person across stations), ``rollups`` (the
efficiency rollups), ``feed`` (what stations pull), ``conflicts``
(the quarantine).  ``common`` holds the shapes they share.  The sync service
(``hallterm.db.sync.service``) is the only thing that calls them for stations.
"""

from __future__ import annotations

from hallterm.db.sync.central.accounts import (
    central_has_admin,
    ensure_central_station,
    first_admin,
)
from hallterm.db.sync.central.admin import (
    Transfer,
    add_staff,
    authenticate,
    authenticate_pull,
    central_ctx,
    init_central,
    issue_credential,
    open_central,
    publish_catalog,
    register_station,
    revoke_station,
    set_holiday,
    transfer_case,
)
from hallterm.db.sync.central.apply import register_row_hook
from hallterm.db.sync.central.common import (
    CENTRAL_CODE,
    CENTRAL_TABLES,
    EVENT_COLUMNS,
    BulkInsertRefused,
    ChainState,
    ConflictView,
    EventIn,
    FeedItem,
    Page,
    Reply,
    SyncRefused,
    problem_label,
)
from hallterm.db.sync.central.conflicts import (
    list_conflicts,
    open_conflict_exists,
    quarantine,
    quarantined_seqs,
    resolve_conflict,
)
from hallterm.db.sync.central.feed import (
    check_central,
    own_events,
    publish,
    publish_rows,
    pull_page,
    top_and_head,
)
from hallterm.db.sync.central.persons import person_of
from hallterm.db.sync.central.receive import chain_state, event_hash_at, receive
from hallterm.db.sync.central.rollups import follow_rollups

__all__ = [
    "CENTRAL_CODE",
    "CENTRAL_TABLES",
    "EVENT_COLUMNS",
    "BulkInsertRefused",
    "ChainState",
    "ConflictView",
    "EventIn",
    "FeedItem",
    "Page",
    "Reply",
    "SyncRefused",
    "Transfer",
    "add_staff",
    "authenticate",
    "authenticate_pull",
    "central_ctx",
    "central_has_admin",
    "chain_state",
    "check_central",
    "ensure_central_station",
    "event_hash_at",
    "first_admin",
    "init_central",
    "issue_credential",
    "list_conflicts",
    "open_conflict_exists",
    "open_central",
    "own_events",
    "follow_rollups",
    "person_of",
    "problem_label",
    "publish",
    "publish_catalog",
    "publish_rows",
    "pull_page",
    "quarantine",
    "quarantined_seqs",
    "receive",
    "register_row_hook",
    "register_station",
    "resolve_conflict",
    "revoke_station",
    "set_holiday",
    "top_and_head",
    "transfer_case",
]
