"""Checking an issued certificate: the signed PDF, or just the text of its QR code.

Verdicts and exit codes: valid 0, invalid 1, revoked 2, untrusted 3, and 4 for "authentic and
unchanged, but revocation was not checked" (no store and no trust list: the verifier cannot
know whether the certificate or its station key was revoked).  ``hallterm verify`` uses 5 for
input it cannot read (a missing file, a damaged trust list).  When several apply the worst
wins, in this order:

1. invalid — something was changed after signing, or the parts disagree (PDF bytes, QR
   payload, embedded field set, the store's record).  Nothing else on it can be believed.
2. untrusted — intact, but the signer does not chain to a trusted root, or its certificate
   is expired or not yet valid at the time of checking (a PAdES B-B signature has no
   timestamp to prove it was made earlier).
3. revoked — an authentic certificate whose number is on the revocation list: revoked as a
   penalty (吊销) or cancelled (注销); the line says which.
4. not checked — nothing wrong was found, but revocation could not be checked.
5. valid.

Time: a signature proven by a document timestamp (PAdES B-LTA, added by central) is judged at
the timestamp's time, so it stays valid after its station certificate expires, and after its
key is revoked when the timestamp is earlier than the revocation.  Without a timestamp it is
judged now (B-B: untrusted once the station certificate expired).  A signature whose claimed
signing time is at or after its key's revocation is invalid.  Times are shown in China
Standard Time, with the zone named.

So an untampered revoked certificate is "revoked", a tampered one "invalid", and one from
an unknown signer "untrusted".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Collection, Mapping
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from hallterm.clock import HALL_TZ
from hallterm.i18n import _
from hallterm.printing import qrpayload
from hallterm.printing.certificate_pdf import INFO_FIELDS, INFO_PAYLOAD
from hallterm.printing.pdf_strict import gap_problem
from hallterm.printing.verify_report import (  # noqa: F401 - re-exported
    EXIT_INPUT_ERROR,
    Revocations,
    Verdict,
    VerifyResult,
    _chain_problem,
    _check_record,
    _check_revoked,
    _common_name,
    _describe,
    _Findings,
    _key_revocation,
    _show_rows,
    _station_code,
    _time_problem,
    _utc,
    cst,
    record_hash,
)


def _info_text(reader: PdfFileReader, key: str) -> str | None:
    try:
        info = reader.trailer["/Info"]
        value = info.get(key)
    except Exception:
        return None
    return str(value) if value is not None else None


def _context(roots: list[x509.Certificate], moment: dt.datetime) -> ValidationContext:
    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in roots],
        allow_fetching=False,  # stations are offline; revocation comes from our own lists
        revocation_mode="soft-fail",
        moment=moment,
    )


def _is_timestamp(sig: Any) -> bool:
    return str(sig.sig_object.get("/Type", "")) == "/DocTimeStamp"


def _covered(status: Any) -> bool:
    """The whole file, or all but later revisions that only add validation data (DSS)."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    level = status.diff_result.modification_level if status.diff_result else None
    return level is not None and level <= ModificationLevel.LTA_UPDATES


def _timestamp_time(
    stamps: list[Any], roots: list[x509.Certificate], now: dt.datetime, findings: _Findings
) -> dt.datetime | None:
    """The earliest trusted document timestamp's time; problems go to ``findings``."""
    proven: dt.datetime | None = None
    for i, ts in enumerate(stamps):
        try:
            status = validate_pdf_timestamp(ts, validation_context=_context(roots, now))
        except Exception:
            findings.bad(Verdict.invalid, _("The document timestamp is damaged."))
            continue
        if not (status.intact and status.valid):
            findings.bad(Verdict.invalid, _("The document timestamp does not match the file."))
        elif not status.trusted:
            findings.bad(Verdict.untrusted, _("The document timestamp's authority is not trusted."))
        else:
            moment = _utc(status.timestamp)
            proven = moment if proven is None else min(proven, moment)
        if i == len(stamps) - 1 and not _covered(status):
            findings.bad(
                Verdict.invalid, _("Content was added to the document after it was signed.")
            )
    if proven is not None:
        findings.ok(_("Timestamped (long-term signature) at {time}.").format(time=cst(proven)))
    return proven


def verify_pdf(
    pdf: bytes,
    trusted_roots: list[x509.Certificate],
    revoked: Collection[str] | Mapping[str, str] | Revocations = (),
    record: Callable[[str], dict[str, Any] | None] | None = None,
    at: dt.datetime | None = None,
) -> VerifyResult:
    """Check a certificate PDF: bytes, signature, timestamps, QR payload, field set, revocation.

    Runs pyHanko's synchronous validator (``asyncio.run`` inside): call it from a thread,
    not from a running event loop.
    """
    known = Revocations.of(revoked)
    findings = _Findings()
    now = _utc(at)
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception:
        findings.bad(Verdict.invalid, _("The file is not a readable PDF document."))
        return findings.result(None, None)
    sigs = [s for s in signatures if not _is_timestamp(s)]
    stamps = [s for s in signatures if _is_timestamp(s)]
    if not sigs:
        findings.bad(Verdict.invalid, _("The PDF carries no electronic signature."))
        return findings.result(None, None)
    if len(sigs) != 1 or signatures[0] is not sigs[0]:
        findings.bad(Verdict.invalid, _("Content was added to the document after it was signed."))
        return findings.result(None, None)
    for sig in signatures:
        problem = gap_problem(pdf, list(sig.byte_range))
        if problem:
            findings.bad(
                Verdict.invalid,
                _("The file was altered outside the signed bytes: {problem}.").format(
                    problem=problem
                ),
            )
            return findings.result(None, None)
    embedded = sigs[0]
    proven = _timestamp_time(stamps, trusted_roots, now, findings)
    try:
        status = validate_pdf_signature(embedded, _context(trusted_roots, proven or now))
    except Exception:
        findings.bad(Verdict.invalid, _("The electronic signature is damaged."))
        return findings.result(None, None)

    signer = x509.load_der_x509_certificate(status.signing_cert.dump())
    if not (status.intact and status.valid):
        findings.bad(Verdict.invalid, _("The document was changed after it was signed."))
        return findings.result(None, None)
    if not (_covered(status) if stamps else status.coverage == SignatureCoverageLevel.ENTIRE_FILE):
        findings.bad(Verdict.invalid, _("Content was added to the document after it was signed."))
        return findings.result(None, None)
    findings.ok(_("Signature: intact and covering the whole file."))
    name = _common_name(signer)
    if status.trusted:
        findings.ok(_("Signed by: {name}; trusted.").format(name=name))
    else:
        reason = _time_problem(signer, proven or now) or _(
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
        and fields.get("station_code", fields.get("issuer_code")) == claims["iss"]
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
    if known.checked:
        _key_revocation(
            signer, proven or qrpayload.issued_at(claims), proven is not None, known, findings
        )
    _describe(claims, findings, known, now.astimezone(HALL_TZ).date())
    _check_record(number, claims["fields_hash"], record, findings)
    _check_revoked(number, known, findings)
    return findings.result(claims, number)


def verify_qr(
    text: str,
    trusted_roots: list[x509.Certificate],
    station_certs: Collection[x509.Certificate],
    revoked: Collection[str] | Mapping[str, str] | Revocations = (),
    record: Callable[[str], dict[str, Any] | None] | None = None,
    at: dt.datetime | None = None,
) -> VerifyResult:
    """Check the text of a certificate's QR code, offline.

    ``station_certs`` are the known station signing certificates (from the store or the trust
    list, matched by key id); the one that signed must chain to ``trusted_roots`` and be valid
    at ``at`` (default: now), unless the root's trust list holds this very certificate's
    record (central received it while the key was good).  Every printed row is shown, from
    the code itself or from the trust list's record, for comparison with the paper.
    """
    known = Revocations.of(revoked)
    findings = _Findings()
    now = _utc(at)
    try:
        claims, signer = qrpayload.decode_with_signer(text, list(station_certs))
    except qrpayload.PayloadError as exc:
        verdict = Verdict.untrusted if exc.reason == "unknown_kid" else Verdict.invalid
        findings.bad(verdict, _("QR code: {problem}.").format(problem=exc))
        return findings.result(None, None)
    name = _common_name(signer)
    number = str(claims["number"])
    listed = known.records.get(number)
    vouched = listed is not None and record_hash(listed) == claims["fields_hash"]
    problem = _chain_problem(signer, trusted_roots, now)
    if (
        problem
        and vouched
        and _chain_problem(signer, trusted_roots, qrpayload.issued_at(claims)) is None
    ):
        findings.ok(
            _(
                "Signed by: {name}; {reason}, but the root's trust list holds this certificate."
            ).format(name=name, reason=problem)
        )
    elif problem:
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
    if listed is not None and not vouched:
        findings.bad(Verdict.invalid, _("The code differs from the trust list's record."))
    if known.checked:
        _key_revocation(signer, qrpayload.issued_at(claims), False, known, findings)
    _describe(claims, findings, known, now.astimezone(HALL_TZ).date())
    _show_rows(claims, known, findings)
    _check_record(number, claims["fields_hash"], record, findings)
    _check_revoked(number, known, findings)
    return findings.result(claims, number)


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 fingerprint of a certificate, grouped for reading aloud over the phone."""
    digest = hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest().upper()
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))
