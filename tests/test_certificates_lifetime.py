"""Certificates for their whole life: B-LTA at central, station key revocation, the trust list,
verifying without a store, strict bytes, bundles and the CLI's exit codes."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import logging
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from click.testing import CliRunner
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from security_support import add_admin
from sqlmodel import select
from test_sync_support import ServiceThread, clerk_ctx, enrol, make_central, make_station

from hallterm.cli import main
from hallterm.clock import FrozenClock
from hallterm.db.engine import Store
from hallterm.db.models_certificates import Certificate, CertificateCopy
from hallterm.db.services import Actor, Ctx, ServiceError
from hallterm.db.services.applicants import register_applicant
from hallterm.db.services.cases import (
    LineInput,
    accept,
    advance,
    load_case,
    record_lines,
    start_case,
)
from hallterm.db.services.certificate_keys import (
    export_trust,
    install_key,
    make_station_crl,
    revoke_station,
    stored_crl,
)
from hallterm.db.services.certificate_ltv import LtvSource, timestamp_pending
from hallterm.db.services.certificates import (
    certificate_pdf,
    issue_certificate,
    issue_draft,
    issue_many,
    revoke,
)
from hallterm.db.sync.central import central_ctx
from hallterm.db.sync.runner import SyncSummary, sync_once
from hallterm.domain.ids import resident_id_check_char
from hallterm.printing import keys, trust
from hallterm.printing.keys import KeyBundle
from hallterm.printing.tsa import CentralTimeStamper, issue_tsa
from hallterm.printing.verify import Revocations, Verdict, verify_pdf, verify_qr

FAST = 1000
PASS = b"lifetime passphrase"
FOOD = "11329900MB0002026E00001020060000"  # 食品经营许可证核发
BUNDLE_MATTERS = (  # 开办餐饮店一件事: licence, food business, public-place hygiene, tax
    "11329900MB0002026E00001020010000",
    "11329900MB0002026E00001020060000",
    "11329900MB0006078N00001060030000",
)


@contextlib.contextmanager
def _world(tmp_path: Path, clock: FrozenClock, central_url: str, ltv: object = None):  # type: ignore[no-untyped-def]
    """Root, TSA, station A's key (two years), central and its sync service, station A
    enrolled with its key installed; ``ltv``: the service's TSA (``ltv_of`` makes one)."""
    start = clock.now() - dt.timedelta(days=1)
    root = keys.make_root(
        "江川市电子证照根证书", tmp_path / "root.p12", PASS, iterations=FAST, not_before=start
    )
    station_key = keys.issue_station(
        root,
        "A",
        "A镇便民服务中心",
        tmp_path / "a.p12",
        PASS,
        days=730,
        not_before=start,
        iterations=FAST,
    )
    tsa = issue_tsa(root, "江川市时间戳服务", tmp_path / "tsa.p12", PASS, start, iterations=FAST)
    central = make_central(central_url, clock, ("A",))
    station = make_station(str(tmp_path / "a.db"), "A", clock)
    with station.write() as s:  # installing the key is an administrator's work
        install_key(s, tmp_path / "a.p12", tmp_path / "keys", PASS, _admin_ctx(clock))
    w = {
        "root": root,
        "station_key": station_key,
        "tsa": tsa,
        "central": central,
        "station": station,
        "clock": clock,
        "tmp": tmp_path,
    }
    source = ltv(w) if callable(ltv) else None
    with (
        ServiceThread(central_url, clock, ltv=source) as svc,
        enrol(station, central, "A", svc.url, clock) as client,
    ):
        yield {**w, "client": client}
    central.dispose()
    station.dispose()


@pytest.fixture
def world(tmp_path: Path, clock: FrozenClock):  # type: ignore[no-untyped-def]
    """A world whose sync service has no TSA: certificates wait for central's timestamp step."""
    with _world(tmp_path, clock, str(tmp_path / "central.db")) as w:
        yield w


def _admin_ctx(clock: FrozenClock) -> Ctx:
    return Ctx(Actor("", "admina", "周建华", "admin", "A"), "A", clock)


def _sync(w: dict) -> SyncSummary:  # type: ignore[type-arg]
    """One sync of station A through the sync service: pull, then push; nothing refused."""
    summary = sync_once(w["station"], w["client"], clock=w["clock"])
    assert not summary.refused and summary.left == 0, summary
    return summary


def _approved_case(store: Store, clock: FrozenClock, matters: tuple[str, ...], n: int = 1) -> str:
    ctx = clerk_ctx("A", clock)
    first17 = f"33029919850312{n:03d}"
    with store.write() as s:
        applicant = register_applicant(
            s,
            ctx,
            id_type="resident_id",
            id_number=first17 + resident_id_check_char(first17),
            name="赵丽华",
            phone="13905990001",
            address="江川市南门街18号",
        )
        case_id = start_case(s, ctx, applicant_id=applicant.id, matter_codes=list(matters))
        view = load_case(s, ctx, case_id, clock.today())
        record_lines(
            s,
            ctx,
            case_id,
            [
                LineInput.in_full(lv.requirement)
                for lv in view.lines
                if lv.requirement.necessity != "optional"
            ],
        )
        accept(s, ctx, case_id)
        approver = Ctx(Actor("", "sunsp", "孙审批", "approver", "A"), "A", clock)
        advance(s, approver, case_id, "start_review")
        advance(s, approver, case_id, "approve", "符合条件，准予许可")
    return case_id


FOOD_FIELDS = {"scope": "预包装食品销售；热食类食品制售", "format": "小餐饮"}


def _issue(w: dict, case_id: str) -> tuple[str, bytes]:  # type: ignore[type-arg]
    with w["station"].write() as s:
        return issue_certificate(
            s, clerk_ctx("A", w["clock"]), case_id, FOOD_FIELDS, w["station_key"]
        )


def _central_step(w: dict) -> list[str]:  # type: ignore[type-arg]
    """What central does when records arrive: CRL (once), then B-LTA for every new copy."""
    clock = w["clock"]
    tsa: KeyBundle = w["tsa"]
    with w["central"].write() as s:
        if stored_crl(s) is None:
            make_station_crl(s, central_ctx(clock), w["root"])
        summary = timestamp_pending(
            s,
            central_ctx(clock),
            LtvSource(lambda at: CentralTimeStamper(tsa, at), [w["root"].cert], [tsa.cert]),
        )
    assert summary.failed == []
    return summary.extended


def _station_revocations(w: dict) -> Revocations:  # type: ignore[type-arg]
    with w["station"].read() as s:
        der = stored_crl(s)
    keys_revoked = trust.key_revocations(trust.load_crl(der, [w["root"].cert])) if der else {}
    return Revocations(keys=keys_revoked)


def test_lifetime_b_lta_survives_expiry_and_revocation(world: dict) -> None:  # type: ignore[type-arg]
    w = world
    clock: FrozenClock = w["clock"]
    root = w["root"].cert
    number, bb = _issue(w, _approved_case(w["station"], clock, (FOOD,)))
    _sync(w)  # the record and the file reach central
    assert _central_step(w) == [f"{number}/1"]
    _sync(w)  # the B-LTA file comes back
    with w["station"].read() as s:
        lta = certificate_pdf(s, clerk_ctx("A", clock), number)
        copy = s.get(CertificateCopy, (number, 1))
        assert copy is not None and copy.ltv == "B-LTA"
    assert lta != bb and lta.startswith(bb)  # incremental updates: the signed bytes stay

    # Today both are valid; past the station certificate's expiry only the B-LTA one is.
    assert verify_pdf(lta, [root], at=clock.now()).verdict is Verdict.valid
    later = w["station_key"].cert.not_valid_after_utc + dt.timedelta(days=400)
    result = verify_pdf(lta, [root], _station_revocations(w), at=later)
    assert result.verdict is Verdict.valid, result.lines
    assert verify_pdf(bb, [root], at=later).verdict is Verdict.untrusted

    # pyHanko's own validators, in LTV mode: the revocation data comes from the file's DSS.
    reader = PdfFileReader(io.BytesIO(lta))
    sig, stamp = reader.embedded_signatures[0], reader.embedded_signatures[1]
    dss = DocumentSecurityStore.read_dss(reader)
    assert dss.crls and dss.certs
    anchors = [asn1_x509.Certificate.load(root.public_bytes(Encoding.DER))]
    ts_status = validate_pdf_timestamp(
        stamp,
        validation_context=dss.as_validation_context(
            {"trust_roots": anchors, "allow_fetching": False, "moment": later},
        ),
    )
    assert ts_status.intact and ts_status.valid and ts_status.trusted
    sig_status = validate_pdf_signature(
        sig,
        dss.as_validation_context(
            {
                "trust_roots": anchors,
                "allow_fetching": False,
                "revocation_mode": "hard-fail",  # revocation must be checked, from the DSS
                "moment": ts_status.timestamp,
            }
        ),
    )
    assert sig_status.bottom_line, sig_status.pretty_print_details()

    # The station key is revoked (stolen); the station, offline, signs once more afterwards.
    clock.advance(days=3)
    with w["central"].write() as s:
        revoke_station(s, central_ctx(clock), "A", "key_compromise", "钥匙盘失窃")
        make_station_crl(s, central_ctx(clock), w["root"])
    clock.advance(hours=1)
    number2, after = _issue(w, _approved_case(w["station"], clock, (FOOD,), n=2))
    _sync(w)  # the CRL reaches the station
    known = _station_revocations(w)
    assert known.keys
    signed_after = verify_pdf(after, [root], known, at=clock.now())
    assert signed_after.verdict is Verdict.invalid, signed_after.lines
    # The first certificate was timestamped before the revocation: it stays valid.
    assert verify_pdf(lta, [root], known, at=later).verdict is Verdict.valid
    # A B-B copy signed before the revocation has nothing proving when it was made.
    assert verify_pdf(bb, [root], known, at=clock.now()).verdict is Verdict.untrusted


def test_trust_list_without_a_store(world: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    w = world
    clock: FrozenClock = w["clock"]
    root = w["root"]
    number, pdf = _issue(w, _approved_case(w["station"], clock, (FOOD,)))
    number2, pdf2 = _issue(w, _approved_case(w["station"], clock, (FOOD,), n=2))
    supervisor = Actor("", "sup", "王建国", "supervisor", "A")
    with w["station"].write() as s:
        revoke(s, Ctx(supervisor, "A", clock), number2, "违法经营被处罚", "revoked")
    _sync(w)
    with w["central"].write() as s:
        data = export_trust(s, central_ctx(clock), root)
    listed = trust.load_trust_list(data, [root.cert])
    assert w["station_key"].cert in listed.station_certs
    assert listed.revoked == {number2: "revoked"} and number in listed.records
    known = Revocations(listed.revoked, listed.key_revocations(), listed.records)
    roots = [root.cert]
    assert verify_pdf(pdf, roots, known, at=clock.now()).verdict is Verdict.valid
    assert verify_pdf(pdf2, roots, known, at=clock.now()).verdict is Verdict.revoked
    other = keys.make_root("冒名根证书", tmp_path / "x.p12", PASS, iterations=FAST)
    assert verify_pdf(pdf, [other.cert], known, at=clock.now()).verdict is Verdict.untrusted
    unchecked = Revocations(checked=False)
    assert verify_pdf(pdf, roots, unchecked, at=clock.now()).verdict is Verdict.unchecked

    # The QR code alone: fields come from the code or from the trust list's record.
    from hallterm.printing.certificate_pdf import INFO_PAYLOAD

    def qr(doc: bytes) -> str:
        return str(PdfFileReader(io.BytesIO(doc)).trailer["/Info"][INFO_PAYLOAD])

    certs = listed.station_certs
    good = verify_qr(qr(pdf), roots, certs, known, at=clock.now())
    assert good.verdict is Verdict.valid, good.lines
    record = listed.records[number]
    for label, value in record["fields"]:
        assert f"  {label}: {value}" in good.lines  # every field, to compare with the paper
    assert verify_qr(qr(pdf2), roots, certs, known, at=clock.now()).verdict is Verdict.revoked
    assert verify_qr(qr(pdf), roots, [], known, at=clock.now()).verdict is Verdict.untrusted
    assert verify_qr(qr(pdf), roots, certs, unchecked, at=clock.now()).verdict is Verdict.unchecked

    # The command line, with only the root and the trust list: no store at all.
    files = tmp_path / "cli"
    files.mkdir()
    (files / "trust.json").write_bytes(data)
    keys.write_pem(root.cert, files / "root.pem")
    (files / "c1.pdf").write_bytes(pdf)
    (files / "c2.pdf").write_bytes(pdf2)
    runner = CliRunner()

    def run(*args: str) -> int:
        return runner.invoke(main, ["verify", *args]).exit_code

    base = ("--root", str(files / "root.pem"))
    trust_opt = ("--trust", str(files / "trust.json"))
    assert run(str(files / "c1.pdf"), *base, *trust_opt) == 0
    assert run(str(files / "c2.pdf"), *base, *trust_opt) == 2
    assert run(str(files / "c1.pdf"), *base) == 4  # revocation not checked
    assert run("--qr", qr(pdf), *base, *trust_opt) == 0
    assert run("--qr", qr(pdf2), *base, *trust_opt) == 2
    result = runner.invoke(main, ["verify", str(files / "missing.pdf"), *base, *trust_opt])
    assert result.exit_code == 5 and "不存在" in result.output
    assert run("--no-such-option") == 5  # a usage error is not "revoked" (2)
    (files / "bad.json").write_text(json.dumps({"trust_list": {}, "signature": "AAAA"}))
    assert run(str(files / "c1.pdf"), *base, "--trust", str(files / "bad.json")) == 5


def _strict_bytes_variants(pdf: bytes) -> dict[str, bytes]:
    sig = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    start, length, second, _ = list(sig.byte_range)
    gap = pdf[start + length : second]
    inner = gap[1:-1]
    padding_at = start + length + 1 + len(inner.rstrip(b"0")) + 10
    flipped = bytearray(pdf)
    flipped[padding_at] = ord("1")
    letter = next(i for i, ch in enumerate(inner) if chr(ch) in "ABCDEF")
    cased = bytearray(pdf)
    cased[start + length + 1 + letter] = ord(chr(inner[letter]).lower())
    return {"padding": bytes(flipped), "hex case": bytes(cased)}


def test_strict_bytes(world: dict) -> None:  # type: ignore[type-arg]
    w = world
    number, pdf = _issue(w, _approved_case(w["station"], w["clock"], (FOOD,)))
    roots = [w["root"].cert]
    assert verify_pdf(pdf, roots, at=w["clock"].now()).verdict is Verdict.valid
    for name, variant in _strict_bytes_variants(pdf).items():
        assert variant != pdf
        result = verify_pdf(variant, roots, at=w["clock"].now())
        assert result.verdict is Verdict.invalid, (name, result.lines)


def test_bundle_issues_every_certificate_and_cli_takes_several_cases(
    world: dict, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[type-arg]
    w = world
    clock: FrozenClock = w["clock"]
    case_id = _approved_case(w["station"], clock, BUNDLE_MATTERS)
    fields = {
        **FOOD_FIELDS,
        "kind": "个体工商户",
        "name": "江川市南门赵记小吃店",
        "uscc": "92329900MA2C3D4E5X",
    }
    results = issue_many(w["station"], clerk_ctx("A", clock), [case_id], fields, w["station_key"])
    assert [r[3] for r in results] == [None, None, None], results
    with w["station"].read() as s:
        rows = s.exec(select(Certificate).where(Certificate.case_id == case_id)).all()
        assert sorted(r.certificate_type for r in rows) == [
            "公共场所卫生许可证",
            "营业执照",
            "食品经营许可证",
        ]
        records = {r.certificate_type: json.loads(r.record) for r in rows}
    # Each is issued by its own competent authority, with the station as the place of issue.
    assert records["营业执照"]["authority_name"] == "江川市市场监督管理局"
    assert records["公共场所卫生许可证"]["authority_name"] == "江川市卫生健康委员会"
    assert {r["station_code"] for r in records.values()} == {"A"}
    licence = dict(records["营业执照"]["fields"])
    assert licence["登记机关"] == "江川市市场监督管理局"
    assert licence["统一社会信用代码"] == "92329900MA2C3D4E5X"  # public: in full
    # Nothing left to issue for the case.
    with w["station"].read() as s, pytest.raises(ServiceError, match="均已颁发"):
        issue_draft(s, case_id)


def test_central_commands(world: dict, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    """revoke-station, crl, central timestamp and export-trust from the command line."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    w = world
    tmp: Path = w["tmp"]
    monkeypatch.setenv("HALLTERM_KEY_PASSPHRASE", PASS.decode())
    central_url = str(tmp / "central.db")
    number, _pdf = _issue(w, _approved_case(w["station"], w["clock"], (FOOD,)))
    _sync(w)
    runner = CliRunner(env=add_admin(central_url))  # they act as central's admin

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    run(
        "keys",
        "crl",
        "--root",
        str(tmp / "root.p12"),
        "--out",
        str(tmp / "crl.der"),
        "--central",
        central_url,
    )
    crl = x509.load_der_x509_crl((tmp / "crl.der").read_bytes())
    assert crl.is_signature_valid(w["root"].cert.public_key()) and len(list(crl)) == 0
    out = run("central", "timestamp", "--tsa", str(tmp / "tsa.p12"), "--central", central_url)
    assert "1" in out
    with w["central"].read() as s:
        copy = s.get(CertificateCopy, (number, 1))
        assert copy is not None and copy.ltv == "B-LTA"
    run(
        "keys",
        "revoke-station",
        "A",
        "--reason",
        "key_compromise",
        "--note",
        "失窃",
        "--root",
        str(tmp / "root.p12"),
        "--central",
        central_url,
    )
    run(
        "central",
        "export-trust",
        "--root",
        str(tmp / "root.p12"),
        "--out",
        str(tmp / "trust.json"),
        "--central",
        central_url,
    )
    listed = trust.load_trust_list((tmp / "trust.json").read_bytes(), [w["root"].cert])
    assert w["station_key"].cert.serial_number in listed.key_revocations()
    # The station certificate names the station's own organisation, not the root's.
    org = w["station_key"].cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    assert org[0].value == "A镇便民服务中心"
    # Wrong reason: a clear refusal, nothing written.
    bad = runner.invoke(
        main, ["keys", "revoke-station", "A", "--reason", "lost", "--central", central_url]
    )
    assert bad.exit_code != 0


DISABILITY = "11329900MB0012156Y00020120010000"  # 残疾人证办理


def test_trust_list_keeps_personal_certificates_to_their_hash(world: dict) -> None:  # type: ignore[type-arg]
    w = world
    clock: FrozenClock = w["clock"]
    case_id = _approved_case(w["station"], clock, (DISABILITY,), n=7)
    with w["station"].write() as s:
        number, pdf = issue_certificate(
            s,
            clerk_ctx("A", clock),
            case_id,
            {"category": "肢体", "grade": "三级"},
            w["station_key"],
        )
    _sync(w)
    with w["central"].write() as s:
        data = export_trust(s, central_ctx(clock), w["root"])
    assert "赵丽华".encode() not in data and "肢体".encode() not in data  # no personal data
    listed = trust.load_trust_list(data, [w["root"].cert])
    assert set(listed.records[number]) == {"fields_hash"}
    known = Revocations(listed.revoked, listed.key_revocations(), listed.records)
    from hallterm.printing.certificate_pdf import INFO_PAYLOAD

    qr = str(PdfFileReader(io.BytesIO(pdf)).trailer["/Info"][INFO_PAYLOAD])
    result = verify_qr(qr, [w["root"].cert], listed.station_certs, known, at=clock.now())
    assert result.verdict is Verdict.valid, result.lines


def test_external_tsa_url(world: dict) -> None:  # type: ignore[type-arg]
    """An external RFC 3161 TSA over HTTP (here: central's own TSA behind a tiny server)."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from asn1crypto import tsp

    from hallterm.printing.tsa import external_timestamper

    w = world
    clock: FrozenClock = w["clock"]
    tsa: KeyBundle = w["tsa"]

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            answer = CentralTimeStamper(tsa, clock.now()).request_tsa_response(
                tsp.TimeStampReq.load(body)
            )
            data = answer.dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
        number, bb = _issue(w, _approved_case(w["station"], clock, (FOOD,)))
        _sync(w)
        with w["central"].write() as s:
            make_station_crl(s, central_ctx(clock), w["root"])
            summary = timestamp_pending(
                s,
                central_ctx(clock),
                LtvSource(lambda at: external_timestamper(url), [w["root"].cert], [tsa.cert]),
            )
        assert summary.extended == [f"{number}/1"], summary.failed
        with w["central"].read() as s:
            lta = certificate_pdf(s, clerk_ctx("A", clock), number)
    finally:
        server.shutdown()
    later = w["station_key"].cert.not_valid_after_utc + dt.timedelta(days=10)
    assert verify_pdf(lta, [w["root"].cert], at=later).verdict is Verdict.valid


def _own_tsa(w: dict) -> LtvSource:  # type: ignore[type-arg]
    tsa: KeyBundle = w["tsa"]
    return LtvSource(lambda at: CentralTimeStamper(tsa, at), [w["root"].cert], [tsa.cert])


def _dead_tsa(w: dict) -> LtvSource:  # type: ignore[type-arg]
    """An external TSA that cannot be reached (nothing listens on its port)."""
    import socket

    from hallterm.printing.tsa import external_timestamper

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/tsa"
    return LtvSource(lambda at: external_timestamper(url), [w["root"].cert], [w["tsa"].cert])


def _central_copy(w: dict, number: str) -> CertificateCopy | None:  # type: ignore[type-arg]
    with w["central"].read() as s:
        return s.get(CertificateCopy, (number, 1))


def test_service_timestamps_certificates_as_they_arrive(
    tmp_path: Path, clock: FrozenClock, any_url: str
) -> None:
    """With a TSA, central's apply step extends the pushed record's file: no command needed."""
    with _world(tmp_path, clock, any_url, ltv=_own_tsa) as w:
        with w["central"].write() as s:
            make_station_crl(s, central_ctx(clock), w["root"])
        number, bb = _issue(w, _approved_case(w["station"], clock, (FOOD,)))
        assert _sync(w).pushed > 0  # the record reaches central and is extended there
        copy = _central_copy(w, number)
        assert copy is not None and copy.ltv == "B-LTA"
        with w["central"].write() as s:  # nothing is left for the command to do
            summary = timestamp_pending(s, central_ctx(clock), _own_tsa(w))
        assert summary.extended == [] and summary.failed == []
        _sync(w)  # the B-LTA file comes back through the pull feed
        with w["station"].read() as s:
            row = s.get(CertificateCopy, (number, 1))
            assert row is not None and row.ltv == "B-LTA"
            lta = certificate_pdf(s, clerk_ctx("A", clock), number)
        assert lta != bb and lta.startswith(bb)
        later = w["station_key"].cert.not_valid_after_utc + dt.timedelta(days=400)
        assert verify_pdf(lta, [w["root"].cert], at=later).verdict is Verdict.valid
        assert verify_pdf(bb, [w["root"].cert], at=later).verdict is Verdict.untrusted


def test_tsa_failure_keeps_the_event_and_leaves_the_copy_pending(
    tmp_path: Path, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A TSA that fails never refuses the pushed event: it is stored, the copy stays pending
    (the service log says so) and ``central timestamp`` extends it later."""
    with _world(tmp_path, clock, str(tmp_path / "central.db"), ltv=_dead_tsa) as w:
        with w["central"].write() as s:
            make_station_crl(s, central_ctx(clock), w["root"])
        number, _bb = _issue(w, _approved_case(w["station"], clock, (FOOD,)))
        number2, _bb2 = _issue(w, _approved_case(w["station"], clock, (FOOD,), n=2))
        with caplog.at_level(logging.WARNING, logger="hallterm.db.services.certificate_ltv"):
            assert _sync(w).pushed > 0  # delivered, nothing refused, nothing left
        # Both named in the service log: the first failed, the second was not tried.
        assert f"{number}/1" in caplog.text and f"{number2}/1" in caplog.text
        for n in (number, number2):
            with w["central"].read() as s:
                assert s.get(Certificate, n) is not None  # the record is at central
            copy = _central_copy(w, n)
            assert copy is None or copy.ltv != "B-LTA"
        # The command finds both pending.
        assert sorted(_central_step(w)) == sorted([f"{number}/1", f"{number2}/1"])
        _sync(w)
        with w["station"].read() as s:
            for n in (number, number2):
                row = s.get(CertificateCopy, (n, 1))
                assert row is not None and row.ltv == "B-LTA"


def test_serve_loads_the_tsa_once_at_start(world: dict, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    """``central serve --tsa``: a wrong passphrase stops the start with a clear message; each
    worker process loads the configured TSA when it starts (``app_from_env``)."""
    from hallterm.db.services.certificate_tsa import TsaConfig
    from hallterm.db.sync.service_process import CENTRAL_ENV, TSA_ENV, app_from_env

    w = world
    tmp: Path = w["tmp"]
    central_url = str(tmp / "central.db")
    runner = CliRunner()
    args = ["central", "serve", "--central", central_url, "--tsa", str(tmp / "tsa.p12")]
    monkeypatch.setenv("HALLTERM_KEY_PASSPHRASE", "wrong passphrase")
    refused = runner.invoke(main, args)
    assert refused.exit_code == 1 and "口令" in refused.output, refused.output
    not_a_tsa = runner.invoke(main, [*args[:-1], str(tmp / "a.p12")])
    assert not_a_tsa.exit_code == 1
    no_root = runner.invoke(main, ["central", "serve", "--central", central_url, "--tsa-url", "x"])
    assert no_root.exit_code == 1 and "--tsa-root" in no_root.output

    monkeypatch.setenv("HALLTERM_KEY_PASSPHRASE", PASS.decode())
    monkeypatch.setenv(CENTRAL_ENV, central_url)
    monkeypatch.setenv(TSA_ENV, TsaConfig(tsa_file=str(tmp / "tsa.p12")).to_json())
    app = app_from_env()
    assert app.state.ltv is not None and app.state.ltv.tsa_certs[0] == w["tsa"].cert
    app.state.store.dispose()
    monkeypatch.setenv(TSA_ENV, TsaConfig().to_json())
    app = app_from_env()
    assert app.state.ltv is None  # no TSA: certificates wait for `central timestamp`
    app.state.store.dispose()
