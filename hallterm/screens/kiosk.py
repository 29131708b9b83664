"""``hallterm kiosk``: the full-screen ticket machine at the hall's entrance.

No sign-in: pick a line (its number key, or arrows and Enter), optionally toggle 绿色通道
(G) or appointment (Y) and type the ID number, and get the number with the count of people
ahead in large digits (the waiting counts of the lines are aligned, wide characters counted
as two columns; F10 switches between Chinese and English).  Priority chosen here is only
requested: the clerk confirms it at the call, unless the ID number shows an age of 60 or more; the slip is printed (kept as PDF, sent to the printer when one is
configured).  After a few seconds, or any key, the machine is ready for the next person.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Digits, Input, OptionList, Static
from textual.widgets.option_list import Option

from hallterm.app_base import HallApp
from hallterm.clock import Clock, to_local
from hallterm.config import Settings
from hallterm.db.engine import Store
from hallterm.db.services import Actor, Ctx
from hallterm.db.services import queue as q
from hallterm.i18n import N_, _, current_language, set_language
from hallterm.screens.desk_common import printer_for
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import plain

# The unattended ticket machine holds no role: it may only issue tickets.
KIOSK = Actor(staff_id="", username="kiosk", name="kiosk", role="", station_code="")
SHOW_SECONDS = 12.0


class KioskScreen(Screen[None]):
    BINDINGS = [
        Binding("g", "toggle('priority')", N_("Priority (绿色通道)")),
        Binding("y", "toggle('appointment')", N_("Appointment")),
        Binding("i", "focus_id", N_("ID number")),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(1, 10)),
        Binding("escape", "reset", N_("Start again")),
    ]
    DEFAULT_CSS = """
    KioskScreen { align: center middle; }
    KioskScreen #kiosk-box { width: 90; height: auto; border: heavy $accent; padding: 1 2; }
    KioskScreen #kiosk-title { text-align: center; text-style: bold; height: 2; }
    KioskScreen #kiosk-lines { height: auto; max-height: 14; margin: 1 0; }
    KioskScreen #kiosk-flags { height: auto; margin-bottom: 1; }
    KioskScreen #kiosk-choose { height: auto; }
    KioskScreen #kiosk-slip { height: auto; display: none; }
    KioskScreen #kiosk-slip Center { height: auto; }
    KioskScreen #kiosk-number { width: auto; }
    KioskScreen #kiosk-slip-text { text-align: center; }
    KioskScreen.showing #kiosk-slip { display: block; }
    KioskScreen.showing #kiosk-choose { display: none; }
    """
    AUTO_FOCUS = "#kiosk-lines"

    def __init__(self) -> None:
        super().__init__()
        self.categories: list[q.CategoryView] = []
        self.lines: dict[str, int] = {}
        self.priority = False
        self.appointment = False
        self.last: q.TicketView | None = None
        self.station_name = ""
        self._busy = False
        self._timer: Any = None

    def compose(self) -> ComposeResult:
        with Vertical(id="kiosk-box"):
            yield Static("", id="kiosk-title")
            with Vertical(id="kiosk-choose"):
                yield Static(
                    _("Choose your matter: press its number, or ↑/↓ and Enter"),
                    classes="hint",
                    id="kiosk-hint",
                )
                yield OptionList(id="kiosk-lines")
                yield Static("", id="kiosk-flags")
                yield Input(
                    id="kiosk-id",
                    placeholder=_("ID number (optional, press I): then Enter"),
                )
                yield Static("", classes="error", id="kiosk-error")
            with Vertical(id="kiosk-slip"):
                with Center():
                    yield Digits("", id="kiosk-number")
                yield Static("", id="kiosk-slip-text")
            yield Static("F10  中文 / English", classes="hint", id="kiosk-lang")

    def on_mount(self) -> None:
        self._render_flags()
        self.load()
        self.set_interval(10, self.load)

    def load(self) -> None:
        app: Any = self.app

        def job() -> tuple[str, list[q.CategoryView], dict[str, int]]:
            from hallterm.db.services.setup import own_station

            with app.store.read() as session:
                st = own_station(session)
                day = to_local(app.clock.now()).date()
                counts = {c.category: c.waiting for c in q.line_counts(session, st.code, day)}
                app.station_code, app.station_name = st.code, st.name
                return st.name, q.categories(session), counts

        in_thread(self, job, self._loaded, group="kiosk-load", exclusive=True)

    def _loaded(self, data: tuple[str, list[q.CategoryView], dict[str, int]]) -> None:
        self.station_name, self.categories, self.lines = data
        self._fill()

    def retranslate(self) -> None:
        self.query_one("#kiosk-hint", Static).update(
            _("Choose your matter: press its number, or ↑/↓ and Enter")
        )
        self.query_one("#kiosk-id", Input).placeholder = _(
            "ID number (optional, press I): then Enter"
        )
        self._render_flags()
        self._fill()
        if self.last is not None and self.has_class("showing"):
            self._slip(self.last, None)

    def _fill(self) -> None:
        self.query_one("#kiosk-title", Static).update(
            Text(_("{station} · take a number").format(station=self.station_name))
        )
        menu = self.query_one("#kiosk-lines", OptionList)
        highlighted = menu.highlighted
        menu.clear_options()
        # Names padded to one display width (CJK characters take two columns), counts
        # right-aligned, so the counts stand in one column.
        width = max((cell_len(c.name) for c in self.categories), default=0)
        counts = [_("{n} waiting").format(n=self.lines.get(c.code, 0)) for c in self.categories]
        count_width = max((cell_len(t) for t in counts), default=0)
        for n, (c, count) in enumerate(zip(self.categories, counts, strict=True), 1):
            menu.add_option(
                Option(
                    Text.assemble(
                        (f" {n}  ", "bold reverse"),
                        (f"  {c.prefix}  ", "bold"),
                        c.name + " " * (width - cell_len(c.name)),
                        ("   " + " " * (count_width - cell_len(count)) + count, "dim"),
                    ),
                    id=c.code,
                )
            )
        if menu.option_count:
            keep = highlighted is not None and highlighted < menu.option_count
            menu.highlighted = highlighted if keep else 0

    def _render_flags(self) -> None:
        yes, no = _("yes"), _("no")
        self.query_one("#kiosk-flags", Static).update(
            Text.assemble(
                (_("Priority (绿色通道, G): "), "bold"),
                (yes if self.priority else no, "bold green" if self.priority else ""),
                "    ",
                (_("Appointment (Y): "), "bold"),
                (yes if self.appointment else no, "bold cyan" if self.appointment else ""),
            )
        )

    async def action_toggle(self, attribute_name: str) -> None:
        await super().action_toggle(attribute_name)
        self._render_flags()

    def action_focus_id(self) -> None:
        self.query_one("#kiosk-id", Input).focus()

    def action_pick(self, n: int) -> None:
        if self.has_class("showing"):
            self.action_reset()
            return
        if 1 <= n <= len(self.categories):
            self._issue(self.categories[n - 1].code)
        elif self.categories:
            self.query_one("#kiosk-error", Static).update(
                plain(
                    _("There is no line {n}: press 1 to {last}.").format(
                        n=n, last=len(self.categories)
                    )
                )
            )

    @on(OptionList.OptionSelected, "#kiosk-lines")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._issue(event.option.id)

    @on(Input.Submitted, "#kiosk-id")
    def _id_done(self) -> None:
        self.query_one("#kiosk-lines", OptionList).focus()

    def _issue(self, category: str) -> None:
        if self._busy or not getattr(self.app, "station_code", ""):
            return
        self._busy = True
        app: Any = self.app
        id_number = self.query_one("#kiosk-id", Input).value.strip() or None
        priority, appointment = self.priority, self.appointment

        def job() -> tuple[q.TicketView, str | None]:
            with app.store.write() as session:
                ticket = q.issue_ticket(
                    session,
                    app.kiosk_ctx(),
                    category,
                    priority=priority,
                    appointment=appointment,
                    id_number=id_number,
                )
            return ticket, app.print_ticket(ticket)

        in_thread(self, job, self._issued, self._failed, group="kiosk-issue")

    def _issued(self, result: tuple[q.TicketView, str | None]) -> None:
        self._busy = False
        ticket, printer_message = result
        self.last = ticket
        self.query_one("#kiosk-error", Static).update("")
        self._slip(ticket, printer_message)
        self.add_class("showing")
        self._timer = self.set_timer(SHOW_SECONDS, self.action_reset)
        self.load()

    def _slip(self, ticket: q.TicketView, printer_message: str | None) -> None:
        self.query_one("#kiosk-number", Digits).update(ticket.number)
        text = Text(justify="center")
        text.append(f"{ticket.category_name}\n", "bold")
        if ticket.priority_to_confirm:
            text.append(
                _("Priority (绿色通道) requested: the clerk confirms it at the window") + "\n",
                "bold yellow",
            )
        elif ticket.priority:
            text.append(_("Priority (绿色通道)") + "\n", "bold green")
        text.append(_("{n} people ahead of you").format(n=ticket.ahead or 0) + "\n", "bold")
        text.append(_("Please take your slip and wait for your number to be called.") + "\n")
        if printer_message:
            text.append(printer_message + "\n", "dim")
        self.query_one("#kiosk-slip-text", Static).update(text)

    def _failed(self, message: str) -> None:
        self._busy = False
        self.query_one("#kiosk-error", Static).update(plain(message))

    def action_reset(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.remove_class("showing")
        self.priority = self.appointment = False
        self._render_flags()
        self.query_one("#kiosk-id", Input).value = ""
        self.query_one("#kiosk-error", Static).update("")
        self.query_one("#kiosk-lines", OptionList).focus()

    def on_key(self, event: Any) -> None:
        # Any key on the slip brings the next person back to the choice.
        if self.has_class("showing") and event.key not in ("ctrl+q", "f10"):
            event.stop()
            self.action_reset()


class KioskApp(HallApp):  # keys in order: an ID card reader types in bursts (key_order)
    """The ticket machine as its own small application (no sign-in)."""

    TITLE = "hallterm kiosk"
    BINDINGS = [
        Binding("f10", "toggle_language", N_("中文/English"), priority=True),
        Binding("ctrl+q", "quit", N_("Quit"), show=False, priority=True),
    ]

    def __init__(
        self,
        store: Store,
        settings: Settings,
        clock: Clock | None = None,
        language: str | None = None,
        printer: Any = None,
        print_slips: bool = True,
    ) -> None:
        super().__init__(store, settings, clock=clock, language=language)
        self.printer = printer
        self.print_slips = print_slips
        self.station_code = ""
        self.station_name = ""

    def on_mount(self) -> None:
        self.push_screen(KioskScreen())

    def action_toggle_language(self) -> None:
        set_language("en" if current_language() != "en" else "zh_CN")
        for screen in self.screen_stack:
            retranslate = getattr(screen, "retranslate", None)
            if retranslate is not None:
                retranslate()
        self.refresh_bindings()

    def kiosk_ctx(self) -> Ctx:
        return Ctx(actor=KIOSK, station_code=self.station_code, clock=self.clock)

    def print_ticket(self, ticket: q.TicketView) -> str | None:
        """Draw the slip and send it (called in the worker); a message when printing failed."""
        if not self.print_slips:
            return None
        from hallterm.printing.fonts import FontNotFound
        from hallterm.printing.report import render_ticket

        printer = printer_for(self)
        try:
            path = render_ticket(
                ticket,
                printer.pdf_path("ticket", ticket.number),
                station_name=self.station_name,
                font_path=self.settings.font_path or None,
            )
        except FontNotFound as exc:
            return str(exc)
        return printer.send(path)
