"""``hallterm keys``, ``certificate`` and ``verify``: signing keys and electronic certificates."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hallterm.cli.common import (
    STORE_HELP,
    ask_passphrase,
    fail,
    open_store,
    quiet_pyhanko,
    service_ctx,
    store_file,
    store_settings,
    using,
)
from hallterm.cli.root import main
from hallterm.config import data_dir
from hallterm.i18n import _


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
    from hallterm.printing.keys import KeyFileError, issue_station, load_p12

    secret = ask_passphrase(_("Passphrase: "))
    try:
        issue_station(load_p12(root, secret), station, name, out, secret, days=days)
    except KeyFileError as exc:
        fail(str(exc))
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

    secret = ask_passphrase(_("Passphrase: "))
    st = open_store(store_settings(ctx, store))
    try:
        with st.write() as session:
            dest = install_key(session, file, data_dir() / "keys", secret)
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
    from hallterm.db.services.certificates import trusted_roots
    from hallterm.printing.keys import KeyFileError, load_p12, write_pem

    if root is not None:
        try:
            cert = load_p12(root, ask_passphrase(_("Passphrase: "))).cert
        except KeyFileError as exc:
            fail(str(exc))
            return
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

    st = open_store(store_settings(ctx, store))
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

    quiet_pyhanko()
    values: dict[str, str] = {}
    for item in fields:
        key, sep, value = item.partition("=")
        if not sep:
            fail(_("--field needs KEY=VALUE, got {item!r}").format(item=item))
        values[key.strip()] = value
    secret = ask_passphrase(_("Passphrase: "))
    st = open_store(store_settings(ctx, store))
    try:
        with st.write() as session:
            signer = load_signer(session, secret)
            number, pdf = issue_certificate(session, service_ctx(st), case_no, values, signer)
    except (KeyFileError, ServiceError) as exc:
        fail(str(exc))
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

    st = open_store(store_settings(ctx, store))
    try:
        with st.read() as session:
            pdf = certificate_pdf(session, number)
    except ServiceError as exc:
        fail(str(exc))
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

    st = open_store(store_settings(ctx, store))
    with using(st, write=True) as session:
        revoke(session, service_ctx(st), number, reason)
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

    quiet_pyhanko()
    if (file is None) == (qr_text is None):
        fail(_("give a PDF file or --qr TEXT"), 1)
    roots: list = []
    station_certs: list = []
    revoked: set[str] = set()
    records: dict = {}
    settings = store_settings(ctx, store)
    if store or root_pem is None:
        st = open_store(settings)
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
        fail(str(exc), 3)
        return
    for line in result.lines:
        click.echo(line)
    sys.exit(result.exit_code)


def _central_revocations(url: str) -> set[str]:
    """Central's revocation list, or the local one alone when central cannot be reached."""
    from hallterm.db.engine import mask_url
    from hallterm.db.services.certificates import revoked_numbers
    from hallterm.db.sync.runner import open_central

    path = store_file(url)
    if path is not None and not path.is_file():  # reading never creates a central store
        click.echo(
            _("central {url} not reachable: the local revocation list was used").format(
                url=mask_url(url)
            )
        )
        return set()
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
