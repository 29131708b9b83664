"""The station's side of key escrow: escrow copies of person keys, to central and back.

Every person key is also kept wrapped under the province-wide escrow key (``escrow`` of its
``person_key`` row) once the station has that key (from its enrolment file).  The push hands
central the copies it has not yet stored (``undelivered`` / ``mark_delivered``: marked only
when central's own reply says so, as events are).  Copies come back from central when the
station recovers from an older backup (``/v1/own``) and with a case transferred to it (the
pull feed); ``install_copies`` keeps them, re-wrapped under the data key when it is
unlocked, else as they came (opened through the escrow key on first use).  Nothing here
ever installs a key for a person erased at this station.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import update
from sqlmodel import Session, col, select

from hallterm.clock import Clock
from hallterm.db.models import Applicant
from hallterm.db.models_privacy import PersonKey
from hallterm.db.privacy import fields as f
from hallterm.db.privacy.keyring import keys_of

_KEY = PersonKey.__table__  # type: ignore[attr-defined]


def install_escrow_key(session: Session, key: bytes) -> int:
    """Use ``key`` as the escrow key; every person key held here gets its escrow copy (to be
    delivered again when the key changed).  Returns how many copies were made."""
    keys = keys_of(session)
    if keys.escrow_key(session) == key:
        missing = col(PersonKey.escrow) == ""
    else:
        keys.set_escrow_key(session, key)
        missing = col(PersonKey.escrow).is_not(None)
    count = 0
    rows = session.exec(
        select(PersonKey).where(
            col(PersonKey.erased_at).is_(None), col(PersonKey.wrapped) != "", missing
        )
    )
    for row in rows:
        person = keys.person_key(session, row.applicant_id)
        if person is None:  # wrapped under another store's data key: nothing to escrow
            continue
        row.escrow = keys.escrow_copy(session, row.applicant_id, person)
        row.delivered = False
        session.add(row)
        count += 1
    session.flush()
    return count


def undelivered(session: Session, limit: int, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Escrow copies central has not confirmed yet: ``(applicant_id, copy)``, oldest first."""
    query = (
        select(PersonKey.applicant_id, PersonKey.escrow)
        .where(
            col(PersonKey.delivered).is_(False),
            col(PersonKey.escrow) != "",
            col(PersonKey.erased_at).is_(None),
        )
        .order_by(col(PersonKey.created_at), col(PersonKey.applicant_id))
    )
    skipped = set(skip)
    if skipped:
        query = query.where(col(PersonKey.applicant_id).not_in(sorted(skipped)))
    return [(str(a), str(c)) for a, c in session.exec(query.limit(limit))]


def mark_delivered(session: Session, copies: Sequence[tuple[str, str]]) -> None:
    """Central stored these copies (or refuses them for good: the person was erased)."""
    for applicant_id, copy in copies:  # only the copy that was sent, not a newer one
        session.execute(
            update(_KEY)
            .where(_KEY.c.applicant_id == applicant_id, _KEY.c.escrow == copy)
            .values(delivered=True)
        )


def install_copies(session: Session, copies: Iterable[tuple[str, str]]) -> int:
    """Keep person keys received from central; returns how many were new here.

    A key already held, or of a person erased here, is left alone.  A copy the escrow key
    does not open is not kept (when the data key is unlocked, so it can be checked).
    """
    keys = keys_of(session)
    count = 0
    for applicant_id, copy in copies:
        if not copy or not f.is_sealed(copy):
            continue
        row = session.get(PersonKey, applicant_id)
        if row is not None and (row.erased_at is not None or row.wrapped or row.escrow):
            continue
        applicant = session.get(Applicant, applicant_id)
        if applicant is not None and applicant.erased_at is not None:
            continue
        wrapped = ""
        if keys.unlocked:
            person = keys.open_escrow(session, applicant_id, copy)
            if person is None:
                continue
            wrapped = keys.wrap_person(session, applicant_id, person)
        if row is None:
            row = PersonKey(
                applicant_id=applicant_id,
                station_code=applicant.station_code if applicant else "",
                created_at=Clock().now(),
            )
        row.wrapped, row.escrow, row.delivered = wrapped, copy, True
        session.add(row)
        keys.forget_person(applicant_id)
        count += 1
    session.flush()
    return count


def destroy_erased(session: Session, applicant_ids: Iterable[str]) -> None:
    """Destroy the keys of persons erased since (rows recovered from central say so): an
    older backup still held them."""
    keys = keys_of(session)
    for applicant_id in applicant_ids:
        row = session.get(PersonKey, applicant_id)
        if row is None or row.erased_at is not None:
            continue
        row.wrapped, row.escrow, row.erased_at = "", "", Clock().now()
        session.add(row)
        keys.forget_person(applicant_id)
    session.flush()
