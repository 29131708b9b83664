"""The papers of stored cases: 文号 per kind, station and year made with the decision, the
decision date on every reprint, the station's settings, and each new paper, on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from hallterm.clock import FrozenClock
from hallterm.db.engine import Store
from hallterm.db.models import Event, Matter
from hallterm.db.models_papers import CasePaper
from hallterm.db.services import SYSTEM, Actor, Ctx, ServiceError
from hallterm.db.services import cases as svc
from hallterm.db.services.applicants import register_applicant
from hallterm.db.services.case_documents import print_documents
from hallterm.db.services.catalog.io import import_catalog
from hallterm.db.services.papers import paper_settings, set_paper_settings, stored_papers
from hallterm.db.services.setup import init_store
from hallterm.demo import demo_catalog
from hallterm.domain.ids import resident_id_check_char
from hallterm.printing.output import Printer

STATION = "3299"
RETIREMENT_MEDICAL = "职工基本医疗保险退休人员待遇核定"  # 5 working days


def hall_clock(day: date, hour: int = 10) -> FrozenClock:
    return FrozenClock(datetime(day.year, day.month, day.day, hour) - timedelta(hours=8))


@pytest.fixture
def clock() -> FrozenClock:
    return hall_clock(date(2026, 11, 27))


@pytest.fixture
def store(any_url: str, clock: FrozenClock) -> Iterator[Store]:
    s = Store(any_url)
    ctx = Ctx(actor=SYSTEM, station_code=STATION, clock=clock)
    init_store(s, ctx, STATION, "江川市政务服务中心", "city")
    with s.write() as session:
        import_catalog(session, ctx, demo_catalog())
    yield s
    s.dispose()


@pytest.fixture
def ctx(clock: FrozenClock) -> Ctx:
    actor = Actor(
        staff_id="", username="clerk", name="李晓梅", role="clerk", station_code=STATION, window="5"
    )
    return Ctx(actor=actor, station_code=STATION, clock=clock)


def admin(ctx: Ctx) -> Ctx:
    """The admin who keeps the station's paper settings."""
    return Ctx(actor=SYSTEM, station_code=ctx.station_code, clock=ctx.clock)


@pytest.fixture
def printer(tmp_path: Path) -> Printer:
    return Printer(tmp_path / "pdf")


def new_case(store: Store, ctx: Ctx, matter: str, n: int = 1) -> str:
    first17 = f"32010219800101{n:03d}"
    with store.write() as session:
        if not matter.isdigit() and len(matter) < 30:
            matter = session.exec(select(Matter.code).where(Matter.name == matter)).one()
        applicant = register_applicant(
            session,
            ctx,
            id_type="resident_id",
            id_number=first17 + resident_id_check_char(first17),
            name=f"张三{n}",
            address="江川市南门街18号",
        )
        return svc.start_case(session, ctx, applicant_id=applicant.id, matter_codes=[matter])


def full_lines(store: Store, ctx: Ctx, case_id: str) -> list[svc.LineInput]:
    with store.read() as session:
        view = svc.load_case(session, ctx, case_id, ctx.clock.today())
    return [
        svc.LineInput.in_full(lv.requirement)
        for lv in view.lines
        if lv.requirement.necessity != "optional"
    ]


def immediate_matter(store: Store) -> str:
    with store.read() as session:
        return session.exec(
            select(Matter.code).where(Matter.handling_type == "immediate").order_by(Matter.code)
        ).first()  # type: ignore[return-value]


def pdf_text(path: Path) -> str:
    return "".join(p.extract_text() for p in PdfReader(path).pages).replace("\n", "")


def test_accepting_numbers_the_receipt_in_the_same_transaction(
    store: Store, ctx: Ctx, printer: Printer
) -> None:
    first = new_case(store, ctx, RETIREMENT_MEDICAL, 1)
    decided = svc.decide(
        store, ctx, first, "accept", printer=printer, inputs=full_lines(store, ctx, first)
    )
    assert [p.kind for p in decided.printed] == ["receipt"]
    text = pdf_text(decided.printed[0].path)
    assert "江川政务受〔2026〕第1号" in text  # 机关代字 made from 江川市政务服务中心
    assert "张三1：" in text and "2026年11月27日" in text
    with store.read() as session:
        (paper,) = stored_papers(session, first).values()
        event = session.exec(
            select(Event).where(Event.entity_id == first, Event.kind == "case.papers_numbered")
        ).one()
        accepted = session.exec(
            select(Event).where(Event.entity_id == first, Event.kind == "case.accepted")
        ).one()
    assert paper.number == "江川政务受〔2026〕第1号"
    assert json.loads(event.payload)["rows"][0]["table"] == "case_paper"  # synced like a row
    assert event.at == accepted.at  # written with the decision

    second = new_case(store, ctx, RETIREMENT_MEDICAL, 2)
    d2 = svc.decide(
        store, ctx, second, "accept", printer=printer, inputs=full_lines(store, ctx, second)
    )
    assert "江川政务受〔2026〕第2号" in pdf_text(d2.printed[0].path)


def test_a_reprint_shows_the_original_number_and_decision_date(
    store: Store, ctx: Ctx, clock: FrozenClock, printer: Printer
) -> None:
    with store.write() as session:
        set_paper_settings(
            session,
            admin(ctx),
            doc_prefix="江川政务",
            review_body="江川市人民政府",
            court="江川市人民法院",
        )
    case_id = new_case(store, ctx, RETIREMENT_MEDICAL)
    svc.decide(store, ctx, case_id, "refuse", printer=printer, reason="不属于本机关职权范围")
    clock.advance(days=5)  # 2 December: the case is reprinted
    (reprint,) = print_documents(store, ctx, case_id, ["refusal"], printer)
    text = pdf_text(reprint.path)
    assert "江川政务不受〔2026〕第1号" in text
    assert "2026年11月27日" in text  # the decision's date ...
    assert text.count("2026年12月2日") == 1  # ... the print date only in the footer
    assert "六十日内向江川市人民政府申请行政复议" in text
    assert "六个月内依法向江川市人民法院提起行政诉讼" in text
    with store.read() as session:
        assert len(session.exec(select(CasePaper)).all()) == 1  # no second number


def test_one_time_notice_states_the_deadline(store: Store, ctx: Ctx, printer: Printer) -> None:
    with store.write() as session:
        set_paper_settings(session, admin(ctx), supply_days=10)
    case_id = new_case(store, ctx, RETIREMENT_MEDICAL)
    decided = svc.decide(store, ctx, case_id, "notify", printer=printer)
    text = pdf_text(decided.printed[0].path)
    assert "江川政务告〔2026〕第1号" in text
    # Friday 27 November + 10 working days = Friday 11 December
    assert "请于2026年12月11日前补正" in text


def test_immediate_matter_gets_a_completion_notice(
    store: Store, ctx: Ctx, printer: Printer
) -> None:
    case_id = new_case(store, ctx, immediate_matter(store))
    decided = svc.decide(
        store, ctx, case_id, "complete", printer=printer, inputs=full_lines(store, ctx, case_id)
    )
    kinds = [p.kind for p in decided.printed]
    assert "completion" in kinds and "receipt" not in kinds
    text = pdf_text(decided.printed[kinds.index("completion")].path)
    assert "办结通知书" in text and "江川政务结〔2026〕第1号" in text
    assert "0个工作日" not in text
    with store.read() as session:
        assert set(stored_papers(session, case_id)) == {"completion", "delivery"}


def test_suspension_notice_and_proof_of_delivery(
    store: Store, ctx: Ctx, clock: FrozenClock, printer: Printer
) -> None:
    case_id = new_case(store, ctx, RETIREMENT_MEDICAL)
    svc.decide(
        store, ctx, case_id, "accept", printer=printer, inputs=full_lines(store, ctx, case_id)
    )
    clock.advance(days=3)  # Monday 30 November
    with store.write() as session:
        svc.advance(session, ctx, case_id, "start_review")
        svc.advance(session, ctx, case_id, "suspend", "需要现场核查", resume_on=date(2026, 12, 14))
    (notice,) = print_documents(store, ctx, case_id, ["suspension"], printer)
    text = pdf_text(notice.path)
    assert "中止告知书" in text and "江川政务止〔2026〕第1号" in text
    assert "需要现场核查" in text and "2026年12月14日" in text and "2026年11月30日" in text
    clock.advance(days=4)  # Friday 4 December
    with store.write() as session:
        svc.advance(session, ctx, case_id, "resume")
        approver = Actor("", "approver", "张志强", "approver", STATION)
        svc.advance(session, Ctx(approver, STATION, clock), case_id, "approve")  # not the clerk
        svc.advance(session, ctx, case_id, "deliver", delivery=svc.Delivery("post", "SF1234567890"))
    (proof,) = print_documents(store, ctx, case_id, ["delivery"], printer)
    text = pdf_text(proof.path)
    assert "送达回证" in text and "江川政务送〔2026〕第1号" in text
    assert "邮寄" in text and "SF1234567890" in text and "江川市南门街18号" in text
    assert "2026年12月4日" in text


def test_numbers_restart_each_year_and_per_station(
    store: Store, ctx: Ctx, clock: FrozenClock, printer: Printer
) -> None:
    a = new_case(store, ctx, RETIREMENT_MEDICAL, 1)
    svc.decide(store, ctx, a, "notify", printer=printer)
    clock.advance(days=40)  # 6 January 2027
    b = new_case(store, ctx, RETIREMENT_MEDICAL, 2)
    svc.decide(store, ctx, b, "notify", printer=printer)
    with store.read() as session:
        assert stored_papers(session, a)["notice"].number == "江川政务告〔2026〕第1号"
        assert stored_papers(session, b)["notice"].number == "江川政务告〔2027〕第1号"


def test_bad_settings_are_refused_and_write_nothing(store: Store, ctx: Ctx) -> None:
    with store.write() as session:
        with pytest.raises(ServiceError, match="机关代字"):
            set_paper_settings(session, admin(ctx), doc_prefix="江川 政务")
        with pytest.raises(ServiceError, match="1至60"):
            set_paper_settings(session, admin(ctx), supply_days=0)
    with store.read() as session:
        assert paper_settings(session).doc_prefix == ""
        assert not session.exec(select(Event).where(Event.kind == "papers.settings")).all()
