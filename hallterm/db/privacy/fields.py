"""The cryptography of personal fields, as pure functions over bytes and strings.

A personal field is stored as ``"enc1:" + base64url(nonce12 || ciphertext+tag)``,
AES-256-GCM with the associated data ``"{applicant_id}:{field}"``: a value copied to another
row or another column does not decrypt.  Keys are wrapped the same way (``wrap``/``unwrap``)
with a label as associated data.  The station data key is wrapped under a key derived from
the station passphrase with scrypt (``passphrase_wrap``).  The blind index is an
HMAC-SHA256 of the ID type and normalised number under the province-wide blind key: equal
numbers give equal indexes, and without the key the index cannot be reversed by trying
every birth date.  Nothing here is hand-rolled: AES-GCM, scrypt and HMAC come from
``cryptography`` and the standard library.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

PREFIX = "enc1:"
PASS_PREFIX = "scrypt1:"
KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


class DecryptError(Exception):
    """A ciphertext that does not open under this key and associated data."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as exc:
        raise DecryptError("not base64") from exc


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def _seal(key: bytes, plain: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plain, aad)


def _open(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if len(sealed) < NONCE_BYTES + 16:
        raise DecryptError("too short")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise DecryptError("wrong key or associated data") from exc


def field_aad(applicant_id: str, field: str) -> bytes:
    return f"{applicant_id}:{field}".encode()


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def encrypt_field(key: bytes, applicant_id: str, field: str, value: str) -> str:
    """The stored form of ``value``; an empty value stays empty (nothing to hide)."""
    if not value:
        return ""
    return PREFIX + _b64(_seal(key, value.encode("utf-8"), field_aad(applicant_id, field)))


def decrypt_field(key: bytes, applicant_id: str, field: str, stored: str) -> str:
    """The clear value of a stored field; raises ``DecryptError`` when it does not open."""
    if not stored:
        return ""
    if not is_sealed(stored):
        raise DecryptError("not an encrypted field")
    sealed = _unb64(stored[len(PREFIX) :])
    return _open(key, sealed, field_aad(applicant_id, field)).decode("utf-8")


def wrap(kek: bytes, key: bytes, label: str) -> str:
    """``key`` sealed under the key-encryption key ``kek``, bound to ``label``."""
    return PREFIX + _b64(_seal(kek, key, label.encode()))


def unwrap(kek: bytes, wrapped: str, label: str) -> bytes:
    if not is_sealed(wrapped):
        raise DecryptError("not a wrapped key")
    return _open(kek, _unb64(wrapped[len(PREFIX) :]), label.encode())


@functools.lru_cache(maxsize=8)
def derive_key(passphrase: str, salt: bytes) -> bytes:
    """scrypt (N=2^15, r=8, p=1) of the passphrase: the key that wraps the data key.

    Remembered for the process (a few entries): a program opening the same store again
    does not pay for scrypt twice; the data key it opens is in memory anyway."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    kdf = Scrypt(salt=salt, length=KEY_BYTES, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    return kdf.derive(passphrase.encode("utf-8"))


def passphrase_wrap(passphrase: str, key: bytes, label: str) -> str:
    """``key`` wrapped under the passphrase: ``scrypt1:`` base64url(salt || nonce || ct)."""
    salt = os.urandom(SALT_BYTES)
    return PASS_PREFIX + _b64(salt + _seal(derive_key(passphrase, salt), key, label.encode()))


def passphrase_unwrap(passphrase: str, wrapped: str, label: str) -> bytes:
    """The key wrapped by ``passphrase_wrap``; ``DecryptError`` for a wrong passphrase."""
    if not wrapped.startswith(PASS_PREFIX):
        raise DecryptError("not a passphrase-wrapped key")
    raw = _unb64(wrapped[len(PASS_PREFIX) :])
    salt, sealed = raw[:SALT_BYTES], raw[SALT_BYTES:]
    return _open(derive_key(passphrase, salt), sealed, label.encode())


def derive_subkey(key: bytes, info: str) -> bytes:
    """An independent key for one purpose (HKDF-SHA256 of ``key``, ``info`` as context)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info.encode()).derive(
        key
    )


def blind_index(blind_key: bytes, id_type: str, number: str) -> str:
    """HMAC-SHA256 (hex) of ``"{id_type}:{number}"``: the look-up key of an ID number."""
    return hmac.new(blind_key, f"{id_type}:{number}".encode(), hashlib.sha256).hexdigest()
