"""Calling next is atomic and fair: 8 processes (8 windows) on one store until the lines are
empty, every ticket called exactly once, no window ever sees an error, and the tickets spread
evenly over the windows — on one SQLite file and on PostgreSQL."""

from __future__ import annotations

import json
import multiprocessing
from collections import Counter
from datetime import datetime

from sqlmodel import select

from hallterm.clock import FrozenClock
from hallterm.db.engine import Store
from hallterm.db.models import Event
from hallterm.db.models_queue import Ticket
from hallterm.db.services import SYSTEM, Actor, Ctx
from hallterm.db.services import queue as q

WINDOWS = 8
TICKETS = 160
AT = datetime(2026, 11, 27, 2, 0, 0)


def _worker(url: str, window: str, barrier, results) -> None:  # type: ignore[no-untyped-def]
    store = Store(url)
    actor = Actor(
        staff_id="",
        username=f"w{window}",
        name=f"窗口{window}",
        role="clerk",
        station_code="3299",
        window=window,
    )
    ctx = Ctx(actor=actor, station_code="3299", clock=FrozenClock(AT))
    got: list[str] = []
    errors: list[str] = []

    def serve(session, ticket_id: str, confirm: bool) -> None:  # type: ignore[no-untyped-def]
        if confirm:
            q.confirm_priority(session, ctx, ticket_id, granted=True)
        q.start_service(session, ctx, ticket_id)
        q.finish(session, ctx, ticket_id)

    try:
        barrier.wait(timeout=60)
        while True:
            ticket = q.run_write(store, lambda s: q.call_next(s, ctx, window))
            if ticket is None:
                break
            got.append(ticket.id)
            tid, confirm = ticket.id, ticket.priority_to_confirm
            q.run_write(store, lambda s, tid=tid, confirm=confirm: serve(s, tid, confirm))
    except Exception as exc:  # noqa: BLE001 - any error a window would see fails the test
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        store.dispose()
        results.put((window, got, errors))


def _prepare(url: str) -> list[str]:
    from hallterm.db.services.catalog.io import import_catalog
    from hallterm.db.services.setup import init_store
    from hallterm.demo import demo_catalog

    store = Store(url)
    ctx = Ctx(actor=SYSTEM, station_code="3299", clock=FrozenClock(AT))
    try:
        init_store(store, ctx, "3299", "江川市政务服务中心", "city")
        with store.write() as session:
            import_catalog(session, ctx, demo_catalog())
            codes = [c.code for c in q.categories(session)]
            ids = []
            for i in range(TICKETS):
                t = q.issue_ticket(
                    session,
                    ctx,
                    codes[i % len(codes)],
                    priority=i % 11 == 0,
                    appointment=i % 7 == 0,
                )
                ids.append(t.id)
        return ids
    finally:
        store.dispose()


def _run(url: str) -> None:
    issued = _prepare(url)
    mp = multiprocessing.get_context("spawn")
    barrier = mp.Barrier(WINDOWS)
    results = mp.Queue()
    procs = [
        mp.Process(target=_worker, args=(url, str(w), barrier, results))
        for w in range(1, WINDOWS + 1)
    ]
    for p in procs:
        p.start()
    per_window: dict[str, list[str]] = {}
    errors: list[str] = []
    for _ in procs:
        window, got, errs = results.get(timeout=240)
        per_window[window] = got
        errors += errs
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert errors == [], "a window saw an error"
    served = sorted(len(ids) for ids in per_window.values())
    fair = TICKETS // WINDOWS
    assert served[0] >= fair // 2 and served[-1] <= fair * 2, f"uneven spread {served}"
    called = [tid for ids in per_window.values() for tid in ids]
    assert len(called) == len(set(called)), "a ticket was called by two windows"
    assert sorted(called) == sorted(issued)
    store = Store(url)
    try:
        with store.read() as session:
            rows = session.exec(select(Ticket)).all()
            assert {t.status for t in rows} == {"done"}
            assert Counter(t.window for t in rows) == Counter(
                {w: len(ids) for w, ids in per_window.items() if ids}
            )
            calls = session.exec(select(Event).where(Event.kind == "ticket.called")).all()
            per_ticket = Counter(e.entity_id for e in calls)
            assert set(per_ticket) == set(issued) and set(per_ticket.values()) == {1}
            for e in calls:
                window = json.loads(e.payload)["window"]
                assert e.entity_id in per_window[window]
    finally:
        store.dispose()


def test_call_next_is_atomic_on_sqlite(sqlite_url):
    _run(sqlite_url)


def test_call_next_is_atomic_on_postgresql(pg_url):
    _run(pg_url)
