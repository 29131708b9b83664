"""The frame around every screen: a status header and a footer in the current language."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from hallterm.clock import to_local
from hallterm.i18n import _

if TYPE_CHECKING:
    from hallterm.app_base import HallApp


class StatusHeader(Horizontal):
    """Station, window, clerk and clock; later parts add sync status through ``extra``.

    Who is signed in at which window is never cut: on a narrow terminal the ``extra`` text
    gives way (ended with …).
    """

    DEFAULT_CSS = """
    StatusHeader { height: 1; dock: top; background: $primary; color: $text; }
    StatusHeader > .title { width: auto; padding: 0 1; text-style: bold; }
    StatusHeader > .who { width: auto; padding: 0 1; }
    StatusHeader > .extra {
        width: 1fr; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
        text-align: right;
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
    """Footer whose key descriptions are msgids, translated when drawn.

    It shows as many keys as fit the terminal's width, in order (the screen's own keys
    first), always keeping F1 help (which lists every key) and the command palette; the
    keys that do not fit are left out rather than cut in half: the language key first, then
    the screen's keys from its last, Esc (back) last of all.
    """

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        for widget in widgets:
            if isinstance(widget, FooterKey) and widget.description:
                widget.description = _(widget.description)
        budget = self.app.size.width
        kept = list(widgets)
        # Textual's compact style (less padding) when the full one does not fit.
        compact = sum(_width(w) for w in kept) > budget
        self.set_reactive(Footer.compact, compact)
        self.set_class(compact, "-compact")
        # Left out first: the language key, then the screen's keys from the last one, and
        # the way back (Esc) only at the very end.
        droppable = [w for w in kept if isinstance(w, FooterKey) and _droppable(w)]
        order = (
            [w for w in droppable if _is_language(w)]
            + [w for w in reversed(droppable) if not _is_language(w) and not _is_back(w)]
            + [w for w in droppable if _is_back(w)]
        )
        for drop in order:
            if sum(_width(w, compact) for w in kept) <= budget:
                break
            kept.remove(drop)
        self.styles.grid_size_columns = sum(1 for w in kept if not w.has_class("-command-palette"))
        yield from kept


def _width(widget: Widget, compact: bool = False) -> int:
    """The columns a footer key takes (its key and description with their padding)."""
    if not isinstance(widget, FooterKey):
        return 0
    # Compact: one space inside and one margin (the palette key: its border); full: padding.
    palette = widget.has_class("-command-palette")
    extra = 2 if compact else (5 if palette else 3)
    return cell_len(widget.key_display) + cell_len(widget.description) + extra


def _is_language(widget: FooterKey) -> bool:
    return widget.action in ("toggle_language", "app.toggle_language")


def _is_back(widget: FooterKey) -> bool:
    return widget.key == "escape"


def _droppable(widget: Widget) -> bool:
    if not isinstance(widget, FooterKey) or widget.has_class("-command-palette"):
        return False
    return widget.action not in ("help", "app.help")
