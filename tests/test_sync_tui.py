"""The terminal's background sync and its header status: online, offline, waiting, warning."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from test_sync_support import ServiceThread, enrol
from textual.widgets import Static

from hallterm.app import create_app
from hallterm.db.engine import Store
from hallterm.db.models import Event
from hallterm.db.sync.central import central_ctx, init_central, register_station
from hallterm.db.sync.runner import LocalStatus
from hallterm.i18n import set_language
from hallterm.widgets.sync_status import status_text

SIZE = (140, 44)


def _status(
    clock, waiting: int = 0, days_ago: float | None = 0.1, conflicts: int = 0, refused: int = 0
):  # type: ignore[no-untyped-def]
    last = None if days_ago is None else clock.now() - timedelta(days=days_ago)
    return LocalStatus("3299", waiting, refused, last, last, "", conflicts)


def test_status_text_in_english(clock):
    set_language("en")
    now = clock.now()
    text = status_text(_status(clock, waiting=3), True, now, 3)
    assert text.startswith("sync: online") and "3 events to send" in text
    assert "not synced" not in text
    assert status_text(_status(clock), False, now, 3).startswith("sync: offline")
    assert "sync: off" in status_text(_status(clock), None, now, 3, configured=False)
    assert "never synced" in status_text(_status(clock, days_ago=None), True, now, 3)
    late = status_text(_status(clock, days_ago=4.5), False, now, 3)
    assert "not synced for 4 days" in late
    assert "2 sync conflicts" in status_text(_status(clock, conflicts=2), True, now, 3)
    assert "2 refused" in status_text(_status(clock, waiting=2, refused=2), True, now, 3)


def test_status_text_is_translated(clock):
    text = status_text(_status(clock, waiting=2, days_ago=5), False, clock.now(), 3)
    assert "offline" not in text and "2" in text  # zh_CN is the default language


async def _wait_for_text(app, pilot, needle: str) -> str:  # type: ignore[no-untyped-def]
    for _ in range(100):
        await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        if needle in app.sync_monitor.text:
            break
    return app.sync_monitor.text


async def test_header_shows_sync_and_the_worker_pushes(demo_store, settings, clock, tmp_path):
    set_language("en")
    central = Store(str(tmp_path / "central.db"))
    init_central(central)
    with central.write() as s:
        register_station(s, central_ctx(clock), "3299", "江川市政务服务中心", "city")
    with ServiceThread(str(tmp_path / "central.db"), clock) as svc:
        enrol(demo_store, central, "3299", svc.url, clock).close()
        app = create_app(demo_store, settings, clock=clock, language="en")
        async with app.run_test(size=SIZE) as pilot:
            text = await _wait_for_text(app, pilot, "sync: online")
            assert text.startswith("sync: online") and "synced" in text
            await pilot.pause(1.2)  # the header picks the text up on its next refresh
            shown = str(app.screen.query_one("#hdr-extra", Static).render())
            assert shown == text
    with demo_store.read() as s:
        own = s.exec(select(Event.id).where(Event.station_code == "3299")).all()
    with central.read() as s:
        there = s.exec(select(Event.id).where(Event.station_code == "3299")).all()
    assert set(there) <= set(own) and len(there) >= len(own) - 1  # the pull's own event waits
    central.dispose()


async def test_offline_central_never_blocks_the_clerk(demo_store, settings, clock):
    set_language("en")
    from hallterm.db.sync.enrol import Enrolment, install_enrolment

    install_enrolment(demo_store, Enrolment("http://127.0.0.1:1", "3299", "secret-token"))
    app = create_app(demo_store, settings, clock=clock, language="en")
    async with app.run_test(size=SIZE) as pilot:
        text = await _wait_for_text(app, pilot, "sync: offline")
        assert text.startswith("sync: offline") and "events to send" in text
        assert "secret" not in text


async def test_unenrolled_station_shows_sync_off(tmp_path, settings, clock):
    set_language("en")
    from test_sync_support import make_station

    store = make_station(str(tmp_path / "s.db"), "A1", clock)
    app = create_app(store, settings, clock=clock, language="en")
    async with app.run_test(size=SIZE) as pilot:
        text = await _wait_for_text(app, pilot, "sync: off")
        assert text.startswith("sync: off")
    store.dispose()
