"""Staff accounts: scrypt hashes, login, lockout after five wrong passwords, audit events."""

from __future__ import annotations

from sqlmodel import select

from hallterm.db.engine import Store
from hallterm.db.models import Event
from hallterm.db.services.passwords import hash_password, needs_rehash, verify_password
from hallterm.db.services.setup import init_store
from hallterm.db.services.staff import change_role, create_staff, login


def _store(sqlite_url, ctx) -> Store:
    store = Store(sqlite_url)
    init_store(store, ctx, "3299", "江川市政务服务中心", "city")
    with store.write() as s:
        create_staff(
            s,
            ctx,
            username="li",
            name="李晓梅",
            role="clerk",
            password="correct horse",
            station_code="3299",
        )
    return store


def test_hash_stores_its_parameters():
    h = hash_password("secret-pass")
    assert h.startswith("$argon2id$v=19$m=19456,t=3,p=1$")
    assert verify_password("secret-pass", h) and not needs_rehash(h)
    assert not verify_password("secret-pasS", h)
    assert not verify_password("x", "garbage")
    assert hash_password("same") != hash_password("same")  # salted


def test_login_and_lockout(sqlite_url, ctx, clock):
    store = _store(sqlite_url, ctx)
    with store.write() as s:
        assert login(s, ctx, "li", "correct horse").actor.name == "李晓梅"
    for _ in range(4):
        with store.write() as s:
            r = login(s, ctx, "li", "wrong")
        assert r.actor is None and "密码" in r.message
    with store.write() as s:
        r = login(s, ctx, "li", "wrong")
    assert r.actor is None and "锁定" in r.message
    with store.write() as s:  # even the right password is refused while locked
        assert login(s, ctx, "li", "correct horse").actor is None
    clock.advance(minutes=5, seconds=1)
    with store.write() as s:
        assert login(s, ctx, "li", "correct horse").actor is not None
    with store.read() as s:
        kinds = [e.kind for e in s.exec(select(Event).order_by(Event.seq))]
    assert kinds.count("staff.login_failed") == 5
    assert kinds.count("staff.login_refused") == 1
    assert kinds.count("staff.login") == 2
    store.dispose()


def test_unknown_user_is_recorded(sqlite_url, ctx):
    store = _store(sqlite_url, ctx)
    with store.write() as s:
        r = login(s, ctx, "nobody", "x")
    assert r.actor is None
    with store.read() as s:
        ev = s.exec(select(Event).where(Event.kind == "staff.login_failed")).one()
    # The typed name is not kept (people type their password there by mistake).
    assert ev.entity_id == "unknown" and "nobody" not in ev.payload
    store.dispose()


def test_role_change_is_audited(sqlite_url, ctx):
    store = _store(sqlite_url, ctx)
    with store.write() as s:
        change_role(s, ctx, "li", "supervisor")
    with store.read() as s:
        ev = s.exec(select(Event).where(Event.kind == "staff.role_changed")).one()
    assert '"to":"supervisor"' in ev.payload
    store.dispose()


def test_cli_role_change_and_unknown_user(sqlite_url, ctx):
    from click.testing import CliRunner

    from hallterm.cli import main

    _store(sqlite_url, ctx).dispose()
    runner = CliRunner()
    with Store(sqlite_url).write() as s:  # the first admin of the store acts on the command line
        create_staff(
            s,
            ctx,
            username="boss",
            name="陈静",
            role="admin",
            password="admin-pass",
            station_code="3299",
        )
    env = {"HALLTERM_PASSWORD": "admin-pass", "HALLTERM_TERMINAL": "t"}
    as_admin = ["--store", sqlite_url, "--user", "boss"]
    ok = runner.invoke(main, ["staff", "role", "li", "supervisor", *as_admin], env=env)
    assert ok.exit_code == 0 and "supervisor" in ok.output
    bad = runner.invoke(main, ["staff", "role", "nobody", "admin", *as_admin], env=env)
    assert bad.exit_code == 1 and "没有用户 nobody" in bad.output
