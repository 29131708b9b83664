"""``hallterm central``: the central store, its stations and their credentials, the sync
service, and the conflicts it quarantined.  What central publishes to stations (staff,
catalog, holidays, transfers) is in ``central_publish``.

Every command but ``init`` and ``serve`` acts as a person: ``--user NAME``, one of central's
own accounts (``init --admin`` makes the first), signed in and checked against central's
store; the audit trail names that person.  ``serve`` runs as the sync service.
"""

from __future__ import annotations

from pathlib import Path

import click

from hallterm.cli.common import (
    CENTRAL_HELP,
    acts_as_person,
    ask_passphrase,
    central_person,
    db_error,
    fail,
    mask,
    new_password,
    open_central_store,
    resolve_central,
    using,
)
from hallterm.cli.key_files import tsa_options
from hallterm.cli.root import main
from hallterm.domain.roles import Permission
from hallterm.i18n import _


@main.group()
def central() -> None:
    """The central store: stations, staff, catalog publishing, transfers, conflicts."""


@central.command("init")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.option("--admin", "admin_user", default=None, help="user name of central's first admin")
@click.option("--admin-name", default=None, help="the first admin's full name")
@click.pass_context
def central_init(
    ctx: click.Context, central_url: str | None, admin_user: str | None, admin_name: str | None
) -> None:
    """Create or upgrade the central store (safe to run again).

    ``--admin NAME`` creates central's first admin (password asked twice, or
    ``HALLTERM_NEW_PASSWORD``); every later account at central is made by an admin with
    ``central add-staff --station central``.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from hallterm.db.services import ServiceError
    from hallterm.db.sync.central import central_ctx, central_has_admin, first_admin, init_central

    url = resolve_central(ctx, central_url)
    st = open_central_store(url, create=True)
    try:
        init_central(st)
        with st.read() as session:
            has_admin = central_has_admin(session)
        if admin_user and has_admin:
            fail(
                _(
                    "central has an admin already: add accounts with "
                    "hallterm central add-staff --station central --user ADMIN"
                )
            )
        if admin_user:
            password = new_password()
            with st.write() as session:
                first_admin(session, central_ctx(), admin_user, admin_name or admin_user, password)
    except ServiceError as exc:
        fail(str(exc))
    except SQLAlchemyError as exc:
        fail(db_error(exc, url))
    finally:
        st.dispose()
    click.echo(_("central store {url} is ready").format(url=mask(url)))
    if admin_user:
        click.echo(_("created admin {username}").format(username=admin_user))
    elif not has_admin:
        click.echo(
            _("central has no admin yet: run central init again with --admin NAME to create one")
        )


@central.command("add-station")
@acts_as_person(Permission.manage_stations)
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.option("--station", "code", required=True, help="station code")
@click.option("--name", required=True, help="station name")
@click.option("--level", required=True, help="city, county, township or village (市/县/乡/村)")
@click.option("--parent", default=None, help="parent station code")
@click.option(
    "--enrol-out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="write the station's enrolment file (service URL, credential, trusted root)",
)
@click.option("--url", "service_url", default=None, help="the sync service URL stations use")
@click.option(
    "--root",
    "root_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="PEM root certificate the station trusts for the service (else the system's)",
)
@click.pass_context
def central_add_station(
    ctx: click.Context,
    central_url: str | None,
    code: str,
    name: str,
    level: str,
    parent: str | None,
    enrol_out: Path | None,
    service_url: str | None,
    root_file: Path | None,
) -> None:
    """Register a station at central; with --enrol-out, also its credential for enrolment."""
    from sqlalchemy.exc import SQLAlchemyError

    from hallterm.db.services import ServiceError
    from hallterm.db.sync.central import issue_credential, register_station
    from hallterm.db.sync.central.blind import province_blind_key, province_escrow_key
    from hallterm.db.sync.enrol import Enrolment, encode_key, write_enrolment
    from hallterm.db.sync.wire import ACCEPTS

    url = resolve_central(ctx, central_url)
    if enrol_out is not None and not service_url:
        fail(_("give the sync service URL stations use with --url"))
    person = central_person(url)
    passphrase = ""
    if enrol_out is not None:  # the enrolment carries the province keys, kept wrapped
        passphrase = ask_passphrase(_("Key passphrase: ")).decode("utf-8")
    st = open_central_store(url)
    token = blind = escrow = ""
    try:
        with st.write() as session:
            register_station(session, person, code, name, level, parent)
            if enrol_out is not None:
                token = issue_credential(session, person, code)
                blind = encode_key(province_blind_key(session, passphrase))
                escrow = encode_key(province_escrow_key(session, passphrase))
    except ServiceError as exc:
        fail(str(exc))
    except SQLAlchemyError as exc:
        fail(db_error(exc, url))
    finally:
        st.dispose()
    click.echo(_("station {code} {name} is registered at central").format(code=code, name=name))
    if enrol_out is not None and service_url:
        root = root_file.read_text(encoding="utf-8") if root_file else ""
        write_enrolment(
            enrol_out, Enrolment(service_url, code, token, root, blind, escrow, ACCEPTS)
        )
        click.echo(
            _("enrolment file written to {path}; at the station run: hallterm enrol {path}").format(
                path=enrol_out
            )
        )


@central.command("revoke-station")
@acts_as_person(Permission.manage_stations)
@click.argument("code")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_revoke_station(ctx: click.Context, code: str, central_url: str | None) -> None:
    """Revoke a station's credential: its next sync is refused (enrol it again to undo)."""
    from hallterm.db.sync.central import revoke_station

    url = resolve_central(ctx, central_url)
    person = central_person(url)
    with using(open_central_store(url), write=True, url=url) as session:
        revoke_station(session, person, code)
    click.echo(_("station {code} can no longer sync").format(code=code))


@central.command("serve")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.option("--listen", default="127.0.0.1:8765", show_default=True, help="HOST:PORT")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="processes (default: the machine's cores, at most 4; 1 for a SQLite central)",
)
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), default=None)
@tsa_options  # with a TSA, certificates get B-LTA as they arrive
@click.pass_context
def central_serve(
    ctx: click.Context,
    central_url: str | None,
    listen: str,
    workers: int | None,
    tls_cert: str | None,
    tls_key: str | None,
    tsa_file: Path | None,
    tsa_url: str | None,
    tsa_root: Path | None,
    root_cert: Path | None,
) -> None:
    """Run the sync service stations talk to (the only client of central's database)."""
    import os

    from hallterm.cli.key_files import load_tsa, tsa_config
    from hallterm.db.sync.central import check_central
    from hallterm.db.sync.service_process import default_workers, serve
    from hallterm.printing.keys import ENV_PASSPHRASE

    url = resolve_central(ctx, central_url)
    host, _sep, port = listen.rpartition(":")
    if not host or not port.isdigit():
        fail(_("--listen takes HOST:PORT, e.g. 127.0.0.1:8765"))
    if bool(tls_cert) != bool(tls_key):
        fail(_("give both --tls-cert and --tls-key"))
    tsa = tsa_config(ctx.obj["settings"], tsa_file, tsa_url, tsa_root, root_cert)
    if tsa.configured:  # loaded here once so a bad file or passphrase stops the start
        _source, passphrase = load_tsa(tsa)
        if passphrase:  # each worker process loads the key once at its start
            os.environ[ENV_PASSPHRASE] = passphrase.decode("utf-8")
        click.echo(_("certificates reaching central are timestamped (B-LTA) as they arrive"))
    else:
        click.echo(
            _("no timestamp authority given: certificates wait for hallterm central timestamp")
        )
    with using(open_central_store(url), write=False, url=url) as session:
        try:
            check_central(session)
        except Exception as exc:  # noqa: BLE001 - SyncRefused: not a central store
            fail(str(exc))
    workers = workers or default_workers(url)
    scheme = "https" if tls_cert else "http"
    click.echo(
        _("sync service for {central} on {scheme}://{listen} ({n} workers); Ctrl-C stops").format(
            central=mask(url), scheme=scheme, listen=listen, n=workers
        )
    )
    serve(
        url,
        host.strip("[]"),
        int(port),
        workers=workers,
        tls_cert=tls_cert,
        tls_key=tls_key,
        tsa=tsa,
    )


@central.command("conflicts")
@acts_as_person(Permission.read_audit)
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

    url = resolve_central(ctx, central_url)
    person = central_person(url)
    with using(open_central_store(url), write=False, url=url) as session:
        rows = list_conflicts(session, person, open_only=not show_all, station_code=station_code)
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
@acts_as_person(Permission.supervise)
@click.argument("conflict_id", type=int)
@click.option("--note", required=True, help="what was done about it")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_resolve(
    ctx: click.Context, conflict_id: int, note: str, central_url: str | None
) -> None:
    """Close a conflict with a note (it stays listed with --all)."""

    from hallterm.db.sync.central import resolve_conflict

    url = resolve_central(ctx, central_url)
    person = central_person(url)
    with using(open_central_store(url), write=True, url=url) as session:
        resolve_conflict(session, person, conflict_id, note)
    click.echo(_("conflict {id} resolved").format(id=conflict_id))
