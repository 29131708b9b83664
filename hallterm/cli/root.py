"""The ``hallterm`` command group and starting the terminal itself."""

from __future__ import annotations

import click

from hallterm import __version__
from hallterm.cli.common import STORE_HELP, make_settings, open_store
from hallterm.config import Settings
from hallterm.i18n import language_from_environment, set_language


def run_tui(settings: Settings, language: str | None) -> None:
    from hallterm.app import create_app

    store = open_store(settings)
    try:
        create_app(store, settings, language=language).run()
    finally:
        store.dispose()


@click.group(invoke_without_command=True)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option(
    "--lang", "language", type=click.Choice(["zh_CN", "zh", "en"]), help="interface language"
)
@click.option("--window", help="this terminal's window number")
@click.version_option(__version__, prog_name="hallterm")
@click.pass_context
def main(ctx: click.Context, store: str | None, language: str | None, window: str | None) -> None:
    """hallterm: the front desk of a government service hall, in the terminal."""
    settings = make_settings(store, window=window)
    set_language(language or settings.language or language_from_environment())
    ctx.obj = {"settings": settings, "language": language}
    if ctx.invoked_subcommand is None:
        run_tui(settings, language)
