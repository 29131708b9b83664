"""Reading cases: one case with its lines and deadline, the case list, the timeline."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from hallterm.clock import to_local
from hallterm.db.models import Applicant, Bundle, Event, ServiceCase, Staff
from hallterm.db.services.applicants import ApplicantView, view
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.cases.common import (
    get_case,
    line_requirement,
    line_rows,
    matter_rows,
    suspensions,
)
from hallterm.domain.case_states import CaseStatus
from hallterm.domain.checklist import Line, LineState, ReceivedAs, Requirement, Verdict, evaluate
from hallterm.domain.workdays import WorkCalendar, deadline_light


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

    def to_line(self) -> Line:
        return Line(
            requirement=self.requirement,
            state=LineState(self.state),
            received_as=ReceivedAs(self.received_as) if self.received_as else None,
            count=self.count,
            deferred_until=self.deferred_until,
            reused_from=self.reused_from,
            note=self.note,
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


def load_case(
    session: Session,
    case_id: str,
    today: date,
    yellow_days: int = 2,
    calendar: WorkCalendar | None = None,
) -> CaseView:
    case = get_case(session, case_id)
    applicant = session.get(Applicant, case.applicant_id)
    assert applicant is not None
    bundle = session.get(Bundle, case.bundle_code) if case.bundle_code else None
    clerk = session.get(Staff, case.clerk_id) if case.clerk_id else None
    cal = calendar or calendar_for(session)
    stops = suspensions(session, case_id)
    open_since = next((s for s, e in stops if e is None), None)
    days_left, light, needs_update = deadline(case, stops, cal, today, yellow_days)
    lines = tuple(
        LineView(
            id=r.id,
            position=r.position,
            requirement=line_requirement(r),
            state=r.state,
            received_as=r.received_as,
            count=r.count,
            deferred_until=r.deferred_until,
            reused_from=r.reused_from,
            note=r.note,
        )
        for r in line_rows(session, case_id)
    )
    return CaseView(
        id=case.id,
        number=case.number,
        status=case.status,
        station_code=case.station_code,
        applicant=view(applicant),
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
    )


def find_case_id(session: Session, number: str) -> str | None:
    return session.exec(select(ServiceCase.id).where(ServiceCase.number == number.strip())).first()


def list_cases(
    session: Session,
    *,
    statuses: Sequence[str] = (),
    applicant_id: str | None = None,
    limit: int = 200,
    today: date | None = None,
    yellow_days: int = 2,
) -> list[CaseRow]:
    """Cases newest first; with ``today`` each running case carries its days left and light."""
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
        if cal is not None and today is not None:
            days_left, light, _update = deadline(
                case, suspensions(session, case.id), cal, today, yellow_days
            )
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
            )
        )
    return out


def timeline(session: Session, case_id: str) -> list[TimelineEntry]:
    """Every event of the case, oldest first, with who and when."""
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
