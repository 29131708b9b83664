"""容缺 follow-up: a deferred material handed in later, outstanding and overdue deferrals.

A material deferred at acceptance is recorded when it arrives, in any open status, as an
event (``case.deferred_arrived``), and a receipt is printed.  Until it arrives a case may
not be approved (so gets no certificate) unless every one of its matters allows it
(``Matter.approve_with_deferral``).  An outstanding deferral turns yellow as its promised
date nears and red once it has passed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from hallterm.db.engine import Store
from hallterm.db.events import snapshot
from hallterm.db.models import Applicant, CaseMaterialLine, ServiceCase
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.cases.common import (
    changed,
    domain_line,
    ensure_owned,
    get_case,
    line_rows,
    matter_rows,
    store_line,
    today_of,
)
from hallterm.db.services.cases.deadlines import deferral_light
from hallterm.db.services.cases.views import CaseView, load_case
from hallterm.db.services.permissions import require
from hallterm.domain.case_states import OPEN_STATES, CaseStatus, is_open
from hallterm.domain.checklist import ChecklistError, LineState
from hallterm.domain.roles import Permission
from hallterm.i18n import _

if TYPE_CHECKING:
    from hallterm.db.services.case_documents import Printed
    from hallterm.printing.output import Printer


@dataclass(frozen=True)
class DeferralAlert:
    """One outstanding deferred material whose promised date is near or past."""

    case_id: str
    case_number: str
    applicant_name: str
    material: str
    promised: date
    days_left: int  # working days to the promised date; negative once it has passed
    light: str  # "yellow" | "red"


@dataclass(frozen=True)
class HandedIn:
    view: CaseView
    printed: list[Printed]
    print_error: str | None


def outstanding(session: Session, case_id: str) -> list[str]:
    """Names of the case's deferred materials not handed in yet."""
    return [
        r.name
        for r in line_rows(session, case_id)
        if r.state == LineState.deferred and r.arrived_on is None
    ]


def check_approvable(session: Session, case: ServiceCase) -> None:
    """Refuse approval while a deferred material is outstanding, unless the matters allow it."""
    names = outstanding(session, case.id)
    if not names:
        return
    matters = [m for _c, m in matter_rows(session, case.id)]
    if matters and all(m is not None and m.approve_with_deferral for m in matters):
        return
    raise ServiceError(
        _(
            "case {number} cannot be approved yet: the deferred {items} has not been handed in"
        ).format(number=case.number, items="、".join(names))
    )


def record_arrival(session: Session, ctx: Ctx, case_id: str, type_code: str) -> None:
    """The applicant hands in a deferred material (any open status); one event."""
    require(ctx, Permission.front_desk, Permission.process_cases)
    case = get_case(session, case_id)
    ensure_owned(case, ctx)
    if not is_open(case.status):
        raise ServiceError(
            _("case {number} is closed: nothing can be handed in").format(number=case.number)
        )
    row = next((r for r in line_rows(session, case_id) if r.type_code == type_code), None)
    if row is None:
        raise ServiceError(_("material {code} is not on this checklist").format(code=type_code))
    line = domain_line(row)
    try:
        line.arrive(today_of(ctx))
    except ChecklistError as exc:
        raise ServiceError(str(exc)) from None
    store_line(row, line)
    session.add(row)
    session.flush()
    changed(
        session,
        ctx,
        case,
        "case.deferred_arrived",
        [snapshot(row)],
        material=row.name,
        promised=line.deferred_until,
        arrived=line.arrived_on,
    )


def hand_in(
    store: Store,
    ctx: Ctx,
    case_id: str,
    type_code: str,
    *,
    printer: Printer,
    font_path: str | os.PathLike[str] | None = None,
    yellow_days: int = 2,
) -> HandedIn:
    """Record the arrival, then print the receipt listing it as received."""
    from hallterm.db.services.case_documents import print_documents  # see decide.decide

    with store.write() as session:
        record_arrival(session, ctx, case_id, type_code)
    printed: list[Printed] = []
    error = None
    try:
        printed = print_documents(
            store, ctx, case_id, ["receipt"], printer, font_path=font_path, yellow_days=yellow_days
        )
    except ServiceError as exc:  # recorded; the receipt can be reprinted
        error = str(exc)
    with store.read() as session:
        view = load_case(session, ctx, case_id, today_of(ctx), yellow_days)
    return HandedIn(view, printed, error)


def deferral_alerts(
    session: Session, today: date, yellow_days: int = 2, station_code: str | None = None
) -> list[DeferralAlert]:
    """Outstanding deferrals of open cases that are yellow or red, most urgent first."""
    cal = calendar_for(session)
    q = (
        select(CaseMaterialLine, ServiceCase, Applicant.name)
        .join(ServiceCase, col(ServiceCase.id) == col(CaseMaterialLine.case_id))
        .join(Applicant, col(Applicant.id) == col(ServiceCase.applicant_id))
        .where(
            CaseMaterialLine.state == LineState.deferred.value,
            col(CaseMaterialLine.arrived_on).is_(None),
            col(ServiceCase.status).in_([s.value for s in OPEN_STATES]),
        )
    )
    if station_code:
        q = q.where(ServiceCase.station_code == station_code)
    out = []
    for line, case, name in session.exec(q):
        if line.deferred_until is None or case.status == CaseStatus.registered:
            continue
        days_left, light = deferral_light(line.deferred_until, today, cal, yellow_days)
        if light is not None:
            out.append(
                DeferralAlert(
                    case.id, case.number, name, line.name, line.deferred_until, days_left, light
                )
            )
    out.sort(key=lambda a: (a.light != "red", a.days_left, a.case_number))
    return out
