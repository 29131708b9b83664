"""The audit trail (supervisor, admin): search the events; check the hash chains (Ctrl+R).

The table has the focus: ↑/↓ move, Enter opens the full detail of an event (every field,
ID numbers masked).  Event kinds are in words and records are shown by their number or name.
Ctrl+F goes to the filters — user name, event kind (``staff`` finds every staff event,
``*.printed`` every print), record type, and a date range in the hall's calendar; Enter in
any filter searches and brings the focus back to the table.
"""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from hallterm.clock import fmt_local
from hallterm.db.services.audit import AuditRow, ChainReport
from hallterm.db.services.audit_view import EventDetail, entity_kind_label
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import plain
from hallterm.widgets.punctuation import colon

FILTERS = (
    ("audit-actor", N_("user name")),
    ("audit-kind", N_("kind, e.g. staff or *.printed")),
    ("audit-entity", N_("entity, e.g. applicant")),
    ("audit-from", N_("from YYYY-MM-DD")),
    ("audit-to", N_("to YYYY-MM-DD")),
)
MIN_DETAILS = 30  # the details column is never narrower; the line under the table shows all


def _date(value: str) -> date | None:
    value = value.strip()
    return date.fromisoformat(value) if value else None


class EventDetailScreen(ModalScreen[None]):
    """Every field of one event."""

    DEFAULT_CSS = """
    EventDetailScreen { align: center middle; }
    EventDetailScreen > VerticalScroll {
        width: 90%; height: 80%; border: round $accent; padding: 0 1; background: $panel;
    }
    """
    BINDINGS = [Binding("escape,enter,q", "close", N_("Close"))]

    def __init__(self, detail: EventDetail) -> None:
        super().__init__()
        self.detail = detail

    def compose(self) -> ComposeResult:
        d = self.detail
        text = Text()
        for label, value in (
            (_("Time"), fmt_local(d.at, with_seconds=True)),
            (_("Event kind"), f"{d.kind_label} ({d.kind})"),
            (_("Record"), f"{entity_kind_label(d.entity)} {d.entity_label}"),
            (_("Record id"), d.entity_id),
            (_("User"), d.actor),
            (_("Station"), d.station_code),
            (_("Seq"), str(d.seq)),
        ):
            text.append(colon(label), style="bold")
            text.append(f"{value}\n")
        text.append("\n")
        for key, value in d.fields:
            text.append(colon(key), style="bold")
            text.append(f"{value}\n")
        if d.tables:
            text.append(colon(_("Rows written")), style="bold")
            text.append(", ".join(d.tables) + "\n")
        text.append("\n")
        text.append(colon(_("Hash")), style="dim")
        text.append(d.hash + "\n", style="dim")
        text.append(colon(_("Previous hash")), style="dim")
        text.append(d.prev_hash + "\n", style="dim")
        with VerticalScroll():
            yield Static(_("Event detail"), classes="screen-title")
            yield Static(text, id="audit-detail")
            yield Static(_("Esc or Enter: back to the list"), classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)


class AuditScreen(BaseScreen):
    BINDINGS = [
        Binding("enter", "detail", N_("Detail"), show=False),
        Binding("ctrl+f", "focus_filters", N_("Filters")),
        Binding("ctrl+r", "verify", N_("Verify chains")),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    AuditScreen #audit-filters { height: 3; }
    AuditScreen #audit-filters Input { width: 1fr; }
    AuditScreen #audit-table { height: 1fr; }
    AuditScreen #audit-current { height: auto; max-height: 4; border-top: solid $panel-lighten-2; }
    """
    AUTO_FOCUS = "#audit-table"

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[AuditRow] = []
        self.chains: list[ChainReport] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(_("Audit trail"), classes="screen-title", id="audit-title")
        with Horizontal(id="audit-filters"):
            for wid, placeholder in FILTERS:
                yield Input(placeholder=_(placeholder), id=wid)
        yield Static("", classes="hint", id="audit-summary")
        yield Static("", id="audit-chains")
        table: DataTable[Text] = DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="audit-current")

    def on_mount(self) -> None:
        self._columns()
        self._search()

    def retranslate(self) -> None:
        self.query_one("#audit-title", Static).update(_("Audit trail"))
        for wid, placeholder in FILTERS:
            self.query_one(f"#{wid}", Input).placeholder = _(placeholder)
        self._columns()
        self._search()  # kinds and records are labelled in the language of the search
        self._show_chains()

    def _headers(self) -> tuple[str, ...]:
        return (
            _("Time"),
            _("Station"),
            _("Seq"),
            _("User"),
            _("Event kind"),
            _("Record"),
            _("Event details"),
        )

    def _columns(self, cells: list[list[Text]] | None = None) -> None:
        """Columns as wide as their content; the details take the rest of the width."""
        table = self.query_one("#audit-table", DataTable)
        table.clear(columns=True)
        headers = self._headers()
        widths = [cell_len(h) for h in headers[:-1]]
        for row in cells or []:
            for i, cell in enumerate(row[:-1]):
                widths[i] = max(widths[i], cell_len(cell.plain))
        for header, width in zip(headers, widths, strict=False):
            table.add_column(header, width=width)
        used = sum(widths) + 2 * len(headers) + 2  # cell padding and the scroll bar
        room = (table.size.width or self.app.size.width) - used
        table.add_column(headers[-1], width=max(MIN_DETAILS, room))

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self._search()
        self.query_one("#audit-table", DataTable).focus()

    def _search(self) -> None:
        values = {wid: self.query_one(f"#{wid}", Input).value.strip() for wid, _p in FILTERS}
        try:
            date_from, date_to = _date(values["audit-from"]), _date(values["audit-to"])
        except ValueError:
            self.query_one("#audit-summary", Static).update(
                Text(_("dates are written YYYY-MM-DD"), style="red")
            )
            return
        app = self.hall
        ctx = app.ctx()

        def job() -> list[AuditRow]:
            from hallterm.db.services.audit import search_events

            with app.store.read() as session:
                return search_events(
                    session,
                    ctx,
                    actor=values["audit-actor"] or None,
                    kind=values["audit-kind"] or None,
                    entity=values["audit-entity"] or None,
                    date_from=date_from,
                    date_to=date_to,
                    limit=500,
                )

        in_thread(self, job, self._loaded, group="audit", exclusive=True)

    def _loaded(self, rows: list[AuditRow]) -> None:
        self.rows = rows
        self._fill()

    def _fill(self) -> None:
        self.query_one("#audit-summary", Static).update(
            Text(
                _("{n} events (newest first, at most 500)").format(n=len(self.rows))
                + " · "
                + _("Enter: detail · Ctrl+F: filters")
            )
        )
        cells = [
            [
                plain(fmt_local(r.at, with_seconds=True)),
                plain(r.station_code),
                plain(r.seq),
                plain(r.actor),
                plain(
                    r.kind_label or r.kind,
                    "red" if r.kind.endswith(("login_failed", "login_refused")) else "",
                ),
                plain(f"{entity_kind_label(r.entity)} {r.entity_label or r.entity_id}"),
                plain(r.summary),
            ]
            for r in self.rows
        ]
        self._columns(cells)
        table = self.query_one("#audit-table", DataTable)
        for r, row in zip(self.rows, cells, strict=True):
            table.add_row(*row, key=r.id)
        self._show_current(0)

    @on(DataTable.RowHighlighted, "#audit-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_current(event.cursor_row)

    def _show_current(self, index: int) -> None:
        """The highlighted event's details in full, wrapped under the table."""
        text = self.rows[index].summary if 0 <= index < len(self.rows) else ""
        self.query_one("#audit-current", Static).update(plain(text))

    def action_detail(self) -> None:
        table = self.query_one("#audit-table", DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return
        event_id = self.rows[table.cursor_row].id
        app = self.app

        def job() -> EventDetail | None:
            from hallterm.db.services.audit_view import event_detail

            with app.store.read() as session:  # type: ignore[attr-defined]
                return event_detail(session, event_id)

        def done(detail: EventDetail | None) -> None:
            if detail is not None:
                self.app.push_screen(EventDetailScreen(detail))

        in_thread(self, job, done, group="audit-detail", exclusive=True)

    @on(DataTable.RowSelected, "#audit-table")
    def _selected(self, _event: DataTable.RowSelected) -> None:
        self.action_detail()

    def action_focus_filters(self) -> None:
        self.query_one("#audit-actor", Input).focus()

    def action_verify(self) -> None:
        app = self.hall
        self.query_one("#audit-chains", Static).update(_("Checking the event chains…"))

        def job() -> list[ChainReport]:
            from hallterm.db.services.audit import verify_store

            with app.store.read() as session:
                return verify_store(session)

        def done(reports: list[ChainReport]) -> None:
            self.chains = reports
            self._show_chains()

        in_thread(self, job, done, group="audit-verify", exclusive=True)

    def _show_chains(self) -> None:
        if self.chains is None:
            return
        text = Text()
        if not self.chains:
            text.append(_("No events yet."), style="dim")
        for c in self.chains:
            if c.ok:
                text.append(
                    _("station {station}: {n} events, chain intact").format(
                        station=c.station_code, n=c.events
                    )
                    + "\n",
                    style="green",
                )
            else:
                text.append(
                    _("station {station}: chain broken at position {position}: {problem}").format(
                        station=c.station_code, position=c.position, problem=c.problem
                    )
                    + "\n",
                    style="bold red",
                )
        self.query_one("#audit-chains", Static).update(text)

    def action_back(self) -> None:
        self.app.pop_screen()
