"""The supervisor's live dashboard (F6).

The dashboard refreshes itself every few seconds in a thread worker (one set-based read):
waiting and waits per line, every window, the cases by deadline light and the open
rectifications; G/Y/R lists the cases of a light and Enter opens a case's timeline
(``case_timeline``); ``e`` opens the efficiency table (F7, ``efficiency``).  Sections
registered by other areas (``efficiency.register_dashboard_section``) are shown below.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table as RichTable
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from hallterm.clock import fmt_local, to_local
from hallterm.db.services import efficiency as ef
from hallterm.db.services import queue as q
from hallterm.db.services.ratings import level_label
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.efficiency import EfficiencyScreen
from hallterm.screens.rating import RectificationScreen, stars
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import plain, row

REFRESH_SECONDS = 3.0
BOX_ROWS = 6  # rows shown in the lines and windows boxes before they scroll
LIGHT_STYLE = {"green": "bold green", "yellow": "bold yellow", "red": "bold red"}
_LIGHT_WORD = {"green": N_("green"), "yellow": N_("yellow"), "red": N_("red")}


def _scope(app: Any) -> str | None:
    """The station the supervisor looks at: the store's own, or every station at central."""
    from hallterm.db.services.setup import get_info

    with app.store.read() as session:
        role = get_info(session, "role")
        code = get_info(session, "station_code")
    return None if role == "central" else code


def days_left_text(days: int) -> str:
    """Working days left as words: never a bare negative number."""
    if days < 0:
        return _("overdue {n} working day(s)").format(n=-days)
    if days == 0:
        return _("due today")
    return str(days)


def _mins(seconds: float) -> str:
    return f"{seconds / 60:.0f}"


class SupervisorScreen(BaseScreen):
    """Live: the queue, the windows, the deadline lights, the open rectifications."""

    BINDINGS = [
        Binding("g", "light('green')", N_("Green cases")),
        Binding("y", "light('yellow')", N_("Yellow cases")),
        Binding("r", "light('red')", N_("Red cases")),
        Binding("k", "rectifications", N_("Rectifications")),
        Binding("e", "efficiency", N_("Efficiency")),
        Binding("o", "queue_review", N_("Calls and idle time")),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    SupervisorScreen #sv-body { height: 1fr; padding: 0 1; }
    SupervisorScreen #sv-top { height: auto; }
    SupervisorScreen .sv-box {
        width: 1fr; height: auto; border: round $primary-muted;
        border-title-color: $text; border-title-style: bold;
    }
    SupervisorScreen #sv-drill { height: 1fr; min-height: 6; }
    SupervisorScreen #sv-extra { height: auto; }
    """
    AUTO_FOCUS = "#sv-drill"

    def __init__(self) -> None:
        super().__init__()
        self.data: ef.Dashboard | None = None
        self.scope: str | None = None
        self.mode: str = "rectifications"  # or a light
        self.drill_cases: list[ef.LightCase] = []
        self._scope_known = False

    def compose_body(self) -> ComposeResult:
        with Vertical(id="sv-body"):
            yield Static("", classes="screen-title", id="sv-title")
            yield Static("", id="sv-summary")
            # Two boxes, each with its own title and rows: a line and a window that happen to
            # share a height have nothing to do with each other.
            with Vertical(id="sv-top"):
                yield DataTable(id="sv-lines", cursor_type="none", classes="sv-box")
                yield DataTable(id="sv-windows", cursor_type="none", classes="sv-box")
            yield Static("", classes="screen-title", id="sv-drill-title")
            yield DataTable(id="sv-drill", cursor_type="row", zebra_stripes=True)
            yield Static("", id="sv-extra")

    def on_mount(self) -> None:
        self._columns()
        self.refresh_data()
        self.set_interval(REFRESH_SECONDS, self.refresh_data)

    def retranslate(self) -> None:
        self._columns()
        self._redraw()

    def _columns(self) -> None:
        lines = self.query_one("#sv-lines", DataTable)
        lines.border_title = _("Waiting lines")
        lines.clear(columns=True)
        for label in (_("Line"), _("Waiting"), _("Longest (min)"), _("Average (min)")):
            lines.add_column(label)  # sized to the whole title: never cut
        windows = self.query_one("#sv-windows", DataTable)
        windows.border_title = _("Windows")
        windows.clear(columns=True)
        for label in (
            _("Window"),
            _("Status"),
            _("Window clerk"),
            _("Ticket"),
            _("Since"),
            _("Served today"),
        ):
            windows.add_column(label)
        self._drill_columns()

    def _drill_columns(self) -> None:
        drill = self.query_one("#sv-drill", DataTable)
        drill.clear(columns=True)
        if self.mode == "rectifications":
            labels: tuple[str, ...] = (
                _("Rectify by"),
                _("Days left"),
                _("Rating"),
                _("Case number"),
                _("Ticket"),
                _("Window"),
                _("Window clerk"),
                _("Comment"),  # free text, longest: last
            )
        else:
            labels = (
                _("Case number"),
                _("Applicant"),
                _("Matters"),
                _("Status"),
                _("Due"),
                _("Days left"),
            )
        for label in labels:
            drill.add_column(label)

    # -- data ------------------------------------------------------------------------------

    def refresh_data(self) -> None:
        app: Any = self.app
        mode = self.mode
        known, scope = self._scope_known, self.scope

        def job() -> tuple[str | None, ef.Dashboard, list[ef.LightCase]]:
            station = scope if known else _scope(app)
            now = app.clock.now()
            today = to_local(now).date()
            with app.store.read() as session:
                dash = ef.dashboard(
                    session,
                    station_code=station,
                    now=now,
                    today=today,
                    yellow_days=app.settings.yellow_days,
                )
                cases = (
                    ef.cases_by_light(
                        session,
                        mode,
                        station_code=station,
                        today=today,
                        yellow_days=app.settings.yellow_days,
                    )
                    if mode != "rectifications"
                    else []
                )
            return station, dash, cases

        in_thread(self, job, self._loaded, group="sv-refresh", exclusive=True)

    def _loaded(self, result: tuple[str | None, ef.Dashboard, list[ef.LightCase]]) -> None:
        self.scope, self.data, self.drill_cases = result
        self._scope_known = True
        self._redraw()

    def _redraw(self) -> None:
        scope = self.scope or _("every station")
        self.query_one("#sv-title", Static).update(
            Text(_("Dashboard · {scope}").format(scope=scope))
        )
        data = self.data
        if data is None:
            return
        summary = Text()
        summary.append(_("Deadline lights: "), "bold")
        for light in ("green", "yellow", "red"):
            summary.append(f"● {_(_LIGHT_WORD[light])} {data.lights[light]}   ", LIGHT_STYLE[light])
        summary.append(
            _("open rectifications: {n}").format(n=data.open_rectifications),
            "bold red" if data.open_rectifications else "",
        )
        summary.append("   " + _("updated {at}").format(at=fmt_local(data.at, True)), "dim")
        self.query_one("#sv-summary", Static).update(summary)
        lines = self.query_one("#sv-lines", DataTable)
        lines.clear()
        multi = data.station_code is None
        for ls in data.lines:
            name = f"{ls.station_code} {ls.prefix} {ls.name}" if multi else f"{ls.prefix} {ls.name}"
            lines.add_row(
                *row(
                    name,
                    ls.waiting,
                    _mins(ls.longest_wait_s) if ls.waiting else "—",
                    _mins(ls.avg_wait_s) if ls.waiting else "—",
                )
            )
        windows = self.query_one("#sv-windows", DataTable)
        windows.clear()
        for w in data.windows:
            windows.add_row(
                *row(
                    f"{w.station_code}·{w.window}" if multi else w.window,
                    q.window_status_label(w.status),
                    w.clerk_name,
                    f"{w.ticket_number} {q.ticket_status_label(w.ticket_status)}"
                    if w.ticket_number and w.ticket_status
                    else "—",
                    fmt_local(w.since)[11:] if w.since else "—",
                    w.served_today,
                )
            )
        # Each box exactly as tall as its rows (a few at most: the drill-down list keeps the
        # rest of the screen), so nothing blank sits between them.
        for table in (lines, windows):
            table.styles.height = min(table.row_count, BOX_ROWS) + 3  # header and border
        self._render_drill()
        self._render_extra(data.extra)

    def _render_drill(self) -> None:
        drill = self.query_one("#sv-drill", DataTable)
        title = self.query_one("#sv-drill-title", Static)
        cursor = drill.cursor_row
        drill.clear()
        if self.mode == "rectifications":
            title.update(_("Open rectifications (Enter: respond and close)"))
            for r in self.data.rectifications if self.data else ():
                drill.add_row(
                    plain(r.due_date.isoformat()),
                    plain(days_left_text(r.days_left), style="bold red" if r.overdue else ""),
                    plain(f"{stars(r.level)} {level_label(r.level)}"),
                    plain(r.case_number or "—"),
                    plain(r.ticket_number or "—"),
                    plain(r.window),
                    plain(r.clerk_name),
                    plain(r.comment),
                    key=r.id,
                )
        else:
            title.update(
                Text(
                    _("Cases with a {light} light (Enter: timeline)").format(
                        light=_(_LIGHT_WORD[self.mode])
                    ),
                    style=LIGHT_STYLE[self.mode],
                )
            )
            from hallterm.domain.case_states import status_label

            for c in self.drill_cases:
                drill.add_row(
                    *row(
                        c.number,
                        c.applicant_name,
                        c.title,
                        status_label(c.status),
                        c.due_date.isoformat(),
                        days_left_text(c.days_left),
                    ),
                    key=c.id,
                )
        if drill.row_count:
            drill.move_cursor(row=min(cursor, drill.row_count - 1))

    def _render_extra(self, sections: tuple[ef.DashboardSection, ...]) -> None:
        box = self.query_one("#sv-extra", Static)
        if not sections:
            box.update("")
            return
        group = RichTable.grid(padding=(0, 1))
        for section in sections:
            table = RichTable(title=section.title, expand=True, title_justify="left")
            for column in section.columns:
                table.add_column(column)
            for i, values in enumerate(section.rows):
                light = section.row_lights[i] if i < len(section.row_lights) else ""
                style = {"red": "bold red", "yellow": "yellow"}.get(light, "")
                table.add_row(*(Text(str(v), style=style) for v in values))
            group.add_row(table)
        box.update(group)

    # -- keys ------------------------------------------------------------------------------

    def action_light(self, light: str) -> None:
        self.mode = light
        self._drill_columns()
        self.drill_cases = []
        self._render_drill()
        self.refresh_data()

    def action_rectifications(self) -> None:
        self.mode = "rectifications"
        self._drill_columns()
        self._render_drill()
        self.refresh_data()

    @on(DataTable.RowSelected, "#sv-drill")
    def _open(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if not key:
            return
        if self.mode == "rectifications":
            item = next(
                (r for r in (self.data.rectifications if self.data else ()) if r.id == key), None
            )
            if item is not None:
                self.app.push_screen(RectificationScreen(item), lambda _ok: self.refresh_data())
        else:
            from hallterm.screens.case_timeline import CaseTimelineScreen

            self.app.push_screen(CaseTimelineScreen(key))

    def action_efficiency(self) -> None:
        self.app.push_screen(EfficiencyScreen())

    def action_queue_review(self) -> None:
        from hallterm.screens.queue_review import QueueReviewScreen

        self.app.push_screen(QueueReviewScreen())

    def action_back(self) -> None:
        self.app.pop_screen()
