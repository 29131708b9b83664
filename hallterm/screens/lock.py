"""The idle lock: covers the screen until the signed-in clerk types the password again."""

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
    LockScreen { align: center middle; background: $background 95%; }
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
        self._check(event.value)

    @background(exclusive=True)
    def _check(self, password: str) -> None:
        from hallterm.db.services.staff import verify_unlock

        actor = hall_of(self).actor
        with hall_of(self).store.read() as session:
            ok = actor is not None and verify_unlock(session, actor.username, password)
        self.app.call_from_thread(self._done, ok)

    def _done(self, ok: bool) -> None:
        if ok:
            self.dismiss()
            return
        field = self.query_one("#unlock-password", Input)
        field.value = ""
        self.query_one("#unlock-error", Static).update(_("wrong password"))
