"""The working-day calendar of a store, and importing a year's official arrangement.

``calendar_for`` combines chinese-calendar, the admin's override file (the ``holiday_file``
setting, else the shipped one) and the store's override table (which wins).

``import_arrangements`` loads one or more years' official arrangements (holidays and make-up
working days) into the override table, replacing what the store had for those years, and
declares each year known, so the "calendar needs updating" warning goes away.  When a year's
calendar changes, every running case of this station whose time limit runs through that year
gets its due date recomputed, each with a ``case.due_recomputed`` event.  Central publishes
an import on the pull feed (topic ``calendar``); a station applies it with the same function.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import Session, select

from hallterm.clock import to_local
from hallterm.db.events import snapshot
from hallterm.db.models import CaseSuspension, HolidayOverride, HolidayYear, ServiceCase
from hallterm.db.services import Ctx, ServiceError, record_event
from hallterm.db.services.permissions import require
from hallterm.domain.roles import Permission
from hallterm.domain.workdays import (
    Arrangement,
    WorkCalendar,
    load_override_file,
    override_file,
    parse_arrangements,
)

# Cases whose clock runs or is stopped: their due date is still to come.
_RUNNING = ("accepted", "in_review", "suspended")
CALENDAR_TOPIC = "calendar"


def calendar_for(session: Session) -> WorkCalendar:
    """The store's calendar; a broken override file is refused with its message."""
    try:
        overrides, years = load_override_file(override_file())
    except ValueError as exc:
        raise ServiceError(str(exc)) from None
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


# -- importing arrangements -------------------------------------------------------------------


@dataclass(frozen=True)
class DueChange:
    """A running case whose due date moved with the new calendar."""

    case_id: str
    number: str
    old: date
    new: date


@dataclass
class ImportResult:
    """What an import did: the years loaded, those already identical, and the cases moved."""

    imported: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    moved: list[DueChange] = field(default_factory=list)


def arrangement_payload(arrangements: Iterable[Arrangement]) -> dict[str, object]:
    """The arrangements as plain JSON (the feed item central publishes)."""
    return {
        "years": {
            str(a.year): {
                "holidays": sorted(d.isoformat() for d in a.holidays),
                "workdays": sorted(d.isoformat() for d in a.workdays),
            }
            for a in arrangements
        }
    }


def _year_rows(session: Session, year: int) -> list[HolidayOverride]:
    return list(
        session.exec(
            select(HolidayOverride).where(
                HolidayOverride.day >= date(year, 1, 1),
                HolidayOverride.day <= date(year, 12, 31),
            )
        )
    )


def import_arrangements(
    session: Session, ctx: Ctx, arrangements: Sequence[Arrangement], source: str = ""
) -> ImportResult:
    """Load the arrangements, declare their years known, recompute the cases they move."""
    require(ctx, Permission.manage_calendar)
    result = ImportResult()
    changed_years: list[int] = []
    for arr in sorted(arrangements, key=lambda a: a.year):
        wanted = arr.overrides()
        current = {r.day: r.is_workday for r in _year_rows(session, arr.year)}
        declared = session.get(HolidayYear, arr.year) is not None
        if current == wanted and declared:
            result.unchanged.append(arr.year)
            continue
        session.execute(
            delete(HolidayOverride).where(
                HolidayOverride.day >= date(arr.year, 1, 1),  # type: ignore[arg-type]
                HolidayOverride.day <= date(arr.year, 12, 31),  # type: ignore[arg-type]
            )
        )
        for day, is_workday in sorted(wanted.items()):
            session.add(HolidayOverride(day=day, is_workday=is_workday, note=source[:100]))
        if not declared:
            session.add(HolidayYear(year=arr.year))
        session.flush()
        record_event(
            session,
            ctx,
            entity="holiday",
            entity_id=str(arr.year),
            kind="holiday.year_imported",
            payload={
                "year": arr.year,
                "source": source,
                "holidays": sorted(d.isoformat() for d in arr.holidays),
                "workdays": sorted(d.isoformat() for d in arr.workdays),
            },
        )
        result.imported.append(arr.year)
        changed_years.append(arr.year)
    if changed_years:
        result.moved = recompute_due_dates(session, ctx, changed_years)
    return result


def recompute_due_dates(session: Session, ctx: Ctx, years: Sequence[int]) -> list[DueChange]:
    """Recompute the stored due date of this station's running cases through ``years``.

    A case counts when its time limit runs through one of ``years`` (from the acceptance date
    to the later of the old and new due dates).  Closed suspensions stop the clock as at
    resumption; an open suspension leaves the stored date as the suspension found it.
    """
    cal = calendar_for(session)
    cases = session.exec(
        select(ServiceCase).where(
            ServiceCase.station_code == ctx.station_code,
            ServiceCase.status.in_(_RUNNING),  # type: ignore[attr-defined]
            ServiceCase.accepted_at.is_not(None),  # type: ignore[union-attr]
            ServiceCase.limit_days.is_not(None),  # type: ignore[union-attr]
            ServiceCase.due_date.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    moved: list[DueChange] = []
    for case in sorted(cases, key=lambda c: c.number):
        assert case.accepted_at is not None and case.limit_days is not None
        assert case.due_date is not None
        accepted = to_local(case.accepted_at).date()
        if not any(accepted.year <= y <= case.due_date.year for y in years):
            continue
        closed = [
            (s.started_on, s.ended_on)
            for s in session.exec(select(CaseSuspension).where(CaseSuspension.case_id == case.id))
            if s.ended_on is not None
        ]
        new_due = cal.due_date(accepted, case.limit_days, closed)
        if new_due == case.due_date:
            continue
        old_due = case.due_date
        base = case.version
        case.due_date = new_due
        case.version += 1
        case.updated_at = ctx.clock.now()
        session.add(case)
        session.flush()
        record_event(
            session,
            ctx,
            entity="case",
            entity_id=case.id,
            kind="case.due_recomputed",
            payload={
                "number": case.number,
                "due_date": new_due.isoformat(),
                "previous_due_date": old_due.isoformat(),
                "years": sorted(set(years)),
                "rows": [snapshot(case, base)],
            },
        )
        moved.append(DueChange(case.id, case.number, old_due, new_due))
    return moved


def arrangements_from_payload(payload: str) -> list[Arrangement]:
    """The arrangements of a published feed item (see ``arrangement_payload``)."""
    return parse_arrangements(json.loads(payload), Path(CALENDAR_TOPIC))
