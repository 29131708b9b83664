"""``hallterm central add-staff | publish-catalog | holiday | transfer``: what central
publishes to stations (accounts, catalog versions, calendar overrides, 通办 case transfers).

Each acts as a person signed in at central (``@acts_as_person``, ``central_person``).
"""

from __future__ import annotations

from pathlib import Path

import click

from hallterm.cli.central import central
from hallterm.cli.common import (
    CENTRAL_HELP,
    acts_as_person,
    central_person,
    db_error,
    fail,
    open_central_store,
    resolve_central,
    using,
)
from hallterm.domain.roles import Permission, Role
from hallterm.i18n import _


@central.command("add-staff")
@acts_as_person(Permission.manage_staff)
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.option(
    "--station",
    "station_code",
    required=True,
    help="the station the account works at ('central': an account of central itself)",
)
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
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

    from hallterm.db.sync.central import add_staff

    url = resolve_central(ctx, central_url)
    person = central_person(url)
    with using(open_central_store(url), write=True, url=url) as session:
        add_staff(
            session,
            person,
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
@acts_as_person(Permission.manage_catalog)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_publish_catalog(ctx: click.Context, file: Path, central_url: str | None) -> None:
    """Import a catalog version at central; every station pulls it at the next sync."""
    from sqlalchemy.exc import SQLAlchemyError

    from hallterm.db.services import ServiceError
    from hallterm.db.services.catalog.io import read_catalog_file
    from hallterm.db.sync.central import publish_catalog
    from hallterm.domain.catalog import CatalogError

    url = resolve_central(ctx, central_url)
    problems: list[str] = []
    try:
        parsed, _raw = read_catalog_file(file)
    except CatalogError as exc:
        problems = exc.problems
    if not problems:
        person = central_person(url)
        st = open_central_store(url)
        try:
            with st.write() as session:
                outcome = publish_catalog(session, person, parsed)
        except CatalogError as exc:
            problems = exc.problems
        except ServiceError as exc:
            fail(str(exc))
        except SQLAlchemyError as exc:
            fail(db_error(exc, url))
        finally:
            st.dispose()
    if problems:
        fail(
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
@acts_as_person(Permission.manage_calendar)
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

    from hallterm.db.sync.central import set_holiday

    assert isinstance(day, datetime)
    url = resolve_central(ctx, central_url)
    person = central_person(url)
    with using(open_central_store(url), write=True, url=url) as session:
        set_holiday(session, person, day.date(), is_workday, note)
    kind = _("working day") if is_workday else _("day off")
    click.echo(_("{day} is now a {kind}").format(day=day.date().isoformat(), kind=kind))


@central.command("transfer")
@acts_as_person(Permission.supervise)
@click.argument("case")
@click.option("--to", "to_station", required=True, help="the station that takes the case over")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_transfer(
    ctx: click.Context, case: str, to_station: str, central_url: str | None
) -> None:
    """通办: give a case (number or id) to another station; both pull the change."""

    from hallterm.db.sync.central import transfer_case

    url = resolve_central(ctx, central_url)
    person = central_person(url)
    with using(open_central_store(url), write=True, url=url) as session:
        moved = transfer_case(session, person, case, to_station)
    click.echo(
        _("case {number} moved from station {a} to station {b}").format(
            number=moved.number, a=moved.from_station, b=moved.to_station
        )
    )
