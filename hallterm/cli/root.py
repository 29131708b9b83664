"""The ``hallterm`` command group and starting the terminal itself."""

from __future__ import annotations

import importlib
import os
import sys

import click

from hallterm import __version__
from hallterm.cli.common import STORE_HELP, make_settings, open_store
from hallterm.config import Settings, data_dir
from hallterm.errors import setup_log_file
from hallterm.i18n import language_from_environment, set_language


def run_tui(settings: Settings, language: str | None) -> None:
    from hallterm.app import create_app
    from hallterm.cli.store_keys import ENV, unlock_now

    store = open_store(settings)
    try:
        if not os.environ.get(ENV):
            unlock_now(store)  # asked before the login screen
        # else the app unlocks in the background while its login screen is drawn
        create_app(store, settings, language=language).run()
    finally:
        store.dispose()


# The modules that register subcommands (imported when a subcommand is looked up).
COMMAND_MODULES = (
    "audit",
    "calendar",
    "catalog",
    "central",
    "central_partitions",
    "central_publish",
    "certificates",
    "demo",
    "interaction",
    "keys",
    "privacy",
    "reports",
    "setup",
    "staff",
    "sync",
    "terminal",
    "verify",
)


class HalltermGroup(click.Group):
    """Unexpected errors end a command with a safe line; the details go to the log file.

    Subcommands are registered by their area's module, imported on first look-up: the
    terminal (no subcommand) starts without them.
    """

    def _register_all(self) -> None:
        for name in COMMAND_MODULES:
            importlib.import_module(f"hallterm.cli.{name}")

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._register_all()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._register_all()
        return super().list_commands(ctx)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - shown without SQL or values, logged in full
            from hallterm.errors import report

            click.echo(report(exc, ctx.invoked_subcommand or "hallterm"), err=True)
            sys.exit(1)


@click.group(cls=HalltermGroup, invoke_without_command=True)
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
    setup_log_file(data_dir())
    set_language(language or settings.language or language_from_environment())
    ctx.obj = {"settings": settings, "language": language}
    if ctx.invoked_subcommand is None:
        run_tui(settings, language)
