"""The clerk's queue panel (F5): call the next ticket, recall, no-show, transfer, serve, finish.

Starting the service opens the front desk for the applicant (the desk screen when it is
installed; otherwise the ticket's masked ID number is shown to type there).  Finishing links
the case registered meanwhile to the ticket; the applicant then rates on the rating terminal
paired with this window (``hallterm rate --window N``), never on the clerk's own screen.  A
priority ticket asked for at the kiosk is confirmed (G) or refused (Shift+G) at the call; a
ticket can be called by its number ahead of its turn (K) with a reason.  A key pressed out of
order says what to do instead.  The panel refreshes itself every few seconds; every service
call runs in a thread worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Static

from hallterm.db.services import queue as q
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.window_dialogs import CallNumberScreen, LinesScreen, TransferScreen
from hallterm.screens.window_text import NO_WINDOW_HELP, guide, lines_text, ticket_text
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import plain

REFRESH_SECONDS = 3.0


def _minutes(seconds: float) -> str:
    return _("{n} min").format(n=int(seconds // 60))


class QueueWindowScreen(BaseScreen):
    """This window's ticket and lines, with one key per move."""

    BINDINGS = [
        Binding("n", "call_next", N_("Call next")),
        Binding("r", "recall", N_("Recall")),
        Binding("x", "no_show", N_("No-show")),
        Binding("s", "start", N_("Start service")),
        Binding("f", "finish", N_("Finish")),
        Binding("t", "transfer", N_("Transfer")),
        Binding("g", "priority(True)", N_("Confirm priority"), show=False),
        Binding("G", "priority(False)", N_("Refuse priority"), show=False),
        Binding("k", "call_number", N_("Call by number"), show=False),
        Binding("c", "lines", N_("Lines"), show=False),
        Binding("p", "pause", N_("Pause/open"), show=False),
        Binding("v", "rate", N_("Rating"), show=False),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    QueueWindowScreen #qw-body { height: 1fr; padding: 0 1; }
    QueueWindowScreen #qw-current { width: 1fr; height: auto; border: round $success; padding: 0 1; }
    QueueWindowScreen #qw-number { width: auto; }
    QueueWindowScreen #qw-lines { width: 44; height: auto; border: round $panel-lighten-2; padding: 0 1; }
    QueueWindowScreen #qw-top { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.panel: q.WindowPanel | None = None
        self.categories: list[q.CategoryView] = []
        self._busy = False

    @property
    def window(self) -> str:
        return str(getattr(self.app, "window", "") or "")

    def compose_body(self) -> ComposeResult:
        with Vertical(id="qw-body"):
            yield Static("", classes="screen-title", id="qw-title")
            with Horizontal(id="qw-top"):
                with Vertical(id="qw-current"):
                    yield Digits("---", id="qw-number")
                    yield Static("", id="qw-ticket")
                yield Static("", id="qw-lines")
            yield Static("", id="qw-message")
            yield Static("", classes="hint", id="qw-hint")

    def on_mount(self) -> None:
        self._redraw()
        self.refresh_panel()
        self.set_interval(REFRESH_SECONDS, self.refresh_panel)

    def retranslate(self) -> None:
        self._redraw()

    # -- data ------------------------------------------------------------------------------

    def refresh_panel(self) -> None:
        app: Any = self.app
        window = self.window
        if not window:
            return

        def job() -> tuple[q.WindowPanel, list[q.CategoryView]]:
            with app.store.read() as session:
                return q.window_panel(session, app.ctx(), window), q.categories(session)

        in_thread(self, job, self._loaded, self._message, group="qw-refresh", exclusive=True)

    def _loaded(self, data: tuple[q.WindowPanel, list[q.CategoryView]]) -> None:
        self.panel, self.categories = data
        self._redraw()

    def _redraw(self) -> None:
        if not self.window:
            self.query_one("#qw-title", Static).update(Text(_("Queue")))
            self.query_one("#qw-ticket", Static).update(Text(NO_WINDOW_HELP()))
            self.query_one("#qw-hint", Static).update("")
            return
        self.query_one("#qw-title", Static).update(
            Text(_("Window {window} · queue").format(window=self.window))
        )
        self.query_one("#qw-hint", Static).update(
            _(
                "N call next · R recall · X no-show · S start service (front desk) · "
                "F finish · T transfer · G / Shift+G confirm or refuse priority · "
                "K call a number out of turn · C lines · P pause · the applicant rates on "
                "the rating terminal of this window"
            )
        )
        panel = self.panel
        number = self.query_one("#qw-number", Digits)
        ticket = self.query_one("#qw-ticket", Static)
        if panel is None:
            return
        cur = panel.current
        if cur is None:
            number.update("---")
            ticket.update(Text(_("No ticket at this window. Press N to call the next one.")))
        else:
            number.update(cur.number)
            ticket.update(ticket_text(cur))
        self.query_one("#qw-lines", Static).update(lines_text(panel))

    def _message(self, text: str) -> None:
        self.query_one("#qw-message", Static).update(plain(text, style="bold red"))

    def _info(self, text: str) -> None:
        self.query_one("#qw-message", Static).update(plain(text, style="bold"))

    # -- moves -----------------------------------------------------------------------------

    def _run(self, call: Callable[[Any, Any], Any], done: Callable[[Any], None]) -> None:
        if self._busy:
            return
        self._busy = True
        app: Any = self.app

        def job() -> Any:
            ctx = app.ctx()
            return q.run_write(app.store, lambda session: call(session, ctx))

        def finished(result: Any) -> None:
            self._busy = False
            done(result)
            self.refresh_panel()

        def failed(message: str) -> None:
            self._busy = False
            self._message(message)
            self.refresh_panel()

        in_thread(self, job, finished, failed, group="qw-move")

    # -- guidance: what to do instead of a key pressed out of order ------------------------

    def _holding(self) -> q.TicketView | None:
        return self.panel.current if self.panel else None

    def _guided(self, action: str) -> bool:
        advice = guide(action, self.window, self._holding())
        if advice is not None:
            self._message(advice)
            return False
        return True

    def action_call_next(self) -> None:
        if not self._guided("call_next"):
            return
        window = self.window

        def done(t: q.TicketView | None) -> None:
            if t is None:
                self._info(_("Nobody is waiting in the lines of this window."))
            elif t.priority_to_confirm:
                self._info(
                    _(
                        "Called {number}, who asked for the priority lane: G confirms, "
                        "Shift+G refuses."
                    ).format(number=t.number)
                )
            else:
                self._info(_("Called {number}.").format(number=t.number))

        self._run(lambda s, c: q.call_next(s, c, window), done)

    def action_call_number(self) -> None:
        if not self._guided("call_number"):
            return
        window = self.window

        def chosen(choice: tuple[str, str] | None) -> None:
            if not choice:
                return
            number, reason = choice

            def done(t: q.TicketView) -> None:
                if t.out_of_order:
                    self._info(
                        _("Called {number} out of turn; the reason is logged.").format(
                            number=t.number
                        )
                    )
                else:
                    self._info(_("Called {number}.").format(number=t.number))

            self._run(lambda s, c: q.call_number(s, c, window, number, reason), done)

        self.app.push_screen(CallNumberScreen(), chosen)

    def action_priority(self, granted: bool) -> None:
        if not self._guided("priority"):
            return
        cur = self._holding()
        assert cur is not None

        def done(t: q.TicketView) -> None:
            if granted:
                self._info(
                    _("{number}: priority confirmed. S starts the service.").format(number=t.number)
                )
            else:
                self._info(
                    _(
                        "{number}: priority refused; the ticket waits at its place in the "
                        "ordinary line. N calls the next one."
                    ).format(number=t.number)
                )

        self._run(lambda s, c: q.confirm_priority(s, c, cur.id, granted=granted), done)

    def action_recall(self) -> None:
        if not self._guided("recall"):
            return
        cur = self._holding()
        assert cur is not None
        self._run(
            lambda s, c: q.recall(s, c, cur.id),
            lambda t: self._info(_("Called {number} again.").format(number=t.number)),
        )

    def action_no_show(self) -> None:
        if not self._guided("no_show"):
            return
        cur = self._holding()
        assert cur is not None

        def done(t: q.TicketView) -> None:
            if t.status == q.TicketStatus.waiting:
                self._info(
                    _("{number} did not come: back to the end of the line (once).").format(
                        number=t.number
                    )
                )
            else:
                self._info(
                    _("{number} did not come again: the ticket is over.").format(number=t.number)
                )

        self._run(lambda s, c: q.no_show(s, c, cur.id), done)

    def action_start(self) -> None:
        if not self._guided("start"):
            return
        cur = self._holding()
        assert cur is not None
        self._run(lambda s, c: q.start_service(s, c, cur.id), self._open_desk)

    def _open_desk(self, t: q.TicketView) -> None:
        """The front desk for this applicant; the case registered there is linked to the ticket."""
        from hallterm.screens.desk import DeskScreen

        hint = _("Serving {number}.").format(number=t.number)
        if t.id_masked:
            hint += " " + _("ID number typed at the kiosk: {id}.").format(id=t.id_masked)
        self._info(hint)
        self.app.push_screen(DeskScreen(applicant_id=t.applicant_id, ticket_id=t.id))

    def action_finish(self) -> None:
        if not self._guided("finish"):
            return
        cur = self._holding()
        assert cur is not None
        window = self.window
        self._run(
            lambda s, c: q.finish(s, c, cur.id),
            lambda t: self._info(
                _(
                    "{number} is finished. The applicant rates the service on the rating "
                    "terminal of window {window}."
                ).format(number=t.number, window=window)
            ),
        )

    def action_rate(self) -> None:
        """The clerk's screen never takes a rating: only the applicant's terminal does."""
        self._message(
            _(
                "A clerk cannot rate the service. The applicant rates on the rating terminal "
                "of this window: hallterm rate --window {window}"
            ).format(window=self.window or "N")
        )

    def action_transfer(self) -> None:
        if not self._guided("transfer"):
            return
        cur = self._holding()
        assert cur is not None

        def chosen(choice: tuple[str | None, str | None] | None) -> None:
            if not choice:
                return
            category, window = choice
            self._run(
                lambda s, c: q.transfer(s, c, cur.id, category=category, window=window),
                lambda t: self._info(
                    _("{number} is transferred and waits again.").format(number=t.number)
                ),
            )

        self.app.push_screen(TransferScreen(self.categories, cur.category), chosen)

    def action_lines(self) -> None:
        if not self._guided("lines"):
            return
        chosen_now = self.panel.window.categories if self.panel else ()
        window = self.window

        def chosen(codes: list[str] | None) -> None:
            if codes is None:
                return
            self._run(
                lambda s, c: q.set_window(s, c, window, categories=codes),
                lambda _w: self._info(_("The lines of this window are saved.")),
            )

        self.app.push_screen(LinesScreen(self.categories, chosen_now), chosen)

    def action_pause(self) -> None:
        if not self._guided("pause"):
            return
        status = self.panel.window.status if self.panel else q.WindowStatus.open
        new = q.WindowStatus.paused if status == q.WindowStatus.open else q.WindowStatus.open
        window = self.window
        self._run(
            lambda s, c: q.set_window(s, c, window, status=new),
            lambda w: self._info(
                _("Window {window} is {status}.").format(
                    window=w.window, status=q.window_status_label(w.status)
                )
            ),
        )

    def action_back(self) -> None:
        self.app.pop_screen()
