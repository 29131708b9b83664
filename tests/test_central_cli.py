"""``hallterm central …`` acts as a person: one of central's own accounts, checked at central.

``central init --admin`` makes central's first admin; every other command that writes or
reads personal data at central refuses without ``--user``, with a wrong password, with an
account of a station (central keeps those for the stations, they do not act at central) or
with a role lacking the permission, writing nothing; done by the admin, the audit trail
names the admin.  ``central serve`` runs as the service.  On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from security_support import ADMIN, ADMIN_PASSWORD, add_admin
from sqlmodel import col, select
from test_sync_support import make_central

from hallterm.cli import main
from hallterm.clock import FrozenClock
from hallterm.db.engine import Store
from hallterm.db.models import CatalogVersion, Event, HolidayOverride, Staff, Station
from hallterm.db.models_sync import SyncFeed, SyncPeer, SyncQuarantine
from hallterm.db.sync.central import (
    CENTRAL_CODE,
    add_staff,
    central_ctx,
    quarantine,
    register_station,
)
from hallterm.demo import demo_catalog

PEOPLE = {  # central's own clerk and supervisor, and an admin of station A1 kept at central
    "c-clerk": ("clerk", CENTRAL_CODE),
    "c-super": ("supervisor", CENTRAL_CODE),
    "a1-admin": ("admin", "A1"),
}
PASSWORD = "people-pass-1"


def _central(url: str, clock: FrozenClock) -> dict[str, str]:
    """Central with stations 3299, A1, B1, its test admin and ``PEOPLE``; the admin's env."""
    store = make_central(url, clock, ("A1", "B1"))
    try:
        env = add_admin(url)
        with store.write() as s:
            for username, (role, station) in PEOPLE.items():
                add_staff(
                    s,
                    central_ctx(clock),
                    username=username,
                    name=username,
                    role=role,
                    password=PASSWORD,
                    station_code=station,
                )
    finally:
        store.dispose()
    return env


def _invoke(args: list[str], user: str | None, password: str, **env: str) -> Any:
    environment = {"HALLTERM_TERMINAL": "central-cli", "HALLTERM_NEW_PASSWORD": "new-pass-123"}
    environment.update(env)
    if user is not None:
        args = [*args, "--user", user]
    environment["HALLTERM_PASSWORD"] = password
    return CliRunner().invoke(main, ["--lang", "en", *args], env=environment)


def _events(url: str, kind: str) -> list[Event]:
    store = Store(url)
    try:
        with store.read() as s:
            # In the order written (a partitioned event table returns rows in any order).
            query = select(Event).where(Event.kind == kind)
            return list(s.exec(query.order_by(col(Event.station_code), col(Event.seq))))
    finally:
        store.dispose()


def _get(url: str, model: Any, key: Any) -> Any:
    store = Store(url)
    try:
        with store.read() as s:
            return s.get(model, key)
    finally:
        store.dispose()


def test_central_init_makes_central_s_first_admin(tmp_path: Path) -> None:
    url = str(tmp_path / "central.db")
    runner = CliRunner(env={"HALLTERM_TERMINAL": "init-test"})
    bare = runner.invoke(main, ["--lang", "en", "central", "init", "--central", url])
    assert bare.exit_code == 0, bare.output
    assert "no admin yet" in bare.output
    made = runner.invoke(
        main,
        ["--lang", "en", "central", "init", "--central", url, "--admin", "boss"],
        env={"HALLTERM_NEW_PASSWORD": "boss-pass-1"},
    )
    assert made.exit_code == 0, made.output
    assert "created admin boss" in made.output and "boss-pass-1" not in made.output
    boss = Store(url)
    with boss.read() as s:
        staff = s.exec(select(Staff).where(Staff.username == "boss")).one()
        assert (staff.role, staff.station_code) == ("admin", CENTRAL_CODE)
        assert s.get(Station, CENTRAL_CODE) is not None  # central's own, never published
    boss.dispose()
    again = runner.invoke(
        main,
        ["--lang", "en", "central", "init", "--central", url, "--admin", "other"],
        env={"HALLTERM_NEW_PASSWORD": "other-pass-1"},
    )
    assert again.exit_code == 1 and "admin already" in again.output
    rerun = runner.invoke(main, ["--lang", "en", "central", "init", "--central", url])
    assert rerun.exit_code == 0 and "no admin yet" not in rerun.output  # safe to run again
    # The first admin works: a station registered by boss, the audit trail names boss.
    added = _invoke(
        ["central", "add-station", "--central", url, "--station", "Z1", "--name", "Z镇",
         "--level", "乡"],
        "boss", "boss-pass-1",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert [e.actor for e in _events(url, "station.created")] == ["boss"]
    # Later accounts of central are made by its admin, and are not published to any station.
    staffed = _invoke(
        ["central", "add-staff", "--central", url, "--station", CENTRAL_CODE, "--username",
         "hub-super", "--name", "钱", "--role", "supervisor"],
        "boss", "boss-pass-1",
    )  # fmt: skip
    assert staffed.exit_code == 0, staffed.output
    listed = _invoke(["central", "conflicts", "--central", url], "hub-super", "new-pass-123")
    assert listed.exit_code == 0 and "no conflicts" in listed.output, listed.output
    rows = Store(url)
    with rows.read() as s:
        assert s.exec(select(Staff).where(Staff.username == "other")).first() is None
        feed = [f.key for f in s.exec(select(SyncFeed))]
        assert feed == ["station:Z1"], feed  # the station, never central's accounts
    rows.dispose()


def _catalog_file(tmp_path: Path) -> Path:
    doc = demo_catalog().model_dump(mode="json")
    doc["version"] = "2099.01"
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# (args, what was written: a check that is False before and True after, its event kind)
def _admin_verbs(url: str, tmp_path: Path) -> list[tuple[list[str], Any, str]]:
    def staff_exists(s: Any) -> bool:
        return s.exec(select(Staff).where(Staff.username == "z-clerk")).first() is not None

    def revoked(s: Any) -> bool:
        return s.get(SyncPeer, "B1").revoked_at is not None

    return [
        (
            ["central", "add-station", "--central", url, "--station", "Z9", "--name", "Z9村",
             "--level", "村", "--parent", "A1"],
            lambda s: s.get(Station, "Z9") is not None,
            "station.created",
        ),
        (["central", "revoke-station", "B1", "--central", url], revoked,
         "station.credential_revoked"),
        (
            ["central", "add-staff", "--central", url, "--station", "A1", "--username", "z-clerk",
             "--name", "赵", "--role", "clerk"],
            staff_exists,
            "staff.created",
        ),
        (
            ["central", "holiday", "2099-02-07", "--workday", "--note", "春节调休", "--central",
             url],
            lambda s: s.get(HolidayOverride, date(2099, 2, 7)) is not None,
            "holiday.set",
        ),
        (
            ["central", "publish-catalog", str(_catalog_file(tmp_path)), "--central", url],
            lambda s: s.get(CatalogVersion, "2099.01") is not None,
            "catalog.imported",
        ),
    ]  # fmt: skip


def test_central_admin_commands_act_as_central_s_admin(
    any_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    _central(any_url, clock)
    store = Store(any_url)
    try:
        for args, written, kind in _admin_verbs(any_url, tmp_path):
            before = len(_events(any_url, kind))

            def nothing_written() -> None:
                with store.read() as s:
                    assert not written(s), args  # noqa: B023 - checked within the iteration
                assert len(_events(any_url, kind)) == before, args  # noqa: B023

            no_user = _invoke(args, None, "")
            assert no_user.exit_code == 1 and "--user" in no_user.output, (args, no_user.output)
            nothing_written()
            wrong = _invoke(args, ADMIN, "not the password")
            assert wrong.exit_code == 1 and "wrong user name or password" in wrong.output, args
            nothing_written()
            for user in ("c-clerk", "c-super"):
                refused = _invoke(args, user, PASSWORD)
                assert refused.exit_code == 1 and "may not" in refused.output, (args, user)
                nothing_written()
            # A station's admin, kept at central for its station, does not act at central.
            station_admin = _invoke(args, "a1-admin", PASSWORD)
            assert station_admin.exit_code == 1, (args, station_admin.output)
            assert "wrong user name or password" in station_admin.output
            nothing_written()
            done = _invoke(args, ADMIN, ADMIN_PASSWORD)
            assert done.exit_code == 0, (args, done.output)
            assert ADMIN_PASSWORD not in done.output
            with store.read() as s:
                assert written(s), args
            new = _events(any_url, kind)[before:]
            assert new and {e.actor for e in new} == {ADMIN}, (args, [e.actor for e in new])
            assert all(e.station_code == CENTRAL_CODE for e in new)  # central's own chain
    finally:
        store.dispose()
    refusals = _events(any_url, "staff.refused")
    assert {e.actor for e in refusals} == {"c-clerk", "c-super"}
    logins = _events(any_url, "staff.login")
    assert {e.actor for e in logins} == {ADMIN, "c-clerk", "c-super"}  # never a1-admin


def test_conflicts_are_read_and_closed_by_a_supervisor_not_a_clerk(
    any_url: str, clock: FrozenClock
) -> None:
    _central(any_url, clock)
    store = Store(any_url)
    with store.write() as s:
        quarantine(s, "A1", "stale", "update based on version 1", clock.now(), event_id="e-1")
        conflict_id = s.exec(select(SyncQuarantine.id)).one()
    listing = ["central", "conflicts", "--central", any_url]
    resolving = ["central", "resolve", str(conflict_id), "--note", "核对后作废", "--central",
                 any_url]  # fmt: skip
    assert _invoke(listing, None, "").exit_code == 1
    clerk = _invoke(listing, "c-clerk", PASSWORD)
    assert clerk.exit_code == 1 and "read the audit trail" in clerk.output
    shown = _invoke(listing, "c-super", PASSWORD)
    assert shown.exit_code == 0 and "e-1" in shown.output and "1 conflicts" in shown.output
    assert _invoke(resolving, None, "").exit_code == 1
    assert _invoke(resolving, "c-clerk", PASSWORD).exit_code == 1
    with store.read() as s:
        assert s.get(SyncQuarantine, conflict_id).resolved_at is None
    closed = _invoke(resolving, "c-super", PASSWORD)
    assert closed.exit_code == 0, closed.output
    with store.read() as s:
        row = s.get(SyncQuarantine, conflict_id)
        assert row.resolved_by == "c-super" and row.resolution == "核对后作废"
    (event,) = _events(any_url, "sync.conflict_resolved")
    assert event.actor == "c-super"
    # A transfer is a supervisor's decision too: a clerk is refused before anything is read.
    moved = _invoke(["central", "transfer", "NO-SUCH", "--to", "B1", "--central", any_url],
                    "c-clerk", PASSWORD)  # fmt: skip
    assert moved.exit_code == 1 and "may not supervise" in moved.output
    store.dispose()


def test_central_s_own_station_is_not_a_station(sqlite_url: str, clock: FrozenClock) -> None:
    from hallterm.db.services import ServiceError

    _central(sqlite_url, clock)
    store = Store(sqlite_url)
    with store.write() as s, pytest.raises(ServiceError):
        register_station(s, central_ctx(clock), CENTRAL_CODE, "假冒", "city")
    store.dispose()


def test_every_command_at_central_takes_user(tmp_path: Path) -> None:
    """Every writer at central (and ``conflicts``) refuses without --user; ``serve`` does not
    ask for one (it runs as the service)."""
    url = str(tmp_path / "central.db")
    made = CliRunner().invoke(main, ["central", "init", "--central", url])
    assert made.exit_code == 0, made.output
    arrangement = tmp_path / "holidays.json"
    arrangement.write_text('{"years": {"2099": {"holidays": ["2099-01-01"]}}}', encoding="utf-8")
    f = str(tmp_path / "x")
    commands = [
        ["central", "add-station", "--station", "Z", "--name", "Z", "--level", "city"],
        ["central", "revoke-station", "Z"],
        ["central", "add-staff", "--station", "Z", "--username", "z", "--name", "z",
         "--role", "clerk"],
        ["central", "publish-catalog", str(_catalog_file(tmp_path))],
        ["central", "holiday", "2099-01-01", "--day-off"],
        ["central", "transfer", "X", "--to", "Z"],
        ["central", "conflicts"],
        ["central", "resolve", "1", "--note", "n"],
        ["central", "calendar", "import", str(arrangement)],
        ["central", "timestamp", "--tsa", f],
        ["central", "export-trust", "--root", f, "--out", f],
        ["keys", "revoke-station", "Z", "--reason", "superseded"],
        ["keys", "crl", "--root", f, "--out", f],
    ]  # fmt: skip
    runner = CliRunner(env={"HALLTERM_NEW_PASSWORD": "longenough", "HALLTERM_PASSWORD": "x"})
    for cmd in commands:
        out = runner.invoke(main, [*cmd, "--central", url])
        assert out.exit_code == 1 and "--user" in out.output, (cmd, out.output)
    serve = main.get_command(None, "central").get_command(None, "serve")  # type: ignore[union-attr]
    assert "--user" not in [o for p in serve.params for o in p.opts]


def test_serve_starts_a_process_per_core_for_postgresql_and_one_for_sqlite(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hallterm.db.sync import service_process as service

    for cores, expected in ((1, 1), (2, 2), (16, service.MAX_DEFAULT_WORKERS), (None, 1)):
        monkeypatch.setattr(service.os, "cpu_count", lambda cores=cores: cores)
        assert service.default_workers("postgresql://central/hall") == expected
        assert service.default_workers("central.db") == 1  # SQLite writes take turns


def test_a_service_worker_connects_before_its_first_request(
    pg_url: str, clock: FrozenClock
) -> None:
    """The first station after a restart does not wait for the driver, the first connection
    and the ORM's configuration (~0.3 s): the worker's start-up does them, then freezes
    what it loaded out of the garbage collector's full passes."""
    import gc

    from starlette.testclient import TestClient

    from hallterm.db.sync.service import make_app
    from hallterm.db.sync.service_process import ServiceStore

    make_central(pg_url, clock, ("A1",)).dispose()
    from sqlalchemy.pool import QueuePool

    store = ServiceStore(pg_url)
    pool = store.engine.pool
    assert isinstance(pool, QueuePool) and pool.checkedin() == 0
    gc.unfreeze()
    try:
        with TestClient(make_app(store, clock)):  # runs the start-up (lifespan)
            assert pool.checkedin() == 1
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()  # this test process's objects go back to the collector
    store.dispose()
