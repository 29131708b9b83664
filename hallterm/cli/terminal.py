"""``hallterm kiosk`` and ``display``: the ticket machine and the public calling screen."""

from __future__ import annotations

import click

from hallterm.cli.common import STORE_HELP, make_settings, open_store
from hallterm.cli.root import main


@main.command()
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--no-print", is_flag=True, help="keep ticket slips as PDF only")
@click.pass_context
def kiosk(ctx: click.Context, store: str | None, no_print: bool) -> None:
    """The full-screen ticket machine (no sign-in)."""
    from hallterm.screens.kiosk import KioskApp

    settings = make_settings(store) if store else ctx.obj["settings"]
    st = open_store(settings)
    try:
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
