"""Interaction (F8): consultations, complaints and corrections — record, reply, print.

The list shows open items first by deadline: red once overdue, yellow on the last working
day.  ``n`` records a new item, Enter or ``r`` opens one to read and reply, ``p`` prints the
applicant's copy, ``f`` switches between open / overdue / all / answered.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Select, Static, TextArea

from hallterm.clock import fmt_local
from hallterm.db.services.interaction import (
    CHANNELS,
    KINDS,
    InteractionView,
    channel_label,
    kind_label,
)
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen, hall_of
from hallterm.screens.desk_common import printer_for
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import plain
from hallterm.widgets.punctuation import colon

FILTERS = ("open", "overdue", "all", "replied")
FILTER_LABELS = {
    "open": N_("open items"),
    "overdue": N_("overdue items"),
    "all": N_("all items"),
    "replied": N_("answered items"),
}
LIGHT_STYLE = {"red": "bold red", "yellow": "yellow", "green": "", "done": "dim"}

FORM_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 90; height: auto; max-height: 95%; border: round $accent; padding: 0 1;
    background: $panel;
}}
{name} Input, {name} Select {{ margin: 0 0 1 0; }}
{name} TextArea {{ height: 8; margin: 0 0 1 0; }}
{name} #reply-detail {{ height: auto; max-height: 14; }}
"""


def status_text(v: InteractionView) -> Text:
    if v.replied_at is not None:
        label = _("answered late") if v.replied_late else _("answered")
        return Text(label, style="dim")
    if v.overdue:
        return Text(
            _("overdue {n} working days").format(n=-(v.days_left or 0)), style=LIGHT_STYLE["red"]
        )
    if v.days_left == 0:
        return Text(_("due today"), style=LIGHT_STYLE["yellow"])
    return Text(
        _("{n} working days left").format(n=v.days_left), style=LIGHT_STYLE.get(v.light, "")
    )


class InteractionScreen(BaseScreen):
    BINDINGS = [
        Binding("n", "new", N_("New item")),
        Binding("r", "reply", N_("Read / reply")),
        Binding("p", "print_copy", N_("Print copy")),
        Binding("f", "filter", N_("Filter")),
        Binding("escape", "back", N_("Back")),
    ]
    AUTO_FOCUS = "#ia-table"

    def __init__(self) -> None:
        super().__init__()
        self.filter = "open"
        self.items: list[InteractionView] = []

    def compose_body(self) -> ComposeResult:
        yield Static(
            _("Consultations, complaints and corrections"), classes="screen-title", id="ia-title"
        )
        yield Static("", classes="hint", id="ia-summary")
        table: DataTable[Text] = DataTable(id="ia-table", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        self._columns()
        self._load()

    def retranslate(self) -> None:
        self.query_one("#ia-title", Static).update(_("Consultations, complaints and corrections"))
        self._columns()
        self._fill()

    def _columns(self) -> None:
        table = self.query_one("#ia-table", DataTable)
        table.clear(columns=True)
        for label in (
            _("Number"),
            _("Kind"),
            _("Channel"),
            _("Subject"),
            _("Contact"),
            _("Taken"),
            _("Reply due"),
            _("Status"),
        ):
            table.add_column(label)

    def _load(self) -> None:
        app = hall_of(self)
        status = self.filter
        today = app.clock.today()
        ctx = app.ctx()

        def job() -> list[InteractionView]:
            from hallterm.db.services.interaction import list_items

            with app.store.read() as session:
                return list_items(session, ctx, today, status=status)  # type: ignore[arg-type]

        in_thread(self, job, self._loaded, group="interaction", exclusive=True)

    def _loaded(self, items: list[InteractionView]) -> None:
        self.items = items
        self._fill()

    def _fill(self) -> None:
        overdue = sum(1 for v in self.items if v.overdue)
        summary = Text(
            _("Showing {filter}: {n}").format(
                filter=_(FILTER_LABELS[self.filter]), n=len(self.items)
            )
        )
        if overdue:
            summary.append("  ")
            summary.append(_("{n} overdue").format(n=overdue), style="bold red")
        summary.append("  " + _("f: change filter"), style="dim")
        self.query_one("#ia-summary", Static).update(summary)
        table = self.query_one("#ia-table", DataTable)
        table.clear()
        for v in self.items:
            style = LIGHT_STYLE["red"] if v.overdue else ""
            contact = " ".join(p for p in (v.contact_name, v.contact_phone) if p)
            table.add_row(
                plain(v.number, style),
                plain(kind_label(v.kind)),
                plain(channel_label(v.channel)),
                plain(v.subject, style),
                plain(contact),
                plain(fmt_local(v.taken_at)),
                plain(v.reply_due.isoformat(), style),
                status_text(v),
                key=v.id,
            )

    def _selected(self) -> InteractionView | None:
        table = self.query_one("#ia-table", DataTable)
        if not self.items or table.cursor_row is None or table.cursor_row >= len(self.items):
            return None
        return self.items[table.cursor_row]

    def action_filter(self) -> None:
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self._load()

    def action_new(self) -> None:
        def saved(view: InteractionView | None) -> None:
            if view is not None:
                self.app.notify(
                    _("Recorded {number}; reply due by {date}").format(
                        number=view.number, date=view.reply_due.isoformat()
                    ),
                    markup=False,
                )
                self._load()

        self.app.push_screen(NewItemScreen(), saved)

    @on(DataTable.RowSelected, "#ia-table")
    def _open(self, _event: DataTable.RowSelected) -> None:
        self.action_reply()

    def action_reply(self) -> None:
        view = self._selected()
        if view is None:
            return

        def closed(result: InteractionView | None) -> None:
            if result is not None:
                self.app.notify(_("Reply recorded"), markup=False)
            self._load()

        self.app.push_screen(ReplyScreen(view), closed)

    def action_print_copy(self) -> None:
        view = self._selected()
        if view is None:
            return
        app = hall_of(self)
        ctx = app.ctx()
        printer = printer_for(app)
        font = app.settings.font_path or None

        def job() -> tuple[object, str | None]:
            from hallterm.db.services.interaction import print_copy

            return print_copy(app.store, ctx, view.id, printer, font_path=font)

        def done(result: tuple[object, str | None]) -> None:
            path, message = result
            self.app.notify(
                message or _("Printed: {path}").format(path=path), title=_("Printed"), markup=False
            )

        in_thread(self, job, done, group="interaction-print")

    def action_back(self) -> None:
        self.app.pop_screen()


class NewItemScreen(ModalScreen[InteractionView | None]):
    """The form of a new item; Ctrl+S saves, Esc cancels.  Nothing typed is lost on an error."""

    DEFAULT_CSS = FORM_CSS.format(name="NewItemScreen")
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save")),
        Binding("escape", "cancel", N_("Cancel")),
    ]
    AUTO_FOCUS = "#ia-kind"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("New consultation, complaint or correction"), classes="screen-title")
            yield Select(
                [(kind_label(k), k) for k in KINDS], value=KINDS[0], allow_blank=False, id="ia-kind"
            )
            yield Select(
                [(channel_label(c), c) for c in CHANNELS],
                value=CHANNELS[0],
                allow_blank=False,
                id="ia-channel",
            )
            yield Input(placeholder=_("subject (required)"), id="ia-subject")
            yield Input(placeholder=_("matter code (optional)"), id="ia-matter")
            with Vertical(classes="row"):
                yield Input(placeholder=_("contact name"), id="ia-contact-name")
                yield Input(placeholder=_("contact phone"), id="ia-contact-phone")
            yield Static(_("What the applicant said (required):"), classes="hint")
            yield TextArea(id="ia-content")
            yield Static("", classes="error", id="ia-error")
            yield Static(_("Ctrl+S: save · Esc: cancel"), classes="hint")

    def action_save(self) -> None:
        app = hall_of(self)
        ctx = app.ctx()
        fields = {
            "kind": str(self.query_one("#ia-kind", Select).value),
            "channel": str(self.query_one("#ia-channel", Select).value),
            "subject": self.query_one("#ia-subject", Input).value,
            "matter_code": self.query_one("#ia-matter", Input).value or None,
            "contact_name": self.query_one("#ia-contact-name", Input).value,
            "contact_phone": self.query_one("#ia-contact-phone", Input).value,
            "content": self.query_one("#ia-content", TextArea).text,
        }

        def job() -> InteractionView:
            from hallterm.db.services.interaction import record_item

            with app.store.write() as session:
                return record_item(session, ctx, **fields)  # type: ignore[arg-type]

        def failed(message: str) -> None:
            self.query_one("#ia-error", Static).update(plain(message))

        in_thread(self, job, self.dismiss, failed, group="interaction-save", exclusive=True)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReplyScreen(ModalScreen[InteractionView | None]):
    """An item in full; an open one takes its reply (Ctrl+S), Esc closes."""

    DEFAULT_CSS = FORM_CSS.format(name="ReplyScreen")
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save reply")),
        Binding("escape", "cancel", N_("Close")),
    ]

    def __init__(self, view: InteractionView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        v = self.view
        detail = Text()
        for label, value in (
            (_("Number"), v.number),
            (_("Kind"), kind_label(v.kind)),
            (_("Channel"), channel_label(v.channel)),
            (_("Subject"), v.subject),
            (_("Matter"), v.matter_name or v.matter_code or "—"),
            (_("Contact"), " ".join(p for p in (v.contact_name, v.contact_phone) if p) or "—"),
            (_("Taken"), f"{fmt_local(v.taken_at)} · {v.taken_by_name or v.taken_by}"),
            (_("Reply due"), v.reply_due.isoformat()),
        ):
            detail.append(colon(label), style="bold")
            detail.append(f"{value}\n")
        detail.append(colon(_("Content")) + "\n", style="bold")
        detail.append(v.content + "\n")
        if v.replied_at is not None:
            detail.append(colon(_("Reply")) + "\n", style="bold")
            detail.append(v.reply + "\n")
            detail.append(
                _("Replied by {who} at {time}").format(
                    who=v.replied_by_name or v.replied_by, time=fmt_local(v.replied_at)
                ),
                style="dim",
            )
        with Vertical():
            yield Static(Text(v.number), classes="screen-title")
            with VerticalScroll(id="reply-detail"):
                yield Static(detail)
            if v.replied_at is None:
                yield Static(status_text(v))
                yield Static(_("Reply:"), classes="hint")
                yield TextArea(id="ia-reply")
                yield Static("", classes="error", id="ia-reply-error")
                yield Static(_("Ctrl+S: save the reply · Esc: close"), classes="hint")
            else:
                yield Static(_("Esc: close"), classes="hint")

    def on_mount(self) -> None:
        if self.view.replied_at is None:
            self.query_one("#ia-reply", TextArea).focus()

    def action_save(self) -> None:
        if self.view.replied_at is not None:
            return
        app = hall_of(self)
        ctx = app.ctx()
        text = self.query_one("#ia-reply", TextArea).text
        ref = self.view.id

        def job() -> InteractionView:
            from hallterm.db.services.interaction import reply_item

            with app.store.write() as session:
                return reply_item(session, ctx, ref, text)

        def failed(message: str) -> None:
            self.query_one("#ia-reply-error", Static).update(plain(message))

        in_thread(self, job, self.dismiss, failed, group="interaction-reply", exclusive=True)

    def action_cancel(self) -> None:
        self.dismiss(None)
