"""Sync throughput: the real ``hallterm sync`` through ``hallterm central serve`` on loopback to
a PostgreSQL central, against a raw ``COPY`` of the same event rows.

The station's events are as the desk writes them (applicant registered, case started,
checklist recorded, case accepted: each with its row snapshots, which central applies; one
case made by the services, repeated with fresh ids).  Each round uses a fresh central
database behind a fresh ``hallterm central serve`` process, enrols a fresh copy of the station
and times one sync the way ``hallterm sync`` runs it (``enrol.client_for`` +
``runner.sync_once``, product defaults: first batch ``sync_batch``, adaptive up to 5,000;
the interpreter's start-up is left out); then, in the same round and database, one binary
``COPY`` of the very same event rows into a scratch table with the same indexes.  Rounds are
interleaved; medians are compared.  Goal: ratio ≤ 3.

Each round also writes the sync's result into another fresh central by plain SQL in one
transaction (the events by the same COPY, every table the sync filled by one insert of its
rows: ``plain_write_seconds``).  No check, no read, no Python between the statements: a
floor for any sync that applies its events before answering, as a station's delivery needs
(a refused event is never marked delivered).  Reported, with its ratio to the COPY.

    python bench/sync.py [--cases 2500] [--rounds 3] [--pg URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sync_support import (  # noqa: E402
    START,
    copy_seconds,
    enrol_copy,
    event_rows,
    make_central,
    pg_server,
    plain_write_seconds,
    rows_written,
    scratch_db,
    serve,
    station_like_the_desk,
)

from hallterm.clock import FrozenClock  # noqa: E402
from hallterm.config import Settings  # noqa: E402
from hallterm.db.sync.enrol import client_for  # noqa: E402
from hallterm.db.sync.runner import sync_once  # noqa: E402

CODE = "A1"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", default=None)
    args = parser.parse_args()
    server = pg_server(args.pg)
    batch = Settings().sync_batch
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template.db"
        t0 = time.perf_counter()
        events = station_like_the_desk(template, CODE, args.cases, FrozenClock(START))
        print(
            f"station: {args.cases} cases, {events} events (made in {time.perf_counter() - t0:.1f} s)"
        )
        syncs, copies, floors = [], [], []
        for i in range(args.rounds):
            with scratch_db(server) as url:
                tokens = make_central(url, [CODE], FrozenClock(START))
                with serve(url) as service:
                    store = enrol_copy(
                        template, Path(tmp) / f"s{i}.db", CODE, service, tokens[CODE]
                    )
                    rows = event_rows(store)
                    with client_for(store) as client:
                        t0 = time.perf_counter()
                        summary = sync_once(store, client, batch=batch)
                        took = time.perf_counter() - t0
                    store.dispose()
                    if summary.left or summary.refused or summary.pushed < len(rows):
                        sys.exit(f"sync did not deliver everything: {summary}")
                copy_s = copy_seconds(url, rows)
                with scratch_db(server) as fresh:
                    make_central(fresh, [CODE], FrozenClock(START))
                    floor_s = plain_write_seconds(fresh, rows, rows_written(url, fresh))
            syncs.append(took)
            copies.append(copy_s)
            floors.append(floor_s)
            print(
                f"round {i + 1}: sync {took:.2f} s ({len(rows) / took:.0f} events/s), "
                f"COPY {copy_s:.3f} s ({len(rows) / copy_s:.0f} rows/s), "
                f"plain SQL write of the result {floor_s:.3f} s"
            )
    sync_s, copy_s = statistics.median(syncs), statistics.median(copies)
    floor_s = statistics.median(floors)
    print(
        f"median: sync {sync_s:.2f} s = {events / sync_s:.0f} events/s; COPY {copy_s:.3f} s; "
        f"plain SQL write of the result {floor_s:.3f} s"
    )
    print(
        f"SUMMARY measure=sync_seconds_{events}_events value={sync_s:.3f} "
        f"baseline={copy_s:.3f} ratio={sync_s / copy_s:.2f} goal=ratio<=3"
    )
    print(
        f"SUMMARY measure=plain_write_seconds_{events}_events value={floor_s:.3f} "
        f"baseline={copy_s:.3f} ratio={floor_s / copy_s:.2f} goal=reported"
    )


if __name__ == "__main__":
    main()
