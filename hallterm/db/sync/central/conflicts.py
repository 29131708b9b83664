"""Conflicts (the quarantine): recording what central or a station did not apply, listing
them for a person, and closing them with a note.

Listing needs ``read_audit`` and closing needs ``supervise`` (a supervisor or an admin at
central): the refused events are evidence, like the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from hallterm.db.models_sync import SyncQuarantine
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.permissions import require
from hallterm.db.sync.central.common import ConflictView
from hallterm.domain.roles import Permission
from hallterm.i18n import _


def list_conflicts(
    session: Session,
    ctx: Ctx,
    *,
    open_only: bool = True,
    station_code: str | None = None,
    limit: int = 500,
) -> list[ConflictView]:
    require(ctx, Permission.read_audit)
    query = select(SyncQuarantine).order_by(col(SyncQuarantine.id))
    if open_only:
        query = query.where(col(SyncQuarantine.resolved_at).is_(None))
    if station_code:
        query = query.where(col(SyncQuarantine.station_code) == station_code)
    return [
        ConflictView(
            q.id or 0,
            q.station_code,
            q.event_id,
            q.seq,
            q.problem,
            q.table_name,
            q.row_key,
            q.detail,
            q.created_at,
            q.resolved_at,
            q.resolved_by,
            q.resolution,
        )
        for q in session.exec(query.limit(limit))
    ]


def resolve_conflict(session: Session, ctx: Ctx, conflict_id: int, resolution: str) -> None:
    """A person closes a conflict with a note of what was done (the row stays as evidence)."""
    require(ctx, Permission.supervise)
    row = session.get(SyncQuarantine, conflict_id)
    if row is None:
        raise ServiceError(_("no such conflict {id}").format(id=conflict_id))
    if not resolution.strip():
        raise ServiceError(_("say how the conflict was resolved"))
    row.resolved_at = ctx.clock.now()
    row.resolved_by = ctx.actor.username
    row.resolution = resolution.strip()
    session.add(row)
    record_event(
        session,
        ctx,
        entity="sync_conflict",
        entity_id=str(conflict_id),
        kind="sync.conflict_resolved",
        payload={"id": conflict_id, "event_id": row.event_id, "resolution": row.resolution},
    )


def quarantine(
    session: Session,
    station_code: str,
    problem: str,
    detail: str,
    now: datetime,
    *,
    event_id: str | None = None,
    table_name: str = "",
    key: str = "",
    payload: str = "",
) -> None:
    """Record one conflict (used by central for divergence and by stations for pulls)."""
    session.add(
        SyncQuarantine(
            station_code=station_code,
            event_id=event_id,
            problem=problem,
            table_name=table_name,
            row_key=key[:200],
            detail=detail,
            payload=payload,
            created_at=now,
            resolution="",
        )
    )
    session.flush()


def quarantined_seqs(session: Session, station_code: str, above: int) -> set[int]:
    """Sequence numbers of a station's events central refused (they are not to be resent)."""
    return {
        seq
        for seq in session.exec(
            select(col(SyncQuarantine.seq)).where(
                col(SyncQuarantine.station_code) == station_code,
                col(SyncQuarantine.seq) > above,
            )
        )
        if seq is not None
    }


def open_conflict_exists(session: Session, station_code: str, problem: str) -> bool:
    return (
        session.exec(
            select(col(SyncQuarantine.id)).where(
                col(SyncQuarantine.station_code) == station_code,
                col(SyncQuarantine.problem) == problem,
                col(SyncQuarantine.resolved_at).is_(None),
            )
        ).first()
        is not None
    )
