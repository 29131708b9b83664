"""The timestamp authority (RFC 3161) central runs, or an external one from the configuration.

Central's TSA holds a P-256 key and a certificate issued by the root with the critical
extendedKeyUsage id-kp-timeStamping (RFC 3161 §2.3) and keyUsage digitalSignature.  Tokens are
built by pyHanko's in-process TSA (``DummyTimeStamper``: the RFC 3161 TSTInfo, the CMS
SignedData around it, ESS signing-certificate) with the signature made by our ECDSA key (pyHanko's
own class signs with RSA only) and the time taken from the injected clock.  The TSA policy is
an OID under 2.25 (ITU-T X.667: a UUID as an OID), which needs no registration.

An external TSA (``tsa_url`` in the settings) is reached with pyHanko's HTTP client.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from pathlib import Path

from asn1crypto import algos, cms, core, tsp
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from hallterm.i18n import _
from hallterm.printing.keys import DEFAULT_ITERATIONS, KeyBundle, KeyFileError, save_p12

# 2.25.<UUID as an integer>: hallterm's TSA policy (ITU-T X.667 / RFC 4122 §A).
TSA_POLICY = "2.25.262923716513412917541386011478373522742"


def asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def issue_tsa(
    root: KeyBundle,
    name: str,
    out: Path,
    passphrase: bytes,
    now: dt.datetime,
    days: int = 3650,
    *,
    iterations: int = DEFAULT_ITERATIONS,
) -> KeyBundle:
    """Issue central's TSA certificate under ``root`` and save key and chain at ``out``."""
    key = ec.generate_private_key(ec.SECP256R1())
    root_ski = root.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    org = root.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    subject = [x509.NameAttribute(NameOID.COMMON_NAME, name)]
    if org:
        subject.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, str(org[0].value)))
    start = now - dt.timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(subject))
        .issuer_name(root.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(min(start + dt.timedelta(days=days), root.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski), False
        )
        .sign(root.key, hashes.SHA256())
    )
    bundle = KeyBundle(key=key, cert=cert, chain=[root.cert])
    save_p12(bundle, out, passphrase, iterations=iterations)
    return bundle


def check_tsa(bundle: KeyBundle) -> None:
    """Refuse a key file that is not a timestamping certificate."""
    try:
        eku = bundle.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        eku = None
    if eku is None or ExtendedKeyUsageOID.TIME_STAMPING not in eku:
        raise KeyFileError(_("the key file is not a timestamp authority (timeStamping) key"))


def _attr(name: str, value: object) -> cms.CMSAttribute:
    return cms.CMSAttribute({"type": cms.CMSAttributeType(name), "values": (value,)})


class CentralTimeStamper(DummyTimeStamper):
    """RFC 3161 tokens signed by central's TSA key (ECDSA P-256, SHA-256) at the clock's time."""

    def __init__(self, bundle: KeyBundle, at: dt.datetime) -> None:
        check_tsa(bundle)
        key_info = asn1_keys.PrivateKeyInfo.load(
            bundle.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        super().__init__(
            asn1(bundle.cert),
            key_info,
            certs_to_embed=[asn1(c) for c in bundle.chain],  # type: ignore[arg-type]
            fixed_dt=at,
        )
        self._key = bundle.key

    def _build_tst_info(
        self, message_imprint: tsp.MessageImprint, dt: dt.datetime, req: tsp.TimeStampReq
    ) -> tsp.TSTInfo:
        info = super()._build_tst_info(message_imprint, dt, req)
        info["policy"] = tsp.ObjectIdentifier(TSA_POLICY)
        info["serial_number"] = core.Integer(secrets.randbits(63))
        return info

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: dt.datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        attrs = cms.CMSAttributes(
            [
                _attr("content_type", "tst_info"),
                _attr("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                _attr("signing_certificate_v2", as_signing_certificate_v2(self.tsa_cert)),
                _attr("message_digest", hashlib.sha256(tst_info_data).digest()),
            ]
        )
        return self._key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256())), attrs

    def _build_signed_data(
        self,
        tst_info_data: bytes,
        md_algorithm: str,
        signature: bytes,
        signed_attrs: cms.CMSAttributes,
    ) -> dict:  # type: ignore[type-arg]
        data = super()._build_signed_data(tst_info_data, "sha256", signature, signed_attrs)
        data["signer_infos"][0]["signature_algorithm"] = algos.SignedDigestAlgorithm(
            {"algorithm": "sha256_ecdsa"}
        )
        return data


def external_timestamper(url: str) -> TimeStamper:
    """An external RFC 3161 TSA at ``url`` (pyHanko's HTTP client)."""
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url)
