"""The printed papers of a case: from the stored case to ``CaseDocument``/``Issuer`` to a PDF.

``document_data`` reads a case into the plain data the renderers take (with each paper's
文号 and decision date from ``papers``); ``render_document`` draws one document (no
database); ``print_documents`` numbers any paper not numbered yet, reads, draws outside any
transaction, then ``record_print`` in a short write, so every printed paper is in the audit
trail and a slow printer never holds a database lock.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from sqlmodel import Session, select

from hallterm.clock import to_local
from hallterm.db.engine import Store
from hallterm.db.models import (
    Applicant,
    CaseSuspension,
    Matter,
    ServiceCase,
    Station,
    StoredMaterial,
)
from hallterm.db.privacy.personal import open_applicant
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.cases.common import record_print
from hallterm.db.services.cases.views import CaseView, load_case
from hallterm.db.services.papers import (
    decision_time,
    issue_papers,
    paper_kinds,
    paper_settings,
    stored_papers,
)
from hallterm.domain.case_states import CaseStatus
from hallterm.domain.checklist import LineState
from hallterm.i18n import N_, _
from hallterm.printing.documents import (
    CaseDocument,
    DeferredItem,
    Delivery,
    Issuer,
    MissingItem,
    ReceivedItem,
    Suspension,
    render_completion,
    render_deferral_pledge,
    render_delivery,
    render_notice,
    render_receipt,
    render_refusal,
    render_suspension,
)
from hallterm.printing.fonts import FontNotFound
from hallterm.printing.output import Printer

DocumentKind = Literal[
    "receipt", "notice", "refusal", "pledge", "completion", "suspension", "delivery"
]

_RENDERERS: dict[str, Callable[..., Path]] = {
    "receipt": render_receipt,
    "notice": render_notice,
    "refusal": render_refusal,
    "pledge": render_deferral_pledge,
    "completion": render_completion,
    "suspension": render_suspension,
    "delivery": render_delivery,
}

_KIND_LABELS = {
    "receipt": N_("acceptance notice"),
    "notice": N_("one-time notice"),
    "refusal": N_("decision not to accept"),
    "pledge": N_("deferral pledge"),
    "completion": N_("completion notice"),
    "suspension": N_("suspension notice"),
    "delivery": N_("proof of delivery"),
}

_RECEIVED_AS = {
    "original": N_("original"),
    "copy": N_("copy"),
    "electronic": N_("electronic file"),
}


def kind_label(kind: str) -> str:
    """Translated name of a document kind (受理通知书 …)."""
    return _(_KIND_LABELS.get(kind, kind))


def received_as_label(received_as: str | None) -> str:
    return _(_RECEIVED_AS[received_as]) if received_as in _RECEIVED_AS else ""


@dataclass(frozen=True)
class Printed:
    """One printed document: the kept PDF and, if the printer failed, what to tell the clerk."""

    kind: str
    path: Path
    printer_message: str | None = None


def documents_for(view: CaseView) -> tuple[str, ...]:
    """The papers the case's status calls for (what its decision prints, and a reprint)."""
    immediate = bool(view.matters) and all(m.handling_type == "immediate" for m in view.matters)
    deferred = any(line.state == LineState.deferred for line in view.lines)
    return paper_kinds(view.status, immediate, deferred)


def _count_text(originals: int, copies: int) -> str:
    parts = []
    if originals:
        parts.append(_("originals: {n}").format(n=originals))
    if copies:
        parts.append(_("copies: {n}").format(n=copies))
    return _("; ").join(parts)


def document_data(
    session: Session, ctx: Ctx, case_id: str, yellow_days: int = 2
) -> tuple[CaseDocument, Issuer]:
    """Everything the four documents print about the case, and who prints it."""
    today = to_local(ctx.clock.now()).date()
    cal = calendar_for(session)
    view = load_case(session, ctx, case_id, today, yellow_days, cal)
    verdict = view.verdict()
    missing_names = set(verdict.missing)
    received: list[ReceivedItem] = []
    missing: list[MissingItem] = []
    deferred: list[DeferredItem] = []
    for line in view.lines:
        req = line.requirement
        if line.state == LineState.received:
            # Originals and copies are counted apart: one row per form received.
            forms = [("original", line.originals), ("copy", line.copies)]
            if line.electronic or not any(n for _f, n in forms):
                forms = [(line.received_as or "electronic", line.electronic or line.count)]
            for form, n in forms:
                if n:
                    received.append(ReceivedItem(req.name, received_as_label(form), n))
        elif line.state == LineState.reused:
            stored = session.get(StoredMaterial, line.reused_from) if line.reused_from else None
            kind = received_as_label(stored.received_as) if stored else ""
            received.append(ReceivedItem(req.name, kind, max(line.count, 1), reused=True))
        elif line.state == LineState.deferred and line.deferred_until is not None:
            deferred.append(DeferredItem(req.name, line.deferred_until))
        if req.name in missing_names and line.state not in (
            LineState.received,
            LineState.reused,
        ):
            reason = line.note.strip() or _("not submitted")
            counts = _count_text(req.originals, req.copies)
            standard = "；".join(s for s in (req.standard, counts) if s)
            missing.append(MissingItem(req.name, reason, standard))
    limit = view.limit_days
    if limit is None:
        limit = max((m.promised_limit_days for m in view.matters), default=0)
    note = None
    if view.due_date is not None and cal.needs_update(view.due_date):
        note = calendar_note(view.due_date)
    refusal_reason = view.decision_reason if view.status == CaseStatus.refused else None
    settings = paper_settings(session)
    papers = stored_papers(session, case_id)
    decided_on = {kind: to_local(p.decided_at).date() for kind, p in papers.items()}
    case_row = session.get(ServiceCase, case_id)
    assert case_row is not None
    for kind in ("receipt", "pledge", "notice", "refusal", "completion", "delivery"):
        # A paper not numbered (another station's case) still prints its decision's date.
        decided_on.setdefault(kind, to_local(decision_time(session, case_row, kind)).date())
    supply_by = None
    if "notice" in decided_on and view.status == CaseStatus.notified:
        supply_by = cal.add_working_days(decided_on["notice"], settings.supply_days)
    document = CaseDocument(
        case_number=view.number,
        applicant_name=view.applicant.name,
        applicant_id_masked=view.applicant.id_masked,
        applicant_phone=view.applicant.phone,
        matters=tuple(m.name for m in view.matters),
        bundle_name=view.bundle_name,
        received=tuple(received),
        missing=tuple(missing),
        deferred=tuple(deferred),
        registered_at=to_local(view.registered_at),
        accepted_at=to_local(view.accepted_at) if view.accepted_at else None,
        due_date=view.due_date,
        promised_days=limit,
        calendar_note=note,
        refusal_reason=refusal_reason,
        legal_basis=_refusal_basis(session, view) if refusal_reason else "",
        addressee=view.applicant.name,
        numbers={kind: p.number for kind, p in papers.items()},
        decided_on=decided_on,
        supply_by=supply_by,
        review_body=settings.review_body,
        court=settings.court,
        completed_at=to_local(view.completed_at) if view.completed_at else None,
        suspension=_suspension(session, case_id),
        delivery=_delivery(session, case_row),
        results=_results(view),
        agent_name=case_row.agent_name,
        agent_id_masked=view.agent_id_masked,
    )
    station = session.get(Station, view.station_code)
    issuer = Issuer(
        station_code=view.station_code,
        station_name=station.name if station else view.station_code,
        window=ctx.actor.window or view.window,
        clerk_name=ctx.actor.name,
        printed_at=to_local(ctx.clock.now()),
        hall_address=station.address if station else "",
        phone=station.phone if station else "",
    )
    return document, issuer


def _suspension(session: Session, case_id: str) -> Suspension | None:
    """The open suspension, else the last one."""
    rows = session.exec(
        select(CaseSuspension)
        .where(CaseSuspension.case_id == case_id)
        .order_by(CaseSuspension.started_on.desc())  # type: ignore[attr-defined]
    ).all()
    row = next((r for r in rows if r.ended_on is None), rows[0] if rows else None)
    if row is None:
        return None
    return Suspension(row.reason, row.started_on, row.expected_resume_on)


def _delivery(session: Session, case: ServiceCase) -> Delivery | None:
    """How the result was delivered, once it was (address for post: the applicant's)."""
    if not case.delivery_method and case.delivered_at is None:
        return None
    applicant = session.get(Applicant, case.applicant_id)
    address = open_applicant(session, applicant).address if applicant else ""
    return Delivery(
        method=case.delivery_method or "window",
        delivered_at=to_local(case.delivered_at) if case.delivered_at else None,
        tracking_number=case.delivery_reference if case.delivery_method == "post" else "",
        address=(case.delivery_reference if case.delivery_method == "electronic" else address),
        recipient=case.agent_name or (applicant.name if applicant else ""),
    )


def _results(view: CaseView) -> tuple[str, ...]:
    """What the case delivers: each matter's certificate, else the matter's result."""
    return tuple(
        m.certificate_type or _("result of {matter}").format(matter=m.name) for m in view.matters
    )


def calendar_note(due: date) -> str:
    """The warning printed and shown when the due date falls in a year not yet in the calendar."""
    return _(
        "The holiday arrangement for {year} is not in the working-day calendar yet; the date "
        "counts Monday to Friday and may move once the calendar is updated."
    ).format(year=due.year)


def _refusal_basis(session: Session, view: CaseView) -> str:
    """Article 32 of the Administrative Licensing Law, and the matters' own legal basis."""
    parts = [_("Administrative Licensing Law of the People's Republic of China, Article 32")]
    for brief in view.matters:
        matter = session.get(Matter, brief.code)
        if matter is not None and matter.legal_basis.strip():
            parts.append(matter.legal_basis.strip())
    return "\n".join(dict.fromkeys(parts))


def render_document(
    kind: str,
    document: CaseDocument,
    issuer: Issuer,
    printer: Printer,
    *,
    font_path: str | os.PathLike[str] | None = None,
) -> Printed:
    """Draw one document into the printer's folder and send it to the printer (if any)."""
    try:
        render = _RENDERERS[kind]
    except KeyError:
        raise ServiceError(_("unknown document {kind}").format(kind=kind)) from None
    out = printer.pdf_path(kind, document.case_number)
    try:
        render(document, issuer, out, font_path=font_path or None)
    except FontNotFound as exc:
        raise ServiceError(str(exc)) from None
    return Printed(kind, out, printer.send(out))


def print_documents(
    store: Store,
    ctx: Ctx,
    case_id: str,
    kinds: Sequence[str],
    printer: Printer,
    *,
    font_path: str | os.PathLike[str] | None = None,
    yellow_days: int = 2,
) -> list[Printed]:
    """Print ``kinds`` for the case and record each print in the audit trail."""
    if not kinds:
        return []
    with store.write() as session:
        # Papers of a case decided before numbering existed get their 文号 at first print.
        issue_papers(session, ctx, case_id, kinds)
    with store.read() as session:
        document, issuer = document_data(session, ctx, case_id, yellow_days)
    printed = [render_document(k, document, issuer, printer, font_path=font_path) for k in kinds]
    with store.write() as session:
        for p in printed:
            record_print(session, ctx, case_id, p.kind, str(p.path))
    return printed
