"""The calendar at the desk (Pilot): a case due in an unknown year warns; after the year's
arrangement is imported the warning is gone, and the case list and the case's timeline show
the recomputed due date."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pilot_support import settle, sign_in
from sqlmodel import select
from textual.widgets import DataTable, Static

from hallterm.app import create_app
from hallterm.clock import FrozenClock
from hallterm.db.models import Matter, Staff
from hallterm.db.services import Ctx
from hallterm.db.services import cases as svc
from hallterm.db.services.applicants import register_applicant
from hallterm.db.services.calendar import import_arrangements
from hallterm.db.services.staff import actor_of
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.workdays import Arrangement
from hallterm.printing.output import Printer
from hallterm.screens.desk_cases import CaseDetailScreen, CaseListScreen

ARRANGEMENT_2027 = Arrangement(  # test data, not the real arrangement
    2027,
    frozenset({date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)}),
    frozenset(),
)


def accepted_case(store, clock) -> str:  # type: ignore[no-untyped-def]
    with store.read() as session:
        staff = session.exec(select(Staff).where(Staff.username == "clerk")).one()
        ctx = Ctx(actor=actor_of(staff), station_code=staff.station_code, clock=clock)
    first17 = "32010219800101077"
    with store.write() as session:
        code = session.exec(select(Matter.code).where(Matter.name == "居民身份证换领")).one()
        applicant = register_applicant(
            session,
            ctx,
            id_type="resident_id",
            id_number=first17 + resident_id_check_char(first17),
            name="周九",
        )
        case_id = svc.start_case(session, ctx, applicant_id=applicant.id, matter_codes=[code])
    with store.write() as session:
        view = svc.load_case(session, ctx, case_id, clock.today())
        lines = [svc.LineInput.in_full(lv.requirement) for lv in view.lines]
        svc.decide_in(session, ctx, case_id, "accept", lines)
    return case_id


def text_of(screen, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one(selector, Static).render())


async def open_detail(pilot, case_id: str) -> CaseDetailScreen:  # type: ignore[no-untyped-def]
    listing = pilot.app.screen
    assert isinstance(listing, CaseListScreen)
    keys = [r.id for r in listing.rows]
    table = listing.query_one("#cases-table", DataTable)
    while table.cursor_row < keys.index(case_id):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CaseDetailScreen)
    return pilot.app.screen


async def test_importing_the_year_moves_the_case_and_clears_the_warning(
    demo_store, settings, tmp_path
):
    clock = FrozenClock(datetime(2026, 12, 21, 10) - timedelta(hours=8))  # Monday in the hall
    case_id = accepted_case(demo_store, clock)
    app = create_app(demo_store, settings, clock=clock, printer=Printer(tmp_path / "pdf"))
    async with app.run_test(size=(140, 40)) as pilot:
        await sign_in(pilot)
        await pilot.press("f4")
        await settle(pilot)
        table = app.screen.query_one("#cases-table", DataTable)
        assert "2027-01-18" in " ".join(str(c) for c in table.get_row(case_id))
        detail = await open_detail(pilot, case_id)
        assert "⚠" in text_of(detail, "#detail-head") and "2027" in text_of(detail, "#detail-head")
        await pilot.press("escape")
        await settle(pilot)

        # The admin imports the 2027 arrangement (hallterm calendar import).
        with demo_store.write() as session:
            admin = session.exec(select(Staff).where(Staff.username == "admin")).one()
            admin_ctx = Ctx(actor=actor_of(admin), station_code=admin.station_code, clock=clock)
            import_arrangements(session, admin_ctx, [ARRANGEMENT_2027], "2027.json")
        await pilot.press("ctrl+r")
        await settle(pilot)
        table = app.screen.query_one("#cases-table", DataTable)
        assert "2027-01-19" in " ".join(str(c) for c in table.get_row(case_id))
        detail = await open_detail(pilot, case_id)
        head = text_of(detail, "#detail-head")
        assert "⚠" not in head and "2027" in head
        timeline = detail.query_one("#detail-timeline", DataTable)
        rows = [" ".join(str(c) for c in timeline.get_row_at(i)) for i in range(timeline.row_count)]
        assert any("办结期限已按新日历重新计算" in r and "2027-01-19" in r for r in rows), rows
