"""``hallterm verify``: check a certificate PDF or QR text, with a store or a trust list.

Exit codes keep their meaning: 0 valid, 1 invalid, 2 revoked or cancelled, 3 untrusted,
4 authentic but revocation not checked (no store, no trust list), 5 unreadable input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from hallterm.cli.common import (
    STORE_HELP,
    fail,
    open_store,
    quiet_pyhanko,
    safe_error,
    store_settings,
)
from hallterm.cli.root import main
from hallterm.i18n import _


class _VerifyCommand(click.Command):
    """A usage error exits 5 (unreadable input), never 2, which means "revoked" here."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            exc.exit_code = 5  # type: ignore[misc]  # click reads it per exception
            raise


@main.command(cls=_VerifyCommand)
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--qr", "qr_text", default=None, help="the scanned text of a QR code")
@click.option("--store", envvar="HALLTERM_STORE", help=STORE_HELP)
@click.option("--root", "root_pem", type=click.Path(path_type=Path), default=None)
@click.option(
    "--trust",
    "trust_file",
    type=click.Path(path_type=Path),
    default=None,
    help="central's signed trust list (checks revocation without a store)",
)
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
    trust_file: Path | None,
    central: str | None,
) -> None:
    """Verify a certificate PDF (or --qr TEXT).

    Exit 0 valid, 1 invalid, 2 revoked or cancelled, 3 untrusted, 4 revocation not checked,
    5 input not readable.
    """
    from hallterm.db.services.certificate_keys import (
        station_certificates,
        stored_crl,
        trusted_roots,
    )
    from hallterm.db.services.certificates import record_lookup, revocation_kinds
    from hallterm.printing.keys import KeyFileError, load_pem_certs
    from hallterm.printing.trust import TrustError, key_revocations, load_crl, read_trust_list
    from hallterm.printing.verify import EXIT_INPUT_ERROR, Revocations, verify_pdf, verify_qr

    quiet_pyhanko()
    if (file is None) == (qr_text is None):
        fail(_("give a PDF file or --qr TEXT"), EXIT_INPUT_ERROR)
    roots: list[Any] = []
    station_certs: list[Any] = []
    known = Revocations(checked=False)
    records: dict[str, Any] = {}
    crl_der: bytes | None = None
    if store or (root_pem is None and trust_file is None):
        st = open_store(store_settings(ctx, store))
        try:
            with st.read() as session:
                roots = trusted_roots(session)
                known = Revocations(certificates=revocation_kinds(session))
                records = record_lookup(session)
                station_certs = station_certificates(session)
                crl_der = stored_crl(session)
        except Exception as exc:
            reason = safe_error(exc, st.url)
            click.echo(_("store not readable: {reason}").format(reason=reason), err=True)
        finally:
            st.dispose()
    if central:
        extra = _central_revocation_kinds(central)
        known = Revocations(certificates={**known.certificates, **extra}, checked=True)
    try:
        if root_pem is not None:
            roots = load_pem_certs(root_pem)
        keys = key_revocations(load_crl(crl_der, roots)) if crl_der and roots else {}
        if trust_file is not None:
            listed = read_trust_list(trust_file, roots)
            station_certs = [*station_certs, *listed.station_certs]
            keys = {**keys, **listed.key_revocations()}
            known = Revocations(
                certificates={**known.certificates, **listed.revoked},
                records=listed.records,
                checked=True,
            )
        known = Revocations(known.certificates, keys, known.records, known.checked)
        if file is not None:
            try:
                pdf = file.read_bytes()
            except FileNotFoundError:
                fail(_("the file {path} does not exist").format(path=file), EXIT_INPUT_ERROR)
                return
            except OSError as exc:
                fail(
                    _("cannot read {path}: {reason}").format(path=file, reason=exc.strerror),
                    EXIT_INPUT_ERROR,
                )
                return
            result = verify_pdf(pdf, roots, known, records.get)
        else:
            result = verify_qr(qr_text or "", roots, station_certs, known, records.get)
    except (KeyFileError, TrustError) as exc:
        fail(str(exc), EXIT_INPUT_ERROR)
        return
    for line in result.lines:
        click.echo(line)
    sys.exit(result.exit_code)


def _central_revocation_kinds(url: str) -> dict[str, str]:
    """Central's revocation list, or the local one alone when central cannot be reached."""
    from hallterm.db.engine import mask_url
    from hallterm.db.services.certificates import revocation_kinds
    from hallterm.db.sync.central import open_central

    st = open_central(url)
    try:
        with st.read() as session:
            numbers = revocation_kinds(session)
        click.echo(_("central revocation list checked ({url})").format(url=mask_url(url)))
        return numbers
    except Exception:  # noqa: BLE001 - offline is normal at a station
        click.echo(
            _("central {url} not reachable: the local revocation list was used").format(
                url=mask_url(url)
            )
        )
        return {}
    finally:
        st.dispose()


def _central_revocations(url: str) -> set[str]:
    """The numbers on central's revocation list (empty when central cannot be reached)."""
    return set(_central_revocation_kinds(url))
