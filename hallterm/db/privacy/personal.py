"""Sealing and opening the personal fields of applicant and case rows: the one way through.

Applicant ``id_number``, ``phone``, ``address`` and a case's ``agent_id_number``,
``agent_phone`` are stored encrypted under the applicant's person key (``fields``), so the
row, the event payloads made from it and central's copy hold ciphertext only.  The ID number
is found through ``id_index`` (blind index).  Reading goes through ``open_applicant`` /
``open_agent``: an erased person reads as "erased", a field this store has no key for (a
case transferred from another station) as "(encrypted)"; neither ever raises.

Personal fields of the station's own records that belong to no registered person (an
interaction item's contact phone) are sealed under the station's field key
(``seal_station_field`` / ``open_station_field``), bound to table, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from hallterm.db.models import Applicant, ServiceCase
from hallterm.db.privacy import fields as f
from hallterm.db.privacy.keyring import keys_of
from hallterm.i18n import N_, _

ERASED = N_("(erased)")
ENCRYPTED = N_("(encrypted)")
APPLICANT_FIELDS = ("id_number", "phone", "address")
CASE_FIELDS = ("agent_id_number", "agent_phone")


def erased_index(applicant_id: str) -> str:
    """The ``id_index`` of an erased applicant: unique, and matching no ID number."""
    return f"erased:{applicant_id}"


@dataclass(frozen=True)
class ClearApplicant:
    id_number: str
    phone: str
    address: str
    readable: bool  # False: erased, or no key for it here
    erased: bool


def id_index(session: Session, id_type: str, number: str) -> str:
    return keys_of(session).id_index(session, id_type, number)


def seal_applicant(
    session: Session, row: Applicant, *, id_number: str, phone: str, address: str
) -> None:
    """Set the row's personal fields (encrypted) and its blind index; makes the person key."""
    keys = keys_of(session)
    key = keys.person_key(session, row.id)
    if key is None:
        key = keys.new_person(session, row.id, row.station_code)
    row.id_number = f.encrypt_field(key, row.id, "id_number", id_number)
    row.phone = f.encrypt_field(key, row.id, "phone", phone)
    row.address = f.encrypt_field(key, row.id, "address", address)
    row.id_index = keys.id_index(session, row.id_type, id_number)


def _open(key: bytes | None, owner: str, field: str, stored: str) -> str | None:
    if not stored:
        return ""
    if not f.is_sealed(stored):
        return stored  # a store not yet migrated (``hallterm privacy migrate``)
    if key is None:
        return None
    try:
        return f.decrypt_field(key, owner, field, stored)
    except f.DecryptError:
        return None


def open_applicant(session: Session, row: Applicant) -> ClearApplicant:
    if row.erased_at is not None:
        return ClearApplicant(_(ERASED), "", "", readable=False, erased=True)
    stored = (row.id_number, row.phone, row.address)
    key = None
    if any(f.is_sealed(v) for v in stored):
        key = keys_of(session).person_key(session, row.id)
    values = [_open(key, row.id, n, v) for n, v in zip(APPLICANT_FIELDS, stored, strict=True)]
    hidden = _(ENCRYPTED)
    id_number, phone, address = (hidden if v is None else v for v in values)
    readable = all(v is not None for v in values)
    return ClearApplicant(id_number, phone, address, readable=readable, erased=False)


def _case_field(case: ServiceCase, name: str) -> str:
    return f"service_case/{case.id}/{name}"


def seal_agent(
    session: Session, case: ServiceCase, *, id_number: str, phone: str
) -> tuple[str, str]:
    """The stored forms of the agent's ID number and phone, under the applicant's key."""
    if not id_number and not phone:
        return "", ""
    keys = keys_of(session)
    key = keys.person_key(session, case.applicant_id)
    if key is None:
        raise RuntimeError("the applicant of this case has no key here")
    return (
        f.encrypt_field(key, case.applicant_id, _case_field(case, "agent_id_number"), id_number),
        f.encrypt_field(key, case.applicant_id, _case_field(case, "agent_phone"), phone),
    )


def open_agent(session: Session, case: ServiceCase) -> tuple[str, str]:
    """The agent's ID number and phone in clear ("(encrypted)" when this store cannot)."""
    stored = (case.agent_id_number, case.agent_phone)
    if not any(stored):
        return "", ""
    key = None
    if any(f.is_sealed(v) for v in stored):
        key = keys_of(session).person_key(session, case.applicant_id)
    out = [
        _open(key, case.applicant_id, _case_field(case, n), v)
        for n, v in zip(CASE_FIELDS, stored, strict=True)
    ]
    hidden = _(ENCRYPTED)
    return (out[0] if out[0] is not None else hidden, out[1] if out[1] is not None else hidden)


def clear_copy(session: Session, row: Applicant | None) -> Applicant | None:
    """A detached copy of the row with its personal fields in clear, for filling papers.

    Never added to a session: it only carries values to code that prints them.
    """
    if row is None:
        return None
    clear = open_applicant(session, row)
    values = row.model_dump()
    values.update(id_number=clear.id_number, phone=clear.phone, address=clear.address)
    return Applicant(**values)


def _owner(table: str, row_id: str) -> str:
    return f"{table}/{row_id}"


def seal_station_field(session: Session, table: str, row_id: str, field: str, value: str) -> str:
    """The stored form of a station-owned personal field ("" stays "")."""
    if not value:
        return ""
    key = keys_of(session).field_key(session)
    return f.encrypt_field(key, _owner(table, row_id), field, value)


def open_station_field(session: Session, table: str, row_id: str, field: str, stored: str) -> str:
    """The clear value ("(encrypted)" when this store's key does not open it; a value from
    before encryption as it is)."""
    if not stored or not f.is_sealed(stored):
        return stored
    key = keys_of(session).field_key(session)
    value = _open(key, _owner(table, row_id), field, stored)
    return _(ENCRYPTED) if value is None else value
