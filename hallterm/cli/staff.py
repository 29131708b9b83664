"""``hallterm staff``: accounts and roles at a station."""

from __future__ import annotations

import click

from hallterm.cli.common import STORE_HELP, fail, make_settings, open_store, service_ctx, using
from hallterm.cli.root import main
from hallterm.i18n import _


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

    settings = make_settings(store) if store else ctx.obj["settings"]
    st = open_store(settings)
    try:
        c = service_ctx(st)
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
        fail(str(exc))
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

    settings = make_settings(store) if store else ctx.obj["settings"]
    st = open_store(settings)
    with using(st, write=True) as session:
        change_role(session, service_ctx(st), username, role)
    click.echo(_("{username} is now {role}").format(username=username, role=role))
