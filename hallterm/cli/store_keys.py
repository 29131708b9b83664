"""The station passphrase on the command line: from the environment, else a hidden prompt.

``open_store`` gives every store a prompt (only when standard input is a terminal), so a
command asks for the passphrase only if it comes to need personal data.  ``unlock_now``
asks before a terminal program starts (the TUI, the kiosk): a wrong passphrase is asked
again, three times at most, then the command ends with nothing written.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from hallterm.i18n import _

# keyring.ENV_PASSPHRASE, named again: importing that module loads SQLModel before the TUI draws.
ENV = "HALLTERM_STORE_PASSPHRASE"
TRIES = 3


def _prompt() -> str:
    value: str = click.prompt(_("Station passphrase"), hide_input=True, err=True)
    return value


def give_prompt(store: Any) -> None:
    """Let ``store`` ask for its passphrase on this terminal when it needs it."""
    if sys.stdin is not None and sys.stdin.isatty():
        store.give_prompt(_prompt)


def new_passphrase() -> str:
    """The passphrase of a new store: the environment, else asked twice (hidden)."""
    value = os.environ.get(ENV)
    if value:
        return value
    if sys.stdin is None or not sys.stdin.isatty():
        from hallterm.cli.common import fail

        fail(_("give the station passphrase in HALLTERM_STORE_PASSPHRASE"))
    entered: str = click.prompt(
        _("Station passphrase (protects personal data; keep it safe)"),
        hide_input=True,
        confirmation_prompt=True,
        err=True,
    )
    if len(entered) < 8:
        from hallterm.cli.common import fail

        fail(_("the station passphrase needs at least 8 characters"))
    return entered


def unlock_now(store: Any) -> None:
    """Unlock the store's personal data before a terminal program starts (asked again after
    a wrong passphrase, three times at most)."""
    from hallterm.cli.common import fail
    from hallterm.db.privacy.keyring import KeysLocked
    from hallterm.db.privacy.unlock import open_personal_data

    for attempt in range(TRIES):
        try:
            open_personal_data(store, new_passphrase)
            return
        except KeysLocked as exc:
            if os.environ.get(ENV) or store.keys.prompt is None or attempt == TRIES - 1:
                fail(str(exc))
            click.echo(str(exc), err=True)
