"""``hallterm certificate``: list, issue (several cases, one key load), export, revoke or cancel;
and central's ``central timestamp`` and ``central export-trust``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hallterm.cli.central import central
from hallterm.cli.common import (
    CENTRAL_HELP,
    STORE_HELP,
    acts_as_person,
    ask_passphrase,
    central_person,
    fail,
    open_central_store,
    open_store,
    quiet_pyhanko,
    resolve_central,
    service_ctx,
    store_settings,
    using,
)
from hallterm.cli.key_files import tsa_options
from hallterm.cli.root import main
from hallterm.cli.verify import _central_revocations  # noqa: F401 - its former home
from hallterm.domain.roles import Permission
from hallterm.i18n import _
from hallterm.private_files import private_dir, write_private


@main.group()
def certificate() -> None:
    """Electronic certificates: list, issue, export, revoke."""


@certificate.command("list")
@acts_as_person(Permission.read_personal)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--search", "query", default="", help="number, holder, type or case number")
@click.pass_context
def certificate_list(ctx: click.Context, store: str | None, query: str) -> None:
    """List issued certificates, newest first."""
    from hallterm.db.services.certificates import list_certificates

    st = open_store(store_settings(ctx, store))
    try:
        person = service_ctx(st)
        with st.read() as session:
            rows = list_certificates(session, person, query)
    finally:
        st.dispose()
    for r in rows:
        state = _("ended") if r.revoked else _("valid")
        click.echo(f"{r.number}  {r.certificate_type}  {r.holder}  {r.case_number}  {state}")


@certificate.command("issue")
@acts_as_person(Permission.issue_certificate)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--case", "cases", multiple=True, help="case number (repeatable)")
@click.option(
    "--cases-file",
    type=click.Path(path_type=Path),
    default=None,
    help="a file of case numbers, one a line",
)
@click.option("--matter", "matter_code", default=None, help="only this matter's certificate")
@click.option("--field", "fields", multiple=True, help="KEY=VALUE (repeatable)")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="also write the PDF (several: a folder, one file per number)",
)
@click.pass_context
def certificate_issue(
    ctx: click.Context,
    store: str | None,
    cases: tuple[str, ...],
    cases_file: Path | None,
    matter_code: str | None,
    fields: tuple[str, ...],
    out: Path | None,
) -> None:
    """Issue the certificates of approved cases (every one a bundle yields), signed with the
    installed key, which is loaded once for all of them."""
    from hallterm.db.services import ServiceError
    from hallterm.db.services.certificates import issue_many, load_signer
    from hallterm.printing.keys import KeyFileError

    quiet_pyhanko()
    values: dict[str, str] = {}
    for item in fields:
        key, sep, value = item.partition("=")
        if not sep:
            fail(_("--field needs KEY=VALUE, got {item!r}").format(item=item))
        values[key.strip()] = value
    refs = list(cases)
    if cases_file is not None:
        try:
            refs += [ln.strip() for ln in cases_file.read_text("utf-8").splitlines() if ln.strip()]
        except (OSError, UnicodeDecodeError):
            fail(_("cannot read the case list {path}").format(path=cases_file))
    if not refs:
        fail(_("give --case NUMBER (repeatable) or --cases-file FILE"))
    st = open_store(store_settings(ctx, store))
    try:
        person = service_ctx(st)
        secret = ask_passphrase(_("Passphrase: "))
        with st.read() as session:
            signer = load_signer(session, secret)
        results = issue_many(st, person, refs, values, signer, matter_code)
    except (KeyFileError, ServiceError) as exc:
        fail(str(exc))
        return
    finally:
        st.dispose()
    failed = 0
    issued = [(n, pdf) for ref, n, pdf, err in results if err is None and pdf is not None]
    for ref, number, _pdf, error in results:
        if error is not None:
            failed += 1
            click.echo(_("case {case}: {error}").format(case=ref, error=error), err=True)
            continue
        click.echo(_("certificate issued: {number}").format(number=number))
    if out is not None and issued:
        if len(issued) == 1 and out.suffix.lower() == ".pdf":
            write_private(out, issued[0][1])
        else:
            private_dir(out)
            for number, pdf in issued:
                write_private(out / f"{number}.pdf", pdf)
    if failed:
        sys.exit(1)


@certificate.command("export")
@acts_as_person(Permission.read_personal)
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
        person = service_ctx(st)
        with st.read() as session:
            pdf = certificate_pdf(session, person, number)
    except ServiceError as exc:
        fail(str(exc))
        return
    finally:
        st.dispose()
    write_private(out, pdf)
    click.echo(_("written: {path}").format(path=out))


@certificate.command("revoke")
@acts_as_person(Permission.revoke_certificate)
@click.argument("number")
@click.option("--reason", required=True)
@click.option(
    "--kind",
    type=click.Choice(["revoked", "cancelled"]),
    default="revoked",
    show_default=True,
    help="revoked: 吊销 (a penalty); cancelled: 注销 (the activity ended or was given up)",
)
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.pass_context
def certificate_revoke(
    ctx: click.Context, number: str, reason: str, kind: str, store: str | None
) -> None:
    """Revoke (吊销) or cancel (注销) certificate NUMBER (supervisor or admin; the audit trail
    names the person)."""
    from hallterm.db.services.certificates import revoke

    st = open_store(store_settings(ctx, store))
    person = service_ctx(st)
    with using(st, write=True) as session:
        revoke(session, person, number, reason, kind)
    if kind == "cancelled":
        click.echo(_("certificate {number} cancelled").format(number=number))
    else:
        click.echo(_("certificate {number} revoked").format(number=number))


@central.command("timestamp")
@acts_as_person(Permission.manage_keys)
@tsa_options
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_timestamp(
    ctx: click.Context,
    tsa_file: Path | None,
    tsa_url: str | None,
    tsa_root: Path | None,
    root_cert: Path | None,
    central_url: str | None,
) -> None:
    """Add timestamp and validation data (PAdES B-LTA) to every certificate still lacking it."""
    from hallterm.cli.key_files import load_tsa, tsa_config
    from hallterm.db.services.certificate_ltv import timestamp_pending

    quiet_pyhanko()
    url = resolve_central(ctx, central_url)
    person = central_person(url)
    config = tsa_config(ctx.obj["settings"], tsa_file, tsa_url, tsa_root, root_cert)
    source, _passphrase = load_tsa(config)
    with using(open_central_store(url), write=True, url=url) as session:
        summary = timestamp_pending(session, person, source)
    for label, reason in summary.failed:
        click.echo(_("{copy}: not extended: {reason}").format(copy=label, reason=reason), err=True)
    click.echo(
        _("{n} certificate copies extended to B-LTA, {m} failed").format(
            n=len(summary.extended), m=len(summary.failed)
        )
    )
    if summary.failed:
        sys.exit(1)


@central.command("export-trust")
@acts_as_person(Permission.manage_keys)
@click.option("--root", type=click.Path(path_type=Path), required=True, help="root key file")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="trust list file")
@click.option("--central", "central_url", envvar="HALLTERM_CENTRAL", help=CENTRAL_HELP)
@click.pass_context
def central_export_trust(
    ctx: click.Context, root: Path, out: Path, central_url: str | None
) -> None:
    """Write the root-signed trust list (station certificates, CRL, revoked numbers, records)."""
    from hallterm.cli.key_files import load_key_file
    from hallterm.db.services.certificate_keys import export_trust

    url = resolve_central(ctx, central_url)
    person = central_person(url)
    bundle = load_key_file(root)
    with using(open_central_store(url), write=True, url=url) as session:
        data = export_trust(session, person, bundle)
    out.write_bytes(data)
    click.echo(_("trust list written to {path}").format(path=out))
