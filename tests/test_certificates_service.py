"""Certificates wired into the product: issue from a case, export, verify, revoke, reprint."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pilot_support import settle
from pilot_support import sign_in as _sign_in
from sqlmodel import select

from hallterm.cli import main
from hallterm.db.models_certificates import Certificate, CertificateCopy
from hallterm.db.services import Actor, Ctx, ServiceError
from hallterm.db.services.certificates import certificate_pdf, reprint, revoke
from hallterm.demo import DEMO_PASSPHRASE


def _number(store) -> str:  # type: ignore[no-untyped-def]
    with store.read() as session:
        return session.exec(select(Certificate.number)).one()


def _verify(store, pdf: Path) -> int:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["verify", str(pdf), "--store", store.url])
    return result.exit_code


def test_demo_certificate_export_verify_revoke_tamper(demo_store, tmp_path):
    number = _number(demo_store)
    out = tmp_path / "c.pdf"
    runner = CliRunner()
    res = runner.invoke(
        main, ["certificate", "export", number, "--out", str(out), "--store", demo_store.url]
    )
    assert res.exit_code == 0, res.output
    assert _verify(demo_store, out) == 0
    data = bytearray(out.read_bytes())
    data[len(data) // 3] ^= 0x01
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(bytes(data))
    assert _verify(demo_store, bad) == 1
    res = runner.invoke(
        main, ["certificate", "revoke", number, "--reason", "吊销", "--store", demo_store.url]
    )
    assert res.exit_code == 0, res.output
    assert _verify(demo_store, out) == 2


def test_clerk_cannot_revoke_and_reprint_keeps_number(demo_store, clock):
    from hallterm.db.services.certificates import load_signer

    number = _number(demo_store)
    clerk = Actor("x", "clerk", "clerk", "clerk", "3299")
    with demo_store.write() as session, pytest.raises(ServiceError):
        revoke(session, Ctx(clerk, "3299", clock), number, "no")
    with demo_store.write() as session:
        with pytest.raises(ServiceError):
            reprint(session, Ctx(clerk, "3299", clock), number, " ", None)  # type: ignore[arg-type]
        signer = load_signer(session, DEMO_PASSPHRASE.encode())
        pdf = reprint(session, Ctx(clerk, "3299", clock), number, "损坏", signer)
    with demo_store.read() as session:
        copies = session.exec(select(CertificateCopy).where(CertificateCopy.number == number)).all()
        assert [c.reason for c in copies] == ["", "损坏"]
        assert certificate_pdf(session, number) == pdf


def _payload(pdf: bytes) -> str:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader

    from hallterm.printing.certificate_pdf import INFO_PAYLOAD

    return str(PdfFileReader(io.BytesIO(pdf)).trailer["/Info"][INFO_PAYLOAD])


def test_verify_qr_text(demo_store):
    with demo_store.read() as session:
        text = _payload(certificate_pdf(session, _number(demo_store)))
    runner = CliRunner()
    res = runner.invoke(main, ["verify", "--qr", text, "--store", demo_store.url])
    assert res.exit_code == 0, res.output
    edited = text[:-3] + ("A" if text[-3] != "A" else "B") + text[-2:]
    res = runner.invoke(main, ["verify", "--qr", edited, "--store", demo_store.url])
    assert res.exit_code == 1, res.output


def _approved_case(store, clock, approve: bool = True) -> str:  # type: ignore[no-untyped-def]
    from hallterm.db.models import Staff
    from hallterm.db.services.applicants import register_applicant
    from hallterm.db.services.cases import (
        LineInput,
        accept,
        advance,
        load_case,
        record_lines,
        start_case,
    )
    from hallterm.db.services.staff import actor_of
    from hallterm.demo import DEMO_CERT_MATTER
    from hallterm.domain.ids import resident_id_check_char

    with store.read() as session:
        staff = session.exec(select(Staff).where(Staff.username == "clerk")).one()
        ctx = Ctx(actor_of(staff), "3299", clock)
    with store.write() as session:
        first17 = "33029919900101003"
        applicant = register_applicant(
            session,
            ctx,
            id_type="resident_id",
            id_number=first17 + resident_id_check_char(first17),
            name="钱多多",
            address="江川市北街1号",
        )
        case_id = start_case(
            session, ctx, applicant_id=applicant.id, matter_codes=[DEMO_CERT_MATTER]
        )
        view = load_case(session, case_id, clock.today())
        record_lines(
            session,
            ctx,
            case_id,
            [
                LineInput.in_full(lv.requirement)
                for lv in view.lines
                if lv.requirement.necessity != "optional"
            ],
        )
        accept(session, ctx, case_id)
        if approve:
            advance(session, ctx, case_id, "start_review")
            advance(session, ctx, case_id, "approve", "ok")
        from hallterm.db.models import ServiceCase

        case = session.get(ServiceCase, case_id)
        assert case is not None
        return case.number


def test_issue_from_cli_and_refuse_unapproved(demo_store, clock, tmp_path, monkeypatch):
    monkeypatch.setenv("HALLTERM_KEY_PASSPHRASE", DEMO_PASSPHRASE)
    runner = CliRunner()
    pending = _approved_case(demo_store, clock, approve=False)
    res = runner.invoke(
        main,
        [
            "certificate",
            "issue",
            "--case",
            pending,
            "--field",
            "scope=热食",
            "--store",
            demo_store.url,
        ],
    )
    assert res.exit_code == 1
    with demo_store.write() as session:
        from hallterm.db.models import ServiceCase
        from hallterm.db.services.cases import advance

        case = session.exec(select(ServiceCase).where(ServiceCase.number == pending)).one()
        ctx = Ctx(Actor("", "system", "system", "admin", "3299"), "3299", clock)
        advance(session, ctx, case.id, "start_review")
        advance(session, ctx, case.id, "approve", "ok")
    out = tmp_path / "new.pdf"
    res = runner.invoke(
        main,
        [
            "certificate",
            "issue",
            "--case",
            pending,
            "--field",
            "scope=热食类食品制售",
            "--out",
            str(out),
            "--store",
            demo_store.url,
        ],
    )
    assert res.exit_code == 0, res.output
    assert "SPJY.3299.2026.000002" in res.output
    res = runner.invoke(main, ["verify", str(out), "--store", demo_store.url])
    assert res.exit_code == 0, res.output


SIZE = (140, 44)


async def test_registry_screen_reprint_and_revoke(demo_store, settings, clock, monkeypatch):
    from textual.widgets import DataTable

    from hallterm.app import create_app
    from hallterm.screens.certificates import CertificatesScreen

    monkeypatch.setenv("HALLTERM_KEY_PASSPHRASE", DEMO_PASSPHRASE)
    number = _number(demo_store)
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "supervisor", "super1234")
        await settle(pilot, 6)
        await pilot.press("f11")
        await settle(pilot, 6)
        screen = app.screen
        assert isinstance(screen, CertificatesScreen)
        assert screen.query_one("#cert-table", DataTable).row_count == 1
        await pilot.press("p")
        await pilot.pause()
        await pilot.press(*"污损", "enter")
        await settle(pilot, 6)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"错误颁发", "enter")
        await settle(pilot, 6)
        assert screen.rows[0].revoked, screen.message
    with demo_store.read() as session:
        cert = session.get(Certificate, number)
        assert cert is not None and cert.copies == 2 and cert.revoke_reason == "错误颁发"


def test_keys_commands(demo_store, tmp_path, monkeypatch):
    from hallterm.db.services.certificates import KEY_FILE
    from hallterm.db.services.setup import get_info

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HALLTERM_KEY_PASSPHRASE", "s3cret-pass")
    runner = CliRunner()
    root, station = tmp_path / "root.p12", tmp_path / "st.p12"
    res = runner.invoke(main, ["keys", "init-root", "--out", str(root), "--name", "测试根"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(
        main,
        ["keys", "issue-station", "--root", str(root), "--station", "3299"]
        + ["--name", "江川市政务服务中心", "--out", str(station), "--days", "30"],
    )
    assert res.exit_code == 0, res.output
    monkeypatch.setenv("HALLTERM_KEY_PASSPHRASE", "wrong")
    res = runner.invoke(main, ["keys", "install", str(station), "--store", demo_store.url])
    assert res.exit_code == 1 and "口令" in res.output
    monkeypatch.setenv("HALLTERM_KEY_PASSPHRASE", "s3cret-pass")
    res = runner.invoke(main, ["keys", "install", str(station), "--store", demo_store.url])
    assert res.exit_code == 0, res.output
    with demo_store.read() as session:
        installed = Path(get_info(session, KEY_FILE) or "")
    assert installed.stat().st_mode & 0o777 == 0o600
    pem = tmp_path / "root.pem"
    res = runner.invoke(
        main, ["keys", "export-root", "--from-store", "--store", demo_store.url, "--out", str(pem)]
    )
    assert res.exit_code == 0, res.output
    assert pem.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    # The demo certificate was signed by the demo key: against the new root it is untrusted.
    number = _number(demo_store)
    out = tmp_path / "c.pdf"
    runner.invoke(
        main, ["certificate", "export", number, "--out", str(out), "--store", demo_store.url]
    )
    res = runner.invoke(main, ["verify", str(out), "--root", str(pem)])
    assert res.exit_code == 3, res.output
