"""Sync over a weak link and under faults, through the sync service.

A loopback proxy adds latency and limits bandwidth (the request count is asserted, not the
time); it also cuts connections at random points.  The sync client and a ``serve`` process
are killed (SIGKILL) at random moments; a client is frozen (SIGSTOP) mid-request and a second
sync must still go through.  Afterwards central and station hold exactly the same events
(ids, seqs, hashes): nothing lost, nothing doubled.
"""

from __future__ import annotations

import json
import math
import os
import random
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from sqlalchemy import func, or_, select, text
from test_sync_support import (
    LinkProxy,
    ServiceThread,
    chain,
    enrol,
    make_cases,
    make_central,
    serve_process,
    station_copy,
)

from hallterm.db.engine import Store
from hallterm.db.events import verify_chain
from hallterm.db.models import Event, ServiceCase
from hallterm.db.models_sync import SyncFeed, SyncQuarantine
from hallterm.db.sync.client import SyncClient
from hallterm.db.sync.enrol import client_for
from hallterm.db.sync.push import BatchSize
from hallterm.db.sync.runner import sync_once

SEED = 20261127
ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def settle(station: Store, client: SyncClient, clock) -> None:  # type: ignore[no-untyped-def]
    for _ in range(6):
        s = sync_once(station, client, batch=50, clock=clock)
        if s.pushed == s.duplicates == s.pulled == 0 and not s.refused:
            return
    raise AssertionError("sync did not settle")


def assert_same(station: Store, central: Store, code: str) -> None:
    """Same events (ids, seqs, hashes), a valid chain, same cases, nothing refused."""
    mine, theirs = chain(station, code), chain(central, code)
    assert len(mine) == len(theirs) and mine == theirs
    assert len({e[0] for e in theirs}) == len(theirs)  # no duplicates
    with central.read() as s:
        assert verify_chain(s, code) == []
        assert s.execute(select(func.count()).select_from(SyncQuarantine)).scalar() == 0
        central_cases = {
            c.id: (c.status, c.version)
            for c in s.execute(select(ServiceCase).where(ServiceCase.station_code == code))
            .scalars()
            .all()
        }
        feed = s.execute(
            select(func.count())
            .select_from(SyncFeed)
            .where(or_(SyncFeed.station_code.is_(None), SyncFeed.station_code == code))
        ).scalar()
    with station.read() as s:
        assert verify_chain(s, code) == []
        local_cases = {
            c.id: (c.status, c.version) for c in s.execute(select(ServiceCase)).scalars()
        }
        assert s.execute(select(func.count()).where(Event.sent_at.is_(None))).scalar() == 0
        pulled = [
            json.loads(p)["items"]
            for p in s.execute(select(Event.payload).where(Event.kind == "sync.pulled")).scalars()
        ]
    assert central_cases == {k: v for k, v in local_cases.items() if k in central_cases}
    assert set(local_cases) == set(central_cases)
    assert sum(pulled) == feed  # every feed item applied exactly once


def _target(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 80


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_batches_grow_on_a_good_link_shrink_after_timeouts_and_share_the_end() -> None:
    b = BatchSize(200, low=50, high=1000, fast_seconds=2.0)
    b.succeeded(0.5)
    b.succeeded(0.5)
    assert b.size == 800
    b.succeeded(3.0)  # slow, not failed: stays
    b.succeeded(0.5)
    b.succeeded(0.5)
    assert b.size == 1000  # never beyond the bound
    assert [b.for_remaining(n) for n in (5000, 2000, 1999, 1001, 1000, 120)] == [
        1000, 1000, 1000, 501, 1000, 1000,
    ]  # fmt: skip
    b.timed_out()
    assert b.size == 250
    for _ in range(3):
        b.timed_out()
    assert b.size == 50  # never below the bound
    fixed = BatchSize(7, 7, 7)
    assert [fixed.for_remaining(n) for n in (3, 10, 20)] == [7, 7, 7]  # a fixed size stays


def test_one_request_per_batch_over_a_slow_link(pg_url, tmp_path, tmp_path_factory, clock):
    central = make_central(pg_url, clock, ("A1",))
    station = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    make_cases(station, "A1", clock, 6)
    with ServiceThread(pg_url, clock) as svc:
        enrol(station, central, "A1", svc.url, clock).close()
        proxy = LinkProxy(_target(svc.url), delay=0.05, rate=250_000)  # 100 ms, 2 Mbit/s
        try:
            with client_for(station, url=proxy.url) as client:
                with station.read() as s:
                    waiting = s.execute(
                        select(func.count()).where(Event.sent_at.is_(None))
                    ).scalar_one()
                batch = 7
                summary = sync_once(
                    station, client, batch=BatchSize(batch, batch, batch), clock=clock, page_size=2
                )
                full, rest = divmod(summary.pulled, 2)
                pages = full + 1  # the last page is the one that says "no more"
                # Each page with items adds one local event ("sync.pulled"), pushed right after.
                pulled_events = full + (1 if rest else 0)
                assert summary.pushed == waiting + pulled_events and summary.left == 0
                assert proxy.requests == math.ceil(summary.pushed / batch) + pages
                assert client.requests == proxy.requests
                # The pull added one local event; then nothing is left: one request.
                sync_once(station, client, clock=clock)
                before = proxy.requests
                idle = sync_once(station, client, clock=clock)
                assert (idle.pushed, idle.pulled, proxy.requests - before) == (0, 0, 1)
        finally:
            proxy.close()
    with central.read() as s:  # the idle sync wrote nothing at central
        assert s.execute(text("SELECT count(*) FROM sync_quarantine")).scalar() == 0
    assert_same(station, central, "A1")
    central.dispose()


def test_idle_sync_commits_nothing_at_central(pg_url, tmp_path, tmp_path_factory, clock):
    from sqlalchemy import event

    central = make_central(pg_url, clock, ("A1",))
    station = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    make_cases(station, "A1", clock, 1)
    with ServiceThread(pg_url, clock) as svc:
        client = enrol(station, central, "A1", svc.url, clock)
        settle(station, client, clock)
        # The pushes staged their events in the table each service connection keeps (made by
        # central's login), not in one made and dropped at each push.
        staged = text(
            "SELECT count(*), bool_and(pg_get_userbyid(relowner) = current_user) FROM pg_class "
            "WHERE relname = 'sync_incoming' AND relpersistence = 't'"
        )
        with central.read() as s:
            count, by_central = s.execute(staged).one()
        assert 1 <= count <= svc.store.pool_size and by_central
        commits: list[object] = []
        statements: list[str] = []
        event.listen(svc.store.engine, "commit", lambda conn: commits.append(conn))
        event.listen(
            svc.store.engine,
            "before_cursor_execute",
            lambda conn, cursor, statement, *rest: statements.append(statement),
        )

        def state() -> tuple[object, ...]:
            with central.read() as s:
                return tuple(
                    s.execute(text(q)).scalar()
                    for q in (
                        "SELECT count(*) FROM event",
                        "SELECT last_push_at FROM sync_peer WHERE station_code = 'A1'",
                        "SELECT last_pull_at FROM sync_peer WHERE station_code = 'A1'",
                    )
                )

        before = state()
        for _ in range(5):
            assert sync_once(station, client, clock=clock).requests == 1
        assert state() == before and commits == []  # read, then rolled back: no commit
        # Each idle pull is one statement: the credential, the feed's newest row and the
        # chain's head together (the station's role is taken only to read feed rows).
        assert len(statements) == 5, statements
        client.close()
    central.dispose()


def test_reads_keep_their_prepared_statements(pg_url, clock):
    """A read is rolled back, and psycopg forgets every prepared statement at a rollback: each
    idle poll would parse and plan its statement again.  The service's reads keep them."""
    from hallterm.db.sync.central import authenticate_pull
    from hallterm.db.sync.service_process import ServiceStore
    from hallterm.db.sync.service_reads import peek

    make_central(pg_url, clock, ("A1",)).dispose()
    store = ServiceStore(pg_url, pool_size=1)  # one connection: every read reuses it
    for _ in range(8):  # psycopg prepares a read's statement after READ_PREPARE_THRESHOLD runs
        with peek(store) as session:
            assert authenticate_pull(session, "A1", "wrong")[0] is None
    with peek(store) as session:
        prepared = session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
    assert prepared >= 1
    with store.engine.connect() as conn:  # the same connection, no transaction left open
        from psycopg import pq

        status = conn.connection.dbapi_connection.pgconn.transaction_status  # type: ignore[union-attr]
        assert status == pq.TransactionStatus.IDLE
    store.dispose()


def test_cut_connections_lose_and_double_nothing(pg_url, tmp_path, tmp_path_factory, clock):
    central = make_central(pg_url, clock, ("A1",))
    station = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    make_cases(station, "A1", clock, 4)
    rng = random.Random(SEED)
    with ServiceThread(pg_url, clock) as svc:
        enrol(station, central, "A1", svc.url, clock).close()
        proxy = LinkProxy(_target(svc.url), rng=rng)
        failures = 0
        try:
            for i in range(40):
                if i % 6 == 0:
                    make_cases(station, "A1", clock, 1, start=100 + i)  # work goes on
                if i == 25:  # new feed rows to pull while the link is still bad
                    with central.write() as s:
                        from hallterm.db.sync.central import central_ctx, register_station

                        register_station(s, central_ctx(clock), f"V{i}", "新村", "village", "3299")
                with client_for(station, url=proxy.url) as client:  # a new connection each round
                    try:
                        sync_once(station, client, batch=rng.choice((2, 5, 11)), clock=clock)
                    except Exception:  # noqa: BLE001 - the cut is the point
                        failures += 1
            proxy.disarm()
            assert failures >= 8 and proxy.cuts >= 10
            assert proxy.cut_kinds.get("drop_reply", 0) >= 2  # work done, answer lost
            with client_for(station, url=proxy.url) as client:
                settle(station, client, clock)
        finally:
            proxy.close()
    assert_same(station, central, "A1")
    central.dispose()


def _central_count(central: Store, code: str) -> int:
    with central.read() as s:
        return s.execute(
            select(func.count()).select_from(Event).where(Event.station_code == code)
        ).scalar_one()


def test_sync_client_killed_at_random_moments(pg_url, tmp_path, tmp_path_factory, clock):
    central = make_central(pg_url, clock, ("A1",))
    path = tmp_path / "a.db"
    station = station_copy(tmp_path_factory, path, "A1", clock)
    make_cases(station, "A1", clock, 20)
    rng = random.Random(SEED + 1)
    command = [sys.executable, "-m", "hallterm.cli", "sync", "--store", str(path)]
    command += ["--batch", "3"]
    kills = 0
    with ServiceThread(pg_url, clock) as svc:
        enrol(station, central, "A1", svc.url, clock).close()
        proxy = LinkProxy(_target(svc.url), delay=0.01)  # slow enough to be caught mid-way
        command += ["--url", proxy.url]
        for round_no in range(5):
            before = _central_count(central, "A1")
            proc = subprocess.Popen(
                command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            deadline = time.monotonic() + 30
            while proc.poll() is None and time.monotonic() < deadline:  # wait until it pushes
                if _central_count(central, "A1") > before:
                    break
                time.sleep(0.03)
            time.sleep(rng.uniform(0.0, 0.3))
            if proc.poll() is None:
                proc.kill()
                kills += 1
            proc.wait(20)
            make_cases(station, "A1", clock, 2, start=200 + 10 * round_no)
        assert kills >= 3
        with station.read() as s:  # the killed processes left a consistent store behind
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        with client_for(station) as client:
            settle(station, client, clock)
        proxy.close()
    assert_same(station, central, "A1")
    station.dispose()
    central.dispose()


def _serve(pg_url: str, port: int) -> subprocess.Popen[bytes]:
    return serve_process(pg_url, port)


def test_serve_killed_at_random_moments(pg_url, tmp_path, tmp_path_factory, clock):
    central = make_central(pg_url, clock, ("A1",))
    station = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    make_cases(station, "A1", clock, 10)
    rng = random.Random(SEED + 2)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    client = enrol(station, central, "A1", url, clock)
    proc = _serve(pg_url, port)
    kills = 0
    try:
        for round_no in range(6):
            make_cases(station, "A1", clock, 2, start=300 + 10 * round_no)
            killer = threading.Timer(rng.uniform(0.05, 0.6), proc.kill)
            killer.start()
            try:
                while proc.poll() is None:
                    sync_once(station, client, batch=2, clock=clock)
            except Exception:  # noqa: BLE001 - the service went away mid-sync
                pass
            killer.join()
            proc.wait(10)
            kills += proc.returncode == -signal.SIGKILL
            proc = _serve(pg_url, port)
        assert kills >= 4
        settle(station, client, clock)
    finally:
        proc.kill()
        proc.wait(10)
        client.close()
    assert_same(station, central, "A1")
    central.dispose()


def test_frozen_client_does_not_hold_up_the_next_sync(pg_url, tmp_path, tmp_path_factory, clock):
    central = make_central(pg_url, clock, ("A1",))
    path = tmp_path / "a.db"
    station = station_copy(tmp_path_factory, path, "A1", clock)
    make_cases(station, "A1", clock, 15)
    with ServiceThread(pg_url, clock) as svc:
        enrol(station, central, "A1", svc.url, clock).close()
        proxy = LinkProxy(_target(svc.url), delay=0.05, rate=20_000)  # a slow link
        frozen = subprocess.Popen(
            [sys.executable, "-m", "hallterm.cli", "sync", "--store", str(path), "--batch",
             "40", "--url", proxy.url],
            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            for _ in range(600):  # wait until it is pushing (its request is on the wire)
                if proxy.requests >= 2:
                    break
                time.sleep(0.02)
            time.sleep(0.2)
            frozen.send_signal(signal.SIGSTOP)
            done = threading.Event()
            outcome: list[object] = []

            def second() -> None:
                with client_for(station) as client:
                    outcome.append(sync_once(station, client, clock=clock))
                done.set()

            threading.Thread(target=second, daemon=True).start()
            assert done.wait(30), "the second sync did not finish within 30 s"
            assert outcome and outcome[0].left == 0  # type: ignore[attr-defined]
        finally:
            frozen.send_signal(signal.SIGKILL)
            frozen.wait(10)
            proxy.close()
        with client_for(station) as client:
            settle(station, client, clock)
    assert_same(station, central, "A1")
    station.dispose()
    central.dispose()


def test_demo_commands_work_as_printed(demo_template, tmp_path, clock):
    import shutil

    from hallterm.demo import prepare_demo

    folder = tmp_path / "demo"
    shutil.copytree(demo_template.parent, folder)  # the session's demo, made by prepare_demo
    info = prepare_demo(folder, clock=clock)  # a second run only checks it
    bin_dir = Path(sys.executable).parent
    serve_args = shlex.split(info.serve_command)
    sync_args = shlex.split(info.sync_command)
    assert serve_args[0] == sync_args[0] == "hallterm"
    serve = subprocess.Popen(
        [str(bin_dir / "hallterm"), *serve_args[1:]],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        port = int(info.serve_command.rsplit(":", 1)[1])
        for _ in range(400):
            try:
                httpx.post(f"http://127.0.0.1:{port}/v1/pull", content=b"", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        out = subprocess.run(
            [str(bin_dir / "hallterm"), "--lang", "en", *sync_args[1:]],
            env=ENV, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert out.returncode == 0, out.stdout + out.stderr
        assert "refused 0" in out.stdout
    finally:
        serve.terminate()
        serve.wait(10)
    with Store(str(info.central_path)).read() as s:
        there = {tuple(r) for r in s.execute(text("SELECT id, seq, hash FROM event"))}
    assert set(chain(Store(str(info.store_path)), "3299")[:-1]) <= there
    # The printed admin command at central acts as the demo central's admin.
    from hallterm.demo import DEMO_CENTRAL_ADMIN

    central_args = shlex.split(info.central_command)
    assert central_args[0] == "hallterm" and "--user" in central_args
    out = subprocess.run(
        [str(bin_dir / "hallterm"), "--lang", "en", *central_args[1:]],
        env={**ENV, "HALLTERM_PASSWORD": DEMO_CENTRAL_ADMIN[2]},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no conflicts" in out.stdout
    with Store(str(info.central_path)).read() as s:
        actors = s.execute(text("SELECT actor FROM event WHERE kind = 'staff.login'"))
        assert DEMO_CENTRAL_ADMIN[0] in {a for (a,) in actors}
