"""Checking an issued certificate: the signed PDF, or just the text of its QR code.

Verdicts and exit codes: valid 0, invalid 1, revoked 2, untrusted 3.  When several apply the
worst wins, in this order:

1. invalid — something was changed after signing, or the parts disagree (PDF bytes, QR
   payload, embedded field set, the store's record).  Nothing else on it can be believed.
2. untrusted — intact, but the signer does not chain to a trusted root, or its certificate
   is expired or not yet valid at the time of checking (a PAdES B-B signature has no
   timestamp to prove it was made earlier).
3. revoked — an authentic certificate whose number is on the revocation list.
4. valid.

So an untampered revoked certificate is "revoked", a tampered one "invalid", and one from
an unknown signer "untrusted".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from hallterm.clock import hall_today, utc_now
from hallterm.i18n import _
from hallterm.printing import qrpayload
from hallterm.printing.certificate_pdf import INFO_FIELDS, INFO_PAYLOAD


class Verdict(StrEnum):
    valid = "valid"
    invalid = "invalid"
    revoked = "revoked"
    untrusted = "untrusted"

    @property
    def exit_code(self) -> int:
        return _EXIT_CODES[self]

    @property
    def label(self) -> str:
        return {
            Verdict.valid: _("VALID"),
            Verdict.invalid: _("INVALID"),
            Verdict.revoked: _("REVOKED"),
            Verdict.untrusted: _("UNTRUSTED"),
        }[self]


_EXIT_CODES = {Verdict.valid: 0, Verdict.invalid: 1, Verdict.revoked: 2, Verdict.untrusted: 3}
_SEVERITY = (Verdict.invalid, Verdict.untrusted, Verdict.revoked, Verdict.valid)


@dataclass
class VerifyResult:
    verdict: Verdict
    lines: list[str]  # translated, for people; the first one states the verdict
    claims: dict[str, Any] | None = None
    number: str | None = None

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code


@dataclass
class _Findings:
    """What the checks found: the worst verdict wins, every line is kept."""

    verdicts: set[Verdict] = field(default_factory=set)
    lines: list[str] = field(default_factory=list)

    def ok(self, line: str) -> None:
        self.lines.append(line)

    def bad(self, verdict: Verdict, line: str) -> None:
        self.verdicts.add(verdict)
        self.lines.append(line)

    def result(self, claims: dict[str, Any] | None, number: str | None) -> VerifyResult:
        verdict = next((v for v in _SEVERITY if v in self.verdicts), Verdict.valid)
        summary = {
            Verdict.valid: _("the certificate is authentic and unchanged"),
            Verdict.invalid: _("the certificate was altered or is damaged; do not accept it"),
            Verdict.revoked: _("the certificate is authentic but has been revoked"),
            Verdict.untrusted: _("the signer is not trusted; the certificate cannot be confirmed"),
        }[verdict]
        head = _("{verdict}: {summary}").format(verdict=verdict.label, summary=summary)
        return VerifyResult(
            verdict=verdict, lines=[head, *self.lines], claims=claims, number=number
        )


def _station_code(cert: x509.Certificate) -> str | None:
    attrs = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(attrs[0].value) if attrs else None


def _common_name(cert: x509.Certificate) -> str:
    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else cert.subject.rfc4514_string()


def _utc(at: dt.datetime | None) -> dt.datetime:
    if at is None:
        return utc_now()
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def _time_problem(cert: x509.Certificate, at: dt.datetime) -> str | None:
    if at < cert.not_valid_before_utc:
        return _("the signer's certificate is not valid before {date}").format(
            date=cert.not_valid_before_utc.date().isoformat()
        )
    if at > cert.not_valid_after_utc:
        return _("the signer's certificate expired on {date}").format(
            date=cert.not_valid_after_utc.date().isoformat()
        )
    return None


def _chain_problem(
    cert: x509.Certificate, roots: Collection[x509.Certificate], at: dt.datetime
) -> str | None:
    """Why ``cert`` is not a station certificate issued by one of ``roots`` now; None if it is.

    Our hierarchy has one level (root → station), so the chain is one signature check.
    """
    for root in roots:
        if root.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(root)
        except Exception:  # wrong key, or the root is not a CA
            continue
        problem = _time_problem(cert, at) or _time_problem(root, at)
        if problem:
            return problem
        try:
            usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound:
            return _("the signer's certificate may not sign documents")
        if not (usage.digital_signature or usage.content_commitment):
            return _("the signer's certificate may not sign documents")
        return None
    return _("the signer {name} is not issued by a trusted root").format(name=_common_name(cert))


def _describe(claims: dict[str, Any], findings: _Findings) -> None:
    findings.ok(_("Certificate number: {number}").format(number=claims.get("number", "")))
    if claims.get("holder"):
        findings.ok(_("Holder: {holder}").format(holder=claims["holder"]))
    findings.ok(_("Issuing station: {code}").format(code=claims.get("iss", "")))
    findings.ok(
        _("Signed at: {time}").format(
            time=qrpayload.issued_at(claims).astimezone().strftime("%Y-%m-%d %H:%M")
        )
    )
    valid_until = claims.get("valid_until")
    findings.ok(_("Valid until: {date}").format(date=valid_until or _("Long-term")))
    if valid_until and dt.date.fromisoformat(valid_until) < hall_today():
        findings.ok(_("Note: the validity period of this certificate has ended."))


def _check_record(
    number: str,
    expected_hash: bytes,
    record: Callable[[str], dict[str, Any] | None] | None,
    findings: _Findings,
) -> None:
    if record is None:
        return
    stored = record(number)
    if stored is None:
        findings.ok(_("The local store has no record of this number (not synchronised yet?)."))
    elif qrpayload.fields_hash(stored) == expected_hash:
        findings.ok(_("The certificate matches the record in the store."))
    else:
        findings.bad(Verdict.invalid, _("The certificate differs from the record in the store."))


def _check_revoked(number: str, revoked: Collection[str], findings: _Findings) -> None:
    if number in revoked:
        findings.bad(
            Verdict.revoked, _("Certificate {number} has been revoked.").format(number=number)
        )


def _info_text(reader: PdfFileReader, key: str) -> str | None:
    try:
        info = reader.trailer["/Info"]
        value = info.get(key)
    except Exception:
        return None
    return str(value) if value is not None else None


def verify_pdf(
    pdf: bytes,
    trusted_roots: list[x509.Certificate],
    revoked: Collection[str] = (),
    record: Callable[[str], dict[str, Any] | None] | None = None,
    at: dt.datetime | None = None,
) -> VerifyResult:
    """Check a certificate PDF: signature, QR payload, field set, store record, revocation.

    Runs pyHanko's synchronous validator (``asyncio.run`` inside): call it from a thread,
    not from a running event loop.
    """
    findings = _Findings()
    when = _utc(at)
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception:
        findings.bad(Verdict.invalid, _("The file is not a readable PDF document."))
        return findings.result(None, None)
    if not signatures:
        findings.bad(Verdict.invalid, _("The PDF carries no electronic signature."))
        return findings.result(None, None)
    embedded = signatures[0]
    context = ValidationContext(
        trust_roots=[
            asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in trusted_roots
        ],
        allow_fetching=False,  # stations are offline; our certificates carry no CRL/OCSP URLs
        revocation_mode="soft-fail",
        moment=when,
    )
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception:
        findings.bad(Verdict.invalid, _("The electronic signature is damaged."))
        return findings.result(None, None)

    signer = x509.load_der_x509_certificate(status.signing_cert.dump())
    if not (status.intact and status.valid):
        findings.bad(Verdict.invalid, _("The document was changed after it was signed."))
        return findings.result(None, None)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE or len(signatures) != 1:
        findings.bad(Verdict.invalid, _("Content was added to the document after it was signed."))
        return findings.result(None, None)
    findings.ok(_("Signature: intact and covering the whole file."))
    name = _common_name(signer)
    if status.trusted:
        findings.ok(_("Signed by: {name}; trusted.").format(name=name))
    else:
        reason = _time_problem(signer, when) or _(
            "the signer {name} is not issued by a trusted root"
        ).format(name=name)
        findings.bad(
            Verdict.untrusted, _("Signed by: {name}; {reason}.").format(name=name, reason=reason)
        )

    payload = _info_text(reader, INFO_PAYLOAD)
    fields_text = _info_text(reader, INFO_FIELDS)
    if payload is None or fields_text is None:
        findings.bad(Verdict.invalid, _("The document carries no certificate data."))
        return findings.result(None, None)
    try:
        claims = qrpayload.decode(payload, [signer])
    except qrpayload.PayloadError as exc:
        findings.bad(Verdict.invalid, _("QR code: {problem}.").format(problem=exc))
        return findings.result(None, None)
    number = str(claims["number"])
    try:
        fields = json.loads(fields_text)
    except ValueError:
        fields = None
    agrees = (
        isinstance(fields, dict)
        and qrpayload.fields_hash(fields) == claims["fields_hash"]
        and fields.get("number") == number
        and fields.get("issuer_code") == claims["iss"]
    )
    if not agrees:
        findings.bad(Verdict.invalid, _("QR code and document text do not agree."))
    elif _station_code(signer) != claims["iss"]:
        findings.bad(
            Verdict.invalid,
            _("The certificate names station {issuer} but was signed by {signer}.").format(
                issuer=claims["iss"], signer=_station_code(signer) or name
            ),
        )
    else:
        findings.ok(_("QR code: signature valid; agrees with the document."))
    _describe(claims, findings)
    _check_record(number, claims["fields_hash"], record, findings)
    _check_revoked(number, revoked, findings)
    return findings.result(claims, number)


def verify_qr(
    text: str,
    trusted_roots: list[x509.Certificate],
    station_certs: Collection[x509.Certificate],
    revoked: Collection[str] = (),
    record: Callable[[str], dict[str, Any] | None] | None = None,
    at: dt.datetime | None = None,
) -> VerifyResult:
    """Check the text of a certificate's QR code, offline.

    ``station_certs`` are the known station signing certificates (matched by key id); the one
    that signed must chain to ``trusted_roots`` and be valid at ``at`` (default: now).
    """
    findings = _Findings()
    try:
        claims, signer = qrpayload.decode_with_signer(text, list(station_certs))
    except qrpayload.PayloadError as exc:
        verdict = Verdict.untrusted if exc.reason == "unknown_kid" else Verdict.invalid
        findings.bad(verdict, _("QR code: {problem}.").format(problem=exc))
        return findings.result(None, None)
    name = _common_name(signer)
    problem = _chain_problem(signer, trusted_roots, _utc(at))
    if problem:
        findings.bad(
            Verdict.untrusted, _("Signed by: {name}; {reason}.").format(name=name, reason=problem)
        )
    else:
        findings.ok(_("Signed by: {name}; trusted.").format(name=name))
    if _station_code(signer) != claims["iss"]:
        findings.bad(
            Verdict.invalid,
            _("The certificate names station {issuer} but was signed by {signer}.").format(
                issuer=claims["iss"], signer=_station_code(signer) or name
            ),
        )
    else:
        findings.ok(_("QR code: signature valid."))
    number = str(claims["number"])
    _describe(claims, findings)
    _check_record(number, claims["fields_hash"], record, findings)
    _check_revoked(number, revoked, findings)
    return findings.result(claims, number)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint of a certificate, grouped for reading aloud over the phone."""
    digest = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))
