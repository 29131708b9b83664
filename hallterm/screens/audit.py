"""The audit trail (supervisor, admin): search the events; check the hash chains (Ctrl+R).

Filters: user name, event kind (``staff`` finds every staff event, ``*.printed`` every
print), entity, and a date range in the hall's calendar.  Enter in any filter searches.
Summaries never show row values or full ID numbers.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Static

from hallterm.clock import fmt_local
from hallterm.db.services.audit import AuditRow, ChainReport
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.desk_common import in_thread
from hallterm.widgets.plain import plain

FILTERS = (
    ("audit-actor", N_("user name")),
    ("audit-kind", N_("kind, e.g. staff or *.printed")),
    ("audit-entity", N_("entity, e.g. applicant")),
    ("audit-from", N_("from YYYY-MM-DD")),
    ("audit-to", N_("to YYYY-MM-DD")),
)


def _date(value: str) -> date | None:
    value = value.strip()
    return date.fromisoformat(value) if value else None


class AuditScreen(BaseScreen):
    BINDINGS = [
        Binding("ctrl+f", "focus_filters", N_("Filters")),
        Binding("ctrl+r", "verify", N_("Verify chains")),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    AuditScreen #audit-filters { height: 3; }
    AuditScreen #audit-filters Input { width: 1fr; }
    """
    AUTO_FOCUS = "#audit-actor"

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

    def on_mount(self) -> None:
        self._columns()
        self._search()

    def retranslate(self) -> None:
        self.query_one("#audit-title", Static).update(_("Audit trail"))
        for wid, placeholder in FILTERS:
            self.query_one(f"#{wid}", Input).placeholder = _(placeholder)
        self._columns()
        self._fill()
        self._show_chains()

    def _columns(self) -> None:
        table = self.query_one("#audit-table", DataTable)
        table.clear(columns=True)
        for label in (
            _("Time"),
            _("Station"),
            _("Seq"),
            _("User"),
            _("Event kind"),
            _("Entity"),
            _("Event details"),
        ):
            table.add_column(label)

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self._search()

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

        def job() -> list[AuditRow]:
            from hallterm.db.services.audit import search_events

            with app.store.read() as session:
                return search_events(
                    session,
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
            Text(_("{n} events (newest first, at most 500)").format(n=len(self.rows)))
        )
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        for r in self.rows:
            style = "red" if r.kind.endswith(("login_failed", "login_refused")) else ""
            table.add_row(
                plain(fmt_local(r.at, with_seconds=True)),
                plain(r.station_code),
                plain(r.seq),
                plain(r.actor),
                plain(r.kind, style),
                plain(f"{r.entity} {r.entity_id}"),
                plain(r.summary),
            )

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
