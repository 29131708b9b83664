"""Long-term signatures: from the station's PAdES B-B to B-LT, then B-LTA, with pyHanko.

B-LT: the validation data of the station's signature (its chain and the root's CRL) goes into
the document security store (DSS) in an incremental update.  B-LTA: a document timestamp
(RFC 3161, ETSI.RFC3161 sub-filter) over the whole file, its own validation data added to the
DSS as well.  The timestamp proves the signature existed at that time, so the certificate
stays verifiable after the station certificate expires, and after a later revocation of its
key; the embedded CRL lets a validator check revocation without a network.
"""

from __future__ import annotations

import datetime as dt
import io

from cryptography import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.validation import add_validation_info
from pyhanko_certvalidator import ValidationContext

from hallterm.i18n import _
from hallterm.printing.tsa import asn1


class LtvError(Exception):
    """Central could not extend a signature; the message says why, for people."""


def validation_context(
    roots: list[x509.Certificate],
    crls: list[bytes],
    other_certs: list[x509.Certificate],
    moment: dt.datetime,
    *,
    fetch: bool = False,
) -> ValidationContext:
    """Revocation required: from the given CRLs, and (``fetch``, for an external TSA whose
    CRL or OCSP responder is online) from the network."""
    return ValidationContext(
        trust_roots=[asn1(c) for c in roots],
        crls=crls,
        other_certs=[asn1(c) for c in other_certs],
        allow_fetching=fetch,
        revocation_mode="require",
        moment=moment,
    )


def extend_to_lta(
    pdf: bytes,
    timestamper: TimeStamper,
    roots: list[x509.Certificate],
    crl_der: bytes,
    tsa_certs: list[x509.Certificate],
    now: dt.datetime,
    *,
    tsa_roots: list[x509.Certificate] | None = None,
) -> bytes:
    """The file with B-LT validation data and a B-LTA document timestamp added.

    ``tsa_roots``: the root of an external TSA (its revocation data is then fetched online).
    """
    context = validation_context(
        [*roots, *(tsa_roots or [])], [crl_der], tsa_certs, now, fetch=bool(tsa_roots)
    )
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        sigs = reader.embedded_signatures
    except Exception as exc:
        raise LtvError(
            _("the stored file is not a readable PDF: {reason}").format(reason=exc)
        ) from None
    if not sigs:
        raise LtvError(_("the stored file carries no signature"))
    try:
        with_dss = add_validation_info(sigs[0], context)  # B-LT
        out = io.BytesIO()
        signers.PdfTimeStamper(timestamper).timestamp_pdf(  # B-LTA
            IncrementalPdfFileWriter(with_dss),
            "sha256",
            validation_context=context,
            output=out,
        )
    except Exception as exc:  # pyHanko raises many kinds: path, revocation, TSA errors
        raise LtvError(
            _("the signature could not be extended: {reason}").format(reason=str(exc)[:300])
        ) from None
    return out.getvalue()
