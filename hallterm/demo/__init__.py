"""The demo: a station store with the demo catalog and one account per role, made once.

The store is marked as a demo (``store_info`` key ``demo``), so the login screen shows the
demo accounts and their passwords.  ``hallterm.demo.history`` (a package) simulates days of a hall's
work on it (``hallterm demo --history-days N``).
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlmodel import select

from hallterm.clock import Clock
from hallterm.db.engine import Store
from hallterm.db.models import CatalogVersion, Staff
from hallterm.db.services import SYSTEM, Ctx
from hallterm.db.services.catalog.io import import_catalog
from hallterm.db.services.papers import set_paper_settings
from hallterm.db.services.setup import init_store, set_info
from hallterm.db.services.staff import create_staff
from hallterm.domain.catalog import CatalogIn, parse_catalog

DEMO_MARK = "demo"  # store_info key: this store is a demo (the login screen shows the accounts)
DEMO_STATION = ("3299", "江川市政务服务中心", "city")
DEMO_ACCOUNTS = (
    # username, name, role, window, password
    ("clerk", "李晓梅", "clerk", "5", "clerk1234"),
    ("approver", "张志强", "approver", "", "approve1234"),
    ("supervisor", "王建国", "supervisor", "", "super1234"),
    ("admin", "陈静", "admin", "", "admin1234"),
)
# The demo central's own admin (the station's accounts do not act at central).
DEMO_CENTRAL_ADMIN = ("central-admin", "周敏", "central1234")


def demo_catalog() -> CatalogIn:
    text = (
        resources.files("hallterm.data").joinpath("demo_catalog.json").read_text(encoding="utf-8")
    )
    return parse_catalog(json.loads(text))


@dataclass(frozen=True)
class DemoCertificate:
    number: str
    root_pem: Path
    passphrase: str
    key_folder: Path


@dataclass(frozen=True)
class DemoInfo:
    folder: Path
    store_path: Path
    accounts: tuple[tuple[str, str, str, str, str], ...]
    created: bool
    central_path: Path | None = None  # a SQLite central store, so ``hallterm sync`` works
    certificate: DemoCertificate | None = None  # an issued certificate to export and verify

    @property
    def certificate_commands(self) -> list[str]:
        """Shell lines that export the demo certificate and verify it."""
        if self.certificate is None:
            return []
        pdf = self.folder / "certificate.pdf"
        return [
            f"hallterm certificate export {self.certificate.number} --out {pdf} "
            f"--store {self.store_path} --user clerk",
            f"hallterm verify {pdf} --store {self.store_path} --root {self.certificate.root_pem}",
        ]

    @property
    def serve_command(self) -> str:
        """The sync service of the demo central (run it in one terminal)."""
        central = shlex.quote(str(self.central_path))
        return f"hallterm central serve --central {central} --listen {DEMO_LISTEN}"

    @property
    def central_command(self) -> str:
        """An admin command at the demo central, as its admin (``DEMO_CENTRAL_ADMIN``)."""
        central = shlex.quote(str(self.central_path))
        return f"hallterm central conflicts --central {central} --user {DEMO_CENTRAL_ADMIN[0]}"

    @property
    def sync_command(self) -> str:
        """The demo station's sync through that service (run it in another terminal)."""
        return f"hallterm sync --store {shlex.quote(str(self.store_path))}"


# The demo hall's papers: the review body and court a refusal names, its supervision phone.
DEMO_PAPERS = {
    "review_body": "江川市人民政府",
    "court": "江川市人民法院",
    "complaint_phone": "0999-12345",
}


# The demo station's passphrase (its personal data is encrypted under it like any
# station's): printed by ``hallterm demo``; HALLTERM_STORE_PASSPHRASE, when set, is used
# instead.  The demo's people are fictional.
DEMO_STORE_PASSPHRASE = "jiangchuan-demo"


def demo_store_passphrase() -> str:
    from hallterm.db.privacy.keyring import ENV_PASSPHRASE

    return os.environ.get(ENV_PASSPHRASE) or DEMO_STORE_PASSPHRASE


def prepare_demo(folder: Path, clock: Clock | None = None) -> DemoInfo:
    """Create (once) the demo station store in ``folder``; later calls only check it."""
    folder.mkdir(parents=True, exist_ok=True)
    store_path = folder / "station.db"
    store = Store(str(store_path))
    store.keys.prompt = demo_store_passphrase
    code, name, level = DEMO_STATION
    ctx = Ctx(actor=SYSTEM, station_code=code, clock=clock or Clock())
    created = False
    try:
        init_store(store, ctx, code, name, level)
        with store.write() as session:
            set_info(session, DEMO_MARK, "1")
            if session.exec(select(CatalogVersion)).first() is None:
                import_catalog(session, ctx, demo_catalog())
                created = True
                set_paper_settings(
                    session,
                    ctx,
                    review_body=DEMO_PAPERS["review_body"],
                    court=DEMO_PAPERS["court"],
                    complaint_phone=DEMO_PAPERS["complaint_phone"],
                )
            existing = set(session.exec(select(Staff.username)))
            for username, person, role, window, password in DEMO_ACCOUNTS:
                if username not in existing:
                    create_staff(
                        session,
                        ctx,
                        username=username,
                        name=person,
                        role=role,
                        password=password,
                        station_code=code,
                        window=window,
                    )
        central_path = folder / "central.db"
        _prepare_central(central_path, store, ctx)
        _enrol_demo_station(central_path, store, ctx)
        certificate = _prepare_certificate(folder, store, ctx)
    finally:
        store.dispose()
    return DemoInfo(folder, store_path, DEMO_ACCOUNTS, created, central_path, certificate)


def _prepare_central(path: Path, station: Store, station_ctx: Ctx) -> None:
    """A central store with its own admin, knowing the demo station, its catalog and its
    accounts (made once)."""
    from hallterm.db.models import Station
    from hallterm.db.sync.central import (
        central_ctx,
        central_has_admin,
        first_admin,
        init_central,
        publish_catalog,
        publish_rows,
        register_station,
    )

    central = Store(str(path))
    try:
        init_central(central)
        ctx = central_ctx(station_ctx.clock)
        with central.write() as session:
            if not central_has_admin(session):
                first_admin(session, ctx, *DEMO_CENTRAL_ADMIN)
            if session.get(Station, DEMO_STATION[0]) is not None:
                return
            register_station(session, ctx, *DEMO_STATION)
            publish_catalog(session, ctx, demo_catalog())
            with station.read() as local:
                accounts = [Staff(**s.model_dump()) for s in local.exec(select(Staff))]
            session.add_all(accounts)
            publish_rows(session, accounts, station_code=DEMO_STATION[0], key="staff:demo")
    finally:
        central.dispose()


DEMO_LISTEN = "127.0.0.1:8765"  # the demo's sync service (loopback: plain HTTP is allowed)


def _enrol_demo_station(central_path: Path, station: Store, station_ctx: Ctx) -> None:
    """Give the demo station its credential at the demo central (once)."""
    from hallterm.db.sync.central import central_ctx, issue_credential
    from hallterm.db.sync.enrol import Enrolment, enrolled, install_enrolment
    from hallterm.db.sync.wire import ACCEPTS

    with station.read() as session:
        if enrolled(session):
            return
    from hallterm.db.sync.central.blind import province_blind_key, province_escrow_key
    from hallterm.db.sync.enrol import encode_key

    central = Store(str(central_path))
    try:
        with central.write() as session:
            token = issue_credential(session, central_ctx(station_ctx.clock), DEMO_STATION[0])
            blind = encode_key(province_blind_key(session, DEMO_PASSPHRASE))
            escrow = encode_key(province_escrow_key(session, DEMO_PASSPHRASE))
    finally:
        central.dispose()
    url = f"http://{DEMO_LISTEN}"
    install_enrolment(
        station,
        Enrolment(url, DEMO_STATION[0], token, blind_key=blind, escrow_key=escrow, accepts=ACCEPTS),
    )


# -- electronic certificates ----------------------------------------------------------

DEMO_PASSPHRASE = "demo-passphrase"  # printed by ``hallterm demo``; demo keys only
DEMO_CERT_MATTER = "11329900MB0002026E00001020060000"  # 食品经营许可证核发
DEMO_CERT_APPLICANT = ("33029919850312002", "赵丽华", "13905990001", "江川市南门街18号")
DEMO_CERT_FIELDS = {
    "address": "江川市南门街18号一楼",
    "scope": "预包装食品销售（含冷藏冷冻食品）；热食类食品制售",
    "format": "小餐饮",
    "supervisor": "江川市市场监督管理局南门市场监督管理所",
}


def _prepare_certificate(folder: Path, store: Store, ctx: Ctx) -> DemoCertificate:
    """Demo keys (root + station, installed) and one approved case with its certificate."""
    from hallterm.db.models import ServiceCase
    from hallterm.db.models_certificates import Certificate
    from hallterm.db.services.applicants import find_applicant, register_applicant
    from hallterm.db.services.cases import (
        LineInput,
        accept,
        advance,
        load_case,
        record_lines,
        start_case,
    )
    from hallterm.db.services.certificates import (
        KEY_FILE,
        install_key,
        issue_certificate,
        load_signer,
    )
    from hallterm.db.services.setup import get_info
    from hallterm.db.services.staff import actor_of
    from hallterm.domain.ids import resident_id_check_char
    from hallterm.printing.keys import issue_station, make_root, write_pem

    keys = folder / "keys"
    root_p12, station_p12, root_pem = keys / "root.p12", keys / "station.p12", keys / "root.pem"
    secret = DEMO_PASSPHRASE.encode()
    if not station_p12.exists():
        root = make_root("江川市电子证照根证书（演示）", root_p12, secret)
        issue_station(root, DEMO_STATION[0], DEMO_STATION[1], station_p12, secret)
        write_pem(root.cert, root_pem)
    with store.write() as session:
        if get_info(session, KEY_FILE) != str(keys / f"station-{DEMO_STATION[0]}.p12"):
            install_key(session, station_p12, keys, secret, ctx)
    with store.read() as session:
        issued = session.exec(select(Certificate.number)).first()
    if issued is not None:
        return DemoCertificate(issued, root_pem, DEMO_PASSPHRASE, keys)
    with store.read() as session:
        clerk = session.exec(select(Staff).where(Staff.username == "clerk")).one()
        cctx = Ctx(actor=actor_of(clerk), station_code=ctx.station_code, clock=ctx.clock)
        approver = session.exec(select(Staff).where(Staff.username == "approver")).one()
        actx = Ctx(actor=actor_of(approver), station_code=ctx.station_code, clock=ctx.clock)
    first17, name, phone, address = DEMO_CERT_APPLICANT
    id_number = first17 + resident_id_check_char(first17)
    with store.write() as session:
        found = find_applicant(session, cctx, "resident_id", id_number)
        applicant = found or register_applicant(
            session,
            cctx,
            id_type="resident_id",
            id_number=id_number,
            name=name,
            phone=phone,
            address=address,
        )
        case_id = start_case(
            session, cctx, applicant_id=applicant.id, matter_codes=[DEMO_CERT_MATTER]
        )
        today = cctx.clock.today()
        view = load_case(session, cctx, case_id, today)
        record_lines(
            session,
            cctx,
            case_id,
            [
                LineInput.in_full(lv.requirement)
                for lv in view.lines
                if lv.requirement.necessity != "optional"
            ],
        )
        accept(session, cctx, case_id)
        advance(session, cctx, case_id, "start_review")
        advance(session, actx, case_id, "approve", "符合条件，准予许可")
        assert session.get(ServiceCase, case_id) is not None
        signer = load_signer(session, secret)
        number, _pdf = issue_certificate(session, cctx, case_id, DEMO_CERT_FIELDS, signer)
    return DemoCertificate(number, root_pem, DEMO_PASSPHRASE, keys)


def demo_accounts_text() -> str:
    """The demo accounts as lines ``user name / password / role`` (login screen, CLI)."""
    from hallterm.domain.roles import role_label

    return "\n".join(
        f"{username:<11} {password:<12} {role_label(role)}"
        for username, _person, role, _window, password in DEMO_ACCOUNTS
    )
