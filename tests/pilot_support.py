"""Driving the app in Pilot tests as a clerk would: sign in with the keyboard, let work settle."""

from __future__ import annotations

from textual.widgets import Static

from hallterm.screens.login import LoginScreen
from hallterm.widgets.chrome import StatusHeader


async def settle(pilot, rounds: int = 4) -> None:  # type: ignore[no-untyped-def]
    """Let workers finish and their results reach the screen."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def sign_in(pilot, username: str = "clerk", password: str = "clerk1234") -> None:  # type: ignore[no-untyped-def]
    """Type user name and password; return once the login screen has answered.

    It answers by giving way to the next screen or by showing an error (wrong password,
    locked account); the new screen is then given time to mount.
    """
    await pilot.pause()
    await pilot.press(*username, "enter", *password, "enter")
    for _ in range(40):
        await settle(pilot, 1)
        screen = pilot.app.screen
        if not isinstance(screen, LoginScreen) or str(
            screen.query_one("#login-error", Static).render()
        ):
            break
    await settle(pilot)


async def steady_header(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the background sync has read the station's status once and every header
    shows it in the current language (the header takes it once a second)."""
    monitor = getattr(pilot.app, "sync_monitor", None)
    if monitor is None:
        return
    for _ in range(200):
        headers = list(pilot.app.screen.query(StatusHeader))
        if monitor.has_status and all(h.extra == monitor.text for h in headers):
            return
        await pilot.pause(0.05)
