"""Registering a case: its matters (or bundle), number and the checklist from the catalog.

The case number is made offline: station code + local date + a per-station daily counter.
Documents on file for the applicant that may still serve are pre-marked as reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from hallterm.db.events import snapshot
from hallterm.db.ids import new_id
from hallterm.db.models import (
    Applicant,
    Bundle,
    BundleMatter,
    CaseMaterialLine,
    CaseMatter,
    MaterialRequirement,
    Matter,
    ServiceCase,
    StoredMaterial,
)
from hallterm.db.privacy.personal import seal_agent
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.cases.common import case_event, today_of
from hallterm.db.services.catalog.io import current_version
from hallterm.db.services.counters import next_value
from hallterm.db.services.permissions import require
from hallterm.domain.case_states import CaseStatus
from hallterm.domain.checklist import LineState, Requirement, merge_requirements, reusable
from hallterm.domain.ids import ENTITY_ID_TYPES, IdError, validate_id, validate_phone
from hallterm.domain.numbering import case_number
from hallterm.domain.roles import Permission
from hallterm.i18n import _


def _requirement(r: MaterialRequirement, matter_code: str) -> Requirement:
    return Requirement(
        type_code=r.type_code,
        name=r.name,
        necessity=r.necessity,
        form=r.form,
        source=r.source,
        originals=r.originals,
        copies=r.copies,
        standard=r.standard,
        valid_days=r.valid_days,
        matters=(matter_code,),
    )


def checklist_for(session: Session, matter_codes: Sequence[str]) -> list[Requirement]:
    per_matter = []
    for code in matter_codes:
        reqs = session.exec(
            select(MaterialRequirement)
            .where(MaterialRequirement.matter_code == code)
            .order_by(col(MaterialRequirement.position))
        )
        per_matter.append((code, [_requirement(r, code) for r in reqs]))
    return merge_requirements(per_matter)


def valid_stored(session: Session, applicant_id: str, today: date) -> list[StoredMaterial]:
    """The applicant's documents on file that have not expired, newest first."""
    rows = session.exec(
        select(StoredMaterial)
        .where(StoredMaterial.applicant_id == applicant_id)
        .order_by(col(StoredMaterial.received_on).desc())
    )
    return [r for r in rows if r.valid_until is None or r.valid_until >= today]


def _check_audience(session: Session, codes: Sequence[str], kind: str) -> None:
    """A matter for entities only is not offered to a person, nor the reverse."""
    for code in codes:
        matter = session.get(Matter, code)
        if matter is None or matter.audience in ("both", kind):
            continue
        if matter.audience == "entity":
            raise ServiceError(
                _("“{name}” is for entities (法人) only, not for a person").format(name=matter.name)
            )
        raise ServiceError(
            _("“{name}” is for persons (自然人) only, not for an entity").format(name=matter.name)
        )


@dataclass(frozen=True)
class AgentInput:
    """经办人: the person at the window for an entity, or for a person represented (代办)."""

    name: str
    id_type: str
    id_number: str
    phone: str = ""


def _agent(agent: AgentInput, today: date) -> tuple[str, str, str, str]:
    """The checked 经办人 fields; an agent is a person, identified by their own document."""
    name = " ".join(agent.name.split())
    if not name:
        raise ServiceError(_("the name of the agent (经办人) is required"))
    if agent.id_type in {t.value for t in ENTITY_ID_TYPES}:
        raise ServiceError(_("the agent (经办人) is a person: give their own ID document"))
    try:
        number = validate_id(agent.id_type, agent.id_number, today=today)
        phone = validate_phone(agent.phone) if agent.phone.strip() else ""
    except IdError as exc:
        raise ServiceError(_("Agent (经办人)") + "：" + str(exc)) from None
    return name, agent.id_type, number, phone


def _matter_codes(
    session: Session, matter_codes: Sequence[str], bundle_code: str | None
) -> list[str]:
    codes = list(matter_codes)
    if bundle_code:
        if session.get(Bundle, bundle_code) is None:
            raise ServiceError(_("no such bundle {code}").format(code=bundle_code))
        codes = list(
            session.exec(
                select(BundleMatter.matter_code)
                .where(BundleMatter.bundle_code == bundle_code)
                .order_by(col(BundleMatter.position))
            )
        )
    if not codes:
        raise ServiceError(_("choose at least one matter"))
    for code in codes:
        if session.get(Matter, code) is None:
            raise ServiceError(_("no such matter {code}").format(code=code))
    return codes


def start_case(
    session: Session,
    ctx: Ctx,
    *,
    applicant_id: str,
    matter_codes: Sequence[str] = (),
    bundle_code: str | None = None,
    agent: AgentInput | None = None,
) -> str:
    """Register a case for the applicant and matter(s) or bundle; returns its id.

    The checklist is made from the catalog; documents on file for the applicant that may
    serve the requirement are pre-marked as reused (the clerk may change that).  An entity
    acts through an agent (经办人) identified by their own document; a person may.
    """
    require(ctx, Permission.front_desk)
    applicant = session.get(Applicant, applicant_id)
    if applicant is None:
        raise ServiceError(_("no such applicant"))
    if applicant.erased_at is not None:
        raise ServiceError(_("this applicant's personal data was erased; register them again"))
    codes = _matter_codes(session, matter_codes, bundle_code)
    _check_audience(session, codes, applicant.kind)
    version = current_version(session)
    now = ctx.clock.now()
    today = today_of(ctx)
    if agent is None and applicant.kind == "entity":
        raise ServiceError(
            _("an entity acts through an agent (经办人): record who came, with their own ID")
        )
    agent_fields = _agent(agent, today) if agent is not None else ("", "", "", "")
    seq = next_value(session, f"case:{ctx.station_code}:{today:%Y%m%d}")
    case = ServiceCase(
        id=new_id(),
        number=case_number(ctx.station_code, today, seq),
        station_code=ctx.station_code,
        applicant_id=applicant_id,
        clerk_id=ctx.actor.staff_id,
        window=ctx.actor.window,
        bundle_code=bundle_code,
        status=CaseStatus.registered.value,
        catalog_version=version.version if version else "",
        registered_at=now,
        decision_reason="",
        updated_at=now,
        agent_name=agent_fields[0],
        agent_id_type=agent_fields[1],
    )
    case.agent_id_number, case.agent_phone = seal_agent(
        session, case, id_number=agent_fields[2], phone=agent_fields[3]
    )
    session.add(case)
    session.flush()
    rows: list[dict[str, Any]] = [snapshot(case)]
    for pos, code in enumerate(codes):
        cm = CaseMatter(
            case_id=case.id, matter_code=code, position=pos, station_code=case.station_code
        )
        session.add(cm)
        rows.append(snapshot(cm))
    stored: dict[str, StoredMaterial] = {}
    for s in valid_stored(session, applicant_id, today):  # newest first: the newest wins
        stored.setdefault(s.type_code, s)
    for pos, req in enumerate(checklist_for(session, codes)):
        on_file = stored.get(req.type_code)
        if on_file is not None and not reusable(
            req, on_file.received_on, on_file.valid_until, today
        ):
            on_file = None
        line = CaseMaterialLine(
            id=new_id(),
            case_id=case.id,
            position=pos,
            type_code=req.type_code,
            name=req.name,
            necessity=req.necessity,
            form=req.form,
            source=req.source,
            originals=req.originals,
            copies=req.copies,
            standard=req.standard,
            valid_days=req.valid_days,
            matters=",".join(req.matters),
            state=LineState.reused.value if on_file else LineState.pending.value,
            reused_from=on_file.id if on_file else None,
            note="",
            station_code=case.station_code,
        )
        session.add(line)
        rows.append(snapshot(line))
    session.flush()
    case_event(session, ctx, case, "case.registered", rows, matters=codes, bundle=bundle_code)
    return case.id
