"""The clerk's queue panel (F5): call the next ticket, recall, no-show, transfer, serve, finish.

Starting the service opens the front desk for the applicant (the desk screen when it is
installed; otherwise the ticket's masked ID number is shown to type there).  Finishing links
the case registered meanwhile to the ticket and turns the rating dialog to the applicant.
The panel refreshes itself every few seconds; every service call runs in a thread worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Digits, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from hallterm.clock import fmt_local
from hallterm.db.services import queue as q
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.desk_common import in_thread
from hallterm.screens.rating import RatingScreen
from hallterm.widgets.plain import plain

REFRESH_SECONDS = 3.0


def _minutes(seconds: float) -> str:
    return _("{n} min").format(n=int(seconds // 60))


class TransferScreen(ModalScreen[tuple[str | None, str | None] | None]):
    """Choose the line (queue category) or type the window to send the applicant to."""

    DEFAULT_CSS = """
    TransferScreen { align: center middle; }
    TransferScreen > Vertical {
        width: 70; height: auto; border: round $accent; padding: 0 1; background: $panel;
    }
    TransferScreen OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#transfer-lines"

    def __init__(self, categories: list[q.CategoryView], current: str) -> None:
        super().__init__()
        self.categories = categories
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Transfer the applicant"), classes="screen-title")
            yield Static(_("to another line (Enter) …"), classes="hint")
            lines = OptionList(id="transfer-lines")
            for c in self.categories:
                if c.code != self.current:
                    lines.add_option(Option(Text(f"{c.prefix}  {c.name}"), id=c.code))
            yield lines
            yield Static(_("… or to a window: type its number and Enter"), classes="hint")
            yield Input(id="transfer-window", placeholder=_("window number"))

    def on_mount(self) -> None:
        lines = self.query_one("#transfer-lines", OptionList)
        if lines.option_count:
            lines.highlighted = 0

    @on(OptionList.OptionSelected, "#transfer-lines")
    def _line(self, event: OptionList.OptionSelected) -> None:
        self.dismiss((event.option.id, None))

    @on(Input.Submitted, "#transfer-window")
    def _window(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss((None, event.value.strip()))

    def action_cancel(self) -> None:
        self.dismiss(None)


class LinesScreen(ModalScreen[list[str] | None]):
    """Which lines this window serves (none ticked: all of them)."""

    DEFAULT_CSS = """
    LinesScreen { align: center middle; }
    LinesScreen > Vertical {
        width: 70; height: auto; border: round $accent; padding: 0 1; background: $panel;
    }
    LinesScreen SelectionList { height: auto; max-height: 14; }
    """
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("ctrl+s", "save", N_("Save")),
    ]
    AUTO_FOCUS = "#lines-list"

    def __init__(self, categories: list[q.CategoryView], chosen: tuple[str, ...]) -> None:
        super().__init__()
        self.categories = categories
        self.chosen = chosen

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Lines served by this window"), classes="screen-title")
            yield SelectionList[str](
                *(
                    (f"{c.prefix}  {c.name}", c.code, c.code in self.chosen)
                    for c in self.categories
                ),
                id="lines-list",
            )
            yield Static(
                _("Space ticks a line · Ctrl+S saves · none ticked: every line"), classes="hint"
            )

    def action_save(self) -> None:
        self.dismiss(list(self.query_one("#lines-list", SelectionList).selected))

    def action_cancel(self) -> None:
        self.dismiss(None)


class QueueWindowScreen(BaseScreen):
    """This window's ticket and lines, with one key per move."""

    BINDINGS = [
        Binding("n", "call_next", N_("Call next")),
        Binding("r", "recall", N_("Recall")),
        Binding("x", "no_show", N_("No-show")),
        Binding("s", "start", N_("Start service")),
        Binding("f", "finish", N_("Finish")),
        Binding("t", "transfer", N_("Transfer")),
        Binding("c", "lines", N_("Lines")),
        Binding("p", "pause", N_("Pause/open")),
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

        def job() -> tuple[q.WindowPanel, list[q.CategoryView]]:
            with app.store.read() as session:
                return q.window_panel(session, app.ctx(), window), q.categories(session)

        in_thread(self, job, self._loaded, self._message, group="qw-refresh", exclusive=True)

    def _loaded(self, data: tuple[q.WindowPanel, list[q.CategoryView]]) -> None:
        self.panel, self.categories = data
        self._redraw()

    def _redraw(self) -> None:
        self.query_one("#qw-title", Static).update(
            Text(_("Window {window} · queue").format(window=self.window))
        )
        self.query_one("#qw-hint", Static).update(
            _(
                "N call next · R recall · X no-show · S start service (front desk) · "
                "F finish and rate · T transfer · C lines · P pause"
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
            info = Text()
            info.append(f"{cur.category_name} · {q.ticket_status_label(cur.status)}\n", "bold")
            if cur.priority:
                info.append(_("priority (绿色通道)") + "\n", "bold green")
            if cur.appointment:
                info.append(_("appointment") + "\n", "cyan")
            info.append(
                _("called {at}, recalled {n} times").format(
                    at=fmt_local(cur.called_at), n=cur.recalls
                )
                + "\n"
            )
            if cur.started_at:
                info.append(_("serving since {at}").format(at=fmt_local(cur.started_at)) + "\n")
            if cur.applicant_name:
                info.append(_("applicant: {name}").format(name=cur.applicant_name) + "\n")
            if cur.id_masked:
                info.append(_("ID number at the kiosk: {id}").format(id=cur.id_masked) + "\n")
            if cur.case_number:
                info.append(_("case: {number}").format(number=cur.case_number) + "\n")
            ticket.update(info)
        w = panel.window
        lines = Text()
        lines.append(
            _("Window {window}: {status}").format(
                window=w.window, status=q.window_status_label(w.status)
            )
            + "\n",
            "bold",
        )
        lines.append(_("served today: {n}").format(n=w.served_today) + "\n")
        if panel.directed:
            lines.append(_("sent to this window: {n}").format(n=panel.directed) + "\n", "yellow")
        for line in panel.lines:
            lines.append(f"{line.prefix} {line.name}: ")
            lines.append(_("{n} waiting").format(n=line.waiting) + "\n", "bold")
        if not w.categories:
            lines.append(_("(serves every line)"), "dim")
        self.query_one("#qw-lines", Static).update(lines)

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
            with app.store.write() as session:
                return call(session, app.ctx())

        def finished(result: Any) -> None:
            self._busy = False
            done(result)
            self.refresh_panel()

        def failed(message: str) -> None:
            self._busy = False
            self._message(message)
            self.refresh_panel()

        in_thread(self, job, finished, failed, group="qw-move")

    def _current(self) -> q.TicketView | None:
        cur = self.panel.current if self.panel else None
        if cur is None:
            self._message(_("There is no ticket at this window."))
        return cur

    def action_call_next(self) -> None:
        window = self.window

        def done(t: q.TicketView | None) -> None:
            if t is None:
                self._info(_("Nobody is waiting in the lines of this window."))
            else:
                self._info(_("Called {number}.").format(number=t.number))

        self._run(lambda s, c: q.call_next(s, c, window), done)

    def action_recall(self) -> None:
        cur = self._current()
        if cur is not None:
            self._run(
                lambda s, c: q.recall(s, c, cur.id),
                lambda t: self._info(_("Called {number} again.").format(number=t.number)),
            )

    def action_no_show(self) -> None:
        cur = self._current()
        if cur is None:
            return

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
        cur = self._current()
        if cur is not None:
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
        cur = self._current()
        if cur is not None:
            self._run(lambda s, c: q.finish(s, c, cur.id), self._rate)

    def _rate(self, t: q.TicketView) -> None:
        self._info(_("{number} is finished.").format(number=t.number))
        title = t.number + (f" · {t.case_number}" if t.case_number else "")
        self.app.push_screen(
            RatingScreen(ticket_id=t.id, case_id=t.case_id, title=title),
            lambda _level: self.refresh_panel(),
        )

    def action_transfer(self) -> None:
        cur = self._current()
        if cur is None:
            return

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
