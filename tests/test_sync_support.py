"""Helpers shared by the sync tests: stations and a central with the demo catalog, cases."""

from __future__ import annotations

import contextlib
import os
import queue
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from hallterm.clock import Clock
from hallterm.db.engine import Store
from hallterm.db.models import Event
from hallterm.db.services import Actor, Ctx
from hallterm.db.services.applicants import register_applicant
from hallterm.db.services.cases import LineInput, accept, load_case, record_lines, start_case
from hallterm.db.services.catalog.io import import_catalog
from hallterm.db.services.certificate_ltv import LtvSource
from hallterm.db.services.setup import init_store
from hallterm.db.services.staff import create_staff
from hallterm.db.sync.central import (
    central_ctx,
    init_central,
    issue_credential,
    publish_catalog,
    register_station,
)
from hallterm.db.sync.central.blind import province_blind_key, province_escrow_key
from hallterm.db.sync.client import SyncClient
from hallterm.db.sync.enrol import Enrolment, client_for, encode_key, install_enrolment
from hallterm.db.sync.wire import ACCEPTS
from hallterm.demo import demo_catalog
from hallterm.domain.ids import resident_id_check_char

CENTRAL_KEY_PASSPHRASE = "central key passphrase"  # wraps central's blind-index key

PARENT = ("3299", "江川市政务服务中心", "city")
ON_SPOT = "11329900MB0001013W00007010010000"  # an immediate matter of the demo catalog
REGION = {"A": "110101", "B": "320102", "C": "330106"}


def resident_id(region: str, n: int) -> str:
    first = f"{region}1990{(n // 28) % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
    return first + resident_id_check_char(first)


def clerk_ctx(code: str, clock: Clock) -> Ctx:
    actor = Actor(
        staff_id="", username=f"clerk{code}", name="李晓梅", role="clerk", station_code=code
    )
    return Ctx(actor=actor, station_code=code, clock=clock)


def make_station(url: str, code: str, clock: Clock, name: str = "") -> Store:
    """A township station under the demo city, with the demo catalog and one clerk."""
    store = Store(url)
    ctx = Ctx(actor=clerk_ctx(code, clock).actor, station_code=code, clock=clock)
    init_store(store, ctx, PARENT[0], *PARENT[1:])  # the parent row first (foreign key)
    with store.write() as s:
        from hallterm.db.services.setup import set_info, upsert_station

        upsert_station(s, ctx, code, name or f"{code}镇便民服务中心", "township", PARENT[0])
        set_info(s, "station_code", code)
        # Setting a station up is an admin's work (manage_catalog, manage_staff).
        admin = replace(ctx, actor=replace(ctx.actor, role="admin"))
        import_catalog(s, admin, demo_catalog())
        create_staff(
            s,
            admin,
            username=f"clerk{code.lower()}",
            name="李晓梅",
            role="clerk",
            password="clerk1234",
            station_code=code,
            window="1",
        )
    return store


def make_central(url: str, clock: Clock, stations: tuple[str, ...]) -> Store:
    store = Store(url)
    init_central(store)
    ctx = central_ctx(clock)
    with store.write() as s:
        register_station(s, ctx, *PARENT)
        for code in stations:
            register_station(s, ctx, code, f"{code}镇便民服务中心", "township", PARENT[0])
        publish_catalog(s, ctx, demo_catalog())
    return store


def make_cases(store: Store, code: str, clock: Clock, n: int, start: int = 0) -> list[str]:
    """``n`` on-the-spot cases, each registered, checked and accepted: several events each."""
    ctx = clerk_ctx(code, clock)
    ids = []
    today: date = clock.today()
    for i in range(start, start + n):
        with store.write() as s:
            a = register_applicant(
                s,
                ctx,
                id_type="resident_id",
                id_number=resident_id(REGION.get(code[:1], "440101"), i),
                name=f"申请人{i}",
            )
            case_id = start_case(s, ctx, applicant_id=a.id, matter_codes=[ON_SPOT])
        with store.write() as s:
            view = load_case(s, ctx, case_id, today)
            record_lines(
                s,
                ctx,
                case_id,
                [LineInput.in_full(lv.requirement) for lv in view.lines],
            )
            accept(s, ctx, case_id)
        ids.append(case_id)
    return ids


def chain(store: Store, code: str) -> list[tuple[str, int, str]]:
    with store.read() as s:
        return [
            tuple(r)
            for r in s.execute(
                select(Event.id, Event.seq, Event.hash)
                .where(Event.station_code == code)
                .order_by(Event.seq)
            )
        ]


def station_copy(factory: pytest.TempPathFactory, dest: Path, code: str, clock: Clock) -> Store:
    """A fresh copy of a station store made once per test session (stations are slow to make)."""
    template = factory.getbasetemp() / "sync-stations" / f"{code}.db"
    if not template.exists():
        template.parent.mkdir(parents=True, exist_ok=True)
        building = template.with_suffix(".building.db")
        store = make_station(str(building), code, clock)
        store.dispose()  # the last connection closing folds the WAL into the file
        building.replace(template)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, dest)
    return Store(str(dest))


# -- the sync service in a thread, and enrolled clients ------------------------------------


class ServiceThread:
    """The sync service (``service.make_app``) on a free loopback port, in a thread (with
    ``ltv``: central's TSA, timestamping certificates as they arrive)."""

    def __init__(
        self,
        central_url: str,
        clock: Clock | None = None,
        tls: tuple[str, str] | None = None,
        ltv: LtvSource | None = None,
    ) -> None:
        import uvicorn

        from hallterm.db.sync.service import make_app
        from hallterm.db.sync.service_process import ServiceStore

        self.store = ServiceStore(central_url)
        config = uvicorn.Config(
            make_app(self.store, clock, ltv),
            host="127.0.0.1",
            port=0,
            log_level="error",
            lifespan="off",
            ssl_certfile=tls[0] if tls else None,
            ssl_keyfile=tls[1] if tls else None,
        )
        self.scheme = "https" if tls else "http"
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def __enter__(self) -> ServiceThread:
        self.thread.start()
        for _ in range(400):
            if self.server.started:
                break
            time.sleep(0.025)
        assert self.server.started, "the sync service did not start"
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.store.dispose()


def enrol(station: Store, central: Store, code: str, url: str, clock: Clock) -> SyncClient:
    """Issue the station's credential at central, install it, and return its client."""
    with central.write() as s:
        token = issue_credential(s, central_ctx(clock), code)
        blind = encode_key(province_blind_key(s, CENTRAL_KEY_PASSPHRASE))
        escrow = encode_key(province_escrow_key(s, CENTRAL_KEY_PASSPHRASE))
    install_enrolment(
        station, Enrolment(url, code, token, blind_key=blind, escrow_key=escrow, accepts=ACCEPTS)
    )
    return client_for(station)


# -- a loopback link: latency, bandwidth, cuts ----------------------------------------------


class LinkProxy:
    """A TCP proxy on 127.0.0.1 in front of ``target`` that behaves like a weak link.

    Each direction is delayed by ``delay`` seconds (half the round trip) and limited to
    ``rate`` bytes per second, shared by all connections as on one real link.  With an ``rng`` each new connection gets a random plan: pass
    through; cut after N bytes from the client or from the server; or let the request through
    and cut before the reply arrives (the server did the work, the client cannot know).
    ``requests`` counts the HTTP requests that went through.
    """

    PLANS = ("pass", "client_bytes", "server_bytes", "drop_reply")

    def __init__(
        self,
        target: tuple[str, int],
        *,
        delay: float = 0.0,
        rate: float | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.target = target
        self.delay = delay
        self.rate = rate
        self.rng = rng
        self.requests = 0
        self.cuts = 0
        self.cut_kinds: dict[str, int] = {}
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._stop = False
        self._free_at = {"c2s": 0.0, "s2c": 0.0}  # when each direction of the link is free
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def disarm(self) -> None:
        with self._lock:
            self.rng = None

    def _plan(self) -> tuple[str, int]:
        with self._lock:
            if self.rng is None:
                return ("pass", 0)
            kind = self.rng.choices(self.PLANS, weights=(2, 2, 2, 3))[0]
            return kind, self.rng.randint(1, 3000)

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
            conn = {"plan": self._plan(), "c2s": 0, "s2c": 0, "dead": False}
            for src, dst, direction in ((client, server, "c2s"), (server, client, "s2c")):
                q: queue.Queue[tuple[float, bytes] | None] = queue.Queue()
                threading.Thread(
                    target=self._read, args=(src, q, direction, conn, client, server), daemon=True
                ).start()
                threading.Thread(target=self._write, args=(dst, q, direction), daemon=True).start()

    def _cut(self, conn: dict, kind: str, *socks: socket.socket) -> None:  # type: ignore[type-arg]
        with self._lock:
            if conn["dead"]:
                return
            conn["dead"] = True
            self.cuts += 1
            self.cut_kinds[kind] = self.cut_kinds.get(kind, 0) + 1
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def _read(self, src, q, direction, conn, client, server) -> None:  # type: ignore[no-untyped-def]
        kind, n = conn["plan"]
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if direction == "c2s":
                    with self._lock:
                        self.requests += data.count(b"POST /v1/")
                elif kind == "drop_reply":
                    return self._cut(conn, kind, client, server)
                conn[direction] += len(data)
                mine = "client_bytes" if direction == "c2s" else "server_bytes"
                if kind == mine and conn[direction] >= n:
                    q.put((time.monotonic(), data[: len(data) - (conn[direction] - n)]))
                    q.put(None)
                    time.sleep(self.delay + 0.05)
                    return self._cut(conn, kind, client, server)
                q.put((time.monotonic(), data))
        except OSError:
            pass
        q.put(None)

    def _write(self, dst, q, direction) -> None:  # type: ignore[no-untyped-def]
        try:
            while True:
                item = q.get()
                if item is None:
                    break
                arrived, data = item
                with self._lock:  # the link's capacity is shared by every connection
                    start = max(arrived + self.delay, self._free_at[direction])
                    if self.rate:
                        start += len(data) / self.rate
                    self._free_at[direction] = start
                wait = start - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                dst.sendall(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)  # the other side sees the end, as on a real link

    def close(self) -> None:
        self._stop = True
        self.listener.close()
        with self._lock:
            for s in self._sockets:
                with contextlib.suppress(OSError):
                    s.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_process(central_url: str, port: int) -> subprocess.Popen[bytes]:
    """``hallterm central serve`` as one process on 127.0.0.1:``port``, once it answers (one
    worker: killing it kills the whole service)."""
    import httpx

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hallterm.cli", "central", "serve", "--central", central_url,
         "--listen", f"127.0.0.1:{port}", "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(600):
        try:
            httpx.post(f"http://127.0.0.1:{port}/v1/pull", content=b"", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("serve did not start")
