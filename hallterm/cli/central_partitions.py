"""``hallterm central partitions``: make the coming months' partitions of central's events.

A PostgreSQL central keeps ``event`` partitioned by month (``db.sync.central.partitions``);
events of a month without its partition land in the default partition, which works but
loses the point of partitioning.  Run this monthly (cron, a systemd timer) with a margin,
e.g. ``--months 3``; it is safe to run again and moves rows out of the default partition.
It acts as a central admin (``--user``, a staff account at central with the admin role,
made with ``hallterm central add-staff``).
"""

from __future__ import annotations

import click

from hallterm.cli.central import central
from hallterm.cli.common import (
    CENTRAL_HELP,
    acts_as_person,
    open_central_store,
    resolve_central,
    service_ctx,
    using,
)
from hallterm.domain.roles import Permission
from hallterm.i18n import _


@central.command("partitions")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.option(
    "--months",
    type=click.IntRange(0, 120),
    default=3,
    show_default=True,
    help="how many months after this one get their partition",
)
@acts_as_person(Permission.manage_store)
@click.pass_context
def central_partitions(ctx: click.Context, central_url: str | None, months: int) -> None:
    """Create this month's and the coming months' partitions of the event table."""
    from hallterm.db.sync.central import CENTRAL_CODE
    from hallterm.db.sync.central.partitions import add_event_partitions

    url = resolve_central(ctx, central_url)
    store = open_central_store(url)
    person = service_ctx(store, station_code=CENTRAL_CODE)
    with using(store, write=True, url=url) as session:
        made = add_event_partitions(session, person, months)
    if made:
        click.echo(_("partitions made: {names}").format(names=", ".join(made)))
    else:
        click.echo(_("every partition up to {months} months ahead is there").format(months=months))
