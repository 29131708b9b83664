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


async def _signed_in(pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    burst(pilot, *"clerk", "tab", *"clerk1234", "enter")
    await drain(pilot)
    assert pilot.app.actor is not None


@pytest.mark.parametrize("size", SIZES)
async def test_desk_registration_in_one_burst(demo_store, settings, clock, tmp_path, size) -> None:  # type: ignore[no-untyped-def]
    from hallterm.domain.ids import resident_id_check_char
    from hallterm.screens.desk import DeskScreen

    number = "32010219660606006"
    number += resident_id_check_char(number)
    app = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=size) as pilot:
        await _signed_in(pilot)
        # F3, the ID number ⏎ (looked up in a worker), then the whole registration form
        burst(
            pilot,
            "f3",
            *number,
            "enter",
            *"欧阳娜娜",
            "enter",
            *"0755-1234-5678",
            "enter",
            *"江川市北门街8号",
            "enter",
        )
        await drain(pilot)
        desk = app.screen
        assert isinstance(desk, DeskScreen)
        assert desk.applicant is not None, str(desk.query_one("#reg-error").render())
        assert (desk.applicant.name, desk.applicant.phone, desk.applicant.address) == (
            "欧阳娜娜",
            "0755-12345678",
            "江川市北门街8号",
        )
        # the matter search, a whole string then ⏎: the checklist opens
        burst(pilot, *"临时救助", "enter")
        await drain(pilot)
        from hallterm.screens.desk_checklist import ChecklistScreen

        assert isinstance(app.screen, ChecklistScreen)


async def test_checklist_dialogs_and_catalog_search_in_bursts(
    demo_store, settings, clock, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from hallterm.domain.ids import resident_id_check_char
    from hallterm.screens.catalog import CatalogScreen
    from hallterm.screens.desk_checklist import ChecklistScreen

    number = "32010219770707007"
    number += resident_id_check_char(number)
    app = make_app(demo_store, settings, clock, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await _signed_in(pilot)
        burst(pilot, "f3", *number, "enter", *"司马光", "enter", "enter", "enter")
        await drain(pilot)
        burst(pilot, *"临时救助", "enter")
        await drain(pilot)
        screen = app.screen
        assert isinstance(screen, ChecklistScreen)
        names = [ln.requirement.name for ln in screen.lines]
        # missing, with a note typed in the prompt: m, the note, ⏎ — one burst
        first = names[0]
        burst(pilot, "m", *"申请表未签字", "enter")
        await drain(pilot)
        assert screen.lines[0].note == "申请表未签字" and screen.lines[0].state.value == "missing"
        # defer the deferrable one: d, clear the proposal, the date, ⏎
        target = names.index("病历及诊断证明")
        table = screen.query_one("#cl-lines")
        keys = ["up"] * len(names) + ["down"] * target
        burst(pilot, *keys, "d", "end", "ctrl+u", *"2026-12-03", "enter")
        await drain(pilot)
        line = screen.lines[target]
        assert line.deferred_until is not None and line.deferred_until.isoformat() == "2026-12-03"
        assert table.cursor_row in (target, target + 1)
        # refuse with a typed reason: x, the reason, ⏎, and y to confirm the irreversible move
        burst(pilot, "x", *"不属于本机关职权范围", "enter", "y")
        await drain(pilot)
        assert screen.view is not None and screen.view.status == "refused"
        assert screen.view.decision_reason == "不属于本机关职权范围"
        assert first in names
        # the catalog search: F2, a name, ⏎
        burst(pilot, "escape", "escape", "f2", *"结婚登记", "enter")
        await drain(pilot)
        catalog = app.screen
        assert isinstance(catalog, CatalogScreen)
        assert catalog.query_one("#cat-search", Input).value == "结婚登记"
