"""``hallterm kiosk``, ``display`` and ``rate``: the ticket machine, the public calling screen
and the applicant's rating terminal paired with a window."""

from __future__ import annotations

import click

from hallterm.cli.common import STORE_HELP, fail, make_settings, open_store
from hallterm.cli.root import main
from hallterm.i18n import _


@main.command()
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--no-print", is_flag=True, help="keep ticket slips as PDF only")
@click.pass_context
def kiosk(ctx: click.Context, store: str | None, no_print: bool) -> None:
    """The full-screen ticket machine (no sign-in)."""
    from hallterm.cli.store_keys import unlock_now
    from hallterm.screens.kiosk import KioskApp

    settings = make_settings(store) if store else ctx.obj["settings"]
    st = open_store(settings)
    try:
        unlock_now(st)  # the kiosk recognises ID numbers by their blind index
        KioskApp(st, settings, language=ctx.obj["language"], print_slips=not no_print).run()
    finally:
        st.dispose()


@main.command()
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def display(ctx: click.Context, store: str | None) -> None:
    """The public calling screen for a TV (speaks calls with tts_command when set)."""
    from hallterm.screens.display import DisplayApp

    settings = make_settings(store) if store else ctx.obj["settings"]
    st = open_store(settings)
    try:
        DisplayApp(st, settings, language=ctx.obj["language"]).run()
    finally:
        st.dispose()


@main.command()
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--window", "window", required=True, help="the window this terminal is paired with")
@click.pass_context
def rate(ctx: click.Context, store: str | None, window: str) -> None:
    """The applicant's rating terminal (好差评) paired with one window (no sign-in)."""
    from hallterm.screens.rating_terminal import RatingTerminalApp

    if not window.strip():
        fail(_("give the window this terminal is paired with: --window N"))
    settings = make_settings(store) if store else ctx.obj["settings"]
    st = open_store(settings)
    try:
        RatingTerminalApp(st, settings, window.strip(), language=ctx.obj["language"]).run()
    finally:
        st.dispose()
