"""The electronic certificate (电子证照) as a signed PDF: layout, QR payload, PAdES signature.

``render_certificate`` draws one A4 page with reportlab (embedded CJK TrueType subset), puts
the signed QR payload on it, stores the payload and the full field set in the document
information dictionary (``/HalltermPayload``, ``/HalltermFields``) so ``verify`` can read them
without a camera, and signs the whole file PAdES B-B with pyHanko (chain embedded, no
timestamp, no network).  The pyHanko signer and the size of its signature container are
worked out once per ``KeyBundle``: estimating the container costs a full dry-run signature,
which would otherwise double the signing time of every certificate.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import json
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from hallterm.clock import utc_now
from hallterm.i18n import _
from hallterm.printing import qrpayload
from hallterm.printing.fonts import register_cjk_font
from hallterm.printing.keys import KeyBundle
from hallterm.printing.qr import draw_qr

INFO_PAYLOAD = "/HalltermPayload"
INFO_FIELDS = "/HalltermFields"
SIGNATURE_FIELD = "Signature1"

_FRAME = (0.55, 0.09, 0.09)  # the dark red of printed certificates
_GRID = (0.75, 0.75, 0.75)


@dataclass(frozen=True)
class CertificateData:
    number: str
    certificate_type: str  # type code, e.g. SPJY
    title: str  # e.g. 食品经营许可证
    holder: str
    holder_id_masked: str
    fields: tuple[tuple[str, str], ...]  # ordered (label, value): 经营场所, 经营项目 …
    issuer_code: str
    issuer_name: str
    issued_on: dt.date
    valid_until: dt.date | None
    case_number: str

    def to_record(self) -> dict[str, Any]:
        """The full field set as plain JSON data; what the QR hash and the store agree on."""
        return {
            "number": self.number,
            "certificate_type": self.certificate_type,
            "title": self.title,
            "holder": self.holder,
            "holder_id_masked": self.holder_id_masked,
            "fields": [[label, value] for label, value in self.fields],
            "issuer_code": self.issuer_code,
            "issuer_name": self.issuer_name,
            "issued_on": self.issued_on.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "case_number": self.case_number,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> CertificateData:
        valid_until = record.get("valid_until")
        return cls(
            number=record["number"],
            certificate_type=record["certificate_type"],
            title=record["title"],
            holder=record["holder"],
            holder_id_masked=record["holder_id_masked"],
            fields=tuple((str(a), str(b)) for a, b in record["fields"]),
            issuer_code=record["issuer_code"],
            issuer_name=record["issuer_name"],
            issued_on=dt.date.fromisoformat(record["issued_on"]),
            valid_until=dt.date.fromisoformat(valid_until) if valid_until else None,
            case_number=record["case_number"],
        )

    def claims(self, signed_at: dt.datetime) -> dict[str, Any]:
        """The QR claims for this certificate."""
        return {
            "iss": self.issuer_code,
            "iat": int(signed_at.timestamp()),
            "number": self.number,
            "holder": self.holder,
            "type": self.certificate_type,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "fields_hash": qrpayload.fields_hash(self.to_record()),
        }


# --- signing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    pdf_signer: signers.PdfSigner
    bytes_reserved: int
    kid: bytes


_prepared: weakref.WeakKeyDictionary[KeyBundle, _Prepared] = weakref.WeakKeyDictionary()


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _prepare(bundle: KeyBundle) -> _Prepared:
    """Build (once per bundle) the pyHanko signer and the signature container size."""
    cached = _prepared.get(bundle)
    if cached is not None:
        return cached
    key_info = asn1_keys.PrivateKeyInfo.load(
        bundle.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer = signers.SimpleSigner(
        signing_cert=_asn1_cert(bundle.cert),
        signing_key=key_info,
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in bundle.chain]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=False,
    )
    # Same estimate pyHanko makes on every call (a dry-run container, hex-doubled, +50 %);
    # the container's size does not change between documents signed by one key.
    dry = asyncio.run(
        signer.async_sign(
            hashlib.sha256().digest(),
            "sha256",
            dry_run=True,
            use_pades=True,
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=utc_now()),
        )
    )
    size = len(dry.dump()) * 2
    prepared = _Prepared(
        pdf_signer=signers.PdfSigner(meta, signer),
        bytes_reserved=size + 2 * (size // 4),
        kid=qrpayload.cert_kid(bundle.cert),
    )
    _prepared[bundle] = prepared
    return prepared


def sign_pdf(pdf_bytes: bytes, signer: KeyBundle, info: Mapping[str, str] | None = None) -> bytes:
    """Sign ``pdf_bytes`` PAdES B-B with ``signer``; ``info`` adds document information entries.

    The entries go into the same incremental update as the signature, so the signature
    covers them and the whole file.
    """
    prepared = _prepare(signer)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    if info:
        info_ref = writer.trailer.raw_get("/Info")
        info_dict = info_ref.get_object()
        for name, value in info.items():
            info_dict[generic.NameObject(name)] = generic.TextStringObject(value)
        writer.mark_update(info_ref)
    out = io.BytesIO()
    prepared.pdf_signer.sign_pdf(writer, output=out, bytes_reserved=prepared.bytes_reserved)
    return out.getvalue()


# --- layout ----------------------------------------------------------------------------------


def format_date(day: dt.date) -> str:
    return _("{year}-{month:02d}-{day:02d}").format(year=day.year, month=day.month, day=day.day)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width``, character by character.

    Chinese has no spaces to break at; a Latin word is kept whole where it fits.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for ch in paragraph:
            if stringWidth(line + ch, font, size) <= width:
                line += ch
                continue
            # Move a trailing Latin word to the next line when there is a space to break at.
            cut = line.rfind(" ") if ch.isascii() and ch.isalnum() else -1
            if cut > 0 and line[-1].isascii() and line[-1].isalnum():
                lines.append(line[:cut])
                line = line[cut + 1 :] + ch
            else:
                lines.append(line)
                line = ch
        lines.append(line)
    return lines


def _draw_page(c: Canvas, data: CertificateData, payload: str, font: str) -> None:
    width, height = A4
    margin = 36
    # Frame: a heavy outer line and a thin inner one.
    c.setStrokeColorRGB(*_FRAME)
    c.setLineWidth(3)
    c.rect(margin, margin, width - 2 * margin, height - 2 * margin)
    c.setLineWidth(0.8)
    c.rect(margin + 6, margin + 6, width - 2 * margin - 12, height - 2 * margin - 12)

    c.setFillColorRGB(*_FRAME)
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 120, data.title)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(font, 11)
    c.drawCentredString(
        width / 2,
        height - 150,
        _("Certificate number: {number}").format(number=data.number),
    )

    rows: list[tuple[str, str]] = [
        (_("Holder"), data.holder),
        (_("ID number"), data.holder_id_masked),
        *data.fields,
        (_("Valid until"), format_date(data.valid_until) if data.valid_until else _("Long-term")),
        (_("Case number"), data.case_number),
    ]
    left = margin + 50
    label_w = 120
    value_x = left + label_w + 12
    value_w = width - margin - 50 - value_x
    size = 12
    leading = 18
    y = height - 190
    c.setStrokeColorRGB(*_GRID)
    c.setLineWidth(0.5)
    c.line(left, y, width - margin - 50, y)
    for label, value in rows:
        lines = _wrap(value, font, size, value_w)
        label_lines = _wrap(label, font, size, label_w)
        n = max(len(lines), len(label_lines))
        top = y - 8 - size
        c.setFont(font, size)
        c.setFillColorRGB(0.3, 0.3, 0.3)
        for i, text in enumerate(label_lines):
            c.drawString(left, top - i * leading, text)
        c.setFillColorRGB(0, 0, 0)
        for i, text in enumerate(lines):
            c.drawString(value_x, top - i * leading, text)
        y = top - (n - 1) * leading - 10
        c.line(left, y, width - margin - 50, y)
        if y < 260:  # keep clear of the QR and issuer block; long field sets are cut short
            break

    # Bottom: QR code on the left, issuing station and date on the right.
    qr_size = 150
    qr_x, qr_y = margin + 40, margin + 60
    draw_qr(c, payload, qr_x, qr_y, qr_size, error=qrpayload.QR_ERROR_LEVEL)
    c.setFont(font, 9)
    c.drawCentredString(qr_x + qr_size / 2, qr_y - 14, _("Scan to verify"))

    right = width - margin - 50
    c.setFont(font, 13)
    c.drawRightString(right, margin + 150, _("Issued by: {issuer}").format(issuer=data.issuer_name))
    c.drawRightString(
        right, margin + 126, _("Issued on: {date}").format(date=format_date(data.issued_on))
    )
    c.setFont(font, 9)
    c.setFillColorRGB(0.3, 0.3, 0.3)
    c.drawRightString(right, margin + 104, _("Station code: {code}").format(code=data.issuer_code))
    c.drawRightString(
        right,
        margin + 60,
        _("This certificate carries the electronic signature of the issuer."),
    )


def render_unsigned(
    data: CertificateData, signer: KeyBundle, *, signed_at: dt.datetime | None = None
) -> tuple[bytes, dict[str, str]]:
    """The certificate PDF before signing, and the document information entries to sign with it."""
    station = signer.station_code
    if station is not None and station != data.issuer_code:
        raise ValueError(
            _("the key of station {key} cannot sign a certificate of station {issuer}").format(
                key=station, issuer=data.issuer_code
            )
        )
    prepared = _prepare(signer)
    when = signed_at or utc_now()
    payload = qrpayload.encode(data.claims(when), signer.key, prepared.kid)
    font = register_cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{data.title} {data.number}")
    c.setAuthor(data.issuer_name)
    c.setSubject(data.number)
    c.setCreator("hallterm")
    _draw_page(c, data, payload, font)
    c.showPage()
    c.save()
    fields_json = json.dumps(data.to_record(), ensure_ascii=False, sort_keys=True)
    return buf.getvalue(), {INFO_PAYLOAD: payload, INFO_FIELDS: fields_json}


def render_certificate(
    data: CertificateData, signer: KeyBundle, *, signed_at: dt.datetime | None = None
) -> bytes:
    """The signed PDF of one certificate."""
    pdf, info = render_unsigned(data, signer, signed_at=signed_at)
    return sign_pdf(pdf, signer, info)
