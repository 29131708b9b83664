"""Central keeps the efficiency rollups of what it receives, in the ingest's transaction.

Two stations generate a week of history each and push it through the sync service; central's
rollups are then exactly a rebuild from its cases and notice events, and every figure of the
efficiency table at central equals the independent plain query (``test_efficiency``).  A
transfer made at central moves the case's figures to its new station.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import text
from test_efficiency import _rollup_rows, check_table
from test_sync_support import ServiceThread, enrol, make_central, make_station

from hallterm.clock import FrozenClock
from hallterm.db.services import efficiency as ef
from hallterm.db.sync.central import central_ctx, transfer_case
from hallterm.db.sync.runner import sync_once
from hallterm.demo.history import generate_history

NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")
START = date(2026, 11, 1)
TODAY = date(2026, 11, 27)


@pytest.mark.parametrize("where", ["sqlite", "postgresql"])
def test_central_rollups_equal_plain_queries_after_two_stations_push(where, tmp_path, request):
    clock = FrozenClock(NOW)
    central_url = (
        str(tmp_path / "central.db") if where == "sqlite" else request.getfixturevalue("pg_url")
    )
    central = make_central(central_url, clock, ("A", "B"))
    stations = {code: make_station(str(tmp_path / f"{code}.db"), code, clock) for code in "AB"}
    for seed, (code, store) in enumerate(stations.items(), start=7):
        info = generate_history(store, days=7, seed=seed, clock=clock, tickets_per_day=6)
        assert info.cases > 5, code
    with ServiceThread(central_url, clock) as svc:
        for code, store in stations.items():
            with enrol(store, central, code, svc.url, clock) as client:
                result = sync_once(store, client, clock=clock)
                assert not result.refused and not result.left, result
    with central.read() as session:
        kept = _rollup_rows(session)
        assert any(k.startswith("r:") for k in kept), "ratings reached central"
        for by in ef.GROUPINGS:
            table = check_table(session, by, START, TODAY)
            assert table.rows, by
        stations_seen = {
            r.key
            for r in ef.efficiency_table(
                session, by="station", start=START, end=TODAY, today=TODAY
            ).rows
            if r.received
        }
        assert {"A", "B"} <= stations_seen
    with central.write() as session:
        ef.rebuild(session)
        assert _rollup_rows(session) == kept
        session.rollback()
    # A transfer at central: A's case now counts at B, and the figures still agree.
    with central.read() as session:
        case_id = session.execute(
            text("SELECT id FROM service_case WHERE station_code = 'A' LIMIT 1")
        ).scalar()
    with central.write() as session:
        transfer_case(session, central_ctx(clock), str(case_id), "B")
    with central.read() as session:
        check_table(session, "station", START, TODAY)
    for store in (central, *stations.values()):
        store.dispose()
