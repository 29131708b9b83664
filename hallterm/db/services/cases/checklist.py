"""Recording the materials checklist of a case; every rule is checked by the domain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from hallterm.db.events import snapshot
from hallterm.db.models import CaseMaterialLine
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.cases.common import (
    changed,
    ensure_owned,
    get_case,
    line_requirement,
    today_of,
)
from hallterm.db.services.cases.register import valid_stored
from hallterm.domain.case_states import CaseStatus
from hallterm.domain.checklist import ChecklistError, Line, LineState, ReceivedAs
from hallterm.i18n import _


@dataclass(frozen=True)
class LineInput:
    """What the clerk recorded for one checklist line (by material type code)."""

    type_code: str
    state: str
    received_as: str | None = None
    count: int = 0
    deferred_until: date | None = None
    reused_from: str | None = None
    note: str = ""


def record_lines(session: Session, ctx: Ctx, case_id: str, inputs: Sequence[LineInput]) -> None:
    """Store what the clerk recorded on the checklist; every rule is checked by the domain."""
    case = get_case(session, case_id)
    ensure_owned(case, ctx)
    if case.status not in (CaseStatus.registered, CaseStatus.notified):
        raise ServiceError(
            _("the materials of case {number} can no longer be changed").format(number=case.number)
        )
    today = today_of(ctx)
    lines = {
        line.type_code: line
        for line in session.exec(
            select(CaseMaterialLine).where(CaseMaterialLine.case_id == case_id)
        )
    }
    # A reused document must be on file, still valid, and of the line's own material type.
    stored_types = {s.id: s.type_code for s in valid_stored(session, case.applicant_id, today)}
    rows: list[dict[str, Any]] = []
    for item in inputs:
        row = lines.get(item.type_code)
        if row is None:
            raise ServiceError(
                _("material {code} is not on this checklist").format(code=item.type_code)
            )
        domain_line = Line(requirement=line_requirement(row))
        try:
            state = LineState(item.state)
            if state is LineState.received:
                domain_line.receive(item.received_as or ReceivedAs.original, item.count)
            elif state is LineState.missing:
                domain_line.mark_missing(item.note)
            elif state is LineState.deferred:
                if item.deferred_until is None:
                    raise ChecklistError(
                        _("give the date by which {name} must be supplied").format(name=row.name)
                    )
                domain_line.defer(item.deferred_until, today)
            elif state is LineState.reused:
                if stored_types.get(item.reused_from or "") != row.type_code:
                    raise ChecklistError(
                        _("{name}: the document on file is no longer valid").format(name=row.name)
                    )
                domain_line.reuse(item.reused_from)
            elif state is LineState.not_applicable:
                domain_line.mark_not_applicable(item.note)
        except (ChecklistError, ValueError) as exc:
            raise ServiceError(str(exc)) from None
        row.state = domain_line.state.value
        row.received_as = domain_line.received_as.value if domain_line.received_as else None
        row.count = domain_line.count
        row.deferred_until = domain_line.deferred_until
        row.reused_from = domain_line.reused_from
        row.note = item.note
        session.add(row)
        rows.append(snapshot(row))
    changed(session, ctx, case, "case.materials_recorded", rows)
