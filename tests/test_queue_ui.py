"""The queue window and the rating terminal, driven by the keyboard: call, recall, no-show,
transfer (never back to this window), priority decided at the call, a call by number with its
reason, guidance for keys pressed out of order, the window's rating key refused, and the
applicant rating on the terminal paired with the window; the kiosk in both languages."""

from __future__ import annotations

from pilot_support import settle
from pilot_support import sign_in as pilot_sign_in
from sqlmodel import select
from textual.widgets import Digits, Static

from hallterm.app import create_app
from hallterm.db.models import Staff
from hallterm.db.models_queue import Evaluation, Rectification, Ticket
from hallterm.db.services import Ctx
from hallterm.db.services import queue as q
from hallterm.db.services.staff import actor_of
from hallterm.i18n import set_language
from hallterm.screens.home import HomeScreen
from hallterm.screens.kiosk import KioskApp, KioskScreen
from hallterm.screens.rating import RatingScreen
from hallterm.screens.rating_terminal import RatingTerminalApp
from hallterm.screens.window import QueueWindowScreen, TransferScreen
from hallterm.screens.window_dialogs import CallNumberScreen

SIZE = (160, 50)


def clerk_ctx(store, clock) -> Ctx:
    with store.read() as session:
        staff = session.exec(select(Staff).where(Staff.username == "clerk")).one()
        return Ctx(actor=actor_of(staff), station_code="3299", clock=clock)


def tickets(store) -> list[Ticket]:
    with store.read() as session:
        return list(session.exec(select(Ticket).order_by(Ticket.issued_at, Ticket.seq)))


async def test_window_moves_guidance_and_no_rating_at_the_window(demo_store, settings, clock):
    ctx = clerk_ctx(demo_store, clock)
    with demo_store.write() as session:
        codes = [c.code for c in q.categories(session)]
        q.issue_ticket(session, ctx, codes[0])
        clock.advance(minutes=1)
        q.issue_ticket(session, ctx, codes[0], priority=True)
        clock.advance(minutes=1)
        q.issue_ticket(session, ctx, codes[0])
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot_sign_in(pilot, "clerk", "clerk1234")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueWindowScreen)

        def number() -> str:
            return str(screen.query_one("#qw-number", Digits).value)

        def message() -> str:
            return str(screen.query_one("#qw-message", Static).render())

        await pilot.press("f")  # nothing called yet: it says what to do
        await settle(pilot)
        assert "按 N 叫下一位" in message()
        await pilot.press("n")
        await settle(pilot)
        assert number() == "A002"  # 绿色通道 requested: called first
        assert "确认" in str(screen.query_one("#qw-ticket", Static).render())
        await pilot.press("s")  # not before the priority is decided
        await settle(pilot)
        assert "G" in message() and "绿色通道" in message()
        await pilot.press("G")  # refused: back to its place in the ordinary line
        await settle(pilot)
        assert number() == "---"
        await pilot.press("n")
        await settle(pilot)
        assert number() == "A001"
        await pilot.press("n")  # still holding A001: guidance, not a bare status
        await settle(pilot)
        assert "A001" in message() and "S" in message() and "X" in message()
        await pilot.press("f")  # finish before start
        await settle(pilot)
        assert "S" in message() and number() == "A001"
        await pilot.press("r")
        await settle(pilot)
        assert "重呼" in message()
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TransferScreen)
        await pilot.press("enter")  # the first other line
        await settle(pilot)
        assert isinstance(app.screen, QueueWindowScreen) and number() == "---"
        await pilot.press("k")  # call A003 by number, ahead of A002, with a reason
        await settle(pilot)
        assert isinstance(app.screen, CallNumberScreen)
        await pilot.press(*"a003", "enter", "enter")  # no reason: refused
        await settle(pilot)
        assert number() == "---" and "理由" in message()
        await pilot.press("k")
        await settle(pilot)
        await pilot.press(*"A003", "enter", *"wheelchair", "enter")
        await settle(pilot)
        assert number() == "A003" and "wheelchair" in str(
            screen.query_one("#qw-ticket", Static).render()
        )
        await pilot.press("s")
        await settle(pilot)
        assert type(app.screen).__name__ == "DeskScreen"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert not isinstance(app.screen, RatingScreen)  # the clerk's screen never rates
        assert "评价器" in message() or "rate --window 5" in message()
        await pilot.press("v")  # the window's rating key is refused
        await settle(pilot)
        assert "hallterm rate --window 5" in message()
        await pilot.press("n")  # A002 waits; the transferred A001 is never called back here
        await settle(pilot)
        assert number() == "A002"
        assert "今日已办：1" in str(screen.query_one("#qw-lines", Static).render())
    rows = tickets(demo_store)
    assert sorted((t.number, t.status) for t in rows) == [
        ("A001", "transferred"),
        ("A001", "waiting"),
        ("A002", "called"),
        ("A003", "done"),
    ]
    with demo_store.read() as session:
        assert session.exec(select(Evaluation)).all() == []
        a003 = session.exec(select(Ticket).where(Ticket.number == "A003")).one()
        assert a003.out_of_order and a003.call_reason == "wheelchair"


async def test_the_applicant_rates_on_the_terminal_of_the_window(demo_store, settings, clock):
    ctx = clerk_ctx(demo_store, clock)
    with demo_store.write() as session:
        code = q.categories(session)[0].code
        t = q.issue_ticket(session, ctx, code)
    app = RatingTerminalApp(demo_store, settings, "5", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, RatingScreen)  # nothing finished: nothing to rate
        state = str(app.screen.query_one("#rt-state", Static).render())
        assert "办结" in state
        with demo_store.write() as session:
            q.call_next(session, ctx, "5")
            q.start_service(session, ctx, t.id)
            q.finish(session, ctx, t.id)
        app.screen.poll()
        await settle(pilot)
        assert isinstance(app.screen, RatingScreen)
        await pilot.press("tab", *"wait", "shift+tab", "2")  # 不满意, with a comment
        await settle(pilot)
        assert not isinstance(app.screen, RatingScreen)
        app.screen.poll()
        await settle(pilot)
        assert not isinstance(app.screen, RatingScreen)  # rated once
        await pilot.press("f10")
        await settle(pilot)
        assert "Thank you" in str(app.screen.query_one("#rt-state", Static).render())
    set_language("zh_CN")
    with demo_store.read() as session:
        rating = session.exec(select(Evaluation)).one()
        assert rating.level == 2 and rating.comment == "wait" and rating.window == "5"
        assert rating.clerk_id == ctx.actor.staff_id and rating.channel == "terminal"
        assert session.exec(select(Rectification)).one().evaluation_id == rating.id


async def test_kiosk_switches_language_and_aligns_counts(demo_store, settings, clock):
    app = KioskApp(demo_store, settings, clock=clock, print_slips=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, KioskScreen)
        from textual.widgets import OptionList

        def options() -> list[str]:
            menu = screen.query_one("#kiosk-lines", OptionList)
            return [str(menu.get_option_at_index(i).prompt) for i in range(menu.option_count)]

        from rich.cells import cell_len

        zh = options()
        assert all("人等候" in o for o in zh)
        ends = {cell_len(o) for o in zh}
        assert len(ends) == 1  # the counts end in one column
        await pilot.press("f10")
        await settle(pilot)
        en = options()
        assert all("waiting" in o for o in en) and len({cell_len(o) for o in en}) == 1
        assert "take a number" in str(screen.query_one("#kiosk-title", Static).render())
        await pilot.press("f10")
        await settle(pilot)
        assert options() == zh
        await pilot.press("9")  # no such line: said, nothing issued
        await settle(pilot)
        assert "请按 1 至" in str(screen.query_one("#kiosk-error", Static).render())
    set_language("zh_CN")
    assert tickets(demo_store) == []


async def test_supervisor_sees_calls_out_of_turn_and_idle_time(demo_store, settings, clock):
    from textual.widgets import DataTable

    from hallterm.screens.queue_review import QueueReviewScreen
    from hallterm.screens.supervisor import SupervisorScreen

    ctx = clerk_ctx(demo_store, clock)
    with demo_store.write() as session:
        code = q.categories(session)[0].code
        q.issue_ticket(session, ctx, code)
        q.issue_ticket(session, ctx, code)
        late = q.issue_ticket(session, ctx, code)
        t = q.call_number(session, ctx, "5", late.number, "老人行动不便")
        q.start_service(session, ctx, t.id)
        q.finish(session, ctx, t.id)
    clock.advance(minutes=12)
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot_sign_in(pilot, "supervisor", "super1234")
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)
        await pilot.press("o")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueReviewScreen)

        def cells(table_id: str) -> list[list[str]]:
            table = screen.query_one(table_id, DataTable)
            return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]

        assert cells("#qr-windows") == [["5", "1", "1", "12", "12", cells("#qr-windows")[0][5]]]
        (row,) = cells("#qr-calls")
        assert row[1:] == ["5", late.number, ctx.actor.name, "2", "老人行动不便"]


async def test_an_admin_without_a_window_is_told_how_to_get_one(demo_store, clock):
    from hallterm.config import Settings

    app = create_app(demo_store, Settings(idle_lock_minutes=0), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot_sign_in(pilot, "admin", "admin1234")
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QueueWindowScreen)
        title = str(screen.query_one("#qw-title", Static).render())
        assert "窗口" not in title and "·" not in title
        assert "--window" in str(screen.query_one("#qw-ticket", Static).render())
        header = str(screen.query_one("#hdr-who", Static).render())
        assert "窗口" not in header
        await pilot.press("n")
        await settle(pilot)
        assert "--window" in str(screen.query_one("#qw-message", Static).render())
    assert tickets(demo_store) == []


def test_cli_rate_needs_a_window(tmp_path):
    from click.testing import CliRunner

    from hallterm.cli import main

    result = CliRunner().invoke(main, ["rate", "--window", " "])
    assert result.exit_code != 0 and "--window N" in result.output
    assert "--window" in CliRunner().invoke(main, ["rate", "--help"]).output
