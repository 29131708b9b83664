"""Setting up a machine: ``init`` a store, the settings file, and ``doctor``."""

from __future__ import annotations

import sys

import click

from hallterm.cli.common import (
    STORE_HELP,
    fail,
    make_settings,
    new_password,
    open_store,
    store_file,
)
from hallterm.cli.root import main
from hallterm.config import Settings, config_path
from hallterm.i18n import _


@main.command()
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--station", "code", required=True, help="station code, e.g. 3299")
@click.option("--name", required=True, help="station name")
@click.option("--level", required=True, help="city, county, township or village (市/县/乡/村)")
@click.option("--parent", default=None, help="parent station code")
@click.option("--admin", "admin_user", default=None, help="user name of the store's first admin")
@click.option("--admin-name", default=None, help="the first admin's full name")
@click.pass_context
def init(
    ctx: click.Context,
    store: str | None,
    code: str,
    name: str,
    level: str,
    parent: str | None,
    admin_user: str | None,
    admin_name: str | None,
) -> None:
    """Create or upgrade a store and register its station (safe to run again).

    ``--admin NAME`` creates the store's first admin (password asked twice, or
    ``HALLTERM_NEW_PASSWORD``); every later account is made by an admin with ``staff add``.
    """
    from hallterm.cli.store_keys import new_passphrase
    from hallterm.db.privacy.keyring import DATA_KEY
    from hallterm.db.services import ServiceError
    from hallterm.db.services.setup import init_store, local_secret_exists

    settings = make_settings(store) if store else ctx.obj["settings"]
    st = open_store(settings, create=True)
    try:
        if not local_secret_exists(st, DATA_KEY):  # a new store: its passphrase, asked twice
            passphrase = new_passphrase()
            st.keys.prompt = lambda: passphrase
        init_store(st, _ctx_for_init(code), code, name, level, parent)
        has_admin = _has_admin(st)
        if admin_user and has_admin:
            fail(_("the store has an admin already: add accounts with hallterm staff add --user"))
        if admin_user:
            _first_admin(st, code, admin_user, admin_name or admin_user)
            has_admin = True
    except ServiceError as exc:
        fail(str(exc))
    finally:
        st.dispose()
    click.echo(
        _("store {url} is ready for station {code} {name}").format(
            url=st.display_url, code=code, name=name
        )
    )
    if not has_admin:
        click.echo(_("no admin yet: run init again with --admin NAME to create the first one"))


def _has_admin(st):
    from sqlmodel import select

    from hallterm.db.models import Staff

    with st.read() as session:
        return session.exec(select(Staff.id).where(Staff.role == "admin")).first() is not None


def _first_admin(st, code: str, username: str, full_name: str) -> None:
    """The store's first admin: the one account made without another admin's sign-in."""
    from hallterm.db.services.staff import create_staff

    password = new_password()
    with st.write() as session:
        create_staff(
            session,
            _ctx_for_init(code),
            username=username,
            name=full_name,
            role="admin",
            password=password,
            station_code=code,
        )
    click.echo(_("created admin {username}").format(username=username))


def _ctx_for_init(code: str):
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
    """Check what hallterm needs on this machine (font, store, printer); reads, never writes.

    Exit 0 when the program can run, with hints for what is not there yet (no store, no
    settings file); 1 only for what would break it (no CJK font, an unreadable store, a store
    made by a newer hallterm, a printer without ``lp``).
    """
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
    path = config_path()
    if path.is_file():
        click.echo(_("ok    config file: {path}").format(path=path))
    else:
        click.echo(_("hint  no config file at {path}: the defaults are in force").format(path=path))
    ok = _check_store(settings.store_url()) and ok
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
    else:
        click.echo(_("hint  no printer configured: documents are kept as PDF files"))
    sys.exit(0 if ok else 1)


def _check_store(url: str) -> bool:
    """Report the store without creating or changing it; False only when it is unusable."""
    from hallterm.db.engine import Store, mask_url
    from hallterm.db.schema_version import SCHEMA_HEADS, stored_heads

    shown = mask_url(url)
    path = store_file(url)
    if path is not None and not path.is_file():
        click.echo(_("hint  no store yet: run hallterm demo or hallterm init"))
        return True
    st = Store(url)
    try:
        heads = stored_heads(st)
    except Exception as exc:  # noqa: BLE001 - any failure to read the store is reported
        from hallterm.failures import failure_message

        click.echo(_("FAIL  store {url}: {msg}").format(url=shown, msg=failure_message(exc)))
        return False
    finally:
        st.dispose()
    if heads is None:
        click.echo(_("hint  store {url} has no schema yet: run hallterm init").format(url=shown))
        return True
    if heads == SCHEMA_HEADS:
        click.echo(_("ok    store {url}").format(url=shown))
        return True
    if not heads - _known_revisions():
        click.echo(
            _("hint  store {url} has an older schema: it is upgraded when hallterm starts").format(
                url=shown
            )
        )
        return True
    click.echo(
        _("FAIL  store {url} was made by a newer hallterm (schema {rev})").format(
            url=shown, rev=",".join(sorted(heads))
        )
    )
    return False


def _known_revisions() -> set[str]:
    """Every revision this hallterm ships (a store at any of them can be upgraded)."""
    from alembic.script import ScriptDirectory

    from hallterm.db.migrate import alembic_config

    return {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
