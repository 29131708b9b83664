"""Central → station: the pull feed applied page by page (one request each), cursor saved with
each page.

Each page is applied in one local transaction that also stores the new cursor, so a crash
either keeps the whole page or none of it.  Topic "rows" upserts table rows (stations,
staff, holidays, transferred cases …); topic "catalog" imports a catalog version through
``catalog.io.import_catalog``; topic "person_key" installs the escrow copy of a transferred
applicant's key (``privacy.escrow``; none when the person was erased meanwhile).  Other areas register their own topics with
``register_pull_handler``.  An item that cannot be applied is kept in the local
``sync_quarantine`` (never dropped silently) and the page goes on.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from hallterm.db.engine import Store
from hallterm.db.events import append_event
from hallterm.db.models import StoreInfo
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.setup import get_info, set_info
from hallterm.db.sync.central.common import ChainState, FeedItem
from hallterm.db.sync.central.conflicts import quarantine
from hallterm.db.sync.client import SyncClient
from hallterm.db.sync.rows import upsert
from hallterm.domain.catalog import CatalogError, parse_catalog

PullHandler = Callable[[Session, Ctx, FeedItem], None]
CURSOR_KEY = "sync.cursor"
CENTRAL_ID_KEY = "sync.central_id"
_HANDLERS: dict[str, PullHandler] = {}


def register_pull_handler(topic: str, handler: PullHandler) -> None:
    """Apply feed items of ``topic`` with ``handler(session, ctx, item)`` at the station."""
    _HANDLERS[topic] = handler


def _apply_rows(session: Session, ctx: Ctx, item: FeedItem) -> None:
    for snap in json.loads(item.payload).get("rows", []):
        upsert(session, snap)


def _apply_catalog(session: Session, ctx: Ctx, item: FeedItem) -> None:
    from hallterm.db.services.catalog.io import import_catalog

    document = json.loads(item.payload)["document"]
    import_catalog(session, ctx, parse_catalog(document))


def _apply_person_key(session: Session, ctx: Ctx, item: FeedItem) -> None:
    from hallterm.db.privacy.escrow import install_copies

    payload = json.loads(item.payload)
    if payload.get("escrow"):
        install_copies(session, [(str(payload["applicant_id"]), str(payload["escrow"]))])


register_pull_handler("rows", _apply_rows)
register_pull_handler("catalog", _apply_catalog)
register_pull_handler("person_key", _apply_person_key)


@dataclass
class PullResult:
    pulled: int = 0
    conflicts: int = 0
    pages: int = 0
    reset: bool = False
    chain: ChainState | None = None  # the station's chain head at central, from the first page


def _lock_cursor(session: Session) -> int:
    """The saved cursor, its row locked for this transaction (two syncs never both apply)."""
    if session.get(StoreInfo, CURSOR_KEY) is None:
        set_info(session, CURSOR_KEY, "0")
        session.flush()
    row: str | None = session.execute(
        select(col(StoreInfo.value)).where(col(StoreInfo.key) == CURSOR_KEY).with_for_update()
    ).scalar_one()
    return int(row or 0)


def pull(
    local: Store,
    client: SyncClient,
    ctx: Ctx,
    *,
    page_size: int = 100,
    progress: Callable[[int], None] | None = None,
) -> PullResult:
    """Apply every feed page for ``ctx.station_code``; raises on a connection problem."""
    result = PullResult()
    station = ctx.station_code
    while True:
        with local.read() as ls:
            cursor = int(get_info(ls, CURSOR_KEY) or 0)
            central_id = get_info(ls, CENTRAL_ID_KEY)
        page, chain = client.pull(cursor, central_id, page_size)
        if result.chain is None:
            result.chain = chain
        with local.write() as ls:
            if _lock_cursor(ls) != cursor:
                continue  # another sync applied this page meanwhile: read again
            set_info(ls, CENTRAL_ID_KEY, page.central_id)
            if page.reset:
                set_info(ls, CURSOR_KEY, "0")
                result.reset = True
                continue
            for item in page.items:
                if not _apply_item(ls, ctx, item):
                    result.conflicts += 1
            set_info(ls, CURSOR_KEY, str(page.cursor))
            if page.items:
                append_event(
                    ls,
                    station_code=station,
                    entity="sync",
                    entity_id=str(page.cursor),
                    kind="sync.pulled",
                    payload={
                        "from": cursor,
                        "to": page.cursor,
                        "items": len(page.items),
                        "topics": sorted({i.topic for i in page.items}),
                    },
                    actor=ctx.actor.username,
                    at=ctx.clock.now(),
                )
        result.pulled += len(page.items)
        result.pages += 1
        if progress and page.items:
            progress(len(page.items))
        if not page.more:
            return result


def _apply_item(session: Session, ctx: Ctx, item: FeedItem) -> bool:
    handler = _HANDLERS.get(item.topic)
    problem = ""
    if handler is None:
        problem = f"no handler for topic {item.topic!r}"
    else:
        try:
            with session.begin_nested():
                handler(session, ctx, item)
        except CatalogError as exc:
            problem = "; ".join(exc.problems)
        except (IntegrityError, ServiceError, LookupError, ValueError) as exc:
            problem = str(getattr(exc, "orig", exc))[:1000]
    if not problem:
        return True
    quarantine(
        session,
        ctx.station_code,
        "pull",
        problem,
        ctx.clock.now(),
        table_name=item.topic,
        key=f"{item.id}:{item.key}",
        payload=item.payload,
    )
    return False


# Other areas' feed topics register themselves when imported (certificates' CRL and
# long-term files, the calendar), after ``register_pull_handler`` exists.
import hallterm.db.services.calendar_sync  # noqa: E402, F401
import hallterm.db.services.certificate_ltv  # noqa: E402, F401
