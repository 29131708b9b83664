"""The working-day calendar of a store: chinese-calendar, the shipped override file, and the
admin-kept override table (which wins)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from hallterm.db.events import snapshot
from hallterm.db.models import HolidayOverride, HolidayYear
from hallterm.db.services import Ctx, record_event
from hallterm.db.services.permissions import require
from hallterm.domain.roles import Permission
from hallterm.domain.workdays import DEFAULT_OVERRIDE_FILE, WorkCalendar, load_override_file


def calendar_for(session: Session) -> WorkCalendar:
    overrides, years = load_override_file(DEFAULT_OVERRIDE_FILE)
    for row in session.exec(select(HolidayOverride)):
        overrides[row.day] = row.is_workday
    years |= set(session.exec(select(HolidayYear.year)))
    return WorkCalendar(overrides, years)


def set_override(session: Session, ctx: Ctx, day: date, is_workday: bool, note: str = "") -> None:
    require(ctx, Permission.manage_calendar)
    row = session.get(HolidayOverride, day) or HolidayOverride(day=day, is_workday=is_workday)
    row.is_workday, row.note = is_workday, note
    session.add(row)
    session.flush()
    record_event(
        session,
        ctx,
        entity="holiday",
        entity_id=day.isoformat(),
        kind="holiday.set",
        payload={"rows": [snapshot(row)]},
    )


def declare_year(session: Session, ctx: Ctx, year: int) -> None:
    """Mark ``year`` as fully entered: its days then count as known (no warning)."""
    require(ctx, Permission.manage_calendar)
    if session.get(HolidayYear, year) is None:
        row = HolidayYear(year=year)
        session.add(row)
        session.flush()
        record_event(
            session,
            ctx,
            entity="holiday",
            entity_id=str(year),
            kind="holiday.year_declared",
            payload={"rows": [snapshot(row)]},
        )
