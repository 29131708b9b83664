"""Setting up a machine: ``init`` a store, the settings file, and ``doctor``."""

from __future__ import annotations

import sys

import click

from hallterm.cli.common import STORE_HELP, fail, make_settings, open_store, store_file
from hallterm.cli.root import main
from hallterm.config import Settings, config_path
from hallterm.i18n import _


@main.command()
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--station", "code", required=True, help="station code, e.g. 3299")
@click.option("--name", required=True, help="station name")
@click.option("--level", required=True, help="city, county, township or village (市/县/乡/村)")
@click.option("--parent", default=None, help="parent station code")
@click.pass_context
def init(
    ctx: click.Context, store: str | None, code: str, name: str, level: str, parent: str | None
) -> None:
    """Create or upgrade a store and register its station (safe to run again)."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.setup import init_store

    settings = make_settings(store) if store else ctx.obj["settings"]
    st = open_store(settings, create=True)
    try:
        init_store(st, _ctx_for_init(code), code, name, level, parent)
    except ServiceError as exc:
        fail(str(exc))
    finally:
        st.dispose()
    click.echo(
        _("store {url} is ready for station {code} {name}").format(
            url=st.display_url, code=code, name=name
        )
    )


def _ctx_for_init(code: str):  # type: ignore[no-untyped-def]
    from hallterm.clock import Clock
    from hallterm.db.services import SYSTEM, Ctx

    return Ctx(actor=SYSTEM, station_code=code, clock=Clock())


@main.group()
def config() -> None:
    """Settings file and values."""


@config.command("path")
def config_path_cmd() -> None:
    """Print where the settings file is read from."""
    click.echo(str(config_path()))


@config.command("show")
@click.pass_context
def config_show(ctx: click.Context) -> None:
    """Print the settings in force (passwords in URLs masked)."""
    from hallterm.db.engine import mask_url

    settings: Settings = ctx.obj["settings"]
    for key, value in settings.model_dump().items():
        if key in ("store", "central") and value:
            value = mask_url(value)
        click.echo(f"{key} = {value!r}")


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check what hallterm needs on this machine (font, store, printer)."""
    import shutil

    from hallterm.printing.fonts import FontNotFound, find_cjk_font

    settings: Settings = ctx.obj["settings"]
    ok = True
    try:
        font = find_cjk_font(settings.font_path or None)
        click.echo(_("ok    CJK font: {path}").format(path=font.path))
    except FontNotFound as exc:
        ok = False
        click.echo(_("FAIL  CJK font: {msg}").format(msg=exc))
    click.echo(_("info  config file: {path}").format(path=config_path()))
    from hallterm.db.engine import Store, mask_url
    from hallterm.db.migrate import current_revision, head_revision

    try:
        path = store_file(settings.store_url())
        if path is not None and not path.is_file():
            raise FileNotFoundError(_("no store yet: run hallterm demo or hallterm init"))
        st = Store(settings.store_url())
        rev = current_revision(st)
        st.dispose()
        if rev == head_revision():
            click.echo(
                _("ok    store {url} (schema {rev})").format(
                    url=mask_url(settings.store_url()), rev=rev
                )
            )
        else:
            ok = False
            click.echo(
                _("FAIL  store {url}: schema {rev}, run hallterm init").format(
                    url=mask_url(settings.store_url()), rev=rev
                )
            )
    except Exception as exc:  # noqa: BLE001 - report any store problem
        ok = False
        click.echo(
            _("FAIL  store {url}: {msg}").format(url=mask_url(settings.store_url()), msg=exc)
        )
    if settings.printer:
        if shutil.which("lp"):
            click.echo(_("ok    printer {name} via lp").format(name=settings.printer))
        else:
            ok = False
            click.echo(
                _(
                    "FAIL  printer {name} configured but lp is not installed (apt-get install cups-client)"
                ).format(name=settings.printer)
            )
    sys.exit(0 if ok else 1)
