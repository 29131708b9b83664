"""Sign-in: user name and password; the check runs in a worker and is always recorded."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Input, Label, Static

from hallterm.db.services import Actor
from hallterm.failures import failure_message
from hallterm.i18n import _
from hallterm.screens.base import BaseScreen
from hallterm.screens.workers import background


class LoginScreen(BaseScreen):
    AUTO_FOCUS = "#username"
    checking = False  # keys typed after ⏎ wait for the answer (hallterm.key_order)

    @property
    def holds_keys(self) -> bool:
        return self.checking

    def compose_body(self) -> ComposeResult:
        with Center(id="login-wrap"), Vertical(id="login-box"):
            yield Static(_("Sign in"), classes="screen-title", id="login-title")
            yield Label(_("User name"), id="lbl-username")
            yield Input(id="username", placeholder=_("user name"))
            yield Label(_("Password"), id="lbl-password")
            yield Input(id="password", password=True, placeholder=_("password"))
            yield Static("", classes="error", id="login-error")
            yield Static(
                _("Enter: sign in · F10: 中文/English · F1: help"), classes="hint", id="login-hint"
            )
            yield Static("", classes="hint", id="login-demo")

    def on_mount(self) -> None:
        self.call_after_refresh(self._show_demo_accounts)  # after the form is drawn

    def _show_demo_accounts(self) -> None:
        """On a demo store, the demo accounts and passwords under the form."""
        from hallterm.screens.workers import in_thread

        store = self.hall.store

        def job() -> bool:
            from hallterm.db.services.setup import get_info
            from hallterm.demo import DEMO_MARK

            with store.read() as session:
                return get_info(session, DEMO_MARK) == "1"

        def done(is_demo: bool) -> None:
            if is_demo:
                from hallterm.demo import demo_accounts_text

                text = _("Demo accounts (user name, password, role):") + "\n" + demo_accounts_text()
                self.query_one("#login-demo", Static).update(Text(text))

        in_thread(self, job, done, group="login-demo")

    def retranslate(self) -> None:
        user = self.query_one("#username", Input).value
        self.refresh(recompose=True)
        self.call_after_refresh(lambda: setattr(self.query_one("#username", Input), "value", user))
        self.call_after_refresh(self._show_demo_accounts)

    @on(Input.Submitted, "#username")
    def _to_password(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    def _submit(self) -> None:
        username = self.query_one("#username", Input).value.strip()
        password = self.query_one("#password", Input).value
        if not username:
            self.query_one("#username", Input).focus()
            return
        self.query_one("#login-error", Static).update("")
        self.checking = True
        self._check(username, password)

    @background(exclusive=True)
    def _check(self, username: str, password: str) -> None:
        from hallterm.db.services.staff import login

        try:
            with self.hall.store.write() as session:
                result = login(session, self.hall.ctx(), username, password, self.hall.terminal)
        except Exception as exc:  # a locked or missing store: say so, never hang
            self.app.call_from_thread(self._done, None, failure_message(exc))
            return
        self.app.call_from_thread(self._done, result.actor, result.message)

    def _done(self, actor: Actor | None, message: str) -> None:
        self.checking = False
        password = self.query_one("#password", Input)
        password.value = ""
        if actor is None:
            self.query_one("#login-error", Static).update(Text(message))
            password.focus()
            return
        self.hall.signed_in(actor)
