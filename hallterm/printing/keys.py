"""Signing keys: the central root, one P-256 signing certificate per station, encrypted key files.

Private keys are only ever written as PKCS#12 files encrypted with PBES2 (PBKDF2-HMAC-SHA256,
AES-256-CBC), file mode 0600, replaced atomically.  cryptography's PKCS#12 writer always
protects the file's integrity MAC with 2048 iterations of the PKCS#12 KDF whatever
``kdf_rounds`` says; since the MAC key comes from the same passphrase, that MAC would be a
cheap oracle for guessing it and would undo the strong KDF.  ``save_p12`` therefore recomputes
the MAC (HMAC-SHA-256, RFC 7292 appendix B KDF) with the same iteration count as the key
encryption, after checking its own KDF against the MAC OpenSSL wrote.  Any PKCS#12 reader
(OpenSSL included) honours the iteration count stored in the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import pkcs12 as asn1_pkcs12
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from hallterm.clock import utc_now
from hallterm.i18n import _
from hallterm.private_files import private_dir

ENV_PASSPHRASE = "HALLTERM_KEY_PASSPHRASE"
# PBKDF2-HMAC-SHA256 rounds (OWASP 2023: 600 000).  Loading then costs about 0.3 s for the
# key plus 0.3 s for the MAC on this class of machine; acceptable once per session.
DEFAULT_ITERATIONS = 600_000
# RFC 9336 id-kp-documentSigning.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
_MAC_SALT_BYTES = 16


class KeyFileError(Exception):
    """A key or certificate file cannot be used; the message says why, for people."""


@dataclass(eq=False)  # identity semantics: bundles are cached by object (see certificate_pdf)
class KeyBundle:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    chain: list[x509.Certificate] = field(default_factory=list)

    @property
    def station_code(self) -> str | None:
        """The serialNumber attribute of the subject (the station code), if any."""
        attrs = self.cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
        return str(attrs[0].value) if attrs else None

    @property
    def common_name(self) -> str:
        attrs = self.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(attrs[0].value) if attrs else ""


def _now() -> dt.datetime:
    return utc_now()


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def make_root(
    common_name: str,
    out: Path,
    passphrase: bytes,
    days: int = 3650,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    not_before: dt.datetime | None = None,
) -> KeyBundle:
    """Create the central root (a self-signed CA) and save it encrypted at ``out``."""
    key = _new_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
        ]
    )
    now = not_before + dt.timedelta(minutes=5) if not_before else _now()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False)
        .sign(key, hashes.SHA256())
    )
    bundle = KeyBundle(key=key, cert=cert, chain=[])
    save_p12(bundle, out, passphrase, iterations=iterations)
    return bundle


def issue_station(
    root: KeyBundle,
    station_code: str,
    station_name: str,
    out: Path,
    passphrase: bytes,
    days: int = 730,
    not_before: dt.datetime | None = None,
    *,
    iterations: int = DEFAULT_ITERATIONS,
    organisation: str | None = None,
) -> KeyBundle:
    """Issue a station's signing certificate under ``root`` and save it encrypted at ``out``.

    The subject names the station itself: CN and O= its own organisation (``organisation``,
    by default the station's name), serialNumber its code; the root is only the issuer.

    The certificate is a document-signing end entity: keyUsage digitalSignature +
    nonRepudiation (critical, as PAdES validators expect), extendedKeyUsage documentSigning
    (RFC 9336) and emailProtection (which Acrobat-era validators look for).  It never outlives
    the root.
    """
    key = _new_key()
    start = not_before or (_now() - dt.timedelta(minutes=5))
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    end = min(start + dt.timedelta(days=days), root.cert.not_valid_after_utc)
    subject_attrs = [
        x509.NameAttribute(NameOID.COMMON_NAME, station_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation or station_name),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, station_code),
    ]
    root_ski = root.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(subject_attrs))
        .issuer_name(root.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # = nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), False
        )
        .sign(root.key, hashes.SHA256())
    )
    bundle = KeyBundle(key=key, cert=cert, chain=[root.cert])
    save_p12(bundle, out, passphrase, iterations=iterations)
    return bundle


# --- PKCS#12 -------------------------------------------------------------------------------


def _bmp_password(passphrase: bytes) -> bytes:
    """The passphrase as the PKCS#12 KDF wants it: UTF-16BE plus a NUL, as OpenSSL does.

    OpenSSL reads the bytes as UTF-8 and falls back to one byte per character when they are
    not valid UTF-8; we do the same so our MAC matches what OpenSSL checks on load.
    """
    try:
        text = passphrase.decode("utf-8")
    except UnicodeDecodeError:
        return b"".join(b"\x00" + bytes([c]) for c in passphrase) + b"\x00\x00"
    return text.encode("utf-16-be") + b"\x00\x00"


def _pkcs12_mac_key(passphrase: bytes, salt: bytes, iterations: int) -> bytes:
    """RFC 7292 appendix B.2 KDF, ID 3 (MAC key), SHA-256, 32 output bytes.

    With n = u = 32 only the first block A₁ = H^c(D‖I) is needed.
    """
    v = 64  # SHA-256 block size

    def stretch(data: bytes) -> bytes:
        if not data:
            return b""
        length = v * -(-len(data) // v)
        return (data * (length // len(data) + 1))[:length]

    digest = hashlib.sha256(bytes([3]) * v + stretch(salt) + stretch(_bmp_password(passphrase)))
    a = digest.digest()
    sha256 = hashlib.sha256
    for _round in range(iterations - 1):
        a = sha256(a).digest()
    return a


def _mac(passphrase: bytes, salt: bytes, iterations: int, data: bytes) -> bytes:
    return hmac.new(_pkcs12_mac_key(passphrase, salt, iterations), data, "sha256").digest()


def _strengthen_mac(der: bytes, passphrase: bytes, iterations: int) -> bytes:
    """Replace the PKCS#12 MAC by one with ``iterations`` rounds (see the module docstring)."""
    pfx = asn1_pkcs12.Pfx.load(der)
    auth_safe = pfx["auth_safe"]
    data = auth_safe["content"].native  # the MAC covers the authSafe OCTET STRING's contents
    old = pfx["mac_data"]
    # Check our KDF against the MAC OpenSSL just wrote before trusting it with the real one.
    check = _mac(passphrase, old["mac_salt"].native, old["iterations"].native, data)
    if old["mac"]["digest_algorithm"]["algorithm"].native != "sha256" or not hmac.compare_digest(
        check, old["mac"]["digest"].native
    ):
        raise KeyFileError(_("internal error: the PKCS#12 integrity check could not be rebuilt"))
    salt = secrets.token_bytes(_MAC_SALT_BYTES)
    mac_data = asn1_pkcs12.MacData(
        {
            "mac": {
                "digest_algorithm": {"algorithm": "sha256", "parameters": None},
                "digest": _mac(passphrase, salt, iterations, data),
            },
            "mac_salt": salt,
            "iterations": iterations,
        }
    )
    return bytes(
        asn1_pkcs12.Pfx(
            {"version": pfx["version"], "auth_safe": auth_safe, "mac_data": mac_data}
        ).dump()
    )


def _atomic_write_private(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` with mode 0600 from the first byte, then rename into place."""
    out = Path(out)
    private_dir(out.parent)
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o600)  # whatever the umask did
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def save_p12(
    bundle: KeyBundle, out: Path, passphrase: bytes, *, iterations: int = DEFAULT_ITERATIONS
) -> None:
    """Write ``bundle`` as an encrypted PKCS#12 file (PBES2/AES-256, MAC SHA-256), mode 0600."""
    if not passphrase:
        raise KeyFileError(_("a key file needs a passphrase; an empty one is not accepted"))
    encryption = (
        PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(iterations)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(passphrase)
    )
    name = (bundle.station_code or bundle.common_name or "hallterm").encode("utf-8")
    der = pkcs12.serialize_key_and_certificates(
        name, bundle.key, bundle.cert, bundle.chain or None, encryption
    )
    _atomic_write_private(Path(out), _strengthen_mac(der, passphrase, iterations))


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise KeyFileError(_("{what} {path} does not exist").format(what=what, path=path)) from None
    except IsADirectoryError:
        raise KeyFileError(_("{what} {path} is a directory").format(what=what, path=path)) from None
    except OSError as exc:
        raise KeyFileError(
            _("cannot read {what} {path}: {reason}").format(
                what=what, path=path, reason=exc.strerror
            )
        ) from None


def load_p12(path: Path, passphrase: bytes) -> KeyBundle:
    """Open an encrypted key file; every failure is a ``KeyFileError`` saying what is wrong."""
    what = _("key file")
    data = _read(path, what)
    if data.lstrip().startswith(b"-----BEGIN"):
        raise KeyFileError(
            _("{path} is a PEM text file, not a PKCS#12 key file (.p12)").format(path=path)
        )
    try:
        pfx = asn1_pkcs12.Pfx.load(data, strict=True)
        pfx["auth_safe"]["content"].native  # noqa: B018 - forces the lazy parse
    except Exception:
        raise KeyFileError(_("{path} is not a PKCS#12 key file (.p12)").format(path=path)) from None
    try:
        loaded = pkcs12.load_pkcs12(data, passphrase)
    except ValueError:
        raise KeyFileError(
            _("wrong passphrase for key file {path} (or the file is damaged)").format(path=path)
        ) from None
    if loaded.key is None or loaded.cert is None:
        raise KeyFileError(
            _("key file {path} holds no private key and certificate").format(path=path)
        )
    key = loaded.key
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise KeyFileError(_("key file {path} does not hold a P-256 key").format(path=path))
    return KeyBundle(
        key=key,
        cert=loaded.cert.certificate,
        chain=[c.certificate for c in loaded.additional_certs],
    )


def passphrase_from_env_or_prompt(prompt: str, *, confirm: bool = False) -> bytes:
    """The key passphrase from ``HALLTERM_KEY_PASSPHRASE``, else asked for without echo.

    ``confirm`` asks twice (for a new key) and fails if the two answers differ.
    """
    env = os.environ.get(ENV_PASSPHRASE)
    if env:
        return env.encode("utf-8")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass(_("Repeat the passphrase: ")) != first:
        raise KeyFileError(_("the two passphrases differ"))
    if not first:
        raise KeyFileError(_("a key file needs a passphrase; an empty one is not accepted"))
    return first.encode("utf-8")


# --- certificates as PEM ---------------------------------------------------------------------


def write_pem(cert: x509.Certificate, out: Path) -> None:
    """Write a certificate (public, so mode 0644) as PEM."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def load_pem_certs(path: Path) -> list[x509.Certificate]:
    """Every certificate in a PEM file (a trust list may hold several roots)."""
    data = _read(path, _("certificate file"))
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        try:  # a lone DER certificate is accepted too
            certs = [x509.load_der_x509_certificate(data)]
        except ValueError:
            raise KeyFileError(
                _("{path} is not a certificate file (PEM)").format(path=path)
            ) from None
    return certs


def load_pem_cert(path: Path) -> x509.Certificate:
    """The first certificate of a PEM file."""
    return load_pem_certs(path)[0]
