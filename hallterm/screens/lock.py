"""The screen lock: covers everything until the signed-in person types the password again.

While it is up the app lets no key, palette command or screen change through (see
``HalltermApp.check_action`` and its screen-stack guards); the form below is all there is.
Each attempt goes through the ``unlock`` service: it counts toward the account's lockout
and is audited, and when the account locks the session signs out.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from hallterm.i18n import _
from hallterm.screens.base import hall_of
from hallterm.screens.workers import background


class LockScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    LockScreen { align: center middle; background: $background; }
    LockScreen #lock-box { width: 56; height: auto; border: heavy $warning; padding: 1 2; }
    """
    AUTO_FOCUS = "#unlock-password"
    BINDINGS = [("ctrl+o", "app.logout", "Log out")]

    def compose(self) -> ComposeResult:
        actor = hall_of(self).actor
        with Center(), Vertical(id="lock-box"):
            yield Static(_("Screen locked"), classes="screen-title")
            yield Static(Text(_("Signed in: {name}").format(name=actor.name if actor else "")))
            yield Input(id="unlock-password", password=True, placeholder=_("password"))
            yield Static("", classes="error", id="unlock-error")
            yield Static(_("Enter: unlock · Ctrl+O: log out"), classes="hint")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#unlock-password", Input).value = ""
        self._check(event.value)

    @background(exclusive=True)
    def _check(self, password: str) -> None:
        from hallterm.db.services.staff import unlock

        app = hall_of(self)
        actor = app.actor
        if actor is None:
            return
        with app.store.write() as session:
            result = unlock(session, app.ctx(), actor.username, password, app.terminal)
        app.call_from_thread(
            self._done, result.actor is not None, result.message, result.signed_out
        )

    def _done(self, ok: bool, message: str, signed_out: bool) -> None:
        if ok:
            self.app.unlocked()  # type: ignore[attr-defined]
            return
        if signed_out:
            self.app.action_logout()  # type: ignore[attr-defined]
            self.app.notify(message, severity="error", markup=False)
            return
        self.query_one("#unlock-error", Static).update(Text(message))
