"""The case clock as the desk reads it: working days left, the light, a deferral's light."""

from __future__ import annotations

from datetime import date

from hallterm.clock import to_local
from hallterm.db.models import ServiceCase
from hallterm.domain.case_states import CaseStatus
from hallterm.domain.workdays import WorkCalendar, deadline_light

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
