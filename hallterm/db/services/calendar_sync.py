"""The calendar across stations: central imports and publishes, stations apply the feed item.

``central_import`` loads the arrangements at central (its own chain) and publishes them on
the pull feed under topic ``calendar``; each station applies the item with the same
``import_arrangements`` as a local import, so its own running cases are recomputed there,
each with an event in the station's chain.  Importing this module registers the station's
handler for the topic.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from hallterm.db.services import Ctx
from hallterm.db.services.calendar import (
    CALENDAR_TOPIC,
    ImportResult,
    arrangement_payload,
    arrangements_from_payload,
    import_arrangements,
)
from hallterm.db.services.permissions import require
from hallterm.db.sync.central import FeedItem, publish
from hallterm.db.sync.pull import register_pull_handler
from hallterm.domain.roles import Permission
from hallterm.domain.workdays import Arrangement


def central_import(
    session: Session, ctx: Ctx, arrangements: Sequence[Arrangement], source: str = ""
) -> ImportResult:
    """Import at central and publish every changed year to all stations."""
    require(ctx, Permission.manage_calendar)
    result = import_arrangements(session, ctx, arrangements, source)
    changed = [a for a in arrangements if a.year in result.imported]
    if changed:
        years = ",".join(str(a.year) for a in changed)
        publish(
            session,
            CALENDAR_TOPIC,
            f"calendar:{years}",
            arrangement_payload(changed),
            now=ctx.clock.now(),
        )
    return result


def apply_calendar_item(session: Session, ctx: Ctx, item: FeedItem) -> None:
    """Station side: the published arrangements, applied like a local import."""
    import_arrangements(session, ctx, arrangements_from_payload(item.payload), "central")


register_pull_handler(CALENDAR_TOPIC, apply_calendar_item)
