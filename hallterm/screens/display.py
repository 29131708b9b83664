"""``hallterm display``: the public calling screen for a TV in the hall.

The newest call in large digits ("A023 → 5 号窗口"), the calls before it, and how many wait in
each line.  It polls the store every second in a thread worker (reads only).  Each new call or
recall can be spoken by ``settings.tts_command`` (the text is appended as the last argument);
the program runs detached, and a missing or failing one never stops the display.
"""

from __future__ import annotations

import logging
import shlex
import subprocess
from typing import Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Static

from hallterm.app_base import HallApp
from hallterm.clock import Clock, to_local
from hallterm.config import Settings
from hallterm.db.engine import Store
from hallterm.db.services import queue as q
from hallterm.i18n import N_, _
from hallterm.screens.workers import in_thread
from hallterm.widgets.punctuation import colon

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0


class Announcer:
    """Runs the configured speech command for a call, without waiting for it."""

    def __init__(self, command: str) -> None:
        self.argv = shlex.split(command) if command.strip() else []
        self.running: list[subprocess.Popen[bytes]] = []
        self.failed: str | None = None

    def say(self, text: str) -> None:
        if not self.argv:
            return
        self.running = [p for p in self.running if p.poll() is None]  # reap finished ones
        try:
            self.running.append(
                subprocess.Popen(
                    [*self.argv, text],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        except (OSError, ValueError) as exc:
            if self.failed is None:
                log.warning("speech command failed: %s", exc)
            self.failed = str(exc)


def call_text(number: str, window: str) -> str:
    return _("Number {number}, please come to window {window}").format(number=number, window=window)


class DisplayScreen(Screen[None]):
    DEFAULT_CSS = """
    DisplayScreen { background: $background; }
    DisplayScreen #dp-title { height: 1; text-style: bold; padding: 0 2; background: $primary; }
    DisplayScreen #dp-main { height: auto; align: center middle; padding: 1 2; }
    DisplayScreen #dp-call { height: auto; width: auto; }
    DisplayScreen #dp-call Digits { width: auto; color: $warning; }
    DisplayScreen .dp-word { width: auto; height: 3; content-align: center middle; padding: 0 2; text-style: bold; }
    DisplayScreen #dp-history { height: auto; padding: 0 2; }
    DisplayScreen #dp-lines { height: auto; padding: 1 2; }
    """

    @property
    def display_app(self) -> DisplayApp:
        """The running display app, typed."""
        return cast("DisplayApp", self.app)

    def __init__(self) -> None:
        super().__init__()
        self.state: q.DisplayState | None = None
        self.seen: set[tuple[str, int, str]] | None = None
        self.station_name = ""

    def compose(self) -> ComposeResult:
        yield Static("", id="dp-title")
        with Vertical(id="dp-main"), Horizontal(id="dp-call"):
            yield Digits("", id="dp-number")
            yield Static("→", classes="dp-word", id="dp-arrow")
            yield Digits("", id="dp-window")
            yield Static("", classes="dp-word", id="dp-window-word")
        yield Static("", id="dp-history")
        yield Static("", id="dp-lines")

    def on_mount(self) -> None:
        self.poll()
        self.set_interval(POLL_SECONDS, self.poll)

    def poll(self) -> None:
        app: Any = self.app

        def job() -> tuple[str, q.DisplayState]:
            from hallterm.db.services.setup import own_station

            with app.store.read() as session:
                st = own_station(session)
                day = to_local(app.clock.now()).date()
                return st.name, q.display_state(session, st.code, day)

        in_thread(self, job, self._polled, self._failed, group="dp-poll", exclusive=True)

    def _failed(self, message: str) -> None:
        # The display keeps the last good picture; the problem shows in the title bar.
        self.query_one("#dp-title", Static).update(Text(f"{self.station_name} · {message}"))

    def _polled(self, data: tuple[str, q.DisplayState]) -> None:
        self.station_name, state = data
        self.state = state
        keys = {c.key for c in state.calls}
        if self.seen is not None:
            # Oldest first, so the speech follows the order of the calls.
            for call in reversed(state.calls):
                if call.key not in self.seen:
                    self.display_app.announce(call)
        self.seen = keys if self.seen is None else (self.seen | keys)
        self._redraw()

    def _redraw(self) -> None:
        now = to_local(self.display_app.clock.now())
        self.query_one("#dp-title", Static).update(
            Text(f"{self.station_name}    {now:%Y-%m-%d %H:%M}")
        )
        state = self.state
        if state is None:
            return
        number = self.query_one("#dp-number", Digits)
        window = self.query_one("#dp-window", Digits)
        word = self.query_one("#dp-window-word", Static)
        arrow = self.query_one("#dp-arrow", Static)
        if state.calls:
            latest = state.calls[0]
            number.update(latest.number)
            window.update(latest.window)
            word.update(_("window"))
            arrow.update("→")
        else:
            number.update("")
            window.update("")
            word.update(_("Please wait to be called"))
            arrow.update("")
        history = Text()
        for call in state.calls[1:]:
            history.append(f"  {call.number}", "bold")
            history.append(" → ")
            history.append(_("window {window}").format(window=call.window) + "    ")
        self.query_one("#dp-history", Static).update(history)
        lines = Text()
        lines.append(colon(_("Waiting")), "bold")
        for line in state.lines:
            lines.append(f"  {line.prefix} {line.name} ")
            lines.append(str(line.waiting), "bold")
        self.query_one("#dp-lines", Static).update(lines)


class DisplayApp(HallApp):
    """The calling screen as its own small application (no sign-in, read only)."""

    TITLE = "hallterm display"
    BINDINGS = [Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True)]

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock | None = None,
        language: str | None = None,
        announcer: Announcer | None = None,
    ) -> None:
        super().__init__(store, settings, clock=clock, language=language)
        self.announcer = announcer or Announcer(settings.tts_command)
        self.spoken: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(DisplayScreen())

    def announce(self, call: q.CallView) -> None:
        text = call_text(call.number, call.window)
        self.spoken.append(text)
        self.announcer.say(text)
