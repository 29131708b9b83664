"""A prepared CMS signature container: per document, only the digest and the signature change.

pyHanko builds the PAdES signature container (CMS SignedData with the signed attributes
content-type, message-digest, signing-certificate-v2 and CMS algorithm protection, the chain
embedded) with asn1crypto on every call, and re-encoding it is most of the time a signature
takes (~20 ms of ~23 ms here).  For one key everything in that container is the same from one
document to the next except two values: the message digest inside the signed attributes, and
the ECDSA signature over those attributes.  So pyHanko builds it once, with a marker digest and
a marker signature of each possible DER length, and each document gets a byte copy with the two
values put in place (same lengths, so no DER length changes).  The document side still goes
through pyHanko's two-step API (``digest_doc_for_signing`` / ``finish_signing``), which
reserves the space, computes the byte-range digest and writes the container in.

The result is byte-for-byte what pyHanko would have produced for the same digest and
signature (a test compares the two), and validates with pyHanko and pdfsig.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field

from asn1crypto import cms
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign import signers

DIGEST_BYTES = 32  # SHA-256


class TemplateError(Exception):
    """The prepared container could not be built (a marker was not found exactly once)."""


def _once(data: bytes, marker: bytes) -> int:
    at = data.find(marker)
    if at < 0 or data.find(marker, at + 1) >= 0:
        raise TemplateError("marker not found exactly once")
    return at


@dataclass
class SignatureTemplate:
    """The container of one signer, ready to be filled for any digest."""

    key: ec.EllipticCurvePrivateKey
    attrs: bytes  # the signed attributes as signed (SET OF, tag 0x31), marker digest inside
    attrs_digest_at: int
    _base: cms.ContentInfo
    _marker: bytes
    _by_len: dict[int, tuple[bytes, int, int]] = field(default_factory=dict)

    @classmethod
    def build(
        cls, signer: signers.SimpleSigner, key: ec.EllipticCurvePrivateKey
    ) -> SignatureTemplate:
        marker = secrets.token_bytes(DIGEST_BYTES)
        base = asyncio.run(signer.async_sign(marker, "sha256", use_pades=True))
        info = base["content"]["signer_infos"][0]
        tagged = info["signed_attrs"].dump()
        attrs = b"\x31" + tagged[1:]  # [0] IMPLICIT → SET OF, as the signature covers it
        return cls(key, attrs, _once(attrs, marker), base, marker)

    def _for_length(self, length: int) -> tuple[bytes, int, int]:
        """The container bytes with a placeholder signature of ``length`` bytes, and where the
        digest and the signature go."""
        cached = self._by_len.get(length)
        if cached is not None:
            return cached
        placeholder = secrets.token_bytes(length)
        info = self._base["content"]["signer_infos"][0]
        info["signature"] = placeholder
        der = self._base.dump()
        entry = (der, _once(der, self._marker), _once(der, placeholder))
        if entry[1] > entry[2]:
            raise TemplateError("the digest must come before the signature")
        self._by_len[length] = entry
        return entry

    def container(self, digest: bytes) -> bytes:
        """The signed CMS container (DER) for a document whose byte-range digest is ``digest``."""
        if len(digest) != DIGEST_BYTES:
            raise ValueError("a SHA-256 digest has 32 bytes")
        at = self.attrs_digest_at
        attrs = self.attrs[:at] + digest + self.attrs[at + DIGEST_BYTES :]
        signature = self.key.sign(attrs, ec.ECDSA(hashes.SHA256()))
        der, d_at, s_at = self._for_length(len(signature))
        return (
            der[:d_at]
            + digest
            + der[d_at + DIGEST_BYTES : s_at]
            + signature
            + der[s_at + len(signature) :]
        )
