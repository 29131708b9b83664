"""The decision at the window: accept, one-time notice, refuse, or complete on the spot.

``decide`` is the one use case the desk screen and the command line call: it records the
checklist lines and takes the decision in one transaction, then prints the papers the new
status calls for (``case_documents.documents_for``) and returns the case as it now is.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from hallterm.db.engine import Store
from hallterm.db.events import snapshot
from hallterm.db.ids import new_id
from hallterm.db.models import CaseMaterialLine, ServiceCase, StoredMaterial
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.cases.checklist import LineInput, record_lines
from hallterm.db.services.cases.common import (
    changed,
    domain_lines,
    ensure_owned,
    get_case,
    matter_rows,
    move,
    today_of,
)
from hallterm.db.services.cases.moves import advance, finish_with_reason
from hallterm.db.services.cases.views import CaseView, load_case
from hallterm.db.services.papers import issue_papers
from hallterm.db.services.permissions import require
from hallterm.domain.case_states import CaseAction, CaseStatus
from hallterm.domain.checklist import LineState, evaluate
from hallterm.domain.roles import Permission
from hallterm.i18n import _

if TYPE_CHECKING:
    from hallterm.db.services.case_documents import Printed
    from hallterm.printing.output import Printer


class Decision(StrEnum):
    accept = "accept"
    notify = "notify"
    refuse = "refuse"
    complete = "complete"


@dataclass(frozen=True)
class Decided:
    """The case after the decision, the papers printed, and why printing failed (if it did)."""

    view: CaseView
    printed: list[Printed]
    print_error: str | None


def _limit_days(session: Session, case_id: str) -> int:
    limits = [m.promised_limit_days for _c, m in matter_rows(session, case_id) if m is not None]
    return max(limits, default=0)


def accept(session: Session, ctx: Ctx, case_id: str) -> None:
    """受理: only when the verdict is complete or complete with deferrals."""
    require(ctx, Permission.accept_case)
    case = get_case(session, case_id)
    ensure_owned(case, ctx)
    verdict = evaluate(domain_lines(session, case_id))
    if verdict.kind == "incomplete":
        raise ServiceError(
            _("cannot accept: missing {items}; print the one-time notice instead").format(
                items="、".join(verdict.missing)
            )
        )
    old, new = move(case, CaseAction.accept)
    today = today_of(ctx)
    case.accepted_at = ctx.clock.now()
    case.limit_days = _limit_days(session, case_id)
    case.due_date = calendar_for(session).due_date(today, case.limit_days, (), today)
    rows = _store_received(session, case, today)
    changed(
        session,
        ctx,
        case,
        "case.accepted",
        rows,
        **{"from": old, "to": new, "due_date": case.due_date},
    )


def _store_received(session: Session, case: ServiceCase, today: date) -> list[dict[str, Any]]:
    """Keep the documents received in this case for reuse while they are valid."""
    out = []
    for line in session.exec(select(CaseMaterialLine).where(CaseMaterialLine.case_id == case.id)):
        if line.state != LineState.received or not line.valid_days:
            continue
        stored = StoredMaterial(
            id=new_id(),
            applicant_id=case.applicant_id,
            type_code=line.type_code,
            name=line.name,
            received_as=line.received_as or "",
            received_on=today,
            valid_until=today + timedelta(days=line.valid_days),
            case_id=case.id,
            station_code=case.station_code,
        )
        session.add(stored)
        out.append(snapshot(stored))
    return out


def notify(session: Session, ctx: Ctx, case_id: str) -> None:
    """一次性告知: the case waits for the missing materials, keeping what was received."""
    require(ctx, Permission.accept_case)
    case = get_case(session, case_id)
    ensure_owned(case, ctx)
    verdict = evaluate(domain_lines(session, case_id))
    if verdict.kind != "incomplete":
        raise ServiceError(_("nothing is missing: accept the case instead"))
    old, new = move(case, CaseAction.notify)
    changed(
        session,
        ctx,
        case,
        "case.notified",
        (),
        missing=list(verdict.missing),
        **{"from": old, "to": new},
    )


def refuse(session: Session, ctx: Ctx, case_id: str, reason: str) -> None:
    """不予受理, with the reason that goes on the decision."""
    require(ctx, Permission.accept_case)
    finish_with_reason(session, ctx, case_id, CaseAction.refuse, reason, required=True)


def complete_on_spot(session: Session, ctx: Ctx, case_id: str) -> None:
    """即办件: accept, approve and deliver at the window in one go."""
    get_case(session, case_id)
    if not all(
        m is not None and m.handling_type == "immediate" for _c, m in matter_rows(session, case_id)
    ):
        raise ServiceError(_("only on-the-spot matters (即办件) can be completed at once"))
    status = get_case(session, case_id).status
    if status in (CaseStatus.registered, CaseStatus.notified):
        accept(session, ctx, case_id)
    advance(session, ctx, case_id, CaseAction.approve)
    advance(session, ctx, case_id, CaseAction.deliver)


def decide_in(
    session: Session,
    ctx: Ctx,
    case_id: str,
    decision: Decision | str,
    inputs: Sequence[LineInput] = (),
    reason: str = "",
) -> None:
    """Record ``inputs`` and take ``decision`` in the caller's transaction."""
    decision = Decision(decision)
    if inputs:
        record_lines(session, ctx, case_id, inputs)
    if decision is Decision.accept:
        accept(session, ctx, case_id)
    elif decision is Decision.notify:
        notify(session, ctx, case_id)
    elif decision is Decision.refuse:
        refuse(session, ctx, case_id, reason)
    else:
        complete_on_spot(session, ctx, case_id)
    issue_papers(session, ctx, case_id)  # the papers' 文号, in the decision's transaction


def decide(
    store: Store,
    ctx: Ctx,
    case_id: str,
    decision: Decision | str,
    *,
    printer: Printer,
    inputs: Sequence[LineInput] = (),
    reason: str = "",
    font_path: str | os.PathLike[str] | None = None,
    yellow_days: int = 2,
) -> Decided:
    """Record the lines and decide in one transaction, then print what the new status calls for.

    A printing failure does not undo the decision: it is stored, and the papers can be
    reprinted; the failure comes back in ``print_error`` for the clerk to see.
    """
    # Imported here: case_documents reads cases.views, so importing it at the top would
    # make the two packages import each other.
    from hallterm.db.services.case_documents import documents_for, print_documents

    with store.write() as session:
        decide_in(session, ctx, case_id, decision, inputs, reason)
    with store.read() as session:
        kinds = documents_for(load_case(session, ctx, case_id, today_of(ctx), yellow_days))
    printed: list[Printed] = []
    error = None
    try:
        printed = print_documents(
            store, ctx, case_id, kinds, printer, font_path=font_path, yellow_days=yellow_days
        )
    except ServiceError as exc:  # decided and stored; the papers can be reprinted
        error = str(exc)
    with store.read() as session:
        view = load_case(session, ctx, case_id, today_of(ctx), yellow_days)
    return Decided(view, printed, error)
