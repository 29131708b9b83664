"""The governance screens driven by the keyboard: interaction (F8), audit (Ctrl+A), lint (Ctrl+K)."""

from __future__ import annotations

from datetime import timedelta

from pilot_support import settle as _settle
from pilot_support import sign_in as _sign_in
from textual.widgets import DataTable, Input, Static, TextArea

from hallterm.app import create_app
from hallterm.clock import Clock, FrozenClock
from hallterm.db.services import SYSTEM, Actor, Ctx
from hallterm.db.services.interaction import list_items, record_item
from hallterm.screens.audit import AuditScreen
from hallterm.screens.guide import GuideScreen
from hallterm.screens.home import HomeScreen
from hallterm.screens.interaction import InteractionScreen, NewItemScreen, ReplyScreen
from hallterm.screens.lint import LintScreen

SIZE = (160, 48)

# Tests read items as an admin (reads of personal data are checked too).
ADMIN_READ = Ctx(actor=SYSTEM, station_code="3299", clock=Clock())


def _cells(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    return [[str(c) for c in table.get_row_at(r)] for r in range(table.row_count)]


async def test_clerk_records_replies_and_prints(demo_store, settings, clock) -> None:  # type: ignore[no-untyped-def]
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "clerk", "clerk1234")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f8")
        await _settle(pilot)
        assert isinstance(app.screen, InteractionScreen)
        await pilot.press("n")
        await _settle(pilot)
        assert isinstance(app.screen, NewItemScreen)
        app.screen.query_one("#ia-subject", Input).value = "营业执照[加急]怎么办"
        app.screen.query_one("#ia-contact-name", Input).value = "张三"
        app.screen.query_one("#ia-content", TextArea).text = "想问一下 <b> 需要哪些材料"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(app.screen, InteractionScreen)
        table = app.screen.query_one("#ia-table", DataTable)
        rows = _cells(table)
        assert len(rows) == 1 and "营业执照[加急]怎么办" in rows[0]
        assert rows[0][0] == "3299-ZX-20261127-0001"
        # print the applicant's copy
        await pilot.press("p")
        await _settle(pilot)
        pdfs = list(settings.pdf_dir().glob("interaction-*.pdf"))
        assert len(pdfs) == 1
        # read and reply
        await pilot.press("r")
        await _settle(pilot)
        assert isinstance(app.screen, ReplyScreen)
        app.screen.query_one("#ia-reply", TextArea).text = "已当面答复。"
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert isinstance(app.screen, InteractionScreen)
        assert table.row_count == 0  # the open-items view no longer shows it
        await pilot.press("f")  # overdue
        await pilot.press("f")  # all
        await _settle(pilot)
        assert app.screen.filter == "all" and table.row_count == 1
    with demo_store.read() as session:
        (item,) = list_items(session, ADMIN_READ, clock.today())
    assert item.reply == "已当面答复。" and item.replied_by == "clerk"


async def test_overdue_items_show_red(demo_store, settings, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    earlier = FrozenClock(clock.now() - timedelta(days=14))
    clerk = Actor("c", "clerk", "李晓梅", "clerk", "3299", "5")
    with demo_store.write() as session:
        record_item(
            session,
            Ctx(actor=clerk, station_code="3299", clock=earlier),
            kind="complaint",
            channel="phone",
            subject="窗口态度",
            content="等了很久",
        )
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "supervisor", "super1234")
        await pilot.press("f8")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, InteractionScreen)
        table = screen.query_one("#ia-table", DataTable)
        row = table.get_row_at(0)
        assert "red" in str(row[0].style) and "red" in str(row[-1].style)
        summary = str(screen.query_one("#ia-summary", Static).render())
        assert "1 条已超期" in summary


async def test_supervisor_searches_the_audit_trail(demo_store, settings, clock) -> None:  # type: ignore[no-untyped-def]
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "supervisor", "super1234")
        await pilot.press("f12")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        table = screen.query_one("#audit-table", DataTable)
        assert table.row_count > 0
        # the supervisor's own login is in the trail
        screen.query_one("#audit-kind", Input).value = "staff.login"
        screen.query_one("#audit-kind", Input).focus()
        await pilot.press("enter")
        await _settle(pilot)
        kinds = {row[4] for row in _cells(table)}
        assert kinds == {"登录"}  # the kind in words
        await pilot.press("ctrl+r")
        await _settle(pilot)
        chains = str(screen.query_one("#audit-chains", Static).render())
        assert "3299" in chains and "完整" in chains


async def test_lint_screen_for_admin_only(demo_store, settings, clock) -> None:  # type: ignore[no-untyped-def]
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "clerk", "clerk1234")
        await pilot.press("ctrl+b")
        await pilot.press("f12")
        await _settle(pilot)
        assert isinstance(app.screen, HomeScreen)  # neither is the clerk's
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "admin", "admin1234")
        await pilot.press("ctrl+b")
        await _settle(pilot)
        assert isinstance(app.screen, LintScreen)
        summary = str(app.screen.query_one("#lint-summary", Static).render())
        # no error; the demo's bundles that ask for what one of their matters issues
        # (营业执照 in 开办餐饮店 …) are warnings since issue 13
        assert "0 个错误" in summary and "3 个警告" in summary


async def test_guide_screen_prints_the_guide(demo_store, settings, clock) -> None:  # type: ignore[no-untyped-def]
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _sign_in(pilot, "clerk", "clerk1234")
        app.push_screen(GuideScreen("YJS-KBCYD"))
        await _settle(pilot)
        await pilot.press("p")
        await _settle(pilot)
    assert len(list(settings.pdf_dir().glob("guide-*.pdf"))) == 1
