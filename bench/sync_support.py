"""What the sync benchmarks share: a scratch PostgreSQL central, the real ``hallterm central
serve`` process, stations with work made by the desk's own services, and a raw COPY.

Not a benchmark itself (no SUMMARY line).
"""

from __future__ import annotations

import graphlib
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault(
    "HALLTERM_STORE_PASSPHRASE", "bench-station-passphrase"
)  # as a start script gives it
sys.path.insert(0, str(ROOT / "tests"))  # the station builder and link proxy of the tests

import httpx  # noqa: E402
import psycopg  # noqa: E402

from hallterm.clock import FrozenClock  # noqa: E402
from hallterm.db.engine import Store  # noqa: E402
from hallterm.db.ids import new_id  # noqa: E402
from hallterm.db.sync.central import (  # noqa: E402
    central_ctx,
    init_central,
    issue_credential,
    register_station,
)
from hallterm.db.sync.enrol import Enrolment, install_enrolment  # noqa: E402
from hallterm.db.sync.wire import ACCEPTS  # noqa: E402

START = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
EVENT_COLUMNS = ("id", "station_code", "seq", "entity", "entity_id", "kind", "payload", "actor")
EVENT_COLUMNS += ("at", "prev_hash", "hash")
COPY_TYPES = ["varchar", "varchar", "int4", "varchar", "varchar", "varchar", "text"]
COPY_TYPES += ["varchar", "timestamptz", "varchar", "varchar"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def pg_server(arg: str | None) -> str:
    url = arg or os.environ.get("HALLTERM_BENCH_PG_URL") or os.environ.get("HALLTERM_TEST_PG_URL")
    if not url:
        sys.exit("give a PostgreSQL server URL with --pg or HALLTERM_TEST_PG_URL")
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def scratch_db(server: str) -> Iterator[str]:
    """A fresh database on ``server``; dropped afterwards."""
    name = f"hallterm_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_central(
    url: str, codes: list[str], clock: FrozenClock, enrol_parent: bool = False
) -> dict[str, str]:
    """A central with the demo city, the given township stations and the demo catalog;
    returns each station's credential (and the city's, with ``enrol_parent``)."""
    from test_sync_support import PARENT

    from hallterm.db.sync.central import publish_catalog
    from hallterm.demo import demo_catalog

    central = Store(url)
    init_central(central)
    tokens = {}
    with central.write() as s:
        ctx = central_ctx(clock)
        register_station(s, ctx, *PARENT)
        for code in codes:
            register_station(s, ctx, code, f"{code}镇", "township", PARENT[0])
            tokens[code] = issue_credential(s, ctx, code)
        if enrol_parent:
            tokens[PARENT[0]] = issue_credential(s, ctx, PARENT[0])
        publish_catalog(s, ctx, demo_catalog())
    central.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(central_url: str, workers: int | None = None) -> Iterator[str]:
    """``hallterm central serve`` (the product's entry point, default settings; ``workers``
    when a bench names their number)."""
    port = free_port()
    hallterm = Path(sys.executable).parent / "hallterm"
    more = ["--workers", str(workers)] if workers else []
    proc = subprocess.Popen(
        [str(hallterm), "central", "serve", "--central", central_url,
         "--listen", f"127.0.0.1:{port}", *more],
        env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.post(f"{url}/v1/pull", content=b"", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


def station_with_cases(path: Path, code: str, cases: int, clock: FrozenClock) -> int:
    """A station store whose clerks registered, checked and accepted ``cases`` cases (the
    desk's services, with their row snapshots); returns its number of waiting events."""
    from test_sync_support import make_cases, make_station

    store = make_station(str(path), code, clock)
    days = max(1, cases // 40)
    for day in range(days):
        make_cases(store, code, clock, cases // days, start=day * 1000)
        clock.advance(days=1)
    from sqlalchemy import func, select

    from hallterm.db.models import Event

    with store.read() as s:
        n = s.execute(select(func.count()).where(Event.sent_at.is_(None))).scalar_one()
    store.dispose()
    return int(n)


def enrol_copy(template: Path, dest: Path, code: str, url: str, token: str) -> Store:
    shutil.copy(template, dest)
    store = Store(str(dest))
    install_enrolment(store, Enrolment(url, code, token, accepts=ACCEPTS))
    return store


def event_rows(store: Store) -> list[tuple[object, ...]]:
    """The station's waiting events, typed, for the COPY baseline."""
    from sqlmodel import select

    from hallterm.db.models import Event

    with store.read() as s:
        return [
            tuple(getattr(e, c) for c in EVENT_COLUMNS)
            for e in s.exec(select(Event).where(Event.sent_at.is_(None)).order_by(Event.seq))
        ]


def _copy_events(conn: psycopg.Connection, table: str, rows: list[tuple[object, ...]]) -> None:
    statement = f"COPY {table} ({', '.join(EVENT_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.set_types(COPY_TYPES)
        for row in rows:
            copy.write_row(row)


def copy_seconds(url: str, rows: list[tuple[object, ...]]) -> float:
    """Seconds to COPY the same event rows into a fresh scratch table (one transaction)."""
    table = f"event_copy_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TABLE {table} (LIKE event INCLUDING ALL)")
        conn.commit()
        t0 = time.perf_counter()
        _copy_events(conn, table, rows)
        conn.commit()
        took = time.perf_counter() - t0
        conn.execute(f"DROP TABLE {table}")
        conn.commit()
    return took


def rows_written(url: str, fresh_url: str) -> dict[str, str]:
    """The rows a sync left in the central at ``url`` in the tables a fresh central
    (``fresh_url``) holds none of, one JSON document per table, parents before children;
    the events themselves are left out."""
    tables_sql = (
        "SELECT relname::text FROM pg_class WHERE relkind IN ('r', 'p') AND NOT relispartition"
        " AND relnamespace = 'public'::regnamespace AND relname <> 'event'"
    )
    keys_sql = (
        "SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint"
        " WHERE contype = 'f'"
    )
    with psycopg.connect(url) as done, psycopg.connect(fresh_url) as fresh:

        def holds_rows(conn: psycopg.Connection, table: str) -> bool:
            return bool(conn.execute(f'SELECT EXISTS (SELECT FROM "{table}")').fetchone()[0])

        tables = [t for (t,) in fresh.execute(tables_sql)]
        grown = {t for t in tables if not holds_rows(fresh, t) and holds_rows(done, t)}
        parents: dict[str, set[str]] = {t: set() for t in grown}
        for child, parent in fresh.execute(keys_sql):
            if child in grown and parent in grown and child != parent:
                parents[child].add(parent)
        return {
            t: done.execute(f'SELECT json_agg(r)::text FROM "{t}" r').fetchone()[0]
            for t in graphlib.TopologicalSorter(parents).static_order()
        }


def plain_write_seconds(url: str, rows: list[tuple[object, ...]], docs: dict[str, str]) -> float:
    """Seconds to write a sync's result into a fresh central by plain SQL in one
    transaction: the events by binary COPY, each other table's rows (``rows_written``) by one
    insert from its JSON document.  No check, no read, nothing computed: a floor for any
    apply done before the push's reply."""
    with psycopg.connect(url) as conn:
        t0 = time.perf_counter()
        _copy_events(conn, "event", rows)
        for table, doc in docs.items():
            conn.execute(
                f'INSERT INTO "{table}" SELECT * FROM '
                f'json_populate_recordset(NULL::"{table}", %s::json)',
                (doc,),
            )
        conn.commit()
        return time.perf_counter() - t0


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def station_like_the_desk(path: Path, code: str, cases: int, clock: FrozenClock) -> int:
    """A station with ``cases`` cases' events as the desk writes them, made quickly.

    The desk's services make one case (applicant registered, case started, checklist
    recorded, case accepted: events with their row snapshots); its events are then repeated
    with fresh ids, ID numbers and case numbers, chained and hashed like ``append_event``
    does.  Returns the number of waiting events.
    """
    from sqlalchemy import insert, text
    from sqlmodel import select
    from test_sync_support import make_cases, make_station, resident_id

    from hallterm.db.events import event_hash
    from hallterm.db.models import Event, EventHead

    store = make_station(str(path), code, clock)
    with store.read() as s:
        first = s.get(EventHead, code).seq
    [case_id] = make_cases(store, code, clock, 1, start=0)
    with store.read() as s:
        template = [
            {c: getattr(e, c) for c in EVENT_COLUMNS}
            for e in s.exec(select(Event).where(Event.seq > first).order_by(Event.seq))
        ]
        head = s.get(EventHead, code)
        seq, prev = head.seq, head.hash
        number = s.execute(text("SELECT number, applicant_id FROM service_case")).one()
        index = s.execute(text("SELECT id_index FROM applicant")).scalar_one()
    case_number, applicant_id = number
    id_number = resident_id("110101", 0)
    rows = []
    for k in range(1, cases):
        fresh: dict[str, str] = {}

        def swap(match: re.Match[str], fresh: dict[str, str] = fresh) -> str:
            return fresh.setdefault(match[0], new_id())

        new_number = f"{code}-20261127-{k + 1:06d}"
        for ev in template:
            seq += 1
            payload = UUID.sub(swap, ev["payload"])
            payload = payload.replace(case_number, new_number)
            payload = payload.replace(id_number, resident_id("110101", k))
            # Each applicant its own blind index (the ID number itself is ciphertext).
            payload = payload.replace(index, hashlib.sha256(f"{code}:{k}".encode()).hexdigest())
            out = {
                **ev,
                "id": new_id(),
                "entity_id": UUID.sub(swap, ev["entity_id"]),
                "payload": payload,
                "seq": seq,
                "prev_hash": prev,
            }
            out["hash"] = prev = event_hash(**{c: out[c] for c in EVENT_COLUMNS if c != "hash"})
            rows.append(out)
    with store.write() as s:
        for i in range(0, len(rows), 2000):
            s.execute(insert(Event.__table__), rows[i : i + 2000])  # type: ignore[attr-defined]
        s.execute(
            text("UPDATE event_head SET seq = :seq, hash = :h WHERE station_code = :c"),
            {"seq": seq, "h": prev, "c": code},
        )
    del case_id, applicant_id
    from sqlalchemy import func

    with store.read() as s:
        n = s.execute(select(func.count()).where(Event.sent_at.is_(None))).scalar_one()
    store.dispose()
    return int(n)
