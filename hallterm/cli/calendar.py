"""``hallterm calendar`` and ``hallterm central calendar``: load a year's official holiday
arrangement; ``hallterm papers``: the station's settings for its printed papers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hallterm.cli.central import central
from hallterm.cli.common import (
    CENTRAL_HELP,
    STORE_HELP,
    acts_as_person,
    central_person,
    fail,
    open_central_store,
    open_store,
    resolve_central,
    service_ctx,
    store_settings,
    using,
)
from hallterm.cli.root import main
from hallterm.domain.roles import Permission
from hallterm.i18n import _

if TYPE_CHECKING:  # the services are imported by the commands, not at start-up
    from hallterm.db.services.calendar import ImportResult
    from hallterm.domain.workdays import Arrangement


def _arrangements(file: Path) -> list[Arrangement]:
    from hallterm.domain.workdays import read_arrangements

    arrangements: list[Arrangement] = []
    try:
        arrangements = read_arrangements(file)
    except ValueError as exc:
        fail(str(exc))
    if not arrangements:
        fail(_("{file} lists no year").format(file=file))
    return arrangements


def _report(result: ImportResult) -> None:
    for year in result.imported:
        click.echo(_("{year}: arrangement loaded; the year is now known").format(year=year))
    for year in result.unchanged:
        click.echo(_("{year}: already loaded, nothing changed").format(year=year))
    for moved in result.moved:
        click.echo(
            _("case {number}: due date {old} → {new}").format(
                number=moved.number, old=moved.old.isoformat(), new=moved.new.isoformat()
            )
        )
    if result.imported and not result.moved:
        click.echo(_("no running case changes its due date"))


@main.group("calendar")
def calendar_group() -> None:
    """The working-day calendar: official holiday arrangements (放假调休)."""


@calendar_group.command("import")
@acts_as_person(Permission.manage_calendar)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def calendar_import(ctx: click.Context, file: Path, store: str | None) -> None:
    """Load the holidays and make-up working days of FILE (JSON, see README) at this station.

    The years in FILE become known (no more "calendar missing" warning); running cases whose
    time limit runs through them get their due dates recomputed, each with an event.
    """
    from hallterm.db.services.calendar import import_arrangements

    arrangements = _arrangements(file)
    st = open_store(store_settings(ctx, store))
    svc_ctx = service_ctx(st)
    with using(st, write=True) as session:
        result = import_arrangements(session, svc_ctx, arrangements, file.name)
    _report(result)


@central.group("calendar")
def central_calendar() -> None:
    """The working-day calendar at central, published to every station."""


@central_calendar.command("import")
@acts_as_person(Permission.manage_calendar)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_calendar_import(ctx: click.Context, file: Path, central_url: str | None) -> None:
    """Load FILE's arrangements at central; every station applies them at its next sync."""
    from hallterm.db.services.calendar_sync import central_import

    arrangements = _arrangements(file)
    url = resolve_central(ctx, central_url)
    person = central_person(url)
    with using(open_central_store(url), write=True, url=url) as session:
        result = central_import(session, person, arrangements, file.name)
    _report(result)
    if result.imported:
        click.echo(_("published: each station applies it at its next sync"))


@main.group()
def papers() -> None:
    """The station's printed papers: 文号 prefix, review body and court, complaint phone."""


@papers.command("settings")
@acts_as_person(Permission.manage_catalog)
@click.option("--doc-prefix", default=None, help="机关代字 of the 文号, e.g. 江川政务")
@click.option("--review-body", default=None, help="复议机关 named in a refusal")
@click.option("--court", default=None, help="the court named in a refusal")
@click.option("--complaint-phone", default=None, help="the hall's supervision phone")
@click.option(
    "--supply-days",
    type=int,
    default=None,
    help="working days given to supply what a one-time notice lists",
)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def papers_settings(
    ctx: click.Context,
    doc_prefix: str | None,
    review_body: str | None,
    court: str | None,
    complaint_phone: str | None,
    supply_days: int | None,
    store: str | None,
) -> None:
    """Show the settings, or change those given."""
    from hallterm.db.services.papers import set_paper_settings, station_prefix

    st = open_store(store_settings(ctx, store))
    svc_ctx = service_ctx(st)
    with using(st, write=True) as session:
        now = set_paper_settings(
            session,
            svc_ctx,
            doc_prefix=doc_prefix,
            review_body=review_body,
            court=court,
            complaint_phone=complaint_phone,
            supply_days=supply_days,
        )
        prefix = station_prefix(session, svc_ctx.station_code)
    unset = _("(not set)")
    if not now.doc_prefix:
        prefix = _("{prefix} (from the station name)").format(prefix=prefix)
    for label, value in (
        (_("document number prefix"), prefix),
        (_("review body"), now.review_body or unset),
        (_("court"), now.court or unset),
        (_("complaint phone"), now.complaint_phone or unset),
        (_("days to supply missing materials"), str(now.supply_days)),
    ):
        click.echo(_("{label}: {value}").format(label=label, value=value))
