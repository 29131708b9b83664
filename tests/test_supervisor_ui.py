"""Driven by the keyboard: the kiosk issues tickets, a window calls, recalls, marks a no-show,
transfers, serves and finishes, the applicant rates, the public display announces, and the
supervisor's dashboard shows each change; the efficiency table exports."""

from __future__ import annotations

from pathlib import Path

from pilot_support import settle
from pilot_support import sign_in as pilot_sign_in
from sqlmodel import select
from textual.widgets import DataTable, Digits, Static

from hallterm.app import create_app
from hallterm.db.models import Staff
from hallterm.db.models_queue import Ticket
from hallterm.db.services import Ctx
from hallterm.db.services import queue as q
from hallterm.db.services.staff import actor_of
from hallterm.screens.display import DisplayApp
from hallterm.screens.home import HomeScreen
from hallterm.screens.kiosk import KioskApp, KioskScreen
from hallterm.screens.supervisor import EfficiencyScreen, SupervisorScreen

SIZE = (160, 50)
ID = "11010519491231002X"


async def sign_in(pilot, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    await pilot_sign_in(pilot, username, password)
    assert isinstance(pilot.app.screen, HomeScreen)


def tickets(store) -> list[Ticket]:
    with store.read() as session:
        return list(session.exec(select(Ticket).order_by(Ticket.issued_at, Ticket.seq)))


def clerk_ctx(store, clock) -> Ctx:
    with store.read() as session:
        staff = session.exec(select(Staff).where(Staff.username == "clerk")).one()
        return Ctx(actor=actor_of(staff), station_code="3299", clock=clock)


async def test_kiosk_issues_tickets(demo_store, settings, clock):
    app = KioskApp(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, KioskScreen)
        await pilot.press("1")
        await settle(pilot)
        number = str(app.screen.query_one("#kiosk-number", Digits).value)
        slip = str(app.screen.query_one("#kiosk-slip-text", Static).render())
        assert number == "A001" and "前面还有 0 人" in slip
        await pilot.press("space")  # any key: back to the choice
        await pilot.press("g")  # 绿色通道
        await pilot.press("i")
        await pilot.press(*ID)
        await pilot.press("enter")
        await pilot.press("2")
        await settle(pilot)
        assert str(app.screen.query_one("#kiosk-number", Digits).value) == "B001"
        await pilot.press("escape")
        await pilot.press("i")
        await pilot.press(*"123")
        await pilot.press("enter")
        await pilot.press("1")
        await settle(pilot)
        assert "18" in str(app.screen.query_one("#kiosk-error", Static).render())
    issued = tickets(demo_store)
    assert [(t.number, t.priority) for t in issued] == [("A001", False), ("B001", True)]
    assert issued[1].id_masked.startswith("110105") and issued[1].id_hash
    slips = list(Path(settings.pdf_dir()).glob("ticket-*.pdf"))
    assert len(slips) == 2


async def test_supervisor_sees_each_change(demo_store, settings, clock):
    ctx = clerk_ctx(demo_store, clock)
    app = create_app(demo_store, settings, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await sign_in(pilot, "supervisor", "super1234")
        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)

        async def refreshed() -> None:
            screen.refresh_data()
            await settle(pilot)

        def cells(table_id: str) -> list[list[str]]:
            table = screen.query_one(table_id, DataTable)
            return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]

        def waiting() -> dict[str, str]:
            return {r[0]: r[1] for r in cells("#sv-lines")}

        assert set(waiting().values()) == {"0"}
        with demo_store.write() as session:
            codes = [c.code for c in q.categories(session)]
            t = q.issue_ticket(session, ctx, codes[0], id_number=ID)
        clock.advance(minutes=6)
        await refreshed()
        line = next(k for k in waiting() if k.startswith("A "))
        assert waiting()[line] == "1"
        assert [r for r in cells("#sv-lines") if r[0] == line][0][2] == "6"  # longest wait
        with demo_store.write() as session:
            q.call_next(session, ctx, "5")
        await refreshed()
        assert waiting()[line] == "0"
        window = [r for r in cells("#sv-windows") if r[0] == "5"][0]
        assert window[3].startswith("A001") and "已叫号" in window[3]
        with demo_store.write() as session:
            q.start_service(session, ctx, t.id)
        await refreshed()
        assert "办理中" in [r for r in cells("#sv-windows") if r[0] == "5"][0][3]
        with demo_store.write() as session:
            q.finish(session, ctx, t.id)
            from hallterm.db.services.ratings import applicant_ctx, rate

            rate(session, applicant_ctx(ctx), level=1, comment="态度差", ticket_id=t.id)
        await refreshed()
        window = [r for r in cells("#sv-windows") if r[0] == "5"][0]
        assert window[3] == "—" and window[5] == "1"
        assert any("态度差" in r for r in cells("#sv-drill"))
        assert "待整改：1" in str(screen.query_one("#sv-summary", Static).render())
        # Respond to it from the dashboard.
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"called back")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)
        await refreshed()
        assert cells("#sv-drill") == []
        await pilot.press("g")  # the green cases list (none yet in this store)
        await settle(pilot)
        assert "绿灯" in str(screen.query_one("#sv-drill-title", Static).render())
        # The efficiency table, and its export.
        await pilot.press("f7")
        await settle(pilot)
        eff = app.screen
        assert isinstance(eff, EfficiencyScreen)
        await pilot.press("s")  # by station
        await settle(pilot)
        table = eff.query_one("#ef-table", DataTable)
        first = dict(zip([str(k.value) for k in table.columns], table.get_row_at(0), strict=True))
        assert str(first["name"]) == "江川市政务服务中心" and str(first["ratings"]) == "1"
        await pilot.press("v")
        await settle(pilot)
    exported = list((Path(settings.pdf_dir()) / "reports").glob("efficiency-station-*.csv"))
    assert len(exported) == 1


async def test_display_announces_calls_and_recalls(demo_store, settings, clock):
    class Recorder:
        def __init__(self) -> None:
            self.said: list[str] = []

        def say(self, text: str) -> None:
            self.said.append(text)

    ctx = clerk_ctx(demo_store, clock)
    with demo_store.write() as session:
        codes = [c.code for c in q.categories(session)]
        first = q.issue_ticket(session, ctx, codes[0])
        q.issue_ticket(session, ctx, codes[1])
        q.call_next(session, ctx, "5")  # called before the display starts: not spoken
    voice = Recorder()
    app = DisplayApp(demo_store, settings, clock=clock, announcer=voice)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await settle(pilot)
        assert str(screen.query_one("#dp-number", Digits).value) == "A001"
        assert str(screen.query_one("#dp-window", Digits).value) == "5"
        assert voice.said == []
        clock.advance(seconds=40)
        with demo_store.write() as session:
            q.recall(session, ctx, first.id)
        screen.poll()
        await settle(pilot)
        assert voice.said == ["请 A001 号到 5 号窗口办理"]
        clock.advance(minutes=5)
        with demo_store.write() as session:
            q.start_service(session, ctx, first.id)
            q.finish(session, ctx, first.id)
            q.call_next(session, ctx, "5")
        screen.poll()
        await settle(pilot)
        assert str(screen.query_one("#dp-number", Digits).value) == "B001"
        assert voice.said[-1] == "请 B001 号到 5 号窗口办理"
        history = str(screen.query_one("#dp-history", Static).render())
        assert "A001" in history


def test_speech_command_never_breaks_the_display(tmp_path):
    import sys
    import time

    from hallterm.screens.display import Announcer

    missing = Announcer("no-such-speech-program-here --fast")
    missing.say("请 A001 号到 5 号窗口办理")  # logged, never raised
    assert missing.failed
    out = tmp_path / "said.txt"
    script = tmp_path / "speak.py"
    script.write_text(
        "import sys, pathlib\n"
        f"pathlib.Path({str(out)!r}).write_text(sys.argv[-1], encoding='utf-8')\n",
        encoding="utf-8",
    )
    speaker = Announcer(f"{sys.executable} {script}")
    speaker.say("请 A001 号到 5 号窗口办理")
    for _ in range(100):
        if out.exists():
            break
        time.sleep(0.05)
    for proc in speaker.running:
        proc.wait(timeout=10)
    assert out.read_text(encoding="utf-8") == "请 A001 号到 5 号窗口办理"


def test_days_left_are_words_never_a_negative_number():
    from hallterm.screens.supervisor import days_left_text

    assert days_left_text(-3) == "超期 3 个工作日"
    assert days_left_text(0) == "今日到期"
    assert days_left_text(4) == "4"


async def _history_app(demo_store, settings, clock):  # type: ignore[no-untyped-def]
    from hallterm.demo.history import generate_history

    generate_history(demo_store, days=8, seed=3, clock=clock, extra_stations=2, tickets_per_day=8)
    return create_app(demo_store, settings, clock=clock)


async def test_efficiency_at_100_columns_in_english_shows_whole_columns(
    demo_store, settings, clock
):
    from rich.cells import cell_len

    from hallterm.i18n import set_language

    app = await _history_app(demo_store, settings, clock)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "supervisor", "super1234")
        await pilot.press("f10")  # English
        await pilot.press("f7")
        await settle(pilot)
        eff = app.screen
        assert isinstance(eff, EfficiencyScreen)
        table = eff.query_one("#ef-table", DataTable)
        keys = [str(k.value) for k in table.columns]
        # Nothing runs off the right edge: every shown column is whole, headers not cut.
        assert table.virtual_size.width <= table.size.width
        for column in table.columns.values():
            assert column.get_render_width(table) >= cell_len(str(column.label)) + 2
        # The most important figures stay; the ones left out are named on screen.
        assert {"name", "received", "on_time_rate", "good_rate"} <= set(keys)
        note = str(eff.query_one("#ef-note", Static).render())
        assert len(keys) < 16 and "Not shown for lack of width" in note
        assert "Online %" in note or "Stars" in note
        # No empty (unknown) row; the charts carry dates.
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert not any("unknown" in n or n.strip() == "" for n in names)
        axis_at = eff.query_one("#ef-cases-axis", Static).region
        screen_lines = app.export_screenshot()
        assert axis_at.height == 1 and "11-01" in screen_lines and "11-27" in screen_lines
        await pilot.press("c")  # by clerk: names, and usernames in the CSV, never staff ids
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
    set_language("zh_CN")
    exported = list((Path(settings.pdf_dir()) / "reports").glob("efficiency-clerk-*.csv"))
    text = exported[0].read_text(encoding="utf-8-sig")
    with demo_store.read() as session:
        ids = [s.id for s in session.exec(select(Staff))]
        usernames = [s.username for s in session.exec(select(Staff))]
    assert not any(i in text for i in ids)
    assert any(u in text for u in usernames) and text.startswith("Username")


async def test_dashboard_lines_and_windows_apart_and_headers_whole(demo_store, settings, clock):
    from rich.cells import cell_len

    app = await _history_app(demo_store, settings, clock)
    async with app.run_test(size=(100, 32)) as pilot:
        await sign_in(pilot, "supervisor", "super1234")
        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        lines = screen.query_one("#sv-lines", DataTable)
        windows = screen.query_one("#sv-windows", DataTable)
        # Two boxes one above the other, each with its own title: no row is shared.
        assert lines.region.bottom <= windows.region.y
        assert lines.border_title and windows.border_title
        for table in (lines, windows):
            assert table.virtual_size.width <= table.size.width
            for column in table.columns.values():
                assert column.get_render_width(table) >= cell_len(str(column.label)) + 2
        drill = screen.query_one("#sv-drill", DataTable)
        labels = [str(c.label) for c in drill.columns.values()]
        assert labels[3:5] == ["办件编号", "号票"]
        await pilot.press("r")  # the red cases: overdue ones say so in words
        await settle(pilot)
        days = [str(drill.get_row_at(i)[5]) for i in range(drill.row_count)]
        assert not any(d.startswith("-") for d in days)
        assert any(d.startswith("超期") for d in days) or days == []
