"""What every case use case shares: loading a case, ownership, moves and their events.

Every move goes through the domain state machine (``transition``) and is written as one
event in the same transaction, with snapshots of the rows it changed (for sync).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.events import snapshot
from hallterm.db.models import CaseMaterialLine, CaseMatter, CaseSuspension, Matter, ServiceCase
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.efficiency_rollups import apply_case_change
from hallterm.domain.case_states import CaseAction, CaseStateError, transition
from hallterm.domain.checklist import Line, LineState, ReceivedAs, Requirement
from hallterm.i18n import _


def today_of(ctx: Ctx) -> date:
    """The hall's local date by the injected clock."""
    return to_local(ctx.clock.now()).date()


def get_case(session: Session, case_id: str) -> ServiceCase:
    row = session.get(ServiceCase, case_id)
    if row is None:
        raise ServiceError(_("no such case"))
    return row


def case_event(
    session: Session,
    ctx: Ctx,
    case: ServiceCase,
    kind: str,
    rows: list[dict[str, Any]],
    **extra: Any,
) -> None:
    record_event(
        session,
        ctx,
        entity="case",
        entity_id=case.id,
        kind=kind,
        payload={"number": case.number, **extra, "rows": rows},
    )
    # The efficiency rollups follow the case in the same transaction.
    apply_case_change(session, case.id, kind=kind, at=ctx.clock.now())


def ensure_owned(case: ServiceCase, ctx: Ctx) -> None:
    if case.station_code != ctx.station_code:
        raise ServiceError(
            _("case {number} belongs to station {station}; only that station may change it").format(
                number=case.number, station=case.station_code
            )
        )


def move(case: ServiceCase, action: CaseAction) -> tuple[str, str]:
    """Apply ``action`` by the state machine; returns (old, new) status."""
    try:
        new = transition(case.status, action)
    except CaseStateError as exc:
        raise ServiceError(str(exc)) from None
    old = case.status
    case.status = new.value
    return old, new.value


def changed(
    session: Session,
    ctx: Ctx,
    case: ServiceCase,
    kind: str,
    rows: Sequence[dict[str, Any]],
    **extra: Any,
) -> None:
    """Record a change of ``case``: new version, then one event with the case and ``rows``."""
    base = case.version
    case.version += 1
    case.updated_at = ctx.clock.now()
    session.add(case)
    session.flush()
    case_event(session, ctx, case, kind, [snapshot(case, base), *rows], **extra)


def line_requirement(row: CaseMaterialLine) -> Requirement:
    return Requirement(
        type_code=row.type_code,
        name=row.name,
        necessity=row.necessity,
        form=row.form,
        source=row.source,
        originals=row.originals,
        copies=row.copies,
        standard=row.standard,
        valid_days=row.valid_days,
        matters=tuple(c for c in row.matters.split(",") if c),
    )


def line_rows(session: Session, case_id: str) -> list[CaseMaterialLine]:
    return list(
        session.exec(
            select(CaseMaterialLine)
            .where(CaseMaterialLine.case_id == case_id)
            .order_by(col(CaseMaterialLine.position))
        )
    )


def domain_line(r: CaseMaterialLine) -> Line:
    kind = ReceivedAs(r.received_as) if r.received_as else None
    originals, copies = r.originals_received, r.copies_received
    if kind is ReceivedAs.original and not originals:  # a line stored before the split
        originals = r.count
    if kind is ReceivedAs.copy and not copies:
        copies = r.count
    return Line(
        requirement=line_requirement(r),
        state=LineState(r.state),
        received_as=kind,
        originals=originals,
        copies=copies,
        electronic=r.count if kind is ReceivedAs.electronic else 0,
        deferred_until=r.deferred_until,
        reused_from=r.reused_from,
        note=r.note,
        arrived_on=r.arrived_on,
    )


def store_line(row: CaseMaterialLine, line: Line) -> None:
    """Copy the domain line's state onto its row."""
    row.state = line.state.value
    row.received_as = line.received_as.value if line.received_as else None
    row.count = line.count
    row.originals_received = line.originals
    row.copies_received = line.copies
    row.deferred_until = line.deferred_until
    row.reused_from = line.reused_from
    row.arrived_on = line.arrived_on
    row.note = line.note


def domain_lines(session: Session, case_id: str) -> list[Line]:
    return [domain_line(r) for r in line_rows(session, case_id)]


def suspensions(session: Session, case_id: str) -> list[tuple[date, date | None]]:
    rows = session.exec(
        select(CaseSuspension)
        .where(CaseSuspension.case_id == case_id)
        .order_by(col(CaseSuspension.started_on))
    )
    return [(r.started_on, r.ended_on) for r in rows]


def matter_rows(session: Session, case_id: str) -> list[tuple[str, Matter | None]]:
    """The case's matter codes in order, each with its catalog row (None if gone)."""
    return [
        (cm.matter_code, session.get(Matter, cm.matter_code))
        for cm in session.exec(
            select(CaseMatter)
            .where(CaseMatter.case_id == case_id)
            .order_by(col(CaseMatter.position))
        )
    ]


def record_print(session: Session, ctx: Ctx, case_id: str, document: str, path: str) -> None:
    """Every printed document is in the audit trail."""
    case = get_case(session, case_id)
    record_event(
        session,
        ctx,
        entity="case",
        entity_id=case.id,
        kind="case.printed",
        payload={"number": case.number, "document": document, "file": path.rsplit("/", 1)[-1]},
    )
