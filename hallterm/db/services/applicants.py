"""Applicants: registration with checked ID numbers, recall by ID, revealing the full number.

One ID number is one applicant (a unique constraint on the blind index backs the check).
ID number, phone and address are stored encrypted (``hallterm.db.privacy.personal``); the
full number is only returned by ``reveal_id``, which writes an audit event; everything else
carries the masked form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from hallterm.clock import to_local
from hallterm.db.events import snapshot
from hallterm.db.ids import new_id
from hallterm.db.models import Applicant, StoredMaterial
from hallterm.db.privacy.personal import id_index, open_applicant, seal_applicant
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.permissions import require
from hallterm.domain.ids import (
    ENTITY_ID_TYPES,
    IdError,
    IdType,
    mask_id,
    validate_id,
    validate_phone,
)
from hallterm.domain.privacy import REVEAL_PURPOSES
from hallterm.domain.roles import Permission
from hallterm.i18n import _


@dataclass(frozen=True)
class ApplicantView:
    id: str
    kind: str
    name: str
    id_type: str
    id_masked: str
    phone: str
    address: str
    legal_rep: str


@dataclass(frozen=True)
class StoredView:
    id: str
    type_code: str
    name: str
    received_as: str
    received_on: date
    valid_until: date | None


def view(session: Session, a: Applicant) -> ApplicantView:
    """The applicant for screens and papers: ID masked, phone and address in clear."""
    clear = open_applicant(session, a)
    masked = mask_id(clear.id_number) if clear.readable else clear.id_number
    return ApplicantView(
        a.id, a.kind, a.name, a.id_type, masked, clear.phone, clear.address, a.legal_rep
    )


def _by_id(session: Session, id_type: str, number: str) -> Applicant | None:
    index = id_index(session, id_type, number)
    return session.exec(
        select(Applicant).where(Applicant.id_type == id_type, Applicant.id_index == index)
    ).first()


def normalize_id(id_type: str, id_number: str, today: date | None = None) -> str:
    """The checked, normalised number; ``today`` (the hall's date) also checks birth dates."""
    try:
        return validate_id(id_type, id_number, today=today)
    except IdError as exc:
        raise ServiceError(str(exc)) from None


def find_applicant(
    session: Session, ctx: Ctx, id_type: str, id_number: str, today: date | None = None
) -> ApplicantView | None:
    """The applicant with this ID, or None; raises ``ServiceError`` for an invalid number."""
    require(ctx, Permission.read_personal)
    number = normalize_id(id_type, id_number, today)
    row = _by_id(session, id_type, number)
    return view(session, row) if row else None


def get_applicant(session: Session, ctx: Ctx, applicant_id: str) -> ApplicantView:
    require(ctx, Permission.read_personal)
    row = session.get(Applicant, applicant_id)
    if row is None:
        raise ServiceError(_("no such applicant"))
    return view(session, row)


def register_applicant(
    session: Session,
    ctx: Ctx,
    *,
    id_type: str,
    id_number: str,
    name: str,
    phone: str = "",
    address: str = "",
    legal_rep: str = "",
) -> ApplicantView:
    """Register a new applicant; an ID number already on file is refused (recall it instead)."""
    require(ctx, Permission.front_desk)
    number = normalize_id(id_type, id_number, to_local(ctx.clock.now()).date())
    name = " ".join(name.split())
    if not name:
        raise ServiceError(_("the name is required"))
    kind = "entity" if IdType(id_type) in ENTITY_ID_TYPES else "person"
    if kind == "entity" and not legal_rep.strip():
        raise ServiceError(_("an entity needs its legal representative"))
    try:
        phone = validate_phone(phone) if phone.strip() else ""
    except IdError as exc:
        raise ServiceError(str(exc)) from None
    if _by_id(session, str(id_type), number):
        raise ServiceError(_("an applicant with this ID number is already registered"))
    row = Applicant(
        id=new_id(),
        kind=kind,
        name=name,
        id_type=str(id_type),
        id_number="",
        legal_rep=legal_rep.strip(),
        station_code=ctx.station_code,
        created_at=ctx.clock.now(),
    )
    seal_applicant(session, row, id_number=number, phone=phone, address=address.strip())
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise ServiceError(_("an applicant with this ID number is already registered")) from None
    record_event(
        session,
        ctx,
        entity="applicant",
        entity_id=row.id,
        kind="applicant.registered",
        payload={"rows": [snapshot(row)]},
    )
    return view(session, row)


def update_contact(
    session: Session, ctx: Ctx, applicant_id: str, *, phone: str, address: str
) -> ApplicantView:
    require(ctx, Permission.front_desk)
    row = session.get(Applicant, applicant_id)
    if row is None:
        raise ServiceError(_("no such applicant"))
    try:
        phone = validate_phone(phone) if phone.strip() else ""
    except IdError as exc:
        raise ServiceError(str(exc)) from None
    clear = open_applicant(session, row)
    if not clear.readable:
        raise ServiceError(_("this applicant's personal data cannot be changed here"))
    if (clear.phone, clear.address) == (phone, address.strip()):
        return view(session, row)
    base = row.version
    seal_applicant(session, row, id_number=clear.id_number, phone=phone, address=address.strip())
    row.version = row.version + 1
    session.add(row)
    record_event(
        session,
        ctx,
        entity="applicant",
        entity_id=row.id,
        kind="applicant.updated",
        payload={"rows": [snapshot(row, base_version=base)]},
    )
    return view(session, row)


def reveal_id(session: Session, ctx: Ctx, applicant_id: str, purpose: str) -> str:
    """The full ID number for one of ``REVEAL_PURPOSES``; the read goes to the audit trail."""
    require(ctx, Permission.reveal_id)
    if purpose not in REVEAL_PURPOSES:
        raise ServiceError(_("choose the purpose of opening the full ID number"))
    row = session.get(Applicant, applicant_id)
    if row is None:
        raise ServiceError(_("no such applicant"))
    clear = open_applicant(session, row)
    if not clear.readable:
        return clear.id_number  # "(erased)" / "(encrypted)": nothing to reveal, nothing read
    record_event(
        session,
        ctx,
        entity="applicant",
        entity_id=row.id,
        kind="applicant.id_revealed",
        payload={"purpose": purpose, "window": ctx.actor.window},
    )
    return clear.id_number


def stored_materials(
    session: Session, ctx: Ctx, applicant_id: str, today: date
) -> list[StoredView]:
    """Documents on file for the applicant that are still valid today (newest first)."""
    require(ctx, Permission.read_personal)
    rows = session.exec(
        select(StoredMaterial)
        .where(StoredMaterial.applicant_id == applicant_id)
        .order_by(col(StoredMaterial.received_on).desc())
    )
    out: list[StoredView] = []
    seen: set[str] = set()
    for r in rows:
        if r.type_code in seen or (r.valid_until is not None and r.valid_until < today):
            continue
        seen.add(r.type_code)
        out.append(
            StoredView(r.id, r.type_code, r.name, r.received_as, r.received_on, r.valid_until)
        )
    return out
