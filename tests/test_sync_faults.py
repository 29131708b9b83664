"""Sync under faults: a proxy that cuts connections (before, during, after commit) and a
sync process killed with SIGKILL.  Afterwards central and station hold exactly the same
events (count and hashes) and the same cases: nothing lost, nothing doubled."""

from __future__ import annotations

import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import func, or_, select, text
from sqlalchemy.engine import make_url
from test_sync_support import chain, make_cases, make_central, station_copy

from hallterm.db.engine import Store
from hallterm.db.events import verify_chain
from hallterm.db.models import Event, ServiceCase
from hallterm.db.models_sync import SyncFeed, SyncQuarantine
from hallterm.db.sync.runner import open_central, sync_once

SEED = 20261127


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 that breaks each new connection according to a random plan.

    Plans: pass through; cut after N bytes from the client or from the server; cut as the
    client sends COMMIT (before it reaches the server); or let COMMIT through and cut before
    the server's answer reaches the client (the commit happened, the client cannot know).
    """

    PLANS = ("pass", "client_bytes", "server_bytes", "before_commit", "after_commit")

    def __init__(self, target: tuple[str, int], rng: random.Random) -> None:
        self.target = target
        self.rng = rng
        self.armed = True
        self.cuts = 0
        self.cut_kinds: dict[str, int] = {}
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _plan(self) -> tuple[str, int]:
        with self._lock:
            if not self.armed:
                return ("pass", 0)
            kind = self.rng.choices(self.PLANS, weights=(1, 2, 1, 2, 3))[0]
            return kind, self.rng.randint(1, 6000 if "bytes" in kind else 3)

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            state = {"plan": self._plan(), "c2s": 0, "s2c": 0, "commits": 0, "cut_next": False}
            for src, dst, direction in ((client, server, "c2s"), (server, client, "s2c")):
                threading.Thread(
                    target=self._pump,
                    args=(src, dst, direction, state, client, server),
                    daemon=True,
                ).start()

    def _cut(self, kind: str, *socks: socket.socket) -> None:
        with self._lock:
            self.cuts += 1
            self.cut_kinds[kind] = self.cut_kinds.get(kind, 0) + 1
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _pump(self, src, dst, direction, state, client, server) -> None:  # type: ignore[no-untyped-def]
        kind, n = state["plan"]
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if direction == "s2c" and state["cut_next"]:
                    return self._cut(kind, client, server)  # the commit's answer never arrives
                if direction == "c2s" and b"COMMIT" in data:
                    state["commits"] += 1
                    if kind == "before_commit" and state["commits"] >= n:
                        return self._cut(kind, client, server)
                    if kind == "after_commit" and state["commits"] >= n:
                        state["cut_next"] = True
                state[direction] += len(data)
                if kind == f"{'client' if direction == 'c2s' else 'server'}_bytes" and (
                    state[direction] >= n
                ):
                    dst.sendall(data[: len(data) - (state[direction] - n)])
                    return self._cut(kind, client, server)
                dst.sendall(data)
        except OSError:
            pass
        for s in (client, server):
            with contextlib.suppress(OSError):
                s.close()

    def disarm(self) -> None:
        with self._lock:
            self.armed = False

    def close(self) -> None:
        self._stop = True
        self.listener.close()
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.close()


def settle(station: Store, central: Store, clock) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        s = sync_once(station, central, batch=50, clock=clock)
        if s.pushed == s.duplicates == s.pulled == 0:
            return
    raise AssertionError("sync did not settle")


def assert_same(station: Store, central: Store, code: str) -> None:
    """Same events (ids, seqs, hashes), a valid chain, same cases, nothing quarantined."""
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


def _target(pg_url: str) -> tuple[str, int]:
    url = make_url(pg_url)
    return url.host or "127.0.0.1", url.port or 5432


def test_cut_connections_lose_and_double_nothing(pg_url, tmp_path, tmp_path_factory, clock):
    central = make_central(pg_url, clock, ("A1",))
    station = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    make_cases(station, "A1", clock, 4)
    rng = random.Random(SEED)
    proxy = CuttingProxy(_target(pg_url), rng)
    url = make_url(pg_url).set(host="127.0.0.1", port=proxy.port)
    url = url.update_query_dict({"sslmode": "disable"})  # the proxy must see COMMIT
    via = open_central(url.render_as_string(hide_password=False))
    failures = 0
    try:
        for i in range(45):
            if i % 6 == 0:
                make_cases(station, "A1", clock, 1, start=100 + i)  # work goes on meanwhile
            if i == 30:  # new catalog rows to pull while the link is still bad
                with central.write() as s:
                    from hallterm.db.sync.central import central_ctx, register_station

                    register_station(s, central_ctx(clock), f"V{i}", "新村", "village", "3299")
            try:
                sync_once(station, via, batch=rng.choice((2, 5, 11)), clock=clock)
            except Exception:  # noqa: BLE001 - the cut is the point
                failures += 1
            via.dispose()  # a new connection (and a new plan) for the next round
        proxy.disarm()
        assert failures >= 10 and proxy.cuts >= 10
        assert proxy.cut_kinds.get("after_commit", 0) >= 2  # commits whose answer was lost
        settle(station, via, clock)
    finally:
        via.dispose()
        proxy.close()
    assert_same(station, central, "A1")
    central.dispose()


def _central_count(central: Store, code: str) -> int:
    with central.read() as s:
        return s.execute(
            select(func.count()).select_from(Event).where(Event.station_code == code)
        ).scalar_one()


def test_sync_killed_at_random_moments(pg_url, tmp_path, tmp_path_factory, clock):
    central = make_central(pg_url, clock, ("A1",))
    path = tmp_path / "a.db"
    station = station_copy(tmp_path_factory, path, "A1", clock)
    make_cases(station, "A1", clock, 20)
    rng = random.Random(SEED + 1)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    command = [sys.executable, "-m", "hallterm.cli", "sync", "--store", str(path)]
    command += ["--central", pg_url, "--batch", "3"]
    kills = 0
    for round_no in range(5):
        before = _central_count(central, "A1")
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        # Wait until it is pushing, then kill it a random moment later.
        while proc.poll() is None and time.monotonic() < deadline:
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
    settle(station, open_central(pg_url), clock)
    assert_same(station, central, "A1")
    station.dispose()
    central.dispose()
