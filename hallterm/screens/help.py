"""F1: every key of the screen underneath and of the role, and the guide for new clerks."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from hallterm.actions import actions_for
from hallterm.i18n import N_, _

GUIDE = (
    N_("A case at the window, step by step"),
    N_(
        "1. Register the applicant: type the ID number; a returning applicant is recalled at once, "
        "a new one is checked (the check digit, the birth date) before it is saved."
    ),
    N_(
        "2. Choose the matter or a bundle (一件事): type part of its name, its code or pinyin "
        "initials, e.g. gtgsh for 个体工商户."
    ),
    N_(
        "3. Check the materials against the checklist: mark each line received, missing or "
        "deferred (only where 容缺 is allowed). Documents on file and still valid are offered for reuse."
    ),
    N_(
        "4. Decide: accept when the verdict is complete (or complete with deferrals), print the "
        "one-time notice when something is missing (tell everything at once), or refuse with a reason."
    ),
    N_("5. Hand over the printed receipt; the due date counts working days only."),
    N_("Ctrl+P opens the command palette: it finds every action and every matter by name or code."),
)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; height: 90%; border: round $accent; padding: 0 1; background: $panel; }
    """
    BINDINGS = [Binding("escape,f1,q", "dismiss", N_("Close"))]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(_("Keys"), classes="screen-title")
            yield Static(self._keys_table(), id="help-keys")
            yield Static(_("Guide for new clerks"), classes="screen-title")
            yield Static(Text("\n".join(_(line) for line in GUIDE)), id="help-guide")

    def _keys_table(self) -> Table:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column(_("Key"), no_wrap=True)
        table.add_column(_("Action"))
        table.add_column(_("What it does"))
        seen: set[str] = set()
        for binding in self._screen_bindings():
            key = self.app.get_key_display(binding)
            if key in seen or not binding.description:
                continue
            seen.add(key)
            table.add_row(Text(key), Text(_(binding.description)), Text(""))
        actor = getattr(self.app, "actor", None)
        for a in actions_for(actor.role if actor else None):
            key = self.app.get_key_display(Binding(a.key, ""))
            if key in seen:
                continue
            seen.add(key)
            table.add_row(Text(key), Text(_(a.title)), Text(_(a.help)))
        palette = self.app.get_key_display(Binding("ctrl+p", ""))
        table.add_row(Text(palette), Text(_("Commands")), Text(_("Find any action or matter")))
        self.key_rows = [
            tuple(str(cell) for cell in cells)
            for cells in zip(*(c._cells for c in table.columns), strict=True)
        ]
        return table

    def _screen_bindings(self) -> list[Binding]:
        out: list[Binding] = []
        for cls in type(self.under).__mro__:
            for b in cls.__dict__.get("BINDINGS", []):
                out.append(b if isinstance(b, Binding) else Binding(*b))
        focused = self.under.focused
        if focused is not None:
            for b in getattr(type(focused), "BINDINGS", []):
                if isinstance(b, Binding) and b.show:
                    out.append(b)
        return out

    def action_dismiss(self, result: Any = None) -> None:  # type: ignore[override]
        self.dismiss()
