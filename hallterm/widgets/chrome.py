"""The frame around every screen: a status header and a footer in the current language."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from hallterm.clock import to_local
from hallterm.i18n import _

if TYPE_CHECKING:
    from hallterm.app_base import HallApp


class StatusHeader(Horizontal):
    """Station, window, clerk and clock; later parts add sync status through ``extra``.

    On a narrow terminal the status text gives way (cut with an ellipsis), never the name
    of the signed-in clerk or the clock.
    """

    DEFAULT_CSS = """
    StatusHeader { height: 1; dock: top; background: $primary; color: $text; }
    StatusHeader > .title { width: auto; padding: 0 1; text-style: bold; }
    StatusHeader > .who { width: auto; padding: 0 1; }
    StatusHeader > .extra {
        width: 1fr; padding: 0 1; content-align: right top; text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StatusHeader > .clock { width: auto; padding: 0 1; }
    """

    extra: reactive[str] = reactive("")

    def compose(self) -> ComposeResult:
        yield Static(classes="title", id="hdr-title")
        yield Static(classes="who", id="hdr-who")
        yield Static(classes="extra", id="hdr-extra")
        yield Static(classes="clock", id="hdr-clock")

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(1, self._tick)

    def _tick(self) -> None:
        self.query_one("#hdr-clock", Static).update(
            to_local(cast("HallApp", self.app).clock.now()).strftime("%Y-%m-%d %H:%M:%S")
        )

    def refresh_status(self) -> None:
        app = self.app
        station = getattr(app, "station_name", "") or ""
        actor = getattr(app, "actor", None)
        self.query_one("#hdr-title", Static).update(Text(f"hallterm · {station}"))
        who = ""
        if actor is not None:
            window = getattr(app, "window", "") or actor.window
            who = (
                _("window {window} · {name}").format(window=window, name=actor.name)
                if window
                else actor.name
            )
        self.query_one("#hdr-who", Static).update(Text(who))
        self.query_one("#hdr-extra", Static).update(Text(self.extra))
        self._tick()

    def watch_extra(self, value: str) -> None:
        # During a recompose (language switch) the child may be gone for a moment.
        for static in self.query("#hdr-extra").results(Static):
            static.update(Text(value))


class TranslatedFooter(Footer):
    """Footer whose key descriptions are msgids, translated when drawn."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and widget.description:
                widget.description = _(widget.description)
            yield widget
