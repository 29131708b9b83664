"""The right to erasure (PIPL art. 47): an admin erases a person's data after retention.

A case file is an administrative act kept under archive rules, so a person's data may be
erased only once the retention period (``privacy.retention_years`` in ``store_info``,
default 30 years, set by an admin) has passed since their last case closed, and never
while a case is open.  Erasure destroys the person key and its escrow copy (so every
ciphertext of the person, in payloads and at central, is unreadable for good; central
deletes its escrow copies when the event arrives; backups taken before keep the key until
they expire), blanks the personal columns
of the applicant and of their cases' agents, and records ``applicant.erased`` (the
applicant id, the reason and the tombstoned rows: no personal data).  Payloads are never
rewritten, so the audit chain still verifies.  The name stays: it is part of the record.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from hallterm.clock import to_local
from hallterm.db.events import snapshot
from hallterm.db.models import Applicant, ServiceCase
from hallterm.db.models_privacy import PersonKey
from hallterm.db.models_queue import Ticket
from hallterm.db.privacy.keyring import keys_of
from hallterm.db.privacy.personal import erased_index
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.permissions import require
from hallterm.db.services.setup import get_info, set_info
from hallterm.domain.case_states import is_open
from hallterm.domain.roles import Permission
from hallterm.i18n import _

RETENTION_KEY = "privacy.retention_years"
DEFAULT_RETENTION_YEARS = 30


def retention_years(session: Session) -> int:
    value = get_info(session, RETENTION_KEY)
    try:
        return int(value) if value else DEFAULT_RETENTION_YEARS
    except ValueError:
        return DEFAULT_RETENTION_YEARS


def set_retention_years(session: Session, ctx: Ctx, years: int) -> None:
    """Set how many years after a person's last closed case their data may be erased."""
    require(ctx, Permission.erase_personal)
    if not 1 <= years <= 100:
        raise ServiceError(_("the retention period is 1 to 100 years"))
    old = retention_years(session)
    set_info(session, RETENTION_KEY, str(years))
    record_event(
        session,
        ctx,
        entity="store",
        entity_id=RETENTION_KEY,
        kind="privacy.retention_set",
        payload={"from": old, "to": years},
    )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def erasable_from(session: Session, applicant: Applicant, cases: list[ServiceCase]) -> date:
    """The first day the person's data may be erased (their last case closed + retention)."""
    last: datetime = max([c.updated_at for c in cases] + [applicant.created_at])
    return _add_years(to_local(last).date(), retention_years(session))


def erase_applicant(session: Session, ctx: Ctx, applicant_id: str, reason: str) -> None:
    """Erase the applicant's personal data; refused before retention or with a case open."""
    require(ctx, Permission.erase_personal)
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError(_("give the reason for the erasure"))
    row = session.get(Applicant, applicant_id)
    if row is None:
        raise ServiceError(_("no such applicant"))
    if row.erased_at is not None:
        raise ServiceError(_("this applicant's personal data was already erased"))
    cases = list(session.exec(select(ServiceCase).where(ServiceCase.applicant_id == row.id)))
    if any(is_open(c.status) for c in cases):
        raise ServiceError(_("the applicant has an open case: it must be closed first"))
    allowed_from = erasable_from(session, row, cases)
    if ctx.clock.today() < allowed_from:
        raise ServiceError(
            _("the retention period runs until {day}: the data cannot be erased before").format(
                day=allowed_from.isoformat()
            )
        )
    now = ctx.clock.now()
    key = session.get(PersonKey, row.id)
    if key is not None:  # crypto-shredding: every copy of the ciphertext is unreadable now
        key.wrapped, key.escrow, key.erased_at = "", "", now
        session.add(key)
    keys_of(session).forget_person(row.id)
    rows: list[dict[str, Any]] = []
    base = row.version
    row.id_number = row.phone = row.address = ""
    row.id_index, row.erased_at, row.version = erased_index(row.id), now, row.version + 1
    session.add(row)
    rows.append(snapshot(row, base_version=base))
    for case in cases:
        if case.agent_id_number or case.agent_phone:
            base = case.version
            case.agent_id_number = case.agent_phone = ""
            case.version += 1
            session.add(case)
            rows.append(snapshot(case, base_version=base))
    for ticket in session.exec(select(Ticket).where(Ticket.applicant_id == row.id)):
        if ticket.id_masked or ticket.id_hash:  # the partial number a ticket kept
            base = ticket.version
            ticket.id_masked, ticket.id_hash, ticket.version = "", None, ticket.version + 1
            session.add(ticket)
            rows.append(snapshot(ticket, base_version=base))
    session.flush()
    record_event(
        session,
        ctx,
        entity="applicant",
        entity_id=row.id,
        kind="applicant.erased",
        payload={"applicant_id": row.id, "reason": reason, "rows": rows},
    )
