"""The command line: ``hallterm`` starts the terminal; subcommands serve admins and scripts.

Heavy libraries (reportlab, pyHanko, psycopg) are imported inside the commands that need
them, so starting the terminal stays quick.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


@contextmanager
def _using(store: Any, *, write: bool, url: str | None = None) -> Iterator[Any]:
    """A session of ``store`` for one command: a refused use case or a database error ends
    the command with its message (URL masked); the store is closed in every case."""
    from sqlalchemy.exc import SQLAlchemyError

    from hallterm.db.services import ServiceError

    try:
        with store.write() if write else store.read() as session:
            yield session
    except ServiceError as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        if url is None:
            raise
        _fail(_db_error(exc, url))
    finally:
        store.dispose()


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
            _fail(
                _("the store {url} is not initialised; run: hallterm init").format(
                    url=store.display_url
                )
            )
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
@click.option(
    "--history-days",
    type=click.IntRange(0, 366),
    default=0,
    help="also generate this many days of history (tickets, cases, ratings), once",
)
@click.option("--seed", type=int, default=1, help="seed of the generated history")
@click.pass_context
def demo(
    ctx: click.Context, no_tui: bool, folder: Path | None, history_days: int, seed: int
) -> None:
    """Prepare (once) the demo station with catalog and accounts, then start the terminal."""
    from hallterm.demo import prepare_demo

    folder = folder or data_dir() / "demo"
    info = prepare_demo(folder)
    if history_days:
        _demo_history(info.store_path, history_days, seed)
    click.echo(_("demo store: {path}").format(path=info.store_path))
    click.echo(_("demo accounts (user name / password / role):"))
    for username, person, role, window, password in info.accounts:
        extra = _(", window {w}").format(w=window) if window else ""
        click.echo(f"  {username:<11} {password:<11} {role} ({person}{extra})")
    click.echo(_("demo central store: {path}; sync with:").format(path=info.central_path))
    click.echo(f"  {info.sync_command}")
    if info.certificate is not None:  # electronic certificates (see hallterm.demo)
        click.echo(
            _("demo certificate {number}; key passphrase: {secret}; export and verify it:").format(
                number=info.certificate.number, secret=info.certificate.passphrase
            )
        )
        for line in info.certificate_commands:
            click.echo(f"  {line}")
    if not no_tui:
        settings = load_settings(
            store=str(info.store_path),
            window=ctx.obj["settings"].window,
            central=str(info.central_path),
        )
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
    """Import a catalog (.json or .xlsx, our or the national 实施清单 field names); a bad row
    is reported and nothing is written."""
    from hallterm.db.services.catalog_io import import_catalog
    from hallterm.db.services.catalog_xlsx import read_catalog
    from hallterm.domain.catalog import CatalogError

    settings = _settings(store) if store else ctx.obj["settings"]
    try:
        parsed, _raw = read_catalog(file)
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
@click.option("--national", is_flag=True, help="JSON with the national 实施清单 field names")
@click.pass_context
def catalog_export(ctx: click.Context, file: Path, store: str | None, national: bool) -> None:
    """Export the catalog in the import format: .xlsx (national field names) or .json."""
    from hallterm.db.services.catalog_io import export_catalog
    from hallterm.db.services.catalog_xlsx import write_catalog
    from hallterm.domain.catalog import CatalogError

    settings = _settings(store) if store else ctx.obj["settings"]
    st = _open_store(settings)
    try:
        with st.read() as session:
            doc = export_catalog(session)
    finally:
        st.dispose()
    try:
        write_catalog(doc, file, national=national)
    except (CatalogError, OSError) as exc:
        _fail("\n".join(getattr(exc, "problems", None) or [str(exc)]))
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
    from hallterm.db.services.staff import change_role

    settings = _settings(store) if store else ctx.obj["settings"]
    st = _open_store(settings)
    with _using(st, write=True) as session:
        change_role(session, _ctx(st), username, role)
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


# -- sync and central (station ⇄ central; DESIGN §4) -------------------------------------

CENTRAL_HELP = "central store URL or SQLite file path (env HALLTERM_CENTRAL)"


def _central_url(ctx: click.Context, central: str | None) -> str:
    url = central or ctx.obj["settings"].central
    if not url:
        _fail(_("give the central store with --central URL (or HALLTERM_CENTRAL)"))
    return url


def _open_central(url: str):  # type: ignore[no-untyped-def]
    from hallterm.db.sync.runner import open_central

    return open_central(url)


def _db_error(exc: Exception, url: str) -> str:
    """A one-line database error with the URL masked (never the password)."""
    from hallterm.db.engine import mask_url
    from hallterm.db.sync.runner import describe_error

    return _("cannot use {url}: {error}").format(url=mask_url(url), error=describe_error(exc))


@main.group()
def central() -> None:
    """The central store: stations, staff, catalog publishing, transfers, conflicts."""


@central.command("init")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_init(ctx: click.Context, central_url: str | None) -> None:
    """Create or upgrade the central store (safe to run again)."""
    from sqlalchemy.exc import SQLAlchemyError

    from hallterm.db.services import ServiceError
    from hallterm.db.sync.central import init_central

    url = _central_url(ctx, central_url)
    st = _open_central(url)
    try:
        init_central(st)
    except ServiceError as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        _fail(_db_error(exc, url))
    finally:
        st.dispose()
    click.echo(_("central store {url} is ready").format(url=_mask(url)))


@central.command("add-station")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.option("--station", "code", required=True, help="station code")
@click.option("--name", required=True, help="station name")
@click.option("--level", required=True, help="city, county, township or village (市/县/乡/村)")
@click.option("--parent", default=None, help="parent station code")
@click.option(
    "--password-for-role",
    "role_password",
    is_flag=False,
    flag_value="",
    default=None,
    envvar="HALLTERM_ROLE_PASSWORD",
    help="PostgreSQL: create the station's login role (no value: asked for)",
)
@click.pass_context
def central_add_station(
    ctx: click.Context,
    central_url: str | None,
    code: str,
    name: str,
    level: str,
    parent: str | None,
    role_password: str | None,
) -> None:
    """Register a station at central (and, on PostgreSQL, its own login role)."""
    from sqlalchemy.exc import SQLAlchemyError

    from hallterm.db.engine import mask_url
    from hallterm.db.services import ServiceError
    from hallterm.db.sync.central import central_ctx, register_station

    url = _central_url(ctx, central_url)
    if role_password == "":  # the flag without a value: the environment, else ask
        role_password = os.environ.get("HALLTERM_ROLE_PASSWORD") or click.prompt(
            _("password for the station's login role"), hide_input=True, confirmation_prompt=True
        )
    st = _open_central(url)
    role = None
    try:
        if role_password and st.dialect != "postgresql":
            _fail(_("login roles exist only on PostgreSQL"))
        with st.write() as session:
            register_station(session, central_ctx(), code, name, level, parent)
            if role_password:
                from hallterm.db.sync.security import ensure_station_role

                role = ensure_station_role(session, code, role_password)
    except ServiceError as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        _fail(_db_error(exc, url))
    finally:
        st.dispose()
    click.echo(_("station {code} {name} is registered at central").format(code=code, name=name))
    if role:
        from sqlalchemy.engine import make_url

        station_url = make_url(url).set(username=role, password="***")
        click.echo(
            _("the station connects as: {url}").format(
                url=mask_url(station_url.render_as_string(hide_password=False))
            )
        )


@central.command("add-staff")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.option("--station", "station_code", required=True, help="the station the account works at")
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["clerk", "supervisor", "admin"]), required=True)
@click.option("--window", default="")
@click.password_option(envvar="HALLTERM_NEW_PASSWORD")
@click.pass_context
def central_add_staff(
    ctx: click.Context,
    central_url: str | None,
    station_code: str,
    username: str,
    name: str,
    role: str,
    window: str,
    password: str,
) -> None:
    """Create a staff account at central; its station pulls it at the next sync."""

    from hallterm.db.sync.central import add_staff, central_ctx

    url = _central_url(ctx, central_url)
    with _using(_open_central(url), write=True, url=url) as session:
        add_staff(
            session,
            central_ctx(),
            username=username,
            name=name,
            role=role,
            password=password,
            station_code=station_code,
            window=window,
        )
    click.echo(
        _("created {role} {username} for station {code}").format(
            role=role, username=username, code=station_code
        )
    )


@central.command("publish-catalog")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_publish_catalog(ctx: click.Context, file: Path, central_url: str | None) -> None:
    """Import a catalog version at central; every station pulls it at the next sync."""
    from sqlalchemy.exc import SQLAlchemyError

    from hallterm.db.services.catalog_io import read_catalog_file
    from hallterm.db.sync.central import central_ctx, publish_catalog
    from hallterm.domain.catalog import CatalogError

    url = _central_url(ctx, central_url)
    problems: list[str] = []
    try:
        parsed, _raw = read_catalog_file(file)
    except CatalogError as exc:
        problems = exc.problems
    if not problems:
        st = _open_central(url)
        try:
            with st.write() as session:
                outcome = publish_catalog(session, central_ctx(), parsed)
        except CatalogError as exc:
            problems = exc.problems
        except SQLAlchemyError as exc:
            _fail(_db_error(exc, url))
        finally:
            st.dispose()
    if problems:
        _fail(
            _("catalog not published, nothing was written:")
            + "\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    if outcome == "unchanged":
        click.echo(_("catalog version {v} was already published").format(v=parsed.version))
    else:
        click.echo(
            _("published catalog version {v}: {m} matters, {b} bundles").format(
                v=parsed.version, m=len(parsed.matters), b=len(parsed.bundles)
            )
        )


@central.command("holiday")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--workday/--day-off", "is_workday", required=True, help="a working day or a day off")
@click.option("--note", default="", help="e.g. 春节调休")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_holiday(
    ctx: click.Context, day: object, is_workday: bool, note: str, central_url: str | None
) -> None:
    """Set a calendar override at central; every station pulls it at the next sync."""
    from datetime import datetime

    from hallterm.db.sync.central import central_ctx, set_holiday

    assert isinstance(day, datetime)
    url = _central_url(ctx, central_url)
    with _using(_open_central(url), write=True, url=url) as session:
        set_holiday(session, central_ctx(), day.date(), is_workday, note)
    kind = _("working day") if is_workday else _("day off")
    click.echo(_("{day} is now a {kind}").format(day=day.date().isoformat(), kind=kind))


@central.command("transfer")
@click.argument("case")
@click.option("--to", "to_station", required=True, help="the station that takes the case over")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_transfer(
    ctx: click.Context, case: str, to_station: str, central_url: str | None
) -> None:
    """通办: give a case (number or id) to another station; both pull the change."""

    from hallterm.db.sync.central import central_ctx, transfer_case

    url = _central_url(ctx, central_url)
    with _using(_open_central(url), write=True, url=url) as session:
        moved = transfer_case(session, central_ctx(), case, to_station)
    click.echo(
        _("case {number} moved from station {a} to station {b}").format(
            number=moved.number, a=moved.from_station, b=moved.to_station
        )
    )


@central.command("conflicts")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.option("--all", "show_all", is_flag=True, help="also resolved conflicts")
@click.option("--station", "station_code", default=None, help="only this station")
@click.pass_context
def central_conflicts(
    ctx: click.Context, central_url: str | None, show_all: bool, station_code: str | None
) -> None:
    """List the quarantine: events and changes central did not apply."""

    from hallterm.clock import fmt_local
    from hallterm.db.sync.central import list_conflicts, problem_label

    url = _central_url(ctx, central_url)
    with _using(_open_central(url), write=False, url=url) as session:
        rows = list_conflicts(session, open_only=not show_all, station_code=station_code)
    if not rows:
        click.echo(_("no conflicts"))
        return
    for q in rows:
        where = f" {q.table_name} {q.row_key}".rstrip() if q.table_name else ""
        state = _("resolved") if q.resolved_at else _("unresolved")
        click.echo(
            f"#{q.id} {fmt_local(q.created_at)} {q.station_code} seq={q.seq or '-'} "
            f"[{state}] {problem_label(q.problem)}{where}"
        )
        click.echo(f"    {q.detail}")
        if q.event_id:
            click.echo(_("    event {id}").format(id=q.event_id))
        if q.resolution:
            click.echo(
                _("    resolved by {who}: {note}").format(who=q.resolved_by, note=q.resolution)
            )
    click.echo(_("{n} conflicts").format(n=len(rows)))


@central.command("resolve")
@click.argument("conflict_id", type=int)
@click.option("--note", required=True, help="what was done about it")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_resolve(
    ctx: click.Context, conflict_id: int, note: str, central_url: str | None
) -> None:
    """Close a conflict with a note (it stays listed with --all)."""

    from hallterm.db.sync.central import central_ctx, resolve_conflict

    url = _central_url(ctx, central_url)
    with _using(_open_central(url), write=True, url=url) as session:
        resolve_conflict(session, central_ctx(), conflict_id, note)
    click.echo(_("conflict {id} resolved").format(id=conflict_id))


def _summary_line(summary) -> str:  # type: ignore[no-untyped-def]
    return _(
        "pushed {pushed}, duplicates {duplicates}, conflicts {conflicts}, pulled {pulled}"
    ).format(
        pushed=summary.pushed,
        duplicates=summary.duplicates,
        conflicts=summary.conflicts,
        pulled=summary.pulled,
    )


def _summary_notes(summary) -> list[str]:  # type: ignore[no-untyped-def]
    notes = []
    if summary.conflicts:
        notes.append(_("conflicts are kept at central; list them with: hallterm central conflicts"))
    if summary.pull_conflicts:
        notes.append(
            _(
                "{n} pulled items could not be applied here (kept in this store's quarantine)"
            ).format(n=summary.pull_conflicts)
        )
    if summary.requeued:
        notes.append(
            _("central had lost {n} events; they were sent again").format(n=summary.requeued)
        )
    if summary.reset:
        notes.append(_("central asked for a full pull; everything was pulled again"))
    if summary.diverged:
        notes.append(
            _("warning: this station's event chain differs from central's: {why}").format(
                why=summary.diverged
            )
        )
    return notes


@main.command("sync")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.option("--watch", is_flag=True, help="keep syncing (back-off after failures); Ctrl-C stops")
@click.option("--batch", type=click.IntRange(1, 10000), default=None, help="events per batch")
@click.pass_context
def sync_cmd(
    ctx: click.Context, store: str | None, central_url: str | None, watch: bool, batch: int | None
) -> None:
    """Push this station's waiting events to central, then pull what central has for it."""
    import threading

    from hallterm.clock import Clock, fmt_local
    from hallterm.db.sync.central import SyncRefused
    from hallterm.db.sync.push import unsent_count
    from hallterm.db.sync.runner import station_code_of, sync_once
    from hallterm.db.sync.runner import watch as watch_loop

    settings = _settings(store) if store else ctx.obj["settings"]
    url = _central_url(ctx, central_url)
    batch = batch or settings.sync_batch
    local = _open_store(settings)
    try:
        try:
            code = station_code_of(local)
        except SyncRefused as exc:
            _fail(str(exc))
        if watch:
            stop = threading.Event()
            click.echo(
                _("syncing {store} with {central} every {s} s; Ctrl-C stops").format(
                    store=local.display_url, central=_mask(url), s=settings.sync_interval_seconds
                )
            )

            def report(summary, error) -> None:  # type: ignore[no-untyped-def]
                stamp = fmt_local(Clock().now(), with_seconds=True)
                if error is not None:
                    click.echo(f"{stamp} " + _db_error(error, url), err=True)
                else:
                    click.echo(f"{stamp} " + _summary_line(summary))
                    for note in _summary_notes(summary):
                        click.echo("  " + note)

            try:
                watch_loop(
                    local,
                    url,
                    interval=settings.sync_interval_seconds,
                    batch=batch,
                    stop=stop,
                    on_result=report,
                )
            except KeyboardInterrupt:
                stop.set()
            return
        with local.read() as session:
            waiting = unsent_count(session, code)
        central_store = _open_central(url)
        try:
            with click.progressbar(
                length=max(waiting, 1), label=_("pushing {n} events").format(n=waiting)
            ) as bar:

                def progress(kind: str, n: int) -> None:
                    if kind == "push":
                        bar.update(n)

                summary = sync_once(local, central_store, batch=batch, progress=progress)
                if not waiting:
                    bar.update(1)
        except SyncRefused as exc:
            _fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - any failure is reported, masked
            _fail(_db_error(exc, url) + "\n" + _("nothing is lost: run hallterm sync again later"))
        finally:
            central_store.dispose()
    finally:
        local.dispose()
    click.echo(_summary_line(summary))
    for note in _summary_notes(summary):
        click.echo(note)


def _mask(url: str) -> str:
    from hallterm.db.engine import mask_url

    return mask_url(url)


# --------------------------------------------------------------------------- governance (issue 7)
# catalog lint / guide / publish, audit verify / search, backup, restore.


def _store_settings(ctx: click.Context, store: str | None) -> Settings:
    return _settings(store) if store else ctx.obj["settings"]


def _lint_table(findings) -> list[str]:  # type: ignore[no-untyped-def]
    from hallterm.domain.catalog_lint import ERROR

    labels = {ERROR: _("error"), "warning": _("warning")}
    width = max([len(f.code) for f in findings] + [4])
    return [
        f"{labels.get(f.severity, f.severity):<4} {f.code:<{width}}  {f.where}: {f.message}"
        for f in findings
    ]


@catalog.command("lint")
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--json", "as_json", is_flag=True, help="findings as JSON lines")
@click.pass_context
def catalog_lint(ctx: click.Context, file: Path | None, store: str | None, as_json: bool) -> None:
    """Find duplicated, empty or contradictory catalog entries in FILE (.json/.xlsx, need not
    import) or in the store; exit status 1 when there are errors."""
    from hallterm.domain.catalog_lint import ERROR

    if file is not None:
        from hallterm.db.services.catalog_xlsx import lint_file

        findings = lint_file(file)
    else:
        from hallterm.db.services.catalog_xlsx import lint_store

        st = _open_store(_store_settings(ctx, store))
        try:
            with st.read() as session:
                findings = lint_store(session)
        except Exception as exc:  # noqa: BLE001 - a store that cannot be read is reported
            _fail(
                _("cannot read the catalog of {url}: {error}").format(url=st.display_url, error=exc)
            )
        finally:
            st.dispose()
    findings = sorted(findings, key=lambda f: f.severity != ERROR)
    errors = sum(1 for f in findings if f.severity == ERROR)
    if as_json:
        for f in findings:
            click.echo(json.dumps(f.__dict__, ensure_ascii=False))
    else:
        for line in _lint_table(findings):
            click.echo(line)
        click.echo(
            _("{errors} errors, {warnings} warnings").format(
                errors=errors, warnings=len(findings) - errors
            )
        )
    sys.exit(1 if errors else 0)


@catalog.command("guide")
@click.argument("code")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="PDF file")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def catalog_guide(ctx: click.Context, code: str, out: Path, store: str | None) -> None:
    """Print the service guide (办事指南) of a matter or bundle CODE as a PDF."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.catalog_xlsx import print_guide
    from hallterm.printing.fonts import FontNotFound

    settings = _store_settings(ctx, store)
    st = _open_store(settings)
    try:
        path, _message = print_guide(
            st, _ctx(st), code, out=out, font_path=settings.font_path or None
        )
    except (ServiceError, FontNotFound) as exc:
        _fail(str(exc))
    finally:
        st.dispose()
    click.echo(_("wrote {path}").format(path=path))


@catalog.command("publish")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="folder")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def catalog_publish(ctx: click.Context, out: Path, store: str | None) -> None:
    """Publish the catalog as static HTML pages plus catalog.json (政务公开), readable offline."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.catalog_xlsx import publish

    st = _open_store(_store_settings(ctx, store))
    try:
        report = publish(st, _ctx(st), out)
    except ServiceError as exc:
        _fail(str(exc))
    finally:
        st.dispose()
    click.echo(
        _("published {m} matters and {b} bundles to {path}").format(
            m=report.matters, b=report.bundles, path=report.folder
        )
    )


@main.group()
def audit() -> None:
    """The audit trail: check the event hash chains, search the events."""


@audit.command("verify")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--station", "station_code", default=None, help="only this station's chain")
@click.pass_context
def audit_verify(ctx: click.Context, store: str | None, station_code: str | None) -> None:
    """Walk every station's event chain; report the first broken link of each (exit 1)."""
    from hallterm.db.services.audit import verify_store

    st = _open_store(_store_settings(ctx, store))
    try:
        with st.read() as session:
            reports = verify_store(session, station_code)
    except Exception as exc:  # noqa: BLE001 - reported, masked
        _fail(_("cannot read {url}: {error}").format(url=st.display_url, error=exc))
    finally:
        st.dispose()
    broken = 0
    for r in reports:
        if r.ok:
            click.echo(
                _("ok      station {station}: {n} events, chain intact").format(
                    station=r.station_code, n=r.events
                )
            )
        else:
            broken += 1
            click.echo(
                _(
                    "BROKEN  station {station}: first broken link at position {position} "
                    "(seq {seq}, event {event}): {problem}"
                ).format(
                    station=r.station_code,
                    position=r.position,
                    seq=r.seq if r.seq is not None else "—",
                    event=r.event_id or "—",
                    problem=r.problem,
                )
            )
    if not reports:
        click.echo(_("no events in the store"))
    sys.exit(1 if broken else 0)


@audit.command("search")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--actor", default=None, help="user name")
@click.option("--kind", default=None, help="event kind, a family (staff) or a pattern (*.printed)")
@click.option("--entity", default=None, help="e.g. applicant, case, staff")
@click.option("--entity-id", default=None)
@click.option("--station", "station_code", default=None)
@click.option("--from", "date_from", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option("--to", "date_to", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@click.option("--text", default=None, help="text inside the event's payload")
@click.option("--limit", type=click.IntRange(1, 1000), default=100)
@click.option("--json", "as_json", is_flag=True, help="events as JSON lines")
@click.pass_context
def audit_search(
    ctx: click.Context,
    store: str | None,
    actor: str | None,
    kind: str | None,
    entity: str | None,
    entity_id: str | None,
    station_code: str | None,
    date_from,  # type: ignore[no-untyped-def]
    date_to,  # type: ignore[no-untyped-def]
    text: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Search the audit trail (newest first; dates are the hall's calendar days)."""
    from hallterm.clock import fmt_local
    from hallterm.db.services.audit import search_events

    st = _open_store(_store_settings(ctx, store))
    try:
        with st.read() as session:
            rows = search_events(
                session,
                actor=actor,
                kind=kind,
                entity=entity,
                entity_id=entity_id,
                station_code=station_code,
                date_from=date_from.date() if date_from else None,
                date_to=date_to.date() if date_to else None,
                text=text,
                limit=limit,
            )
    finally:
        st.dispose()
    for r in rows:
        if as_json:
            record = dict(r.__dict__, at=r.at.isoformat())
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(
                f"{fmt_local(r.at, with_seconds=True)}  {r.station_code}#{r.seq:<6} "
                f"{r.actor:<12} {r.kind:<28} {r.entity} {r.entity_id}  {r.summary}"
            )
    if not as_json:
        click.echo(_("{n} events").format(n=len(rows)))


@main.command("backup")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--to", "dest", type=click.Path(path_type=Path), required=True, help="backup file")
@click.option("--force", is_flag=True, help="replace an existing backup file")
@click.pass_context
def backup_cmd(ctx: click.Context, store: str | None, dest: Path, force: bool) -> None:
    """A consistent, chain-checked copy of a SQLite store while clerks keep working."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.backup import backup_store

    settings = _store_settings(ctx, store)
    try:
        report = backup_store(settings.store_url(), dest, force=force)
    except ServiceError as exc:
        _fail(str(exc))
    click.echo(
        _("backup written to {path} ({size} bytes, {events} events, chains intact)").format(
            path=report.path, size=report.size, events=report.events
        )
    )


@main.command("restore")
@click.option("--from", "source", type=click.Path(path_type=Path), required=True, help="backup")
@click.option("--store", envvar="HALLTERM_STORE", required=True, help="SQLite file to restore to")
@click.option("--force", is_flag=True, help="replace an existing store (stop hallterm first)")
def restore_cmd(source: Path, store: str, force: bool) -> None:
    """Restore a SQLite store from a backup, after checking the backup's event chains."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.backup import restore_store

    try:
        report = restore_store(source, store, force=force)
    except ServiceError as exc:
        _fail(str(exc))
    click.echo(
        _("restored {path} from {source} ({events} events, chains intact)").format(
            path=report.path, source=source, events=report.events
        )
    )


@main.group()
def interaction() -> None:
    """Consultations, complaints and corrections (政务互动)."""


@interaction.command("deadline")
@click.argument("kind", type=click.Choice(["consultation", "complaint", "correction"]))
@click.argument("days", type=click.IntRange(1, 60), required=False)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def interaction_deadline(
    ctx: click.Context, kind: str, days: int | None, store: str | None
) -> None:
    """Show, or set to DAYS, the working days allowed to reply to items of KIND."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.interaction import reply_days, set_reply_days

    st = _open_store(_store_settings(ctx, store))
    try:
        if days is not None:
            with st.write() as session:
                set_reply_days(session, _ctx(st), kind, days)
        with st.read() as session:
            current = reply_days(session, kind)
    except ServiceError as exc:
        _fail(str(exc))
    finally:
        st.dispose()
    click.echo(_("{kind}: reply within {n} working days").format(kind=kind, n=current))


# --- electronic certificates: keys, certificate, verify ----------------------------------


def _quiet_pyhanko() -> None:
    import logging

    logging.getLogger("pyhanko").setLevel(logging.ERROR)


def _passphrase(prompt: str, confirm: bool = False) -> bytes:
    from hallterm.printing.keys import KeyFileError, passphrase_from_env_or_prompt

    try:
        return passphrase_from_env_or_prompt(prompt, confirm=confirm)
    except KeyFileError as exc:
        _fail(str(exc))
        raise AssertionError from None


@main.group()
def keys() -> None:
    """Signing keys: the central root, station certificates, installing a key."""


@keys.command("init-root")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="root key file")
@click.option("--name", default="hallterm root", help="root common name")
def keys_init_root(out: Path, name: str) -> None:
    """Make the central root key (P-256, encrypted PKCS#12)."""
    from hallterm.printing.keys import KeyFileError, make_root

    secret = _passphrase(_("New passphrase: "), confirm=True)
    try:
        make_root(name, out, secret)
    except KeyFileError as exc:
        _fail(str(exc))
    click.echo(_("root key written to {path}").format(path=out))


@keys.command("issue-station")
@click.option("--root", type=click.Path(path_type=Path), required=True, help="root key file")
@click.option("--station", required=True, help="station code")
@click.option("--name", required=True, help="station name")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="station key file")
@click.option("--days", type=click.IntRange(1, 3650), default=730, show_default=True)
def keys_issue_station(root: Path, station: str, name: str, out: Path, days: int) -> None:
    """Issue a station signing certificate under the root (same passphrase for both files)."""
    from hallterm.printing.keys import KeyFileError, issue_station, load_p12

    secret = _passphrase(_("Passphrase: "))
    try:
        issue_station(load_p12(root, secret), station, name, out, secret, days=days)
    except KeyFileError as exc:
        _fail(str(exc))
    click.echo(_("station key written to {path}").format(path=out))


@keys.command("install")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def keys_install(ctx: click.Context, file: Path, store: str | None) -> None:
    """Install a station key file into this store's data folder (mode 0600)."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.certificates import install_key
    from hallterm.printing.keys import KeyFileError

    secret = _passphrase(_("Passphrase: "))
    st = _open_store(_store_settings(ctx, store))
    try:
        with st.write() as session:
            dest = install_key(session, file, data_dir() / "keys", secret)
    except (KeyFileError, ServiceError) as exc:
        _fail(str(exc))
    finally:
        st.dispose()
    click.echo(_("key installed: {path}").format(path=dest))


@keys.command("export-root")
@click.option("--root", type=click.Path(path_type=Path), default=None, help="root key file")
@click.option("--from-store", is_flag=True, help="the trusted root recorded in the store")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="PEM file")
@click.pass_context
def keys_export_root(
    ctx: click.Context, root: Path | None, from_store: bool, store: str | None, out: Path
) -> None:
    """Write the trusted root certificate (PEM) for verifiers."""
    from hallterm.db.services.certificates import trusted_roots
    from hallterm.printing.keys import KeyFileError, load_p12, write_pem

    if root is not None:
        try:
            cert = load_p12(root, _passphrase(_("Passphrase: "))).cert
        except KeyFileError as exc:
            _fail(str(exc))
            return
    else:
        st = _open_store(_store_settings(ctx, store))
        try:
            with st.read() as session:
                roots = trusted_roots(session)
        finally:
            st.dispose()
        if not roots:
            _fail(_("the store has no trusted root; install a key first"))
        cert = roots[0]
    write_pem(cert, out)
    click.echo(_("root certificate written to {path}").format(path=out))


@main.group()
def certificate() -> None:
    """Electronic certificates: list, issue, export, revoke."""


@certificate.command("list")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--search", "query", default="", help="number, holder, type or case number")
@click.pass_context
def certificate_list(ctx: click.Context, store: str | None, query: str) -> None:
    """List issued certificates, newest first."""
    from hallterm.db.services.certificates import list_certificates

    st = _open_store(_store_settings(ctx, store))
    try:
        with st.read() as session:
            rows = list_certificates(session, query)
    finally:
        st.dispose()
    for r in rows:
        state = _("revoked") if r.revoked else _("valid")
        click.echo(f"{r.number}  {r.certificate_type}  {r.holder}  {r.case_number}  {state}")


@certificate.command("issue")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--case", "case_no", required=True, help="case number")
@click.option("--field", "fields", multiple=True, help="KEY=VALUE (repeatable)")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="also write the PDF")
@click.pass_context
def certificate_issue(
    ctx: click.Context, store: str | None, case_no: str, fields: tuple[str, ...], out: Path | None
) -> None:
    """Issue the certificate of an approved case, signed with the installed key."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.certificates import issue_certificate, load_signer
    from hallterm.printing.keys import KeyFileError

    _quiet_pyhanko()
    values: dict[str, str] = {}
    for item in fields:
        key, sep, value = item.partition("=")
        if not sep:
            _fail(_("--field needs KEY=VALUE, got {item!r}").format(item=item))
        values[key.strip()] = value
    secret = _passphrase(_("Passphrase: "))
    st = _open_store(_store_settings(ctx, store))
    try:
        with st.write() as session:
            signer = load_signer(session, secret)
            number, pdf = issue_certificate(session, _ctx(st), case_no, values, signer)
    except (KeyFileError, ServiceError) as exc:
        _fail(str(exc))
        return
    finally:
        st.dispose()
    if out is not None:
        out.write_bytes(pdf)
    click.echo(_("certificate issued: {number}").format(number=number))


@certificate.command("export")
@click.argument("number")
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def certificate_export(ctx: click.Context, number: str, out: Path, store: str | None) -> None:
    """Write the signed PDF of certificate NUMBER exactly as issued."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.certificates import certificate_pdf

    st = _open_store(_store_settings(ctx, store))
    try:
        with st.read() as session:
            pdf = certificate_pdf(session, number)
    except ServiceError as exc:
        _fail(str(exc))
        return
    finally:
        st.dispose()
    out.write_bytes(pdf)
    click.echo(_("written: {path}").format(path=out))


@certificate.command("revoke")
@click.argument("number")
@click.option("--reason", required=True)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def certificate_revoke(ctx: click.Context, number: str, reason: str, store: str | None) -> None:
    """Revoke certificate NUMBER (as the system administrator)."""
    from hallterm.db.services.certificates import revoke

    st = _open_store(_store_settings(ctx, store))
    with _using(st, write=True) as session:
        revoke(session, _ctx(st), number, reason)
    click.echo(_("certificate {number} revoked").format(number=number))


@main.command()
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--qr", "qr_text", default=None, help="the scanned text of a QR code")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--root", "root_pem", type=click.Path(path_type=Path), default=None)
@click.option(
    "--central",
    envvar="HALLTERM_CENTRAL",
    default=None,
    help="also check central's revocation list",
)
@click.pass_context
def verify(
    ctx: click.Context,
    file: Path | None,
    qr_text: str | None,
    store: str | None,
    root_pem: Path | None,
    central: str | None,
) -> None:
    """Verify a certificate PDF (or --qr TEXT); exit 0 valid, 1 invalid, 2 revoked, 3 untrusted."""
    from hallterm.db.services.certificates import (
        record_lookup,
        revoked_numbers,
        station_certificates,
        trusted_roots,
    )
    from hallterm.printing.keys import KeyFileError, load_pem_certs
    from hallterm.printing.verify import verify_pdf, verify_qr

    _quiet_pyhanko()
    if (file is None) == (qr_text is None):
        _fail(_("give a PDF file or --qr TEXT"), 1)
    roots: list = []
    station_certs: list = []
    revoked: set[str] = set()
    records: dict = {}
    settings = _store_settings(ctx, store)
    if store or root_pem is None:
        st = _open_store(settings)
        try:
            with st.read() as session:
                roots = trusted_roots(session)
                revoked = revoked_numbers(session)
                records = record_lookup(session)
                station_certs = station_certificates(session)
        except Exception as exc:
            click.echo(_("store not readable: {reason}").format(reason=exc), err=True)
        finally:
            st.dispose()
    if central:
        revoked |= _central_revocations(central)
    try:
        if root_pem is not None:
            roots = load_pem_certs(root_pem)
        if file is not None:
            result = verify_pdf(file.read_bytes(), roots, revoked, records.get)
        else:
            result = verify_qr(qr_text or "", roots, station_certs, revoked, records.get)
    except (KeyFileError, OSError) as exc:
        _fail(str(exc), 3)
        return
    for line in result.lines:
        click.echo(line)
    sys.exit(result.exit_code)


def _central_revocations(url: str) -> set[str]:
    """Central's revocation list, or the local one alone when central cannot be reached."""
    from hallterm.db.engine import mask_url
    from hallterm.db.services.certificates import revoked_numbers
    from hallterm.db.sync.runner import open_central

    st = open_central(url)
    try:
        with st.read() as session:
            numbers = revoked_numbers(session)
        click.echo(_("central revocation list checked ({url})").format(url=mask_url(url)))
        return numbers
    except Exception:  # noqa: BLE001 - offline is normal at a station
        click.echo(
            _("central {url} not reachable: the local revocation list was used").format(
                url=mask_url(url)
            )
        )
        return set()
    finally:
        st.dispose()


# -- queue, public display and efficiency report (issue 6) ------------------------------------


def _demo_history(store_path: Path, days: int, seed: int) -> None:
    from hallterm.db.engine import Store
    from hallterm.db.services.history import DEMO_PASSWORD, generate_history

    click.echo(_("generating {days} days of history (seed {seed}) …").format(days=days, seed=seed))
    st = Store(str(store_path))
    try:
        h = generate_history(
            st,
            days=days,
            seed=seed,
            progress=lambda _day: click.echo(".", nl=False),
            signer=_demo_signer(st),
        )
        click.echo()
    finally:
        st.dispose()
    if not h.created:
        click.echo(
            _("the demo already has its history ({days} days, seed {seed})").format(
                days=h.days, seed=h.seed
            )
        )
    click.echo(
        _(
            "history: {tickets} tickets, {cases} cases, {ratings} ratings, "
            "{certificates} certificates"
        ).format(tickets=h.tickets, cases=h.cases, ratings=h.ratings, certificates=h.certificates)
    )
    click.echo(
        _("more clerks for the queue: clerk2, clerk3 (password {pw})").format(pw=DEMO_PASSWORD)
    )


def _demo_signer(st):  # type: ignore[no-untyped-def]
    """The demo station's signing key (so the history has certificates), or None."""
    try:
        from hallterm.db.services.certificates import load_signer
        from hallterm.demo import DEMO_PASSPHRASE

        with st.read() as session:
            return load_signer(session, DEMO_PASSPHRASE.encode())
    except Exception:  # noqa: BLE001 - no key installed: a history without certificates
        return None


def _ready_store(settings: Settings):  # type: ignore[no-untyped-def]
    """The configured store, upgraded to the current schema; exits when not initialised."""
    from hallterm.db.engine import Store
    from hallterm.db.migrate import current_revision, head_revision, upgrade

    st = Store(settings.store_url())
    revision = current_revision(st)
    if revision is None:
        st.dispose()
        _fail(
            _("the store {url} is not initialised; run: hallterm init").format(url=st.display_url)
        )
    if revision != head_revision():
        upgrade(st)
    return st


@main.command()
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--no-print", is_flag=True, help="keep ticket slips as PDF only")
@click.pass_context
def kiosk(ctx: click.Context, store: str | None, no_print: bool) -> None:
    """The full-screen ticket machine (no sign-in)."""
    from hallterm.screens.kiosk import KioskApp

    settings = _settings(store) if store else ctx.obj["settings"]
    st = _ready_store(settings)
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

    settings = _settings(store) if store else ctx.obj["settings"]
    st = _ready_store(settings)
    try:
        DisplayApp(st, settings, language=ctx.obj["language"]).run()
    finally:
        st.dispose()


@main.command()
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--by",
    type=click.Choice(["department", "matter", "station", "clerk"]),
    default="department",
    show_default=True,
)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), help="default: from --out"
)
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--station", "within", default=None, help="only this station and those below it")
@click.pass_context
def report(
    ctx: click.Context,
    store: str | None,
    start: object,
    end: object,
    by: str,
    fmt: str | None,
    out: Path,
    within: str | None,
) -> None:
    """Write the efficiency table (CSV, XLSX or the PDF report) without the terminal."""
    from hallterm.clock import Clock, to_local
    from hallterm.db.services.efficiency import daily_series, efficiency_table
    from hallterm.db.services.setup import get_info
    from hallterm.printing.fonts import FontNotFound
    from hallterm.printing.report import write_report

    first, last = start.date(), end.date()  # type: ignore[attr-defined]
    if last < first:
        _fail(_("--to ({end}) is before --from ({start})").format(end=last, start=first), 2)
    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt not in ("csv", "xlsx", "pdf"):
        _fail(_("say --format csv, xlsx or pdf (or give --out such a suffix)"), 2)
    settings = _settings(store) if store else ctx.obj["settings"]
    st = _ready_store(settings)
    now = Clock().now()
    try:
        with st.read() as session:
            table = efficiency_table(
                session, by=by, start=first, end=last, today=to_local(now).date(), within=within
            )
            series = daily_series(session, first, last, within)
            code = get_info(session, "station_code") or ""
            from hallterm.db.models import Station

            station = session.get(Station, code) if code else None
            issuer = station.name if station else code
        path = write_report(
            table,
            out,
            fmt,
            issuer=issuer,
            generated_at=now,
            series=series,
            font_path=settings.font_path or None,
        )
    except FontNotFound as exc:
        _fail(str(exc))
        return
    finally:
        st.dispose()
    click.echo(
        _("wrote {path}: {rows} rows by {by}, {start} to {end}").format(
            path=path, rows=len(table.rows), by=by, start=first, end=last
        )
    )


if __name__ == "__main__":
    main()
