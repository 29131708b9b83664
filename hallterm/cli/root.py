"""The ``hallterm`` command group and starting the terminal itself.

With the station passphrase in the environment the terminal starts from
``config_preview`` (store, language, window, theme) and loads the settings model after its
first frame.  Otherwise, and for every subcommand, the model is loaded first: settings that
cannot be used are said before the passphrase is asked.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING

import click

from hallterm import __version__
from hallterm.cli.common import STORE_HELP, make_settings, open_store
from hallterm.config_preview import FirstPaint, SettingsError, data_dir, preview
from hallterm.errors import setup_log_file
from hallterm.i18n import language_from_environment, set_language

if TYPE_CHECKING:
    from hallterm.config import Settings


def terminal_settings(store_option: str | None, window: str | None) -> Settings | FirstPaint:
    """``hallterm`` without a subcommand: the preview, so the settings model is loaded after
    the first frame, when the passphrase is in the environment (else the model, before the
    passphrase is asked)."""
    from hallterm.cli.store_keys import ENV

    first = preview(store=store_option, window=window) if os.environ.get(ENV) else None
    return first or make_settings(store_option, window=window)


def run_tui(settings: Settings | FirstPaint, language: str | None) -> None:
    from hallterm.app import create_app
    from hallterm.cli.store_keys import ENV, unlock_now

    store = open_store(settings.store_url())
    try:
        if not os.environ.get(ENV):
            unlock_now(store)  # asked before the login screen
        # else the app unlocks in the background while its login screen is drawn
        app = create_app(store, settings, language=language)
        app.run()
    finally:
        store.dispose()
    if app.return_code:  # ended by a wrong passphrase or unusable settings
        sys.exit(app.return_code)


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
        except SettingsError as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
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
    terminal = ctx.invoked_subcommand is None
    settings = terminal_settings(store, window) if terminal else make_settings(store, window=window)
    setup_log_file(data_dir())
    set_language(language or settings.language or language_from_environment())
    if terminal:
        run_tui(settings, language)
    else:
        ctx.obj = {"settings": settings, "language": language}
