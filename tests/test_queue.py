"""The queue services: order of a line, no-show, transfer, windows, events; 好差评 and its
rectification."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import select

from hallterm.db.events import verify_chain
from hallterm.db.models import Event, Staff
from hallterm.db.models_queue import Evaluation, Rectification, Ticket
from hallterm.db.services import Ctx, ServiceError, ratings, rectification
from hallterm.db.services import queue as q
from hallterm.db.services.calendar import calendar_for
from hallterm.db.services.staff import actor_of
from hallterm.domain.ids import resident_id_check_char

ID = "11010519491231002X"


def clerk_ctx(store, clock, username: str = "clerk", window: str | None = None) -> Ctx:
    with store.read() as session:
        staff = session.exec(select(Staff).where(Staff.username == username)).one()
        actor = actor_of(staff)
    if window is not None:
        from dataclasses import replace

        actor = replace(actor, window=window)
    return Ctx(actor=actor, station_code="3299", clock=clock)


def cats(store) -> list[str]:
    with store.read() as session:
        return [c.code for c in q.categories(session)]


def issue(store, ctx, category, **kw) -> q.TicketView:
    with store.write() as session:
        return q.issue_ticket(session, ctx, category, **kw)


def call(store, ctx, window="5", **kw) -> q.TicketView | None:
    with store.write() as session:
        return q.call_next(session, ctx, window, **kw)


def events_of(store, kind_prefix: str) -> list[Event]:
    with store.read() as session:
        return list(
            session.exec(
                select(Event).where(Event.kind.startswith(kind_prefix)).order_by(Event.seq)  # type: ignore[attr-defined]
            )
        )


def test_numbers_per_category_and_order_of_a_line(demo_store, clock, ctx):
    a, b = cats(demo_store)[:2]
    first = issue(demo_store, ctx, a)
    clock.advance(minutes=1)
    second = issue(demo_store, ctx, a)
    clock.advance(minutes=1)
    other = issue(demo_store, ctx, b)
    clock.advance(minutes=1)
    appointment = issue(demo_store, ctx, a, appointment=True)
    clock.advance(minutes=1)
    priority = issue(demo_store, ctx, a, priority=True)
    assert first.number.endswith("001") and second.number.endswith("002")
    assert other.number.endswith("001") and other.number[0] != first.number[0]
    assert (first.ahead, second.ahead) == (0, 1)
    assert appointment.ahead == 0 and priority.ahead == 0
    clerk = clerk_ctx(demo_store, clock)
    order = []
    for _ in range(5):
        t = call(demo_store, clerk, categories=[a, b])
        order.append(t.number)
        with demo_store.write() as session:
            if t.priority_to_confirm:  # asked for at the kiosk: the clerk checks it
                q.confirm_priority(session, clerk, t.id, granted=True)
            q.start_service(session, clerk, t.id)
            q.finish(session, clerk, t.id)
    # 绿色通道 first, then the appointment, then by issue time (the other line last issued).
    assert order == [priority.number, appointment.number, first.number, second.number, other.number]
    assert call(demo_store, clerk) is None


def test_the_window_serves_its_lines_and_finishes_first(demo_store, clock, ctx):
    a, b = cats(demo_store)[:2]
    issue(demo_store, ctx, b)
    clerk = clerk_ctx(demo_store, clock)
    with demo_store.write() as session:
        q.set_window(session, clerk, "5", categories=[a])
    assert call(demo_store, clerk) is None  # only line a, and it is empty
    ta = issue(demo_store, ctx, a)
    issue(demo_store, ctx, a)
    t = call(demo_store, clerk)
    assert t.id == ta.id and t.status == "called" and t.window == "5"
    with pytest.raises(ServiceError):
        call(demo_store, clerk)  # still has a ticket
    with demo_store.write() as session:
        q.set_window(session, clerk, "5", status="paused")
        q.start_service(session, clerk, t.id)
        q.finish(session, clerk, t.id)
    with pytest.raises(ServiceError):
        call(demo_store, clerk)  # paused
    with demo_store.read() as session:
        panel = q.window_panel(session, clerk, "5")
    assert panel.window.served_today == 1 and panel.current is None
    assert [(line.category, line.waiting) for line in panel.lines] == [(a, 1)]


def test_no_show_is_requeued_once_at_the_back(demo_store, clock, ctx):
    a = cats(demo_store)[0]
    late = issue(demo_store, ctx, a)
    clock.advance(minutes=1)
    punctual = issue(demo_store, ctx, a)
    clerk = clerk_ctx(demo_store, clock)
    t = call(demo_store, clerk)
    assert t.id == late.id
    clock.advance(minutes=2)
    with demo_store.write() as session:
        back = q.no_show(session, clerk, t.id)
    assert back.status == "waiting" and back.requeued_once
    t2 = call(demo_store, clerk)
    assert t2.id == punctual.id  # the re-queued one waits behind
    with demo_store.write() as session:
        q.start_service(session, clerk, t2.id)
        q.finish(session, clerk, t2.id)
    t3 = call(demo_store, clerk)
    assert t3.id == late.id and t3.called_at == t.called_at  # the wait ended at the first call
    with demo_store.write() as session:
        gone = q.no_show(session, clerk, t3.id)
    assert gone.status == "no_show" and gone.finished_at is not None
    assert call(demo_store, clerk) is None


def test_recall_and_the_display(demo_store, clock, ctx):
    a = cats(demo_store)[0]
    issue(demo_store, ctx, a)
    issue(demo_store, ctx, a)
    clerk = clerk_ctx(demo_store, clock)
    t = call(demo_store, clerk)
    with demo_store.read() as session:
        state = q.display_state(session, "3299", clock.today())
    assert [c.number for c in state.calls] == [t.number]
    key = state.calls[0].key
    clock.advance(seconds=30)
    with demo_store.write() as session:
        again = q.recall(session, clerk, t.id)
    assert again.recalls == 1
    with demo_store.read() as session:
        state = q.display_state(session, "3299", clock.today())
    assert state.calls[0].key != key  # the display announces it again
    assert {line.category: line.waiting for line in state.lines}[a] == 1


def test_transfer_to_a_line_and_to_a_window(demo_store, clock, ctx):
    a, b = cats(demo_store)[:2]
    t = issue(demo_store, ctx, a)
    clock.advance(minutes=1)
    issue(demo_store, ctx, b)  # waiting in b before the transfer, issued after t
    clerk = clerk_ctx(demo_store, clock)
    called = call(demo_store, clerk, categories=[a])
    with demo_store.write() as session:
        q.start_service(session, clerk, called.id)
    clock.advance(minutes=4)
    with demo_store.write() as session:
        moved = q.transfer(session, clerk, called.id, category=b)
    assert moved.id != t.id and moved.number == t.number and moved.category == b
    with demo_store.read() as session:
        old = session.get(Ticket, t.id)
        assert old.status == "transferred" and old.finished_at is not None
        assert session.get(Ticket, moved.id).transferred_from == t.id
    # Window 5 sent it away: it never calls it back (the b ticket instead).
    back = call(demo_store, clerk, categories=[b])
    assert back is not None and back.id != moved.id
    with demo_store.write() as session:
        q.no_show(session, clerk, back.id)
    # Another window calls it, by its first issue time ahead of the b ticket issued after it.
    six = clerk_ctx(demo_store, clock, window="6")
    nxt = call(demo_store, six, window="6", categories=[b])
    assert nxt.id == moved.id
    with demo_store.write() as session:
        sent = q.transfer(session, six, nxt.id, window="7")
    assert sent.target_window == "7"
    assert call(demo_store, clerk, categories=[a, b]).id != sent.id  # not for window 5
    other = clerk_ctx(demo_store, clock, window="7")
    got = call(demo_store, other, window="7")
    assert got.id == sent.id  # window 7 calls what was sent to it first
    with pytest.raises(ServiceError), demo_store.write() as session:
        q.transfer(session, other, got.id)


def test_every_change_is_an_event_with_rows(demo_store, clock, ctx):
    a = cats(demo_store)[0]
    before = len(events_of(demo_store, "ticket."))
    t = issue(demo_store, ctx, a, id_number=ID)
    clerk = clerk_ctx(demo_store, clock)
    call(demo_store, clerk)
    with demo_store.write() as session:
        q.recall(session, clerk, t.id)
        q.start_service(session, clerk, t.id)
        q.finish(session, clerk, t.id)
    evs = events_of(demo_store, "ticket.")[before:]
    assert [e.kind for e in evs] == [
        "ticket.issued",
        "ticket.called",
        "ticket.recalled",
        "ticket.started",
        "ticket.finished",
    ]
    for e in evs:
        payload = json.loads(e.payload)
        assert any(r["table"] == "ticket" for r in payload["rows"])
        assert ID not in e.payload  # only the salted hash and the masked form travel
    called = json.loads(evs[1].payload)
    assert {r["table"] for r in called["rows"]} == {"ticket", "window_state"}
    with demo_store.read() as session:
        assert verify_chain(session) == []
        assert q.check_id(session, ctx, t.id, "resident_id", ID)
        first17 = "11010519800101001"
        other = first17 + resident_id_check_char(first17)
        assert not q.check_id(session, ctx, t.id, "resident_id", other)


def test_snapshots_chain_their_versions(demo_store, clock, ctx):
    """Each row's snapshots go 1, 2, 3 … and end at the stored version: central can apply them
    in order (a silent version bump would make the next change look stale)."""
    a, b = cats(demo_store)[:2]
    clerk = clerk_ctx(demo_store, clock)
    assert call(demo_store, clerk) is None  # nothing waiting: nothing written
    t1 = issue(demo_store, ctx, a)
    issue(demo_store, ctx, a)
    for _ in range(3):
        t = call(demo_store, clerk)
        assert call_fails(demo_store, clerk)
        with demo_store.write() as session:
            if t.id == t1.id and not t.requeued_once:
                q.no_show(session, clerk, t.id)
                continue
            q.start_service(session, clerk, t.id)
            if t.category == a and t.id != t1.id:
                q.transfer(session, clerk, t.id, category=b)
            else:
                q.finish(session, clerk, t.id)
    with demo_store.write() as session:
        q.set_window(session, clerk, "5", status="paused")
    last: dict[tuple[str, str], int] = {}
    for e in events_of(demo_store, ""):
        for snap in json.loads(e.payload).get("rows", []):
            if snap["table"] not in ("ticket", "window_state", "evaluation", "rectification"):
                continue
            key = (snap["table"], json.dumps(snap["pk"], sort_keys=True))
            assert snap.get("base_version") == last.get(key), (e.kind, key)
            last[key] = snap["values"].get("version", 1)
    with demo_store.read() as session:
        for t in session.exec(select(Ticket)):
            assert last[("ticket", json.dumps({"id": t.id}))] == t.version


def call_fails(store, ctx) -> bool:
    try:
        call(store, ctx)
    except ServiceError:
        return True
    return False


def test_a_failed_move_writes_nothing(demo_store, clock, ctx):
    a = cats(demo_store)[0]
    t = issue(demo_store, ctx, a)
    clerk = clerk_ctx(demo_store, clock)
    with demo_store.read() as session:
        n = session.exec(select(func.count()).select_from(Event)).one()
    with pytest.raises(ServiceError), demo_store.write() as session:
        q.start_service(session, clerk, t.id)  # not called yet
    with pytest.raises(ServiceError), demo_store.write() as session:
        q.issue_ticket(session, ctx, a, id_number="123")  # not an ID number
    with demo_store.read() as session:
        assert session.exec(select(func.count()).select_from(Event)).one() == n


def test_finish_links_the_case_registered_meanwhile(demo_store, clock, ctx):
    from hallterm.db.services.applicants import register_applicant
    from hallterm.db.services.cases import start_case

    a = cats(demo_store)[0]
    issue(demo_store, ctx, a, id_number=ID)
    clerk = clerk_ctx(demo_store, clock)
    t = call(demo_store, clerk)
    with demo_store.write() as session:
        q.start_service(session, clerk, t.id)
    clock.advance(minutes=3)
    with demo_store.write() as session:
        person = register_applicant(
            session, clerk, id_type="resident_id", id_number=ID, name="张三"
        )
        from hallterm.db.models import Matter

        code = session.exec(select(Matter.code)).first()
        case_id = start_case(session, clerk, applicant_id=person.id, matter_codes=[code])
    clock.advance(minutes=5)
    with demo_store.write() as session:
        done = q.finish(session, clerk, t.id)
    assert done.case_id == case_id and done.applicant_id == person.id
    # A later ticket of the same applicant is recognised at the kiosk.
    again = issue(demo_store, ctx, a, id_number=ID)
    assert again.applicant_id == person.id and again.applicant_name == "张三"


def test_rating_and_rectification(demo_store, clock, ctx):
    a = cats(demo_store)[0]
    t = issue(demo_store, ctx, a)
    clerk = clerk_ctx(demo_store, clock)
    call(demo_store, clerk)
    with demo_store.write() as session:
        q.start_service(session, clerk, t.id)
        q.finish(session, clerk, t.id)
    applicant = ratings.applicant_ctx(clerk)
    with pytest.raises(ServiceError), demo_store.write() as session:
        ratings.rate(session, applicant, level=6, ticket_id=t.id)
    with demo_store.write() as session:
        bad = ratings.rate(session, applicant, level=2, comment="等太久", ticket_id=t.id)
    assert bad.window == "5" and bad.clerk_id == clerk.actor.staff_id
    with demo_store.read() as session:
        cal = calendar_for(session)
    assert bad.rectification_due == cal.add_working_days(clock.today(), 15)
    assert bad.rectification_due == date(2026, 12, 18)
    with pytest.raises(ServiceError), demo_store.write() as session:
        ratings.rate(session, applicant, level=5, ticket_id=t.id)  # rated once
    with demo_store.read() as session:
        open_items = rectification.rectifications(session, today=clock.today(), open_only=True)
    assert [r.id for r in open_items] == [bad.rectification_id]
    assert open_items[0].ticket_number == t.number and open_items[0].days_left == 15
    with pytest.raises(ServiceError), demo_store.write() as session:  # a clerk may not close it
        rectification.close_rectification(session, clerk, bad.rectification_id, "已整改")
    boss = clerk_ctx(demo_store, clock, username="supervisor")
    with pytest.raises(ServiceError), demo_store.write() as session:
        rectification.close_rectification(session, boss, bad.rectification_id, "  ")
    with demo_store.write() as session:
        closed = rectification.close_rectification(
            session, boss, bad.rectification_id, "已致歉并整改"
        )
    assert closed.closed_by == "supervisor" and closed.response == "已致歉并整改"
    with demo_store.read() as session:
        assert rectification.rectifications(session, today=clock.today(), open_only=True) == []
        rect = session.get(Rectification, bad.rectification_id)
        assert rect.closed_at is not None
        assert session.exec(select(func.count()).select_from(Evaluation)).one() == 1
    kinds = [e.kind for e in events_of(demo_store, "evaluation.")] + [
        e.kind for e in events_of(demo_store, "rectification.")
    ]
    assert kinds == ["evaluation.rated", "rectification.closed"]


def test_good_rating_opens_nothing(demo_store, clock, ctx):
    a = cats(demo_store)[0]
    t = issue(demo_store, ctx, a)
    clerk = clerk_ctx(demo_store, clock)
    call(demo_store, clerk)
    with demo_store.write() as session:
        q.start_service(session, clerk, t.id)
        q.finish(session, clerk, t.id)
        view = ratings.rate(session, ratings.applicant_ctx(clerk), level=3, ticket_id=t.id)
    assert view.rectification_id is None
    assert ratings.level_label(3) == "基本满意"
