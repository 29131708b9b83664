"""Push throughput: 50,000 events from a station's SQLite store to a PostgreSQL central.

The station store gets N chained events (audit events of the kinds a hall writes all day;
``--with-rows`` makes every tenth one register an applicant, which central then applies).
The run is a real ``sync_once``: chain check, push in batches with one central transaction
each (binary COPY, duplicate and chain checks), marking sent locally after each commit, pull.
The baseline, measured in the same run on the same server, is one raw binary ``COPY`` of
the very same event rows into a scratch table with the same indexes.  Goal: sync time ≤ 3 ×
COPY time.

Batches of 1000 by default: every batch is a commit at central and one at the station, and a
commit waits for the disk, so with 200 per batch (``settings.sync_batch``'s default, which
loses less work when a weak link drops) the 250 commits dominate: measured here at about
4.5 × COPY against about 2.7 × at 1000.  A hall on a good link can raise ``sync_batch``.

    python bench/sync.py [--events 50000] [--batch 1000] [--with-rows] [--pg URL]

The server URL defaults to HALLTERM_BENCH_PG_URL or HALLTERM_TEST_PG_URL; a scratch
database is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from hallterm.clock import FrozenClock  # noqa: E402
from hallterm.db.engine import Store  # noqa: E402
from hallterm.db.events import canonical_json, event_hash, snapshot  # noqa: E402
from hallterm.db.models import Applicant, Event, EventHead  # noqa: E402
from hallterm.db.services import SYSTEM, Ctx  # noqa: E402
from hallterm.db.services.setup import init_store  # noqa: E402
from hallterm.db.sync.central import central_ctx, init_central, register_station  # noqa: E402
from hallterm.db.sync.runner import open_central, sync_once  # noqa: E402

CODE = "3299"
COLUMNS = ("id", "station_code", "seq", "entity", "entity_id", "kind", "payload", "actor")
COLUMNS += ("at", "prev_hash", "hash")


def make_events(store: Store, n: int, with_rows: bool, start: datetime) -> None:
    """Append ``n`` chained events in bulk (the same content ``append_event`` would make)."""
    with store.read() as s:
        head = s.get(EventHead, CODE)
        seq, prev = (head.seq, head.hash) if head else (0, "")
    rows = []
    for i in range(n):
        seq += 1
        at = start + timedelta(seconds=i)
        kind, entity, entity_id = "case.printed", "case", str(uuid.uuid4())
        payload: dict = {"number": f"3299-20261127-{i:05d}", "document": "receipt", "file": "x.pdf"}
        if i % 3 == 0:
            kind, entity, entity_id = "staff.login", "staff", str(uuid.uuid4())
            payload = {"username": f"clerk{i % 40}"}
        if with_rows and i % 10 == 0:
            person = Applicant(
                id=str(uuid.uuid4()),
                kind="person",
                name=f"申请人{i}",
                id_type="passport",
                id_number=f"E{i:08d}",
                station_code=CODE,
                created_at=at,
            )
            kind, entity, entity_id = "applicant.registered", "applicant", person.id
            payload = {"rows": [snapshot(person)]}
        ev = {
            "id": str(uuid.uuid4()),
            "station_code": CODE,
            "seq": seq,
            "entity": entity,
            "entity_id": entity_id,
            "kind": kind,
            "payload": canonical_json(payload),
            "actor": "clerk",
            "at": at,
            "prev_hash": prev,
        }
        ev["hash"] = prev = event_hash(**ev)
        rows.append(ev)
    with store.write() as s:
        s.execute(insert(Event.__table__), rows)  # type: ignore[attr-defined]
        s.execute(
            text("UPDATE event_head SET seq = :seq, hash = :h WHERE station_code = :c"),
            {"seq": seq, "h": prev, "c": CODE},
        )


def copy_baseline(url: str, rows: list[tuple]) -> float:
    """Seconds to COPY the same rows into a scratch table (one transaction)."""
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE event_copy (LIKE event INCLUDING ALL)")
        conn.commit()
        types = ["varchar", "varchar", "int4", "varchar", "varchar", "varchar", "text"]
        types += ["varchar", "timestamptz", "varchar", "varchar"]
        statement = f"COPY event_copy ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)"
        t0 = time.perf_counter()
        with conn.cursor() as cur, cur.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--with-rows", action="store_true", help="every 10th event adds a row")
    parser.add_argument(
        "--pg",
        default=os.environ.get("HALLTERM_BENCH_PG_URL") or os.environ.get("HALLTERM_TEST_PG_URL"),
    )
    args = parser.parse_args()
    if not args.pg:
        sys.exit("give a PostgreSQL server URL with --pg or HALLTERM_TEST_PG_URL")
    server = args.pg.replace("postgresql+psycopg://", "postgresql://")
    dbname = f"hallterm_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    central_url = server.rsplit("/", 1)[0] + "/" + dbname
    clock = FrozenClock(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            station = Store(str(Path(tmp) / "station.db"))
            init_store(station, Ctx(SYSTEM, CODE, clock), CODE, "江川市政务服务中心", "city")
            central = open_central(central_url)
            init_central(central)
            with central.write() as s:
                register_station(s, central_ctx(clock), CODE, "江川市政务服务中心", "city")
            for _ in range(2):  # connections warm, the first events sent and pulled
                sync_once(station, central, clock=clock)
            t0 = time.perf_counter()
            make_events(station, args.events, args.with_rows, clock.now())
            made = time.perf_counter() - t0
            with station.read() as s:
                rows = [  # the same rows, typed, in memory for the baseline
                    tuple(getattr(e, c) for c in COLUMNS)
                    for e in s.exec(
                        select(Event).where(Event.sent_at.is_(None)).order_by(Event.seq)
                    )
                ]
            t0 = time.perf_counter()
            summary = sync_once(station, central, batch=args.batch, clock=clock)
            took = time.perf_counter() - t0
            assert summary.pushed == args.events, summary
            assert summary.conflicts == 0, summary
            central.dispose()
            station.dispose()
            copy_s = copy_baseline(central_url, rows)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    n = args.events
    mix = "with an applicant row in every 10th" if args.with_rows else "audit events"
    print(f"events           : {n} ({mix}); made in {made:.2f} s")
    print(f"sync push        : {took:.2f} s  {n / took:9.0f} events/s  (batch {args.batch})")
    print(f"raw COPY         : {copy_s:.2f} s  {n / copy_s:9.0f} rows/s")
    print(f"ratio            : {took / copy_s:.2f}")
    print(
        f"SUMMARY measure=sync_push_seconds_{n} value={took:.3f} baseline={copy_s:.3f} "
        f"ratio={took / copy_s:.2f} goal=ratio<=3"
    )


if __name__ == "__main__":
    main()
