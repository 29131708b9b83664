"""``hallterm interaction``: reply deadlines of consultations, complaints and corrections."""

from __future__ import annotations

import click

from hallterm.cli.common import STORE_HELP, fail, open_store, service_ctx, store_settings
from hallterm.cli.root import main
from hallterm.i18n import _


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

    st = open_store(store_settings(ctx, store))
    try:
        if days is not None:
            with st.write() as session:
                set_reply_days(session, service_ctx(st), kind, days)
        with st.read() as session:
            current = reply_days(session, kind)
    except ServiceError as exc:
        fail(str(exc))
    finally:
        st.dispose()
    click.echo(_("{kind}: reply within {n} working days").format(kind=kind, n=current))
