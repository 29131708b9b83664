"""Keys typed in one burst land in order, in the fields they were meant for (issue 13).

A burst is how an ID card reader or barcode scanner types, how a paste arrives, and how
fast typing arrives over a slow SSH link.  Each test feeds a whole string plus ⏎ (and
``user⇥pass⏎`` at login) with no pause, through the app's queue and through the terminal
driver's parser, at 100×32 and 140×40.
"""

from __future__ import annotations

import pytest
from burst_support import burst, burst_bytes, drain
from pilot_support import settle
from sqlmodel import select
from textual.widgets import Input

from hallterm.app import create_app
from hallterm.db.models import Event
from hallterm.printing.output import Printer
from hallterm.screens.login import LoginScreen

SIZES = [(100, 32), (140, 40)]


def make_app(demo_store, settings, clock, tmp_path):  # type: ignore[no-untyped-def]
    return create_app(demo_store, settings, clock=clock, printer=Printer(tmp_path / "printed"))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("via", ["queue", "driver"])
async def test_login_burst_user_tab_password_enter(
    demo_store, settings, clock, tmp_path, size, via
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        if via == "queue":
            burst(pilot, *"supervisor", "tab", *"super1234", "enter")
        else:
            burst_bytes(pilot, "supervisor\tsuper1234\r")
        await drain(pilot)
        assert app.actor is not None and app.actor.username == "supervisor"
        assert not isinstance(app.screen, LoginScreen)
    with demo_store.read() as session:
        users = {
            e.actor for e in session.exec(select(Event).where(Event.kind.like("staff.login%")))
        }
    assert "supervisorsuper1234" not in users


async def test_login_burst_enter_moves_to_password(demo_store, settings, clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        burst(pilot, *"clerk", "enter", *"wrong-password", "enter")
        await drain(pilot)
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        assert screen.query_one("#username", Input).value == "clerk"
        assert app.actor is None


async def test_editing_keys_keep_their_place_in_a_burst(
    demo_store, settings, clock, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        burst(pilot, *"abc", "ctrl+u", *"def")
        await drain(pilot)
        assert app.screen.query_one("#username", Input).value == "def"


async def test_keys_after_sign_in_reach_the_next_screen(
    demo_store, settings, clock, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from hallterm.screens.desk import DeskScreen

    app = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        # sign in and open the desk (F3) in one burst: F3 waits for the sign-in answer
        burst(pilot, *"clerk", "tab", *"clerk1234", "enter", "f3")
        await drain(pilot)
        assert app.actor is not None and isinstance(app.screen, DeskScreen)
