"""Central under load: 200 stations against ``hallterm central serve --workers 2`` and PostgreSQL.

50 stations push a day's work each (events as the desk writes them: one case made by the
services, repeated with fresh ids, ``--cases`` per station) in batches of the product's
``sync_batch`` while the other 150 poll idle (one pull request each, from where the station
is in the feed, every ``--poll`` s).
Measured: central events/s (events stored and applied ÷ wall time of the push phase), p99
latency of a push request, PostgreSQL connections in use (sampled; goal ≤ the pools, 2 × 4),
and what an idle-only phase writes at central (rows written, ``pg_stat_user_tables``; goal
0; commits from ``pg_stat_database`` less those of a control window without polls are
printed too, but autovacuum makes them noisy — the service rolls back every read, which
``tests/test_sync_faults.py`` checks exactly).  Baseline, in the same run: one raw ``COPY`` of all pushed
event rows.  Goal: ≥ 3,000 events/s.

    python bench/sync_load.py [--stations 200] [--pushers 50] [--cases 40] [--pg URL]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
from sync_support import (  # noqa: E402
    EVENT_COLUMNS,
    START,
    UUID,
    copy_seconds,
    make_central,
    pg_server,
    scratch_db,
    serve,
)

from hallterm.clock import FrozenClock  # noqa: E402
from hallterm.config import Settings  # noqa: E402
from hallterm.db.events import event_hash  # noqa: E402
from hallterm.db.ids import new_id  # noqa: E402
from hallterm.db.sync.central.common import EventIn  # noqa: E402
from hallterm.db.sync.client import SyncClient  # noqa: E402
from hallterm.db.sync.service_process import POOL_SIZE  # noqa: E402

TEMPLATE = "TPL9"
WORKERS = 2


def template_events(folder: Path) -> tuple[list[dict[str, object]], str]:
    """One case's events as the desk writes them, made by the services at station TPL9, and
    its applicant's blind index (each copy of the case gets its own)."""
    from sqlalchemy import text
    from sqlmodel import select
    from test_sync_support import make_cases, make_station

    from hallterm.db.models import Event, EventHead

    clock = FrozenClock(START)
    store = make_station(str(folder / "tpl.db"), TEMPLATE, clock)
    with store.read() as s:
        first = s.get(EventHead, TEMPLATE).seq
    make_cases(store, TEMPLATE, clock, 1)
    with store.read() as s:
        rows = [
            {c: getattr(e, c) for c in EVENT_COLUMNS}
            for e in s.exec(select(Event).where(Event.seq > first).order_by(Event.seq))
        ]
        index = s.execute(text("SELECT id_index FROM applicant")).scalar_one()
    store.dispose()
    return rows, str(index)


def day_of_work(
    code: str, template: list[dict[str, object]], index: str, cases: int
) -> list[EventIn]:
    """``cases`` cases of station ``code``, chained from seq 1 (a station's first day)."""
    from test_sync_support import resident_id

    out: list[EventIn] = []
    seq, prev = 0, ""
    for k in range(cases):
        fresh: dict[str, str] = {}

        def swap(match: re.Match[str], fresh: dict[str, str] = fresh) -> str:
            return fresh.setdefault(match[0], new_id())

        for ev in template:
            seq += 1
            payload = UUID.sub(swap, str(ev["payload"]))
            payload = payload.replace(f"{TEMPLATE}-20261127-0001", f"{code}-20261127-{k + 1:05d}")
            payload = payload.replace(TEMPLATE, code)
            payload = payload.replace(resident_id("440101", 0), resident_id("440101", k))
            payload = payload.replace(index, hashlib.sha256(f"{code}:{k}".encode()).hexdigest())
            values = {
                **ev,
                "id": new_id(),
                "station_code": code,
                "entity_id": UUID.sub(swap, str(ev["entity_id"])),
                "payload": payload,
                "seq": seq,
                "prev_hash": prev,
            }
            values["hash"] = prev = event_hash(
                **{c: values[c] for c in EVENT_COLUMNS if c != "hash"}  # type: ignore[arg-type]
            )
            out.append(EventIn(**values))  # type: ignore[arg-type]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--pushers", type=int, default=50)
    parser.add_argument("--cases", type=int, default=40, help="cases per pushing station")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between idle polls")
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    parser.add_argument("--pg", default=None)
    args = parser.parse_args()
    server = pg_server(args.pg)
    batch = Settings().sync_batch
    codes = [f"L{i:04d}" for i in range(args.stations)]
    pushers, idlers = codes[: args.pushers], codes[args.pushers :]
    with tempfile.TemporaryDirectory() as tmp:
        template, index = template_events(Path(tmp))
    work = {code: day_of_work(code, template, index, args.cases) for code in pushers}
    total = sum(len(v) for v in work.values())
    print(f"{args.stations} stations; {args.pushers} push {total} events; the rest poll idle")
    with scratch_db(server) as url:
        tokens = make_central(url, codes, FrozenClock(START))
        dbname = url.rsplit("/", 1)[1]
        with serve(url, workers=WORKERS) as service:
            clients = {c: SyncClient(service, c, tokens[c]) for c in codes}
            stop = threading.Event()
            peak = [0]

            def sample() -> None:
                with psycopg.connect(server, autocommit=True) as conn:
                    while not stop.is_set():
                        n = conn.execute(
                            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                            "AND backend_type = 'client backend'",
                            (dbname,),
                        ).fetchone()[0]
                        peak[0] = max(peak[0], int(n))
                        time.sleep(0.05)

            cursors: dict[str, tuple[int, str | None]] = {}

            def poll(code: str) -> bool:
                """One pull from where the station is in the feed (as its terminal polls);
                True when there was more to read."""
                page, _chain = clients[code].pull(*cursors.get(code, (0, None)), 100)
                cursors[code] = (page.cursor, page.central_id)
                return page.more

            def poll_idle(mine: list[str]) -> None:
                while not stop.is_set():
                    for code in mine:
                        if stop.is_set():
                            return
                        poll(code)
                    stop.wait(args.poll)

            def counters() -> tuple[int, int]:
                """Commits and rows written in the central database so far.  Statistics reach
                the views within ~10 s of a backend going idle: wait that long first."""
                time.sleep(11)
                with psycopg.connect(url, autocommit=True) as conn:
                    commits = conn.execute(
                        "SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (dbname,)
                    ).fetchone()[0]
                    written = conn.execute(
                        "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                        "FROM pg_stat_user_tables"
                    ).fetchone()[0]
                return int(commits), int(written)

            # Idle only: nothing may be written or committed.
            for code in codes:  # warm: every station has pulled the whole feed
                while poll(code):
                    pass
            # A control window of the same length without polls: what the database commits by
            # itself (autovacuum, the probes) is taken off.
            control = counters()
            time.sleep(args.idle_seconds)
            before = counters()
            stop_idle = time.monotonic() + args.idle_seconds
            polls = 0
            while time.monotonic() < stop_idle:
                for code in idlers or codes:
                    poll(code)
                    polls += 1
            after = counters()
            idle_commits = (after[0] - before[0]) - (before[0] - control[0])
            idle_rows = after[1] - before[1]

            # Push phase, with the idle stations polling meanwhile.
            threads = [threading.Thread(target=sample, daemon=True)]
            threads += [  # four pollers, each for a quarter of the idle stations
                threading.Thread(target=poll_idle, args=(idlers[i::4],), daemon=True)
                for i in range(4)
            ]
            for t in threads:
                t.start()
            latencies: list[float] = []
            lock = threading.Lock()

            def push(code: str) -> None:
                events = work[code]
                for i in range(0, len(events), batch):
                    t0 = time.perf_counter()
                    replies, _chain = clients[code].push(events[i : i + batch])
                    took = time.perf_counter() - t0
                    assert all(r.status == "ok" for r in replies), [
                        r for r in replies if r.status != "ok"
                    ][:2]
                    with lock:
                        latencies.append(took)

            t0 = time.perf_counter()
            pushing = [threading.Thread(target=push, args=(c,)) for c in pushers]
            for t in pushing:
                t.start()
            for t in pushing:
                t.join()
            wall = time.perf_counter() - t0
            stop.set()
            for t in threads:
                t.join(5)
            for c in clients.values():
                c.close()
        with psycopg.connect(url) as conn:
            stored = conn.execute("SELECT count(*) FROM event WHERE station_code LIKE 'L%'")
            assert stored.fetchone()[0] == total
        rows = [tuple(getattr(e, c) for c in EVENT_COLUMNS) for v in work.values() for e in v]
        copy_s = copy_seconds(url, rows)
    rate = total / wall
    p99 = statistics.quantiles(latencies, n=100)[98] if len(latencies) > 1 else latencies[0]
    pools = WORKERS * POOL_SIZE
    print(f"push phase: {total} events in {wall:.2f} s = {rate:.0f} events/s")
    print(f"push request latency p99: {p99 * 1000:.0f} ms over {len(latencies)} requests")
    print(f"PostgreSQL connections in use, peak: {peak[0]} (pools: {pools})")
    print(
        f"idle phase: {polls} polls; rows written at central: {idle_rows}; commits beyond "
        f"a control window without polls: {idle_commits}"
    )
    print(f"raw COPY of the same events: {copy_s:.2f} s = {total / copy_s:.0f} rows/s")
    print(
        f"SUMMARY measure=central_events_per_second value={rate:.0f} "
        f"baseline={total / copy_s:.0f} ratio={rate / (total / copy_s):.2f} goal=value>=3000"
    )
    print(
        f"SUMMARY measure=idle_poll_rows_written value={idle_rows} baseline=0 ratio=- goal=value==0"
    )
    print(
        f"SUMMARY measure=central_connections_peak value={peak[0]} baseline={pools} "
        f"ratio={(peak[0]) / pools:.2f} goal=value<={pools}"
    )
    print(
        f"SUMMARY measure=push_latency_p99_ms value={p99 * 1000:.0f} baseline=- ratio=- "
        f"goal=reported"
    )


if __name__ == "__main__":
    main()
