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
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from hallterm.clock import utc_now
from hallterm.i18n import _
from hallterm.printing import certificate_layout, qrpayload
from hallterm.printing.certificate_layout import Layout, layout_certificate
from hallterm.printing.fonts import register_cjk_font
from hallterm.printing.keys import KeyBundle
from hallterm.printing.qr import draw_qr_fast
from hallterm.printing.signature_template import SignatureTemplate

INFO_PAYLOAD = "/HalltermPayload"
INFO_FIELDS = "/HalltermFields"
SIGNATURE_FIELD = "Signature1"

_FRAME = (0.55, 0.09, 0.09)  # the dark red of printed certificates
_GRID = (0.75, 0.75, 0.75)


@dataclass(frozen=True)
class CertificateData:
    """One certificate's content: what is printed, signed, hashed and stored.

    ``fields`` are the template's rows in print order (label, value), holder and ID rows
    included; the validity and the case number are added as the last two rows.  The issuer is
    the competent authority (``authority_*``, from the catalog); the station that signs is the
    place of issue (``station_*``).
    """

    number: str
    certificate_type: str  # type code, e.g. SPJY
    title: str  # e.g. 食品经营许可证
    holder: str
    holder_id: str  # as printed: masked for a person, in full for a credit code
    fields: tuple[tuple[str, str], ...]
    authority_code: str
    authority_name: str
    station_code: str
    station_name: str
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
            "holder_id": self.holder_id,
            "fields": [[label, value] for label, value in self.fields],
            "authority_code": self.authority_code,
            "authority_name": self.authority_name,
            "station_code": self.station_code,
            "station_name": self.station_name,
            "issued_on": self.issued_on.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "case_number": self.case_number,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> CertificateData:
        """Read a record; records written before authorities were named still load."""
        valid_until = record.get("valid_until")
        station_code = record.get("station_code", record.get("issuer_code", ""))
        station_name = record.get("station_name", record.get("issuer_name", ""))
        return cls(
            number=record["number"],
            certificate_type=record["certificate_type"],
            title=record["title"],
            holder=record["holder"],
            holder_id=record.get("holder_id", record.get("holder_id_masked", "")),
            fields=tuple((str(a), str(b)) for a, b in record["fields"]),
            authority_code=record.get("authority_code", station_code),
            authority_name=record.get("authority_name", station_name),
            station_code=station_code,
            station_name=station_name,
            issued_on=dt.date.fromisoformat(record["issued_on"]),
            valid_until=dt.date.fromisoformat(valid_until) if valid_until else None,
            case_number=record["case_number"],
        )

    def rows(self) -> list[tuple[str, str]]:
        """Every row printed on the certificate, in order."""
        until = format_date(self.valid_until) if self.valid_until else _("Long-term")
        return [
            *self.fields,
            (_("Valid until"), until),
            (_("Case number"), self.case_number),
        ]

    def claims(self, signed_at: dt.datetime, *, with_rows: bool = True) -> dict[str, Any]:
        """The QR claims: every row a verifier compares with the paper when ``with_rows``."""
        claims: dict[str, Any] = {
            "iss": self.station_code,
            "iat": int(signed_at.timestamp()),
            "number": self.number,
            "holder": self.holder,
            "type": self.certificate_type,
            "authority": self.authority_name,
            "issued_on": self.issued_on.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "fields_hash": qrpayload.fields_hash(self.to_record()),
        }
        if with_rows:
            claims["rows"] = [[label, value] for label, value in self.fields]
        return claims


def qr_payload(data: CertificateData, signer: KeyBundle, signed_at: dt.datetime) -> str:
    """The QR text: every row when it fits version 15 at level Q, else the hash alone."""
    kid = _prepare(signer).kid
    text = qrpayload.encode(data.claims(signed_at), signer.key, kid)
    if len(text) <= qrpayload.QR_MAX_CHARS:
        return text
    return qrpayload.encode(data.claims(signed_at, with_rows=False), signer.key, kid)


# --- signing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    pdf_signer: signers.PdfSigner
    bytes_reserved: int
    kid: bytes
    template: SignatureTemplate


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
    # The container is prepared once (see ``signature_template``); its size does not change
    # between documents signed by one key (pyHanko's own margin: hex-doubled, +50 %).
    template = SignatureTemplate.build(signer, bundle.key)
    size = len(template.container(hashlib.sha256().digest())) * 2
    prepared = _Prepared(
        pdf_signer=signers.PdfSigner(meta, signer),
        bytes_reserved=size + 2 * (size // 4),
        kid=qrpayload.cert_kid(bundle.cert),
        template=template,
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
    return asyncio.run(_sign(writer, prepared))


async def _sign(writer: IncrementalPdfFileWriter, prepared: _Prepared) -> bytes:
    """pyHanko's two steps around the prepared container: reserve and digest, then fill in."""
    digest, _tbs, output = await prepared.pdf_signer.async_digest_doc_for_signing(
        writer, bytes_reserved=prepared.bytes_reserved
    )
    container = prepared.template.container(digest.document_digest)
    await PdfTBSDocument.async_finish_signing(output, digest, container)
    output.seek(0)
    return bytes(output.read())


# --- layout ----------------------------------------------------------------------------------


def format_date(day: dt.date) -> str:
    return _("{year}-{month:02d}-{day:02d}").format(year=day.year, month=day.month, day=day.day)


def layout(data: CertificateData, font: str) -> Layout:
    """Where everything of ``data`` goes (see ``certificate_layout``)."""
    return layout_certificate(
        data.title,
        _("Certificate number: {number}").format(number=data.number),
        data.rows(),
        _("Issuing authority: {name}").format(name=data.authority_name),
        _("Place of issue: {place}").format(place=data.station_name),
        _("Issued on: {date}").format(date=format_date(data.issued_on)),
        font,
        _("Authority code: {code}").format(code=data.authority_code),
    )


_TONES = {"black": (0.0, 0.0, 0.0), "grey": (0.3, 0.3, 0.3), "red": _FRAME}


def _draw(c: Canvas, plan: Layout, payload: str, font: str) -> None:
    width, height = A4
    m = certificate_layout.MARGIN
    for page in range(1, plan.pages + 1):
        c.setStrokeColorRGB(*_FRAME)
        c.setLineWidth(3)
        c.rect(m, m, width - 2 * m, height - 2 * m)
        c.setLineWidth(0.8)
        c.rect(m + 6, m + 6, width - 2 * m - 12, height - 2 * m - 12)
        c.setStrokeColorRGB(*_GRID)
        c.setLineWidth(0.5)
        for p, y in plan.lines:
            if p == page:
                c.line(certificate_layout.LEFT, y, certificate_layout.RIGHT, y)
        if page == 1 and plan.seal is not None:
            seal = plan.seal
            c.setStrokeColorRGB(*_FRAME)
            c.setDash(3, 3)
            r = (seal.x1 - seal.x0) / 2
            c.circle(seal.x0 + r, seal.y0 + r, r)
            c.setDash()
        for t in plan.texts:
            if t.page != page:
                continue
            c.setFont(font, t.size)
            c.setFillColorRGB(*_TONES[t.tone])
            if t.align == "right":
                c.drawRightString(t.x, t.y, t.text)
            elif t.align == "centre":
                c.drawCentredString(t.x, t.y, t.text)
            else:
                c.drawString(t.x, t.y, t.text)
        if page == 1 and plan.qr is not None:
            q = plan.qr
            draw_qr_fast(c, payload, q.x0, q.y0, q.x1 - q.x0, qrpayload.QR_ERROR_LEVEL)
        c.showPage()


def render_unsigned(
    data: CertificateData, signer: KeyBundle, *, signed_at: dt.datetime | None = None
) -> tuple[bytes, dict[str, str]]:
    """The certificate PDF before signing, and the document information entries to sign with it."""
    station = signer.station_code
    if station is not None and station != data.station_code:
        raise ValueError(
            _("the key of station {key} cannot sign a certificate of station {issuer}").format(
                key=station, issuer=data.station_code
            )
        )
    when = signed_at or utc_now()
    payload = qr_payload(data, signer, when)
    font = register_cjk_font()
    buf = io.BytesIO()
    # Not deflated: on the sync link the compressor then sees what certificates share (the
    # font's glyphs, the page's layout) and a month's certificates cost a fifth of what they
    # did (``db/sync/wire``); the file is ~15 KB larger.
    c = Canvas(buf, pagesize=A4, pageCompression=0, initialFontName=font)  # type: ignore[arg-type]
    c.setTitle(f"{data.title} {data.number}")
    c.setAuthor(data.authority_name)
    c.setSubject(data.number)
    c.setCreator("hallterm")
    _draw(c, layout(data, font), payload, font)
    c.save()
    fields_json = json.dumps(data.to_record(), ensure_ascii=False, sort_keys=True)
    return buf.getvalue(), {INFO_PAYLOAD: payload, INFO_FIELDS: fields_json}


def render_certificate(
    data: CertificateData, signer: KeyBundle, *, signed_at: dt.datetime | None = None
) -> bytes:
    """The signed PDF of one certificate."""
    pdf, info = render_unsigned(data, signer, signed_at=signed_at)
    return sign_pdf(pdf, signer, info)
