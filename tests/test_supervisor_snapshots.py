"""Snapshots of the dashboard and the efficiency screen in both languages at 100×32
(pytest-textual-snapshot), with a frozen clock and a generated history of fixed seed.

After a deliberate change of these screens:
``pytest tests/test_supervisor_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import pytest
from pilot_support import settle, steady_header
from pilot_support import sign_in as pilot_sign_in

from hallterm.app import create_app
from hallterm.demo.history import generate_history
from hallterm.i18n import set_language

SIZE = (100, 32)


@pytest.fixture
def history_app(demo_store, settings, clock):  # type: ignore[no-untyped-def]
    generate_history(demo_store, days=8, seed=3, clock=clock, extra_stations=2, tickets_per_day=8)
    yield create_app(demo_store, settings, clock=clock)
    set_language("zh_CN")


async def _open(pilot, language: str, key: str) -> None:  # type: ignore[no-untyped-def]
    await pilot_sign_in(pilot, "supervisor", "super1234")
    if language == "en":
        await pilot.press("f10")
        await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    await settle(pilot)
    await steady_header(pilot)
    await settle(pilot)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_dashboard_snapshot(snap_compare, history_app, language):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open(pilot, language, "f6")

    assert snap_compare(history_app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_efficiency_snapshot(snap_compare, history_app, language):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _open(pilot, language, "f7")

    assert snap_compare(history_app, terminal_size=SIZE, run_before=run_before)
