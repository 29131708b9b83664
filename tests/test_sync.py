"""Sync through the sync service: round trip, conflicts, feed order, reset, recovery, persons."""

from __future__ import annotations

import shutil
import threading
from datetime import date

import psycopg
from click.testing import CliRunner
from security_support import ADMIN, ADMIN_PASSWORD, AS_ADMIN, add_admin
from sqlalchemy import delete, text
from sqlmodel import select
from test_sync_support import (
    CENTRAL_KEY_PASSPHRASE,
    ON_SPOT,
    ServiceThread,
    chain,
    clerk_ctx,
    enrol,
    make_cases,
    make_central,
    resident_id,
    station_copy,
)

from hallterm.cli import main
from hallterm.db.engine import Store
from hallterm.db.events import hash_of, snapshot, verify_chain
from hallterm.db.models import (
    Applicant,
    CaseMaterialLine,
    Event,
    HolidayOverride,
    ServiceCase,
    Staff,
    StoreInfo,
)
from hallterm.db.models_certificates import Revocation
from hallterm.db.models_sync import SyncFeed, SyncPerson, SyncPersonLink
from hallterm.db.privacy.fields import blind_index
from hallterm.db.services import record_event
from hallterm.db.services.applicants import register_applicant, update_contact
from hallterm.db.services.cases import advance, start_case
from hallterm.db.services.catalog.io import current_version
from hallterm.db.sync.central import (
    EventIn,
    add_staff,
    central_ctx,
    init_central,
    list_conflicts,
    problem_label,
    publish,
    publish_catalog,
    publish_rows,
    pull_page,
    receive,
    register_station,
    set_holiday,
)
from hallterm.db.sync.central.blind import province_blind_key
from hallterm.db.sync.enrol import ACCEPTS_KEY, read_enrolment
from hallterm.db.sync.pull import CURSOR_KEY
from hallterm.db.sync.runner import local_status, refused_events, sync_once
from hallterm.db.sync.wire import ACCEPTS
from hallterm.demo import demo_catalog
from hallterm.domain.catalog import parse_catalog


def settle(station, client, clock, rounds: int = 4):  # type: ignore[no-untyped-def]
    """Sync until nothing moves (a pulled page adds one local event that goes next time)."""
    summaries = []
    for _ in range(rounds):
        s = sync_once(station, client, batch=50, clock=clock)
        summaries.append(s)
        if s.pushed == s.duplicates == s.pulled == 0 and not s.refused:
            return summaries
    raise AssertionError(f"sync did not settle: {summaries}")


def total(summaries, field: str) -> int:  # type: ignore[no-untyped-def]
    return sum(getattr(s, field) for s in summaries)


# -- round trip ----------------------------------------------------------------------------


def test_round_trip_two_stations(any_url, tmp_path, tmp_path_factory, clock):
    central = make_central(any_url, clock, ("A1", "B1"))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    b = station_copy(tmp_path_factory, tmp_path / "b.db", "B1", clock)
    with ServiceThread(any_url, clock) as svc:
        ca = enrol(a, central, "A1", svc.url, clock)
        cb = enrol(b, central, "B1", svc.url, clock)
        ids_a = make_cases(a, "A1", clock, 3)
        ids_b = make_cases(b, "B1", clock, 2)
        pushed = total(settle(a, ca, clock), "pushed") + total(settle(b, cb, clock), "pushed")
        assert pushed == len(chain(a, "A1")) + len(chain(b, "B1"))

        with central.read() as s:
            owners = {
                c.id: (c.station_code, c.status, c.version) for c in s.exec(select(ServiceCase))
            }
            lines = len(list(s.exec(select(CaseMaterialLine))))
            assert verify_chain(s) == []
        for store, ids in ((a, ids_a), (b, ids_b)):
            with store.read() as s:
                for case_id in ids:
                    c = s.get(ServiceCase, case_id)
                    assert owners[case_id] == (c.station_code, c.status, c.version)
                lines -= len(list(s.exec(select(CaseMaterialLine))))
        assert lines == 0 and len(owners) == 5
        assert chain(central, "A1") == chain(a, "A1")
        assert chain(central, "B1") == chain(b, "B1")

        # Central publishes a catalog version, a clerk for A1, a holiday and a revocation.
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
            set_holiday(s, ctx, date(2027, 2, 7), True, "春节调休")
            revocation = Revocation(
                number="SPJY.X.2026.000009.1X",
                station_code="3299",
                reason="许可条件已不具备",
                revoked_at=clock.now(),
                revoked_by="admin",
            )
            s.add(revocation)
            s.flush()
            publish_rows(s, [revocation], key="revocation:X", now=clock.now())
        pulled_a = total(settle(a, ca, clock), "pulled")
        pulled_b = total(settle(b, cb, clock), "pulled")
        assert (pulled_a, pulled_b) == (4, 3)
        for store in (a, b):
            with store.read() as s:
                assert current_version(s).version == "2026.12"
                names = {m for m in s.execute(text("SELECT name FROM matter")).scalars()}
                assert "户口迁移（新版）" in names
                assert s.get(HolidayOverride, date(2027, 2, 7)).is_workday
                assert s.get(Revocation, "SPJY.X.2026.000009.1X") is not None
        with a.read() as s:
            assert s.exec(select(Staff).where(Staff.username == "wanglei")).first() is not None
        with b.read() as s:
            assert s.exec(select(Staff).where(Staff.username == "wanglei")).first() is None
        # Nothing to send or pull: one request, nothing written at central.
        idle = sync_once(a, ca, clock=clock)
        assert (idle.requests, idle.pushed, idle.pulled) == (1, 0, 0)
        ca.close()
        cb.close()
    central.dispose()


# -- conflicts -----------------------------------------------------------------------------


def test_refused_events_are_listed_at_both_ends_and_never_block(
    any_url, tmp_path, tmp_path_factory, clock
):
    central = make_central(any_url, clock, ("A1", "B1"))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    b = station_copy(tmp_path_factory, tmp_path / "b.db", "B1", clock)
    with ServiceThread(any_url, clock) as svc:
        ca = enrol(a, central, "A1", svc.url, clock)
        cb = enrol(b, central, "B1", svc.url, clock)
        [case_id] = make_cases(a, "A1", clock, 1)
        settle(a, ca, clock)
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
        as_admin = add_admin(any_url)
        out = CliRunner(env=as_admin).invoke(
            main, ["central", "transfer", case_id, "--to", "B1", "--central", any_url]
        )
        assert out.exit_code == 0, out.output
        with a.write() as s:
            advance(s, clerk_ctx("A1", clock), case_id, "start_review")
        settle(b, cb, clock)
        with b.read() as s:
            assert s.get(ServiceCase, case_id).station_code == "B1"

        # 3. Both stations change the applicant, each based on version 1.
        with a.write() as s:
            update_contact(s, clerk_ctx("A1", clock), applicant_id, phone="13800000001", address="")
        with b.write() as s:
            # B1 holds no key of A1's person (personal fields are encrypted under A1's data
            # key), so its concurrent change of the shared row is to the name here.
            row = s.get(Applicant, applicant_id)
            base, row.name, row.version = row.version, "周改名", row.version + 1
            s.add(row)
            record_event(
                s, clerk_ctx("B1", clock), entity="applicant", entity_id=row.id,
                kind="applicant.updated", payload={"rows": [snapshot(row, base_version=base)]},
            )  # fmt: skip

        first = sync_once(a, ca, clock=clock)
        assert sorted(r.problem for r in first.refused) == ["event_id", "owner"]
        assert first.pushed >= 1 and first.left == 2  # the phone change went in behind them
        second = sync_once(b, cb, clock=clock)
        assert [r.problem for r in second.refused] == ["stale"]

        with central.read() as s:
            problems = sorted(c.problem for c in list_conflicts(s, central_ctx(clock)))
            assert problems == ["event_id", "owner", "stale"]
            assert s.get(Event, forged_id).hash == original_hash  # never overwritten
            phone = s.execute(
                text(f"SELECT phone, name, version FROM applicant WHERE id = '{applicant_id}'")
            ).one()
            assert phone[0].startswith("enc1:") and "13800000001" not in phone[0]  # A1's change
            assert tuple(phone[1:]) == ("申请人0", 2)
            case = s.get(ServiceCase, case_id)
            assert (case.station_code, case.status) == ("B1", "accepted")
        with a.read() as s:  # refused events stay undelivered and are listed with the reason
            status = local_status(s)
            assert (status.refused, status.waiting) == (2, 2)
            listed = refused_events(s)
            assert {r.problem for r in listed} == {"event_id", "owner"}
            assert all(r.message for r in listed)
        # Sending them again changes nothing and quarantines nothing twice.
        again = sync_once(a, ca, clock=clock)
        assert len(again.refused) == 2
        with central.read() as s:
            assert len(list_conflicts(s, central_ctx(clock))) == 3

        runner = CliRunner()
        out = runner.invoke(main, ["--lang", "en", "sync", "--store", str(tmp_path / "a.db")])
        assert out.exit_code == 3, out.output  # refused events left: not 0, not 1
        assert "refused by central" in out.output and "still waiting" in out.output
        out = runner.invoke(
            main, ["--lang", "en", "sync", "--status", "--store", str(tmp_path / "a.db")]
        )
        assert out.exit_code == 0 and "2 refused" in out.output, out.output
        out = runner.invoke(main, ["central", "conflicts", "--central", any_url], env=as_admin)
        assert out.exit_code == 0, out.output
        for code in ("event_id", "owner", "stale"):
            assert problem_label(code) in out.output
        with central.read() as s:
            conflict_id = list_conflicts(s, central_ctx(clock))[0].id
        out = runner.invoke(
            main,
            ["central", "resolve", str(conflict_id), "--note", "核对后作废", "--central", any_url],
            env=as_admin,
        )
        assert out.exit_code == 0, out.output
        with central.read() as s:
            assert len(list_conflicts(s, central_ctx(clock))) == 2
            assert len(list_conflicts(s, central_ctx(clock), open_only=False)) == 3
        ca.close()
        cb.close()
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
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'sync_feed' AND NOT l.granted"
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


def test_reset_and_requeue_after_central_lost_events(sqlite_url, tmp_path, tmp_path_factory, clock):
    central = make_central(sqlite_url, clock, ("A1",))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    with ServiceThread(sqlite_url, clock) as svc:
        ca = enrol(a, central, "A1", svc.url, clock)
        make_cases(a, "A1", clock, 1)
        settle(a, ca, clock)
        with central.read() as s:
            feed_size = len(s.exec(select(SyncFeed)).all())

        # The station's cursor is ahead of central's feed (e.g. central was rebuilt): full pull.
        with a.write() as s:
            s.get(StoreInfo, CURSOR_KEY).value = "99999"
        summary = sync_once(a, ca, clock=clock)
        assert summary.reset and summary.pulled == feed_size

        # Central lost the newest events (restored from a backup): the station sends them again.
        settle(a, ca, clock)
        before = chain(a, "A1")
        with central.write() as s:
            s.execute(delete(Event).where(Event.station_code == "A1", Event.seq > before[5][1]))
        summary = sync_once(a, ca, clock=clock)
        assert summary.requeued == len(before) - 6
        assert chain(central, "A1")[: len(before)] == before
        ca.close()
    central.dispose()


# -- recovering instead of losing --------------------------------------------------------------


def test_station_restored_from_an_older_backup_gets_its_events_back(
    any_url, tmp_path, tmp_path_factory, clock
):
    central = make_central(any_url, clock, ("A1",))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    with ServiceThread(any_url, clock) as svc:
        ca = enrol(a, central, "A1", svc.url, clock)
        make_cases(a, "A1", clock, 1)
        settle(a, ca, clock)
        ca.close()
        a.dispose()
        shutil.copy(tmp_path / "a.db", tmp_path / "backup.db")  # the station's backup
        a = Store(str(tmp_path / "a.db"))
        ca = enrol(a, central, "A1", svc.url, clock)
        lost_cases = make_cases(a, "A1", clock, 2, start=10)  # work after the backup …
        settle(a, ca, clock)  # … delivered to central, then the station's disk dies
        ca.close()
        a.dispose()
        delivered = chain(central, "A1")

        restored = Store(str(tmp_path / "backup.db"))  # restored from the older backup
        backed_up = len(chain(restored, "A1"))
        cr = enrol(restored, central, "A1", svc.url, clock)
        with restored.write() as s:  # work goes on before the first sync
            register_applicant(
                s,
                clerk_ctx("A1", clock),
                id_type="resident_id",
                id_number=resident_id("110101", 500),
                name="恢复后",
            )
        summary = sync_once(restored, cr, clock=clock)
        assert summary.recovered == len(delivered) - backed_up > 0
        settle(restored, cr, clock)
        mine, theirs = chain(restored, "A1"), chain(central, "A1")
        assert mine == theirs and theirs[: len(delivered)] == delivered
        with restored.read() as s:
            assert verify_chain(s, "A1") == []
            for case_id in lost_cases:  # the rows the lost events wrote are back
                assert s.get(ServiceCase, case_id) is not None
        with central.read() as s:
            assert verify_chain(s, "A1") == []
            assert list_conflicts(s, central_ctx(clock)) == []
        # Work continues on the recovered chain.
        make_cases(restored, "A1", clock, 1, start=20)
        settle(restored, cr, clock)
        assert chain(restored, "A1") == chain(central, "A1")
        cr.close()
        restored.dispose()
    central.dispose()


def test_same_person_at_two_stations_is_one_person(any_url, tmp_path, tmp_path_factory, clock):
    central = make_central(any_url, clock, ("A1", "B1"))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    b = station_copy(tmp_path_factory, tmp_path / "b.db", "B1", clock)
    number = resident_id("110101", 777)
    cases = {}
    for store, code in ((a, "A1"), (b, "B1")):
        ctx = clerk_ctx(code, clock)
        with store.write() as s:
            person = register_applicant(
                s, ctx, id_type="resident_id", id_number=number, name="周同一"
            )
            cases[code] = start_case(s, ctx, applicant_id=person.id, matter_codes=[ON_SPOT])
    with ServiceThread(any_url, clock) as svc:
        ca = enrol(a, central, "A1", svc.url, clock)
        cb = enrol(b, central, "B1", svc.url, clock)
        settle(a, ca, clock)
        summary = settle(b, cb, clock)
        assert all(not s.refused for s in summary)
        with central.read() as s:
            for code, case_id in cases.items():
                assert s.get(ServiceCase, case_id).station_code == code
            # Both stations re-indexed under the province's blind key at enrolment.
            key = province_blind_key(s, CENTRAL_KEY_PASSPHRASE)
            index = blind_index(key, "resident_id", number)
            rows = s.exec(select(Applicant).where(Applicant.id_index == index)).all()
            assert sorted(r.station_code for r in rows) == ["A1", "B1"]
            assert all(number not in r.id_number for r in rows)  # ciphertext at central
            persons = s.exec(select(SyncPerson).where(SyncPerson.id_index == index)).all()
            assert len(persons) == 1
            links = s.exec(
                select(SyncPersonLink.person_id).where(
                    SyncPersonLink.applicant_id.in_([r.id for r in rows])
                )
            ).all()
            assert links == [persons[0].id, persons[0].id]
            assert list_conflicts(s, central_ctx(clock)) == []
        # Neither station learns of the other's row.
        with b.read() as s:
            assert len(s.exec(select(Applicant).where(Applicant.id_index == index)).all()) == 1
        ca.close()
        cb.close()
    central.dispose()


# -- command line and demo -------------------------------------------------------------------


def test_cli_central_enrol_and_sync(tmp_path, tmp_path_factory, clock, monkeypatch):
    monkeypatch.setenv("HALLTERM_KEY_PASSPHRASE", "central key passphrase")  # the blind key
    central = str(tmp_path / "central.db")
    runner = CliRunner(env=AS_ADMIN)  # central's admin, made by `central init --admin`
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    a.dispose()
    enrolment = tmp_path / "a1.enrol"
    steps = [
        ["central", "init", "--central", central, "--admin", ADMIN],
        ["central", "add-station", "--central", central, "--station", "3299",
         "--name", "江川市政务服务中心", "--level", "市"],
    ]  # fmt: skip
    for args in steps:
        out = runner.invoke(main, args, env={"HALLTERM_NEW_PASSWORD": ADMIN_PASSWORD})
        assert out.exit_code == 0, out.output
    with ServiceThread(central, clock) as svc:
        out = runner.invoke(
            main,
            ["central", "add-station", "--central", central, "--station", "A1", "--name", "A1镇",
             "--level", "乡", "--parent", "3299", "--enrol-out", str(enrolment),
             "--url", svc.url],
        )  # fmt: skip
        assert out.exit_code == 0, out.output
        assert enrolment.stat().st_mode & 0o077 == 0  # the credential file is private
        # It says what central checks: this station's first batches may go beside the pull,
        # in their compact form.
        assert read_enrolment(enrolment).accepts == ACCEPTS
        out = runner.invoke(main, ["enrol", str(enrolment), "--store", str(tmp_path / "a.db")])
        assert out.exit_code == 0, out.output
        catalog = tmp_path / "catalog.json"
        doc = demo_catalog().model_dump(mode="json")
        doc["version"] = "2027.01"
        import json

        catalog.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        out = runner.invoke(
            main, ["central", "publish-catalog", str(catalog), "--central", central]
        )
        assert out.exit_code == 0, out.output
        out = runner.invoke(
            main,
            ["central", "holiday", "2027-02-07", "--workday", "--note", "春节调休",
             "--central", central],
        )  # fmt: skip
        assert out.exit_code == 0, out.output
        out = runner.invoke(main, ["--lang", "en", "sync", "--store", str(tmp_path / "a.db")])
        assert out.exit_code == 0, out.output
        assert "pushed" in out.output and "pulled 4" in out.output  # 2 stations, catalog, holiday
        station = Store(str(tmp_path / "a.db"))
        with station.read() as s:
            assert current_version(s).version == "2027.01"
            assert s.get(HolidayOverride, date(2027, 2, 7)).is_workday
            assert s.get(StoreInfo, ACCEPTS_KEY).value == "base compact"
            # The credential lives only inside the store; central keeps its hash.
            token = s.get(StoreInfo, "sync.credential").value
        station.dispose()
        with Store(central).read() as s:
            stored = s.execute(
                text("SELECT credential_hash FROM sync_peer WHERE station_code='A1'")
            )
            assert token not in stored.scalar_one()
        out = runner.invoke(main, ["central", "revoke-station", "A1", "--central", central])
        assert out.exit_code == 0, out.output
        out = runner.invoke(main, ["--lang", "en", "sync", "--store", str(tmp_path / "a.db")])
        assert out.exit_code == 5, out.output
        assert "credential" in out.output
    out = runner.invoke(main, ["central", "conflicts", "--central", central])
    assert out.exit_code == 0


def test_cli_never_prints_the_password(tmp_path):
    url = "postgresql://station_x:topsecret99@127.0.0.1:1/central"
    out = CliRunner().invoke(main, ["central", "init", "--central", url])
    assert out.exit_code != 0
    assert "topsecret99" not in out.output and "***" in out.output


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
