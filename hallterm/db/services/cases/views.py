"""Reading one case: its matters, its checklist lines, its deadline and the view the desk shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from hallterm.db.models import Applicant, Bundle, CaseMaterialLine, CaseSuspension, Staff
from hallterm.db.privacy.personal import ENCRYPTED, open_agent
from hallterm.db.services import Ctx
from hallterm.db.services.applicants import ApplicantView, view
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.cases.common import (
    domain_line,
    get_case,
    line_rows,
    matter_rows,
    suspensions,
)
from hallterm.db.services.cases.deadlines import deadline
from hallterm.db.services.permissions import require
from hallterm.domain.checklist import Line, LineState, ReceivedAs, Requirement, Verdict, evaluate
from hallterm.domain.ids import mask_id
from hallterm.domain.roles import Permission
from hallterm.domain.workdays import WorkCalendar
from hallterm.i18n import _


@dataclass(frozen=True)
class MatterBrief:
    code: str
    name: str
    handling_type: str
    promised_limit_days: int
    certificate_type: str | None


@dataclass(frozen=True)
class LineView:
    id: str
    position: int
    requirement: Requirement
    state: str
    received_as: str | None
    count: int
    deferred_until: date | None
    reused_from: str | None
    note: str
    originals: int = 0
    copies: int = 0
    electronic: int = 0
    arrived_on: date | None = None

    @property
    def outstanding(self) -> bool:
        """A deferred (容缺) material not handed in yet."""
        return self.state == LineState.deferred and self.arrived_on is None

    def to_line(self) -> Line:
        return Line(
            requirement=self.requirement,
            state=LineState(self.state),
            received_as=ReceivedAs(self.received_as) if self.received_as else None,
            originals=self.originals,
            copies=self.copies,
            electronic=self.electronic,
            deferred_until=self.deferred_until,
            reused_from=self.reused_from,
            note=self.note,
            arrived_on=self.arrived_on,
        )


def line_view(r: CaseMaterialLine) -> LineView:
    line = domain_line(r)
    return LineView(
        id=r.id,
        position=r.position,
        requirement=line.requirement,
        state=line.state.value,
        received_as=r.received_as,
        count=line.count,
        deferred_until=line.deferred_until,
        reused_from=line.reused_from,
        note=line.note,
        originals=line.originals,
        copies=line.copies,
        electronic=line.electronic,
        arrived_on=line.arrived_on,
    )


@dataclass(frozen=True)
class CaseView:
    id: str
    number: str
    status: str
    station_code: str
    applicant: ApplicantView
    matters: tuple[MatterBrief, ...]
    bundle_code: str | None
    bundle_name: str | None
    clerk_name: str
    window: str
    registered_at: datetime
    accepted_at: datetime | None
    due_date: date | None
    limit_days: int | None
    completed_at: datetime | None
    delivered_at: datetime | None
    decision_reason: str
    suspended_since: date | None
    days_left: int | None
    light: str | None
    calendar_needs_update: bool
    catalog_version: str
    version: int
    lines: tuple[LineView, ...] = field(default_factory=tuple)
    agent_name: str = ""  # 经办人, masked ID: what the papers print
    agent_id_type: str = ""
    agent_id_masked: str = ""
    agent_phone: str = ""
    delivery_method: str = ""  # window / post / electronic
    delivery_reference: str = ""  # the tracking number of a posted result
    suspension_reason: str = ""  # of the open (or last) suspension
    expected_resume_on: date | None = None

    @property
    def outstanding(self) -> tuple[str, ...]:
        """Deferred (容缺) materials not handed in yet."""
        return tuple(lv.requirement.name for lv in self.lines if lv.outstanding)

    @property
    def immediate(self) -> bool:
        return all(m.handling_type == "immediate" for m in self.matters)

    @property
    def title(self) -> str:
        return self.bundle_name or "、".join(m.name for m in self.matters)

    def verdict(self) -> Verdict:
        return evaluate([lv.to_line() for lv in self.lines])


def matters_of(session: Session, case_id: str) -> list[MatterBrief]:
    out = []
    for code, m in matter_rows(session, case_id):
        if m is not None:
            out.append(
                MatterBrief(
                    m.code, m.name, m.handling_type, m.promised_limit_days, m.certificate_type
                )
            )
        else:
            out.append(MatterBrief(code, code, "promised", 0, None))
    return out


def _masked(agent_id: str) -> str:
    return agent_id if not agent_id or agent_id == _(ENCRYPTED) else mask_id(agent_id)


def load_case(
    session: Session,
    ctx: Ctx,
    case_id: str,
    today: date,
    yellow_days: int = 2,
    calendar: WorkCalendar | None = None,
) -> CaseView:
    require(ctx, Permission.read_personal)
    case = get_case(session, case_id)
    applicant = session.get(Applicant, case.applicant_id)
    assert applicant is not None
    bundle = session.get(Bundle, case.bundle_code) if case.bundle_code else None
    clerk = session.get(Staff, case.clerk_id) if case.clerk_id else None
    cal = calendar or calendar_for(session)
    stops = suspensions(session, case_id)
    open_since = next((s for s, e in stops if e is None), None)
    days_left, light, needs_update = deadline(case, stops, cal, today, yellow_days)
    lines = tuple(line_view(r) for r in line_rows(session, case_id))
    last_stop = session.exec(
        select(CaseSuspension)
        .where(CaseSuspension.case_id == case_id)
        .order_by(col(CaseSuspension.started_on).desc())
    ).first()
    agent_id, agent_phone = open_agent(session, case)
    return CaseView(
        id=case.id,
        number=case.number,
        status=case.status,
        station_code=case.station_code,
        applicant=view(session, applicant),
        matters=tuple(matters_of(session, case_id)),
        bundle_code=case.bundle_code,
        bundle_name=bundle.name if bundle else None,
        clerk_name=clerk.name if clerk else "",
        window=case.window,
        registered_at=case.registered_at,
        accepted_at=case.accepted_at,
        due_date=case.due_date,
        limit_days=case.limit_days,
        completed_at=case.completed_at,
        delivered_at=case.delivered_at,
        decision_reason=case.decision_reason,
        suspended_since=open_since,
        days_left=days_left,
        light=light,
        calendar_needs_update=needs_update,
        catalog_version=case.catalog_version,
        version=case.version,
        lines=lines,
        agent_name=case.agent_name,
        agent_id_type=case.agent_id_type,
        agent_id_masked=_masked(agent_id),
        agent_phone=agent_phone,
        delivery_method=case.delivery_method,
        delivery_reference=case.delivery_reference,
        suspension_reason=last_stop.reason if last_stop else "",
        expected_resume_on=last_stop.expected_resume_on if last_stop else None,
    )
