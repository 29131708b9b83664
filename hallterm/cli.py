"""The command line: ``hallterm`` starts the terminal; subcommands serve admins and scripts.

Heavy libraries (reportlab, pyHanko, psycopg) are imported inside the commands that need
them, so starting the terminal stays quick.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from hallterm import __version__
from hallterm.config import Settings, config_path, data_dir, load_settings
from hallterm.i18n import _, language_from_environment, set_language

STORE_HELP = "store URL or SQLite file path (env HALLTERM_STORE)"


def _settings(store: str | None = None, **extra: object) -> Settings:
    return load_settings(store=store, **extra)


def _fail(message: str, code: int = 1) -> None:
    click.echo(message, err=True)
    sys.exit(code)


def _open_store(settings: Settings):  # type: ignore[no-untyped-def]
    from hallterm.db.engine import Store

    return Store(settings.store_url())


def _ctx(store, station_code: str | None = None):  # type: ignore[no-untyped-def]
    from hallterm.clock import Clock
    from hallterm.db.services import SYSTEM, Ctx
    from hallterm.db.services.setup import get_info

    if station_code is None:
        with store.read() as session:
            station_code = get_info(session, "station_code") or ""
    return Ctx(actor=SYSTEM, station_code=station_code, clock=Clock())


def _run_tui(settings: Settings, language: str | None) -> None:
    from hallterm.app import create_app
    from hallterm.db.engine import Store
    from hallterm.db.migrate import current_revision, head_revision, upgrade

    store = Store(settings.store_url())
    try:
        revision = current_revision(store)
        if revision is None:
            _fail(_("the store {url} is not initialised; run: hallterm init").format(url=store.display_url))
        if revision != head_revision():
            # A newer hallterm brings new migrations: apply them (one transaction) before starting.
            upgrade(store)
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
    settings = _settings(store, window=window)
    set_language(language or settings.language or language_from_environment())
    ctx.obj = {"settings": settings, "language": language}
    if ctx.invoked_subcommand is None:
        _run_tui(settings, language)


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

    settings = _settings(store) if store else ctx.obj["settings"]
    st = _open_store(settings)
    try:
        init_store(st, _ctx_for_init(code), code, name, level, parent)
    except ServiceError as exc:
        _fail(str(exc))
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


@main.command()
@click.option("--no-tui", is_flag=True, help="only prepare the demo and print where it is")
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=None, help="demo folder")
@click.pass_context
def demo(ctx: click.Context, no_tui: bool, folder: Path | None) -> None:
    """Prepare (once) the demo station with catalog and accounts, then start the terminal."""
    from hallterm.demo import prepare_demo

    folder = folder or data_dir() / "demo"
    info = prepare_demo(folder)
    click.echo(_("demo store: {path}").format(path=info.store_path))
    click.echo(_("demo accounts (user name / password / role):"))
    for username, person, role, window, password in info.accounts:
        extra = _(", window {w}").format(w=window) if window else ""
        click.echo(f"  {username:<11} {password:<11} {role} ({person}{extra})")
    if not no_tui:
        settings = load_settings(store=str(info.store_path), window=ctx.obj["settings"].window)
        _run_tui(settings, ctx.obj["language"])


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


@main.group()
def catalog() -> None:
    """Import and export the matter catalog."""


@catalog.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def catalog_import(ctx: click.Context, file: Path, store: str | None) -> None:
    """Import a catalog (JSON); a bad row is reported and nothing is written."""
    from hallterm.db.services.catalog_io import import_catalog, read_catalog_file
    from hallterm.domain.catalog import CatalogError

    settings = _settings(store) if store else ctx.obj["settings"]
    try:
        parsed, _raw = read_catalog_file(file)
    except CatalogError as exc:
        _fail(
            _("catalog not imported, nothing was written:")
            + "\n"
            + "\n".join(f"  - {p}" for p in exc.problems)
        )
    st = _open_store(settings)
    try:
        with st.write() as session:
            outcome = import_catalog(session, _ctx(st), parsed)
    except CatalogError as exc:
        _fail(
            _("catalog not imported, nothing was written:")
            + "\n"
            + "\n".join(f"  - {p}" for p in exc.problems)
        )
    finally:
        st.dispose()
    if outcome == "unchanged":
        click.echo(
            _("catalog version {v} is already in the store; nothing changed").format(
                v=parsed.version
            )
        )
    else:
        click.echo(
            _("imported catalog version {v}: {m} matters, {b} bundles").format(
                v=parsed.version, m=len(parsed.matters), b=len(parsed.bundles)
            )
        )


@catalog.command("export")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def catalog_export(ctx: click.Context, file: Path, store: str | None) -> None:
    """Export the catalog as JSON in the import format."""
    from hallterm.db.services.catalog_io import export_catalog

    settings = _settings(store) if store else ctx.obj["settings"]
    st = _open_store(settings)
    try:
        with st.read() as session:
            doc = export_catalog(session)
    finally:
        st.dispose()
    tmp = file.with_name(file.name + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(file)
    click.echo(_("exported {m} matters to {path}").format(m=len(doc["matters"]), path=file))


@main.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("add")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["clerk", "supervisor", "admin"]), required=True)
@click.option("--window", default="")
@click.option("--station", "station_code", default=None, help="defaults to the store's station")
@click.password_option(envvar="HALLTERM_NEW_PASSWORD")
@click.pass_context
def staff_add(
    ctx: click.Context,
    store: str | None,
    username: str,
    name: str,
    role: str,
    window: str,
    station_code: str | None,
    password: str,
) -> None:
    """Create a staff account (the password is asked for twice)."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.staff import create_staff

    settings = _settings(store) if store else ctx.obj["settings"]
    st = _open_store(settings)
    try:
        c = _ctx(st)
        with st.write() as session:
            create_staff(
                session,
                c,
                username=username,
                name=name,
                role=role,
                password=password,
                station_code=station_code or c.station_code,
                window=window,
            )
    except ServiceError as exc:
        _fail(str(exc))
    finally:
        st.dispose()
    click.echo(_("created {role} {username}").format(role=role, username=username))


@staff.command("role")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.argument("username")
@click.argument("role", type=click.Choice(["clerk", "supervisor", "admin"]))
@click.pass_context
def staff_role(ctx: click.Context, store: str | None, username: str, role: str) -> None:
    """Change a staff member's role (recorded in the audit trail)."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.staff import change_role

    settings = _settings(store) if store else ctx.obj["settings"]
    st = _open_store(settings)
    try:
        with st.write() as session:
            change_role(session, _ctx(st), username, role)
    except ServiceError as exc:
        _fail(str(exc))
    finally:
        st.dispose()
    click.echo(_("{username} is now {role}").format(username=username, role=role))


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


if __name__ == "__main__":
    main()
