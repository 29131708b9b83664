"""Station-side upkeep of encrypted personal data: a new blind key, stores from before.

- ``install_blind_key``: the province-wide blind key from the enrolment file.  When it
  differs from the key the store used so far and applicants exist, each applicant is
  re-indexed and an ``applicant.reindexed`` event carries the row (new index, ciphertext
  unchanged) so central's copy follows.
- ``encrypt_legacy``: rows written before encryption (``id_index`` "legacy:…", clear
  columns) are encrypted, one ``applicant.encrypted`` event per applicant with its rows;
  so are interaction items' clear contact phones (one ``interaction.encrypted`` each).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from hallterm.db.events import snapshot
from hallterm.db.models import Applicant, ServiceCase
from hallterm.db.models_security import LocalSecret
from hallterm.db.privacy import fields as f
from hallterm.db.privacy.keyring import BLIND_KEY, keys_of
from hallterm.db.privacy.personal import (
    open_applicant,
    seal_agent,
    seal_applicant,
    seal_station_field,
)
from hallterm.db.services import Ctx, record_event


def install_blind_key(session: Session, ctx: Ctx, key: bytes) -> int:
    """Use ``key`` for the blind index from now on; returns how many rows were re-indexed."""
    keys = keys_of(session)
    if session.get(LocalSecret, BLIND_KEY) is not None and keys.blind_key(session) == key:
        return 0
    keys.set_blind_key(session, key)
    count = 0
    own = select(Applicant).where(
        Applicant.station_code == ctx.station_code,
        col(Applicant.erased_at).is_(None),
        ~col(Applicant.id_index).startswith("legacy:"),
    )
    for row in session.exec(own):
        clear = open_applicant(session, row)
        if not clear.readable:
            continue
        index = keys.id_index(session, row.id_type, clear.id_number)
        if index == row.id_index:
            continue
        base = row.version
        row.id_index, row.version = index, row.version + 1
        session.add(row)
        record_event(
            session,
            ctx,
            entity="applicant",
            entity_id=row.id,
            kind="applicant.reindexed",
            payload={"rows": [snapshot(row, base_version=base)]},
        )
        count += 1
    return count


def encrypt_legacy(session: Session, ctx: Ctx) -> int:
    """Encrypt the personal fields of rows from before encryption; returns how many
    applicants (interaction items' phones are encrypted too, not counted)."""
    _encrypt_item_phones(session, ctx)
    legacy = select(Applicant).where(
        Applicant.station_code == ctx.station_code,
        col(Applicant.id_index).startswith("legacy:"),
    )
    count = 0
    for row in session.exec(legacy):
        if f.is_sealed(row.id_number):
            continue
        rows: list[dict[str, Any]] = []
        base = row.version
        seal_applicant(session, row, id_number=row.id_number, phone=row.phone, address=row.address)
        row.version += 1
        session.add(row)
        session.flush()
        rows.append(snapshot(row, base_version=base))
        cases = select(ServiceCase).where(ServiceCase.applicant_id == row.id)
        for case in session.exec(cases):
            if not (case.agent_id_number or case.agent_phone) or f.is_sealed(
                case.agent_id_number or case.agent_phone
            ):
                continue
            base = case.version
            case.agent_id_number, case.agent_phone = seal_agent(
                session, case, id_number=case.agent_id_number, phone=case.agent_phone
            )
            case.version += 1
            session.add(case)
            rows.append(snapshot(case, base_version=base))
        record_event(
            session,
            ctx,
            entity="applicant",
            entity_id=row.id,
            kind="applicant.encrypted",
            payload={"rows": rows},
        )
        count += 1
    return count


def _encrypt_item_phones(session: Session, ctx: Ctx) -> int:
    from hallterm.db.models_interaction import InteractionItem
    from hallterm.db.services.interaction.items import item_event

    clear = select(InteractionItem).where(
        InteractionItem.station_code == ctx.station_code,
        col(InteractionItem.contact_phone) != "",
        ~col(InteractionItem.contact_phone).startswith(f.PREFIX),
    )
    count = 0
    for row in session.exec(clear):
        base = row.version
        row.contact_phone = seal_station_field(
            session, "interaction_item", row.id, "contact_phone", row.contact_phone
        )
        row.version += 1
        session.add(row)
        session.flush()
        item_event(session, ctx, row, "interaction.encrypted", base)
        count += 1
    return count
