"""Reading the audit trail as a person: event kinds in words, records by number or name, and
the full detail of one event.

``kind_label`` translates every event kind hallterm writes (an unknown one stays as it is).
``entity_labels`` turns the records of a page of events into what people know them by — a
case or ticket by its number, an applicant or a member of staff by name, a window by its
number — in one query per kind of record.  ``event_detail`` lists every field of an event's
payload, with ID numbers masked and the snapshots of written rows named by table only.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from hallterm.db.models import Applicant, Event, ServiceCase, Staff, Station
from hallterm.db.models_interaction import InteractionItem
from hallterm.db.models_queue import Evaluation, Rectification, Ticket
from hallterm.db.privacy.fields import is_sealed
from hallterm.db.privacy.personal import ENCRYPTED
from hallterm.domain.ids import mask_id
from hallterm.domain.roles import Role, role_label
from hallterm.i18n import N_, _

KINDS: dict[str, str] = {
    "applicant.id_revealed": N_("full ID number read"),
    "applicant.registered": N_("applicant registered"),
    "applicant.updated": N_("applicant updated"),
    "applicant.erased": N_("applicant's personal data erased"),
    "applicant.reindexed": N_("applicant re-indexed (blind index key)"),
    "applicant.encrypted": N_("applicant's personal data encrypted"),
    "privacy.retention_set": N_("retention period set"),
    "privacy.passphrase_changed": N_("station passphrase changed"),
    "case.accepted": N_("case accepted"),
    "case.approved": N_("case approved"),
    "case.delivered": N_("result delivered"),
    "case.denied": N_("case denied"),
    "case.in_review": N_("review started"),
    "case.materials_recorded": N_("materials recorded"),
    "case.notified": N_("one-time notice issued"),
    "case.printed": N_("case document printed"),
    "case.refused": N_("case refused"),
    "case.registered": N_("case registered"),
    "case.resumed": N_("case resumed"),
    "case.suspended": N_("case suspended"),
    "case.transferred": N_("case transferred"),
    "case.withdrawn": N_("case withdrawn"),
    "catalog.imported": N_("catalog imported"),
    "certificate.issued": N_("certificate issued"),
    "certificate.reprinted": N_("certificate reprinted"),
    "certificate.revoked": N_("certificate revoked"),
    "evaluation.rated": N_("service rated"),
    "guide.printed": N_("service guide printed"),
    "holiday.set": N_("holiday calendar changed"),
    "holiday.year_declared": N_("holiday year declared"),
    "interaction.encrypted": N_("interaction contact phone encrypted"),
    "interaction.printed": N_("interaction printed"),
    "interaction.recorded": N_("interaction recorded"),
    "interaction.replied": N_("interaction replied"),
    "interaction.reply_days_set": N_("reply deadline changed"),
    "rectification.closed": N_("rectification closed"),
    "staff.created": N_("account created"),
    "staff.login": N_("signed in"),
    "staff.login_failed": N_("sign-in failed"),
    "staff.login_refused": N_("sign-in refused"),
    "staff.role_changed": N_("role changed"),
    "station.created": N_("station created"),
    "station.updated": N_("station updated"),
    "sync.conflict_resolved": N_("sync conflict resolved"),
    "sync.pulled": N_("pulled from central"),
    "ticket.called": N_("ticket called"),
    "ticket.finished": N_("service finished"),
    "ticket.issued": N_("ticket issued"),
    "ticket.linked": N_("ticket linked to a case"),
    "ticket.no_show": N_("no-show"),
    "ticket.priority_confirmed": N_("priority confirmed"),
    "ticket.priority_refused": N_("priority refused"),
    "ticket.recalled": N_("ticket recalled"),
    "ticket.requeued": N_("no-show, back in line"),
    "ticket.started": N_("service started"),
    "ticket.transferred": N_("ticket transferred"),
    "window.set": N_("window set"),
}

ENTITIES: dict[str, str] = {
    "applicant": N_("applicant"),
    "bundle": N_("bundle"),
    "case": N_("case"),
    "catalog": N_("catalog"),
    "certificate": N_("certificate"),
    "evaluation": N_("rating"),
    "holiday": N_("holiday calendar"),
    "interaction": N_("interaction"),
    "rectification": N_("rectification"),
    "staff": N_("staff"),
    "station": N_("station"),
    "store_info": N_("store"),
    "sync": N_("sync"),
    "sync_conflict": N_("sync conflict"),
    "ticket": N_("ticket"),
    "window": N_("window"),
}

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def kind_label(kind: str) -> str:
    label = KINDS.get(kind)
    return _(label) if label else kind


def entity_kind_label(entity: str) -> str:
    label = ENTITIES.get(entity)
    return _(label) if label else entity


def _by_id(session: Session, column: Any, label: Any, ids: list[str]) -> dict[str, str]:
    rows = session.exec(select(column, label).where(col(column).in_(ids))).all()
    return {str(k): str(v) for k, v in rows if v is not None}


def _resolve(session: Session, entity: str, ids: list[str]) -> dict[str, str]:
    if entity == "case":
        return _by_id(session, ServiceCase.id, ServiceCase.number, ids)
    if entity == "ticket":
        return _by_id(session, Ticket.id, Ticket.number, ids)
    if entity == "applicant":
        return _by_id(session, Applicant.id, Applicant.name, ids)
    if entity == "interaction":
        return _by_id(session, InteractionItem.id, InteractionItem.number, ids)
    if entity == "staff":
        rows = session.exec(
            select(Staff.id, Staff.username, Staff.name).where(
                (col(Staff.id).in_(ids)) | (col(Staff.username).in_(ids))
            )
        ).all()
        out: dict[str, str] = {}
        for sid, username, name in rows:
            out[sid] = out[username] = f"{name} ({username})"
        return out
    if entity == "station":
        return _by_id(session, Station.code, Station.name, ids)
    if entity in ("evaluation", "rectification"):
        ev_ids = ids
        rect: dict[str, str] = {}
        if entity == "rectification":
            rect = _by_id(session, Rectification.id, Rectification.evaluation_id, ids)
            ev_ids = list(rect.values())
        rows = session.exec(
            select(Evaluation.id, Ticket.number, ServiceCase.number)
            .join(Ticket, col(Ticket.id) == col(Evaluation.ticket_id), isouter=True)
            .join(ServiceCase, col(ServiceCase.id) == col(Evaluation.case_id), isouter=True)
            .where(col(Evaluation.id).in_(ev_ids))
        ).all()
        about = {eid: " · ".join(x for x in (case, ticket) if x) for eid, ticket, case in rows}
        if entity == "evaluation":
            return {k: v for k, v in about.items() if v}
        return {rid: about[eid] for rid, eid in rect.items() if about.get(eid)}
    if entity == "window":
        return {i: _("window {window}").format(window=i.split(":", 1)[-1]) for i in ids}
    return {}


def entity_labels(session: Session, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """``(entity, entity_id)`` → the record's number or name (or a short id when unknown)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for entity, entity_id in pairs:
        wanted[entity].add(entity_id)
    out: dict[tuple[str, str], str] = {}
    for entity, ids in wanted.items():
        found = _resolve(session, entity, sorted(ids))
        for entity_id in ids:
            label = found.get(entity_id)
            if label is None:
                label = f"…{entity_id[-8:]}" if _UUID.match(entity_id) else entity_id
            out[(entity, entity_id)] = label
    return out


@dataclass(frozen=True)
class EventDetail:
    id: str
    station_code: str
    seq: int
    at: Any
    actor: str
    kind: str
    kind_label: str
    entity: str
    entity_label: str
    entity_id: str
    fields: tuple[tuple[str, str], ...]  # every payload field, safe to show
    tables: tuple[str, ...]  # tables whose rows the event wrote
    hash: str
    prev_hash: str


_SECRET = ("password", "secret", "passphrase")
_PERSONAL = ("id_number", "phone", "address")


def _scrub(key: str, value: Any) -> Any:
    """``value`` with personal data masked and secrets hidden, at any depth."""
    if isinstance(value, dict):
        return {k: _scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(key, v) for v in value]
    if value is None or value == "":
        return value
    if any(s in key for s in _SECRET):
        return "***"
    if isinstance(value, str) and is_sealed(value):
        return _(ENCRYPTED)  # never decrypted here
    if any(p in key for p in _PERSONAL):
        return mask_id(str(value))
    return value


def _safe(key: str, value: Any) -> str:
    value = _scrub(key, value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else str(value)


def event_detail(session: Session, event_id: str) -> EventDetail | None:
    """Every field of one event, for the detail view (ID numbers masked, row values left out)."""
    e = session.get(Event, event_id)
    if e is None:
        return None
    try:
        data: Any = json.loads(e.payload)
    except ValueError:
        data = {"payload": e.payload}
    if not isinstance(data, dict):
        data = {"payload": data}
    fields: list[tuple[str, str]] = []
    tables: list[str] = []
    for key, value in data.items():
        if key == "rows" and isinstance(value, list):
            tables = [str(r.get("table")) for r in value if isinstance(r, dict) and r.get("table")]
            continue
        text = _safe(key, value)
        if key in ("role", "from", "to") and text in {r.value for r in Role}:
            text = role_label(text)
        fields.append((key, text))
    label = entity_labels(session, [(e.entity, e.entity_id)])[(e.entity, e.entity_id)]
    return EventDetail(
        id=e.id,
        station_code=e.station_code,
        seq=e.seq,
        at=e.at,
        actor=e.actor,
        kind=e.kind,
        kind_label=kind_label(e.kind),
        entity=e.entity,
        entity_label=label,
        entity_id=e.entity_id,
        fields=tuple(fields),
        tables=tuple(tables),
        hash=e.hash,
        prev_hash=e.prev_hash,
    )
