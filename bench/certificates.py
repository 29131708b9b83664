"""Certificate issuing speed: render + sign one certificate, against signing a blank page.

A fresh root and station key are made in a temp folder; then N certificates are issued
(render = payload + QR + reportlab page, sign = PAdES B-B with pyHanko) and, interleaved so
both see the same machine load, a blank one-page reportlab PDF is signed with the same key
through the same ``sign_pdf`` (the strict baseline: it has the same once-per-key set-up as
the certificates).  pyHanko's default path, which estimates the signature size with a dry
run on every call, is printed for information.  Medians per certificate, throughput over the whole run, and
the ratio of our total to the blank signature.  Goal: ratio ≤ 2 and ≥ 30 certificates/s.

    python bench/certificates.py [--count N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from asn1crypto import keys as asn1_keys  # noqa: E402
from asn1crypto import x509 as asn1_x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import signers  # noqa: E402
from pyhanko.sign.fields import SigSeedSubFilter  # noqa: E402
from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from hallterm.domain.certno import make_certificate_number  # noqa: E402
from hallterm.printing import keys  # noqa: E402
from hallterm.printing.certificate_pdf import (  # noqa: E402
    CertificateData,
    render_unsigned,
    sign_pdf,
)

STATION = "330106001"


def blank_pdf() -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.showPage()
    c.save()
    return buf.getvalue()


def plain_pyhanko(bundle: keys.KeyBundle) -> signers.PdfSigner:
    """pyHanko as its documentation shows it: SimpleSigner, size estimated on every call."""

    def der(cert: object) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))  # type: ignore[attr-defined]

    key = asn1_keys.PrivateKeyInfo.load(
        bundle.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer = signers.SimpleSigner(
        signing_cert=der(bundle.cert),
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([der(c) for c in bundle.chain]),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=False,
    )
    return signers.PdfSigner(meta, signer)


def certificate(serial: int) -> CertificateData:
    return CertificateData(
        number=make_certificate_number("SPJY", STATION, 2026, serial),
        certificate_type="SPJY",
        title="食品经营许可证",
        holder=f"测试持证人{serial}",
        holder_id="330106********1234",
        fields=(
            ("经营者名称", f"杭州市西湖区测试小吃店第{serial}号"),
            (
                "经营场所",
                "浙江省杭州市西湖区文三路 138 号一楼 101 室（临街商铺），含后厨及仓储区域",
            ),
            ("经营项目", "热食类食品制售；冷食类食品制售；自制饮品制售"),
        ),
        authority_code="330106-SJ",
        authority_name="杭州市西湖区市场监督管理局",
        station_code=STATION,
        station_name="文新街道便民服务中心",
        issued_on=dt.date(2026, 11, 27),
        valid_until=dt.date(2031, 11, 26),
        case_number=f"{STATION}-20261127-{serial:04d}",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        passphrase = b"bench passphrase"
        # Key files are not what is measured: a small KDF count keeps set-up short.
        root = keys.make_root("基准测试根证书", folder / "root.p12", passphrase, iterations=1000)
        station = keys.issue_station(
            root, STATION, "文新街道便民服务中心", folder / "st.p12", passphrase, iterations=1000
        )
        blank = blank_pdf()
        # Warm up: font registration, signer construction (once per key bundle).
        pdf, info = render_unsigned(certificate(1), station)
        sign_pdf(pdf, station, info)
        sign_pdf(blank, station)
        plain = plain_pyhanko(station)
        plain.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(blank)))

        render_ms: list[float] = []
        sign_ms: list[float] = []
        total_ms: list[float] = []
        blank_ms: list[float] = []
        plain_ms: list[float] = []
        size = 0
        issuing = 0.0
        for serial in range(1, args.count + 1):
            data = certificate(serial)
            t0 = time.perf_counter()
            pdf, info = render_unsigned(data, station)
            t1 = time.perf_counter()
            signed = sign_pdf(pdf, station, info)
            t2 = time.perf_counter()
            sign_pdf(blank, station)
            t3 = time.perf_counter()
            plain.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(blank)))
            t4 = time.perf_counter()
            render_ms.append((t1 - t0) * 1000)
            sign_ms.append((t2 - t1) * 1000)
            total_ms.append((t2 - t0) * 1000)
            blank_ms.append((t3 - t2) * 1000)
            plain_ms.append((t4 - t3) * 1000)
            issuing += t2 - t0
            size += len(signed)

    med = statistics.median
    total, base = med(total_ms), med(blank_ms)
    ratio = total / base
    per_second = args.count / issuing
    print(f"certificates issued: {args.count}, mean size {size // args.count} bytes")
    print(f"render (payload + QR + page), median ms: {med(render_ms):.2f}")
    print(f"sign (PAdES B-B), median ms:             {med(sign_ms):.2f}")
    print(f"total per certificate, median ms:        {total:.2f}")
    print(f"blank page signed, median ms:            {base:.2f}")
    print(f"  (pyHanko's default path, size estimated per call: {med(plain_ms):.2f})")
    print(f"certificates per second:                 {per_second:.1f}")
    print(
        f"SUMMARY measure=certificate_total_ms value={total:.2f} baseline={base:.2f} "
        f"ratio={ratio:.2f} goal=ratio<=2 and >=30/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
