"""Backup while another process writes; restore only what verifies."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from security_support import add_admin
from sqlalchemy import text

from hallterm.cli import main
from hallterm.db.engine import Store
from hallterm.db.services import ServiceError
from hallterm.db.services.audit import verify_store
from hallterm.db.services.backup import backup_store, check_file, restore_store

WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path

    from hallterm.db.engine import Store
    from hallterm.db.events import append_event

    store_path, started, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    store = Store(store_path)
    n = 0
    # Bounded: never outlives a test that stopped waiting for it.
    while n < 20000 and not stop.exists():
        with store.write() as session:
            for _ in range(5):
                append_event(
                    session,
                    station_code="3299",
                    entity="case",
                    entity_id=f"c{n}",
                    kind="case.registered",
                    payload={"n": n, "text": "办件" * 20},
                    actor="writer",
                    at=datetime.now(UTC),
                )
                n += 1
        if n == 5:
            started.write_text("1")
    store.dispose()
    print(n)
    """
)


def _events(path: Path) -> int:
    store = Store(str(path))
    try:
        with store.read() as session:
            return session.execute(text("SELECT count(*) FROM event")).scalar_one()
    finally:
        store.dispose()


def _wait_for(path: Path, proc: subprocess.Popen[str]) -> None:
    for _ in range(6000):
        if path.exists() or proc.poll() is not None:
            return
        time.sleep(0.01)


def test_backup_while_another_process_writes(demo_store: Store, tmp_path: Path) -> None:
    source = Path(demo_store.url.removeprefix("sqlite:///"))
    demo_store.dispose()
    before = _events(source)
    started, stop = tmp_path / "started", tmp_path / "stop"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(source), str(started), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(started, proc)
        assert proc.poll() is None, proc.communicate()
        first = backup_store(str(source), tmp_path / "one.db")
        second = backup_store(str(source), tmp_path / "two.db")
    finally:
        stop.write_text("1")
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    written = int(out.strip())
    # each backup is a consistent snapshot: its chain verifies, whatever the writer was doing
    assert first.ok and second.ok
    assert before + 5 <= first.events <= second.events <= before + written
    # restore the first and check it as a store
    target = tmp_path / "restored" / "station.db"
    restored = restore_store(tmp_path / "one.db", str(target))
    assert restored.events == first.events
    store = Store(str(target))
    try:
        with store.read() as session:
            reports = verify_store(session)
        assert reports and all(r.ok for r in reports)
        assert sum(r.events for r in reports) == first.events
    finally:
        store.dispose()
    # the live store, all writes done, verifies too
    assert _events(source) == before + written
    assert all(c.ok for c in check_file(source)[1])


def test_restore_refuses_overwrite_and_a_broken_backup(demo_store: Store, tmp_path: Path) -> None:
    source = demo_store.url.removeprefix("sqlite:///")
    demo_store.dispose()
    backup = backup_store(source, tmp_path / "b.db").path
    with pytest.raises(ServiceError, match="--force"):
        backup_store(source, backup)
    target = tmp_path / "t.db"
    restore_store(backup, str(target))
    with pytest.raises(ServiceError, match="--force"):
        restore_store(backup, str(target))
    restore_store(backup, str(target), force=True)
    # tamper with a copy of the backup: restore refuses it and names the position
    bad = tmp_path / "bad.db"
    shutil.copy(backup, bad)
    store = Store(str(bad))
    with store.write() as session:
        session.execute(text("UPDATE event SET actor = 'mallory' WHERE seq = 2"))
    store.dispose()
    for suffix in ("-wal", "-shm"):
        Path(f"{bad}{suffix}").unlink(missing_ok=True)
    before = target.read_bytes()
    with pytest.raises(ServiceError) as exc:
        restore_store(bad, str(target), force=True)
    assert "2" in str(exc.value)
    assert target.read_bytes() == before  # the store was left alone


def test_not_a_store_and_postgresql_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ServiceError):
        restore_store(junk, str(tmp_path / "x.db"))
    with pytest.raises(ServiceError, match="pg_dump"):
        backup_store("postgresql://hall@localhost/hall", tmp_path / "x.db")
    with pytest.raises(ServiceError, match="pg_dump"):
        restore_store(junk, "postgresql://hall@localhost/hall")


def test_cli_backup_and_restore(demo_store: Store, tmp_path: Path) -> None:
    source = demo_store.url.removeprefix("sqlite:///")
    demo_store.dispose()
    runner = CliRunner(env=add_admin(source))
    dest = tmp_path / "backup.db"
    result = runner.invoke(main, ["backup", "--store", source, "--to", str(dest)])
    assert result.exit_code == 0, result.output
    assert dest.is_file()
    assert runner.invoke(main, ["backup", "--store", source, "--to", str(dest)]).exit_code == 1
    target = tmp_path / "r.db"
    result = runner.invoke(main, ["restore", "--from", str(dest), "--store", str(target)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["restore", "--from", str(dest), "--store", str(target)])
    assert result.exit_code == 1 and "--force" in result.output
    result = runner.invoke(main, ["audit", "verify", "--store", str(target)])
    assert result.exit_code == 0, result.output
