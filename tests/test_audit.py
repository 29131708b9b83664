"""The audit trail: tampering found at the right position; searching the events."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from security_support import add_admin
from sqlalchemy import text

from hallterm.cli import main
from hallterm.clock import FrozenClock
from hallterm.db.engine import Store
from hallterm.db.events import append_event
from hallterm.db.services import SYSTEM, Actor, Ctx
from hallterm.db.services.audit import record_print, search_events, summarize, verify_store
from hallterm.db.services.setup import init_store

N_EVENTS = 10


def _store_with_events(url: str, clock: FrozenClock) -> Store:
    """A store whose chain of station 3299 holds exactly ``N_EVENTS`` events.

    1 station.created, 1 staff.created, then logins: failed (actor system) and successful
    (actor clerk) in turn, a minute apart.
    """
    store = Store(url)
    ctx = Ctx(actor=SYSTEM, station_code="3299", clock=clock)
    init_store(store, ctx, "3299", "江川市政务服务中心", "city")
    with store.write() as session:
        append_event(
            session,
            station_code="3299",
            entity="staff",
            entity_id="s1",
            kind="staff.created",
            payload={"username": "clerk", "role": "clerk"},
            actor="system",
            at=clock.now(),
        )
    for i in range(N_EVENTS - 2):
        clock.advance(minutes=1)
        ok = i % 2 == 1
        with store.write() as session:
            append_event(
                session,
                station_code="3299",
                entity="staff",
                entity_id="s1",
                kind="staff.login" if ok else "staff.login_failed",
                payload={"username": "clerk"} if ok else {"username": "clerk", "failed": 1},
                actor="clerk" if ok else "system",
                at=clock.now(),
            )
    return store


def _single(store: Store):  # type: ignore[no-untyped-def]
    with store.read() as session:
        (report,) = verify_store(session)
    return report


def _exec(store: Store, sql: str, **params: object) -> None:
    with store.write() as session:
        session.execute(text(sql), params)


def test_untouched_store_verifies(any_url: str, clock: FrozenClock) -> None:
    store = _store_with_events(any_url, clock)
    try:
        report = _single(store)
        assert report.ok and report.events == N_EVENTS and report.station_code == "3299"
    finally:
        store.dispose()


def test_edited_payload_byte_is_found_at_its_position(any_url: str, clock: FrozenClock) -> None:
    store = _store_with_events(any_url, clock)
    try:
        with store.read() as session:
            payload = session.execute(
                text("SELECT payload FROM event WHERE seq = 6 AND station_code = '3299'")
            ).scalar_one()
        # change one byte (a digit or letter) of the canonical JSON
        i = next(i for i, ch in enumerate(payload) if ch.isalnum())
        edited = payload[:i] + ("x" if payload[i] != "x" else "y") + payload[i + 1 :]
        _exec(store, "UPDATE event SET payload = :p WHERE seq = 6", p=edited)
        report = _single(store)
        assert not report.ok
        assert (report.position, report.seq) == (6, 6)
        assert "修改" in report.problem  # "the event was edited"
    finally:
        store.dispose()


def test_deleted_event_is_found_at_its_position(any_url: str, clock: FrozenClock) -> None:
    store = _store_with_events(any_url, clock)
    try:
        _exec(store, "DELETE FROM event WHERE seq = 4")
        report = _single(store)
        assert not report.ok
        assert report.position == 4 and report.seq == 5
        assert report.events == N_EVENTS - 1
    finally:
        store.dispose()


def test_swapped_events_are_found_at_the_first(any_url: str, clock: FrozenClock) -> None:
    store = _store_with_events(any_url, clock)
    try:
        # swap the places of events 7 and 8 in the chain (their sequence numbers)
        _exec(store, "UPDATE event SET seq = -1 WHERE seq = 7")
        _exec(store, "UPDATE event SET seq = 7 WHERE seq = 8")
        _exec(store, "UPDATE event SET seq = 8 WHERE seq = -1")
        report = _single(store)
        assert not report.ok
        assert report.position == 7
    finally:
        store.dispose()


def test_event_cut_off_the_end_is_found(any_url: str, clock: FrozenClock) -> None:
    store = _store_with_events(any_url, clock)
    try:
        _exec(store, f"DELETE FROM event WHERE seq = {N_EVENTS}")
        report = _single(store)
        assert not report.ok
        assert report.position == N_EVENTS
        assert "末尾" in report.problem
    finally:
        store.dispose()


def test_each_station_chain_is_checked_on_its_own(sqlite_url: str, clock: FrozenClock) -> None:
    """Central holds many stations' chains (without their heads): each is walked alone."""
    store = _store_with_events(sqlite_url, clock)
    try:
        with store.write() as session:
            for station in ("A01", "B02"):
                for i in range(5):
                    append_event(
                        session,
                        station_code=station,
                        entity="case",
                        entity_id=f"{station}-{i}",
                        kind="case.registered",
                        payload={"n": i},
                        actor="clerk",
                        at=clock.now(),
                    )
        # central keeps no head for other stations: drop them like central would
        _exec(store, "DELETE FROM event_head WHERE station_code IN ('A01', 'B02')")
        _exec(store, "DELETE FROM event WHERE station_code = 'B02' AND seq = 3")
        with store.read() as session:
            reports = {r.station_code: r for r in verify_store(session)}
        assert set(reports) == {"3299", "A01", "B02"}
        assert reports["3299"].ok and reports["A01"].ok
        assert not reports["B02"].ok and reports["B02"].position == 3
    finally:
        store.dispose()


def test_cli_audit_verify(sqlite_url: str, clock: FrozenClock) -> None:
    store = _store_with_events(sqlite_url, clock)
    store.dispose()
    runner = CliRunner(env=add_admin(sqlite_url))
    result = runner.invoke(main, ["audit", "verify", "--store", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "3299" in result.output
    store = Store(sqlite_url)
    _exec(store, "UPDATE event SET actor = 'mallory' WHERE seq = 3")
    store.dispose()
    result = runner.invoke(main, ["audit", "verify", "--store", sqlite_url])
    assert result.exit_code == 1
    assert "第 3 位" in result.output


def test_search_by_actor_kind_entity_and_date(sqlite_url: str, clock: FrozenClock, ctx) -> None:
    store = _store_with_events(sqlite_url, clock)
    try:
        with store.read() as session:
            everything = search_events(session, ctx)
            failed = search_events(session, ctx, kind="staff.login_failed")
            family = search_events(session, ctx, kind="staff")
            pattern = search_events(session, ctx, kind="*.login*")
            by_actor = search_events(session, ctx, actor="clerk")
            station = search_events(session, ctx, entity="station")
            today = clock.today()
            on_day = search_events(session, ctx, date_from=today, date_to=today)
            next_day = search_events(session, ctx, date_from=today + timedelta(days=1))
            limited = search_events(session, ctx, limit=3)
        assert len(everything) == N_EVENTS
        assert [r.seq for r in everything] == sorted((r.seq for r in everything), reverse=True)
        assert len(failed) == 4 and all(r.kind == "staff.login_failed" for r in failed)
        assert len(family) == N_EVENTS - 1  # all but station.created
        assert {r.kind for r in pattern} == {"staff.login", "staff.login_failed"}
        assert len(by_actor) == 4 and {r.kind for r in by_actor} == {"staff.login"}
        assert [r.kind for r in station] == ["station.created"]
        assert len(on_day) == N_EVENTS and next_day == []
        assert len(limited) == 3
    finally:
        store.dispose()


def test_prints_are_in_the_trail_and_summaries_mask_ids(
    sqlite_url: str, clock: FrozenClock, ctx
) -> None:
    store = _store_with_events(sqlite_url, clock)
    clerk = Actor("id1", "clerk", "李晓梅", "clerk", "3299", "5")
    try:
        with store.write() as session:
            record_print(
                session,
                Ctx(actor=clerk, station_code="3299", clock=clock),
                entity="matter",
                entity_id="M1",
                kind="guide.printed",
                detail={"file": "guide.pdf"},
            )
        with store.read() as session:
            (row,) = search_events(session, ctx, kind="*.printed")
        assert row.actor == "clerk" and row.entity_id == "M1" and "guide.pdf" in row.summary
    finally:
        store.dispose()
    summary = summarize(
        '{"id_number":"110105194912310021","rows":[{"table":"applicant","values":{"name":"张三"}}]}'
    )
    assert "110105194912310021" not in summary and "张三" not in summary
    assert "110105********0021" in summary and "applicant" in summary


@pytest.mark.parametrize("day", [date(2026, 11, 26), date(2026, 11, 28)])
def test_date_range_excludes_other_days(
    sqlite_url: str, clock: FrozenClock, day: date, ctx
) -> None:
    store = _store_with_events(sqlite_url, clock)
    try:
        with store.read() as session:
            assert search_events(session, ctx, date_from=day, date_to=day) == []
    finally:
        store.dispose()


def test_cli_audit_search(tmp_path: Path, clock: FrozenClock) -> None:
    url = str(tmp_path / "s.db")
    _store_with_events(url, clock).dispose()
    result = CliRunner(env=add_admin(url)).invoke(
        main, ["audit", "search", "--store", url, "--kind", "staff.login_failed", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 4
