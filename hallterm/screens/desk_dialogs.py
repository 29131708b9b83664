"""Small keyboard dialogs of the front desk: a one-line prompt and a reason chooser.

Both are modal screens returning the text (or None on Escape); nothing typed is lost when
a check fails, the dialog stays open with the message under the field.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from hallterm.i18n import N_, _
from hallterm.widgets.plain import plain

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 76; height: auto; max-height: 90%; border: round $accent; padding: 0 1;
    background: $panel;
}}
{name} Input {{ margin: 0 0 1 0; }}
{name} OptionList {{ height: auto; max-height: 14; }}
"""


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if len(value.strip()) == 10 else None
    except ValueError:
        return None


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; ``check`` returns an error message or None."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PromptScreen")
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#prompt-input"

    def __init__(
        self,
        title: str,
        label: str,
        value: str = "",
        *,
        required: bool = False,
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._label = label
        self._value = value
        self._required = required
        self._check = check

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self._title), classes="screen-title")
            yield Static(Text(self._label), classes="hint")
            yield Input(value=self._value, id="prompt-input")
            yield Static("", classes="error", id="prompt-error")
            yield Static(_("Enter: confirm · Esc: cancel"), classes="hint")

    @on(Input.Submitted, "#prompt-input")
    def _submit(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        error = None
        if self._required and not value:
            error = _("this cannot be empty")
        elif self._check is not None:
            error = self._check(value)
        if error:
            self.query_one("#prompt-error", Static).update(plain(error))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReasonScreen(ModalScreen[str | None]):
    """Type a reason, or press ↓ and choose one of the common reasons."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ReasonScreen")
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("down", "to_list", N_("Common reasons"), show=False),
    ]
    AUTO_FOCUS = "#reason-input"

    def __init__(self, title: str, reasons: Sequence[str]) -> None:
        super().__init__()
        self._title = title
        self._reasons = list(reasons)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self._title), classes="screen-title")
            yield Static(_("Type the reason, or press ↓ to choose a common one."), classes="hint")
            yield Input(id="reason-input", placeholder=_("reason"))
            yield OptionList(
                *[Option(Text(r), id=str(i)) for i, r in enumerate(self._reasons)],
                id="reason-list",
            )
            yield Static("", classes="error", id="reason-error")
            yield Static(_("Enter: confirm · Esc: cancel"), classes="hint")

    def action_to_list(self) -> None:
        options = self.query_one("#reason-list", OptionList)
        if options.option_count:
            options.focus()
            if options.highlighted is None:
                options.highlighted = 0

    @on(Input.Submitted, "#reason-input")
    def _typed(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.query_one("#reason-error", Static).update(
                _("type a reason or choose one from the list")
            )
            return
        self.dismiss(value)

    @on(OptionList.OptionSelected, "#reason-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._reasons[int(event.option.id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[str | None]):
    """Choose one of a few options with ↑↓ and Enter (or its number); returns its key."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ChoiceScreen")
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#choice-list"

    def __init__(self, title: str, options: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self._title = title
        self._options = list(options)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self._title), classes="screen-title")
            yield OptionList(
                *[
                    Option(Text(f"{i}. {label}"), id=key)
                    for i, (key, label) in enumerate(self._options, 1)
                ],
                id="choice-list",
            )
            yield Static(_("Enter: confirm · Esc: cancel"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#choice-list", OptionList).highlighted = 0

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            index = int(event.character) - 1
            if 0 <= index < len(self._options):
                event.stop()
                self.dismiss(self._options[index][0])

    @on(OptionList.OptionSelected, "#choice-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
