"""Issuing certificates from approved cases: which matter, which template, the signed file.

A certificate is issued from an approved (or delivered) case for each of its matters that
yields one (a bundle 一件事 yields several), in the name of the matter's competent authority,
with the station as the place of issue (templates: ``certificate_templates``).  The number is
made offline (type code, station code, year, the station's yearly serial); the signed PDF is
rendered by ``hallterm.printing.certificate_pdf`` inside the transaction (so a failed signature
writes nothing), kept in ``certificate_copy``, and sent to central with the issue event for
its long-term signature (``certificate_ltv``).  Rendering runs pyHanko's own asyncio loop:
call these services from a thread, never on Textual's loop.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.engine import Store
from hallterm.db.events import canonical_json, snapshot
from hallterm.db.models import Applicant, CaseMatter, Department, Matter, ServiceCase, Station
from hallterm.db.models_certificates import Certificate, CertificateCopy
from hallterm.db.privacy.personal import clear_copy
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.certificate_prefill import prefill, shown_id
from hallterm.db.services.certificate_templates import (
    VALID_UNTIL,
    TemplateField,
    check_values,
    template_fields,
    template_for,
)
from hallterm.db.services.counters import next_value
from hallterm.db.services.permissions import require
from hallterm.domain.case_states import CaseStatus
from hallterm.domain.certno import make_certificate_number
from hallterm.domain.roles import Permission
from hallterm.i18n import _
from hallterm.printing.certificate_pdf import CertificateData, render_certificate
from hallterm.printing.keys import KeyBundle

ISSUABLE = (CaseStatus.approved.value, CaseStatus.delivered.value)


@dataclass(frozen=True)
class IssueDraft:
    """What the issue form shows for a case: its certificate type and prefilled fields."""

    case_id: str
    case_number: str
    certificate_type: str
    holder: str
    fields: list[TemplateField]
    values: dict[str, str]
    matter_code: str = ""


def _find_case(session: Session, case_ref: str) -> ServiceCase:
    row = (
        session.get(ServiceCase, case_ref)
        or session.exec(select(ServiceCase).where(ServiceCase.number == case_ref.strip())).first()
    )
    if row is None:
        raise ServiceError(_("no such case {ref}").format(ref=case_ref))
    return row


def certificate_matters(session: Session, case: ServiceCase) -> list[Matter]:
    """The case's matters that yield a certificate, in the case's order (a bundle: several)."""
    return list(
        session.exec(
            select(Matter)
            .join(CaseMatter, col(CaseMatter.matter_code) == col(Matter.code))
            .where(CaseMatter.case_id == case.id, col(Matter.certificate_type).is_not(None))
            .order_by(col(CaseMatter.position))
        ).all()
    )


def _certificate_matter(session: Session, case: ServiceCase, matter_code: str | None) -> Matter:
    """The matter whose certificate is issued next: ``matter_code``, or the first not issued."""
    matters = [m for m in certificate_matters(session, case) if m.certificate_type]
    if not matters:
        raise ServiceError(
            _("case {number} yields no certificate (its matter has no certificate type)").format(
                number=case.number
            )
        )
    issued = issued_matters(session, case.id)
    if matter_code is not None:
        chosen = next((m for m in matters if m.code == matter_code), None)
        if chosen is None:
            raise ServiceError(
                _("matter {code} of case {number} yields no certificate").format(
                    code=matter_code, number=case.number
                )
            )
        return chosen
    pending = [m for m in matters if m.code not in issued]
    if not pending:
        raise ServiceError(
            _("every certificate of case {case} is issued; reprint instead").format(
                case=case.number
            )
        )
    return pending[0]


def issued_matters(session: Session, case_id: str) -> dict[str, str]:
    """Certificate numbers already issued for a case, by matter code."""
    rows = session.exec(
        select(Certificate.matter_code, Certificate.number).where(Certificate.case_id == case_id)
    ).all()
    return {code or "": number for code, number in rows}


def pending_matters(session: Session, case_id: str) -> list[str]:
    """Codes of the case's certificate matters not yet issued (a bundle may have several)."""
    case = session.get(ServiceCase, case_id)
    if case is None:
        return []
    issued = issued_matters(session, case_id)
    return [m.code for m in certificate_matters(session, case) if m.code not in issued]


def _authority(session: Session, matter: Matter) -> Department | None:
    return session.get(Department, matter.department_code)


def issue_draft(
    session: Session, case_ref: str, matter_code: str | None = None, today: date | None = None
) -> IssueDraft:
    """The fields form for the next certificate of case ``case_ref`` (id or number).

    ``today`` (the hall's date) prefills the date rows; without it they are filled at issue.
    """
    case = _find_case(session, case_ref)
    matter = _certificate_matter(session, case, matter_code)
    applicant = clear_copy(session, session.get(Applicant, case.applicant_id))
    assert applicant is not None
    fields = template_fields(matter.certificate_type or "")
    return IssueDraft(
        case.id,
        case.number,
        matter.certificate_type or "",
        applicant.name,
        fields,
        prefill(fields, applicant, matter, _authority(session, matter), today),
        matter.code,
    )


def _valid_until(text: str, issued_on: date, years: int | None, given: bool) -> date | None:
    if given:
        if not text.strip():
            return None
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise ServiceError(
                _("valid until {value!r} is not a date (YYYY-MM-DD)").format(value=text)
            ) from None
    if years is None:
        return None
    try:
        end = issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February
        end = issued_on.replace(year=issued_on.year + years, day=28)
    return end - timedelta(days=1)


def _event(
    session: Session,
    ctx: Ctx,
    cert: Certificate,
    kind: str,
    rows: list[dict[str, Any]],
    **extra: Any,
) -> None:
    record_event(
        session,
        ctx,
        entity="certificate",
        entity_id=cert.number,
        kind=kind,
        payload={"number": cert.number, "case_id": cert.case_id, **extra, "rows": rows},
    )


def _pdf_event_fields(pdf: bytes) -> dict[str, str]:
    """The signed file for central's timestamping step (see ``certificate_ltv``)."""
    return {"pdf_b64": base64.b64encode(pdf).decode("ascii")}


def issue_certificate(
    session: Session,
    ctx: Ctx,
    case_id: str,
    fields: Mapping[str, str],
    signer: KeyBundle,
    *,
    matter_code: str | None = None,
) -> tuple[str, bytes]:
    """Issue a certificate of an approved case; returns its number and the signed PDF.

    ``matter_code`` names the matter whose certificate is issued; by default the case's first
    certificate matter not yet issued (a bundle issues one per call, every one in turn).
    ``fields`` are keyed by template field key (``valid_until`` included); missing fields
    are prefilled from the case and applicant.  Later copies are reprints.
    """
    require(ctx, Permission.issue_certificate)
    case = _find_case(session, case_id)
    if case.status not in ISSUABLE:
        raise ServiceError(
            _("case {number} is not approved; a certificate cannot be issued").format(
                number=case.number
            )
        )
    matter = _certificate_matter(session, case, matter_code)
    type_name = matter.certificate_type or ""
    issued = issued_matters(session, case.id)
    existing = issued.get(matter.code)
    if existing is None and matter_code is None:
        existing = issued.get("")  # issued before certificates named their matter
    if existing is not None:
        raise ServiceError(
            _("case {case} already has certificate {number}; reprint it instead").format(
                case=case.number, number=existing
            )
        )
    applicant = clear_copy(session, session.get(Applicant, case.applicant_id))
    station = session.get(Station, ctx.station_code)
    if applicant is None or station is None:
        raise ServiceError(_("the case's applicant or station is missing"))
    authority = _authority(session, matter)
    if authority is None:
        raise ServiceError(
            _("the competent authority {code} of matter {matter} is not in the catalog").format(
                code=matter.department_code, matter=matter.name
            )
        )
    tpl = template_for(type_name)
    tpl_fields = template_fields(type_name)
    known = {f.key for f in tpl_fields}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ServiceError(
            _("unknown certificate field(s): {keys}; expected: {known}").format(
                keys=", ".join(unknown), known=", ".join(sorted(known))
            )
        )
    now = ctx.clock.now()
    issued_on = to_local(now).date()
    known_values = prefill(tpl_fields, applicant, matter, authority, issued_on)
    values = {**known_values, **{k: " ".join(v.split()) for k, v in fields.items()}}
    for f in tpl_fields:
        if f.auto:
            values[f.key] = known_values.get(f.key, "")
    try:
        check_values(tpl, values)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    valid_until = _valid_until(
        values.get(VALID_UNTIL, ""), issued_on, tpl.valid_years, VALID_UNTIL in fields
    )
    serial = next_value(session, f"cert:{ctx.station_code}:{issued_on.year}")
    try:
        number = make_certificate_number(tpl.type_code, ctx.station_code, issued_on.year, serial)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    holder = values.get(tpl.holder_key) or applicant.name
    data = CertificateData(
        number=number,
        certificate_type=tpl.type_code,
        title=type_name,
        holder=holder,
        holder_id=shown_id(applicant),
        fields=tuple((_(f.label), values[f.key]) for f in tpl.fields if values.get(f.key)),
        authority_code=authority.code,
        authority_name=authority.name,
        station_code=ctx.station_code,
        station_name=station.name,
        issued_on=issued_on,
        valid_until=valid_until,
        case_number=case.number,
    )
    try:
        pdf = render_certificate(data, signer, signed_at=now)
    except ValueError as exc:  # e.g. another station's key
        raise ServiceError(str(exc)) from None
    cert = Certificate(
        number=number,
        case_id=case.id,
        matter_code=matter.code,
        station_code=ctx.station_code,
        certificate_type=type_name,
        holder=holder,
        record=canonical_json(data.to_record()),
        issued_at=now,
        issued_by=ctx.actor.username,
        copies=1,
    )
    session.add(cert)
    session.add(
        CertificateCopy(
            number=number,
            copy_no=1,
            made_at=now,
            made_by=ctx.actor.username,
            pdf=pdf,
            station_code=cert.station_code,
        )
    )
    session.flush()
    _event(
        session,
        ctx,
        cert,
        "certificate.issued",
        [snapshot(cert)],
        case_number=case.number,
        copy=1,
        **_pdf_event_fields(pdf),
    )
    return number, pdf


IssueResult = tuple[str, str | None, bytes | None, str | None]  # case, number, pdf, error


def issue_many(
    store: Store,
    ctx: Ctx,
    case_refs: list[str],
    fields: Mapping[str, str],
    signer: KeyBundle,
    matter_code: str | None = None,
) -> list[IssueResult]:
    """Issue every pending certificate of each case (or only ``matter_code``'s), one key.

    Each certificate is its own transaction; a refused one is reported and the rest go on.
    ``fields`` apply to every template that has them; a key no template of a case knows is
    refused for that case.
    """
    results: list[IssueResult] = []
    for ref in case_refs:
        try:
            with store.read() as session:
                case = _find_case(session, ref)
                issued = issued_matters(session, case.id)
                matters = [
                    m
                    for m in certificate_matters(session, case)
                    if (m.code == matter_code if matter_code else m.code not in issued)
                ]
                if not matters:
                    _certificate_matter(session, case, matter_code)  # raises the reason
                keys = {
                    m.code: {f.key for f in template_fields(m.certificate_type or "")}
                    for m in matters
                }
            unknown = sorted(set(fields) - set().union(*keys.values()))
            if unknown:
                raise ServiceError(
                    _("unknown certificate field(s): {keys}; expected: {known}").format(
                        keys=", ".join(unknown),
                        known=", ".join(sorted(set().union(*keys.values()))),
                    )
                )
        except ServiceError as exc:
            results.append((ref, None, None, str(exc)))
            continue
        for m in matters:
            mine = {k: v for k, v in fields.items() if k in keys[m.code]}
            try:
                with store.write() as session:
                    number, pdf = issue_certificate(
                        session, ctx, case.id, mine, signer, matter_code=m.code
                    )
                results.append((ref, number, pdf, None))
            except ServiceError as exc:
                results.append((ref, None, None, str(exc)))
    return results
