"""The queue window's dialogs: transfer, call a ticket by its number, the lines served."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from hallterm.db.services import queue as q
from hallterm.i18n import N_, _


class TransferScreen(ModalScreen[tuple[str | None, str | None] | None]):
    """Choose the line (queue category) or type the window to send the applicant to."""

    DEFAULT_CSS = """
    TransferScreen { align: center middle; }
    TransferScreen > Vertical {
        width: 70; height: auto; border: round $accent; padding: 0 1; background: $panel;
    }
    TransferScreen OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#transfer-lines"

    def __init__(self, categories: list[q.CategoryView], current: str) -> None:
        super().__init__()
        self.categories = categories
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Transfer the applicant"), classes="screen-title")
            yield Static(_("to another line (Enter) …"), classes="hint")
            lines = OptionList(id="transfer-lines")
            for c in self.categories:
                if c.code != self.current:
                    lines.add_option(Option(Text(f"{c.prefix}  {c.name}"), id=c.code))
            yield lines
            yield Static(_("… or to a window: type its number and Enter"), classes="hint")
            yield Input(id="transfer-window", placeholder=_("window number"))

    def on_mount(self) -> None:
        lines = self.query_one("#transfer-lines", OptionList)
        if lines.option_count:
            lines.highlighted = 0

    @on(OptionList.OptionSelected, "#transfer-lines")
    def _line(self, event: OptionList.OptionSelected) -> None:
        self.dismiss((event.option.id, None))

    @on(Input.Submitted, "#transfer-window")
    def _window(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss((None, event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CallNumberScreen(ModalScreen[tuple[str, str] | None]):
    """Call one ticket by its number; a reason is needed when it is not next in line."""

    DEFAULT_CSS = """
    CallNumberScreen { align: center middle; }
    CallNumberScreen > Vertical {
        width: 70; height: auto; border: round $accent; padding: 0 1; background: $panel;
    }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#call-number"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Call a ticket by its number"), classes="screen-title")
            yield Input(id="call-number", placeholder=_("ticket number, e.g. A023"))
            yield Input(
                id="call-reason",
                placeholder=_("reason for calling it ahead of its turn (logged)"),
            )
            yield Static(
                _(
                    "Enter in the reason calls it · Esc cancels · the supervisor sees every such call"
                ),
                classes="hint",
            )

    @on(Input.Submitted, "#call-number")
    def _to_reason(self) -> None:
        self.query_one("#call-reason", Input).focus()

    @on(Input.Submitted, "#call-reason")
    def _done(self) -> None:
        number = self.query_one("#call-number", Input).value.strip()
        if number:
            self.dismiss((number, self.query_one("#call-reason", Input).value))
        else:
            self.query_one("#call-number", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class LinesScreen(ModalScreen[list[str] | None]):
    """Which lines this window serves (none ticked: all of them)."""

    DEFAULT_CSS = """
    LinesScreen { align: center middle; }
    LinesScreen > Vertical {
        width: 70; height: auto; border: round $accent; padding: 0 1; background: $panel;
    }
    LinesScreen SelectionList { height: auto; max-height: 14; }
    """
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "save", N_("Save")),
    ]
    AUTO_FOCUS = "#lines-list"

    def __init__(self, categories: list[q.CategoryView], chosen: tuple[str, ...]) -> None:
        super().__init__()
        self.categories = categories
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Lines served by this window"), classes="screen-title")
            yield SelectionList[str](
                *(
                    (f"{c.prefix}  {c.name}", c.code, c.code in self.chosen)
                    for c in self.categories
                ),
                id="lines-list",
            )
            yield Static(
                _("Space ticks a line · Ctrl+S saves · none ticked: every line"), classes="hint"
            )

    def action_save(self) -> None:
        self.dismiss(list(self.query_one("#lines-list", SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)
