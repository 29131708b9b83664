"""``hallterm keys``: the root, station and TSA key files, installing a key, station key revocation.

Key files are loaded once per command (PBKDF2 with 600 000 rounds costs about 0.2 s).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hallterm.cli.common import (
    CENTRAL_HELP,
    STORE_HELP,
    acts_as_person,
    ask_passphrase,
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
from hallterm.config import data_dir
from hallterm.domain.roles import Permission
from hallterm.i18n import _

if TYPE_CHECKING:
    from hallterm.db.services import Ctx


@main.group()
def keys() -> None:
    """Signing keys: the central root, station certificates, installing a key."""


@keys.command("init-root")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="root key file")
@click.option("--name", default="hallterm root", help="root common name")
def keys_init_root(out: Path, name: str) -> None:
    """Make the central root key (P-256, encrypted PKCS#12)."""
    from hallterm.printing.keys import KeyFileError, make_root

    secret = ask_passphrase(_("New passphrase: "), confirm=True)
    try:
        make_root(name, out, secret)
    except KeyFileError as exc:
        fail(str(exc))
    click.echo(_("root key written to {path}").format(path=out))


@keys.command("issue-station")
@click.option("--root", type=click.Path(path_type=Path), required=True, help="root key file")
@click.option("--station", required=True, help="station code")
@click.option("--name", required=True, help="station name")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="station key file")
@click.option("--days", type=click.IntRange(1, 3650), default=730, show_default=True)
def keys_issue_station(root: Path, station: str, name: str, out: Path, days: int) -> None:
    """Issue a station signing certificate under the root (same passphrase for both files)."""
    from hallterm.cli.key_files import load_key_file
    from hallterm.printing.keys import KeyFileError, issue_station

    secret = ask_passphrase(_("Passphrase: "))
    root_key = load_key_file(root, secret)
    try:
        issue_station(root_key, station, name, out, secret, days=days)
    except KeyFileError as exc:
        fail(str(exc))
    click.echo(_("station key written to {path}").format(path=out))


@keys.command("install")
@acts_as_person(Permission.manage_keys)
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def keys_install(ctx: click.Context, file: Path, store: str | None) -> None:
    """Install a station key file into this store's data folder (mode 0600)."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.certificates import install_key
    from hallterm.printing.keys import KeyFileError

    st = open_store(store_settings(ctx, store))
    try:
        person = service_ctx(st)
        secret = ask_passphrase(_("Passphrase: "))
        with st.write() as session:
            dest = install_key(session, file, data_dir() / "keys", secret, person)
    except (KeyFileError, ServiceError) as exc:
        fail(str(exc))
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
    from hallterm.cli.key_files import load_key_file
    from hallterm.db.services.certificates import trusted_roots
    from hallterm.printing.keys import write_pem

    if root is not None:
        cert = load_key_file(root).cert
    else:
        st = open_store(store_settings(ctx, store))
        try:
            with st.read() as session:
                roots = trusted_roots(session)
        finally:
            st.dispose()
        if not roots:
            fail(_("the store has no trusted root; install a key first"))
        cert = roots[0]
    write_pem(cert, out)
    click.echo(_("root certificate written to {path}").format(path=out))


@keys.command("issue-tsa")
@click.option("--root", type=click.Path(path_type=Path), required=True, help="root key file")
@click.option("--name", required=True, help="the timestamp authority's name")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="TSA key file")
def keys_issue_tsa(root: Path, name: str, out: Path) -> None:
    """Issue central's timestamp authority certificate under the root (same passphrase)."""
    from hallterm.cli.key_files import load_key_file
    from hallterm.clock import Clock
    from hallterm.printing.keys import KeyFileError
    from hallterm.printing.tsa import issue_tsa

    secret = ask_passphrase(_("Passphrase: "))
    root_key = load_key_file(root, secret)
    try:
        issue_tsa(root_key, name, out, secret, Clock().now())
    except KeyFileError as exc:
        fail(str(exc))
    click.echo(_("timestamp authority key written to {path}").format(path=out))


def _central_crl(url: str, root_file: Path, secret: bytes, person: Ctx) -> bytes:
    """Sign a new CRL with the root at central, keep and publish it, as ``person`` (signed in
    at central for the command); returns its DER."""
    from hallterm.cli.key_files import load_key_file
    from hallterm.db.services.certificate_keys import make_station_crl

    root = load_key_file(root_file, secret)
    with using(open_central_store(url), write=True, url=url) as session:
        return make_station_crl(session, person, root)


@keys.command("revoke-station")
@acts_as_person(Permission.manage_keys)
@click.argument("code")
@click.option(
    "--reason",
    required=True,
    type=click.Choice(
        ["key_compromise", "cessation_of_operation", "superseded", "affiliation_changed"]
    ),
    help="RFC 5280 reason",
)
@click.option("--note", default="", help="what happened, for the record")
@click.option(
    "--cert",
    "cert_file",
    type=click.Path(path_type=Path),
    default=None,
    help="the station certificate (PEM), if central has not learnt it",
)
@click.option(
    "--root",
    type=click.Path(path_type=Path),
    default=None,
    help="root key file: sign and publish the new CRL at once",
)
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def keys_revoke_station(
    ctx: click.Context,
    code: str,
    reason: str,
    note: str,
    cert_file: Path | None,
    root: Path | None,
    central_url: str | None,
) -> None:
    """Revoke the signing key(s) of station CODE at central; with --root, publish the CRL."""
    from hallterm.db.services.certificate_keys import revoke_station
    from hallterm.printing.keys import KeyFileError, load_pem_certs

    url = resolve_central(ctx, central_url)
    person = central_person(url)
    try:
        certs = load_pem_certs(cert_file) if cert_file else None
    except KeyFileError as exc:
        fail(str(exc))
        return
    with using(open_central_store(url), write=True, url=url) as session:
        serials = revoke_station(session, person, code, reason, note, certs)
    click.echo(
        _("station {code}: {n} signing certificate(s) revoked").format(code=code, n=len(serials))
    )
    if root is not None:
        _central_crl(url, root, ask_passphrase(_("Passphrase: ")), person)
        click.echo(_("the new revocation list (CRL) is published to every station"))
    else:
        click.echo(_("sign and publish the new revocation list: hallterm keys crl --root FILE"))


@keys.command("crl")
@acts_as_person(Permission.manage_keys)
@click.option("--root", type=click.Path(path_type=Path), required=True, help="root key file")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="CRL file (DER)")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def keys_crl(ctx: click.Context, root: Path, out: Path, central_url: str | None) -> None:
    """Sign the root's CRL of revoked station keys, publish it to stations, write it to OUT."""
    url = resolve_central(ctx, central_url)
    person = central_person(url)
    der = _central_crl(url, root, ask_passphrase(_("Passphrase: ")), person)
    out.write_bytes(der)
    click.echo(_("revocation list (CRL) written to {path}").format(path=out))
