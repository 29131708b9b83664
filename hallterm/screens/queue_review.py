"""The supervisor's review of today's windows (O on the dashboard), against cherry-picking.

Each window's calls, its calls out of turn and its idle time (open and holding no ticket,
from its first call; paused time excluded), and every ticket called by its number ahead of
its turn, with who called it, the reason and how many tickets it skipped.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from hallterm.clock import fmt_local, to_local
from hallterm.db.services import queue as q
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import plain

REFRESH_SECONDS = 10.0


def _minutes(seconds: float) -> str:
    return str(int(seconds // 60))


class QueueReviewScreen(BaseScreen):
    BINDINGS = [Binding("escape", "back", N_("Back"))]
    DEFAULT_CSS = """
    QueueReviewScreen #qr-body { height: 1fr; padding: 0 1; }
    QueueReviewScreen #qr-windows { height: auto; max-height: 14; }
    QueueReviewScreen #qr-calls { height: 1fr; min-height: 6; }
    """
    AUTO_FOCUS = "#qr-windows"

    def __init__(self) -> None:
        super().__init__()
        self.review: q.DayReview | None = None

    def compose_body(self) -> ComposeResult:
        with Vertical(id="qr-body"):
            yield Static("", classes="screen-title", id="qr-title")
            yield DataTable(id="qr-windows", cursor_type="row", zebra_stripes=True)
            yield Static("", classes="screen-title", id="qr-calls-title")
            yield DataTable(id="qr-calls", cursor_type="row", zebra_stripes=True)
            yield Static("", classes="hint", id="qr-hint")

    def on_mount(self) -> None:
        self.retranslate()
        self.refresh_data()
        self.set_interval(REFRESH_SECONDS, self.refresh_data)

    def retranslate(self) -> None:
        self.query_one("#qr-title", Static).update(_("Windows today: calls and idle time"))
        self.query_one("#qr-calls-title", Static).update(_("Tickets called out of turn"))
        self.query_one("#qr-hint", Static).update(
            _(
                "Idle: open and holding no ticket, from the window's first call (paused time "
                "not counted). Tab switches tables · Esc back"
            )
        )
        windows = self.query_one("#qr-windows", DataTable)
        windows.clear(columns=True)
        for label in (
            _("Window"),
            _("Calls"),
            _("Out of turn"),
            _("Idle (min)"),
            _("Longest idle (min)"),
            _("Free since"),
        ):
            windows.add_column(label)
        calls = self.query_one("#qr-calls", DataTable)
        calls.clear(columns=True)
        for label in (
            _("Time"),
            _("Window"),
            _("Ticket"),
            _("Called by"),
            _("Skipped"),
            _("Reason"),
        ):
            calls.add_column(label)
        self._fill()

    def refresh_data(self) -> None:
        app: Any = self.app

        def job() -> q.DayReview:
            ctx = app.ctx()
            now = app.clock.now()
            with app.store.read() as session:
                return q.day_review(session, ctx.station_code, to_local(now).date(), now)

        in_thread(self, job, self._loaded, group="qr-refresh", exclusive=True)

    def _loaded(self, review: q.DayReview) -> None:
        self.review = review
        self._fill()

    def _fill(self) -> None:
        review = self.review
        if review is None:
            return
        windows = self.query_one("#qr-windows", DataTable)
        windows.clear()
        for w in review.windows:
            windows.add_row(
                plain(w.window),
                plain(w.calls),
                plain(w.out_of_order, "bold yellow" if w.out_of_order else ""),
                plain(_minutes(w.idle_seconds)),
                plain(_minutes(w.longest_idle_seconds)),
                plain(fmt_local(w.free_since) if w.free_since else "—"),
            )
        calls = self.query_one("#qr-calls", DataTable)
        calls.clear()
        for c in review.out_of_order:
            calls.add_row(
                plain(fmt_local(c.at)),
                plain(c.window),
                plain(c.number),
                plain(c.clerk_name),
                plain(c.skipped),
                plain(c.reason),
            )
        if not review.out_of_order:
            calls.add_row(Text(_("none today"), style="dim"), *(Text("") for _i in range(5)))

    def action_back(self) -> None:
        self.app.pop_screen()
