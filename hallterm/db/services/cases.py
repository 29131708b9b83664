"""Cases at the window: registration, the materials checklist, decisions and later moves.

Every move goes through the domain state machine (``transition``) and is written as one
event in the same transaction, with snapshots of the rows it changed (for sync).  The
case number is made offline: station code + local date + a per-station daily counter.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from hallterm.clock import to_local
from hallterm.db.events import snapshot
from hallterm.db.models import (
    Applicant,
    Bundle,
    BundleMatter,
    CaseMaterialLine,
    CaseMatter,
    CaseSuspension,
    Event,
    MaterialRequirement,
    Matter,
    ServiceCase,
    Staff,
    StoredMaterial,
)
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.applicants import ApplicantView, view
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.catalog.io import current_version
from hallterm.db.services.counters import next_value
from hallterm.domain.case_states import CaseAction, CaseStatus, IllegalTransition, transition
from hallterm.domain.checklist import (
    ChecklistError,
    Line,
    LineState,
    ReceivedAs,
    Requirement,
    Verdict,
    evaluate,
    merge_requirements,
)
from hallterm.domain.numbering import case_number
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
class LineInput:
    """What the clerk recorded for one checklist line (by material type code)."""

    type_code: str
    state: str
    received_as: str | None = None
    count: int = 0
    deferred_until: date | None = None
    reused_from: str | None = None
    note: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    actor: str
    details: dict[str, Any]


# -- helpers -----------------------------------------------------------------------------


def _today(ctx: Ctx) -> date:
    return to_local(ctx.clock.now()).date()


def _case(session: Session, case_id: str) -> ServiceCase:
    row = session.get(ServiceCase, case_id)
    if row is None:
        raise ServiceError(_("no such case"))
    return row


def _event(
    session: Session,
    ctx: Ctx,
    case: ServiceCase,
    kind: str,
    rows: list[dict[str, Any]],
    **extra: Any,
) -> None:
    record_event(
        session,
        ctx,
        entity="case",
        entity_id=case.id,
        kind=kind,
        payload={"number": case.number, **extra, "rows": rows},
    )


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
            .order_by(MaterialRequirement.position)
        )
        per_matter.append((code, [_requirement(r, code) for r in reqs]))
    return merge_requirements(per_matter)


def _owned(case: ServiceCase, ctx: Ctx) -> None:
    if case.station_code != ctx.station_code:
        raise ServiceError(
            _("case {number} belongs to station {station}; only that station may change it").format(
                number=case.number, station=case.station_code
            )
        )


def _move(case: ServiceCase, action: CaseAction) -> tuple[str, str]:
    try:
        new = transition(case.status, action)
    except IllegalTransition as exc:
        raise ServiceError(str(exc)) from None
    old = case.status
    case.status = new.value
    return old, new.value


def _bump(case: ServiceCase, ctx: Ctx) -> int:
    base = case.version
    case.version += 1
    case.updated_at = ctx.clock.now()
    return base


def _changed(
    session: Session,
    ctx: Ctx,
    case: ServiceCase,
    kind: str,
    rows: Sequence[dict[str, Any]],
    **extra: Any,
) -> None:
    """Record a change of ``case``: new version, then one event with the case and ``rows``."""
    base = _bump(case, ctx)
    session.add(case)
    session.flush()
    _event(session, ctx, case, kind, [snapshot(case, base), *rows], **extra)


# -- registration and materials ----------------------------------------------------------


def start_case(
    session: Session,
    ctx: Ctx,
    *,
    applicant_id: str,
    matter_codes: Sequence[str] = (),
    bundle_code: str | None = None,
) -> str:
    """Register a case for the applicant and matter(s) or bundle; returns its id.

    The checklist is made from the catalog; documents on file for the applicant and still
    valid are pre-marked as reused (the clerk may change that).
    """
    applicant = session.get(Applicant, applicant_id)
    if applicant is None:
        raise ServiceError(_("no such applicant"))
    codes = list(matter_codes)
    if bundle_code:
        if session.get(Bundle, bundle_code) is None:
            raise ServiceError(_("no such bundle {code}").format(code=bundle_code))
        codes = list(
            session.exec(
                select(BundleMatter.matter_code)
                .where(BundleMatter.bundle_code == bundle_code)
                .order_by(BundleMatter.position)
            )
        )
    if not codes:
        raise ServiceError(_("choose at least one matter"))
    for code in codes:
        if session.get(Matter, code) is None:
            raise ServiceError(_("no such matter {code}").format(code=code))
    version = current_version(session)
    now = ctx.clock.now()
    today = _today(ctx)
    seq = next_value(session, f"case:{ctx.station_code}:{today:%Y%m%d}")
    case = ServiceCase(
        id=str(uuid.uuid4()),
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
    )
    session.add(case)
    session.flush()
    rows: list[dict[str, Any]] = [snapshot(case)]
    for pos, code in enumerate(codes):
        cm = CaseMatter(case_id=case.id, matter_code=code, position=pos)
        session.add(cm)
        rows.append(snapshot(cm))
    stored: dict[str, StoredMaterial] = {}
    for s in _valid_stored(session, applicant_id, today):  # newest first: the newest wins
        stored.setdefault(s.type_code, s)
    for pos, req in enumerate(checklist_for(session, codes)):
        on_file = stored.get(req.type_code)
        line = CaseMaterialLine(
            id=str(uuid.uuid4()),
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
        )
        session.add(line)
        rows.append(snapshot(line))
    session.flush()
    _event(session, ctx, case, "case.registered", rows, matters=codes, bundle=bundle_code)
    return case.id


def _valid_stored(session: Session, applicant_id: str, today: date) -> list[StoredMaterial]:
    rows = session.exec(
        select(StoredMaterial)
        .where(StoredMaterial.applicant_id == applicant_id)
        .order_by(StoredMaterial.received_on.desc())  # type: ignore[attr-defined]
    )
    return [r for r in rows if r.valid_until is None or r.valid_until >= today]


def record_lines(session: Session, ctx: Ctx, case_id: str, inputs: Sequence[LineInput]) -> None:
    """Store what the clerk recorded on the checklist; every rule is checked by the domain."""
    case = _case(session, case_id)
    _owned(case, ctx)
    if case.status not in (CaseStatus.registered, CaseStatus.notified):
        raise ServiceError(
            _("the materials of case {number} can no longer be changed").format(number=case.number)
        )
    today = _today(ctx)
    lines = {
        line.type_code: line
        for line in session.exec(
            select(CaseMaterialLine).where(CaseMaterialLine.case_id == case_id)
        )
    }
    # A reused document must be on file, still valid, and of the line's own material type.
    stored_types = {s.id: s.type_code for s in _valid_stored(session, case.applicant_id, today)}
    rows: list[dict[str, Any]] = []
    for item in inputs:
        row = lines.get(item.type_code)
        if row is None:
            raise ServiceError(
                _("material {code} is not on this checklist").format(code=item.type_code)
            )
        domain_line = Line(requirement=_line_requirement(row))
        try:
            state = LineState(item.state)
            if state is LineState.received:
                domain_line.receive(item.received_as or ReceivedAs.original, item.count)
            elif state is LineState.missing:
                domain_line.mark_missing(item.note)
            elif state is LineState.deferred:
                if item.deferred_until is None:
                    raise ChecklistError(
                        _("give the date by which {name} must be supplied").format(name=row.name)
                    )
                domain_line.defer(item.deferred_until, today)
            elif state is LineState.reused:
                if stored_types.get(item.reused_from or "") != row.type_code:
                    raise ChecklistError(
                        _("{name}: the document on file is no longer valid").format(name=row.name)
                    )
                domain_line.reuse(item.reused_from)
            elif state is LineState.not_applicable:
                domain_line.mark_not_applicable(item.note)
        except (ChecklistError, ValueError) as exc:
            raise ServiceError(str(exc)) from None
        row.state = domain_line.state.value
        row.received_as = domain_line.received_as.value if domain_line.received_as else None
        row.count = domain_line.count
        row.deferred_until = domain_line.deferred_until
        row.reused_from = domain_line.reused_from
        row.note = item.note
        session.add(row)
        rows.append(snapshot(row))
    _changed(session, ctx, case, "case.materials_recorded", rows)


def _line_requirement(row: CaseMaterialLine) -> Requirement:
    return Requirement(
        type_code=row.type_code,
        name=row.name,
        necessity=row.necessity,
        form=row.form,
        source=row.source,
        originals=row.originals,
        copies=row.copies,
        standard=row.standard,
        valid_days=row.valid_days,
        matters=tuple(c for c in row.matters.split(",") if c),
    )


def _domain_lines(session: Session, case_id: str) -> list[Line]:
    rows = session.exec(
        select(CaseMaterialLine)
        .where(CaseMaterialLine.case_id == case_id)
        .order_by(CaseMaterialLine.position)
    )
    return [
        Line(
            requirement=_line_requirement(r),
            state=LineState(r.state),
            received_as=ReceivedAs(r.received_as) if r.received_as else None,
            count=r.count,
            deferred_until=r.deferred_until,
            reused_from=r.reused_from,
            note=r.note,
        )
        for r in rows
    ]


# -- decisions -----------------------------------------------------------------------------


def _limit_days(session: Session, case_id: str) -> int:
    codes = list(session.exec(select(CaseMatter.matter_code).where(CaseMatter.case_id == case_id)))
    limits = [
        m.promised_limit_days for m in (session.get(Matter, c) for c in codes) if m is not None
    ]
    return max(limits, default=0)


def _suspensions(session: Session, case_id: str) -> list[tuple[date, date | None]]:
    rows = session.exec(
        select(CaseSuspension)
        .where(CaseSuspension.case_id == case_id)
        .order_by(CaseSuspension.started_on)
    )
    return [(r.started_on, r.ended_on) for r in rows]


def accept(session: Session, ctx: Ctx, case_id: str) -> None:
    """受理: only when the verdict is complete or complete with deferrals."""
    case = _case(session, case_id)
    _owned(case, ctx)
    verdict = evaluate(_domain_lines(session, case_id))
    if verdict.kind == "incomplete":
        raise ServiceError(
            _("cannot accept: missing {items}; print the one-time notice instead").format(
                items="、".join(verdict.missing)
            )
        )
    old, new = _move(case, CaseAction.accept)
    today = _today(ctx)
    case.accepted_at = ctx.clock.now()
    case.limit_days = _limit_days(session, case_id)
    case.due_date = calendar_for(session).due_date(today, case.limit_days, (), today)
    rows = _store_received(session, case, today)
    _changed(
        session,
        ctx,
        case,
        "case.accepted",
        rows,
        **{"from": old, "to": new, "due_date": case.due_date},
    )


def _store_received(session: Session, case: ServiceCase, today: date) -> list[dict[str, Any]]:
    """Keep the documents received in this case for reuse while they are valid."""
    out = []
    for line in session.exec(select(CaseMaterialLine).where(CaseMaterialLine.case_id == case.id)):
        if line.state != LineState.received or not line.valid_days:
            continue
        stored = StoredMaterial(
            id=str(uuid.uuid4()),
            applicant_id=case.applicant_id,
            type_code=line.type_code,
            name=line.name,
            received_as=line.received_as or "",
            received_on=today,
            valid_until=today + timedelta(days=line.valid_days),
            case_id=case.id,
        )
        session.add(stored)
        out.append(snapshot(stored))
    return out


def notify(session: Session, ctx: Ctx, case_id: str) -> None:
    """一次性告知: the case waits for the missing materials, keeping what was received."""
    case = _case(session, case_id)
    _owned(case, ctx)
    verdict = evaluate(_domain_lines(session, case_id))
    if verdict.kind != "incomplete":
        raise ServiceError(_("nothing is missing: accept the case instead"))
    old, new = _move(case, CaseAction.notify)
    _changed(
        session,
        ctx,
        case,
        "case.notified",
        (),
        missing=list(verdict.missing),
        **{"from": old, "to": new},
    )


def refuse(session: Session, ctx: Ctx, case_id: str, reason: str) -> None:
    """不予受理, with the reason that goes on the decision."""
    _finish_with_reason(session, ctx, case_id, CaseAction.refuse, reason, required=True)


def _finish_with_reason(
    session: Session, ctx: Ctx, case_id: str, action: CaseAction, reason: str, required: bool
) -> None:
    reason = reason.strip()
    if required and not reason:
        raise ServiceError(_("a reason is required"))
    case = _case(session, case_id)
    _owned(case, ctx)
    old, new = _move(case, action)
    if reason:
        case.decision_reason = reason
    if action in (CaseAction.approve, CaseAction.deny, CaseAction.refuse, CaseAction.withdraw):
        case.completed_at = ctx.clock.now()
    if action is CaseAction.deliver:
        case.delivered_at = ctx.clock.now()
    rows = []
    if action is CaseAction.withdraw or action in (CaseAction.approve, CaseAction.deny):
        rows += _close_suspension(session, case, _today(ctx))
    _changed(session, ctx, case, f"case.{new}", rows, reason=reason, **{"from": old, "to": new})


def _close_suspension(session: Session, case: ServiceCase, today: date) -> list[dict[str, Any]]:
    open_rows = session.exec(
        select(CaseSuspension).where(
            CaseSuspension.case_id == case.id, CaseSuspension.ended_on.is_(None)
        )  # type: ignore[union-attr]
    )
    out = []
    for s in open_rows:
        s.ended_on = today
        session.add(s)
        out.append(snapshot(s))
    return out


def advance(
    session: Session, ctx: Ctx, case_id: str, action: CaseAction | str, reason: str = ""
) -> None:
    """The moves after acceptance: review, suspend/resume, approve/deny, deliver, withdraw."""
    action = CaseAction(action)
    if action in (CaseAction.accept, CaseAction.notify):
        raise ServiceError(_("use accept or notify for this move"))
    if action is CaseAction.suspend:
        _suspend(session, ctx, case_id, reason)
    elif action is CaseAction.resume:
        _resume(session, ctx, case_id)
    else:
        _finish_with_reason(
            session,
            ctx,
            case_id,
            action,
            reason,
            required=action in (CaseAction.deny, CaseAction.refuse, CaseAction.withdraw),
        )


def _suspend(session: Session, ctx: Ctx, case_id: str, reason: str) -> None:
    if not reason.strip():
        raise ServiceError(_("a reason is required"))
    case = _case(session, case_id)
    _owned(case, ctx)
    old, new = _move(case, CaseAction.suspend)
    susp = CaseSuspension(
        id=str(uuid.uuid4()), case_id=case.id, started_on=_today(ctx), reason=reason.strip()
    )
    session.add(susp)
    session.flush()
    _changed(
        session,
        ctx,
        case,
        "case.suspended",
        [snapshot(susp)],
        reason=reason.strip(),
        **{"from": old, "to": new},
    )


def _resume(session: Session, ctx: Ctx, case_id: str) -> None:
    case = _case(session, case_id)
    _owned(case, ctx)
    old, new = _move(case, CaseAction.resume)
    today = _today(ctx)
    rows = _close_suspension(session, case, today)
    session.flush()
    if case.accepted_at is not None and case.limit_days is not None:
        case.due_date = calendar_for(session).due_date(
            to_local(case.accepted_at).date(),
            case.limit_days,
            _suspensions(session, case.id),
            today,
        )
    _changed(
        session, ctx, case, "case.resumed", rows, due_date=case.due_date, **{"from": old, "to": new}
    )


def complete_on_spot(session: Session, ctx: Ctx, case_id: str) -> None:
    """即办件: accept, approve and deliver at the window in one go."""
    case = _case(session, case_id)
    if not all(m.handling_type == "immediate" for m in _matters(session, case_id)):
        raise ServiceError(_("only on-the-spot matters (即办件) can be completed at once"))
    if case.status in (CaseStatus.registered, CaseStatus.notified):
        accept(session, ctx, case_id)
    advance(session, ctx, case_id, CaseAction.approve)
    advance(session, ctx, case_id, CaseAction.deliver)


# -- reading -----------------------------------------------------------------------------


def _matters(session: Session, case_id: str) -> list[MatterBrief]:
    out = []
    for cm in session.exec(
        select(CaseMatter).where(CaseMatter.case_id == case_id).order_by(CaseMatter.position)
    ):
        m = session.get(Matter, cm.matter_code)
        if m is not None:
            out.append(
                MatterBrief(
                    m.code, m.name, m.handling_type, m.promised_limit_days, m.certificate_type
                )
            )
        else:
            out.append(MatterBrief(cm.matter_code, cm.matter_code, "promised", 0, None))
    return out


_RUNNING = (CaseStatus.accepted, CaseStatus.in_review, CaseStatus.suspended)


def _deadline(
    case: ServiceCase,
    suspensions: list[tuple[date, date | None]],
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
        any(e is None for _s, e in suspensions)
        and case.limit_days is not None
        and case.accepted_at is not None
    ):
        due = cal.due_date(to_local(case.accepted_at).date(), case.limit_days, suspensions, today)
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
    case = _case(session, case_id)
    applicant = session.get(Applicant, case.applicant_id)
    assert applicant is not None
    bundle = session.get(Bundle, case.bundle_code) if case.bundle_code else None
    clerk = session.get(Staff, case.clerk_id) if case.clerk_id else None
    cal = calendar or calendar_for(session)
    suspensions = _suspensions(session, case_id)
    open_since = next((s for s, e in suspensions if e is None), None)
    days_left, light, needs_update = _deadline(case, suspensions, cal, today, yellow_days)
    lines = tuple(
        LineView(
            id=r.id,
            position=r.position,
            requirement=_line_requirement(r),
            state=r.state,
            received_as=r.received_as,
            count=r.count,
            deferred_until=r.deferred_until,
            reused_from=r.reused_from,
            note=r.note,
        )
        for r in session.exec(
            select(CaseMaterialLine)
            .where(CaseMaterialLine.case_id == case_id)
            .order_by(CaseMaterialLine.position)
        )
    )
    return CaseView(
        id=case.id,
        number=case.number,
        status=case.status,
        station_code=case.station_code,
        applicant=view(applicant),
        matters=tuple(_matters(session, case_id)),
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
        title = bundle.name if bundle else "、".join(m.name for m in _matters(session, case.id))
        days_left = light = None
        if cal is not None and today is not None:
            days_left, light, _update = _deadline(
                case, _suspensions(session, case.id), cal, today, yellow_days
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


def record_print(session: Session, ctx: Ctx, case_id: str, document: str, path: str) -> None:
    """Every printed document is in the audit trail."""
    case = _case(session, case_id)
    record_event(
        session,
        ctx,
        entity="case",
        entity_id=case.id,
        kind="case.printed",
        payload={"number": case.number, "document": document, "file": path.rsplit("/", 1)[-1]},
    )
