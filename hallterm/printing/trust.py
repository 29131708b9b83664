"""What a relying party trusts besides the root: the root's CRL of station keys, the trust list.

The CRL (RFC 5280, made with cryptography) lists revoked station signing certificates with the
revocation time and reason.  A signature made after its key's revocation is invalid; one made
before stays valid where a timestamp proves when it was made.

The trust list is what central hands to verifiers without a store: the station certificates,
the CRL, the revoked and cancelled certificate numbers, and the field set of every business
licence (public: so a QR code too small to carry its rows can still be compared with the
paper); of a person's certificate only its field-set hash, so no personal data leaves.  It is JSON,
signed by the root with ECDSA P-256 / SHA-256 over its canonical bytes (sorted keys, UTF-8, no
spaces); the file is ``{"trust_list": {...}, "signature": base64(DER)}``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from hallterm.i18n import _
from hallterm.printing.keys import KeyBundle

TRUST_LIST_VERSION = 1
CRL_DAYS = 30  # next update: stations re-sync long before this
REASONS: dict[str, x509.ReasonFlags] = {
    "key_compromise": x509.ReasonFlags.key_compromise,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
    "superseded": x509.ReasonFlags.superseded,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
}


class TrustError(Exception):
    """A CRL or trust list cannot be used; the message says why, for people."""


@dataclass(frozen=True)
class KeyRevocation:
    serial: int
    revoked_at: dt.datetime
    reason: str  # a key of REASONS


def make_crl(
    root: KeyBundle, revoked: Iterable[KeyRevocation], number: int, now: dt.datetime
) -> bytes:
    """The root's CRL (DER) listing ``revoked`` station certificates."""
    ski = root.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.cert.subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=CRL_DAYS))
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False)
    )
    for r in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(r.serial)
            .revocation_date(r.revoked_at)
            .add_extension(x509.CRLReason(REASONS[r.reason]), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(root.key, hashes.SHA256()).public_bytes(Encoding.DER)


def load_crl(der: bytes, roots: Iterable[x509.Certificate]) -> x509.CertificateRevocationList:
    """Parse a CRL and check that one of ``roots`` signed it."""
    try:
        crl = x509.load_der_x509_crl(der)
    except ValueError:
        raise TrustError(_("the revocation list (CRL) is damaged")) from None
    for root in roots:
        if root.subject == crl.issuer and crl.is_signature_valid(root.public_key()):  # type: ignore[arg-type]
            return crl
    raise TrustError(_("the revocation list (CRL) is not signed by the trusted root"))


def key_revocations(crl: x509.CertificateRevocationList) -> dict[int, KeyRevocation]:
    """The CRL's entries by certificate serial number."""
    out: dict[int, KeyRevocation] = {}
    names = {flag: name for name, flag in REASONS.items()}
    for entry in crl:
        try:
            flag = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
        except x509.ExtensionNotFound:
            flag = x509.ReasonFlags.unspecified
        out[entry.serial_number] = KeyRevocation(
            entry.serial_number,
            entry.revocation_date_utc,
            names.get(flag, "key_compromise"),
        )
    return out


# --- trust list ----------------------------------------------------------------------------


@dataclass
class TrustList:
    """A verified trust list, ready for ``verify``."""

    issued_at: dt.datetime
    station_certs: list[x509.Certificate] = field(default_factory=list)
    crl: x509.CertificateRevocationList | None = None
    revoked: dict[str, str] = field(default_factory=dict)  # number → "revoked" / "cancelled"
    records: dict[str, dict[str, Any]] = field(default_factory=dict)

    def key_revocations(self) -> dict[int, KeyRevocation]:
        return key_revocations(self.crl) if self.crl is not None else {}


def _canonical(doc: Mapping[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def make_trust_list(
    root: KeyBundle,
    *,
    now: dt.datetime,
    station_certs: Iterable[x509.Certificate],
    crl_der: bytes | None,
    revoked: Mapping[str, str],
    records: Mapping[str, Mapping[str, Any]],
) -> bytes:
    """The signed trust list file (UTF-8 JSON)."""
    doc = {
        "version": TRUST_LIST_VERSION,
        "issued_at": now.astimezone(dt.UTC).isoformat(),
        "station_certs": [c.public_bytes(Encoding.PEM).decode("ascii") for c in station_certs],
        "crl": base64.b64encode(crl_der).decode("ascii") if crl_der else None,
        "revoked": dict(sorted(revoked.items())),
        "records": {k: dict(v) for k, v in sorted(records.items())},
    }
    signature = root.key.sign(_canonical(doc), ec.ECDSA(hashes.SHA256()))
    out = {"trust_list": doc, "signature": base64.b64encode(signature).decode("ascii")}
    return json.dumps(out, ensure_ascii=False, sort_keys=True, indent=1).encode()


def load_trust_list(data: bytes, roots: list[x509.Certificate]) -> TrustList:
    """Parse a trust list and check the root's signature on it (``TrustError`` if not)."""
    try:
        outer = json.loads(data.decode("utf-8"))
        doc = outer["trust_list"]
        signature = base64.b64decode(outer["signature"], validate=True)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise TrustError(_("the trust list is damaged or not a trust list")) from None
    for root in roots:
        public = root.public_key()
        if not isinstance(public, ec.EllipticCurvePublicKey):
            continue
        try:
            public.verify(signature, _canonical(doc), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            continue
        break
    else:
        raise TrustError(_("the trust list is not signed by the trusted root"))
    try:
        certs = [x509.load_pem_x509_certificate(p.encode("ascii")) for p in doc["station_certs"]]
        crl = load_crl(base64.b64decode(doc["crl"]), roots) if doc.get("crl") else None
        return TrustList(
            issued_at=dt.datetime.fromisoformat(doc["issued_at"]),
            station_certs=certs,
            crl=crl,
            revoked={str(k): str(v) for k, v in doc.get("revoked", {}).items()},
            records={str(k): dict(v) for k, v in doc.get("records", {}).items()},
        )
    except (ValueError, KeyError, TypeError):
        raise TrustError(_("the trust list is damaged or not a trust list")) from None


def read_trust_list(path: Path, roots: list[x509.Certificate]) -> TrustList:
    try:
        data = Path(path).read_bytes()
    except OSError:
        raise TrustError(_("cannot read the trust list {path}").format(path=path)) from None
    return load_trust_list(data, roots)
