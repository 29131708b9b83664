"""Snapshots of the audit screen in both languages (pytest-textual-snapshot).

The store and the clock are fixed, and the list is filtered to the queue's events, whose
records show by ticket number, so the picture is the same on every run.  (The detail view
shows hashes and ids that differ per run: ``test_audit_screen.py`` drives it instead.)  After a deliberate
change of the screen: ``pytest tests/test_audit_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest
from pilot_support import settle, steady_header
from pilot_support import sign_in as pilot_sign_in
from sqlmodel import select

from hallterm.app import create_app
from hallterm.db.models import Staff
from hallterm.db.services import Ctx
from hallterm.db.services import queue as q
from hallterm.db.services.staff import actor_of
from hallterm.i18n import set_language

SIZE = (140, 36)


@pytest.fixture
def audit_app(demo_store, settings, clock):  # type: ignore[no-untyped-def]
    with demo_store.read() as session:
        staff = session.exec(select(Staff).where(Staff.username == "clerk")).one()
        ctx = Ctx(actor=actor_of(staff), station_code="3299", clock=clock)
    with demo_store.write() as session:
        code = q.categories(session)[0].code
        q.issue_ticket(session, ctx, code)
        clock.advance(minutes=2)
        t = q.call_next(session, ctx, "5")
        assert t is not None
        q.start_service(session, ctx, t.id)
        clock.advance(minutes=7)
        q.finish(session, ctx, t.id)
    yield create_app(demo_store, settings, clock=clock)
    set_language("zh_CN")


async def _open_audit(pilot, language: str) -> None:  # type: ignore[no-untyped-def]
    await pilot_sign_in(pilot, "supervisor", "super1234")
    if language == "en":
        await pilot.press("f10")
        await settle(pilot)
    await pilot.press("f12")
    await settle(pilot)
    await pilot.press("ctrl+f", "tab", *"ticket", "enter")
    await settle(pilot)
    await steady_header(pilot)
    await settle(pilot)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_audit_screen_snapshot(snap_compare, audit_app, language):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open_audit(pilot, language)

    assert snap_compare(audit_app, terminal_size=SIZE, run_before=run_before)
