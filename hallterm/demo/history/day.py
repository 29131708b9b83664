"""One simulated day of the demo history: its timed actions, the queue and the stations' cases.

The queue of the store's own station is a small discrete-event simulation: arrivals peak in
the morning, every open window calls the next ticket as soon as it is free, some applicants do
not show up (re-queued once), some are transferred, and the service itself registers the case.
Township and village stations take a few cases a day without a queue.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlmodel import Session

from hallterm.db.models import Station
from hallterm.db.services import SYSTEM, Actor, Ctx, ServiceError
from hallterm.db.services import queue as q
from hallterm.demo.history.cases import serve
from hallterm.demo.history.feedback import rate_service
from hallterm.demo.history.people import draw_applicant
from hallterm.demo.history.state import Sim, local_moment


class Day:
    """The timed actions of one day, run in time order (plans, arrivals, window events)."""

    def __init__(self, sim: Sim, until: datetime | None) -> None:
        self.sim = sim
        self.until = until
        self.heap: list[tuple[datetime, int, Callable[[Session], None]]] = []

    def at(self, when: datetime, action: Callable[[Session], None]) -> None:
        heapq.heappush(self.heap, (when, next(self.sim.counter), action))

    def run(self, session: Session) -> None:
        while self.heap:
            when, _n, action = heapq.heappop(self.heap)
            if self.until is not None and when > self.until:
                continue  # the future of today: left undone (the live queue)
            self.sim.clock.at = when
            try:
                with session.begin_nested():
                    action(session)
            except ServiceError:
                pass  # the world moved on (e.g. a withdrawn case): this step lapses


def queue_day(
    day_runner: Day,
    sim: Sim,
    station: Station,
    clerks: list[Actor],
    categories: list[str],
    day: date,
    per_day: int,
) -> None:
    """Arrivals at the kiosk and the windows that serve them."""
    rng = sim.rng
    free = {a.window: True for a in clerks}
    by_window = {a.window: a for a in clerks}

    def ctx_of(actor: Actor) -> Ctx:
        return Ctx(actor=actor, station_code=station.code, clock=sim.clock)

    def dispatch(session: Session) -> None:
        for window, is_free in sorted(free.items()):
            if not is_free:
                continue
            ctx = ctx_of(by_window[window])
            ticket = q.call_next(session, ctx, window)
            if ticket is None:
                return  # every window serves every line: the lines are empty
            free[window] = False
            now = sim.clock.now()
            if rng.random() < 0.06:
                day_runner.at(now + timedelta(minutes=3), _no_show(ticket.id, window))
            else:
                delay = timedelta(minutes=rng.uniform(0.5, 2.5))
                day_runner.at(now + delay, _show_up(ticket.id, ticket.category, window))

    def _no_show(ticket_id: str, window: str) -> Callable[[Session], None]:
        def run(session: Session) -> None:
            free[window] = True
            q.no_show(session, ctx_of(by_window[window]), ticket_id)
            dispatch(session)

        return run

    def _show_up(ticket_id: str, category: str, window: str) -> Callable[[Session], None]:
        def run(session: Session) -> None:
            ctx = ctx_of(by_window[window])
            if q.get_ticket(session, ticket_id).priority_to_confirm:
                q.confirm_priority(session, ctx, ticket_id, granted=True)  # checked at the call
            q.start_service(session, ctx, ticket_id)
            if len(categories) > 1 and rng.random() < 0.04:
                other = rng.choice([c for c in categories if c != category])
                day_runner.at(
                    sim.clock.now() + timedelta(minutes=rng.uniform(1, 3)),
                    _transfer(ticket_id, other, window),
                )
                return
            case_id = serve(session, sim, ctx, category)
            minutes = rng.uniform(6, 24)
            day_runner.at(
                sim.clock.now() + timedelta(minutes=minutes), _finish(ticket_id, case_id, window)
            )

        return run

    def _transfer(ticket_id: str, category: str, window: str) -> Callable[[Session], None]:
        def run(session: Session) -> None:
            free[window] = True
            q.transfer(session, ctx_of(by_window[window]), ticket_id, category=category)
            dispatch(session)

        return run

    def _finish(ticket_id: str, case_id: str | None, window: str) -> Callable[[Session], None]:
        def run(session: Session) -> None:
            ctx = ctx_of(by_window[window])
            free[window] = True
            q.finish(session, ctx, ticket_id, case_id=case_id)
            if rng.random() < 0.7:
                rate_service(session, sim, ctx, ticket_id=ticket_id)
            dispatch(session)

        return run

    def _arrive(category: str, priority: bool, appointment: bool) -> Callable[[Session], None]:
        def run(session: Session) -> None:
            kiosk = Ctx(actor=SYSTEM, station_code=station.code, clock=sim.clock)
            number = None
            if rng.random() < 0.5:
                number = draw_applicant(session, sim, kiosk, entity=False).id_number
            q.issue_ticket(
                session,
                kiosk,
                category,
                priority=priority,
                appointment=appointment,
                id_number=number,
            )
            sim.tickets += 1
            dispatch(session)

        return run

    count = max(1, int(per_day * rng.uniform(0.7, 1.3)))
    weights = [5, 3, 4, 2, 3, 2, 2, 1][: len(categories)] or [1]
    for _ in range(count):
        minutes = rng.triangular(8.5 * 60, 16.5 * 60, 9.5 * 60)
        category = rng.choices(categories, weights[: len(categories)])[0]
        day_runner.at(
            local_moment(day, minutes),
            _arrive(category, rng.random() < 0.08, rng.random() < 0.12),
        )


def station_cases(day_runner: Day, sim: Sim, station: Station, clerk: Actor, day: date) -> None:
    """A township or village station: a few cases a day, no queue."""
    rng = sim.rng
    ctx = Ctx(actor=clerk, station_code=station.code, clock=sim.clock)
    for _ in range(rng.randint(0, 4)):

        def run(session: Session) -> None:
            case_id = serve(session, sim, ctx, None)
            if case_id and rng.random() < 0.5:
                rate_service(session, sim, ctx, case_id=case_id)

        day_runner.at(local_moment(day, rng.uniform(9 * 60, 16.5 * 60)), run)
