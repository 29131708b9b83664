"""Queue rules of issue 15: a transfer never comes back to its window, the display shows a
call once, priority is confirmed at the call or granted by age, out-of-order calls need a
reason and are logged, only the applicant rates a finished service, the supervisor's review."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from hallterm.db.models import Event
from hallterm.db.services import ServiceError, ratings
from hallterm.db.services import queue as q
from hallterm.domain.ids import resident_id_check_char
from hallterm.domain.priority import granted_by_age
from tests.test_queue import ID, call, cats, clerk_ctx, issue

YOUNG = "11010519900101123" + resident_id_check_char("11010519900101123")


def test_a_transfer_never_comes_back_to_the_window_that_sent_it(demo_store, clock, ctx):
    a, b = cats(demo_store)[:2]
    t = issue(demo_store, ctx, a)
    clerk = clerk_ctx(demo_store, clock)  # window 5 serves every line
    call(demo_store, clerk)
    with demo_store.write() as session:
        moved = q.transfer(session, clerk, t.id, category=b)
    assert moved.from_window == "5"
    assert call(demo_store, clerk) is None  # the only waiting ticket is the one it sent away
    six = clerk_ctx(demo_store, clock, window="6")
    assert call(demo_store, six, window="6").id == moved.id


def test_the_display_shows_each_call_once(demo_store, clock, ctx):
    a, b = cats(demo_store)[:2]
    t = issue(demo_store, ctx, a)
    clerk = clerk_ctx(demo_store, clock)
    call(demo_store, clerk)
    with demo_store.write() as session:
        q.transfer(session, clerk, t.id, category=b)
    clock.advance(minutes=1)
    six = clerk_ctx(demo_store, clock, window="6")
    again = call(demo_store, six, window="6")
    clock.advance(seconds=30)
    with demo_store.write() as session:
        q.recall(session, six, again.id)
    with demo_store.read() as session:
        state = q.display_state(session, "3299", clock.today())
    assert [(c.number, c.window) for c in state.calls] == [(t.number, "6")]


def test_priority_is_requested_confirmed_refused_or_granted_by_age(demo_store, clock, ctx):
    a = cats(demo_store)[0]
    plain = issue(demo_store, ctx, a)
    clock.advance(minutes=1)
    asked = issue(demo_store, ctx, a, priority=True, id_number=YOUNG)
    clock.advance(minutes=1)
    elder = issue(demo_store, ctx, a, id_number=ID)  # born 1949: granted without asking
    assert asked.priority_state == "requested" and asked.priority
    assert elder.priority_state == "by_age" and elder.priority
    assert granted_by_age("resident_id", ID, clock.today())
    assert not granted_by_age("resident_id", YOUNG, clock.today())
    clerk = clerk_ctx(demo_store, clock)
    first = call(demo_store, clerk)
    assert first.id == asked.id and first.priority_to_confirm
    with pytest.raises(ServiceError, match="绿色通道|priority"), demo_store.write() as session:
        q.start_service(session, clerk, first.id)  # decide first
    with demo_store.write() as session:
        back = q.confirm_priority(session, clerk, first.id, granted=False)
    assert back.status == "waiting" and not back.priority and back.priority_state == "refused"
    # Back in the ordinary line at its place by issue time: after the elder, after ``plain``.
    order = []
    for _ in range(3):
        t = call(demo_store, clerk)
        order.append(t.id)
        with demo_store.write() as session:
            q.start_service(session, clerk, t.id)
            q.finish(session, clerk, t.id)
    assert order == [elder.id, plain.id, asked.id]
    kinds = [
        e.kind for e in _events(demo_store) if e.entity_id == asked.id and "priority" in e.kind
    ]
    assert kinds == ["ticket.priority_refused"]


def _events(store) -> list[Event]:
    with store.read() as session:
        return list(session.exec(select(Event).order_by(Event.seq)))


def test_an_out_of_order_call_needs_a_reason_and_is_logged(demo_store, clock, ctx):
    a = cats(demo_store)[0]
    first = issue(demo_store, ctx, a)
    second = issue(demo_store, ctx, a)
    third = issue(demo_store, ctx, a)
    clerk = clerk_ctx(demo_store, clock)
    with pytest.raises(ServiceError), demo_store.write() as session:
        q.call_number(session, clerk, "5", third.number, "   ")  # no reason: refused
    with pytest.raises(ServiceError), demo_store.write() as session:
        q.call_number(session, clerk, "5", "Z999", "找错号")
    with demo_store.write() as session:
        got = q.call_number(session, clerk, "5", third.number.lower(), "孕妇，身体不适")
    assert got.id == third.id and got.out_of_order and got.call_reason == "孕妇，身体不适"
    called = [e for e in _events(demo_store) if e.kind == "ticket.called"][-1]
    payload = json.loads(called.payload)
    assert payload["out_of_order"] is True and payload["skipped"] == 2
    with demo_store.write() as session:
        q.start_service(session, clerk, got.id)
        q.finish(session, clerk, got.id)
    with demo_store.write() as session:  # the head of the line: an ordinary call
        head = q.call_number(session, clerk, "5", first.number, "")
    assert head.id == first.id and not head.out_of_order
    clock.advance(minutes=5)
    with demo_store.read() as session:
        review = q.day_review(session, "3299", clock.today(), clock.now())
    assert [(c.number, c.window, c.reason, c.skipped) for c in review.out_of_order] == [
        (third.number, "5", "孕妇，身体不适", 2)
    ]
    assert review.out_of_order[0].clerk_name == clerk.actor.name
    (w5,) = review.windows
    assert w5.window == "5" and w5.calls == 2 and w5.out_of_order == 1
    assert w5.free_since is None  # it serves ``first`` now
    assert second.number  # still waiting


def test_idle_time_counts_open_free_time_between_services(demo_store, clock, ctx):
    a = cats(demo_store)[0]
    issue(demo_store, ctx, a)
    issue(demo_store, ctx, a)
    clerk = clerk_ctx(demo_store, clock)
    for gap in (10, 0):
        t = call(demo_store, clerk)
        with demo_store.write() as session:
            q.start_service(session, clerk, t.id)
        clock.advance(minutes=3)
        with demo_store.write() as session:
            q.finish(session, clerk, t.id)
        clock.advance(minutes=gap)
    with demo_store.write() as session:
        q.set_window(session, clerk, "5", status="paused")
    clock.advance(minutes=30)  # paused: not idle
    with demo_store.read() as session:
        review = q.day_review(session, "3299", clock.today(), clock.now())
    (w5,) = review.windows
    assert w5.calls == 2 and w5.idle_seconds == 600 and w5.longest_idle_seconds == 600


def test_only_the_applicant_rates_a_finished_service(demo_store, clock, ctx):
    a = cats(demo_store)[0]
    t = issue(demo_store, ctx, a)
    clerk = clerk_ctx(demo_store, clock)
    applicant = ratings.applicant_ctx(clerk, "5")
    call(demo_store, clerk)
    with pytest.raises(ServiceError), demo_store.write() as session:
        ratings.rate(session, applicant, level=5, ticket_id=t.id)  # not finished yet
    with pytest.raises(ServiceError), demo_store.write() as session:
        ratings.rate_window(session, applicant, "5", level=5)  # nothing finished at 5
    with demo_store.write() as session:
        q.start_service(session, clerk, t.id)
        q.finish(session, clerk, t.id)
    with pytest.raises(ServiceError, match="rate --window"), demo_store.write() as session:
        ratings.rate(session, clerk, level=5, ticket_id=t.id)  # the clerk may not rate
    with demo_store.read() as session:
        pending = ratings.pending_rating(session, "3299", "5", clock.now())
    assert pending is not None and pending.number == t.number
    with demo_store.write() as session:
        view = ratings.rate_window(session, applicant, "5", level=4, comment="很好")
    assert view.ticket_id == t.id and view.clerk_id == clerk.actor.staff_id
    with demo_store.read() as session:
        assert ratings.pending_rating(session, "3299", "5", clock.now()) is None
    with pytest.raises(ServiceError), demo_store.write() as session:
        ratings.rate_window(session, applicant, "5", level=4)  # rated already


def test_queue_rules_on_both_stores(any_url, clock):
    """The same rules on SQLite and PostgreSQL: no call-back after a transfer, a call out of
    turn with its reason (``FOR UPDATE`` on PostgreSQL), priority refused back in line, and
    the review of the day."""
    from dataclasses import replace

    from hallterm.db.engine import Store
    from hallterm.db.services import SYSTEM, Ctx
    from hallterm.db.services.catalog.io import import_catalog
    from hallterm.db.services.setup import init_store
    from hallterm.demo import demo_catalog

    store = Store(any_url)
    sysctx = Ctx(actor=SYSTEM, station_code="3299", clock=clock)
    try:
        init_store(store, sysctx, "3299", "江川市政务服务中心", "city")
        with store.write() as session:
            import_catalog(session, sysctx, demo_catalog())
        five = Ctx(
            actor=replace(SYSTEM, username="w5", window="5"), station_code="3299", clock=clock
        )
        six = Ctx(
            actor=replace(SYSTEM, username="w6", window="6"), station_code="3299", clock=clock
        )
        a, b = (c.code for c in _categories(store)[:2])
        first = q.run_write(store, lambda s: q.issue_ticket(s, sysctx, a))
        asked = q.run_write(store, lambda s: q.issue_ticket(s, sysctx, a, priority=True))
        third = q.run_write(store, lambda s: q.issue_ticket(s, sysctx, a))
        got = q.run_write(store, lambda s: q.call_next(s, five, "5"))
        assert got is not None and got.id == asked.id
        q.run_write(store, lambda s: q.confirm_priority(s, five, asked.id, granted=False))
        out = q.run_write(store, lambda s: q.call_number(s, five, "5", third.number, "急事"))
        assert out.out_of_order and out.call_reason == "急事"
        moved = q.run_write(store, lambda s: q.transfer(s, five, third.id, category=b))
        nxt = q.run_write(store, lambda s: q.call_next(s, five, "5"))
        assert nxt is not None and nxt.id == first.id  # not the ticket it sent away
        back = q.run_write(store, lambda s: q.call_next(s, six, "6"))
        assert back is not None and back.id == asked.id  # refused priority: ordinary line
        clock.advance(minutes=3)
        with pytest.raises(ServiceError, match="A002"):  # window 6 still holds it
            q.run_write(store, lambda s: q.call_next(s, six, "6", [b]))
        with store.read() as session:
            review = q.day_review(session, "3299", clock.today(), clock.now())
            assert [c.number for c in review.out_of_order] == [third.number]
            assert {w.window for w in review.windows} == {"5", "6"}
            assert moved.from_window == "5"
    finally:
        store.dispose()


def _categories(store) -> list[q.CategoryView]:
    with store.read() as session:
        return q.categories(session)
