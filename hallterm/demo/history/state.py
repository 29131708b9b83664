"""The demo history's state: its clock, the simulation's running tallies and its plans.

``Sim`` is what every step of the simulation shares (the random stream, the calendar, the
catalog, the applicants met so far, the counts, the steps planned for later days); ``plan``
puts a step on a later working day and ``local_moment`` turns a day and a time into a moment.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from hallterm.clock import HALL_TZ, Clock, to_local
from hallterm.db.models import Matter
from hallterm.db.services import SYSTEM, Actor, Ctx
from hallterm.domain.workdays import WorkCalendar


@dataclass(frozen=True)
class HistoryInfo:
    created: bool
    days: int
    seed: int
    stations: int
    tickets: int
    cases: int
    ratings: int
    certificates: int


class SimClock(Clock):
    """The simulation's clock: set to the moment of each action."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@dataclass
class SimApplicant:
    id_type: str
    id_number: str
    name: str
    legal_rep: str = ""
    applicant_id: str | None = None


@dataclass
class Sim:
    rng: random.Random
    clock: SimClock
    cal: WorkCalendar
    matters: list[Matter]
    bundles: dict[str, list[str]]
    persons: list[SimApplicant] = field(default_factory=list)
    entities: list[SimApplicant] = field(default_factory=list)
    plans: dict[date, list[tuple[datetime, int, Callable[[Session], None]]]] = field(
        default_factory=dict
    )
    counter: itertools.count[int] = field(default_factory=itertools.count)
    tickets: int = 0
    cases: int = 0
    ratings: int = 0
    supervisor: Actor = SYSTEM
    signer: Any = None  # the station's KeyBundle: approved cases get their certificate
    root: str = ""
    certificates: int = 0


def local_moment(day: date, minutes: float) -> datetime:
    """The UTC moment ``minutes`` after local midnight of ``day``."""
    return (datetime.combine(day, time(0), HALL_TZ) + timedelta(minutes=minutes)).astimezone(UTC)


def plan(sim: Sim, ctx: Ctx, working_days: int, step: Callable[[Session], None]) -> None:
    """Run ``step`` ``working_days`` after the current day, at a time in office hours."""
    today = to_local(ctx.clock.now()).date()
    day = sim.cal.add_working_days(today, working_days)
    at = local_moment(day, sim.rng.uniform(9 * 60, 17 * 60))
    sim.plans.setdefault(day, []).append((at, next(sim.counter), step))
