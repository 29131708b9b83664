"""The compact signed payload in a certificate's QR code (the EU digital COVID certificate recipe).

``HT1:`` + Base45( zlib( COSE_Sign1( CBOR claims ) ) ), signed ES256 by the station key.

COSE_Sign1 (RFC 9052 §4.2) is built here with cbor2 and cryptography rather than a COSE
library: the structure is four CBOR items under tag 18 and the signature covers the CBOR
array ``["Signature1", protected, b"", payload]``; pycose would add a dependency tree for those
few lines and still needs the raw r‖s conversion done the same way.  A test decodes the
structure independently (tag 18, 4 elements, alg −7, 64-byte signature) to pin the format.

Claims are CWT-like (RFC 8392): registered labels 1 (iss: issuing station code) and 6 (iat:
signing time, seconds) plus short text keys for our own claims, so the code stays small
(about 280 characters without the printed rows: QR version 10 at error level Q; with the rows
as long as they keep the code at version 15 or less).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import base45
import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.serialization import Encoding

from hallterm.i18n import _

PREFIX = "HT1:"
QR_ERROR_LEVEL = "q"
COSE_SIGN1_TAG = 18
ALG_ES256 = -7
HDR_ALG = 1
HDR_KID = 4
KID_BYTES = 8
HASH_BYTES = 16  # 128-bit prefix of SHA-256: enough against a forged matching field set
# Alphanumeric characters of a version 15 symbol at level Q (ISO/IEC 18004 table 7): a larger
# code no longer scans reliably from a printed A4 page, so the rows are left out above it and a
# verifier matches the field-set hash against the trust list's record instead.
QR_MAX_CHARS = 426
_MAX_TEXT = 2000  # a QR code holds far less; refuse anything bigger before decoding
_MAX_INFLATED = 4096

# Readable claim name → wire label.  Integers are CWT registered claims.
_WIRE: dict[str, int | str] = {
    "iss": 1,  # issuing station code
    "iat": 6,  # signed at, POSIX seconds
    "number": "n",  # certificate number
    "holder": "h",  # holder's name
    "type": "t",  # certificate type code
    "valid_until": "v",  # ISO date or absent (no end)
    "fields_hash": "f",  # SHA-256 prefix of the full field set, see fields_hash()
    "authority": "a",  # the issuing authority's name
    "issued_on": "o",  # ISO date of issue
    "rows": "r",  # every printed (label, value) row, when they fit (see QR_MAX_CHARS)
}
_NAMES = {wire: name for name, wire in _WIRE.items()}
REQUIRED_CLAIMS = ("iss", "iat", "number", "fields_hash")


class PayloadError(Exception):
    """The QR text is not a valid signed payload; ``reason`` says which step failed.

    Reasons: prefix, base45, zlib, cbor, structure, unknown_kid, signature, claims.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def cert_kid(cert: x509.Certificate) -> bytes:
    """Key id of a signer: the first 8 bytes of SHA-256 over its certificate's DER."""
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()[:KID_BYTES]


def canonical_json(record: Mapping[str, Any]) -> bytes:
    """The one byte form of a field set that is hashed (sorted keys, UTF-8, no spaces)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def fields_hash(record: Mapping[str, Any]) -> bytes:
    """SHA-256 prefix of a certificate's full field set (``CertificateData.to_record()``)."""
    return hashlib.sha256(canonical_json(record)).digest()[:HASH_BYTES]


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def encode(claims: Mapping[str, Any], key: ec.EllipticCurvePrivateKey, kid: bytes) -> str:
    """Sign ``claims`` (names as in ``_WIRE``) with ``key`` and return the QR text."""
    unknown = set(claims) - set(_WIRE)
    if unknown:
        raise ValueError(f"unknown claims: {sorted(unknown)}")
    body = {_WIRE[name]: value for name, value in claims.items() if value is not None}
    payload = cbor2.dumps(body)
    protected = cbor2.dumps({HDR_ALG: ALG_ES256, HDR_KID: kid})
    der = key.sign(_sig_structure(protected, payload), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")  # COSE wants raw r‖s, not DER
    cose = cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    encoded: bytes = base45.b45encode(zlib.compress(cose, 9))
    return PREFIX + encoded.decode("ascii")


def _fail(reason: str, message: str) -> PayloadError:
    return PayloadError(reason, message)


def _unwrap(text: str) -> bytes:
    """Prefix, Base45 and zlib off: the COSE bytes."""
    text = text.strip()
    if not text.startswith(PREFIX):
        raise _fail("prefix", _("the code does not start with {prefix}").format(prefix=PREFIX))
    if len(text) > _MAX_TEXT:
        raise _fail("base45", _("the code is too long to be a certificate code"))
    try:
        compressed = base45.b45decode(text[len(PREFIX) :])
    except Exception:
        raise _fail("base45", _("the code is damaged (not valid Base45)")) from None
    try:
        inflater = zlib.decompressobj()
        cose = inflater.decompress(compressed, _MAX_INFLATED)
        if inflater.unconsumed_tail or not inflater.eof:
            raise zlib.error("truncated or oversized")
    except zlib.error:
        raise _fail("zlib", _("the code is damaged (cannot be decompressed)")) from None
    return cose


def decode_with_signer(
    text: str,
    trusted: list[x509.Certificate] | Callable[[bytes], x509.Certificate | None],
) -> tuple[dict[str, Any], x509.Certificate]:
    """Check a QR text and return (claims, signer certificate); raise ``PayloadError``.

    ``trusted`` gives the signer certificates to accept: a list (matched by ``cert_kid``)
    or a function from kid to certificate.  Whether that certificate chains to a trusted
    root is the caller's business (see ``verify.verify_qr``).
    """
    cose_bytes = _unwrap(text)
    try:
        cose = cbor2.loads(cose_bytes)
    except Exception:
        raise _fail("cbor", _("the code is damaged (not valid CBOR)")) from None
    if (
        not isinstance(cose, cbor2.CBORTag)
        or cose.tag != COSE_SIGN1_TAG
        or not isinstance(cose.value, (list, tuple))  # cbor2 gives tuples inside tags
        or len(cose.value) != 4
    ):
        raise _fail("structure", _("the code is not a COSE_Sign1 signed message"))
    protected, unprotected, payload, signature = cose.value
    if not (
        isinstance(protected, bytes)
        and isinstance(unprotected, Mapping)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
    ):
        raise _fail("structure", _("the code is not a COSE_Sign1 signed message"))
    try:
        headers = cbor2.loads(protected) if protected else {}
    except Exception:
        raise _fail("cbor", _("the code is damaged (not valid CBOR)")) from None
    if not isinstance(headers, Mapping) or headers.get(HDR_ALG) != ALG_ES256:
        raise _fail("structure", _("the code is not signed with ES256"))
    kid = headers.get(HDR_KID, unprotected.get(HDR_KID))
    if not isinstance(kid, bytes):
        raise _fail("structure", _("the code does not name its signer"))
    if callable(trusted):
        cert = trusted(kid)
    else:
        cert = next((c for c in trusted if cert_kid(c) == kid), None)
    if cert is None:
        raise _fail(
            "unknown_kid", _("the code was signed by an unknown key {kid}").format(kid=kid.hex())
        )
    public = cert.public_key()
    if len(signature) != 64 or not isinstance(public, ec.EllipticCurvePublicKey):
        raise _fail("signature", _("the signature of the code is not valid"))
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public.verify(der, _sig_structure(protected, payload), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise _fail("signature", _("the signature of the code is not valid")) from None
    try:
        body = cbor2.loads(payload)
    except Exception:
        raise _fail("cbor", _("the code is damaged (not valid CBOR)")) from None
    if not isinstance(body, Mapping):
        raise _fail("claims", _("the code carries no certificate data"))
    claims = {_NAMES[k]: v for k, v in body.items() if k in _NAMES}
    if any(name not in claims for name in REQUIRED_CLAIMS):
        raise _fail("claims", _("the code carries no certificate data"))
    claims["kid"] = kid
    return claims, cert


def decode(
    text: str,
    trusted: list[x509.Certificate] | Callable[[bytes], x509.Certificate | None],
) -> dict[str, Any]:
    """Check a QR text against the signer certificates in ``trusted``; return its claims."""
    return decode_with_signer(text, trusted)[0]


def issued_at(claims: Mapping[str, Any]) -> dt.datetime:
    """The ``iat`` claim as an aware UTC datetime."""
    return dt.datetime.fromtimestamp(int(claims["iat"]), dt.UTC)
