"""``hallterm rate --window N``: the applicant-facing rating terminal paired with a window.

A second terminal or a tablet turned to the applicant.  When the window finishes a service,
the terminal offers it for rating (keys 5 … 1); the rating is recorded as the applicant's,
never the clerk's.  Nothing finished and unrated: it says so and waits.  F10 switches the
language.  It polls the store every few seconds in a thread worker.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from hallterm.clock import Clock
from hallterm.config import Settings
from hallterm.db.engine import Store
from hallterm.db.services import Ctx
from hallterm.db.services.ratings import PendingRating, applicant_actor, pending_rating
from hallterm.i18n import N_, _, current_language, set_language
from hallterm.screens.rating import RatingScreen
from hallterm.screens.workers import in_thread

POLL_SECONDS = 2.0
THANKS = N_("Thank you for your rating.")
WAITING = N_("Your rating opens here when your service is finished.")


class RatingTerminalScreen(Screen[None]):
    DEFAULT_CSS = """
    RatingTerminalScreen { align: center middle; }
    RatingTerminalScreen > Vertical { width: 80; height: auto; border: heavy $accent; padding: 1 2; }
    RatingTerminalScreen #rt-title { text-align: center; text-style: bold; }
    RatingTerminalScreen #rt-state { text-align: center; margin-top: 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.pending: PendingRating | None = None
        self.done: set[str] = set()  # rated or skipped here
        self.last: str = ""  # a msgid, translated when drawn

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="rt-title")
            yield Static("", id="rt-state")
            yield Static("F10  中文 / English", classes="hint", id="rt-lang")

    def on_mount(self) -> None:
        self.retranslate()
        self.poll()
        self.set_interval(POLL_SECONDS, self.poll)

    def retranslate(self) -> None:
        app: Any = self.app
        self.query_one("#rt-title", Static).update(
            Text(_("Window {window} · rate our service (好差评)").format(window=app.window))
        )
        self.query_one("#rt-state", Static).update(Text(_(self.last or WAITING)))

    def poll(self) -> None:
        app: Any = self.app
        if app.screen is not self:
            return

        def job() -> PendingRating | None:
            from hallterm.db.services.setup import own_station

            with app.store.read() as session:
                app.station_code = own_station(session).code
                return pending_rating(session, app.station_code, app.window, app.clock.now())

        in_thread(self, job, self._polled, self._failed, group="rt-poll", exclusive=True)

    def _failed(self, message: str) -> None:
        self.query_one("#rt-state", Static).update(Text(message, style="bold red"))

    def _polled(self, pending: PendingRating | None) -> None:
        self.pending = pending
        if pending is None or pending.ticket_id in self.done or self.app.screen is not self:
            return
        title = pending.number + (f" · {pending.case_number}" if pending.case_number else "")
        if pending.clerk_name:
            title += " · " + _("served by {name}").format(name=pending.clerk_name)
        ticket_id = pending.ticket_id

        def closed(level: int | None) -> None:
            self.done.add(ticket_id)
            self.last = THANKS if level is not None else WAITING
            self.retranslate()

        self.app.push_screen(RatingScreen(ticket_id=ticket_id, title=title), closed)


class RatingTerminalApp(App[None]):
    """The rating terminal as its own small application (no sign-in: the applicant rates)."""

    TITLE = "hallterm rate"
    BINDINGS = [
        Binding("f10", "toggle_language", N_("中文/English"), priority=True),
        Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True),
    ]

    def __init__(
        self,
        store: Store,
        settings: Settings,
        window: str,
        clock: Clock | None = None,
        language: str | None = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.settings = settings
        self.window = window
        self.clock = clock or Clock()
        self.station_code = ""
        set_language(language or settings.language or None)

    def on_mount(self) -> None:
        self.push_screen(RatingTerminalScreen())

    def ctx(self) -> Ctx:
        return Ctx(
            actor=applicant_actor(self.window), station_code=self.station_code, clock=self.clock
        )

    def action_toggle_language(self) -> None:
        set_language("en" if current_language() != "en" else "zh_CN")
        for screen in self.screen_stack:
            retranslate = getattr(screen, "retranslate", None)
            if retranslate is not None:
                retranslate()
            else:
                screen.refresh(recompose=True)

    def notify_error(self, message: str) -> None:
        self.notify(message, title=_("Error"), severity="error", markup=False)
