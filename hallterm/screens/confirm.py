"""Asking before an irreversible move: approve, deny, refuse, withdraw, complete on the
spot, revoke.  The dialog names the case (or certificate) and says what will happen;
only ``y`` goes ahead, ``n`` or Esc declines and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from hallterm.i18n import N_, _
from hallterm.screens.desk_dialogs import DIALOG_CSS

IRREVERSIBLE: dict[str, tuple[str, str]] = {
    # move: (title, consequence)
    "approve": (
        N_("Approve case {number}?"),
        N_("The case is approved (准予) under your name; a decision cannot be taken back."),
    ),
    "deny": (
        N_("Deny case {number}?"),
        N_("The application is denied (不予许可) with the reason given; this cannot be undone."),
    ),
    "refuse": (
        N_("Refuse case {number}?"),
        N_(
            "The application is not accepted (不予受理); the decision with the reason is "
            "printed for the applicant. This cannot be undone."
        ),
    ),
    "withdraw": (
        N_("Withdraw case {number}?"),
        N_("The case is closed as withdrawn (撤回); it cannot be reopened."),
    ),
    "complete": (
        N_("Complete case {number} on the spot?"),
        N_("The case is accepted, approved and delivered at once (即办件); this cannot be undone."),
    ),
    "revoke": (
        N_("Revoke certificate {number}?"),
        N_(
            "The certificate is listed as revoked at every station and fails every check "
            "from now on; this cannot be undone."
        ),
    ),
}


class ConfirmScreen(ModalScreen[bool]):
    """``y`` confirms; ``n`` or Esc declines (the default)."""

    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmScreen")
    BINDINGS = [
        Binding("y", "confirm", N_("Confirm")),
        Binding("n", "decline", N_("Cancel")),
        Binding("escape", "decline", N_("Cancel")),
    ]

    def __init__(self, move: str, number: str) -> None:
        super().__init__()
        self.move = move
        self.number = number

    def compose(self) -> ComposeResult:
        title, consequence = IRREVERSIBLE[self.move]
        with Vertical():
            yield Static(Text(_(title).format(number=self.number)), classes="screen-title")
            yield Static(Text(_(consequence)), id="confirm-consequence")
            yield Static(_("Y: confirm · N or Esc: cancel, nothing is changed"), classes="hint")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_decline(self) -> None:
        self.dismiss(False)


def confirm_then(node: object, move: str, number: str, go: Callable[[], None]) -> None:
    """Ask about ``move`` of ``number`` on ``node``'s app; run ``go`` only when confirmed."""
    app = node.app  # type: ignore[attr-defined]
    app.push_screen(ConfirmScreen(move, number), lambda ok: go() if ok else None)
