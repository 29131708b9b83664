"""Interaction (政务互动): reply deadlines in working days, replies, overdue items, the copy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from hallterm.clock import Clock, FrozenClock
from hallterm.db.engine import Store
from hallterm.db.models import Event
from hallterm.db.services import SYSTEM, Actor, Ctx, ServiceError
from hallterm.db.services.calendar import set_override
from hallterm.db.services.interaction import (
    DEFAULT_REPLY_DAYS,
    counts,
    list_items,
    print_copy,
    record_item,
    reply_days,
    reply_item,
    set_reply_days,
)
from hallterm.db.services.setup import init_store
from hallterm.printing.output import Printer

CLERK = Actor("c1", "clerk", "李晓梅", "clerk", "3299", "5")
SUPERVISOR = Actor("s1", "supervisor", "王建国", "supervisor", "3299", "")
FRIDAY = date(2026, 11, 27)  # the frozen clock's day

# Tests read items as an admin (reads of personal data are checked too).
ADMIN_READ = Ctx(actor=SYSTEM, station_code="3299", clock=Clock())


@pytest.fixture
def store(any_url: str, clock: FrozenClock) -> Iterator[Store]:
    st = Store(any_url)
    init_store(st, Ctx(actor=CLERK, station_code="3299", clock=clock), "3299", "江川", "city")
    yield st
    st.dispose()


def _ctx(clock: FrozenClock, actor: Actor = CLERK) -> Ctx:
    return Ctx(actor=actor, station_code="3299", clock=clock)


def _record(store: Store, clock: FrozenClock, kind: str = "consultation", **kw: object):  # type: ignore[no-untyped-def]
    with store.write() as session:
        return record_item(
            session,
            _ctx(clock),
            kind=kind,
            channel=kw.pop("channel", "window"),  # type: ignore[arg-type]
            subject=kw.pop("subject", "个体工商户怎么注册"),  # type: ignore[arg-type]
            content=kw.pop("content", "想开一家小吃店，需要带什么材料？"),  # type: ignore[arg-type]
            **kw,  # type: ignore[arg-type]
        )


def test_deadlines_count_working_days_per_kind(store: Store, clock: FrozenClock) -> None:
    consult = _record(store, clock, "consultation")
    complaint = _record(store, clock, "complaint", channel="phone")
    correction = _record(store, clock, "correction")
    # taken on Friday 27 Nov: 3 working days → Wed 2 Dec; 5 → Fri 4 Dec (weekend skipped)
    assert DEFAULT_REPLY_DAYS == {"consultation": 3, "complaint": 5, "correction": 5}
    assert consult.reply_due == date(2026, 12, 2)
    assert complaint.reply_due == date(2026, 12, 4)
    assert correction.reply_due == date(2026, 12, 4)
    assert consult.number == "3299-ZX-20261127-0001"
    assert complaint.number == "3299-TS-20261127-0002"
    assert consult.light == "green" and consult.days_left == 3 and not consult.overdue


def test_deadline_is_configurable_per_kind_and_follows_holidays(
    store: Store, clock: FrozenClock
) -> None:
    ctx = _ctx(clock, SUPERVISOR)
    with store.write() as session:
        set_reply_days(session, ctx, "consultation", 1)
        # The calendar is the admin's (manage_calendar); the supervisor sets reply days.
        set_override(session, replace(ctx, actor=SYSTEM), date(2026, 11, 30), False, "停电检修")
    with store.read() as session:
        assert reply_days(session, "consultation") == 1
        assert reply_days(session, "complaint") == 5
    item = _record(store, clock, "consultation")
    # next working day after Friday is Monday 30 Nov, but that is now a day off
    assert item.reply_due == date(2026, 12, 1)
    with store.write() as session, pytest.raises(ServiceError):
        set_reply_days(session, ctx, "consultation", 0)


def test_reply_records_the_answer_and_who_gave_it(store: Store, clock: FrozenClock) -> None:
    item = _record(store, clock, "complaint", contact_name="张三", contact_phone="13800138000")
    clock.advance(hours=3)
    with store.write() as session:
        done = reply_item(session, _ctx(clock, SUPERVISOR), item.number, "已联系窗口负责人处理。")
    assert done.reply == "已联系窗口负责人处理。"
    assert done.replied_by == "supervisor" and done.replied_by_name == "王建国"
    assert done.replied_at == clock.now() and done.light == "done" and not done.replied_late
    with store.write() as session, pytest.raises(ServiceError):
        reply_item(session, _ctx(clock), item.id, "再答一次")
    with store.write() as session, pytest.raises(ServiceError):
        reply_item(session, _ctx(clock), "NO-SUCH", "x")
    with store.read() as session:
        events = session.exec(
            select(Event).where(Event.entity == "interaction").order_by(Event.seq)
        ).all()
    assert [e.kind for e in events] == ["interaction.recorded", "interaction.replied"]
    payload = json.loads(events[1].payload)
    (snap,) = payload["rows"]
    assert snap["table"] == "interaction_item" and snap["base_version"] == 1
    assert snap["values"]["reply"] == "已联系窗口负责人处理。"


def test_overdue_items_turn_red(store: Store, clock: FrozenClock) -> None:
    late = _record(store, clock, "consultation", subject="逾期的咨询")
    answered = _record(store, clock, "consultation", subject="已答复")
    with store.write() as session:
        reply_item(session, _ctx(clock), answered.id, "已答复")
    _record(store, clock, "complaint", subject="五天的投诉")
    with store.read() as session:
        today = clock.today()
        assert counts(session, today).open == 2
    # Wednesday 2 Dec is the consultation's last day: yellow, "due today"
    with store.read() as session:
        (item,) = [v for v in list_items(session, ADMIN_READ, date(2026, 12, 2)) if v.id == late.id]
    assert item.light == "yellow" and item.days_left == 0 and not item.overdue
    # Thursday 3 Dec: overdue and red; the complaint (due Friday) is not
    day = date(2026, 12, 3)
    with store.read() as session:
        overdue = list_items(session, ADMIN_READ, day, status="overdue")
        open_items = list_items(session, ADMIN_READ, day, status="open")
        everything = list_items(session, ADMIN_READ, day)
        c = counts(session, day)
    assert [v.id for v in overdue] == [late.id]
    assert overdue[0].light == "red" and overdue[0].days_left == -1
    assert [v.subject for v in open_items] == ["逾期的咨询", "五天的投诉"]  # by deadline
    assert everything[-1].id == answered.id  # answered items after the open ones
    assert (c.open, c.overdue, c.due_today) == (2, 1, 0)


def test_answered_late_is_marked(store: Store, clock: FrozenClock) -> None:
    item = _record(store, clock, "consultation")
    clock.advance(days=7)  # Friday 4 Dec, past Wednesday's deadline
    with store.write() as session:
        done = reply_item(session, _ctx(clock), item.id, "抱歉答复晚了")
    assert done.replied_late


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"kind": "praise"}, "praise"),
        ({"channel": "pigeon"}, "pigeon"),
        ({"subject": "  "}, ""),
        ({"content": ""}, ""),
        ({"matter_code": "NO-SUCH-MATTER"}, "NO-SUCH-MATTER"),
        ({"contact_phone": "1" * 41}, "41"),
    ],
)
def test_bad_items_are_refused(
    store: Store, clock: FrozenClock, kw: dict[str, str], message: str
) -> None:
    with pytest.raises(ServiceError, match=message or None):
        _record(store, clock, **kw)
    with store.read() as session:
        assert list_items(session, ADMIN_READ, clock.today()) == []


def test_matter_is_linked_by_code(demo_store: Store, clock: FrozenClock) -> None:
    code = "11329900MB0002026E00001020010000"
    with demo_store.write() as session:
        item = record_item(
            session,
            _ctx(clock),
            kind="correction",
            channel="online",
            subject="指南写错了",
            content="办事指南里的办理地点已经搬了",
            matter_code=code,
        )
    assert item.matter_name == "个体工商户设立登记"


def test_applicants_copy_prints_and_is_audited(
    demo_store: Store, clock: FrozenClock, tmp_path: Path
) -> None:
    item = _record(demo_store, clock, "complaint", contact_name="张三<b>", channel="phone")
    printer = Printer(tmp_path / "pdf", clock=lambda: clock.now())
    path, message = print_copy(demo_store, _ctx(clock), item.number, printer)
    assert message is None and path.is_file() and path.parent == tmp_path / "pdf"
    reader = PdfReader(path)
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert item.number in text and "张三<b>" in text and "投诉" in text
    assert "2026年12月4日" in text  # reply due
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor  # embedded TrueType, never a base-14 font
    with demo_store.read() as session:
        kinds = [e.kind for e in session.exec(select(Event).where(Event.entity == "interaction"))]
    assert kinds.count("interaction.printed") == 1


def test_overdue_items_show_red_on_the_supervisor_dashboard(demo_store, clock):
    """An item past its reply deadline is listed on the dashboard in red (issue 7 → issue 6)."""
    from hallterm.db.services import Actor, Ctx
    from hallterm.db.services.efficiency import dashboard
    from hallterm.db.services.interaction import record_item

    clerk = Actor(
        staff_id="", username="clerk", name="李晓梅", role="clerk", station_code="3299", window="5"
    )
    ctx = Ctx(actor=clerk, station_code="3299", clock=clock)
    with demo_store.write() as s:
        item = record_item(
            s,
            ctx,
            kind="consultation",
            channel="phone",
            subject="社保卡补办",
            content="补办需要什么材料？",
        )
    clock.advance(days=30)
    today = clock.local_now().date()
    with demo_store.read() as s:
        board = dashboard(s, station_code="3299", now=clock.now(), today=today)
    sections = [x for x in board.extra if "咨询" in x.title]
    assert sections, board.extra
    rows = dict(zip((r[0] for r in sections[0].rows), sections[0].row_lights, strict=True))
    assert rows[item.number] == "red"
