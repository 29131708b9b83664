"""Reading lists of cases: the case list (newest first or by urgency), a case by its number,
and what the desk shows of a recalled applicant."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from hallterm.db.models import Applicant, Bundle, ServiceCase
from hallterm.db.services import Ctx
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.cases.common import line_rows, suspensions
from hallterm.db.services.cases.deadlines import deadline, deferral_light
from hallterm.db.services.cases.views import matters_of
from hallterm.db.services.permissions import require
from hallterm.domain.case_states import is_open
from hallterm.domain.checklist import LineState
from hallterm.domain.roles import Permission


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
        Applicant, col(Applicant.id) == col(ServiceCase.applicant_id)
    )
    if statuses:
        q = q.where(col(ServiceCase.status).in_(list(statuses)))
    if applicant_id:
        q = q.where(ServiceCase.applicant_id == applicant_id)
    q = q.order_by(col(ServiceCase.registered_at).desc()).limit(limit)
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
