"""Certificate issuing speed: the clerk's whole action, against pyHanko signing a blank page.

The demo store is prepared in a temp folder (catalog, accounts, root and station key, as
``hallterm demo`` does), and N approved cases of 食品经营许可证核发 are made (not timed).  Then
each certificate is issued through the service call the clerk's key uses
(``issue_certificate``: template, payload, QR, page, PAdES B-B signature, the database write
with its event) and its PDF file is written, as the screen does.  Interleaved with each one,
so both see the same machine load, pyHanko signs a blank one-page reportlab PDF with the same
key, the way its documentation shows (``PdfSigner.sign_pdf`` with the signature size
reserved, no per-call dry run).  The key is loaded once, as ``certificate issue`` does.

Printed: the median milliseconds per certificate (whole action, and its render, sign and
store parts from a second, unstored pass), certificates per second over the whole run, the
blank-page median and the ratio.  Goal: >= 30 certificates per second and a ratio <= 2.

    python bench/certificates.py [--count 200]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault(
    "HALLTERM_STORE_PASSPHRASE", "bench-station-passphrase"
)  # as a start script gives it

from asn1crypto import keys as asn1_keys  # noqa: E402
from asn1crypto import x509 as asn1_x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import signers  # noqa: E402
from pyhanko.sign.fields import SigSeedSubFilter  # noqa: E402
from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from sqlmodel import select  # noqa: E402

from hallterm.clock import Clock  # noqa: E402
from hallterm.db.engine import Store  # noqa: E402
from hallterm.db.models import Staff  # noqa: E402
from hallterm.db.services import Ctx  # noqa: E402
from hallterm.db.services.applicants import register_applicant  # noqa: E402
from hallterm.db.services.cases import (  # noqa: E402
    LineInput,
    accept,
    advance,
    load_case,
    record_lines,
    start_case,
)
from hallterm.db.services.certificates import issue_certificate, load_signer  # noqa: E402
from hallterm.db.services.staff import actor_of  # noqa: E402
from hallterm.demo import (  # noqa: E402
    DEMO_CERT_FIELDS,
    DEMO_CERT_MATTER,
    DEMO_PASSPHRASE,
    prepare_demo,  # noqa: E402
)
from hallterm.domain.ids import resident_id_check_char  # noqa: E402
from hallterm.printing import certificate_pdf  # noqa: E402
from hallterm.printing.keys import KeyBundle  # noqa: E402

FIELDS = {
    **DEMO_CERT_FIELDS,
    "scope": "预包装食品销售（含冷藏冷冻食品）；散装食品销售；热食类食品制售；冷食类食品制售；"
    "自制饮品制售（不含自酿酒）",
}


def blank_pdf() -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    c.showPage()
    c.save()
    return buf.getvalue()


def pyhanko_signer(bundle: KeyBundle) -> tuple[signers.PdfSigner, int]:
    """pyHanko as its documentation shows it: SimpleSigner, PdfSigner, size reserved once."""

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
    return signers.PdfSigner(meta, signer), 16384


def approved_cases(store: Store, ctx: Ctx, actx: Ctx, n: int) -> list[str]:
    """``n`` cases accepted by the clerk ``ctx`` and approved by ``actx`` (受理 / 审批 apart)."""
    ids = []
    for i in range(n):
        first17 = f"330299198503{i // 1000 % 12 + 1:02d}{i % 1000:03d}"
        with store.write() as s:
            applicant = register_applicant(
                s,
                ctx,
                id_type="resident_id",
                id_number=first17 + resident_id_check_char(first17),
                name=f"基准申请人{i}",
                phone="13905990001",
                address=f"江川市南门街{i + 1}号",
            )
            case_id = start_case(s, ctx, applicant_id=applicant.id, matter_codes=[DEMO_CERT_MATTER])
            view = load_case(s, ctx, case_id, ctx.clock.today())
            record_lines(
                s,
                ctx,
                case_id,
                [LineInput.in_full(lv.requirement) for lv in view.lines],
            )
            accept(s, ctx, case_id)
            advance(s, actx, case_id, "start_review")
            advance(s, actx, case_id, "approve", "符合条件，准予许可")
        ids.append(case_id)
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        info = prepare_demo(folder / "demo")
        store = Store(str(info.store_path))
        with store.read() as s:
            clerk = s.exec(select(Staff).where(Staff.username == "clerk")).one()
            ctx = Ctx(actor=actor_of(clerk), station_code="3299", clock=Clock())
            approver = s.exec(select(Staff).where(Staff.username == "approver")).one()
            actx = Ctx(actor=actor_of(approver), station_code="3299", clock=Clock())
            signer = load_signer(s, DEMO_PASSPHRASE.encode())  # once per process
        cases = approved_cases(store, ctx, actx, args.count + 1)
        out = folder / "pdf"
        out.mkdir()
        blank = blank_pdf()
        plain, reserved = pyhanko_signer(signer)
        # Warm up both paths (font registration, prepared signature container).
        with store.write() as s:
            issue_certificate(s, ctx, cases[0], FIELDS, signer)
        plain.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(blank)), bytes_reserved=reserved)

        total_ms: list[float] = []
        blank_ms: list[float] = []
        size = 0
        issuing = 0.0
        for case_id in cases[1:]:
            t0 = time.perf_counter()
            with store.write() as s:
                number, pdf = issue_certificate(s, ctx, case_id, FIELDS, signer)
            (out / f"{number}.pdf").write_bytes(pdf)
            t1 = time.perf_counter()
            plain.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(blank)), bytes_reserved=reserved)
            t2 = time.perf_counter()
            total_ms.append((t1 - t0) * 1000)
            blank_ms.append((t2 - t1) * 1000)
            issuing += t1 - t0
            size += len(pdf)

        # The parts, from a pass that renders and signs the same certificates without storing.
        render_ms: list[float] = []
        sign_ms: list[float] = []
        with store.read() as s:
            from hallterm.db.models_certificates import Certificate

            records = [c.record for c in s.exec(select(Certificate)).all()][: args.count]
        import json

        for record in records:
            data = certificate_pdf.CertificateData.from_record(json.loads(record))
            t0 = time.perf_counter()
            unsigned, doc_info = certificate_pdf.render_unsigned(data, signer)
            t1 = time.perf_counter()
            certificate_pdf.sign_pdf(unsigned, signer, doc_info)
            t2 = time.perf_counter()
            render_ms.append((t1 - t0) * 1000)
            sign_ms.append((t2 - t1) * 1000)
        store.dispose()

    med = statistics.median
    total, base = med(total_ms), med(blank_ms)
    ratio = total / base
    per_second = args.count / issuing
    print(f"certificates issued: {args.count}, mean size {size // args.count} bytes")
    print(f"render (payload + QR + page), median ms:  {med(render_ms):.2f}")
    print(f"sign (PAdES B-B), median ms:              {med(sign_ms):.2f}")
    print(f"whole action (service + file), median ms: {total:.2f}")
    print(f"pyHanko signing a blank page, median ms:  {base:.2f}")
    print(f"certificates per second:                  {per_second:.1f}")
    print(
        f"SUMMARY measure=certificate_issue_ms value={total:.2f} baseline={base:.2f} "
        f"ratio={ratio:.2f} goal=ratio<=2"
    )
    print(
        f"SUMMARY measure=certificates_per_second value={per_second:.1f} baseline=- "
        f"ratio=- goal=>=30"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
