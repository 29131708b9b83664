"""Textual's own strings in the current language, translated at their source.

Textual writes a few user-facing strings itself: the descriptions of the bindings of its
widgets and screens ("Focus Next", "Cursor up" … shown by F1 help and the footer), the system
commands of the command palette ("Theme", "Keys", "Quit" …), the palette's placeholder and
"No matches found", and key names ("space", "esc" …).  Their msgids are listed here so the
catalog carries their Chinese; the app translates them where Textual hands them over:
``translated_system_commands``, ``TranslatedCommandPalette``, ``key_display``, and the footer
and help translate every binding description.  ``tests/test_app_shell.py`` fails when a
Textual upgrade brings a description that is not here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.align import Align
from rich.text import Text
from textual.app import SystemCommand
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from hallterm.i18n import N_, _

BINDING_DESCRIPTIONS = (
    N_("Bottom"),
    N_("Copy"),
    N_("Copy selected text"),
    N_("Cursor Down"),
    N_("Cursor Up"),
    N_("Cursor down"),
    N_("Cursor down select"),
    N_("Cursor left"),
    N_("Cursor left select"),
    N_("Cursor left word select"),
    N_("Cursor line end"),
    N_("Cursor line end select"),
    N_("Cursor line start"),
    N_("Cursor line start select"),
    N_("Cursor page down"),
    N_("Cursor page up"),
    N_("Cursor right"),
    N_("Cursor right select"),
    N_("Cursor right word select"),
    N_("Cursor to next ancestor"),
    N_("Cursor to next sibling"),
    N_("Cursor to parent"),
    N_("Cursor to previous sibling"),
    N_("Cursor up"),
    N_("Cursor up select"),
    N_("Cursor word left"),
    N_("Cursor word right"),
    N_("Cut"),
    N_("Cut selected text"),
    N_("Delete all to the left"),
    N_("Delete all to the right"),
    N_("Delete character left"),
    N_("Delete character right"),
    N_("Delete left to start of word"),
    N_("Delete line"),
    N_("Delete right to start of word"),
    N_("Delete to line end"),
    N_("Delete to line start"),
    N_("Dismiss menu"),
    N_("Down"),
    N_("End"),
    N_("Exit the command palette"),
    N_("Expand or collapse all"),
    N_("First"),
    N_("Focus Next"),
    N_("Focus Previous"),
    N_("Go to bottom"),
    N_("Go to end"),
    N_("Go to start"),
    N_("Go to top"),
    N_("Home"),
    N_("Last"),
    N_("Move cursor left"),
    N_("Move cursor left a word"),
    N_("Move cursor left a word and select"),
    N_("Move cursor left and select"),
    N_("Move cursor right a word"),
    N_("Move cursor right a word and select"),
    N_("Move cursor right and select"),
    N_("Move cursor right or accept the completion suggestion"),
    N_("Next command"),
    N_("Next option"),
    N_("Next page"),
    N_("Next tab"),
    N_("Page Down"),
    N_("Page Left"),
    N_("Page Right"),
    N_("Page Up"),
    N_("Page down"),
    N_("Page up"),
    N_("Paste"),
    N_("Paste text from the clipboard"),
    N_("Press button"),
    N_("Previous command"),
    N_("Previous option"),
    N_("Previous page"),
    N_("Previous tab"),
    N_("Quit"),
    N_("Redo"),
    N_("Scroll Down"),
    N_("Scroll End"),
    N_("Scroll Home"),
    N_("Scroll Left"),
    N_("Scroll Right"),
    N_("Scroll Up"),
    N_("Select"),
    N_("Select all"),
    N_("Select line"),
    N_("Select line end"),
    N_("Select line start"),
    N_("Show menu"),
    N_("Submit"),
    N_("Toggle"),
    N_("Toggle option"),
    N_("Top"),
    N_("Undo"),
    N_("Up"),
)

SYSTEM_COMMANDS = (
    (N_("Theme"), N_("Change the current theme")),
    (N_("Quit"), N_("Quit the application as soon as possible")),
    (N_("Keys"), N_("Hide the keys and widget help panel")),
    (N_("Keys"), N_("Show help for the focused widget and a summary of available keys")),
    (N_("Minimize"), N_("Minimize the widget and restore to normal size")),
    (N_("Maximize"), N_("Maximize the focused widget")),
    (N_("Screenshot"), N_("Save an SVG 'screenshot' of the current screen")),
)

PALETTE = (
    N_("palette"),
    N_("Search for commands…"),
    N_("Search for themes…"),
    N_("No matches found"),
)

KEY_NAMES = {
    "space": N_("space"),
    "esc": N_("esc"),
    "tab": N_("tab"),
    "pgup": N_("pgup"),
    "pgdn": N_("pgdn"),
    "del": N_("del"),
    "home": N_("home"),
    "end": N_("end"),
    "insert": N_("insert"),
}


def translated_system_commands(commands: Iterable[SystemCommand]) -> Iterable[SystemCommand]:
    """Textual's system commands with their titles and help in the current language."""
    for command in commands:
        yield command._replace(title=_(command.title), help=_(command.help))


def key_display(text: str) -> str:
    """A key as Textual displays it (``space``, ``^p``, ``shift+tab``) with its name translated."""
    *modifiers, key = text.split("+")
    caret = "^" if key.startswith("^") and len(key) > 1 else ""
    name = key[len(caret) :]
    if name in KEY_NAMES:
        name = _(KEY_NAMES[name])
    return "+".join([*modifiers, caret + name])


class TranslatedCommandPalette(CommandPalette):
    """Textual's command palette with its placeholder and "no matches" in the language."""

    def __init__(self, placeholder: str = "Search for commands…", **kwargs: Any) -> None:
        super().__init__(placeholder=_(placeholder), **kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own method, with its one hard-coded sentence translated.
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("No matches found"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
