"""A fresh machine runs the README's commands; reading never creates a store; failures speak.

Issue 11: the demo prepares, prints and verifies its certificate with no system CJK font;
``doctor`` on a fresh install exits 0 with hints; read-only commands leave no store file
behind; the demo's login screen shows the demo accounts; a worker that fails (a locked store
at sign-in, any unhandled error) reaches the clerk as a translated message.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pilot_support import settle, sign_in
from textual.widgets import Static

from hallterm.app import create_app
from hallterm.cli import main
from hallterm.demo import DEMO_ACCOUNTS
from hallterm.screens.login import LoginScreen


def _fresh_env(tmp_path: Path) -> dict[str, str]:
    """A machine with no system fonts, no settings file and no data folder yet."""
    fonts = tmp_path / "no-fonts"
    fonts.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLTERM_")}
    env.update(
        HALLTERM_FONT_SEARCH_DIRS=str(fonts),
        HALLTERM_CONFIG=str(tmp_path / "config" / "config.toml"),
        HALLTERM_DATA_DIR=str(tmp_path / "data"),
        HALLTERM_LANG="en",
        PYTHONWARNINGS="ignore",
    )
    return env


def _hallterm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hallterm.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )


def test_fresh_machine_demo_issues_and_verifies_with_the_bundled_font(tmp_path: Path) -> None:
    from pypdf import PdfReader

    env = _fresh_env(tmp_path)
    folder = tmp_path / "demo"
    made = _hallterm(env, "demo", "--no-tui", "--dir", str(folder))
    assert made.returncode == 0, made.stdout + made.stderr
    commands = [line.strip() for line in made.stdout.splitlines() if "hallterm " in line]
    export = next(c for c in commands if c.startswith("hallterm certificate export"))
    verify = next(c for c in commands if c.startswith("hallterm verify"))
    # the CLI acts as a person: the demo's clerk, password from the environment
    exported = _hallterm({**env, "HALLTERM_PASSWORD": "clerk1234"}, *export.split()[1:])
    assert exported.returncode == 0, exported.stdout + exported.stderr
    checked = _hallterm(env, *verify.split()[1:])
    assert checked.returncode == 0, checked.stdout + checked.stderr  # 0: valid

    pdf = folder / "certificate.pdf"
    fonts = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    fonts.add(str(descendant.get_object()["/BaseFont"]))
    assert any("WenQuanYi" in name or "wqy" in name.lower() for name in fonts), fonts


def test_doctor_on_a_fresh_install_exits_0_with_hints_and_creates_nothing(tmp_path: Path) -> None:
    env = _fresh_env(tmp_path)
    result = _hallterm(env, "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no store yet: run hallterm demo or hallterm init" in result.stdout
    assert "FAIL" not in result.stdout
    assert not (tmp_path / "data").exists()
    assert not (tmp_path / "config").exists()


def test_doctor_fails_for_what_would_break_the_program(tmp_path: Path) -> None:
    env = _fresh_env(tmp_path)
    env["HALLTERM_FONT_PATH"] = str(tmp_path / "missing.ttf")
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    env["HALLTERM_STORE"] = str(broken)
    result = _hallterm(env, "doctor")
    assert result.returncode == 1
    assert result.stdout.count("FAIL") == 2, result.stdout  # the font and the store


READ_ONLY = [
    ["verify", "{pdf}"],
    ["verify", "--qr", "HT1:NOTHING"],
    ["report", "--from", "2026-11-01", "--to", "2026-11-30", "--by", "matter", "--format",
     "csv", "--out", "{out}/r.csv"],
    ["audit", "verify"],
    ["audit", "search"],
    ["certificate", "list"],
    ["catalog", "export", "{out}/catalog.json"],
    ["catalog", "lint"],
    ["config", "show"],
    ["doctor"],
    ["interaction", "deadline", "consultation"],
    ["central", "conflicts", "--central", "{data}/central.db"],
]  # fmt: skip


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: " ".join(a[:2]))
def test_read_only_commands_create_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    out.mkdir()
    pdf = out / "some.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    monkeypatch.setenv("HALLTERM_DATA_DIR", str(data))
    monkeypatch.setenv("HALLTERM_STORE", str(data / "station.db"))
    argv = [a.format(pdf=pdf, out=out, data=data) for a in args]
    result = CliRunner().invoke(main, ["--lang", "en", *argv])
    if argv[0] not in ("config", "doctor"):
        assert result.exit_code != 0, result.output
        assert "run hallterm" in result.output, result.output  # the hint says what to do
    created = [p for p in (data, tmp_path / "out") if p.exists() for p in p.rglob("*.db*")]
    assert not created and not data.exists(), created


async def test_demo_login_screen_shows_the_demo_accounts(demo_store, settings, clock) -> None:
    app = create_app(demo_store, settings, clock=clock, language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        shown = str(app.screen.query_one("#login-demo", Static).render())
        for username, _person, _role, _window, password in DEMO_ACCOUNTS:
            assert username in shown and password in shown


async def test_no_demo_accounts_on_a_real_store(sqlite_url, ctx, settings, clock) -> None:
    from hallterm.db.engine import Store
    from hallterm.db.services.setup import init_store

    store = Store(sqlite_url)
    init_store(store, ctx, "3299", "江川市政务服务中心", "city")
    app = create_app(store, settings, clock=clock, language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert str(app.screen.query_one("#login-demo", Static).render()) == ""


async def test_locked_store_at_login_shows_a_message(
    demo_store, settings, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hallterm.db.engine as engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    demo_store.dispose()
    path = demo_store.url.removeprefix("sqlite:///")
    holder = sqlite3.connect(path, timeout=0, isolation_level=None)
    app = create_app(demo_store, settings, clock=clock, language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        holder.execute("BEGIN EXCLUSIVE")  # another program holds the store
        try:
            await sign_in(pilot, "clerk", "clerk1234")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert isinstance(app.screen, LoginScreen)
        message = str(app.screen.query_one("#login-error", Static).render())
        assert "locked by another program" in message, message


def _notices(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in app._notifications]


async def test_a_failing_app_worker_reaches_the_clerk(demo_store, settings, clock) -> None:
    """The App base's ``Worker.StateChanged`` fallback: a translated notice, no ID in clear."""
    app = create_app(demo_store, settings, clock=clock, language="en")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)

        def broken() -> None:
            raise ValueError("secret 110101199003074578 must not be shown")

        app.run_worker(broken, thread=True, exit_on_error=False)
        await settle(pilot)
        assert any("Unexpected error (ValueError)" in m for m in _notices(app)), _notices(app)
        assert not any("110101" in m for m in _notices(app))


async def test_a_failing_screen_worker_reaches_the_clerk(demo_store, settings, clock) -> None:
    """``@background``: a screen's worker that raises shows the failure's sentence."""
    from sqlalchemy.exc import OperationalError

    from hallterm.screens.base import BaseScreen
    from hallterm.screens.workers import background

    class Probe(BaseScreen):
        @background()
        def load(self) -> None:
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))

    app = create_app(demo_store, settings, clock=clock, language="zh_CN")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        probe = Probe()
        await app.push_screen(probe)
        probe.load()
        await settle(pilot)
        assert any("数据库正被其他程序锁定" in m for m in _notices(app)), _notices(app)
        assert not any("SELECT" in m for m in _notices(app))


def test_failure_messages_are_translated_and_never_quote_parameters() -> None:
    from sqlalchemy.exc import IntegrityError, OperationalError

    from hallterm.db.services import ServiceError
    from hallterm.failures import failure_message
    from hallterm.i18n import set_language

    set_language("en")
    secret = {"id_number": "110101199003074578", "phone": "13800138000"}
    assert failure_message(ServiceError("the case is closed")) == "the case is closed"
    locked = failure_message(OperationalError("UPDATE x", secret, Exception("database is locked")))
    assert "locked by another program" in locked
    refused = failure_message(IntegrityError("INSERT x", secret, Exception("UNIQUE failed")))
    assert "Nothing was saved" in refused
    unreachable = failure_message(OperationalError("SELECT 1", {}, Exception("refused")))
    assert "cannot be reached" in unreachable
    assert (
        failure_message(FileNotFoundError(2, "No such file", "/x/y.pdf"))
        == "A file is missing: /x/y.pdf"
    )
    for message in (locked, refused, unreachable):
        assert "110101" not in message and "13800" not in message and "INSERT" not in message
    set_language("zh_CN")
    assert "数据库正被其他程序锁定" in failure_message(
        OperationalError("UPDATE x", secret, Exception("database is locked"))
    )
