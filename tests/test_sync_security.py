"""Station identity and defence in depth: 401s, another station's events, plain HTTP, and
row-level security at central (the four gaps closed); two service instances on one central."""

from __future__ import annotations

import threading
import uuid

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session
from test_sync_support import (
    ServiceThread,
    chain,
    enrol,
    free_port,
    make_cases,
    make_central,
    resident_id,
    serve_process,
    station_copy,
)

from hallterm.db.models import Event, ServiceCase
from hallterm.db.models_sync import SyncQuarantine
from hallterm.db.sync.central import SyncRefused, central_ctx, revoke_station
from hallterm.db.sync.central.common import EventIn
from hallterm.db.sync.client import AuthRefused, SyncClient
from hallterm.db.sync.push import next_batch
from hallterm.db.sync.roles import as_central, station_role, taken_role
from hallterm.db.sync.runner import sync_once
from hallterm.db.sync.security import drop_station_role
from hallterm.db.sync.wire import STATION_HEADER, decode, encode, event_out


def _counts(central) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with central.read() as s:
        events = s.execute(select(func.count()).select_from(Event)).scalar_one()
        refused = s.execute(select(func.count()).select_from(SyncQuarantine)).scalar_one()
    return events, refused


def test_every_request_is_authenticated(sqlite_url, tmp_path, tmp_path_factory, clock):
    central = make_central(sqlite_url, clock, ("A1", "B1"))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    b = station_copy(tmp_path_factory, tmp_path / "b.db", "B1", clock)
    with ServiceThread(sqlite_url, clock) as svc:
        ca = enrol(a, central, "A1", svc.url, clock)
        cb = enrol(b, central, "B1", svc.url, clock)
        body = encode({"cursor": 0, "limit": 10})
        # No credential, a wrong one, A's credential speaking for B: 401 with a message.
        for headers in (
            {},
            {STATION_HEADER: "A1", "Authorization": "Bearer not-the-token"},
            {STATION_HEADER: "B1", "Authorization": ca._http.headers["Authorization"]},
        ):
            r = httpx.post(f"{svc.url}/v1/pull", content=body, headers=headers)
            assert r.status_code == 401
            assert decode(r.content)["error"]
        with pytest.raises(AuthRefused):
            SyncClient(svc.url, "A1", "wrong").pull(0, None, 10)
        # A push is read only once its credential is checked: a batch whose hashes central
        # would have to work out gets 401 from a stranger, not 409 after the work.
        with a.read() as s:
            a_events = next_batch(s, "A1", 5)
        stranger = httpx.post(
            f"{svc.url}/v1/push",
            content=encode({"events": [[*event_out(e)[:10], "0" * 16] for e in a_events]}),
            headers={STATION_HEADER: "A1", "Authorization": "Bearer not-the-token"},
        )
        assert stranger.status_code == 401

        # A's credential pushing B's events: refused as a whole, nothing written.
        with b.read() as s:
            b_events = next_batch(s, "B1", 5)
        before = _counts(central)
        r = httpx.post(
            f"{svc.url}/v1/push",
            content=encode({"events": [event_out(e) for e in b_events]}),
            headers={STATION_HEADER: "A1", "Authorization": ca._http.headers["Authorization"]},
        )
        assert r.status_code == 403
        assert _counts(central) == before
        with pytest.raises(SyncRefused):
            ca.push(b_events)
        assert _counts(central) == before

        # Revoked: 401 at the next sync, and the CLI's own exit code.
        sync_once(a, ca, clock=clock)
        with central.write() as s:
            revoke_station(s, central_ctx(clock), "A1")
        with pytest.raises(AuthRefused):
            sync_once(a, ca, clock=clock)
        sync_once(b, cb, clock=clock)  # B goes on
        ca.close()
        cb.close()
    central.dispose()


def test_plain_http_only_on_loopback():
    for url in ("http://192.0.2.10:8765", "http://sync.example.org"):
        with pytest.raises(SyncRefused):
            SyncClient(url, "A1", "token")
        SyncClient(url, "A1", "token", insecure=True).close()
    for url in ("http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765",
                "https://sync.example.org"):  # fmt: skip
        SyncClient(url, "A1", "token").close()


def test_row_level_security_closes_the_gaps(pg_url, tmp_path, tmp_path_factory, clock):
    tag = uuid.uuid4().hex[:6]
    code_a, code_b = f"A{tag}", f"B{tag}"
    central = make_central(pg_url, clock, (code_a, code_b))
    try:
        with central.write() as s:  # B's rows: an applicant, a case, a certificate and its copy
            s.execute(
                text(
                    "INSERT INTO applicant (id, kind, name, id_type, id_number, phone, address, "
                    "legal_rep, station_code, created_at, version) VALUES ('app-b', 'person', "
                    "'乙', 'resident_id', :n, '', '', '', :b, now(), 1)"
                ),
                {"n": resident_id("110101", 9), "b": code_b},
            )
            s.execute(
                text(
                    "INSERT INTO certificate (number, case_id, station_code, certificate_type, "
                    "holder, record, issued_at, issued_by, copies, revoke_reason, version) "
                    "VALUES ('CERT-B', 'c', :b, 't', '乙', '{}', now(), 'x', 1, '', 1)"
                ),
                {"b": code_b},
            )
            s.execute(
                text(
                    "INSERT INTO certificate_copy (number, copy_no, made_at, made_by, reason, pdf) "
                    "VALUES ('CERT-B', 1, now(), 'x', '', 'pdf')"
                )
            )

        def as_a(statement: str, **params):  # type: ignore[no-untyped-def]
            with central.write() as s:
                station_role(s, code_a)
                return s.execute(text(statement), params).all()

        # 1. certificate_copy: another station's copies are neither readable nor writable.
        assert as_a("SELECT number FROM certificate_copy") == []
        assert as_a("UPDATE certificate_copy SET reason = 'x' RETURNING number") == []
        with pytest.raises(DBAPIError, match="row-level security"):
            as_a(
                "INSERT INTO certificate_copy (number, copy_no, made_at, made_by, reason, pdf) "
                "VALUES ('CERT-B', 2, now(), 'x', '', 'pdf')"
            )
        # 2. A case pointing at another station's applicant is refused; the applicant stays hidden.
        with pytest.raises(DBAPIError, match="row-level security"):
            as_a(
                "INSERT INTO service_case (id, number, station_code, applicant_id, clerk_id, "
                '"window", status, catalog_version, registered_at, decision_reason, version, '
                "updated_at) VALUES ('case-a', 'N-1', :a, 'app-b', '', '', 'registered', 'v', "
                "now(), '', 1, now()) RETURNING id",
                a=code_a,
            )
        assert as_a("SELECT id FROM applicant") == []
        # 3. Registering the same ID number tells A nothing about B (keys are per station).
        as_a(
            "INSERT INTO applicant (id, kind, name, id_type, id_number, phone, address, "
            "legal_rep, station_code, created_at, version) VALUES ('app-a', 'person', '甲', "
            "'resident_id', :n, '', '', '', :a, now(), 1) RETURNING id",
            n=resident_id("110101", 9),
            a=code_a,
        )
        # 4. A station cannot take the feed writers' lock, nor write the feed.
        with pytest.raises(DBAPIError, match="permission denied"):
            as_a("LOCK TABLE sync_feed IN EXCLUSIVE MODE")
        with pytest.raises(DBAPIError, match="permission denied"):
            as_a(
                "INSERT INTO sync_feed (topic, key, payload, created_at) VALUES ('t','k','{}',now())"
            )
        # And the rest stays: no other station's events, no staff, no editing own events.
        with pytest.raises(DBAPIError, match="row-level security"):
            as_a(
                "INSERT INTO event (id, station_code, seq, entity, entity_id, kind, payload, "
                "actor, at, prev_hash, hash) VALUES (:id, :b, 1, 'x', 'x', 'x', '{}', 'x', "
                "now(), '', 'h')",
                id=str(uuid.uuid4()),
                b=code_b,
            )
        with pytest.raises(DBAPIError, match="permission denied"):
            as_a("UPDATE staff SET role = 'admin'")
        with pytest.raises(DBAPIError, match="permission denied"):
            as_a("UPDATE event SET payload = '{}'")
        with pytest.raises(DBAPIError, match="permission denied"):
            as_a("SELECT * FROM sync_person")
    finally:
        with central.write() as s:
            drop_station_role(s, code_a)
            drop_station_role(s, code_b)
        central.dispose()


def test_central_work_leaves_the_station_role_and_takes_it_back(pg_url, clock):
    """``as_central`` knows the role ``station_role`` took (no query), nests, and agrees with
    the database after a savepoint's error and in the session's next transaction."""
    code = f"R{uuid.uuid4().hex[:6]}"
    central = make_central(pg_url, clock, (code,))

    def user(s) -> str:  # type: ignore[no-untyped-def]
        return str(s.execute(text("SELECT current_user")).scalar_one())

    try:
        with Session(central.engine) as s:
            login = user(s)
            assert taken_role(s) is None
            station_role(s, code)
            role = user(s)
            assert role != login and taken_role(s) == role
            with as_central(s):
                assert user(s) == login and taken_role(s) == ""
                with as_central(s):  # nested: stays central's
                    assert user(s) == login
                assert user(s) == login
            assert user(s) == role and taken_role(s) == role
            with pytest.raises(DBAPIError), s.begin_nested(), as_central(s):
                s.execute(text("SELECT no_such_column FROM sync_peer"))
            assert user(s) == role and taken_role(s) == role  # the savepoint took it back
            with as_central(s):
                assert user(s) == login
            s.rollback()  # the next transaction starts as the login, and knows it
            assert taken_role(s) is None and user(s) == login
            with as_central(s):
                assert user(s) == login
    finally:
        with central.write() as s:
            drop_station_role(s, code)
        central.dispose()


def test_two_service_instances_eight_stations(pg_url, tmp_path, tmp_path_factory, clock):
    tag = uuid.uuid4().hex[:4]
    codes = tuple(f"S{tag}{i}" for i in range(8))
    central = make_central(pg_url, clock, codes)
    stations = {}
    for code in codes:
        from test_sync_support import make_station

        stations[code] = make_station(str(tmp_path / f"{code}.db"), code, clock)
        make_cases(stations[code], code, clock, 3)
    errors: list[BaseException] = []
    ports = (free_port(), free_port())
    servers = [serve_process(pg_url, port) for port in ports]  # two `hallterm central serve`
    try:
        clients = {
            code: enrol(st, central, code, f"http://127.0.0.1:{ports[i % 2]}", clock)
            for i, (code, st) in enumerate(stations.items())
        }

        def run(code: str) -> None:
            try:
                for _ in range(3):
                    sync_once(stations[code], clients[code], batch=7, clock=clock)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(c,)) for c in codes]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert errors == []
        for code, st in stations.items():
            assert chain(st, code) == chain(central, code)
            with st.read() as s:
                mine = {c.id for c in s.execute(select(ServiceCase)).scalars()}
            with central.read() as s:
                theirs = {
                    c.id
                    for c in s.execute(
                        select(ServiceCase).where(ServiceCase.station_code == code)
                    ).scalars()
                }
            assert mine == theirs and len(mine) == 3
        with central.read() as s:
            assert s.execute(select(func.count()).select_from(SyncQuarantine)).scalar() == 0
        for c in clients.values():
            c.close()
    finally:
        for proc in servers:
            proc.kill()
            proc.wait(10)
        with central.write() as s:
            for code in codes:
                drop_station_role(s, code)
        central.dispose()
        for st in stations.values():
            st.dispose()


def test_event_in_round_trips_the_wire(clock):
    e = EventIn("id", "A1", 3, "case", "c", "k", '{"a":1}', "u", clock.now(), "p", "h")
    assert decode(encode({"events": [event_out(e)]}))["events"][0][8] == clock.now()


def _tls_files(folder):  # type: ignore[no-untyped-def]
    """A root certificate and a server certificate for 127.0.0.1 signed by it (PEM files)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hallterm test root")])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(root_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (folder / "root.pem").write_bytes(root.public_bytes(pem))
    (folder / "server.pem").write_bytes(cert.public_bytes(pem))
    (folder / "server.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder / "root.pem", folder / "server.pem", folder / "server.key"


def test_tls_server_is_verified_against_the_enrolment_root(
    sqlite_url, tmp_path, tmp_path_factory, clock
):
    from hallterm.db.sync.client import LinkError
    from hallterm.db.sync.enrol import Enrolment, client_for, install_enrolment

    root, cert, key = _tls_files(tmp_path)
    central = make_central(sqlite_url, clock, ("A1",))
    a = station_copy(tmp_path_factory, tmp_path / "a.db", "A1", clock)
    with ServiceThread(sqlite_url, clock, tls=(str(cert), str(key))) as svc:
        assert svc.url.startswith("https://")
        untrusted = enrol(a, central, "A1", svc.url, clock)  # system trust only
        with untrusted, pytest.raises(LinkError):
            sync_once(a, untrusted, clock=clock)
        with central.write() as s:
            from hallterm.db.sync.central import issue_credential

            token = issue_credential(s, central_ctx(clock), "A1")
        install_enrolment(a, Enrolment(svc.url, "A1", token, root.read_text()))
        with client_for(a) as trusted:
            summary = sync_once(a, trusted, clock=clock)
        assert summary.pushed > 0 and summary.left == 0
    central.dispose()


def test_watch_backs_off_and_keeps_going(tmp_path, clock):
    """``sync --watch``: failures are reported and retried with growing delays, never fatal."""
    import random

    from test_sync_support import make_station

    from hallterm.db.sync.client import LinkError
    from hallterm.db.sync.runner import backoff_delays, watch

    delay = backoff_delays(base=2, cap=60, rng=random.Random(1))
    tops = [delay(n) for n in range(1, 9)]
    assert all(1 <= tops[0] <= 2 and d <= 60 for d in tops) and tops[5] > tops[0]

    store = make_station(str(tmp_path / "s.db"), "A1", clock)
    stop = threading.Event()
    seen: list[BaseException | None] = []

    def make_client() -> SyncClient:
        raise LinkError("down")

    def report(summary, error) -> None:  # type: ignore[no-untyped-def]
        seen.append(error)
        if len(seen) == 3:
            stop.set()

    waits: list[float] = []
    real_wait = stop.wait

    def quick_wait(timeout: float | None = None) -> bool:
        waits.append(timeout or 0)
        return real_wait(0)

    stop.wait = quick_wait  # type: ignore[method-assign]
    watch(store, make_client, interval=30, stop=stop, on_result=report)
    assert len(seen) == 3 and all(isinstance(e, LinkError) for e in seen)
    assert len(waits) == 3 and waits[2] > waits[0]  # backing off, not hammering
    store.dispose()
