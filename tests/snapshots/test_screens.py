"""Snapshots of every screen, in Chinese and English, at 100×32, on frozen data and time.

The data is the demo store made once per session with a frozen clock (``demo_template``);
the app runs on the same frozen clock, so the header's time and every deadline are fixed.
A change of layout or wording shows as a failed comparison with an HTML report of both
pictures.  After a deliberate change, regenerate and review the pictures with:

    .venv/bin/python -m pytest tests/snapshots --snapshot-update

(the SVG files live in ``tests/snapshots/__snapshots__/``; review them in the diff).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from pilot_support import settle, sign_in, steady_header
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from hallterm.app import create_app
from hallterm.screens.display import DisplayApp
from hallterm.screens.kiosk import KioskApp

SIZE = (100, 32)
LANGUAGES = ("zh_CN", "en")


async def _steady(pilot: Pilot) -> None:
    """Let work settle, then fix what moves on its own: the sync status the header takes
    once a second, and the blinking text cursor."""
    await settle(pilot)
    await steady_header(pilot)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    # Then wait until tables have measured their new rows (DataTable does it when idle) and
    # two pictures a moment apart are the same (late worker results).
    previous, same = "", 0
    for _ in range(60):
        await settle(pilot, 1)
        await pilot.pause(0.1)
        if any(_measuring(table) for table in pilot.app.screen.query(DataTable)):
            same = 0
            continue
        picture = pilot.app.export_screenshot()
        same = same + 1 if picture == previous else 0
        if same >= 2:  # three pictures alike, a tenth of a second apart
            break
        previous = picture


def _measuring(table: DataTable[object]) -> bool:
    """Rows or cells whose widths the table has not measured yet (done on its next idle)."""
    return bool(
        getattr(table, "_require_update_dimensions", False)
        or getattr(table, "_new_rows", ())
        or getattr(table, "_updated_cells", ())
    )


def _signed_in(username: str, password: str, *keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await sign_in(pilot, username, password)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await _steady(pilot)

    return run_before


async def _at_login(pilot: Pilot) -> None:
    await _steady(pilot)


CLERK = ("clerk", "clerk1234")
ADMIN = ("admin", "admin1234")

# screen: (who signs in, the keys that open it); None: the login screen itself.
TERMINAL_SCREENS: dict[str, tuple[tuple[str, str], tuple[str, ...]] | None] = {
    "login": None,
    "home": (CLERK, ()),
    "help": (CLERK, ("f1",)),
    "lock": (CLERK, ("ctrl+l",)),
    "catalog": (CLERK, ("f2",)),
    "desk": (CLERK, ("f3",)),
    "cases": (CLERK, ("f4",)),
    "window": (CLERK, ("f5",)),
    "interaction": (CLERK, ("f8",)),
    "certificates": (CLERK, ("f11",)),
    "lint": (ADMIN, ("ctrl+b",)),
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("screen", list(TERMINAL_SCREENS))
def test_terminal_screen(snap_compare, demo_store, settings, clock, screen, language):  # type: ignore[no-untyped-def]
    app = create_app(demo_store, settings, clock=clock, language=language)
    how = TERMINAL_SCREENS[screen]
    run_before = _at_login if how is None else _signed_in(*how[0], *how[1])
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


@pytest.mark.parametrize("language", LANGUAGES)
def test_kiosk(snap_compare, demo_store, settings, clock, language):  # type: ignore[no-untyped-def]
    app = KioskApp(demo_store, settings, clock=clock, language=language, print_slips=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=_at_login)


@pytest.mark.parametrize("language", LANGUAGES)
def test_display(snap_compare, demo_store, settings, clock, language):  # type: ignore[no-untyped-def]
    app = DisplayApp(demo_store, settings, clock=clock, language=language)
    assert snap_compare(app, terminal_size=SIZE, run_before=_at_login)
