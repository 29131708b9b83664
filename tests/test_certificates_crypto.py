"""Certificate machinery: numbers, key files, the signed QR payload, the signed PDF, verification."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import stat
import zlib
from pathlib import Path

import base45
import cbor2
import pytest
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from hallterm.domain.certno import (
    iso7064_mod37_36_check,
    make_certificate_number,
    parse_certificate_number,
    validate_certificate_number,
)
from hallterm.i18n import set_language
from hallterm.printing import keys, qrpayload
from hallterm.printing.certificate_pdf import (
    INFO_FIELDS,
    INFO_PAYLOAD,
    CertificateData,
    render_certificate,
    sign_pdf,
)
from hallterm.printing.keys import KeyBundle, KeyFileError
from hallterm.printing.verify import Verdict, verify_pdf, verify_qr

FAST = 1000  # PBKDF2 rounds for throwaway test keys; the default stays strong (tested below)
PASS = "站点口令 correct horse".encode()


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> dict[str, KeyBundle]:
    d = tmp_path_factory.mktemp("pki")
    root = keys.make_root("某市政务服务数据管理局", d / "root.p12", PASS, iterations=FAST)
    station = keys.issue_station(
        root, "330106001", "文新街道便民服务中心", d / "st.p12", PASS, iterations=FAST
    )
    other_root = keys.make_root("冒名根证书", d / "root2.p12", PASS, iterations=FAST)
    impostor = keys.issue_station(
        other_root, "330106001", "文新街道便民服务中心", d / "imp.p12", PASS, iterations=FAST
    )
    neighbour = keys.issue_station(
        root, "330106002", "古荡街道便民服务中心", d / "nb.p12", PASS, iterations=FAST
    )
    expired = keys.issue_station(
        root,
        "330106001",
        "文新街道便民服务中心",
        d / "old.p12",
        PASS,
        days=1,
        not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=3),
        iterations=FAST,
    )
    return {
        "root": root,
        "station": station,
        "other_root": other_root,
        "impostor": impostor,
        "neighbour": neighbour,
        "expired": expired,
    }


def sample(**changes: object) -> CertificateData:
    base = CertificateData(
        number=make_certificate_number("SPJY", "330106001", 2026, 42),
        certificate_type="SPJY",
        title="食品经营许可证",
        holder="张三丰",
        holder_id="330106********1234",
        fields=(
            ("经营者名称", "杭州市西湖区张三丰小吃店"),
            (
                "经营场所",
                "浙江省杭州市西湖区文三路 138 号一楼 101 室（临街商铺），含后厨及仓储区域",
            ),
            ("经营项目", "热食类食品制售；冷食类食品制售；自制饮品制售"),
        ),
        authority_code="330106-SJ",
        authority_name="杭州市西湖区市场监督管理局",
        station_code="330106001",
        station_name="文新街道便民服务中心",
        issued_on=dt.date(2026, 11, 27),
        valid_until=dt.date(2031, 11, 26),
        case_number="330106001-20261127-0007",
    )
    return CertificateData(**{**base.__dict__, **changes})


@pytest.fixture(scope="module")
def issued(pki: dict[str, KeyBundle]) -> bytes:
    return render_certificate(sample(), pki["station"])


def _info(pdf: bytes, key: str) -> str:
    return str(PdfFileReader(io.BytesIO(pdf)).trailer["/Info"][key])


# --- certificate numbers ---------------------------------------------------------------------


def test_mod37_36_by_hand() -> None:
    # ISO/IEC 7064 clause 10 (hybrid MOD M+1,M with M = 36), worked by hand:
    # "A1": P=36; 'A'=10: S=(36+10) mod 36=10, P=2*10 mod 37=20; '1': S=21, P=42 mod 37=5;
    # check a with (5+a) mod 36 = 1 → a = 32 → 'W'.
    assert iso7064_mod37_36_check("A1") == "W"
    # "0": S=(36+0) mod 36=0 → read as 36, P=72 mod 37=35; (35+a) mod 36 = 1 → a = 2.
    assert iso7064_mod37_36_check("0") == "2"
    # The GRid example, whose check character is defined by MOD 37,36.
    assert iso7064_mod37_36_check("A12425GABC1234002") == "M"
    assert iso7064_mod37_36_check("a12425gabc1234002") == "M"
    with pytest.raises(ValueError):
        iso7064_mod37_36_check("A-1")


def test_mod37_36_catches_every_single_substitution() -> None:
    body = "SPJY33010600120260000421"
    check = iso7064_mod37_36_check(body)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for i, ch in enumerate(body):
        for other in alphabet:
            if other != ch:
                assert iso7064_mod37_36_check(body[:i] + other + body[i + 1 :]) != check


def test_certificate_number_round_trip() -> None:
    n = make_certificate_number("spjy", "330106001", 2026, 42)
    assert n.startswith("SPJY.330106001.2026.000042.1")
    assert n[-1] == iso7064_mod37_36_check("SPJY33010600120260000421")
    assert validate_certificate_number(n)
    assert validate_certificate_number(n.lower())
    parts = parse_certificate_number(n)
    assert (parts.type_code, parts.issuer_code, parts.year, parts.serial, parts.version) == (
        "SPJY",
        "330106001",
        2026,
        42,
        1,
    )
    assert str(parts) == n
    assert make_certificate_number("SPJY", "330106001", 2026, 42, version=2) != n


def test_certificate_number_rejects() -> None:
    n = make_certificate_number("SPJY", "330106001", 2026, 42)
    wrong = n[:-1] + ("0" if n[-1] != "0" else "1")
    assert not validate_certificate_number(wrong)
    assert not validate_certificate_number(n.replace("000042", "000043"))
    assert not validate_certificate_number("not a number")
    for bad in (
        dict(type_code="S", issuer_code="1", year=2026, serial=1),
        dict(type_code="SPJY", issuer_code="33-01", year=2026, serial=1),
        dict(type_code="SPJY", issuer_code="1", year=26, serial=1),
        dict(type_code="SPJY", issuer_code="1", year=2026, serial=0),
        dict(type_code="SPJY", issuer_code="1", year=2026, serial=1_000_000),
        dict(type_code="SPJY", issuer_code="1", year=2026, serial=1, version=10),
    ):
        with pytest.raises(ValueError):
            make_certificate_number(**bad)  # type: ignore[arg-type]


# --- key files -------------------------------------------------------------------------------


def test_station_certificate_profile(pki: dict[str, KeyBundle]) -> None:
    root, station = pki["root"].cert, pki["station"].cert
    bc = root.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca
    root_ku = root.extensions.get_extension_for_class(x509.KeyUsage).value
    assert root_ku.key_cert_sign and root_ku.crl_sign
    assert isinstance(station.public_key(), ec.EllipticCurvePublicKey)
    assert isinstance(station.public_key().curve, ec.SECP256R1)
    ku = station.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and ku.value.content_commitment
    assert not ku.value.key_cert_sign
    eku = station.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert keys.DOCUMENT_SIGNING in eku and ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert station.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "330106001"
    assert (
        station.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        == "文新街道便民服务中心"
    )
    ski = root.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = station.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    station.verify_directly_issued_by(root)
    assert pki["station"].chain == [root]
    assert pki["station"].station_code == "330106001"


def test_p12_mode_encryption_and_round_trip(tmp_path: Path, pki: dict[str, KeyBundle]) -> None:
    path = tmp_path / "keys" / "station.p12"
    keys.save_p12(pki["station"], path, PASS, iterations=FAST)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["station.p12"]  # no temp file left

    pfx = asn1_pkcs12.Pfx.load(path.read_bytes())
    mac = pfx["mac_data"]
    assert mac["mac"]["digest_algorithm"]["algorithm"].native == "sha256"
    assert mac["iterations"].native == FAST  # the MAC is as costly to guess as the key
    schemes = []
    for info in pfx.authenticated_safe:
        if info["content_type"].native == "data":
            for bag in asn1_pkcs12.SafeContents.load(info["content"].native):
                if bag["bag_id"].native == "pkcs8_shrouded_key_bag":
                    schemes.append(bag["bag_value"]["encryption_algorithm"])
        else:
            assert info["content_type"].native == "encrypted_data"
            schemes.append(
                info["content"]["encrypted_content_info"]["content_encryption_algorithm"]
            )
    assert len(schemes) == 2  # the key and the certificates are both encrypted
    for algo in schemes:
        assert algo["algorithm"].dotted == "1.2.840.113549.1.5.13"  # PBES2 (RFC 8018)
        params = algo["parameters"]
        kdf = params["key_derivation_func"]
        assert kdf["algorithm"].dotted == "1.2.840.113549.1.5.12"  # PBKDF2
        assert kdf["parameters"]["prf"]["algorithm"].dotted == "1.2.840.113549.2.9"  # HMAC-SHA256
        assert kdf["parameters"]["iteration_count"].native == FAST
        assert (
            params["encryption_scheme"]["algorithm"].dotted == "2.16.840.1.101.3.4.1.42"
        )  # AES-256-CBC

    loaded = keys.load_p12(path, PASS)
    assert loaded.cert == pki["station"].cert
    assert loaded.chain == [pki["root"].cert]
    assert loaded.key.private_numbers() == pki["station"].key.private_numbers()


def test_p12_default_iterations_are_strong(tmp_path: Path, pki: dict[str, KeyBundle]) -> None:
    assert keys.DEFAULT_ITERATIONS >= 600_000
    path = tmp_path / "strong.p12"
    keys.save_p12(pki["root"], path, b"a long root passphrase")
    pfx = asn1_pkcs12.Pfx.load(path.read_bytes())
    assert pfx["mac_data"]["iterations"].native == keys.DEFAULT_ITERATIONS
    assert keys.load_p12(path, b"a long root passphrase").cert == pki["root"].cert


def test_p12_mac_kdf_matches_openssl(pki: dict[str, KeyBundle]) -> None:
    """Our RFC 7292 KDF reproduces the MAC OpenSSL writes (ASCII and Chinese passphrases)."""
    from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12

    for passphrase in (b"ascii pass", PASS):
        enc = (
            PrivateFormat.PKCS12.encryption_builder()
            .kdf_rounds(FAST)
            .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
            .hmac_hash(hashes.SHA256())
            .build(passphrase)
        )
        der = pkcs12.serialize_key_and_certificates(
            b"x", pki["root"].key, pki["root"].cert, None, enc
        )
        pfx = asn1_pkcs12.Pfx.load(der)
        md = pfx["mac_data"]
        ours = keys._mac(
            passphrase,
            md["mac_salt"].native,
            md["iterations"].native,
            pfx["auth_safe"]["content"].native,
        )
        assert ours == md["mac"]["digest"].native


def test_p12_tampered_mac_is_refused(tmp_path: Path, pki: dict[str, KeyBundle]) -> None:
    path = tmp_path / "k.p12"
    keys.save_p12(pki["station"], path, PASS, iterations=FAST)
    data = bytearray(path.read_bytes())
    pfx = asn1_pkcs12.Pfx.load(bytes(data))
    digest = pfx["mac_data"]["mac"]["digest"].native
    at = bytes(data).rindex(digest)
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(KeyFileError):
        keys.load_p12(path, PASS)


def test_key_file_errors_are_clear(tmp_path: Path, pki: dict[str, KeyBundle]) -> None:
    set_language("en")
    path = tmp_path / "k.p12"
    keys.save_p12(pki["station"], path, PASS, iterations=FAST)
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        keys.load_p12(path, b"not the passphrase")
    with pytest.raises(KeyFileError, match="does not exist"):
        keys.load_p12(tmp_path / "missing.p12", PASS)
    pem = tmp_path / "cert.pem"
    keys.write_pem(pki["station"].cert, pem)
    with pytest.raises(KeyFileError, match="PEM"):
        keys.load_p12(pem, PASS)
    garbage = tmp_path / "garbage.p12"
    garbage.write_bytes(os.urandom(700))
    with pytest.raises(KeyFileError, match="not a PKCS#12"):
        keys.load_p12(garbage, PASS)
    with pytest.raises(KeyFileError, match="directory"):
        keys.load_p12(tmp_path, PASS)
    with pytest.raises(KeyFileError, match="empty"):
        keys.save_p12(pki["station"], tmp_path / "x.p12", b"", iterations=FAST)
    with pytest.raises(KeyFileError, match="not a certificate"):
        keys.load_pem_cert(garbage)
    set_language("zh_CN")
    with pytest.raises(KeyFileError) as info:
        keys.load_p12(path, b"not the passphrase")
    assert "口令" in str(info.value)


def test_pem_round_trip(tmp_path: Path, pki: dict[str, KeyBundle]) -> None:
    pem = tmp_path / "root.pem"
    keys.write_pem(pki["root"].cert, pem)
    assert keys.load_pem_cert(pem) == pki["root"].cert
    assert stat.S_IMODE(pem.stat().st_mode) & 0o077 != 0o077  # public, not hidden


def test_passphrase_from_env_or_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(keys.ENV_PASSPHRASE, "口令")
    assert keys.passphrase_from_env_or_prompt("?") == "口令".encode()
    monkeypatch.delenv(keys.ENV_PASSPHRASE)
    answers = iter(["typed", "typed", "typed", "typed", "different"])
    monkeypatch.setattr(keys.getpass, "getpass", lambda prompt="": next(answers))
    assert keys.passphrase_from_env_or_prompt("?") == b"typed"
    assert keys.passphrase_from_env_or_prompt("?", confirm=True) == b"typed"
    with pytest.raises(KeyFileError):
        keys.passphrase_from_env_or_prompt("?", confirm=True)


# --- QR payload ------------------------------------------------------------------------------


def _claims() -> dict[str, object]:
    return sample().claims(dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC), with_rows=False)


def test_payload_round_trip_and_size(pki: dict[str, KeyBundle]) -> None:
    station = pki["station"]
    kid = qrpayload.cert_kid(station.cert)
    assert kid == hashlib.sha256(station.cert.public_bytes(Encoding.DER)).digest()[:8]
    text = qrpayload.encode(_claims(), station.key, kid)
    assert text.startswith("HT1:")
    assert len(text) <= qrpayload.QR_MAX_CHARS  # version 15 or less at level Q
    claims = qrpayload.decode(text, [pki["neighbour"].cert, station.cert])
    assert claims["number"] == sample().number
    assert claims["holder"] == "张三丰"
    assert claims["iss"] == "330106001"
    assert claims["fields_hash"] == qrpayload.fields_hash(sample().to_record())
    assert qrpayload.issued_at(claims) == dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
    by_kid = {kid: station.cert}
    assert qrpayload.decode(text, by_kid.get)["number"] == sample().number


def test_payload_is_standard_cose_sign1(pki: dict[str, KeyBundle]) -> None:
    """Decode with nothing but base45/zlib/cbor2 and check RFC 9052 by hand."""
    station = pki["station"]
    kid = qrpayload.cert_kid(station.cert)
    text = qrpayload.encode(_claims(), station.key, kid)
    raw = zlib.decompress(base45.b45decode(text[4:]))
    assert raw[0] == 0xD2  # major type 6 (tag), value 18: COSE_Sign1
    message = cbor2.loads(raw)
    assert message.tag == 18 and len(message.value) == 4
    protected, unprotected, payload, signature = message.value
    assert dict(cbor2.loads(protected)) == {1: -7, 4: kid}
    assert dict(unprotected) == {}
    assert len(signature) == 64
    claims = cbor2.loads(payload)
    assert claims[1] == "330106001" and claims[6] == int(_claims()["iat"])  # CWT iss, iat
    to_be_signed = cbor2.dumps(["Signature1", protected, b"", payload])
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    station.cert.public_key().verify(der, to_be_signed, ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda t: "HC1:" + t[4:], "prefix"),
        (lambda t: t[:10] + "~" + t[11:], "base45"),
        (lambda t: "HT1:" + base45.b45encode(b"not zlib at all").decode(), "zlib"),
        (lambda t: "HT1:" + base45.b45encode(zlib.compress(b"\xff\xff")).decode(), "cbor"),
        (
            lambda t: "HT1:" + base45.b45encode(zlib.compress(cbor2.dumps([1, 2]))).decode(),
            "structure",
        ),
    ],
)
def test_payload_errors(pki: dict[str, KeyBundle], mangle, reason: str) -> None:  # type: ignore[no-untyped-def]
    text = qrpayload.encode(_claims(), pki["station"].key, qrpayload.cert_kid(pki["station"].cert))
    with pytest.raises(qrpayload.PayloadError) as info:
        qrpayload.decode(mangle(text), [pki["station"].cert])
    assert info.value.reason == reason
    assert str(info.value)


def test_payload_wrong_signature_and_unknown_kid(pki: dict[str, KeyBundle]) -> None:
    station, neighbour = pki["station"], pki["neighbour"]
    # Signed by the neighbour's key but claiming the station's kid.
    forged = qrpayload.encode(_claims(), neighbour.key, qrpayload.cert_kid(station.cert))
    with pytest.raises(qrpayload.PayloadError) as info:
        qrpayload.decode(forged, [station.cert])
    assert info.value.reason == "signature"
    text = qrpayload.encode(_claims(), station.key, qrpayload.cert_kid(station.cert))
    with pytest.raises(qrpayload.PayloadError) as info:
        qrpayload.decode(text, [neighbour.cert])
    assert info.value.reason == "unknown_kid"


# --- the signed PDF --------------------------------------------------------------------------


def test_issue_and_verify_valid(pki: dict[str, KeyBundle], issued: bytes) -> None:
    result = verify_pdf(issued, [pki["root"].cert])
    assert result.verdict is Verdict.valid, result.lines
    assert result.exit_code == 0
    assert result.number == sample().number
    assert result.claims is not None and result.claims["holder"] == "张三丰"
    assert "有效" in result.lines[0]

    # pyHanko's own validator, called directly.
    reader = PdfFileReader(io.BytesIO(issued))
    (sig,) = reader.embedded_signatures
    context = ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(pki["root"].cert.public_bytes(Encoding.DER))],
        allow_fetching=False,
    )
    status = validate_pdf_signature(sig, context)
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert sig.field_name == "Signature1"
    assert status.md_algorithm == "sha256"
    embedded = {c.chosen.dump() for c in sig.signed_data["certificates"]}
    assert pki["root"].cert.public_bytes(Encoding.DER) in embedded  # chain embedded
    assert status.timestamp_validity is None  # B-B: no timestamp

    # The payload in the document info is the one in the QR code, and it decodes.
    payload = _info(issued, INFO_PAYLOAD)
    assert qrpayload.decode(payload, [pki["station"].cert])["number"] == sample().number
    assert json.loads(_info(issued, INFO_FIELDS)) == sample().to_record()


def test_pdf_text_and_embedded_font(issued: bytes) -> None:
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(issued)).pages[0]
    text = page.extract_text()
    assert "食品经营许可证" in text and "张三丰" in text and sample().number in text
    assert b"/FontFile2" in issued  # the TrueType subset is embedded


def _render(pdf: bytes, dpi: int):  # type: ignore[no-untyped-def]
    """The first page as a PIL image (pypdfium2: no system package needed)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()


def test_render_png(issued: bytes, tmp_path: Path) -> None:
    png = tmp_path / "page.png"
    _render(issued, 60).save(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_qr_scans_to_the_payload(pki: dict[str, KeyBundle], issued: bytes, tmp_path: Path) -> None:
    """Print → rasterise at 100 dpi → scan with ZXing → the signed payload, which verifies."""
    import zxingcpp

    found = zxingcpp.read_barcodes(_render(issued, 100), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    scanned = found[0].text
    assert scanned == _info(issued, INFO_PAYLOAD)
    result = verify_qr(scanned, [pki["root"].cert], [pki["station"].cert])
    assert result.verdict is Verdict.valid


def test_flipped_bytes_are_invalid(pki: dict[str, KeyBundle], issued: bytes) -> None:
    sig = PdfFileReader(io.BytesIO(issued)).embedded_signatures[0]
    a, b, c, d = sig.byte_range
    assert a == 0 and c + d == len(issued)
    places = [1, 9, b // 3, b // 2, b - 2, c + 1, c + d // 2, len(issued) - 8, len(issued) - 2]
    for at in places:
        tampered = bytearray(issued)
        tampered[at] ^= 0x01
        result = verify_pdf(bytes(tampered), [pki["root"].cert])
        assert result.verdict is Verdict.invalid, (at, result.lines)
        assert result.exit_code == 1


def test_appended_update_is_invalid(pki: dict[str, KeyBundle], issued: bytes) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(issued))
    info_ref = w.trailer.raw_get("/Info")
    info_ref.get_object()[generic.NameObject("/HalltermFields")] = generic.TextStringObject("{}")
    w.mark_update(info_ref)
    out = io.BytesIO()
    w.write(out)
    assert verify_pdf(out.getvalue(), [pki["root"].cert]).verdict is Verdict.invalid


def test_changed_field_resigned_elsewhere_is_untrusted(pki: dict[str, KeyBundle]) -> None:
    forged = render_certificate(sample(holder="李四"), pki["impostor"])
    result = verify_pdf(forged, [pki["root"].cert])
    assert result.verdict is Verdict.untrusted, result.lines
    assert result.exit_code == 3


def test_insider_mismatch_between_qr_and_fields_is_invalid(pki: dict[str, KeyBundle]) -> None:
    """A validly signed PDF whose field set does not hash to the QR claim."""
    good = render_certificate(sample(), pki["station"])
    from pypdf import PdfReader

    payload = str(PdfReader(io.BytesIO(good)).metadata[INFO_PAYLOAD])
    altered = json.dumps(sample(holder="李四").to_record(), ensure_ascii=False)
    blank = io.BytesIO()
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(blank)
    c.showPage()
    c.save()
    pdf = sign_pdf(blank.getvalue(), pki["station"], {INFO_PAYLOAD: payload, INFO_FIELDS: altered})
    result = verify_pdf(pdf, [pki["root"].cert])
    assert result.verdict is Verdict.invalid, result.lines


def test_station_cannot_sign_for_another(pki: dict[str, KeyBundle]) -> None:
    with pytest.raises(ValueError):
        render_certificate(sample(), pki["neighbour"])


def test_revoked(pki: dict[str, KeyBundle], issued: bytes) -> None:
    result = verify_pdf(issued, [pki["root"].cert], revoked={sample().number})
    assert result.verdict is Verdict.revoked, result.lines
    assert result.exit_code == 2
    # An untrusted signer outranks revocation; a tampered file outranks both.
    forged = render_certificate(sample(), pki["impostor"])
    assert (
        verify_pdf(forged, [pki["root"].cert], revoked={sample().number}).verdict
        is Verdict.untrusted
    )
    tampered = bytearray(issued)
    tampered[5] ^= 0x01
    assert (
        verify_pdf(bytes(tampered), [pki["root"].cert], revoked={sample().number}).verdict
        is Verdict.invalid
    )


def test_expired_station_certificate_is_untrusted(pki: dict[str, KeyBundle]) -> None:
    pdf = render_certificate(sample(), pki["expired"])
    result = verify_pdf(pdf, [pki["root"].cert])
    assert result.verdict is Verdict.untrusted, result.lines
    # Checked at a moment inside its validity it would pass.
    inside = pki["expired"].cert.not_valid_before_utc + dt.timedelta(hours=12)
    assert verify_pdf(pdf, [pki["root"].cert], at=inside).verdict is Verdict.valid


def test_store_record(pki: dict[str, KeyBundle], issued: bytes) -> None:
    same = verify_pdf(issued, [pki["root"].cert], record=lambda n: sample().to_record())
    assert same.verdict is Verdict.valid
    differs = verify_pdf(
        issued, [pki["root"].cert], record=lambda n: sample(holder="李四").to_record()
    )
    assert differs.verdict is Verdict.invalid
    unknown = verify_pdf(issued, [pki["root"].cert], record=lambda n: None)
    assert unknown.verdict is Verdict.valid and len(unknown.lines) > len(same.lines) - 1


def test_record_round_trip() -> None:
    data = sample(valid_until=None)
    assert CertificateData.from_record(json.loads(json.dumps(data.to_record()))) == data


def test_not_a_pdf_is_invalid(pki: dict[str, KeyBundle]) -> None:
    assert verify_pdf(b"hello", [pki["root"].cert]).verdict is Verdict.invalid
    blank = io.BytesIO()
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(blank)
    c.showPage()
    c.save()
    assert verify_pdf(blank.getvalue(), [pki["root"].cert]).verdict is Verdict.invalid


# --- verifying the QR text alone -------------------------------------------------------------


def test_verify_qr(pki: dict[str, KeyBundle], issued: bytes) -> None:
    text = _info(issued, INFO_PAYLOAD)
    roots = [pki["root"].cert]
    stations = [pki["station"].cert, pki["neighbour"].cert]
    ok = verify_qr(text, roots, stations)
    assert ok.verdict is Verdict.valid, ok.lines
    assert ok.number == sample().number
    assert verify_qr(text, roots, stations, revoked={sample().number}).verdict is Verdict.revoked
    assert verify_qr(text, roots, [pki["neighbour"].cert]).verdict is Verdict.untrusted
    assert verify_qr(text, [pki["other_root"].cert], stations).verdict is Verdict.untrusted
    record_ok = verify_qr(text, roots, stations, record=lambda n: sample().to_record())
    assert record_ok.verdict is Verdict.valid
    record_bad = verify_qr(
        text, roots, stations, record=lambda n: sample(holder="李四").to_record()
    )
    assert record_bad.verdict is Verdict.invalid


def test_verify_qr_every_one_char_edit_is_invalid(pki: dict[str, KeyBundle], issued: bytes) -> None:
    text = _info(issued, INFO_PAYLOAD)
    roots, stations = [pki["root"].cert], [pki["station"].cert]
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
    for i in range(len(text)):
        replacement = alphabet[(alphabet.index(text[i]) + 7) % len(alphabet)]
        edited = text[:i] + replacement + text[i + 1 :]
        assert verify_qr(edited, roots, stations).verdict is Verdict.invalid, i


def test_verify_qr_expired_signer(pki: dict[str, KeyBundle]) -> None:
    pdf = render_certificate(sample(), pki["expired"])
    text = _info(pdf, INFO_PAYLOAD)
    result = verify_qr(text, [pki["root"].cert], [pki["expired"].cert])
    assert result.verdict is Verdict.untrusted


def test_verdict_exit_codes() -> None:
    assert {v.value: v.exit_code for v in Verdict} == {
        "valid": 0,
        "invalid": 1,
        "revoked": 2,
        "untrusted": 3,
        "unchecked": 4,
    }


def test_prepared_container_is_what_pyhanko_builds(pki: dict[str, KeyBundle]) -> None:
    """The prepared container differs from pyHanko's own only by the (random) ECDSA value."""
    import asyncio

    from asn1crypto import cms
    from cryptography.hazmat.primitives.asymmetric import ec as ec_mod

    from hallterm.printing.certificate_pdf import _prepare

    station = pki["station"]
    prepared = _prepare(station)
    digest = hashlib.sha256(b"any document").digest()
    ours = cms.ContentInfo.load(prepared.template.container(digest))
    signer = prepared.pdf_signer.signer
    theirs = asyncio.run(signer.async_sign(digest, "sha256", use_pades=True))
    info = ours["content"]["signer_infos"][0]
    attrs = b"\x31" + info["signed_attrs"].dump()[1:]
    station.cert.public_key().verify(  # type: ignore[union-attr]
        info["signature"].native, attrs, ec_mod.ECDSA(hashes.SHA256())
    )
    theirs["content"]["signer_infos"][0]["signature"] = info["signature"].native
    assert theirs.dump(force=True) == ours.dump()


def test_printed_qr_scans_to_the_payload(issued: bytes) -> None:
    """Read the QR code back from the page (its 1-bit inline image) and scan it (zxing-cpp)."""
    import re

    import zxingcpp
    from pypdf import PdfReader

    content = PdfReader(io.BytesIO(issued)).pages[0].get_contents().get_data().decode("latin-1")
    found_image = re.search(
        r"BI /W (\d+) /H (\d+) /CS /G /BPC 1 /I false /F /AHx ID ([0-9A-F]+)> EI", content
    )
    assert found_image is not None
    n = int(found_image.group(1))
    rows = bytes.fromhex(found_image.group(3))
    width = (n + 7) // 8
    quiet, scale = 4, 4
    side = (n + 2 * quiet) * scale
    pixels = bytearray([255]) * (side * side)
    for r in range(n):
        bits = int.from_bytes(rows[r * width : (r + 1) * width], "big") >> (width * 8 - n)
        for c in range(n):
            if not (bits >> (n - 1 - c)) & 1:  # 0 is a dark module
                for y in range((r + quiet) * scale, (r + quiet + 1) * scale):
                    start = y * side + (c + quiet) * scale
                    pixels[start : start + scale] = bytes(scale)
    frozen = bytes(pixels)  # kept alive: the view does not hold a reference
    image = zxingcpp.ImageView(
        memoryview(frozen).cast("B", (side, side)), side, side, zxingcpp.ImageFormat.Lum
    )
    found = zxingcpp.read_barcode(image)
    assert found is not None and found.text == _info(issued, INFO_PAYLOAD)
    assert (n - 17) // 4 <= 15  # version 15 or less
    assert found.ec_level == "Q"
