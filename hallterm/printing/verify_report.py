"""Verdicts, exit codes and the lines a verification prints; the checks both forms share.

``verify`` checks a PDF or a QR text; this module holds what it reports with: the verdict
(worst wins), the revocation knowledge a verifier has, times in China Standard Time, the
signer's chain and key revocation, the fields to compare with the paper, the store's record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from hallterm.clock import HALL_TZ, Clock
from hallterm.i18n import _
from hallterm.printing import qrpayload
from hallterm.printing.trust import KeyRevocation


class Verdict(StrEnum):
    valid = "valid"
    invalid = "invalid"
    revoked = "revoked"
    untrusted = "untrusted"
    unchecked = "unchecked"  # valid as far as could be seen; revocation not checked

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
            Verdict.unchecked: _("REVOCATION NOT CHECKED"),
        }[self]


HASH_ONLY = "fields_hash"  # a trust list record without the fields (personal data stays home)

_EXIT_CODES = {
    Verdict.valid: 0,
    Verdict.invalid: 1,
    Verdict.revoked: 2,
    Verdict.untrusted: 3,
    Verdict.unchecked: 4,
}
EXIT_INPUT_ERROR = 5  # ``hallterm verify`` could not read what it was given
_SEVERITY = (Verdict.invalid, Verdict.untrusted, Verdict.revoked, Verdict.unchecked, Verdict.valid)


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
class Revocations:
    """What the verifier knows about revocation; ``checked`` False when it knows nothing."""

    certificates: Mapping[str, str] = field(default_factory=dict)  # number → revoked/cancelled
    keys: Mapping[int, KeyRevocation] = field(default_factory=dict)  # station cert serial
    records: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # trust list records
    checked: bool = True

    @classmethod
    def of(cls, revoked: Collection[str] | Mapping[str, str] | Revocations) -> Revocations:
        if isinstance(revoked, Revocations):
            return revoked
        if isinstance(revoked, Mapping):
            return cls(certificates=dict(revoked))
        return cls(certificates={n: "revoked" for n in revoked})


@dataclass
class _Findings:
    """What the checks found: the worst verdict wins, every line is kept."""

    verdicts: set[Verdict] = field(default_factory=set)
    lines: list[str] = field(default_factory=list)
    cancelled: bool = False

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
            Verdict.unchecked: _(
                "the certificate is authentic and unchanged, but whether it was revoked "
                "was not checked (give --trust FILE or use a store)"
            ),
        }[verdict]
        label = verdict.label
        if verdict is Verdict.revoked and self.cancelled:
            label = _("CANCELLED")
            summary = _("the certificate is authentic but has been cancelled")
        head = _("{verdict}: {summary}").format(verdict=label, summary=summary)
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
        return Clock().now()
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def cst(moment: dt.datetime) -> str:
    """A moment in China Standard Time, the zone named."""
    return _("{time} China Standard Time (UTC+8)").format(
        time=_utc(moment).astimezone(HALL_TZ).strftime("%Y-%m-%d %H:%M")
    )


def _time_problem(cert: x509.Certificate, at: dt.datetime) -> str | None:
    if at < cert.not_valid_before_utc:
        return _("the signer's certificate is not valid before {date}").format(
            date=cst(cert.not_valid_before_utc)
        )
    if at > cert.not_valid_after_utc:
        return _("the signer's certificate expired on {date}").format(
            date=cst(cert.not_valid_after_utc)
        )
    return None


def _chain_problem(
    cert: x509.Certificate, roots: Collection[x509.Certificate], at: dt.datetime
) -> str | None:
    """Why ``cert`` is not a station certificate issued by one of ``roots`` at ``at``; None if it is.

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


def _key_revocation(
    signer: x509.Certificate,
    signed_at: dt.datetime,
    proven: bool,
    known: Revocations,
    findings: _Findings,
) -> None:
    """The station key's revocation against when the signature was made."""
    entry = known.keys.get(signer.serial_number)
    if entry is None:
        return
    when = cst(entry.revoked_at)
    if signed_at >= entry.revoked_at:
        findings.bad(
            Verdict.invalid,
            _("The signing key was revoked on {date}; this signature was made after that.").format(
                date=when
            ),
        )
    elif proven:
        findings.ok(
            _(
                "The signing key was revoked on {date}; a timestamp proves the signature is earlier."
            ).format(date=when)
        )
    else:
        findings.bad(
            Verdict.untrusted,
            _(
                "The signing key was revoked on {date}; no timestamp proves the signature is "
                "earlier."
            ).format(date=when),
        )


def record_hash(record: Mapping[str, Any]) -> bytes:
    """The field-set hash of a trust list record: given (a personal certificate's record
    carries only its hash) or computed from the fields."""
    given = record.get(HASH_ONLY)
    return bytes.fromhex(str(given)) if given is not None else qrpayload.fields_hash(record)


def _rows_of(claims: Mapping[str, Any], known: Revocations) -> list[tuple[str, str]] | None:
    rows = claims.get("rows")
    if isinstance(rows, list):
        return [(str(a), str(b)) for a, b in rows]
    record = known.records.get(str(claims.get("number")))
    if (
        record is not None
        and HASH_ONLY not in record
        and record_hash(record) == claims["fields_hash"]
    ):
        return [(str(a), str(b)) for a, b in record.get("fields", [])]
    return None


def _describe(
    claims: dict[str, Any], findings: _Findings, known: Revocations, today: dt.date
) -> None:
    findings.ok(_("Certificate number: {number}").format(number=claims.get("number", "")))
    if claims.get("holder"):
        findings.ok(_("Holder: {holder}").format(holder=claims["holder"]))
    if claims.get("authority"):
        findings.ok(_("Issuing authority: {name}").format(name=claims["authority"]))
    findings.ok(_("Place of issue (station code): {code}").format(code=claims.get("iss", "")))
    if claims.get("issued_on"):
        findings.ok(_("Issued on: {date}").format(date=claims["issued_on"]))
    findings.ok(_("Signed at: {time}").format(time=cst(qrpayload.issued_at(claims))))
    valid_until = claims.get("valid_until")
    findings.ok(_("Valid until: {date}").format(date=valid_until or _("Long-term")))
    if valid_until and dt.date.fromisoformat(valid_until) < today:
        findings.ok(_("Note: the validity period of this certificate has ended."))


def _show_rows(claims: dict[str, Any], known: Revocations, findings: _Findings) -> None:
    rows = _rows_of(claims, known)
    if rows is None:
        findings.ok(
            _(
                "The code carries only a fingerprint of the fields; with --trust FILE they are "
                "shown to compare with the paper."
            )
        )
        return
    findings.ok(_("Compare every field with the paper:"))
    for label, value in rows:
        findings.ok(f"  {label}: {value}")


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
        findings.ok(
            _(
                "This store has not received the record of this number yet; "
                "the signature alone was checked."
            )
        )
    elif qrpayload.fields_hash(stored) == expected_hash:
        findings.ok(_("The certificate matches the record in the store."))
    else:
        findings.bad(Verdict.invalid, _("The certificate differs from the record in the store."))


def _check_revoked(number: str, known: Revocations, findings: _Findings) -> None:
    if not known.checked:
        findings.bad(Verdict.unchecked, _("Revocation was not checked: no store, no trust list."))
        return
    kind = known.certificates.get(number)
    if kind is None:
        return
    if kind == "cancelled":
        findings.cancelled = True
        findings.bad(
            Verdict.revoked, _("Certificate {number} has been cancelled.").format(number=number)
        )
    else:
        findings.bad(
            Verdict.revoked, _("Certificate {number} has been revoked.").format(number=number)
        )
