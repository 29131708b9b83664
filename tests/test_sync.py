"""Sync between stations and central: round trip, conflicts, feed order, reset, security, CLI."""

from __future__ import annotations

import shlex
import threading
import uuid
from datetime import date

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import delete, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select
from test_sync_support import (
    chain,
    clerk_ctx,
    make_cases,
    make_central,
    make_station,
    station_copy,
)

from hallterm.cli import main
from hallterm.db.engine import Store
from hallterm.db.events import hash_of, verify_chain
from hallterm.db.models import (
    CaseMaterialLine,
    Event,
    HolidayOverride,
    ServiceCase,
    Staff,
    StoreInfo,
)
from hallterm.db.models_sync import SyncFeed
from hallterm.db.services.applicants import update_contact
from hallterm.db.services.cases import advance
from hallterm.db.services.catalog.io import current_version
from hallterm.db.services.setup import get_info
from hallterm.db.sync.central import (
    BulkInsertRefused,
    EventIn,
    add_staff,
    central_ctx,
    init_central,
    list_conflicts,
    problem_label,
    publish,
    publish_catalog,
    pull_page,
    receive,
    register_station,
)
from hallterm.db.sync.pull import CURSOR_KEY
from hallterm.db.sync.runner import open_central, sync_once
from hallterm.db.sync.security import drop_station_role, ensure_station_role, role_name
from hallterm.demo import demo_catalog, prepare_demo
from hallterm.domain.catalog import parse_catalog


def settle(station: Store, central: Store, clock, rounds: int = 4):  # type: ignore[no-untyped-def]
    """Sync until nothing moves (a pulled page adds one local event that goes next time)."""
    summaries = []
    for _ in range(rounds):
        s = sync_once(station, central, batch=50, clock=clock)
        summaries.append(s)
        if s.pushed == s.duplicates == s.conflicts == s.pulled == 0:
            return summaries
    raise AssertionError(f"sync did not settle: {summaries}")


def total(summaries, field: str) -> int:  # type: ignore[no-untyped-def]
    return sum(getattr(s, field) for s in summaries)


# -- round trip ----------------------------------------------------------------------------


def test_round_trip_two_stations(any_url, tmp_path, tmp_path_factory, clock):
    central = make_central(any_url, clock, ("A1", "B1"))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    b = station_copy(tmp_path_factory, tmp_path / "b.db", "B1", clock)
    ids_a = make_cases(a, "A1", clock, 3)
    ids_b = make_cases(b, "B1", clock, 2)
    pushed = total(settle(a, central, clock), "pushed") + total(settle(b, central, clock), "pushed")
    assert pushed == len(chain(a, "A1")) + len(chain(b, "B1"))

    with central.read() as s:
        owners = {c.id: (c.station_code, c.status, c.version) for c in s.exec(select(ServiceCase))}
        lines = len(list(s.exec(select(CaseMaterialLine))))
        assert verify_chain(s) == []
    for store, ids in ((a, ids_a), (b, ids_b)):
        with store.read() as s:
            for case_id in ids:
                c = s.get(ServiceCase, case_id)
                assert owners[case_id] == (c.station_code, c.status, c.version)
            local_lines = len(list(s.exec(select(CaseMaterialLine))))
        lines -= local_lines
    assert lines == 0 and len(owners) == 5
    assert chain(central, "A1") == chain(a, "A1")
    assert chain(central, "B1") == chain(b, "B1")

    # Central publishes a new catalog version and a clerk for A1: both arrive where they belong.
    doc = demo_catalog().model_dump(mode="json")
    doc["version"] = "2026.12"
    doc["matters"][0]["name"] = "户口迁移（新版）"
    clock.advance(minutes=5)  # the current version is the one imported last
    ctx = central_ctx(clock)
    with central.write() as s:
        assert publish_catalog(s, ctx, parse_catalog(doc)) == "imported"
        add_staff(
            s,
            ctx,
            username="wanglei",
            name="王磊",
            role="clerk",
            password="wanglei1234",
            station_code="A1",
            window="2",
        )
    pulled_a = total(settle(a, central, clock), "pulled")
    pulled_b = total(settle(b, central, clock), "pulled")
    assert (pulled_a, pulled_b) == (2, 1)
    for store in (a, b):
        with store.read() as s:
            assert current_version(s).version == "2026.12"
            names = {m for m in s.execute(text("SELECT name FROM matter")).scalars()}
            assert "户口迁移（新版）" in names
    with a.read() as s:
        assert s.exec(select(Staff).where(Staff.username == "wanglei")).first() is not None
    with b.read() as s:
        assert s.exec(select(Staff).where(Staff.username == "wanglei")).first() is None
    central.dispose()


# -- conflicts -----------------------------------------------------------------------------


def test_conflicts_are_quarantined_and_listed(any_url, tmp_path, tmp_path_factory, clock):
    central = make_central(any_url, clock, ("A1", "B1"))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    b = station_copy(tmp_path_factory, tmp_path / "b.db", "B1", clock)
    [case_id] = make_cases(a, "A1", clock, 1)
    settle(a, central, clock)
    with a.read() as s:
        applicant_id = s.get(ServiceCase, case_id).applicant_id

    # 1. The same event id comes again with other content (an edited outbox).
    with a.write() as s:
        ev = s.exec(
            select(Event).where(Event.station_code == "A1").order_by(Event.seq.desc())
        ).first()
        original_hash = ev.hash
        ev.payload = ev.payload.replace('"rows"', '"note":"edited","rows"', 1)
        ev.hash = hash_of(ev)
        ev.sent_at = None
        s.add(ev)
        forged_id = ev.id

    # 2. Central transfers the case to B1 while A1, offline, still works on it.
    out = CliRunner().invoke(
        main, ["central", "transfer", case_id, "--to", "B1", "--central", any_url]
    )
    assert out.exit_code == 0, out.output
    with a.write() as s:
        advance(s, clerk_ctx("A1", clock), case_id, "start_review")
    settle(b, central, clock)
    with b.read() as s:
        assert s.get(ServiceCase, case_id).station_code == "B1"

    # 3. Both stations change the applicant's phone, each based on version 1.
    with a.write() as s:
        update_contact(s, clerk_ctx("A1", clock), applicant_id, phone="13800000001", address="")
    with b.write() as s:
        update_contact(s, clerk_ctx("B1", clock), applicant_id, phone="13900000002", address="")

    first = sync_once(a, central, clock=clock)
    assert (first.conflicts, first.pushed) == (2, 1)  # forged + ownership; the phone went in
    second = sync_once(b, central, clock=clock)
    assert second.conflicts == 1  # B1's phone change was based on a stale version

    with central.read() as s:
        problems = sorted(c.problem for c in list_conflicts(s))
        # The edited event also makes the chains differ, which is reported once.
        assert problems == ["diverged", "event_id", "owner", "stale"]
        stored = s.get(Event, forged_id)
        assert stored.hash == original_hash  # never overwritten
        phone = s.execute(text(f"SELECT phone, version FROM applicant WHERE id = '{applicant_id}'"))
        assert tuple(phone.one()) == ("13800000001", 2)
        case = s.get(ServiceCase, case_id)
        assert (case.station_code, case.status) == ("B1", "accepted")
    with a.read() as s:  # nothing is stuck in the outbox; the case now belongs to B1
        waiting = s.exec(select(Event.kind).where(Event.sent_at.is_(None))).all()
        assert waiting == ["sync.pulled"]  # the pull that brought the transfer, sent next time
        assert s.get(ServiceCase, case_id).station_code == "B1"

    out = CliRunner().invoke(main, ["central", "conflicts", "--central", any_url])
    assert out.exit_code == 0, out.output
    for code in ("diverged", "event_id", "owner", "stale"):
        assert problem_label(code) in out.output
    with central.read() as s:
        conflict_id = list_conflicts(s)[0].id
    out = CliRunner().invoke(
        main, ["central", "resolve", str(conflict_id), "--note", "核对后作废", "--central", any_url]
    )
    assert out.exit_code == 0, out.output
    with central.read() as s:
        assert len(list_conflicts(s)) == 3
        assert len(list_conflicts(s, open_only=False)) == 4
    central.dispose()


def test_duplicates_and_foreign_events(sqlite_url, tmp_path, tmp_path_factory, clock):
    central = make_central(sqlite_url, clock, ("A1", "B1"))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    with a.read() as s:
        rows = s.exec(select(Event).where(Event.station_code == "A1").order_by(Event.seq)).all()
        events = [EventIn(**{k: getattr(r, k) for k in EventIn._fields}) for r in rows]
    with central.write() as s:
        first = receive(s, "A1", events, clock.now())
    with central.write() as s:
        again = receive(s, "A1", events, clock.now())
        foreign = receive(s, "B1", events[:1], clock.now())
    assert {r.status for r in first} == {"ok"}
    assert {r.status for r in again} == {"duplicate"}
    assert [(r.status, r.problem) for r in foreign] == [("conflict", "foreign")]
    central.dispose()


# -- the pull feed ---------------------------------------------------------------------------


def test_feed_rows_never_skipped_when_commits_come_out_of_order(pg_url, clock):
    """Two writers; the one with the lower id commits last.  A reader must not skip it."""
    central = Store(pg_url)
    init_central(central)
    raw = pg_url.replace("postgresql+psycopg://", "postgresql://")

    # Without serialising writers a cursor reader does skip a row: the hazard itself.
    with psycopg.connect(raw) as w1, psycopg.connect(raw) as w2:
        low = w1.execute(
            "INSERT INTO sync_feed (topic, key, payload, created_at) "
            "VALUES ('t', 'low', '{}', now()) RETURNING id"
        ).fetchone()[0]
        high = w2.execute(
            "INSERT INTO sync_feed (topic, key, payload, created_at) "
            "VALUES ('t', 'high', '{}', now()) RETURNING id"
        ).fetchone()[0]
        w2.commit()
        assert low < high
        with central.read() as s:
            page = pull_page(s, "X", 0, None)
        w1.commit()
    with central.read() as s:
        later = pull_page(s, "X", page.cursor, None)
    assert [i.key for i in page.items] == ["high"] and later.items == ()  # "low" was skipped

    # With publish(): the second writer waits for the first one's commit, so ids commit in order.
    with central.read() as s:
        cursor = pull_page(s, "X", 0, None).cursor
    first = central.write()
    s1 = first.__enter__()
    publish(s1, "t", "first", {})
    done = threading.Event()

    def second_writer() -> None:
        with central.write() as s2:
            publish(s2, "t", "second", {})
        done.set()

    t = threading.Thread(target=second_writer)
    t.start()
    with psycopg.connect(raw, autocommit=True) as probe:  # wait until it blocks on the lock
        for _ in range(200):
            waiting = probe.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()[0]
            if waiting:
                break
            threading.Event().wait(0.05)
        assert waiting == 1
    with central.read() as s:
        assert pull_page(s, "X", cursor, None).items == ()  # nothing visible yet
    assert not done.is_set()
    first.__exit__(None, None, None)
    t.join(10)
    with central.read() as s:
        page = pull_page(s, "X", cursor, None)
    assert [i.key for i in page.items] == ["first", "second"]
    assert page.items[0].id < page.items[1].id
    central.dispose()


def test_reset_requeue_and_divergence(sqlite_url, tmp_path, tmp_path_factory, clock):
    central = make_central(sqlite_url, clock, ("A1",))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    make_cases(a, "A1", clock, 1)
    settle(a, central, clock)
    with central.read() as s:
        feed_size = len(s.exec(select(SyncFeed)).all())

    # The station's cursor is ahead of central's feed (e.g. central was rebuilt): full pull.
    with a.write() as s:
        s.get(StoreInfo, CURSOR_KEY).value = "99999"
    summary = sync_once(a, central, clock=clock)
    assert summary.reset and summary.pulled == feed_size

    # Central lost the newest events (restored from a backup): the station sends them again.
    settle(a, central, clock)
    before = chain(a, "A1")
    with central.write() as s:
        s.execute(delete(Event).where(Event.station_code == "A1", Event.seq > before[5][1]))
    summary = sync_once(a, central, clock=clock)
    assert summary.requeued == len(before) - 6
    assert chain(central, "A1")[: len(before)] == before

    # A station restored from an old backup writes a different history: divergence is reported.
    settle(a, central, clock)
    old = tmp_path / "old.db"
    a.dispose()
    import shutil

    shutil.copy(tmp_path / "a.db", old)
    make_cases(a, "A1", clock, 1, start=50)
    settle(a, central, clock)
    restored = Store(str(old))
    make_cases(restored, "A1", clock, 1, start=60)
    summary = sync_once(restored, central, clock=clock)
    assert summary.diverged
    assert summary.conflicts > 0  # its events at taken sequence numbers are quarantined
    with central.read() as s:
        before = list_conflicts(s)
    assert {"diverged", "seq"} <= {c.problem for c in before}
    # Syncing again neither resends the refused events nor quarantines anything twice.
    again = sync_once(restored, central, clock=clock)
    assert again.requeued == 0
    with central.read() as s:
        after = list_conflicts(s)
    assert len(after) == len(before) + again.conflicts
    assert len({c.event_id for c in after if c.event_id}) == len([c for c in after if c.event_id])
    restored.dispose()
    central.dispose()


# -- security --------------------------------------------------------------------------------


def test_station_role_writes_only_its_own_rows(pg_url, tmp_path, tmp_path_factory, clock):
    tag = uuid.uuid4().hex[:6]
    code_a, code_b = f"A{tag}", f"B{tag}"
    central = make_central(pg_url, clock, (code_a, code_b))
    try:
        with central.write() as s:
            role_a = ensure_station_role(s, code_a, "secret-a-123")
            ensure_station_role(s, code_b, "secret-b-123")
        assert role_a == role_name(code_a)
        url_a = pg_url.replace("://postgres@", f"://{role_a}:secret-a-123@")
        as_a = open_central(url_a)

        # A full sync through station A's own role works …
        a = make_station(str(tmp_path / "a.db"), code_a, clock)
        make_cases(a, code_a, clock, 2)
        settle(a, as_a, clock)
        assert chain(central, code_a) == chain(a, code_a)

        # … but the role cannot write station B's rows, whatever it sends.
        with as_a.read() as s:
            assert s.exec(select(ServiceCase)).all() != []
            assert {c.station_code for c in s.exec(select(ServiceCase))} == {code_a}
        with pytest.raises(DBAPIError) as err, as_a.write() as s:
            s.execute(
                text(
                    "INSERT INTO event (id, station_code, seq, entity, entity_id, kind, "
                    "payload, actor, at, prev_hash, hash) VALUES (:id, :st, 1, 'x', 'x', "
                    "'x', '{}', 'x', now(), '', 'h')"
                ),
                {"id": str(uuid.uuid4()), "st": code_b},
            )
        assert "row-level security" in str(err.value)
        with pytest.raises(DBAPIError) as err, as_a.write() as s:
            s.execute(text("UPDATE service_case SET station_code = :b"), {"b": code_b})
        assert "row-level security" in str(err.value)
        with pytest.raises(DBAPIError) as err, as_a.write() as s:
            s.execute(text("UPDATE staff SET role = 'admin'"))
        assert "permission denied" in str(err.value)
        with pytest.raises(DBAPIError) as err, as_a.write() as s:  # nor edit its own events
            s.execute(text("UPDATE event SET payload = '{}'"))
        assert "permission denied" in str(err.value)
        with as_a.read() as s:  # it sees only its own events
            assert {e.station_code for e in s.exec(select(Event))} == {code_a}

        # An event id that station B's chain already holds (invisible to A) is refused too:
        # a bulk COPY stops at the unique key; the careful path quarantines the event.
        taken_id = str(uuid.uuid4())
        with central.write() as s:
            s.execute(
                text(
                    "INSERT INTO event (id, station_code, seq, entity, entity_id, kind, payload, "
                    "actor, at, prev_hash, hash) VALUES (:id, :st, 1, 'x', 'x', 'x', '{}', 'x', "
                    "now(), '', 'h')"
                ),
                {"id": taken_id, "st": code_b},
            )
            head = s.exec(
                select(Event).where(Event.station_code == code_a).order_by(Event.seq.desc())
            ).first()
        forged = EventIn(
            taken_id, code_a, head.seq + 1, "x", "x", "x", "{}", "x", clock.now(), head.hash, "h2"
        )
        with pytest.raises(BulkInsertRefused), central.write() as s:  # the owner's COPY path
            receive(s, code_a, [forged], clock.now(), fast=True)
        with as_a.write() as s:  # row-level security: always INSERT … ON CONFLICT
            [reply] = receive(s, code_a, [forged], clock.now(), fast=True)
        assert (reply.status, reply.problem) == ("conflict", "event_id")
        as_a.dispose()
    finally:
        with central.write() as s:
            drop_station_role(s, code_a)
            drop_station_role(s, code_b)
        central.dispose()


# -- command line and demo -------------------------------------------------------------------


def test_cli_central_and_sync(tmp_path, tmp_path_factory, clock):
    central = str(tmp_path / "central.db")
    runner = CliRunner()
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    a.dispose()
    steps = [
        ["central", "init", "--central", central],
        ["central", "add-station", "--central", central, "--station", "3299",
         "--name", "江川市政务服务中心", "--level", "市"],
        ["central", "add-station", "--central", central, "--station", "A1",
         "--name", "A1镇", "--level", "乡", "--parent", "3299"],
    ]  # fmt: skip
    for args in steps:
        out = runner.invoke(main, args)
        assert out.exit_code == 0, out.output
    catalog = tmp_path / "catalog.json"
    doc = demo_catalog().model_dump(mode="json")
    doc["version"] = "2027.01"
    import json

    catalog.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = runner.invoke(main, ["central", "publish-catalog", str(catalog), "--central", central])
    assert out.exit_code == 0, out.output
    out = runner.invoke(
        main,
        [
            "central",
            "holiday",
            "2027-02-07",
            "--workday",
            "--note",
            "春节调休",
            "--central",
            central,
        ],
    )
    assert out.exit_code == 0, out.output
    out = runner.invoke(
        main, ["--lang", "en", "sync", "--store", str(tmp_path / "a.db"), "--central", central]
    )
    assert out.exit_code == 0, out.output
    assert "pushed" in out.output and "pulled 4" in out.output  # 2 stations, catalog, holiday
    station = Store(str(tmp_path / "a.db"))
    with station.read() as s:
        assert current_version(s).version == "2027.01"
        assert s.get(HolidayOverride, date(2027, 2, 7)).is_workday
    station.dispose()
    out = runner.invoke(main, ["central", "conflicts", "--central", central])
    assert out.exit_code == 0


def test_cli_never_prints_the_password(tmp_path):
    url = "postgresql://station_x:topsecret99@127.0.0.1:1/central"
    out = CliRunner().invoke(main, ["sync", "--store", str(tmp_path / "none.db"), "--central", url])
    assert out.exit_code != 0
    assert "topsecret99" not in out.output
    out = CliRunner().invoke(main, ["central", "init", "--central", url])
    assert out.exit_code != 0
    assert "topsecret99" not in out.output and "***" in out.output


def test_demo_syncs_out_of_the_box(demo_template, tmp_path, clock):
    import shutil

    folder = tmp_path / "demo"
    shutil.copytree(demo_template.parent, folder)  # the session's demo, made by prepare_demo
    info = prepare_demo(folder, clock=clock)  # a second run only checks it
    assert info.central_path == folder / "central.db" and info.central_path.exists()
    assert str(info.central_path) in info.sync_command
    args = shlex.split(info.sync_command)[1:]
    out = CliRunner().invoke(main, ["--lang", "en", *args])
    assert out.exit_code == 0, out.output
    assert "conflicts 0" in out.output
    with Store(str(info.store_path)).read() as s:
        assert get_info(s, "sync.last_ok")
    with Store(str(info.central_path)).read() as s:
        assert chain(Store(str(info.store_path)), "3299")[0] in [
            tuple(r) for r in s.execute(text("SELECT id, seq, hash FROM event"))
        ]


def test_register_station_publishes_once(sqlite_url, clock):
    central = Store(sqlite_url)
    init_central(central)
    ctx = central_ctx(clock)
    with central.write() as s:
        register_station(s, ctx, "3299", "江川市政务服务中心", "city")
        register_station(s, ctx, "3299", "江川市政务服务中心", "city")
    with central.read() as s:
        assert len(s.exec(select(SyncFeed)).all()) == 1
    central.dispose()


def test_cli_add_station_makes_a_role_without_printing_its_password(pg_url):
    code = f"R{uuid.uuid4().hex[:6]}"
    runner = CliRunner()
    try:
        for args in (
            ["central", "init", "--central", pg_url],
            ["central", "add-station", "--central", pg_url, "--station", "3299",
             "--name", "江川市政务服务中心", "--level", "city"],
        ):  # fmt: skip
            assert runner.invoke(main, args).exit_code == 0
        out = runner.invoke(
            main,
            ["central", "add-station", "--central", pg_url, "--station", code, "--name", "新镇",
             "--level", "乡", "--parent", "3299", "--password-for-role"],
            env={"HALLTERM_ROLE_PASSWORD": "Zq-97-role-pw"},
        )  # fmt: skip
        assert out.exit_code == 0, out.output
        assert "Zq-97-role-pw" not in out.output and role_name(code) in out.output
        with psycopg.connect(pg_url, autocommit=True) as conn:
            verifier = conn.execute(
                "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role_name(code),)
            ).fetchone()[0]
        assert verifier.startswith("SCRAM-SHA-256$")  # sent hashed, never in clear
    finally:
        store = Store(pg_url)
        with store.write() as s:
            drop_station_role(s, code)
        store.dispose()
