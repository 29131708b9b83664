"""Shared fixtures: fresh SQLite and PostgreSQL stores, the demo store, a frozen clock; every
UI test's keys go in as bursts (``burst_support.press_as_burst``).

PostgreSQL tests read ``HALLTERM_TEST_PG_URL`` (a server URL; each test creates and drops
its own database).  Outside CI they skip with the reason; under CI=true they must run.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from burst_support import press_as_burst
from textual.pilot import Pilot

from hallterm.clock import FrozenClock
from hallterm.config import Settings
from hallterm.db.engine import Store
from hallterm.db.services import SYSTEM, Ctx
from hallterm.i18n import set_language

PG_ENV = "HALLTERM_TEST_PG_URL"
# Every store the tests make (demo templates included) encrypts personal data under this.
TEST_STORE_PASSPHRASE = "test-station-passphrase"
os.environ["HALLTERM_STORE_PASSPHRASE"] = TEST_STORE_PASSPHRASE
FROZEN_AT = datetime(2026, 11, 27, 2, 0, 0)  # 10:00 in the hall (UTC+8), a Friday


@pytest.fixture(autouse=True)
def _keys_as_bursts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every UI test types its keys as bursts (``burst_support.press_as_burst``)."""
    monkeypatch.setattr(Pilot, "press", press_as_burst)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    set_language("zh_CN")
    yield
    set_language("zh_CN")


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the real config or data folders."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HALLTERM_CONFIG", str(base / "config.toml"))
    monkeypatch.setenv("HALLTERM_DATA_DIR", str(base / "data"))
    for var in ("HALLTERM_STORE", "HALLTERM_CENTRAL", "HALLTERM_LANGUAGE", "HALLTERM_WINDOW"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv(
        "HALLTERM_LANG", "zh_CN"
    )  # the machine's locale must not change the language


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_AT)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "store.db")


def pg_server_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _require_pg() -> str:
    url = pg_server_url()
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set but CI must run the PostgreSQL tests")
        pytest.skip(
            f"set {PG_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/postgres) to run PostgreSQL tests"
        )
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test, dropped afterwards."""
    import psycopg

    server = _require_pg()
    name = f"hallterm_test_{uuid.uuid4().hex[:12]}"
    admin = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return request.getfixturevalue("pg_url")


def sqlalchemy_url(url: str) -> str:
    """A store's URL or SQLite path as SQLAlchemy's ``create_engine`` takes it."""
    if url.startswith("postgresql"):
        return url.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{url}"


@pytest.fixture
def any_engine_url(any_url: str) -> str:
    """``any_url`` for ``create_engine`` (both stores)."""
    return sqlalchemy_url(any_url)


@pytest.fixture
def pg_engine_url(pg_url: str) -> str:
    """``pg_url`` for ``create_engine``."""
    return sqlalchemy_url(pg_url)


@pytest.fixture
def ctx(clock: FrozenClock) -> Ctx:
    return Ctx(actor=SYSTEM, station_code="3299", clock=clock)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store made once per test session; tests copy it."""
    from hallterm.demo import prepare_demo

    folder = tmp_path_factory.mktemp("demo-template")
    info = prepare_demo(folder, clock=FrozenClock(FROZEN_AT))
    return info.store_path


@pytest.fixture(scope="session")
def history_template(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store with 32 generated days of history (the slow part), made once per
    session; tests copy it (``history_copy``) so none sees another's writes."""
    from hallterm.demo.history import generate_history

    path = tmp_path_factory.mktemp("history-template") / "station.db"
    shutil.copy(demo_template, path)
    store = Store(str(path))
    try:
        info = generate_history(
            store,
            days=32,  # from late October: a whole month (October) and a partial one
            seed=11,
            clock=FrozenClock(FROZEN_AT),
            extra_stations=5,
            tickets_per_day=14,
        )
    finally:
        store.dispose()
    assert info.created and info.cases > 40 and info.tickets > 40
    return path


@pytest.fixture
def history_copy(history_template: Path, tmp_path: Path) -> Iterator[Store]:
    """A private copy of the history store, for a test that writes."""
    path = tmp_path / "station.db"
    shutil.copy(history_template, path)
    store = Store(str(path))
    yield store
    store.dispose()


@pytest.fixture
def demo_store(demo_template: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "station.db"
    shutil.copy(demo_template, path)
    store = Store(str(path))
    yield store
    store.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(idle_lock_minutes=0, pdf_folder=str(tmp_path / "pdf"), window="5")
