"""Reading cases: one case with its lines and deadline, the case list, the timeline."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from hallterm.clock import to_local
from hallterm.db.models import (
    Applicant,
    Bundle,
    CaseMaterialLine,
    CaseSuspension,
    Event,
    ServiceCase,
    Staff,
)
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
from hallterm.db.services.permissions import require
from hallterm.domain.case_states import CaseStatus, is_open
from hallterm.domain.checklist import Line, LineState, ReceivedAs, Requirement, Verdict, evaluate
from hallterm.domain.ids import mask_id
from hallterm.domain.roles import Permission
from hallterm.domain.workdays import WorkCalendar, deadline_light
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


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    actor: str
    details: dict[str, Any]


@dataclass(frozen=True)
class CaseRow:
    id: str
    number: str
    status: str
    applicant_name: str
    title: str
    registered_at: datetime
    due_date: date | None
    days_left: int | None = None
    light: str | None = None
    deferral_due: date | None = None  # the earliest outstanding 容缺 promise
    deferral_light: str | None = None  # "yellow" / "red" when it is near or past

    @property
    def urgency(self) -> str | None:
        """The worse of the deadline's and the deferral's light."""
        lights = {self.light, self.deferral_light}
        return "red" if "red" in lights else "yellow" if "yellow" in lights else self.light


_URGENCY = {"red": 0, "yellow": 1}


def urgency_key(row: CaseRow) -> tuple[int, int, float]:
    """Red, then yellow, then by working days left (cases without a clock last), newest first."""
    rank = _URGENCY.get(row.urgency or "", 2)
    days = row.days_left if row.days_left is not None else 10**6
    return rank, days, -row.registered_at.timestamp()


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


_RUNNING = (CaseStatus.accepted, CaseStatus.in_review, CaseStatus.suspended)


def deadline(
    case: ServiceCase,
    stops: list[tuple[date, date | None]],
    cal: WorkCalendar,
    today: date,
    yellow_days: int,
) -> tuple[int | None, str | None, bool]:
    """Working days left, the light and whether the calendar needs updating.

    Only a case whose clock runs (or is stopped) has days left; while a suspension is open
    the due date moves with it.
    """
    if case.due_date is None:
        return None, None, False
    needs_update = cal.needs_update(case.due_date)
    if case.status not in _RUNNING:
        return None, None, needs_update
    due = case.due_date
    if (
        any(e is None for _s, e in stops)
        and case.limit_days is not None
        and case.accepted_at is not None
    ):
        due = cal.due_date(to_local(case.accepted_at).date(), case.limit_days, stops, today)
        needs_update = cal.needs_update(due)
    days_left = cal.working_days_left(today, due)
    return days_left, deadline_light(days_left, yellow_days), needs_update


def deferral_light(
    promised: date, today: date, cal: WorkCalendar, yellow_days: int
) -> tuple[int, str | None]:
    """Working days to the promised date and its light (None while it is far)."""
    days_left = cal.working_days_left(today, promised)
    light = deadline_light(days_left, yellow_days)
    return days_left, (light if light in ("yellow", "red") else None)


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
        .order_by(CaseSuspension.started_on.desc())  # type: ignore[attr-defined]
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


def find_case_id(session: Session, number: str) -> str | None:
    return session.exec(select(ServiceCase.id).where(ServiceCase.number == number.strip())).first()


def list_cases(
    session: Session,
    ctx: Ctx,
    *,
    statuses: Sequence[str] = (),
    applicant_id: str | None = None,
    limit: int = 200,
    today: date | None = None,
    yellow_days: int = 2,
    by_urgency: bool = False,
) -> list[CaseRow]:
    """Cases newest first; with ``today`` each running case carries its days left and light,
    and each case an outstanding deferral's light; ``by_urgency`` sorts by ``urgency_key``."""
    require(ctx, Permission.read_personal)
    cal = calendar_for(session) if today is not None else None
    q = select(ServiceCase, Applicant.name).join(
        Applicant, Applicant.id == ServiceCase.applicant_id
    )
    if statuses:
        q = q.where(ServiceCase.status.in_(list(statuses)))  # type: ignore[attr-defined]
    if applicant_id:
        q = q.where(ServiceCase.applicant_id == applicant_id)
    q = q.order_by(ServiceCase.registered_at.desc()).limit(limit)  # type: ignore[attr-defined]
    out = []
    for case, name in session.exec(q):
        bundle = session.get(Bundle, case.bundle_code) if case.bundle_code else None
        title = bundle.name if bundle else "、".join(m.name for m in matters_of(session, case.id))
        days_left = light = None
        promised = deferral_lit = None
        if cal is not None and today is not None:
            days_left, light, _update = deadline(
                case, suspensions(session, case.id), cal, today, yellow_days
            )
            promised = _earliest_deferral(session, case.id) if is_open(case.status) else None
            if promised is not None:
                deferral_lit = deferral_light(promised, today, cal, yellow_days)[1]
        out.append(
            CaseRow(
                case.id,
                case.number,
                case.status,
                name,
                title,
                case.registered_at,
                case.due_date,
                days_left,
                light,
                promised,
                deferral_lit,
            )
        )
    if by_urgency:
        out.sort(key=urgency_key)
    return out


def _earliest_deferral(session: Session, case_id: str) -> date | None:
    days = [
        r.deferred_until
        for r in line_rows(session, case_id)
        if r.state == LineState.deferred and r.arrived_on is None and r.deferred_until
    ]
    return min(days, default=None)


@dataclass(frozen=True)
class ApplicantCases:
    """What the desk shows of a recalled applicant: open cases and the last five."""

    open: tuple[CaseRow, ...]
    recent: tuple[CaseRow, ...]


def applicant_cases(
    session: Session,
    ctx: Ctx,
    applicant_id: str,
    today: date,
    yellow_days: int = 2,
    recent: int = 5,
) -> ApplicantCases:
    rows = list_cases(
        session, ctx, applicant_id=applicant_id, today=today, yellow_days=yellow_days, limit=500
    )
    open_rows = sorted((r for r in rows if is_open(r.status)), key=urgency_key)
    return ApplicantCases(tuple(open_rows), tuple(rows[:recent]))


def timeline(session: Session, ctx: Ctx, case_id: str) -> list[TimelineEntry]:
    """Every event of the case, oldest first, with who and when."""
    require(ctx, Permission.read_personal)
    rows = session.exec(
        select(Event)
        .where(Event.entity == "case", Event.entity_id == case_id)
        .order_by(Event.at, Event.seq)
    )
    out = []
    for ev in rows:
        details = json.loads(ev.payload)
        details.pop("rows", None)
        out.append(TimelineEntry(ev.at, ev.kind, ev.actor, details))
    return out
