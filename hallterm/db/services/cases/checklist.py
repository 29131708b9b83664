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
    store_line,
    today_of,
)
from hallterm.db.services.cases.register import valid_stored
from hallterm.db.services.permissions import require
from hallterm.domain.case_states import CaseStatus
from hallterm.domain.checklist import (
    ChecklistError,
    Line,
    LineState,
    ReceivedAs,
    Requirement,
    reusable,
)
from hallterm.domain.roles import Permission
from hallterm.i18n import _


@dataclass(frozen=True)
class LineInput:
    """What the clerk recorded for one checklist line (by material type code)."""

    type_code: str
    state: str
    received_as: str | None = None  # the form ticked last; ``count`` is its number
    count: int = 0
    deferred_until: date | None = None
    reused_from: str | None = None
    note: str = ""
    originals: int = 0  # paper originals received (when both forms were ticked)
    copies: int = 0  # paper copies received

    @classmethod
    def in_full(cls, requirement: Requirement) -> LineInput:
        """Received as the requirement asks: its originals and its copies."""
        originals, copies = requirement.originals, requirement.copies
        if not (originals or copies):
            originals = 1
        return cls(
            requirement.type_code,
            LineState.received.value,
            ReceivedAs.original.value if originals else ReceivedAs.copy.value,
            originals or copies,
            originals=originals,
            copies=copies,
        )


def _receive(line: Line, item: LineInput) -> None:
    """Tick the forms of ``item`` on ``line``, the form ticked last last."""
    kind = ReceivedAs(item.received_as or ReceivedAs.original)
    if kind is ReceivedAs.electronic:
        line.receive(kind, item.count)
        return
    counts = {
        ReceivedAs.original: item.originals or (item.count if kind is ReceivedAs.original else 0),
        ReceivedAs.copy: item.copies or (item.count if kind is ReceivedAs.copy else 0),
    }
    other = ReceivedAs.copy if kind is ReceivedAs.original else ReceivedAs.original
    if counts[other]:
        line.receive(other, counts[other])
    line.receive(kind, counts[kind])


def record_lines(session: Session, ctx: Ctx, case_id: str, inputs: Sequence[LineInput]) -> None:
    """Store what the clerk recorded on the checklist; every rule is checked by the domain."""
    require(ctx, Permission.front_desk)
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
    # A reused document must be on file, of the line's own material type, and young enough
    # for the requirement's validity.
    stored = {s.id: s for s in valid_stored(session, case.applicant_id, today)}
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
                _receive(domain_line, item)
            elif state is LineState.missing:
                domain_line.mark_missing(item.note)
            elif state is LineState.deferred:
                if item.deferred_until is None:
                    raise ChecklistError(
                        _("give the date by which {name} must be supplied").format(name=row.name)
                    )
                domain_line.defer(item.deferred_until, today)
            elif state is LineState.reused:
                doc = stored.get(item.reused_from or "")
                if doc is None or not (
                    doc.type_code == row.type_code
                    and reusable(domain_line.requirement, doc.received_on, doc.valid_until, today)
                ):
                    raise ChecklistError(
                        _("{name}: the document on file is no longer valid").format(name=row.name)
                    )
                domain_line.reuse(item.reused_from or "")
            elif state is LineState.not_applicable:
                domain_line.mark_not_applicable(item.note)
        except (ChecklistError, ValueError) as exc:
            raise ServiceError(str(exc)) from None
        domain_line.note = item.note
        store_line(row, domain_line)
        session.add(row)
        rows.append(snapshot(row))
    changed(session, ctx, case, "case.materials_recorded", rows)
