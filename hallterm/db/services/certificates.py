"""Electronic certificates: templates, issuing from approved cases, reprints, revocation.

A certificate is issued from an approved (or delivered) case whose matter yields one.  The
number is made offline (type code, station code, year, the station's yearly serial); the
signed PDF is rendered by ``hallterm.printing.certificate_pdf`` inside the transaction (so a
failed signature writes nothing) and kept in ``certificate_copy`` for export.  Rendering runs
pyHanko's own asyncio loop: call these services from a thread, never on Textual's loop.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.events import canonical_json, snapshot
from hallterm.db.models import Applicant, CaseMatter, Matter, ServiceCase, Station
from hallterm.db.models_certificates import Certificate, CertificateCopy, Revocation
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.counters import next_value
from hallterm.db.services.setup import get_info, set_info
from hallterm.domain.case_states import CaseStatus
from hallterm.domain.certno import make_certificate_number
from hallterm.domain.ids import mask_id
from hallterm.i18n import N_, _
from hallterm.printing.certificate_pdf import CertificateData, render_certificate
from hallterm.printing.keys import KeyBundle, load_p12

ISSUABLE = (CaseStatus.approved.value, CaseStatus.delivered.value)
REVOKERS = ("supervisor", "admin")
VALID_UNTIL = "valid_until"


@dataclass(frozen=True)
class TemplateField:
    key: str  # what ``--field KEY=VALUE`` names
    label: str  # msgid; the translated label is printed on the certificate
    source: str = ""  # "address", "legal_rep", "matter": prefilled from the case
    required: bool = True


@dataclass(frozen=True)
class Template:
    type_code: str  # GB/T 36904 type code part of the number
    fields: tuple[TemplateField, ...]
    valid_years: int | None  # None: long-term


_ADDRESS = TemplateField("address", N_("Business premises"), "address")
_SCOPE = TemplateField("scope", N_("Business scope"))
_TEMPLATES: dict[str, Template] = {
    "营业执照": Template(
        "YYZZ",
        (
            TemplateField("legal_rep", N_("Legal representative / operator"), "legal_rep"),
            TemplateField("residence", N_("Residence"), "address"),
            _SCOPE,
        ),
        None,
    ),
    "食品经营许可证": Template(
        "SPJY",
        (
            _ADDRESS,
            TemplateField("scope", N_("Business items")),
        ),
        5,
    ),
    "药品经营许可证": Template("YPJY", (_ADDRESS, _SCOPE), 5),
    "公共场所卫生许可证": Template(
        "GGWS", (_ADDRESS, TemplateField("scope", N_("Licensed items"))), 4
    ),
    "燃气经营许可证": Template("RQJY", (_ADDRESS, _SCOPE), 3),
    "道路运输经营许可证": Template(
        "DLYS", (TemplateField("residence", N_("Residence"), "address"), _SCOPE), 4
    ),
}
_GENERIC = Template(
    "ZZ",
    (
        TemplateField("residence", N_("Residence"), "address", required=False),
        TemplateField("matter", N_("Matter"), "matter"),
    ),
    None,
)


def template_for(certificate_type: str) -> Template:
    """The template of a certificate type (the catalog's name, e.g. 营业执照); generic if none."""
    return _TEMPLATES.get(certificate_type, _GENERIC)


def template_fields(certificate_type: str) -> list[TemplateField]:
    """The clerk's fields for ``certificate_type``, the validity date (``valid_until``) last."""
    tpl = template_for(certificate_type)
    return [
        *tpl.fields,
        TemplateField(VALID_UNTIL, N_("Valid until (YYYY-MM-DD, empty: long-term)"), "", False),
    ]


@dataclass(frozen=True)
class IssueDraft:
    """What the issue form shows for a case: its certificate type and prefilled fields."""

    case_id: str
    case_number: str
    certificate_type: str
    holder: str
    fields: list[TemplateField]
    values: dict[str, str]


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


def _find_case(session: Session, case_ref: str) -> ServiceCase:
    row = (
        session.get(ServiceCase, case_ref)
        or session.exec(select(ServiceCase).where(ServiceCase.number == case_ref.strip())).first()
    )
    if row is None:
        raise ServiceError(_("no such case {ref}").format(ref=case_ref))
    return row


def _certificate_matter(session: Session, case: ServiceCase) -> Matter:
    matters = session.exec(
        select(Matter)
        .join(CaseMatter, col(CaseMatter.matter_code) == col(Matter.code))
        .where(CaseMatter.case_id == case.id)
        .order_by(col(CaseMatter.position))
    ).all()
    for m in matters:
        if m.certificate_type:
            return m
    raise ServiceError(
        _("case {number} yields no certificate (its matter has no certificate type)").format(
            number=case.number
        )
    )


def _prefill(
    tpl_fields: list[TemplateField], applicant: Applicant, matter: Matter
) -> dict[str, str]:
    sources = {
        "address": applicant.address,
        "legal_rep": applicant.legal_rep,
        "matter": matter.name,
    }
    return {f.key: sources.get(f.source, "") for f in tpl_fields if f.source}


def issue_draft(session: Session, case_ref: str) -> IssueDraft:
    """The fields form for issuing the certificate of case ``case_ref`` (id or number)."""
    case = _find_case(session, case_ref)
    matter = _certificate_matter(session, case)
    applicant = session.get(Applicant, case.applicant_id)
    assert applicant is not None
    fields = template_fields(matter.certificate_type or "")
    return IssueDraft(
        case.id,
        case.number,
        matter.certificate_type or "",
        applicant.name,
        fields,
        _prefill(fields, applicant, matter),
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
    session: Session, ctx: Ctx, cert: Certificate, kind: str, rows: list[Any], **extra: Any
) -> None:
    record_event(
        session,
        ctx,
        entity="certificate",
        entity_id=cert.number,
        kind=kind,
        payload={"number": cert.number, "case_id": cert.case_id, **extra, "rows": rows},
    )


def issue_certificate(
    session: Session,
    ctx: Ctx,
    case_id: str,
    fields: Mapping[str, str],
    signer: KeyBundle,
) -> tuple[str, bytes]:
    """Issue the certificate of an approved case; returns its number and the signed PDF.

    ``fields`` are keyed by template field key (``valid_until`` included); missing fields
    are prefilled from the case and applicant.  A case keeps one certificate: later copies
    are reprints.
    """
    case = _find_case(session, case_id)
    if case.status not in ISSUABLE:
        raise ServiceError(
            _("case {number} is not approved; a certificate cannot be issued").format(
                number=case.number
            )
        )
    matter = _certificate_matter(session, case)
    type_name = matter.certificate_type or ""
    existing = session.exec(select(Certificate).where(Certificate.case_id == case.id)).first()
    if existing is not None:
        raise ServiceError(
            _("case {case} already has certificate {number}; reprint it instead").format(
                case=case.number, number=existing.number
            )
        )
    applicant = session.get(Applicant, case.applicant_id)
    station = session.get(Station, ctx.station_code)
    if applicant is None or station is None:
        raise ServiceError(_("the case's applicant or station is missing"))
    tpl = template_for(type_name)
    tpl_fields = template_fields(type_name)
    known = {f.key for f in tpl_fields}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ServiceError(
            _("unknown certificate field(s): {keys}; expected: {known}").format(
                keys=", ".join(unknown), known=", ".join(f.key for f in tpl_fields)
            )
        )
    values = {
        **_prefill(tpl_fields, applicant, matter),
        **{k: v.strip() for k, v in fields.items()},
    }
    for f in tpl.fields:
        if f.required and not values.get(f.key):
            raise ServiceError(_("the field {label} is required").format(label=_(f.label)))
    now = ctx.clock.now()
    issued_on = to_local(now).date()
    valid_until = _valid_until(
        values.get(VALID_UNTIL, ""), issued_on, tpl.valid_years, VALID_UNTIL in fields
    )
    serial = next_value(session, f"cert:{ctx.station_code}:{issued_on.year}")
    try:
        number = make_certificate_number(tpl.type_code, ctx.station_code, issued_on.year, serial)
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
    data = CertificateData(
        number=number,
        certificate_type=tpl.type_code,
        title=type_name,
        holder=applicant.name,
        holder_id_masked=mask_id(applicant.id_number),
        fields=tuple((_(f.label), values[f.key]) for f in tpl.fields if values.get(f.key)),
        issuer_code=ctx.station_code,
        issuer_name=station.name,
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
        station_code=ctx.station_code,
        certificate_type=type_name,
        holder=applicant.name,
        record=canonical_json(data.to_record()),
        issued_at=now,
        issued_by=ctx.actor.username,
        copies=1,
    )
    session.add(cert)
    session.add(
        CertificateCopy(number=number, copy_no=1, made_at=now, made_by=ctx.actor.username, pdf=pdf)
    )
    session.flush()
    _event(session, ctx, cert, "certificate.issued", [snapshot(cert)], case_number=case.number)
    return number, pdf


def _cert(session: Session, number: str) -> Certificate:
    cert = session.get(Certificate, number.strip().upper())
    if cert is None:
        raise ServiceError(_("no certificate {number}").format(number=number))
    return cert


def reprint(session: Session, ctx: Ctx, number: str, reason: str, signer: KeyBundle) -> bytes:
    """A new signed copy of an issued certificate (same number and fields); reason required."""
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
    )
    return pdf


def revoke(session: Session, ctx: Ctx, number: str, reason: str) -> None:
    """Revoke a certificate (supervisor or admin, reason required) and list it as revoked."""
    if ctx.actor.role not in REVOKERS:
        raise ServiceError(_("only a supervisor or an administrator may revoke a certificate"))
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
    )
    if get_info(session, "role") == "central":
        # Central publishes the list entry itself; a station's revocation goes up with its events.
        from hallterm.db.sync.central import publish_rows

        publish_rows(session, [row], station_code=None, key=f"revocation:{row.number}", now=now)


def list_certificates(session: Session, query: str = "", limit: int = 200) -> list[CertificateRow]:
    """Certificates, newest first; ``query`` matches number, holder, type or case number."""
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


def certificate_pdf(session: Session, number: str, copy_no: int | None = None) -> bytes:
    """The signed PDF of a copy as issued (default: the latest copy)."""
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
    """The revocation list as this store knows it."""
    listed = set(session.exec(select(Revocation.number)).all())
    marked = set(
        session.exec(select(Certificate.number).where(col(Certificate.revoked_at).is_not(None)))
    )
    return listed | marked


# --- the station's signing key -----------------------------------------------------------

KEY_FILE = "key_file"
ROOT_PEM = "root_cert_pem"
STATION_PEM = "station_cert_pem"


def install_key(session: Session, source: Path, dest_dir: Path, passphrase: bytes) -> Path:
    """Copy a station key file into ``dest_dir`` (mode 0600) and record it in the store.

    The passphrase is checked first; the trusted root (the last certificate of the chain)
    is kept in ``store_info`` so ``verify`` and ``keys export-root --from-store`` find it.
    """
    bundle = load_p12(source, passphrase)  # KeyFileError on a wrong passphrase or file
    own = get_info(session, "station_code")
    if bundle.station_code and own and bundle.station_code != own:
        raise ServiceError(
            _("the key file is for station {key}, but this store is station {own}").format(
                key=bundle.station_code, own=own
            )
        )
    dest = Path(dest_dir) / f"station-{bundle.station_code or 'key'}.p12"
    if Path(source).resolve() != dest.resolve():
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Path(source).read_bytes())
    os.chmod(dest, 0o600)
    set_info(session, KEY_FILE, str(dest))
    set_info(session, STATION_PEM, bundle.cert.public_bytes(serialization.Encoding.PEM).decode())
    if bundle.chain:
        root = bundle.chain[-1].public_bytes(serialization.Encoding.PEM).decode("ascii")
        set_info(session, ROOT_PEM, root)
    return dest


def installed_key_file(session: Session) -> Path:
    path = get_info(session, KEY_FILE)
    if not path:
        raise ServiceError(_("no signing key is installed; run: hallterm keys install FILE"))
    return Path(path)


def trusted_roots(session: Session) -> list[x509.Certificate]:
    """The trusted root certificate(s) recorded at key install (empty if none)."""
    pem = get_info(session, ROOT_PEM)
    return x509.load_pem_x509_certificates(pem.encode("ascii")) if pem else []


def load_signer(session: Session, passphrase: bytes) -> KeyBundle:
    """The installed station key (``KeyFileError`` if the passphrase or file is wrong)."""
    return load_p12(installed_key_file(session), passphrase)


def station_certificates(session: Session) -> list[x509.Certificate]:
    """The station signing certificate(s) known to this store (for ``verify --qr``)."""
    pem = get_info(session, STATION_PEM)
    return x509.load_pem_x509_certificates(pem.encode("ascii")) if pem else []
