"""Electronic certificates after issue: reprints, revocation (吊销) and cancellation (注销), lists.

Issuing lives in ``certificate_issue`` (re-exported here, with the key API of
``certificate_keys`` and the templates, for the screens, the CLI and the demo).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from hallterm.db.events import snapshot
from hallterm.db.models import ServiceCase
from hallterm.db.models_certificates import Certificate, CertificateCopy, Revocation
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.certificate_issue import (  # noqa: F401 - re-exported
    ISSUABLE,
    IssueDraft,
    IssueResult,
    _event,
    _find_case,
    _pdf_event_fields,
    certificate_matters,
    issue_certificate,
    issue_draft,
    issue_many,
    issued_matters,
    pending_matters,
)
from hallterm.db.services.certificate_keys import (  # noqa: F401 - the key API, re-exported
    KEY_FILE,
    ROOT_PEM,
    STATION_PEM,
    install_key,
    installed_key_file,
    load_signer,
    station_certificates,
    trusted_roots,
)
from hallterm.db.services.certificate_prefill import prefill, shown_id  # noqa: F401 - re-exported
from hallterm.db.services.certificate_templates import (  # noqa: F401 - re-exported
    VALID_UNTIL,
    Template,
    TemplateField,
    check_values,
    template_fields,
    template_for,
)
from hallterm.db.services.permissions import require
from hallterm.db.services.setup import get_info
from hallterm.domain.roles import Permission
from hallterm.i18n import _
from hallterm.printing.certificate_pdf import CertificateData, render_certificate
from hallterm.printing.keys import KeyBundle


@dataclass(frozen=True)
class CertificateRow:
    number: str
    case_number: str
    certificate_type: str
    holder: str
    station_code: str
    issued_at: Any
    issued_by: str
    copies: int
    revoked: bool
    revoke_reason: str


def _cert(session: Session, number: str) -> Certificate:
    cert = session.get(Certificate, number.strip().upper())
    if cert is None:
        raise ServiceError(_("no certificate {number}").format(number=number))
    return cert


def reprint(session: Session, ctx: Ctx, number: str, reason: str, signer: KeyBundle) -> bytes:
    """A new signed copy of an issued certificate (same number and fields); reason required."""
    require(ctx, Permission.issue_certificate, Permission.revoke_certificate)
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError(_("a reprint needs a reason"))
    cert = _cert(session, number)
    if cert.revoked_at is not None:
        raise ServiceError(_("certificate {number} is revoked").format(number=cert.number))
    data = CertificateData.from_record(json.loads(cert.record))
    now = ctx.clock.now()
    try:
        pdf = render_certificate(data, signer, signed_at=now)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    base = cert.version
    cert.copies += 1
    cert.version += 1
    session.add(cert)
    session.add(
        CertificateCopy(
            number=cert.number,
            copy_no=cert.copies,
            made_at=now,
            made_by=ctx.actor.username,
            reason=reason,
            pdf=pdf,
            station_code=cert.station_code,
        )
    )
    session.flush()
    _event(
        session,
        ctx,
        cert,
        "certificate.reprinted",
        [snapshot(cert, base_version=base)],
        copy=cert.copies,
        reason=reason,
        **_pdf_event_fields(pdf),
    )
    return pdf


REVOCATION_KINDS = ("revoked", "cancelled")


def revoke(session: Session, ctx: Ctx, number: str, reason: str, kind: str = "revoked") -> None:
    """End a certificate (supervisor or admin, reason required) and list it.

    ``kind`` says how, as the law does: "revoked" (吊销, a penalty for a violation) or
    "cancelled" (注销: the licensed activity ended, the holder gave it up, or it lapsed).
    """
    if kind not in REVOCATION_KINDS:
        raise ServiceError(_("unknown kind {kind}: revoked or cancelled").format(kind=kind))
    require(ctx, Permission.revoke_certificate)
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError(_("a revocation needs a reason"))
    cert = _cert(session, number)
    if cert.revoked_at is not None:
        raise ServiceError(_("certificate {number} is already revoked").format(number=cert.number))
    now = ctx.clock.now()
    base = cert.version
    cert.revoked_at = now
    cert.revoked_by = ctx.actor.username
    cert.revoke_reason = reason[:500]
    cert.version += 1
    row = Revocation(
        number=cert.number,
        station_code=cert.station_code,
        reason=reason,
        revoked_at=now,
        revoked_by=ctx.actor.username,
        kind=kind,
    )
    session.add(cert)
    session.add(row)
    session.flush()
    _event(
        session,
        ctx,
        cert,
        "certificate.revoked",
        [snapshot(cert, base_version=base), snapshot(row)],
        reason=reason,
        revocation_kind=kind,
    )
    if get_info(session, "role") == "central":
        # Central publishes the list entry itself; a station's revocation goes up with its events.
        from hallterm.db.sync.central import publish_rows

        publish_rows(session, [row], station_code=None, key=f"revocation:{row.number}", now=now)


def list_certificates(
    session: Session, ctx: Ctx, query: str = "", limit: int = 200
) -> list[CertificateRow]:
    """Certificates, newest first; ``query`` matches number, holder, type or case number."""
    require(ctx, Permission.read_personal)
    stmt = select(Certificate, ServiceCase.number).join(
        ServiceCase, col(ServiceCase.id) == col(Certificate.case_id), isouter=True
    )
    q = query.strip()
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Certificate.number).like(like),
                func.lower(Certificate.holder).like(like),
                func.lower(Certificate.certificate_type).like(like),
                func.lower(ServiceCase.number).like(like),
            )
        )
    stmt = stmt.order_by(col(Certificate.issued_at).desc(), col(Certificate.number).desc()).limit(
        limit
    )
    return [
        CertificateRow(
            c.number,
            case_number or "",
            c.certificate_type,
            c.holder,
            c.station_code,
            c.issued_at,
            c.issued_by,
            c.copies,
            c.revoked_at is not None,
            c.revoke_reason,
        )
        for c, case_number in session.exec(stmt).all()
    ]


def certificate_pdf(session: Session, ctx: Ctx, number: str, copy_no: int | None = None) -> bytes:
    """The signed PDF of a copy as issued (default: the latest copy)."""
    require(ctx, Permission.read_personal)
    cert = _cert(session, number)
    stmt = select(CertificateCopy).where(CertificateCopy.number == cert.number)
    if copy_no is not None:
        stmt = stmt.where(CertificateCopy.copy_no == copy_no)
    row = session.exec(stmt.order_by(col(CertificateCopy.copy_no).desc())).first()
    if row is None:
        raise ServiceError(
            _("the signed file of certificate {number} is not kept in this store").format(
                number=cert.number
            )
        )
    return bytes(row.pdf)


def record_lookup(session: Session) -> dict[str, dict[str, Any]]:
    """Every certificate's record by number (for ``verify``'s ``record`` callback)."""
    return {
        number: json.loads(record)
        for number, record in session.exec(select(Certificate.number, Certificate.record)).all()
    }


def revoked_numbers(session: Session) -> set[str]:
    """The numbers on the revocation list as this store knows it."""
    return set(revocation_kinds(session))


def revocation_kinds(session: Session) -> dict[str, str]:
    """The revocation list: number → "revoked" (吊销) or "cancelled" (注销)."""
    out = {
        number: "revoked"
        for number in session.exec(
            select(Certificate.number).where(col(Certificate.revoked_at).is_not(None))
        )
    }
    for number, kind in session.exec(select(Revocation.number, Revocation.kind)).all():
        out[number] = kind or "revoked"
    return out
