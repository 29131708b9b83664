"""The audit trail as people read it: kinds in words, records by number or name, the full
detail of an event on Enter (ID numbers masked), the focus in the table."""

from __future__ import annotations

from pilot_support import settle
from pilot_support import sign_in as pilot_sign_in
from sqlmodel import select
from textual.widgets import DataTable, Static

from hallterm.app import create_app
from hallterm.db.models import Event, Staff
from hallterm.db.services import SYSTEM, Ctx
from hallterm.db.services import queue as q
from hallterm.db.services.audit import search_events
from hallterm.db.services.audit_view import KINDS, entity_labels, event_detail, kind_label
from hallterm.db.services.staff import actor_of
from hallterm.i18n import _, set_language
from hallterm.screens.audit import AuditScreen, EventDetailScreen

SIZE = (140, 40)
ID = "11010519491231002X"


def _clerk(store, clock) -> Ctx:
    with store.read() as session:
        staff = session.exec(select(Staff).where(Staff.username == "clerk")).one()
        return Ctx(actor=actor_of(staff), station_code="3299", clock=clock)


def test_every_kind_written_has_words_in_both_languages():
    try:
        set_language("en")
        assert kind_label("ticket.called") == "ticket called"
        set_language("zh_CN")
        assert kind_label("ticket.called") == "叫号"
        assert all(kind_label(k) != k for k in KINDS)
        assert kind_label("something.new") == "something.new"
    finally:
        set_language("zh_CN")


def test_records_by_number_and_detail_masks_ids(demo_store, clock):
    ctx = _clerk(demo_store, clock)
    with demo_store.write() as session:
        code = q.categories(session)[0].code
        t = q.issue_ticket(session, ctx, code, id_number=ID)
        q.set_window(session, ctx, "5", status="open")
    with demo_store.read() as session:
        auditor = Ctx(actor=SYSTEM, station_code="3299", clock=clock)
        rows = search_events(session, auditor, kind="ticket.issued")
        assert [(r.kind_label, r.entity_label) for r in rows] == [("取号", t.number)]
        (window,) = search_events(session, auditor, kind="window.set")
        assert window.entity_label == _("window {window}").format(window="5")
        staff = session.exec(select(Staff).where(Staff.username == "clerk")).one()
        labels = entity_labels(session, [("staff", staff.id), ("case", "not-a-uuid")])
        assert labels[("staff", staff.id)] == f"{staff.name} (clerk)"
        assert labels[("case", "not-a-uuid")] == "not-a-uuid"
        ev = session.exec(select(Event).where(Event.kind == "ticket.issued")).one()
        detail = event_detail(session, ev.id)
    assert detail is not None and detail.entity_label == t.number
    assert dict(detail.fields)["number"] == t.number
    assert "ticket" in detail.tables
    assert ID not in repr(detail)  # the ID typed at the kiosk never shows in clear


async def test_audit_screen_focus_in_table_and_detail_on_enter(demo_store, settings, clock):
    ctx = _clerk(demo_store, clock)
    with demo_store.write() as session:
        code = q.categories(session)[0].code
        t = q.issue_ticket(session, ctx, code)
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot_sign_in(pilot, "supervisor", "super1234")
        await pilot.press("f12")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        table = screen.query_one("#audit-table", DataTable)
        assert app.focused is table  # no five Tabs to reach it
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        issued = next(r for r in rows if r[4] == "取号")
        assert issued[5] == f"号票 {t.number}"
        index = rows.index(issued)
        await pilot.press(*["down"] * index)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EventDetailScreen)
        text = str(app.screen.query_one("#audit-detail", Static).render())
        assert "取号 (ticket.issued)" in text and t.number in text
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and app.focused is table
        await pilot.press("ctrl+f", *"nobody", "enter")
        await settle(pilot)
        assert table.row_count == 0 and app.focused is table
