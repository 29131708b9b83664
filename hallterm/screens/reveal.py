"""Opening a full ID number: the purpose dialog and the rule that hides it again.

``PurposeScreen`` asks why the number is opened (one of ``REVEAL_PURPOSES``); the choice goes
to ``reveal_id`` and into the audit trail.  ``RevealTimer`` remembers when the number was
opened on the app's clock and says when it must be hidden again (after ``REVEAL_SECONDS``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from hallterm.domain.privacy import REVEAL_PURPOSES, REVEAL_SECONDS, purpose_label
from hallterm.i18n import N_, _
from hallterm.screens.desk_dialogs import DIALOG_CSS


class PurposeScreen(ModalScreen[str | None]):
    """Choose the purpose of opening the full ID number; Esc opens nothing."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PurposeScreen")
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#purpose-list"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Why open the full ID number?"), classes="screen-title")
            yield Static(
                _(
                    "The purpose is written to the audit trail; the number hides after {s} s."
                ).format(s=REVEAL_SECONDS),
                classes="hint",
            )
            yield OptionList(
                *[Option(Text(purpose_label(code)), id=code) for code in REVEAL_PURPOSES],
                id="purpose-list",
            )
            yield Static(_("Enter: open · Esc: cancel"), classes="hint")

    @on(OptionList.OptionSelected, "#purpose-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RevealTimer:
    """When a full number was opened, on the injected clock; ``expired`` after 30 s."""

    def __init__(self) -> None:
        self.opened_at: datetime | None = None

    def opened(self, now: datetime) -> None:
        self.opened_at = now

    def clear(self) -> None:
        self.opened_at = None

    def expired(self, now: datetime) -> bool:
        return self.opened_at is not None and now - self.opened_at >= timedelta(
            seconds=REVEAL_SECONDS
        )
