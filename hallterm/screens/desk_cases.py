"""Cases (F4): the open cases, most urgent first, with their deadline lights.

Sorted by urgency (red, yellow, then working days left; an outstanding 容缺 counts), with
the light and days left always visible: the columns are sized by content and the least
important dropped first on a narrow screen.  ``/`` filters, ↓ moves from the filter into
the list, Enter opens the case (``desk_case_detail``).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from hallterm.clock import fmt_local
from hallterm.db.services.cases import CaseRow
from hallterm.domain.case_states import (
    OPEN_STATES,
    status_label,
)
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.desk_case_detail import CaseDetailScreen
from hallterm.screens.desk_common import (
    days_left_text,
    light_text,
)
from hallterm.screens.workers import in_thread
from hallterm.widgets.columns import Column, fit_columns
from hallterm.widgets.plain import plain


class CaseListScreen(BaseScreen):
    """Most urgent first (red, yellow, then working days left); the light and days left
    stay visible at any width (columns sized by content, the least important dropped)."""

    BINDINGS = [
        Binding("slash", "filter", N_("Filter")),
        Binding("down", "into_list", N_("To the list"), show=False),
        Binding("t", "toggle_all", N_("Open / all cases")),
        Binding("ctrl+r", "reload", N_("Refresh")),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    CaseListScreen #cases-body { height: 1fr; padding: 0 1; }
    CaseListScreen #cases-table { height: 1fr; }
    """
    AUTO_FOCUS = "#cases-table"

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[CaseRow] = []
        self.show_all = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="cases-body"):
            yield Static(self._title(), classes="screen-title", id="cases-title")
            yield Input(
                id="cases-filter", placeholder=_("filter by case number, applicant or matter")
            )
            table: DataTable[Text] = DataTable(
                id="cases-table", cursor_type="row", zebra_stripes=True
            )
            yield table

    def _title(self) -> str:
        return _("All cases") if self.show_all else _("Open cases")

    def on_mount(self) -> None:
        self._columns()
        self._load()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self._load()

    def retranslate(self) -> None:
        self.query_one("#cases-title", Static).update(self._title())
        self._columns()
        self._fill()

    def _columns(self) -> None:
        self._fill()

    def _column_specs(self) -> list[Column]:
        return [
            Column("light", _("Light"), 0),
            Column("left", _("Days left"), 0),
            Column("number", _("Case number"), 1),
            Column("applicant", _("Applicant"), 2),
            Column("matter", _("Matter"), 3, shrink=True),
            Column("status", _("Status"), 4),
            Column("due", _("Due"), 5),
            Column("registered", _("Registered"), 6),
        ]

    def on_resize(self) -> None:
        self._fill()

    def _load(self) -> None:
        app = self.hall
        statuses = () if self.show_all else tuple(s.value for s in OPEN_STATES)
        yellow = app.settings.yellow_days
        ctx = app.ctx()

        def job() -> list[CaseRow]:
            from hallterm.db.services.cases import list_cases

            with app.store.read() as session:
                return list_cases(
                    session,
                    ctx,
                    statuses=statuses,
                    today=app.clock.today(),
                    yellow_days=yellow,
                    by_urgency=True,
                )

        def loaded(rows: list[CaseRow]) -> None:
            self.rows = rows
            self._fill()

        in_thread(self, job, loaded, group="cases-load", exclusive=True)

    def _visible(self) -> list[CaseRow]:
        query = self.query_one("#cases-filter", Input).value.strip().casefold()
        if not query:
            return self.rows
        return [
            r
            for r in self.rows
            if query in r.number.casefold()
            or query in r.applicant_name.casefold()
            or query in r.title.casefold()
        ]

    def _fill(self) -> None:
        table = self.query_one("#cases-table", DataTable)
        specs = self._column_specs()
        visible = self._visible()
        rows = [self._cells(r) for r in visible]
        fitted = fit_columns(specs, rows, max(self.app.size.width - 4, 30))
        table.clear(columns=True)
        for column, width in fitted:
            table.add_column(column.label, key=column.key, width=width)
        index = {c.key: i for i, c in enumerate(specs)}
        for r, cells in zip(visible, rows, strict=True):
            table.add_row(*(cells[index[c.key]] for c, _w in fitted), key=r.id)

    def _cells(self, r: CaseRow) -> list[Text]:
        """Cells in ``_column_specs`` order; an outstanding 容缺 shows in the light."""
        light = light_text(r.urgency)
        if r.deferral_light is not None:
            light.append(" " + _("deferral"), style=light.style)
        left = days_left_text(r.days_left)
        if r.deferral_due is not None and r.deferral_light is not None:
            left = (left + " " if left else "") + _("deferral by {date}").format(
                date=r.deferral_due.isoformat()
            )
        return [
            light,
            plain(left),
            plain(r.number),
            plain(r.applicant_name),
            plain(r.title),
            plain(status_label(r.status)),
            plain(r.due_date.isoformat() if r.due_date else ""),
            plain(fmt_local(r.registered_at)),
        ]

    @on(Input.Changed, "#cases-filter")
    def _filter_changed(self) -> None:
        self._fill()

    @on(Input.Submitted, "#cases-filter")
    def _filter_done(self) -> None:
        self.query_one("#cases-table", DataTable).focus()

    @on(DataTable.RowSelected, "#cases-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.app.push_screen(CaseDetailScreen(event.row_key.value))

    def action_filter(self) -> None:
        self.query_one("#cases-filter", Input).focus()

    def action_into_list(self) -> None:
        """↓ in the filter moves into the list (the table handles ↓ itself once focused)."""
        table = self.query_one("#cases-table", DataTable)
        if self.focused is not table:
            table.focus()

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.query_one("#cases-title", Static).update(self._title())
        self._load()

    def action_reload(self) -> None:
        self._load()

    def action_back(self) -> None:
        self.app.pop_screen()


__all__ = ["CaseDetailScreen", "CaseListScreen"]
