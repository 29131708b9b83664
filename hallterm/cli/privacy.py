"""``hallterm applicant erase`` and ``hallterm privacy …``: erasure, retention, old stores,
the station passphrase."""

from __future__ import annotations

import click

from hallterm.cli.common import (
    STORE_HELP,
    acts_as_person,
    fail,
    open_store,
    service_ctx,
    store_settings,
    using,
)
from hallterm.cli.root import main
from hallterm.domain.roles import Permission
from hallterm.i18n import _


@main.group()
def applicant() -> None:
    """Applicants' personal data."""


@applicant.command("erase")
@acts_as_person(Permission.erase_personal)
@click.argument("ref")
@click.option("--id-type", default="resident_id", help="ID type when REF is an ID number")
@click.option("--reason", required=True, help="why the data is erased (kept in the audit trail)")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def applicant_erase(
    ctx: click.Context, ref: str, id_type: str, reason: str, store: str | None
) -> None:
    """Erase an applicant's personal data (REF: the applicant id or the ID number).

    Only after the retention period since their last case closed, never with a case open.
    """
    from hallterm.db.models import Applicant
    from hallterm.db.privacy.erasure import erase_applicant
    from hallterm.db.services.applicants import find_applicant

    st = open_store(store_settings(ctx, store))
    c = service_ctx(st)
    with using(st, write=True) as session:
        applicant_id = ref if session.get(Applicant, ref) is not None else None
        if applicant_id is None:
            found = find_applicant(session, c, id_type, ref)
            if found is None:
                fail(_("no such applicant"))
                return
            applicant_id = found.id
        erase_applicant(session, c, applicant_id, reason)
    click.echo(_("the applicant's personal data is erased"))


@main.group()
def privacy() -> None:
    """Personal data: retention period, encrypting an old store, the station passphrase."""


@privacy.command("retention")
@acts_as_person(Permission.erase_personal)
@click.argument("years", type=click.IntRange(1, 100), required=False)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def privacy_retention(ctx: click.Context, years: int | None, store: str | None) -> None:
    """Show or set the retention period (years after a person's last case closed)."""
    from hallterm.db.privacy.erasure import retention_years, set_retention_years

    st = open_store(store_settings(ctx, store))
    c = service_ctx(st)
    with using(st, write=True) as session:
        if years is not None:
            set_retention_years(session, c, years)
        current = retention_years(session)
    click.echo(_("retention period: {years} years").format(years=current))


@privacy.command("migrate")
@acts_as_person(Permission.manage_store)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def privacy_migrate(ctx: click.Context, store: str | None) -> None:
    """Encrypt the personal data a store holds from before encryption (safe to run again)."""
    from hallterm.db.privacy.station import encrypt_legacy

    st = open_store(store_settings(ctx, store))
    c = service_ctx(st)
    with using(st, write=True) as session:
        count = encrypt_legacy(session, c)
    click.echo(_("{count} applicants encrypted").format(count=count))


@privacy.command("passphrase")
@acts_as_person(Permission.manage_store)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def privacy_passphrase(ctx: click.Context, store: str | None) -> None:
    """Change the station passphrase (the data key is wrapped again; nothing else changes)."""
    import os

    from hallterm.cli.store_keys import ENV
    from hallterm.db.services import record_event

    st = open_store(store_settings(ctx, store))
    c = service_ctx(st)
    old = os.environ.get(ENV) or click.prompt(
        _("Current station passphrase"), hide_input=True, err=True
    )
    new = os.environ.get("HALLTERM_NEW_STORE_PASSPHRASE") or click.prompt(
        _("New station passphrase"), hide_input=True, confirmation_prompt=True, err=True
    )
    if len(new) < 8:
        fail(_("the station passphrase needs at least 8 characters"))
    with using(st, write=True) as session:
        st.keys.rewrap(session, old, new)
        record_event(
            session, c, entity="store", entity_id="store_key", kind="privacy.passphrase_changed",
            payload={},
        )  # fmt: skip
    click.echo(_("the station passphrase is changed"))
