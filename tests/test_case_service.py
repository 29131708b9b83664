"""Case services on SQLite and PostgreSQL: the state machine, due dates, numbering, reuse,
the audit of revealed IDs, and the printed papers built from a stored case."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import func, select

from hallterm.clock import Clock, FrozenClock
from hallterm.db.engine import Store
from hallterm.db.models import Event, Matter, ServiceCase
from hallterm.db.services import SYSTEM, Ctx, ServiceError
from hallterm.db.services import cases as svc
from hallterm.db.services.applicants import register_applicant, reveal_id, stored_materials
from hallterm.db.services.calendar import calendar_for, declare_year, set_override
from hallterm.db.services.case_documents import document_data, documents_for, print_documents
from hallterm.db.services.catalog.io import import_catalog
from hallterm.db.services.setup import init_store, upsert_station
from hallterm.db.services.staff import actor_of, create_staff
from hallterm.demo import demo_catalog
from hallterm.domain.case_states import TRANSITIONS, CaseAction, CaseStatus, status_label
from hallterm.domain.ids import resident_id_check_char
from hallterm.printing.output import Printer

STATION = "3299"
RETIREMENT_MEDICAL = "职工基本医疗保险退休人员待遇核定"  # 5 working days
PENSION = "企业职工基本养老保险待遇申领"  # 10 working days
ID_CARD_RENEWAL = "居民身份证换领"  # 20 working days
RELIEF = "临时救助申请"  # 10 working days, one deferrable item
BIRTH_BUNDLE = "YJS-XSECS"  # 新生儿出生一件事

# Tests read cases as an admin (reads of personal data are checked too).
ADMIN_READ = Ctx(actor=SYSTEM, station_code="3299", clock=Clock())


def hall_clock(day: date, hour: int = 10) -> FrozenClock:
    """A frozen clock at ``hour`` o'clock in the hall (UTC+8) on ``day``."""
    return FrozenClock(datetime(day.year, day.month, day.day, hour) - timedelta(hours=8))


@pytest.fixture
def store(any_url: str) -> Iterator[Store]:
    """A station store with the demo catalog and one clerk, on SQLite and PostgreSQL."""
    s = Store(any_url)
    ctx = Ctx(actor=SYSTEM, station_code=STATION, clock=hall_clock(date(2026, 11, 27)))
    init_store(s, ctx, STATION, "江川市政务服务中心", "city")
    with s.write() as session:
        import_catalog(session, ctx, demo_catalog())
        create_staff(
            session,
            ctx,
            username="clerk",
            name="李晓梅",
            role="clerk",
            password="clerk1234",
            station_code=STATION,
            window="5",
        )
    yield s
    s.dispose()


def clerk(store: Store, clock: FrozenClock, station: str = STATION) -> Ctx:
    from hallterm.db.models import Staff

    with store.read() as session:
        staff = session.exec(select(Staff).where(Staff.username == "clerk")).one()
        actor = actor_of(staff)
    return Ctx(actor=actor, station_code=station, clock=clock)


def approver_of(ctx: Ctx) -> Ctx:
    """An approver at the same station: 受理 and 审批 are separate duties."""
    return replace(ctx, actor=replace(ctx.actor, username="approver", role="approver"))


def matter_code(store: Store, name: str) -> str:
    with store.read() as session:
        return session.exec(select(Matter.code).where(Matter.name == name)).one()


def person(store: Store, ctx: Ctx, first17: str = "32010219800101123", name: str = "张三") -> str:
    with store.write() as session:
        return register_applicant(
            session,
            ctx,
            id_type="resident_id",
            id_number=first17 + resident_id_check_char(first17),
            name=name,
            phone="13812345678",
        ).id


def event_count(store: Store, kind: str | None = None) -> int:
    with store.read() as session:
        q = select(func.count()).select_from(Event)
        if kind:
            q = q.where(Event.kind == kind)
        return session.exec(q).one()


def start(store: Store, ctx: Ctx, applicant_id: str, matter: str) -> str:
    with store.write() as session:
        return svc.start_case(session, ctx, applicant_id=applicant_id, matter_codes=[matter])


def receive_all(store: Store, ctx: Ctx, case_id: str) -> None:
    """Every non-optional line received as an original."""
    with store.write() as session:
        view = svc.load_case(session, ADMIN_READ, case_id, ctx.clock.today())
        svc.record_lines(
            session,
            ctx,
            case_id,
            [
                svc.LineInput.in_full(lv.requirement)
                for lv in view.lines
                if lv.requirement.necessity != "optional"
            ],
        )


def accepted(store: Store, ctx: Ctx, applicant_id: str, matter: str) -> str:
    case_id = start(store, ctx, applicant_id, matter)
    receive_all(store, ctx, case_id)
    with store.write() as session:
        svc.accept(session, ctx, case_id)
    return case_id


def view_of(store: Store, case_id: str, today: date) -> svc.CaseView:
    with store.read() as session:
        return svc.load_case(session, ADMIN_READ, case_id, today)


def move(store: Store, ctx: Ctx, case_id: str, action: CaseAction, reason: str = "") -> None:
    """Any move through the service that owns it."""
    with store.write() as session:
        if action is CaseAction.accept:
            svc.accept(session, ctx, case_id)
        elif action is CaseAction.notify:
            svc.notify(session, ctx, case_id)
        elif action is CaseAction.refuse:
            svc.refuse(session, ctx, case_id, reason or "不属于本机关职权范围")
        else:
            svc.advance(session, ctx, case_id, action, reason or "理由")


# --------------------------------------------------------------------------- state machine

# How to bring a fresh case into each status (the moves after registration).
PATHS: dict[CaseStatus, tuple[CaseAction, ...]] = {
    CaseStatus.registered: (),
    CaseStatus.notified: (CaseAction.notify,),
    CaseStatus.refused: (CaseAction.refuse,),
    CaseStatus.accepted: (CaseAction.accept,),
    CaseStatus.in_review: (CaseAction.accept, CaseAction.start_review),
    CaseStatus.suspended: (CaseAction.accept, CaseAction.start_review, CaseAction.suspend),
    CaseStatus.approved: (CaseAction.accept, CaseAction.start_review, CaseAction.approve),
    CaseStatus.denied: (CaseAction.accept, CaseAction.start_review, CaseAction.deny),
    CaseStatus.delivered: (
        CaseAction.accept,
        CaseAction.start_review,
        CaseAction.approve,
        CaseAction.deliver,
    ),
    CaseStatus.withdrawn: (CaseAction.withdraw,),
}


def test_every_illegal_move_is_refused_and_writes_nothing(store: Store) -> None:
    ctx = clerk(store, hall_clock(date(2026, 11, 27)))
    # 受理 and 审批 apart: an approver decides what the clerk accepted.
    approver = replace(ctx, actor=replace(ctx.actor, username="approver", role="approver"))

    def as_who(action: CaseAction) -> Ctx:
        return approver if action in (CaseAction.approve, CaseAction.deny) else ctx

    applicant = person(store, ctx)
    matter = matter_code(store, PENSION)
    refused = 0
    for status, path in PATHS.items():
        case_id = start(store, ctx, applicant, matter)
        if CaseAction.accept in path:
            receive_all(store, ctx, case_id)
        for action in path:
            move(store, as_who(action), case_id, action)
        assert view_of(store, case_id, ctx.clock.today()).status == status
        for action in CaseAction:
            if (status, action) in TRANSITIONS:
                continue
            before = event_count(store)
            with store.read() as session:
                version = session.get(ServiceCase, case_id).version
            with pytest.raises(ServiceError) as info:
                move(store, as_who(action), case_id, action)
            message = str(info.value)
            assert message, (status, action)
            if action not in (CaseAction.accept, CaseAction.notify):
                # the state machine's own words, naming the status the case is in
                assert status_label(status) in message, (status, action, message)
            assert event_count(store) == before, (status, action)
            with store.read() as session:
                row = session.get(ServiceCase, case_id)
                assert (row.status, row.version) == (status.value, version)
            refused += 1
    assert refused > 60  # most of the 10 × 10 pairs are illegal


def test_moves_need_reasons_and_the_owning_station(store: Store) -> None:
    ctx = clerk(store, hall_clock(date(2026, 11, 27)))
    applicant = person(store, ctx)
    case_id = accepted(store, ctx, applicant, matter_code(store, PENSION))
    move(store, ctx, case_id, CaseAction.start_review)
    before = event_count(store)
    for action in (CaseAction.suspend, CaseAction.deny, CaseAction.withdraw):
        who = approver_of(ctx) if action is CaseAction.deny else ctx
        with pytest.raises(ServiceError, match="理由"), store.write() as session:
            svc.advance(session, who, case_id, action, "  ")
    with store.write() as session:
        upsert_station(session, ctx, "3300", "江川市城东街道便民服务中心", "township", STATION)
    other = clerk(store, ctx.clock, station="3300")
    with pytest.raises(ServiceError, match="3299"), store.write() as session:
        svc.advance(session, approver_of(other), case_id, CaseAction.approve)
    assert event_count(store) == before + 1  # only the station row above
    assert view_of(store, case_id, ctx.clock.today()).status == "in_review"


def test_accept_needs_a_complete_checklist_and_notify_an_incomplete_one(store: Store) -> None:
    ctx = clerk(store, hall_clock(date(2026, 11, 27)))
    applicant = person(store, ctx)
    case_id = start(store, ctx, applicant, matter_code(store, PENSION))
    with pytest.raises(ServiceError, match="职工人事档案"), store.write() as session:
        svc.accept(session, ctx, case_id)
    receive_all(store, ctx, case_id)
    with pytest.raises(ServiceError), store.write() as session:
        svc.notify(session, ctx, case_id)
    with store.write() as session:
        svc.accept(session, ctx, case_id)
    # once accepted the checklist is closed
    with pytest.raises(ServiceError), store.write() as session:
        svc.record_lines(session, ctx, case_id, [svc.LineInput("M-SFZ", "missing")])


# --------------------------------------------------------------------------- working days


def test_accept_counts_working_days_over_the_national_day(store: Store) -> None:
    ctx = clerk(store, hall_clock(date(2025, 9, 30)))
    applicant = person(store, ctx)
    case_id = accepted(store, ctx, applicant, matter_code(store, RETIREMENT_MEDICAL))
    view = view_of(store, case_id, date(2025, 9, 30))
    # 1–8 October are holidays, Saturday 11 October is a make-up working day
    assert (view.limit_days, view.due_date) == (5, date(2025, 10, 14))
    assert not view.calendar_needs_update
    assert view.days_left == 5 and view.light == "green"
    assert view_of(store, case_id, date(2025, 10, 13)).light == "yellow"
    assert view_of(store, case_id, date(2025, 10, 15)).light == "red"


def test_due_date_across_the_year_end_with_and_without_override(store: Store) -> None:
    ctx = clerk(store, hall_clock(date(2026, 12, 28)))
    applicant = person(store, ctx)
    pension = matter_code(store, PENSION)
    first = accepted(store, ctx, applicant, pension)
    view = view_of(store, first, date(2026, 12, 28))
    assert view.due_date == date(2027, 1, 11)  # 2027 unknown: Monday to Friday
    assert view.calendar_needs_update
    with store.write() as session:
        set_override(session, replace(ctx, actor=SYSTEM), date(2027, 1, 1), False, "元旦")
        declare_year(session, replace(ctx, actor=SYSTEM), 2027)
    second = accepted(store, ctx, applicant, pension)
    view = view_of(store, second, date(2026, 12, 28))
    assert view.due_date == date(2027, 1, 12)  # New Year's Day is a holiday now
    assert not view.calendar_needs_update


def test_a_suspension_moves_the_due_date(store: Store) -> None:
    clock = hall_clock(date(2026, 11, 27))
    ctx = clerk(store, clock)
    applicant = person(store, ctx)
    case_id = accepted(store, ctx, applicant, matter_code(store, ID_CARD_RENEWAL))
    due = view_of(store, case_id, clock.today()).due_date
    assert due == date(2026, 12, 25)
    move(store, ctx, case_id, CaseAction.start_review)
    clock.advance(days=3)  # Monday 30 November
    move(store, ctx, case_id, CaseAction.suspend, "专家评审")
    clock.advance(days=2)  # Wednesday: still suspended, the due date moves with the clock
    waiting = view_of(store, case_id, clock.today())
    assert waiting.suspended_since == date(2026, 11, 30)
    assert waiting.days_left == view_of(store, case_id, date(2026, 11, 30)).days_left
    clock.advance(days=2)  # Friday 4 December: resume
    move(store, ctx, case_id, CaseAction.resume)
    view = view_of(store, case_id, clock.today())
    assert view.status == "in_review" and view.suspended_since is None
    # 1–4 December (four working days) did not count
    with store.read() as session:
        cal = calendar_for(session)
    assert cal.working_days_between(due, view.due_date) == 4
    assert view.due_date == date(2026, 12, 31)
    with store.read() as session:
        kinds = [e.kind for e in svc.timeline(session, ADMIN_READ, case_id)]
    assert kinds[-3:] == ["case.in_review", "case.suspended", "case.resumed"]


# --------------------------------------------------------------------------- numbering


def test_case_numbers_are_sequential_per_station_and_day(store: Store) -> None:
    clock = hall_clock(date(2026, 11, 27))
    ctx = clerk(store, clock)
    applicant = person(store, ctx)
    matter = matter_code(store, PENSION)
    numbers = [
        view_of(store, start(store, ctx, applicant, matter), clock.today()).number for _ in range(3)
    ]
    assert numbers == [f"3299-20261127-000{i}" for i in (1, 2, 3)]
    clock.advance(days=1)
    assert view_of(store, start(store, ctx, applicant, matter), clock.today()).number == (
        "3299-20261128-0001"
    )
    with store.write() as session:
        upsert_station(session, ctx, "3300", "江川市城东街道便民服务中心", "township", STATION)
    other = clerk(store, clock, station="3300")
    case_id = start(store, other, applicant, matter)
    assert view_of(store, case_id, clock.today()).number == "3300-20261128-0001"
    with store.read() as session:
        all_numbers = list(session.exec(select(ServiceCase.number)))
    assert len(all_numbers) == len(set(all_numbers)) == 5


# --------------------------------------------------------------------------- reuse and audit


def test_stored_materials_are_offered_for_reuse_in_a_later_case(store: Store) -> None:
    clock = hall_clock(date(2026, 11, 27))
    ctx = clerk(store, clock)
    applicant = person(store, ctx)
    accepted(store, ctx, applicant, matter_code(store, PENSION))
    with store.read() as session:
        on_file = stored_materials(session, ctx, applicant, clock.today())
    # the ID card (365 days) is kept; documents without a validity are not
    assert [s.type_code for s in on_file] == ["M-SFZ"]
    later = start(store, ctx, applicant, matter_code(store, RETIREMENT_MEDICAL))
    lines = {lv.requirement.type_code: lv for lv in view_of(store, later, clock.today()).lines}
    assert lines["M-SFZ"].state == "reused" and lines["M-SFZ"].reused_from == on_file[0].id
    assert lines["M-TXSPB"].state == "pending"
    # a stored document can only stand for its own material type
    with pytest.raises(ServiceError), store.write() as session:
        svc.record_lines(
            session, ctx, later, [svc.LineInput("M-TXSPB", "reused", reused_from=on_file[0].id)]
        )
    # a year later the copy has expired: nothing is offered
    clock.advance(days=366)
    expired = start(store, ctx, applicant, matter_code(store, RETIREMENT_MEDICAL))
    assert all(lv.state == "pending" for lv in view_of(store, expired, clock.today()).lines)


def test_reveal_id_writes_an_audit_event(store: Store) -> None:
    ctx = clerk(store, hall_clock(date(2026, 11, 27)))
    applicant = person(store, ctx)
    before = event_count(store, "applicant.id_revealed")
    with store.write() as session:
        number = reveal_id(session, ctx, applicant, "verify_identity")
    assert number == "32010219800101123" + resident_id_check_char("32010219800101123")
    assert event_count(store, "applicant.id_revealed") == before + 1
    with store.read() as session:
        event = session.exec(select(Event).where(Event.kind == "applicant.id_revealed")).one()
    assert event.entity_id == applicant and event.actor == "clerk"
    assert number not in event.payload  # the audit trail does not copy the number


# --------------------------------------------------------------------------- list and papers


def test_list_cases_carries_days_left_and_light(store: Store) -> None:
    clock = hall_clock(date(2026, 11, 27))
    ctx = clerk(store, clock)
    applicant = person(store, ctx)
    running = accepted(store, ctx, applicant, matter_code(store, RETIREMENT_MEDICAL))
    waiting = start(store, ctx, applicant, matter_code(store, PENSION))
    with store.read() as session:
        rows = {r.id: r for r in svc.list_cases(session, ADMIN_READ, today=date(2026, 12, 3))}
        plain = {r.id: r for r in svc.list_cases(session, ADMIN_READ, statuses=["registered"])}
    assert rows[running].due_date == date(2026, 12, 4)
    assert (rows[running].days_left, rows[running].light) == (1, "yellow")
    assert rows[waiting].days_left is None and rows[waiting].light is None
    assert list(plain) == [waiting]


def test_notice_and_receipt_from_a_stored_bundle_case(store: Store, tmp_path: Path) -> None:
    clock = hall_clock(date(2026, 11, 27))
    ctx = clerk(store, clock)
    applicant = person(store, ctx, "32010219900215004", "李四")
    with store.write() as session:
        case_id = svc.start_case(session, ctx, applicant_id=applicant, bundle_code=BIRTH_BUNDLE)
        svc.record_lines(
            session,
            ctx,
            case_id,
            [
                svc.LineInput("M-SFZ", "received", "original", 1),
                svc.LineInput("M-CSYXZM", "missing", note="未带原件"),
            ],
        )
        svc.notify(session, ctx, case_id)
    with store.read() as session:
        document, issuer = document_data(session, ctx, case_id)
    missing = {m.name: m for m in document.missing}
    assert missing["出生医学证明"].reason == "未带原件"
    assert "《出生医学证明》首次签发登记表" in missing  # never looked at: also missing
    assert "授权委托书" not in missing  # optional items never block
    assert [r.name for r in document.received] == ["居民身份证"]
    assert issuer.station_name == "江川市政务服务中心" and issuer.clerk_name == "李晓梅"
    view = view_of(store, case_id, clock.today())
    assert documents_for(view) == ("notice",)
    before = event_count(store, "case.printed")
    printer = Printer(tmp_path / "pdf")
    [printed] = print_documents(store, ctx, case_id, ["notice"], printer)
    text = "\n".join(p.extract_text() for p in PdfReader(printed.path).pages)
    assert view.number in text and "出生医学证明" in text and "未带原件" in text
    assert event_count(store, "case.printed") == before + 1


# --------------------------------------------------------------------------- issue 13


def test_original_and_copy_are_both_needed(store: Store) -> None:
    ctx = clerk(store, hall_clock(date(2026, 11, 27)))
    applicant = person(store, ctx)
    case_id = start(store, ctx, applicant, matter_code(store, "最低生活保障申请"))
    view = view_of(store, case_id, ctx.clock.today())
    inputs = [
        svc.LineInput.in_full(lv.requirement)
        for lv in view.lines
        if lv.requirement.necessity != "optional" and lv.requirement.type_code != "M-HKB"
    ]
    # 户口簿: 原件1份 + 复印件1份; a copy alone is not enough
    with store.write() as session:
        svc.record_lines(
            session, ctx, case_id, [*inputs, svc.LineInput("M-HKB", "received", "copy", 1)]
        )
    line = {lv.requirement.type_code: lv for lv in view_of(store, case_id, ctx.clock.today()).lines}
    assert (line["M-HKB"].originals, line["M-HKB"].copies) == (0, 1)
    with pytest.raises(ServiceError, match="户口簿"), store.write() as session:
        svc.accept(session, ctx, case_id)
    with store.write() as session:
        svc.record_lines(
            session, ctx, case_id, [svc.LineInput("M-HKB", "received", "copy", 1, originals=1)]
        )
        svc.accept(session, ctx, case_id)
    line = {lv.requirement.type_code: lv for lv in view_of(store, case_id, ctx.clock.today()).lines}
    assert (line["M-HKB"].originals, line["M-HKB"].copies) == (1, 1)
    with store.read() as session:
        document, _issuer = document_data(session, ctx, case_id)
    rows = [(r.received_as, r.count) for r in document.received if r.name == "户口簿"]
    assert rows == [("原件", 1), ("复印件", 1)]  # the receipt lists both forms


def test_reuse_honours_the_requirements_validity(store: Store) -> None:
    from hallterm.db.models import MaterialRequirement

    clock = hall_clock(date(2026, 8, 28))
    ctx = clerk(store, clock)
    applicant = person(store, ctx)
    accepted(store, ctx, applicant, matter_code(store, "居民身份证换领"))  # keeps 户口簿 180 days
    clock.advance(days=91)
    later = matter_code(store, "户口迁移（市内迁入）")
    with store.write() as session:
        row = session.exec(
            select(MaterialRequirement).where(
                MaterialRequirement.matter_code == later, MaterialRequirement.type_code == "M-HKB"
            )
        ).one()
        row.valid_days = 30  # this matter wants a 户口簿 seen in the last 30 days
        session.add(row)
    case_id = start(store, ctx, applicant, later)
    lines = {lv.requirement.type_code: lv for lv in view_of(store, case_id, clock.today()).lines}
    assert lines["M-HKB"].state == "pending"  # 91 days old: not offered
    with store.read() as session:
        on_file = [
            s
            for s in stored_materials(session, ctx, applicant, clock.today())
            if s.type_code == "M-HKB"
        ]
    assert on_file  # still valid in itself (180 days)
    with pytest.raises(ServiceError, match="户口簿"), store.write() as session:
        svc.record_lines(
            session, ctx, case_id, [svc.LineInput("M-HKB", "reused", reused_from=on_file[0].id)]
        )


def _deferred_relief_case(store: Store, ctx: Ctx) -> str:
    applicant = person(store, ctx)
    case_id = start(store, ctx, applicant, matter_code(store, RELIEF))
    view = view_of(store, case_id, ctx.clock.today())
    inputs = [
        svc.LineInput.in_full(lv.requirement)
        for lv in view.lines
        if lv.requirement.necessity == "required"
    ]
    inputs.append(svc.LineInput("M-BLZM", "deferred", deferred_until=date(2026, 12, 4)))
    with store.write() as session:
        svc.record_lines(session, ctx, case_id, inputs)
        svc.accept(session, ctx, case_id)
    return case_id


def test_deferral_blocks_approval_until_it_arrives(store: Store, tmp_path: Path) -> None:
    clock = hall_clock(date(2026, 11, 27))
    ctx = clerk(store, clock)
    case_id = _deferred_relief_case(store, ctx)
    move(store, ctx, case_id, CaseAction.start_review)
    before = event_count(store)
    with pytest.raises(ServiceError, match="病历及诊断证明"):
        move(store, approver_of(ctx), case_id, CaseAction.approve)
    assert event_count(store) == before
    # listed: yellow two working days before the promise, red after it
    with store.read() as session:
        assert svc.outstanding(session, case_id) == ["病历及诊断证明"]
        row = next(
            r
            for r in svc.list_cases(session, ADMIN_READ, today=date(2026, 12, 2))
            if r.id == case_id
        )
        assert (row.deferral_due, row.deferral_light, row.urgency) == (
            date(2026, 12, 4),
            "yellow",
            "yellow",
        )
        alerts = svc.deferral_alerts(session, date(2026, 12, 7))
    assert [(a.case_number, a.material, a.light) for a in alerts] == [
        (view_of(store, case_id, clock.today()).number, "病历及诊断证明", "red")
    ]
    # and the supervisor's dashboard lists it, red, with the case number
    from hallterm.db.services.efficiency import dashboard as dashboard_of

    with store.read() as session:
        board = dashboard_of(
            session,
            station_code=None,
            now=hall_clock(date(2026, 12, 7)).now(),
            today=date(2026, 12, 7),
        )
    (section,) = [x for x in board.extra if "容缺" in x.title]
    number = view_of(store, case_id, clock.today()).number
    assert [(r[0], r[2]) for r in section.rows] == [(number, "病历及诊断证明")]
    assert section.row_lights == ("red",)
    # it arrives (in review): an event and a receipt listing it as received
    clock.advance(days=3)
    result = svc.hand_in(store, ctx, case_id, "M-BLZM", printer=Printer(tmp_path))
    assert result.print_error is None and [p.kind for p in result.printed] == ["receipt"]
    assert event_count(store, "case.deferred_arrived") == 1
    line = next(lv for lv in result.view.lines if lv.requirement.type_code == "M-BLZM")
    assert (line.state, line.arrived_on, line.deferred_until) == (
        "received",
        date(2026, 11, 30),
        date(2026, 12, 4),
    )
    text = "".join(page.extract_text() for page in PdfReader(result.printed[0].path).pages)
    assert "病历及诊断证明" in text
    with pytest.raises(ServiceError), store.write() as session:
        svc.record_arrival(session, ctx, case_id, "M-BLZM")  # only once
    move(store, approver_of(ctx), case_id, CaseAction.approve)
    assert view_of(store, case_id, clock.today()).status == "approved"


def test_a_matter_may_allow_approval_with_a_deferral(store: Store) -> None:
    ctx = clerk(store, hall_clock(date(2026, 11, 27)))
    with store.write() as session:
        matter = session.get(Matter, matter_code(store, RELIEF))
        matter.approve_with_deferral = True
        session.add(matter)
    case_id = _deferred_relief_case(store, ctx)
    move(store, approver_of(ctx), case_id, CaseAction.approve)
    assert view_of(store, case_id, ctx.clock.today()).status == "approved"


def test_no_withdrawal_after_approval_and_unknown_moves(store: Store) -> None:
    ctx = clerk(store, hall_clock(date(2026, 11, 27)))
    case_id = accepted(store, ctx, person(store, ctx), matter_code(store, PENSION))
    move(store, approver_of(ctx), case_id, CaseAction.approve)
    completed = view_of(store, case_id, ctx.clock.today()).completed_at
    with pytest.raises(ServiceError, match="撤回"):
        move(store, ctx, case_id, CaseAction.withdraw)
    with pytest.raises(ServiceError, match="未知的办件操作“explode”"), store.write() as session:
        svc.advance(session, ctx, case_id, "explode")
    view = view_of(store, case_id, ctx.clock.today())
    assert view.status == "approved" and view.completed_at == completed


def test_case_list_by_urgency(store: Store) -> None:
    clock = hall_clock(date(2026, 11, 27))
    ctx = clerk(store, clock)
    applicant = person(store, ctx)
    slow = accepted(store, ctx, applicant, matter_code(store, ID_CARD_RENEWAL))  # 20 days
    fast = accepted(store, ctx, applicant, matter_code(store, RETIREMENT_MEDICAL))  # 5 days
    waiting = start(store, ctx, applicant, matter_code(store, PENSION))
    mid = accepted(store, ctx, applicant, matter_code(store, PENSION))  # 10 days
    with store.read() as session:
        rows = svc.list_cases(session, ADMIN_READ, today=date(2026, 12, 3), by_urgency=True)
    assert [r.id for r in rows] == [fast, mid, slow, waiting]
    assert rows[0].light == "yellow"
    with store.read() as session:
        rows = svc.list_cases(session, ADMIN_READ, today=date(2026, 12, 7), by_urgency=True)
    assert rows[0].id == fast and rows[0].light == "red"


def test_agent_delivery_and_suspension_are_recorded(store: Store) -> None:
    from hallterm.db.models import CaseSuspension
    from hallterm.domain.ids import uscc_check_char

    clock = hall_clock(date(2026, 11, 27))
    ctx = clerk(store, clock)
    code = "91329900MA1234567"
    with store.write() as session:
        company = register_applicant(
            session,
            ctx,
            id_type="uscc",
            id_number=code + uscc_check_char(code),
            name="江川味道餐饮有限公司",
            legal_rep="赵六",
        ).id
    matter = matter_code(store, "食品经营许可证核发")  # for persons and entities
    with pytest.raises(ServiceError, match="经办人"), store.write() as session:
        svc.start_case(session, ctx, applicant_id=company, matter_codes=[matter])
    agent_id = "32010219800101123" + resident_id_check_char("32010219800101123")
    with pytest.raises(ServiceError, match="经办人"), store.write() as session:
        svc.start_case(
            session,
            ctx,
            applicant_id=company,
            matter_codes=[matter],
            agent=svc.AgentInput(
                "王五",
                "resident_id",
                agent_id[:-1] + "0" if agent_id[-1] != "0" else agent_id[:-1] + "1",
            ),
        )
    with store.write() as session:
        case_id = svc.start_case(
            session,
            ctx,
            applicant_id=company,
            matter_codes=[matter],
            agent=svc.AgentInput("王五", "resident_id", agent_id, "0599-8610-2201"),
        )
    receive_all(store, ctx, case_id)
    move(store, ctx, case_id, CaseAction.accept)
    view = view_of(store, case_id, clock.today())
    assert (view.agent_name, view.agent_id_type, view.agent_phone) == (
        "王五",
        "resident_id",
        "0599-86102201",
    )
    assert view.agent_id_masked == agent_id[:6] + "********" + agent_id[-4:]
    move(store, ctx, case_id, CaseAction.start_review)
    with pytest.raises(ServiceError, match="预计恢复日期"), store.write() as session:
        svc.advance(session, ctx, case_id, "suspend", "专家评审", resume_on=clock.today())
    with store.write() as session:
        svc.advance(session, ctx, case_id, "suspend", "专家评审", resume_on=date(2026, 12, 10))
    view = view_of(store, case_id, clock.today())
    assert (view.suspension_reason, view.expected_resume_on) == ("专家评审", date(2026, 12, 10))
    with store.read() as session:
        assert session.exec(select(CaseSuspension)).one().expected_resume_on == date(2026, 12, 10)
    move(store, ctx, case_id, CaseAction.resume)
    move(store, approver_of(ctx), case_id, CaseAction.approve)
    with pytest.raises(ServiceError, match="邮件单号"), store.write() as session:
        svc.advance(session, ctx, case_id, "deliver", delivery=svc.Delivery("post"))
    with pytest.raises(ServiceError, match="送达方式"), store.write() as session:
        svc.advance(session, ctx, case_id, "deliver", delivery=svc.Delivery("pigeon"))
    with store.write() as session:
        svc.advance(session, ctx, case_id, "deliver", delivery=svc.Delivery("post", "SF1234567890"))
    view = view_of(store, case_id, clock.today())
    assert (view.status, view.delivery_method, view.delivery_reference) == (
        "delivered",
        "post",
        "SF1234567890",
    )
    assert svc.delivery_label(view.delivery_method) == "邮寄"
    with store.read() as session:
        last = svc.timeline(session, ADMIN_READ, case_id)[-1]
    assert last.kind == "case.delivered" and last.details["tracking"] == "SF1234567890"


def test_recalled_applicant_cases(store: Store) -> None:
    clock = hall_clock(date(2026, 11, 27))
    ctx = clerk(store, clock)
    applicant = person(store, ctx)
    done = []
    for _ in range(6):
        case_id = accepted(store, ctx, applicant, matter_code(store, PENSION))
        move(store, approver_of(ctx), case_id, CaseAction.approve)
        move(store, ctx, case_id, CaseAction.deliver)
        done.append(case_id)
        clock.advance(minutes=5)
    waiting = start(store, ctx, applicant, matter_code(store, RETIREMENT_MEDICAL))
    clock.advance(minutes=5)
    running = accepted(store, ctx, applicant, matter_code(store, RETIREMENT_MEDICAL))
    with store.read() as session:
        cases = svc.applicant_cases(session, ADMIN_READ, applicant, date(2026, 12, 3))
    assert [r.id for r in cases.open] == [running, waiting]  # urgency first
    assert [r.id for r in cases.recent] == [running, waiting, *reversed(done[-3:])]


def test_an_entity_only_matter_is_not_offered_to_a_person(store: Store) -> None:
    ctx = clerk(store, hall_clock(date(2026, 11, 27)))
    applicant = person(store, ctx)
    with store.read() as session:
        entity_only = session.exec(select(Matter).where(Matter.audience == "entity")).first()
    assert entity_only is not None
    before = event_count(store)
    with pytest.raises(ServiceError, match="仅面向法人"), store.write() as session:
        svc.start_case(session, ctx, applicant_id=applicant, matter_codes=[entity_only.code])
    assert event_count(store) == before
