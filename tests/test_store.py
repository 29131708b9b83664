"""Stores: durable SQLite settings, migrations on SQLite and PostgreSQL, the event chain."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlmodel import select

from hallterm.db.engine import Store, mask_url, normalize_url
from hallterm.db.events import _canonical_bytes, append_event, canonical_json, verify_chain
from hallterm.db.migrate import current_revision, head_revision, upgrade
from hallterm.db.models import Event, Station
from hallterm.db.schema_version import SCHEMA_HEADS, stored_heads
from hallterm.db.services import ServiceError
from hallterm.db.services.setup import init_store


def test_plain_path_means_sqlite(tmp_path):
    assert normalize_url(str(tmp_path / "a.db")).startswith("sqlite:///")
    assert normalize_url("postgresql://u:secret@h/db").startswith("postgresql+psycopg://")


def test_url_password_is_masked():
    masked = mask_url("postgresql://station:s3cret@127.0.0.1:5432/central")
    assert "s3cret" not in masked
    assert "station" in masked


def test_sqlite_pragmas_are_durable(sqlite_url):
    store = Store(sqlite_url)
    with store.read() as s:
        conn = s.connection()
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    store.dispose()


def test_sqlite_writes_take_the_lock_up_front(sqlite_url, ctx):
    """A write transaction holds the write lock from BEGIN: a second writer waits, not fails."""
    store = Store(sqlite_url)
    init_store(store, ctx, "3299", "江川市政务服务中心", "city")
    order: list[str] = []
    started = threading.Event()

    def second() -> None:
        started.wait()
        with store.write() as s:
            order.append("second")
            s.add(Station(code="B", name="b", level="village", parent_code="3299"))

    t = threading.Thread(target=second)
    t.start()
    with store.write() as s:
        started.set()
        t.join(0.3)  # the second writer is blocked on BEGIN IMMEDIATE
        order.append("first")
        s.add(Station(code="A", name="a", level="village", parent_code="3299"))
    t.join()
    assert order == ["first", "second"]
    store.dispose()


def test_init_creates_and_rerun_is_safe(any_url, ctx):
    store = Store(any_url)
    init_store(store, ctx, "3299", "江川市政务服务中心", "city")
    init_store(store, ctx, "3299", "江川市政务服务中心", "city")
    assert current_revision(store) == head_revision()
    assert stored_heads(store) == SCHEMA_HEADS
    with store.read() as s:
        assert s.get(Station, "3299").name == "江川市政务服务中心"
        kinds = [e.kind for e in s.exec(select(Event))]
    assert kinds == ["station.created"]  # the second run changed nothing
    with pytest.raises(ServiceError):
        init_store(store, ctx, "9999", "另一个", "city")
    store.dispose()


def test_upgrade_keeps_data(any_url, ctx):
    """Upgrading from the first revision to head keeps the rows already there."""
    store = Store(any_url)
    upgrade(store, "0001")
    with store.write() as s:
        s.add(Station(code="3299", name="江川市", level="city"))
    upgrade(store)
    assert current_revision(store) == head_revision()
    with store.read() as s:
        assert s.get(Station, "3299").name == "江川市"
    store.dispose()


def test_event_chain_links_and_detects_edits(any_url, ctx, clock):
    store = Store(any_url)
    init_store(store, ctx, "3299", "江川市政务服务中心", "city")
    with store.write() as s:
        for i in range(5):
            append_event(
                s,
                station_code="3299",
                entity="test",
                entity_id=str(i),
                kind="t",
                payload={"i": i},
                actor="x",
                at=clock.now(),
            )
    with store.read() as s:
        events = list(s.exec(select(Event).order_by(Event.seq)))
        assert [e.seq for e in events] == list(range(1, 7))
        assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
        assert verify_chain(s) == []
    with store.write() as s:
        s.execute(text("UPDATE event SET payload = :p WHERE seq = 4"), {"p": '{"i":99}'})
    with store.read() as s:
        breaks = verify_chain(s)
    assert len(breaks) == 1 and breaks[0].seq == 4 and breaks[0].position == 4
    store.dispose()


def test_event_hash_content_is_the_canonical_json_for_every_character():
    # The hash's content goes through orjson for speed; it must be canonical_json's bytes
    # (json.dumps, sorted keys, no ASCII escaping) for every code point, escapes included.
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for part in (text[i : i + 4096] for i in range(0, len(text), 4096)):
        value = {"payload": part, "seq": 2**40, "at": '"\\\n\t', "id": ""}
        assert _canonical_bytes(value) == canonical_json(value).encode("utf-8")
    lone = {"payload": "\ud800"}  # not UTF-8: refused as canonical_json refuses it
    with pytest.raises(UnicodeEncodeError):
        _canonical_bytes(lone)


def test_concurrent_appends_keep_one_chain(any_url, ctx, clock):
    """Many threads appending at once: no duplicate sequence, no broken link."""
    store = Store(any_url)
    init_store(store, ctx, "3299", "江川市政务服务中心", "city")
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                with store.write() as s:
                    append_event(
                        s,
                        station_code="3299",
                        entity="t",
                        entity_id=f"{n}-{i}",
                        kind="t",
                        payload={},
                        actor="x",
                        at=clock.now(),
                    )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with store.read() as s:
        assert verify_chain(s) == []
        assert len(list(s.exec(select(Event)))) == 41
    store.dispose()


def test_schema_heads_constant_matches_the_migrations():
    """Start-up compares a store with SCHEMA_HEADS instead of importing Alembic: keep it true."""
    assert frozenset(head_revision().split(",")) == SCHEMA_HEADS


def test_starting_on_a_current_store_imports_no_alembic(tmp_path, ctx):
    """Opening an up-to-date store the way the CLI does reads the revision without Alembic
    (or SQLAlchemy, for SQLite), and a missing store is not created by looking."""
    import subprocess
    import sys

    path = tmp_path / "station.db"
    store = Store(str(path))
    init_store(store, ctx, "3299", "江川市政务服务中心", "city")
    store.dispose()
    code = (
        "import sys\n"
        "from hallterm.cli.common import open_store\n"
        f"st = open_store({str(path)!r})\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'sqlalchemy'))\n"
        "print(' '.join(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    missing = tmp_path / "nothing.db"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from hallterm.cli.common import open_store; open_store({str(missing)!r})",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert not missing.exists()
