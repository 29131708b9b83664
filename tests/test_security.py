"""Trust at the window: the service-layer permission matrix, passwords, the terminal throttle,
the command line acting as a person, private file modes, the kiosk HMAC and safe errors."""

from __future__ import annotations

import os
import stat
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlmodel import func, select

from hallterm.db.engine import Store
from hallterm.db.models import Event, Staff
from hallterm.db.services import SYSTEM, Ctx
from hallterm.db.services import applicants as ap
from hallterm.db.services import audit as au
from hallterm.db.services import calendar as cal
from hallterm.db.services import cases as cs
from hallterm.db.services import certificates as ce
from hallterm.db.services import interaction as it
from hallterm.db.services import queue as q
from hallterm.db.services import rectification as rc
from hallterm.db.services import staff as st
from hallterm.db.services.catalog import io as cio
from hallterm.db.services.passwords import _verify_scrypt, needs_rehash
from hallterm.db.services.permissions import PermissionDenied
from hallterm.domain.roles import Permission, Role, allowed, may_decide

# -- the matrix: every service entry point × every role ------------------------------------

Call = Callable[[Any, Ctx], object]

ENTRY_POINTS: list[tuple[str, Permission, Call]] = [
    (
        "staff.create_staff",
        Permission.manage_staff,
        lambda s, c: st.create_staff(
            s,
            c,
            username="x",
            name="x",
            role="clerk",
            password="longenough",
            station_code="3299",
        ),
    ),
    (
        "staff.change_role",
        Permission.manage_staff,
        lambda s, c: st.change_role(s, c, "clerk", "admin"),
    ),
    ("staff.list_staff", Permission.manage_staff, lambda s, c: st.list_staff(s, c)),
    (
        "applicants.register_applicant",
        Permission.front_desk,
        lambda s, c: ap.register_applicant(s, c, id_type="resident_id", id_number="x", name="x"),
    ),
    (
        "applicants.update_contact",
        Permission.front_desk,
        lambda s, c: ap.update_contact(s, c, "x", phone="", address=""),
    ),
    ("applicants.reveal_id", Permission.reveal_id, lambda s, c: ap.reveal_id(s, c, "x", "x")),
    (
        "applicants.find_applicant",
        Permission.read_personal,
        lambda s, c: ap.find_applicant(s, c, "resident_id", "x"),
    ),
    (
        "applicants.get_applicant",
        Permission.read_personal,
        lambda s, c: ap.get_applicant(s, c, "x"),
    ),
    (
        "applicants.stored_materials",
        Permission.read_personal,
        lambda s, c: ap.stored_materials(s, c, "x", date(2026, 1, 1)),
    ),
    (
        "queue.set_window",
        Permission.front_desk,
        lambda s, c: q.set_window(s, c, "5", status="open"),
    ),
    ("queue.call_next", Permission.front_desk, lambda s, c: q.call_next(s, c, "5")),
    ("queue.recall", Permission.front_desk, lambda s, c: q.recall(s, c, "x")),
    ("queue.no_show", Permission.front_desk, lambda s, c: q.no_show(s, c, "x")),
    ("queue.start_service", Permission.front_desk, lambda s, c: q.start_service(s, c, "x")),
    ("queue.finish", Permission.front_desk, lambda s, c: q.finish(s, c, "x")),
    ("queue.link_case", Permission.front_desk, lambda s, c: q.link_case(s, c, "x", "y")),
    ("queue.transfer", Permission.front_desk, lambda s, c: q.transfer(s, c, "x", window="6")),
    (
        "queue.check_id",
        Permission.front_desk,
        lambda s, c: q.check_id(s, c, "x", "resident_id", "x"),
    ),
    (
        "calendar.set_override",
        Permission.manage_calendar,
        lambda s, c: cal.set_override(s, c, date(2027, 1, 2), True),
    ),
    (
        "calendar.declare_year",
        Permission.manage_calendar,
        lambda s, c: cal.declare_year(s, c, 2027),
    ),
    (
        "catalog_io.import_catalog",
        Permission.manage_catalog,
        lambda s, c: cio.import_catalog(s, c, None),
    ),  # type: ignore[arg-type]
    ("audit.search_events", Permission.read_audit, lambda s, c: au.search_events(s, c)),
    (
        "certificates.issue_certificate",
        Permission.issue_certificate,
        lambda s, c: ce.issue_certificate(s, c, "x", {}, None),  # type: ignore[arg-type]
    ),
    (
        "certificates.reprint",
        Permission.issue_certificate,
        lambda s, c: ce.reprint(s, c, "x", "lost", None),  # type: ignore[arg-type]
    ),
    (
        "certificates.revoke",
        Permission.revoke_certificate,
        lambda s, c: ce.revoke(s, c, "x", "why"),
    ),
    (
        "certificates.install_key",
        Permission.manage_keys,
        lambda s, c: ce.install_key(s, Path("x"), Path("y"), b"", c),
    ),
    (
        "interaction.record_item",
        Permission.process_cases,
        lambda s, c: it.record_item(
            s, c, kind="consultation", channel="window", subject="x", content="x"
        ),
    ),
    (
        "interaction.reply_item",
        Permission.process_cases,
        lambda s, c: it.reply_item(s, c, "x", "y"),
    ),
    (
        "interaction.set_reply_days",
        Permission.manage_catalog,
        lambda s, c: it.set_reply_days(s, c, "consultation", 5),
    ),
    (
        "rectification.close_rectification",
        Permission.supervise,
        lambda s, c: rc.close_rectification(s, c, "x", "done"),
    ),
]

# Entry points that accept any of several permissions.
ALTERNATIVES = {
    "interaction.record_item": (Permission.front_desk,),
    "interaction.set_reply_days": (Permission.supervise,),
    "certificates.reprint": (Permission.revoke_certificate,),
}


def _actor_ctx(role: str, clock: Any) -> Ctx:
    return Ctx(
        actor=replace(SYSTEM, username=f"a-{role}", name=f"a-{role}", role=role),
        station_code="3299",
        clock=clock,
    )


def _count_events(store: Store) -> int:
    with store.read() as s:
        return int(s.exec(select(func.count()).select_from(Event)).one())


@pytest.mark.parametrize("name,permission,call", ENTRY_POINTS, ids=[e[0] for e in ENTRY_POINTS])
def test_every_entry_point_refuses_every_role_without_its_permission(
    demo_store: Store, clock: Any, name: str, permission: Permission, call: Call
) -> None:
    before = _count_events(demo_store)
    refused = []
    for role in [*Role, "kiosk", ""]:
        granted = allowed(role, permission) or any(
            allowed(role, p) for p in ALTERNATIVES.get(name, ())
        )
        ctx = _actor_ctx(role, clock)
        try:
            with demo_store.write() as s:
                call(s, ctx)
        except PermissionDenied as exc:
            assert not granted, f"{name} refused {role!r}, who holds {permission}"
            assert str(exc)  # a message in the clerk's language
            refused.append(role)
        except Exception:  # noqa: BLE001 - any other refusal: the permission check passed
            assert granted, f"{name} let {role!r} past the permission check"
        else:
            assert granted, f"{name} ran for {role!r} without {permission}"
    assert "" in refused and "kiosk" in refused
    if name != "staff.list_staff":
        assert _count_events(demo_store) >= before


def test_refusal_writes_nothing(demo_store: Store, clock: Any) -> None:
    before = _count_events(demo_store)
    with pytest.raises(PermissionDenied, match="无权|may not"), demo_store.write() as s:
        st.change_role(s, _actor_ctx("clerk", clock), "clerk", "admin")
    assert _count_events(demo_store) == before
    with demo_store.read() as s:
        assert s.exec(select(Staff.role).where(Staff.username == "clerk")).one() == "clerk"


def test_acceptance_and_decision_are_separate() -> None:
    assert allowed("clerk", Permission.accept_case) and not allowed("clerk", Permission.decide_case)
    assert allowed("approver", Permission.decide_case)
    assert not allowed("approver", Permission.accept_case)
    # The person who accepted a case may not decide it, unless one person may (即办件).
    assert not may_decide("admin", accepted_it=True, one_person=False)
    assert may_decide("approver", accepted_it=False, one_person=False)
    assert not may_decide("clerk", accepted_it=False, one_person=False)
    assert may_decide("clerk", accepted_it=True, one_person=True)


# -- passwords -----------------------------------------------------------------------------


def _li(store: Store, ctx: Ctx) -> None:
    with store.write() as s:
        st.create_staff(
            s,
            ctx,
            username="li",
            name="李晓梅",
            role="clerk",
            password="correct horse",
            station_code="3299",
        )


def _init(url: str, ctx: Ctx) -> Store:
    from hallterm.db.services.setup import init_store

    store = Store(url)
    init_store(store, ctx, "3299", "江川市政务服务中心", "city")
    _li(store, ctx)
    return store


def test_old_scrypt_hash_is_replaced_at_sign_in(sqlite_url: str, ctx: Ctx) -> None:
    import base64
    import hashlib

    store = _init(sqlite_url, ctx)
    salt = b"0123456789abcdef"
    dk = hashlib.scrypt(b"correct horse", salt=salt, n=2**14, r=8, p=1, dklen=32)
    old = f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(dk).decode()}"
    assert _verify_scrypt("correct horse", old) and needs_rehash(old)
    with store.write() as s:
        row = s.exec(select(Staff).where(Staff.username == "li")).one()
        row.password_hash = old
        s.add(row)
    with store.write() as s:
        assert st.login(s, ctx, "li", "correct horse", "t1").actor is not None
    with store.read() as s:
        new = s.exec(select(Staff.password_hash).where(Staff.username == "li")).one()
        ev = s.exec(select(Event).where(Event.kind == "staff.login")).one()
    assert new.startswith("$argon2id$") and not needs_rehash(new)
    assert '"rehashed":true' in ev.payload
    assert "correct horse" not in ev.payload
    store.dispose()


def test_unknown_user_costs_what_a_wrong_password_costs(sqlite_url: str, ctx: Ctx) -> None:
    store = _init(sqlite_url, ctx)
    unknown: list[float] = []
    wrong: list[float] = []
    for i in range(12):
        for name, out in (("nobody", unknown), ("li", wrong)):
            with store.write() as s:  # keep the account below its lockout
                row = s.exec(select(Staff).where(Staff.username == "li")).one()
                row.failed_logins = 0
                s.add(row)
            t0 = time.perf_counter()
            with store.write() as s:
                assert st.login(s, ctx, name, "not the password", f"term-{i}-{name}").actor is None
            out.append(time.perf_counter() - t0)
    ratio = statistics.median(unknown) / statistics.median(wrong)
    assert 0.8 <= ratio <= 1.25, ratio
    store.dispose()


def test_a_terminal_is_throttled_before_it_can_lock_every_account(
    sqlite_url: str, ctx: Ctx, clock: Any
) -> None:
    store = _init(sqlite_url, ctx)
    with store.write() as s:
        st.create_staff(
            s,
            ctx,
            username="wang",
            name="王",
            role="clerk",
            password="battery staple",
            station_code="3299",
        )
    for _ in range(5):
        with store.write() as s:
            st.login(s, ctx, "li", "guess", "kiosk-7")
    with store.write() as s:  # li is now locked; trying another account from here
        r = st.login(s, ctx, "wang", "guess", "kiosk-7")
    assert r.actor is None
    with store.write() as s:
        r = st.login(s, ctx, "wang", "guess", "kiosk-7")
    assert r.actor is None and "终端" in r.message
    with store.read() as s:
        wang = s.exec(select(Staff).where(Staff.username == "wang")).one()
    assert (
        wang.locked_until is None and wang.failed_logins <= 1
    )  # not locked by the throttled terminal
    with store.write() as s:  # another terminal is not affected
        assert st.login(s, ctx, "wang", "battery staple", "desk-2").actor is not None
    clock.advance(minutes=20)
    with store.write() as s:
        assert st.login(s, ctx, "wang", "battery staple", "kiosk-7").actor is not None
    store.dispose()


def test_unlock_attempts_count_and_sign_out_after_five(sqlite_url: str, ctx: Ctx) -> None:
    store = _init(sqlite_url, ctx)
    results = []
    for _ in range(5):
        with store.write() as s:
            results.append(st.unlock(s, ctx, "li", "nope", "t"))
    assert all(r.actor is None for r in results)
    assert not any(r.signed_out for r in results[:4]) and results[4].signed_out
    with store.read() as s:
        kinds = [e.kind for e in s.exec(select(Event).where(Event.entity == "staff"))]
    assert kinds.count("staff.unlock_failed") == 5
    store.dispose()


# -- the command line acts as a person -----------------------------------------------------


@pytest.fixture
def cli_store(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("HALLTERM_PASSWORD", raising=False)
    monkeypatch.delenv("HALLTERM_USER", raising=False)
    monkeypatch.setenv("HALLTERM_TERMINAL", "cli-test")
    url = demo_store.url.removeprefix("sqlite:///")
    demo_store.dispose()
    return url


def _role_of(url: str, username: str) -> str:
    store = Store(url)
    try:
        with store.read() as s:
            return s.exec(select(Staff.role).where(Staff.username == username)).one()
    finally:
        store.dispose()


def _events(url: str, kind: str) -> list[Event]:
    store = Store(url)
    try:
        with store.read() as s:
            return list(s.exec(select(Event).where(Event.kind == kind)))
    finally:
        store.dispose()


def test_cli_refuses_without_user_wrong_password_or_role(cli_store: str) -> None:
    from hallterm.cli import main

    runner = CliRunner()
    args = ["staff", "role", "clerk", "admin", "--store", cli_store]
    no_user = runner.invoke(main, args)
    assert no_user.exit_code == 1 and "--user" in no_user.output
    wrong = runner.invoke(main, [*args, "--user", "admin"], env={"HALLTERM_PASSWORD": "nope"})
    assert wrong.exit_code == 1 and "密码" in wrong.output
    clerk = runner.invoke(main, [*args, "--user", "clerk"], env={"HALLTERM_PASSWORD": "clerk1234"})
    assert clerk.exit_code == 1 and "管理员工" in clerk.output
    assert _role_of(cli_store, "clerk") == "clerk"
    assert not _events(cli_store, "staff.role_changed")
    refused = _events(cli_store, "staff.refused")
    assert [e.actor for e in refused] == ["clerk"]


def test_cli_admin_changes_a_role_and_the_trail_names_the_admin(cli_store: str) -> None:
    from hallterm.cli import main

    runner = CliRunner()
    done = runner.invoke(
        main,
        ["staff", "role", "clerk", "supervisor", "--store", cli_store, "--user", "admin"],
        input="admin1234\n",
    )
    assert done.exit_code == 0, done.output
    assert "admin1234" not in done.output
    assert _role_of(cli_store, "clerk") == "supervisor"
    (ev,) = _events(cli_store, "staff.role_changed")
    assert ev.actor == "admin"
    assert [e.actor for e in _events(cli_store, "staff.login")][-1] == "admin"


def test_every_writing_command_takes_user(cli_store: str) -> None:
    """Commands that write or read personal data are refused without --user."""
    from hallterm.cli import main

    runner = CliRunner()
    commands = [
        ["staff", "add", "--username", "z", "--name", "z", "--role", "clerk"],
        ["audit", "search"],
        ["audit", "verify"],
        ["certificate", "list"],
        ["certificate", "revoke", "X", "--reason", "r"],
        ["interaction", "deadline", "complaint", "5"],
        ["report", "--from", "2026-01-01", "--to", "2026-01-31", "--out", "x.csv"],
        ["backup", "--to", "b.db"],
    ]
    for cmd in commands:
        out = runner.invoke(
            main, [*cmd, "--store", cli_store], env={"HALLTERM_NEW_PASSWORD": "longenough"}
        )
        assert out.exit_code == 1 and "--user" in out.output, (cmd, out.output)


# -- files, kiosk, errors ------------------------------------------------------------------


def test_store_backup_and_pdf_are_private_under_umask_022(tmp_path: Path, ctx: Ctx) -> None:
    from hallterm.db.services.backup import backup_store
    from hallterm.private_files import write_private

    old = os.umask(0o022)
    try:
        folder = tmp_path / "station"
        store = _init(str(folder / "station.db"), ctx)
        store.dispose()
        backup = backup_store(str(folder / "station.db"), tmp_path / "bak" / "b.db").path
        pdf = write_private(tmp_path / "pdf" / "x.pdf", b"%PDF")
    finally:
        os.umask(old)
    files = [folder / "station.db", backup, pdf]
    files += [p for p in folder.iterdir() if p.name.endswith(("-wal", "-shm"))]
    for p in files:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    for d in (folder, tmp_path / "bak", tmp_path / "pdf"):
        assert stat.S_IMODE(d.stat().st_mode) == 0o700, d


def test_kiosk_keeps_a_keyed_hmac_not_a_plain_hash(demo_store: Store, ctx: Ctx) -> None:
    import hashlib

    from hallterm.db.models_queue import Ticket
    from hallterm.domain.ids import resident_id_check_char

    first17 = "11010519491231002"
    number = first17 + resident_id_check_char(first17)
    with demo_store.write() as s:
        category = q.categories(s)[0].code
        t = q.issue_ticket(s, ctx, category, id_number=number)
    with demo_store.read() as s:
        row = s.get(Ticket, t.id)
        assert row is not None and row.id_hash
        assert row.id_hash != hashlib.sha256(f"{t.id}:{number}".encode()).hexdigest()
        assert q.check_id(s, ctx, t.id, "resident_id", number)


def test_database_errors_carry_no_parameters(sqlite_url: str, ctx: Ctx) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    store = _init(sqlite_url, ctx)
    with pytest.raises(SQLAlchemyError) as err, store.read() as s:
        s.execute(text("SELECT * FROM no_such_table WHERE x = :v"), {"v": "110105194912310021"})
    assert "110105194912310021" not in str(err.value)
    store.dispose()


def test_unexpected_errors_are_logged_redacted_and_shown_safely(tmp_path: Path) -> None:
    from hallterm.errors import report, setup_log_file

    log = setup_log_file(tmp_path / "logs")
    message = report(
        ValueError("SELECT x FROM applicant WHERE id_number = '110105194912310021'"), "t"
    )
    assert "SELECT" not in message and "110105" not in message
    text = log.read_text(encoding="utf-8")
    assert "SELECT" in text and "110105194912310021" not in text and "110105********1" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


# -- the screen lock -----------------------------------------------------------------------

ROLES = {
    "clerk": "clerk1234",
    "approver": "approve1234",
    "supervisor": "super1234",
    "admin": "admin1234",
}


async def test_nothing_passes_the_lock_for_any_role(
    demo_store: Store, settings: Any, clock: Any
) -> None:
    from pilot_support import settle, sign_in

    from hallterm.actions import ACTIONS
    from hallterm.app import create_app
    from hallterm.commands import MatterCommands
    from hallterm.screens.lock import LockScreen

    keys = sorted({a.key for a in ACTIONS} | {"ctrl+p", "ctrl+c", "f1", "escape", "tab"})
    keys.remove("ctrl+o")  # the lock screen's own "log out", tested below
    for username, password in ROLES.items():
        app = create_app(demo_store, settings, clock=clock)
        async with app.run_test(size=(140, 44)) as pilot:
            await sign_in(pilot, username, password)
            if username == "clerk":
                await pilot.press("f3")  # the desk, with its timer, under the lock
                await settle(pilot)
            await pilot.press("ctrl+l")
            await settle(pilot)
            assert isinstance(app.screen, LockScreen), username
            depth = len(app.screen_stack)
            events = _count_events(demo_store)

            def still_locked(
                what: str, app: Any = app, user: str = username, depth: int = depth, n: int = events
            ) -> None:
                assert isinstance(app.screen, LockScreen), (user, what)
                assert len(app.screen_stack) == depth, (user, what)
                assert _count_events(demo_store) == n, (user, what)

            for key in keys:
                await pilot.press(key)
                await settle(pilot, 1)
                still_locked(key)
            for action in ACTIONS:  # every palette command runs its action string
                if action.id == "logout":  # the lock form's own way out (Ctrl+O)
                    continue
                await app.run_action(action.action)
                await settle(pilot, 1)
                still_locked(action.action)
            MatterCommands(app.screen)._open("x")  # a matter found in the palette
            app.pop_screen()  # a screen below dismissing itself
            app.switch_screen(LockScreen())
            app._last_input -= 3600
            app._check_idle()  # the idle timer
            await pilot.click(offset=(2, 2))
            await settle(pilot, 1)
            still_locked("screen changes, timer, mouse")
            below = [
                t for s in app.screen_stack[:-1] for n in (s, *s.walk_children()) for t in n._timers
            ]
            assert all(not t._active.is_set() for t in below)  # the screens' timers are paused
            assert below or username != "clerk"  # the desk's reveal countdown
            assert app.actor is not None and app.actor.username == username


async def test_unlock_is_audited_and_five_failures_sign_out(
    demo_store: Store, settings: Any, clock: Any
) -> None:
    from pilot_support import settle, sign_in

    from hallterm.app import create_app
    from hallterm.screens.home import HomeScreen
    from hallterm.screens.lock import LockScreen
    from hallterm.screens.login import LoginScreen

    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=(140, 44)) as pilot:
        await sign_in(pilot, "clerk", "clerk1234")
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press(*"clerk1234", "enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and not app.locked
        await pilot.press("ctrl+l")
        await settle(pilot)
        for attempt in range(5):
            assert isinstance(app.screen, LockScreen), attempt
            await pilot.press(*"wrong-pass", "enter")
            await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.actor is None
    assert len(_events(demo_store.url.removeprefix("sqlite:///"), "staff.unlock_failed")) == 5
    assert len(_events(demo_store.url.removeprefix("sqlite:///"), "staff.unlock")) == 1


# -- separation of duties on real cases ----------------------------------------------------

READS: list[tuple[str, Permission, Call]] = [
    (
        "cases.load_case",
        Permission.read_personal,
        lambda s, c: cs.load_case(s, c, "x", date(2026, 1, 1)),
    ),
    ("cases.list_cases", Permission.read_personal, lambda s, c: cs.list_cases(s, c)),
    ("cases.timeline", Permission.read_personal, lambda s, c: cs.timeline(s, c, "x")),
    ("cases.start_case", Permission.front_desk, lambda s, c: cs.start_case(s, c, applicant_id="x")),
    ("cases.record_lines", Permission.front_desk, lambda s, c: cs.record_lines(s, c, "x", [])),
    ("cases.accept", Permission.accept_case, lambda s, c: cs.accept(s, c, "x")),
    ("cases.notify", Permission.accept_case, lambda s, c: cs.notify(s, c, "x")),
    ("cases.refuse", Permission.accept_case, lambda s, c: cs.refuse(s, c, "x", "r")),
    (
        "cases.advance(start_review)",
        Permission.process_cases,
        lambda s, c: cs.advance(s, c, "x", "start_review"),
    ),
    (
        "cases.advance(deliver)",
        Permission.process_cases,
        lambda s, c: cs.advance(s, c, "x", "deliver"),
    ),
    (
        "cases.advance(approve)",
        Permission.decide_case,
        lambda s, c: cs.advance(s, c, "x", "approve"),
    ),
    (
        "cases.advance(deny)",
        Permission.decide_case,
        lambda s, c: cs.advance(s, c, "x", "deny", "r"),
    ),
    (
        "certificates.list_certificates",
        Permission.read_personal,
        lambda s, c: ce.list_certificates(s, c),
    ),
    (
        "certificates.certificate_pdf",
        Permission.read_personal,
        lambda s, c: ce.certificate_pdf(s, c, "x"),
    ),
]


@pytest.mark.parametrize("name,permission,call", READS, ids=[e[0] for e in READS])
def test_case_and_certificate_entry_points_refuse_without_permission(
    demo_store: Store, clock: Any, name: str, permission: Permission, call: Call
) -> None:
    test_every_entry_point_refuses_every_role_without_its_permission(
        demo_store, clock, name, permission, call
    )


def _accepted_case(store: Store, clerk: Ctx, immediate: bool) -> str:
    from hallterm.db.models import Matter
    from hallterm.domain.ids import resident_id_check_char

    with store.read() as s:
        matter = s.exec(
            select(Matter.code).where(
                (Matter.handling_type == "immediate")
                if immediate
                else (Matter.handling_type != "immediate")
            )
        ).first()
    first17 = "32010219800101123" if immediate else "32010219800101124"
    with store.write() as s:
        applicant = ap.register_applicant(
            s,
            clerk,
            id_type="resident_id",
            id_number=first17 + resident_id_check_char(first17),
            name="张三",
        )
        case_id = cs.start_case(s, clerk, applicant_id=applicant.id, matter_codes=[matter])
        view = cs.load_case(s, clerk, case_id, clerk.clock.today())
        cs.record_lines(
            s, clerk, case_id, [cs.LineInput.in_full(lv.requirement) for lv in view.lines]
        )
        if not immediate:
            cs.accept(s, clerk, case_id)
            cs.advance(s, clerk, case_id, "start_review")
    return case_id


def _people(store: Store, clock: Any) -> dict[str, Ctx]:
    out = {}
    with store.read() as s:
        for username in ("clerk", "approver", "admin"):
            row = s.exec(select(Staff).where(Staff.username == username)).one()
            out[username] = Ctx(actor=st.actor_of(row), station_code="3299", clock=clock)
    return out


def test_the_accepting_clerk_cannot_approve_the_approver_can(demo_store: Store, clock: Any) -> None:
    people = _people(demo_store, clock)
    case_id = _accepted_case(demo_store, people["clerk"], immediate=False)
    before = _count_events(demo_store)
    with pytest.raises(PermissionDenied), demo_store.write() as s:
        cs.advance(s, people["clerk"], case_id, "approve")
    assert _count_events(demo_store) == before
    with demo_store.write() as s:
        cs.advance(s, people["approver"], case_id, "approve")
        assert cs.load_case(s, people["approver"], case_id, clock.today()).status == "approved"


def test_an_admin_who_accepted_may_not_decide(demo_store: Store, clock: Any) -> None:
    people = _people(demo_store, clock)
    case_id = _accepted_case(demo_store, people["admin"], immediate=False)
    with pytest.raises(PermissionDenied, match="受理"), demo_store.write() as s:
        cs.advance(s, people["admin"], case_id, "deny", "不符合条件")


def test_one_person_completes_an_on_the_spot_matter(demo_store: Store, clock: Any) -> None:
    people = _people(demo_store, clock)
    case_id = _accepted_case(demo_store, people["clerk"], immediate=True)
    with demo_store.write() as s:
        cs.complete_on_spot(s, people["clerk"], case_id)
        assert cs.load_case(s, people["clerk"], case_id, clock.today()).status == "delivered"


def test_restore_over_a_store_needs_an_admin(demo_store: Store, tmp_path: Path) -> None:
    from security_support import add_admin

    from hallterm.cli import main
    from hallterm.db.services.backup import backup_store

    source = demo_store.url.removeprefix("sqlite:///")
    demo_store.dispose()
    env = add_admin(source)
    backup = backup_store(source, tmp_path / "b.db").path
    args = ["restore", "--from", str(backup), "--store", source, "--force"]
    runner = CliRunner()
    refused = runner.invoke(main, args, env={"HALLTERM_USER": "", "HALLTERM_TERMINAL": "t"})
    assert refused.exit_code == 1 and "--user" in refused.output
    done = runner.invoke(main, args, env=env)
    assert done.exit_code == 0, done.output


INTERACTION_READS: list[tuple[str, Permission, Call]] = [
    (
        "interaction.list_items",
        Permission.read_personal,
        lambda s, c: it.list_items(s, c, date(2026, 1, 1)),
    ),
    (
        "interaction.get_item",
        Permission.read_personal,
        lambda s, c: it.get_item(s, c, "x", date(2026, 1, 1)),
    ),
    (
        "interaction.search_items",
        Permission.read_personal,
        lambda s, c: it.search_items(s, c, date(2026, 1, 1), "x"),
    ),
]


@pytest.mark.parametrize(
    "name,permission,call", INTERACTION_READS, ids=[e[0] for e in INTERACTION_READS]
)
def test_interaction_reads_refuse_without_permission(
    demo_store: Store, clock: Any, name: str, permission: Permission, call: Call
) -> None:
    test_every_entry_point_refuses_every_role_without_its_permission(
        demo_store, clock, name, permission, call
    )


def test_cli_errors_carry_no_sql_or_values(
    demo_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from hallterm.cli import main
    from hallterm.db.services import certificate_keys

    def broken(session: Any) -> list[Any]:
        raise OperationalError(
            "SELECT value FROM store_info WHERE key = ?",
            ("110105194912310021",),
            sqlite3.OperationalError("no such table: store_info"),
        )

    monkeypatch.setattr(certificate_keys, "trusted_roots", broken)
    monkeypatch.setenv("HALLTERM_DATA_DIR", str(tmp_path / "data"))
    not_pdf = tmp_path / "hostname"
    not_pdf.write_text("station-7\n")
    url = demo_store.url
    demo_store.dispose()
    out = CliRunner().invoke(main, ["verify", str(not_pdf), "--store", url])
    assert "no such table" in out.output
    assert "SELECT" not in out.output and "110105194912310021" not in out.output

    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("SELECT * FROM applicant WHERE id_number = '110105194912310021'")

    monkeypatch.setattr("hallterm.db.services.audit.verify_store", crash)
    out = CliRunner().invoke(main, ["audit", "verify", "--store", url], env=_admin_env(url))
    assert out.exit_code == 1
    assert "SELECT" not in out.output and "110105194912310021" not in out.output
    log = (tmp_path / "data" / "hallterm.log").read_text(encoding="utf-8")
    assert "RuntimeError" in log and "110105194912310021" not in log


def _admin_env(url: str) -> dict[str, str]:
    from security_support import add_admin

    return add_admin(url)
