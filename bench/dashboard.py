"""Supervisor figures at central: 200,000 and 1,000,000 cases over 50 stations on PostgreSQL.

A scratch database gets the schema, the demo catalog, a tree of 50 stations (市 → 县 → 乡 →
村) and, loaded with COPY in time order (registration time, as a real history arrives), a
year of history: applicants, cases in every state (case matters, open suspensions), ratings
with their rectifications, and today's tickets and windows.  The daily rollups are then
built by the product's own ``rebuild`` (timed).  Then, interleaved run by run with the
baseline ``SELECT count(*) FROM service_case``, the median time of:

- one full dashboard refresh for the whole city (``efficiency.dashboard``: lines, windows,
  deadline lights, open rectifications),
- the efficiency table of the current month by department, and by station (roll-up),
- the efficiency table of the year to date by station,
- the drill-down: the red cases (``efficiency.cases_by_light``).

Goals at 1,000,000 cases: refresh ≤ 100 ms, month table ≤ 200 ms, year to date ≤ 500 ms,
drill-down ≤ 100 ms (an interactive step like the refresh).

    python bench/dashboard.py [--cases 200000,1000000] [--stations 50] [--runs 7] [--pg URL]

The server URL defaults to HALLTERM_BENCH_PG_URL or HALLTERM_TEST_PG_URL.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault(
    "HALLTERM_STORE_PASSPHRASE", "bench-station-passphrase"
)  # as a start script gives it

import psycopg  # noqa: E402
from sqlalchemy import text  # noqa: E402

from hallterm.clock import HALL_TZ, FrozenClock, to_local  # noqa: E402
from hallterm.db.engine import Store  # noqa: E402
from hallterm.db.ids import new_id  # noqa: E402
from hallterm.db.models import (  # noqa: E402
    Applicant,
    CaseMatter,
    CaseSuspension,
    ServiceCase,
    Station,
    import_all_tables,
)
from hallterm.db.models_queue import Evaluation, Rectification, Ticket, WindowState  # noqa: E402
from hallterm.db.services import SYSTEM, Ctx  # noqa: E402
from hallterm.db.services import efficiency as ef  # noqa: E402
from hallterm.db.services.catalog.io import import_catalog  # noqa: E402
from hallterm.db.services.setup import init_store  # noqa: E402
from hallterm.demo import demo_catalog  # noqa: E402

ROOT = "3299"
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)  # 11:00 in the hall, a Friday


def copy_rows(conn: psycopg.Connection, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """COPY dicts into ``model``'s table (columns not given get the model's default)."""
    columns = [c.name for c in model.__table__.columns]
    fields = model.model_fields
    defaults = {
        c: fields[c].get_default(call_default_factory=True) if c in fields else None
        for c in columns
    }
    n = 0
    with conn.cursor() as cur:
        names = ", ".join(f'"{c}"' for c in columns)
        with cur.copy(f"COPY {model.__tablename__} ({names}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row([row.get(c, defaults[c]) for c in columns])
                n += 1
    return n


def station_tree(n: int) -> list[dict[str, Any]]:
    """The city centre, then counties with townships with villages, ``n`` in all."""
    out = [dict(code=ROOT, name="江川市政务服务中心", level="city", parent_code=None)]
    county = 0
    while len(out) < n:
        county += 1
        c = f"{ROOT}{county:02d}"
        out.append(dict(code=c, name=f"第{county}区政务服务中心", level="county", parent_code=ROOT))
        for t in range(1, 4):
            for v in range(0, 4):
                if len(out) >= n:
                    break
                if v == 0:
                    out.append(
                        dict(
                            code=f"{c}{t:02d}",
                            name=f"{c}-{t}镇便民服务中心",
                            level="township",
                            parent_code=c,
                        )
                    )
                else:
                    out.append(
                        dict(
                            code=f"{c}{t:02d}{v:02d}",
                            name=f"{c}-{t}-{v}村便民服务站",
                            level="village",
                            parent_code=f"{c}{t:02d}",
                        )
                    )
    return [s | {"address": "", "phone": ""} for s in out[:n]]


def at_local(day: date, minutes: float) -> datetime:
    return (datetime.combine(day, dtime(0), HALL_TZ) + timedelta(minutes=minutes)).astimezone(UTC)


def build(url: str, n_cases: int, n_stations: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    store = Store(url)
    ctx = Ctx(actor=SYSTEM, station_code=ROOT, clock=FrozenClock(NOW))
    init_store(store, ctx, ROOT, "江川市政务服务中心", "city", role="central")
    with store.write() as session:
        import_catalog(session, ctx, demo_catalog())
        matters = [
            (m.code, m.promised_limit_days)
            for m in session.execute(text("SELECT code, promised_limit_days FROM matter")).all()
        ]
        categories = [c for (c,) in session.execute(text("SELECT code FROM queue_category"))]
        version = session.execute(text("SELECT version FROM catalog_version")).scalar_one()
    store.dispose()
    stations = station_tree(n_stations)
    codes = [s["code"] for s in stations]
    weights = [40 if s["level"] == "city" else 8 if s["level"] == "county" else 2 for s in stations]
    today = to_local(NOW).date()
    counts: dict[str, int] = {}
    conn_url = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conn_url) as conn:
        copy_rows(conn, Station, (s for s in stations if s["code"] != ROOT))
        n_people = max(1000, n_cases // 4)
        people = [new_id() for _ in range(n_people)]
        counts["applicants"] = copy_rows(
            conn,
            Applicant,
            (
                dict(
                    id=pid,
                    kind="person",
                    name=f"申请人{i}",
                    id_type="passport",
                    # Encrypted at a real station: here a blank field and a blind index.
                    id_number="",
                    id_index=hashlib.sha256(f"passport:E{i:08d}".encode()).hexdigest(),
                    phone="",
                    address="",
                    legal_rep="",
                    station_code=rng.choice(codes),
                    created_at=NOW - timedelta(days=400),
                    version=1,
                )
                for i, pid in enumerate(people)
            ),
        )
        cases: list[dict[str, Any]] = []
        case_matters: list[dict[str, Any]] = []
        suspensions: list[dict[str, Any]] = []
        seq: dict[tuple[str, date], int] = {}
        # Registration moments first, sorted: the history is generated (and loaded) in the
        # order it happens, so physical order follows time as in a real store.
        moments = []
        for _ in range(n_cases):
            age = int(rng.triangular(0, 365, 0))  # more recent cases than old ones
            day = today - timedelta(days=age)
            moments.append((day, at_local(day, rng.uniform(8.5 * 60, 17 * 60))))
        moments.sort(key=lambda m: m[1])
        for day, registered in moments:
            station = rng.choices(codes, weights)[0]
            code, limit = rng.choice(matters)
            k = seq[(station, day)] = seq.get((station, day), 0) + 1
            case = dict(
                id=new_id(),
                number=f"{station}-{day:%Y%m%d}-{k:04d}",
                station_code=station,
                applicant_id=rng.choice(people),
                clerk_id=f"clerk-{station}",
                window=str(rng.randint(1, 4)),
                bundle_code=None,
                catalog_version=version,
                registered_at=registered,
                decision_reason="",
                version=1,
                updated_at=registered,
            )
            roll = rng.random()
            if roll < 0.05:
                case["status"] = "notified" if roll < 0.03 else "refused"
                if case["status"] == "refused":
                    case["completed_at"] = registered
            else:
                case["accepted_at"] = registered
                case["limit_days"] = limit
                case["due_date"] = day + timedelta(days=round(limit * 1.4))
                done_after = rng.randint(0, max(1, round(limit * 1.6)))
                done_day = day + timedelta(days=done_after)
                if done_day < today:
                    case["status"] = "delivered" if rng.random() < 0.9 else "denied"
                    case["completed_at"] = at_local(done_day, rng.uniform(9 * 60, 17 * 60))
                    case["delivered_at"] = case["completed_at"]
                else:
                    case["status"] = rng.choices(
                        ["accepted", "in_review", "suspended"], [2, 10, 1]
                    )[0]
                    if case["status"] == "suspended":
                        suspensions.append(
                            dict(
                                id=new_id(),
                                case_id=case["id"],
                                started_on=day + timedelta(days=1),
                                ended_on=None,
                                reason="现场核查",
                            )
                        )
            cases.append(case)
            case_matters.append(dict(case_id=case["id"], matter_code=code, position=0))
            if rng.random() < 0.1:
                other = rng.choice(matters)[0]
                if other != code:
                    case_matters.append(dict(case_id=case["id"], matter_code=other, position=1))
        counts["cases"] = copy_rows(conn, ServiceCase, cases)
        counts["case_matters"] = copy_rows(conn, CaseMatter, case_matters)
        counts["suspensions"] = copy_rows(conn, CaseSuspension, suspensions)
        evaluations: list[dict[str, Any]] = []
        rects: list[dict[str, Any]] = []
        for case in cases:
            if case.get("completed_at") is None or rng.random() > 0.35:
                continue
            level = rng.choices([5, 4, 3, 2, 1], [62, 23, 8, 5, 2])[0]
            ev = dict(
                id=new_id(),
                station_code=case["station_code"],
                case_id=case["id"],
                ticket_id=None,
                window=case["window"],
                clerk_id=case["clerk_id"],
                level=level,
                comment="",
                channel="window",
                at=case["completed_at"],
            )
            evaluations.append(ev)
            if level <= 2:
                opened = case["completed_at"]
                closed = opened + timedelta(days=rng.randint(1, 20))
                rects.append(
                    dict(
                        id=new_id(),
                        evaluation_id=ev["id"],
                        station_code=ev["station_code"],
                        opened_at=opened,
                        due_date=to_local(opened).date() + timedelta(days=21),
                        response="",
                        closed_at=closed if closed < NOW else None,
                        closed_by="supervisor" if closed < NOW else "",
                        version=1,
                    )
                )
        counts["evaluations"] = copy_rows(conn, Evaluation, evaluations)
        counts["rectifications"] = copy_rows(conn, Rectification, rects)
        tickets: list[dict[str, Any]] = []
        windows: list[dict[str, Any]] = []
        for station, w in zip(codes, weights, strict=True):
            per_window = {}
            for i in range(w * 3):  # today's tickets, the morning so far
                issued = at_local(today, 8.5 * 60 + i * (150 / (w * 3)))
                t = dict(
                    id=new_id(),
                    station_code=station,
                    day=today,
                    category=rng.choice(categories),
                    seq=i + 1,
                    number=f"A{i + 1:03d}",
                    priority=False,
                    appointment=False,
                    id_hash=None,
                    id_masked="",
                    applicant_id=None,
                    status="waiting",
                    target_window=None,
                    window=None,
                    clerk_id=None,
                    issued_at=issued,
                    queue_at=issued,
                    recalls=0,
                    requeued_once=False,
                    transferred_from=None,
                    case_id=None,
                    version=1,
                )
                if i < w * 2:
                    window = str(i % 4 + 1)
                    t |= dict(
                        status="done",
                        window=window,
                        clerk_id=f"clerk-{station}",
                        called_at=issued + timedelta(minutes=9),
                        announced_at=issued + timedelta(minutes=9),
                        started_at=issued + timedelta(minutes=10),
                        finished_at=issued + timedelta(minutes=22),
                    )
                    per_window[window] = t
                tickets.append(t)
            for window in ("1", "2", "3", "4"):
                windows.append(
                    dict(
                        station_code=station,
                        window=window,
                        categories="",
                        status="open",
                        clerk_id=f"clerk-{station}",
                        clerk_name=f"窗口{window}",
                        ticket_id=None,
                        since=None,
                        updated_at=NOW,
                        version=1,
                    )
                )
        counts["tickets"] = copy_rows(conn, Ticket, tickets)
        counts["windows"] = copy_rows(conn, WindowState, windows)
        conn.commit()
    t0 = time.perf_counter()
    store = Store(url)
    with store.write() as session:
        ef.rebuild(session)
    store.dispose()
    counts["rollup_build_s"] = round(time.perf_counter() - t0)
    with psycopg.connect(conn_url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        counts["rollup_rows"] = conn.execute("SELECT count(*) FROM case_daily").fetchone()[0]
    return counts


GOALS = {
    "dashboard_refresh_ms": 100,
    "month_by_department_ms": 200,
    "month_by_station_ms": 200,
    "year_to_date_by_station_ms": 500,
    "drill_down_red_ms": 100,
}


def interleaved(
    figures: dict[str, Callable[[], Any]], baseline: Callable[[], Any], runs: int
) -> tuple[dict[str, float], float]:
    """Median ms of each figure and of the baseline, measured in turns, run after run."""
    for fn in (*figures.values(), baseline):
        fn()  # warm the caches and the statement cache once
    times: dict[str, list[float]] = {k: [] for k in figures}
    base: list[float] = []
    for _ in range(runs):
        for name, fn in figures.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        baseline()
        base.append((time.perf_counter() - t0) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}, statistics.median(base)


def run_size(args: argparse.Namespace, server: str, n_cases: int) -> None:
    dbname = args.reuse or f"hallterm_bench_{uuid.uuid4().hex[:10]}"
    url = f"{server.rsplit('/', 1)[0]}/{dbname}"
    if not args.reuse:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
    try:
        t0 = time.perf_counter()
        if args.reuse:
            with psycopg.connect(url) as conn:
                counts = {"cases": conn.execute("SELECT count(*) FROM service_case").fetchone()[0]}
        else:
            counts = build(url, n_cases, args.stations, args.seed)
        made = time.perf_counter() - t0
        store = Store(url)
        today = to_local(NOW).date()
        month = ef.period("month", today)
        year = (today.replace(month=1, day=1), today)

        def refresh() -> ef.Dashboard:
            with store.read() as session:
                return ef.dashboard(session, station_code=None, now=NOW, today=today)

        def table(by: str, span: tuple[date, date]) -> Callable[[], ef.EfficiencyTable]:
            def run() -> ef.EfficiencyTable:
                with store.read() as session:
                    return ef.efficiency_table(
                        session, by=by, start=span[0], end=span[1], today=today
                    )

            return run

        def drill() -> list[ef.LightCase]:
            with store.read() as session:
                return ef.cases_by_light(session, "red", station_code=None, today=today)

        def count() -> int:
            with store.read() as session:
                return session.execute(text("SELECT count(*) FROM service_case")).scalar_one()

        dash = refresh()
        by_station = table("station", month)()
        assert count() == counts["cases"]
        assert by_station.rows[0].received == by_station.total.received > 0
        medians, count_ms = interleaved(
            {
                "dashboard_refresh_ms": refresh,
                "month_by_department_ms": table("department", month),
                "month_by_station_ms": table("station", month),
                "year_to_date_by_station_ms": table("station", year),
                "drill_down_red_ms": drill,
            },
            count,
            args.runs,
        )
        store.dispose()
    finally:
        if args.keep or args.reuse:
            print(f"kept database {dbname}")
        else:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    size = f"{n_cases // 1000}k" if n_cases < 1_000_000 else f"{n_cases / 1e6:g}M"
    print(
        f"data ({size})      : {', '.join(f'{k} {v}' for k, v in counts.items())}; "
        f"loaded in {made:.1f} s"
    )
    print(
        f"lights           : {dash.lights}; open rectifications {dash.open_rectifications}; "
        f"windows {len(dash.windows)}; lines {len(dash.lines)}"
    )
    for name, ms in medians.items():
        print(f"{name:28s}: {ms:8.1f} ms (median of {args.runs})")
    print(f"{'count(*) cases (baseline)':28s}: {count_ms:8.1f} ms")
    for name, ms in medians.items():
        print(
            f"SUMMARY measure={name}@{size} value={ms:.1f} baseline={count_ms:.1f} "
            f"ratio={ms / count_ms:.2f} goal=value<={GOALS[name]}"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", default="200000,1000000", help="sizes, comma-separated (e.g. 20000)"
    )
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", default="", help="measure a kept database again")
    parser.add_argument(
        "--pg",
        default=os.environ.get("HALLTERM_BENCH_PG_URL") or os.environ.get("HALLTERM_TEST_PG_URL"),
    )
    args = parser.parse_args(argv)
    if not args.pg:
        sys.exit("give --pg URL or set HALLTERM_BENCH_PG_URL / HALLTERM_TEST_PG_URL")
    import_all_tables()
    server = args.pg.replace("postgresql+psycopg://", "postgresql://")
    for n in (int(x) for x in args.cases.split(",") if x.strip()):
        run_size(args, server, n)


if __name__ == "__main__":
    main()
