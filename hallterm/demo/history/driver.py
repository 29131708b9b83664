"""The demo history's driver: ``generate_history`` runs the days and records what it made.

It sets the stage (child stations, clerks, open windows), runs each day in its own write
transaction (the steps planned for that day, the queue, the stations' cases, the supervisor's
answers) and records the totals in ``store_info``, so a second call only reports them.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select

from hallterm.clock import Clock, to_local
from hallterm.db.engine import Store
from hallterm.db.models import Bundle, BundleMatter, Matter, Staff, Station
from hallterm.db.services import SYSTEM, Ctx, ServiceError
from hallterm.db.services import queue as q
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.setup import get_info, set_info
from hallterm.db.services.staff import actor_of
from hallterm.demo.history.day import Day, queue_day, station_cases
from hallterm.demo.history.feedback import close_rectifications
from hallterm.demo.history.state import HistoryInfo, Sim, SimClock, local_moment
from hallterm.demo.history.stations import child_stations, station_clerks

INFO_KEY = "demo_history"


def generate_history(
    store: Store,
    *,
    days: int,
    seed: int,
    clock: Clock | None = None,
    extra_stations: int = 0,
    tickets_per_day: int = 40,
    progress: Callable[[date], None] | None = None,
    signer: Any = None,
) -> HistoryInfo:
    """Fill ``store`` (station set up, catalog imported) with ``days`` days of history.

    Runs once per store: a second call only reports what the first recorded.
    """
    real = clock or Clock()
    now = real.now()
    today = to_local(now).date()
    rng = random.Random(seed)
    sim_clock = SimClock(local_moment(today - timedelta(days=days + 1), 8 * 60))
    with store.write() as session:
        done = get_info(session, INFO_KEY)
        if done:
            parts = dict(p.split("=", 1) for p in done.split(";") if "=" in p)
            return HistoryInfo(
                created=False,
                days=int(parts.get("days", 0)),
                seed=int(parts.get("seed", 0)),
                stations=int(parts.get("stations", 0)),
                tickets=int(parts.get("tickets", 0)),
                cases=int(parts.get("cases", 0)),
                ratings=int(parts.get("ratings", 0)),
                certificates=int(parts.get("certificates", 0)),
            )
        own_code = get_info(session, "station_code")
        root = session.get(Station, own_code) if own_code else None
        if root is None:
            raise ServiceError("the store has no station yet; run: hallterm init")
        setup_ctx = Ctx(actor=SYSTEM, station_code=root.code, clock=sim_clock)
        matters = list(session.exec(select(Matter).order_by(col(Matter.position))))
        if not matters:
            raise ServiceError("the store has no catalog yet")
        bundles: dict[str, list[str]] = {}
        for bm in session.exec(select(BundleMatter).order_by(col(BundleMatter.position))):
            bundles.setdefault(bm.bundle_code, []).append(bm.matter_code)
        bundles = {k: v for k, v in bundles.items() if session.get(Bundle, k) is not None}
        sim = Sim(
            rng=rng,
            clock=sim_clock,
            cal=calendar_for(session),
            matters=matters,
            bundles=bundles,
            signer=signer,
            root=root.code,
        )
        supervisor = session.exec(
            select(Staff).where(Staff.role == "supervisor", Staff.station_code == root.code)
        ).first()
        sim.supervisor = actor_of(supervisor) if supervisor else SYSTEM
        children = child_stations(session, setup_ctx, root, extra_stations, rng)
        main_clerks = station_clerks(session, setup_ctx, root, 3)
        child_clerks = {s.code: station_clerks(session, setup_ctx, s, 1)[0] for s in children}
        categories = [c.code for c in q.categories(session)]
        for actor in main_clerks:
            ctx = Ctx(actor=actor, station_code=root.code, clock=sim_clock)
            q.set_window(session, ctx, actor.window, status=q.WindowStatus.open)
    # Each day is one transaction, so a long history never holds the store for long.
    for offset in range(days, -1, -1):
        day = today - timedelta(days=offset)
        until = now if offset == 0 else None
        runner = Day(sim, until)
        for at, n, step in sim.plans.pop(day, []):
            heapq.heappush(runner.heap, (at, n, step))
        if sim.cal.is_workday(day):
            if categories:
                queue_day(runner, sim, root, main_clerks, categories, day, tickets_per_day)
            for st in children:
                station_cases(runner, sim, st, child_clerks[st.code], day)
        with store.write() as session:
            runner.run(session)
            if until is None:
                close_rectifications(session, sim, day)
        if progress is not None:
            progress(day)
    with store.write() as session:
        record = (
            f"days={days};seed={seed};stations={len(children)};tickets={sim.tickets};"
            f"cases={sim.cases};ratings={sim.ratings};certificates={sim.certificates}"
        )
        set_info(session, INFO_KEY, record)
    return HistoryInfo(
        created=True,
        days=days,
        seed=seed,
        stations=len(children),
        tickets=sim.tickets,
        cases=sim.cases,
        ratings=sim.ratings,
        certificates=sim.certificates,
    )
