"""A month of one station over a township link: 300 ms round trip, 2 Mbit/s.

The station is the demo station with 30 days of demo history (``hallterm demo
--history-days 30``: tickets, cases, ratings, as the desk writes them).  Each round enrols a
fresh copy of it at a fresh PostgreSQL central behind ``hallterm central serve`` and times one
sync the way ``hallterm sync`` runs it (``enrol.client_for`` + ``runner.sync_once``, product
defaults) through a loopback proxy that delays each direction by 150 ms and limits it to
2 Mbit/s; the baseline, interleaved, is the same sync on plain loopback.  Goal: ≤ 10 s.

    python bench/sync_link.py [--days 30] [--rounds 2] [--rtt-ms 300] [--mbit 2] [--pg URL]
                              [--station DEMO_STORE]   (reuse a demo store with history)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sync_support import (  # noqa: E402
    ENV,
    START,
    enrol_copy,
    make_central,
    pg_server,
    scratch_db,
    serve,
)
from test_sync_support import LinkProxy  # noqa: E402

from hallterm.clock import FrozenClock  # noqa: E402
from hallterm.config import Settings  # noqa: E402
from hallterm.db.sync.enrol import client_for  # noqa: E402
from hallterm.db.sync.runner import sync_once  # noqa: E402

CODE = "3299"  # the demo station


def demo_station(folder: Path, days: int) -> Path:
    hallterm = Path(sys.executable).parent / "hallterm"
    subprocess.run(
        [str(hallterm), "demo", "--no-tui", "--dir", str(folder), "--history-days", str(days)],
        env=ENV, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return folder / "station.db"


def one_sync(
    template: Path, dest: Path, server: str, link: dict[str, float] | None
) -> tuple[float, int, int]:
    """Seconds, events pushed and requests for one sync of a fresh copy at a fresh central."""
    with scratch_db(server) as url:
        token = make_central(url, [], FrozenClock(START), enrol_parent=True)[CODE]
        with serve(url) as service:
            proxy = None
            target = service
            if link is not None:
                parts = urlsplit(service)
                proxy = LinkProxy(
                    (parts.hostname or "127.0.0.1", parts.port or 80),
                    delay=link["delay"],
                    rate=link["rate"],
                )
                target = proxy.url
            store = enrol_copy(template, dest, CODE, target, token)
            try:
                with client_for(store) as client:
                    t0 = time.perf_counter()
                    summary = sync_once(store, client, batch=Settings().sync_batch)
                    took = time.perf_counter() - t0
            finally:
                store.dispose()
                if proxy is not None:
                    proxy.close()
    if summary.left or summary.refused:
        sys.exit(f"sync did not deliver everything: {summary}")
    return took, summary.pushed, summary.requests


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rtt-ms", type=float, default=300)
    parser.add_argument("--mbit", type=float, default=2)
    parser.add_argument("--pg", default=None)
    parser.add_argument("--station", type=Path, default=None, help="a demo store made before")
    args = parser.parse_args()
    server = pg_server(args.pg)
    link = {"delay": args.rtt_ms / 2000, "rate": args.mbit * 1_000_000 / 8}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        template = args.station or demo_station(Path(tmp) / "demo", args.days)
        print(
            f"demo station with {args.days} days of history made in {time.perf_counter() - t0:.0f} s"
        )
        slow, fast = [], []
        for i in range(args.rounds):
            took, pushed, requests = one_sync(template, Path(tmp) / f"l{i}.db", server, link)
            slow.append(took)
            print(f"round {i + 1}: link {took:.2f} s ({pushed} events, {requests} requests)")
            took, _pushed, _requests = one_sync(template, Path(tmp) / f"b{i}.db", server, None)
            fast.append(took)
            print(f"round {i + 1}: loopback {took:.2f} s")
    value, base = statistics.median(slow), statistics.median(fast)
    print(
        f"SUMMARY measure=sync_month_over_link_seconds value={value:.2f} baseline={base:.2f} "
        f"ratio={value / base:.2f} goal=value<=10"
    )


if __name__ == "__main__":
    main()
