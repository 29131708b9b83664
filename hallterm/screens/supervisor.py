"""The supervisor's screens: the live dashboard (F6), the efficiency table (F7), a case timeline.

The dashboard refreshes itself every few seconds in a thread worker (one set-based read):
waiting and waits per line, every window, the cases by deadline light and the open
rectifications; G/Y/R lists the cases of a light and Enter opens a case's timeline.  Sections
registered by other areas (``efficiency.register_dashboard_section``) are shown below.  The
efficiency table groups by department, matter, station or clerk over today / this week /
this month / a range, draws cases and waits per day in the terminal, and exports XLSX, CSV or
the PDF report.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from rich.cells import set_cell_size
from rich.table import Table as RichTable
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Sparkline, Static

from hallterm.clock import fmt_local, to_local
from hallterm.db.services import efficiency as ef
from hallterm.db.services import queue as q
from hallterm.db.services.ratings import level_label
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.desk_common import in_thread
from hallterm.screens.rating import RectificationScreen, stars
from hallterm.widgets.plain import plain, row

REFRESH_SECONDS = 3.0
_LIGHT_STYLE = {"green": "bold green", "yellow": "bold yellow", "red": "bold red"}
_LIGHT_WORD = {"green": N_("green"), "yellow": N_("yellow"), "red": N_("red")}


def _scope(app: Any) -> str | None:
    """The station the supervisor looks at: the store's own, or every station at central."""
    from hallterm.db.services.setup import get_info

    with app.store.read() as session:
        role = get_info(session, "role")
        code = get_info(session, "station_code")
    return None if role == "central" else code


def _mins(seconds: float) -> str:
    return f"{seconds / 60:.0f}"


def bar(value: float, top: float, width: int = 20) -> str:
    """A horizontal bar of unicode eighth blocks (``value`` of ``top`` over ``width`` cells)."""
    if top <= 0 or value <= 0:
        return ""
    eighths = round(value / top * width * 8)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


class SupervisorScreen(BaseScreen):
    """Live: the queue, the windows, the deadline lights, the open rectifications."""

    BINDINGS = [
        Binding("g", "light('green')", N_("Green cases")),
        Binding("y", "light('yellow')", N_("Yellow cases")),
        Binding("r", "light('red')", N_("Red cases")),
        Binding("k", "rectifications", N_("Rectifications")),
        Binding("e", "efficiency", N_("Efficiency")),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    SupervisorScreen #sv-body { height: 1fr; padding: 0 1; }
    SupervisorScreen #sv-top { height: auto; max-height: 14; }
    SupervisorScreen #sv-lines { width: 64; height: auto; max-height: 12; }
    SupervisorScreen #sv-windows { width: 1fr; height: auto; max-height: 12; }
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
            with Horizontal(id="sv-top"):
                yield DataTable(id="sv-lines", cursor_type="none", zebra_stripes=True)
                yield DataTable(id="sv-windows", cursor_type="none", zebra_stripes=True)
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
        lines.clear(columns=True)
        for label in (_("Line"), _("Waiting"), _("Longest (min)"), _("Average (min)")):
            lines.add_column(label)
        windows = self.query_one("#sv-windows", DataTable)
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
                _("Comment"),
                _("Window"),
                _("Window clerk"),
                _("Case number"),
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
            summary.append(
                f"● {_(_LIGHT_WORD[light])} {data.lights[light]}   ", _LIGHT_STYLE[light]
            )
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
                    plain(r.days_left, style="bold red" if r.overdue else ""),
                    plain(f"{stars(r.level)} {level_label(r.level)}"),
                    plain(r.comment),
                    plain(r.window),
                    plain(r.clerk_name),
                    plain(r.case_number or r.ticket_number or ""),
                    key=r.id,
                )
        else:
            title.update(
                Text(
                    _("Cases with a {light} light (Enter: timeline)").format(
                        light=_(_LIGHT_WORD[self.mode])
                    ),
                    style=_LIGHT_STYLE[self.mode],
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
                        c.days_left,
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
            self.app.push_screen(CaseTimelineScreen(key))

    def action_efficiency(self) -> None:
        self.app.push_screen(EfficiencyScreen())

    def action_back(self) -> None:
        self.app.pop_screen()


class CaseTimelineScreen(BaseScreen):
    """One case: its facts, every event with who and when, its ratings and tickets."""

    BINDINGS = [Binding("escape", "back", N_("Back"))]
    DEFAULT_CSS = """
    CaseTimelineScreen #tl-head { height: auto; padding: 0 1; }
    CaseTimelineScreen #tl-table { height: 1fr; }
    """
    AUTO_FOCUS = "#tl-table"

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.loaded: Any = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="tl-head")
        yield DataTable(id="tl-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        app: Any = self.app
        case_id = self.case_id

        def job() -> Any:
            from hallterm.db.services import cases
            from hallterm.db.services.ratings import ratings_of_case

            today = to_local(app.clock.now()).date()
            with app.store.read() as session:
                view = cases.load_case(
                    session, case_id, today, yellow_days=app.settings.yellow_days
                )
                return view, cases.timeline(session, case_id), ratings_of_case(session, case_id)

        in_thread(self, job, self._loaded)

    def retranslate(self) -> None:
        self._redraw()

    def _loaded(self, loaded: Any) -> None:
        self.loaded = loaded
        self._redraw()

    def _redraw(self) -> None:
        if self.loaded is None:
            return
        from hallterm.domain.case_states import status_label

        view, entries, rated = self.loaded
        head = Text()
        head.append(f"{view.number}  ", "bold")
        head.append(f"{view.title}\n")
        head.append(
            _("{applicant} · {status} · window {window} · {clerk}").format(
                applicant=view.applicant.name,
                status=status_label(view.status),
                window=view.window or "—",
                clerk=view.clerk_name or "—",
            )
            + "\n"
        )
        if view.due_date:
            head.append(_("due {date}").format(date=view.due_date.isoformat()))
            if view.light:
                head.append(f"  ● {view.days_left}", _LIGHT_STYLE[view.light])
            head.append("\n")
        for r in rated:
            head.append(
                _("rated {stars} {label} {at}").format(
                    stars=stars(r.level), label=level_label(r.level), at=fmt_local(r.at)
                )
                + (f"：{r.comment}" if r.comment else "")
                + "\n"
            )
        self.query_one("#tl-head", Static).update(head)
        table = self.query_one("#tl-table", DataTable)
        table.clear(columns=True)
        for label in (_("Time"), _("Event"), _("By"), _("Details")):
            table.add_column(label)
        for e in entries:
            details = "; ".join(
                f"{k}={v}"
                for k, v in e.details.items()
                if k not in ("number",) and v not in ("", None)
            )
            table.add_row(*row(fmt_local(e.at, True), e.kind, e.actor, details))

    def action_back(self) -> None:
        self.app.pop_screen()


class EfficiencyScreen(BaseScreen):
    """The efficiency table with charts; exports to XLSX, CSV and the PDF report."""

    BINDINGS = [
        Binding("d", "group('department')", N_("By department")),
        Binding("m", "group('matter')", N_("By matter")),
        Binding("s", "group('station')", N_("By station")),
        Binding("c", "group('clerk')", N_("By clerk")),
        Binding("t", "period('today')", N_("Today")),
        Binding("w", "period('week')", N_("This week")),
        Binding("o", "period('month')", N_("This month")),
        Binding("a", "choose_range", N_("Range")),
        Binding("x", "export('xlsx')", N_("XLSX")),
        Binding("v", "export('csv')", N_("CSV")),
        Binding("p", "export('pdf')", N_("PDF report")),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    EfficiencyScreen #ef-body { height: 1fr; padding: 0 1; }
    EfficiencyScreen #ef-table { height: 1fr; }
    EfficiencyScreen #ef-charts { height: auto; }
    EfficiencyScreen #ef-charts > Vertical { height: auto; }
    EfficiencyScreen .chart { height: 3; width: 1fr; margin: 0 1; }
    EfficiencyScreen .chart-label { width: 1fr; margin: 0 1; color: $text-muted; }
    EfficiencyScreen #ef-bars { height: auto; max-height: 8; }
    """
    AUTO_FOCUS = "#ef-table"

    def __init__(self) -> None:
        super().__init__()
        self.by = "department"
        self.kind = "month"
        self.range: tuple[date, date] | None = None
        self.table: ef.EfficiencyTable | None = None
        self.series: list[ef.DayPoint] = []

    def compose_body(self) -> ComposeResult:
        with Vertical(id="ef-body"):
            yield Static("", classes="screen-title", id="ef-title")
            yield DataTable(id="ef-table", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="ef-charts"):
                with Vertical():
                    yield Static("", classes="chart-label", id="ef-cases-label")
                    yield Sparkline([], id="ef-cases", classes="chart")
                with Vertical():
                    yield Static("", classes="chart-label", id="ef-wait-label")
                    yield Sparkline([], id="ef-wait", classes="chart")
            yield Static("", id="ef-bars")
            yield Static("", classes="hint", id="ef-hint")

    def on_mount(self) -> None:
        self.load()

    def retranslate(self) -> None:
        self._redraw()

    def _period(self, today: date) -> tuple[date, date]:
        if self.kind == "range" and self.range:
            return self.range
        return ef.period(self.kind if self.kind != "range" else "month", today)

    def load(self) -> None:
        app: Any = self.app
        by = self.by

        def job() -> tuple[ef.EfficiencyTable, list[ef.DayPoint]]:
            today = to_local(app.clock.now()).date()
            start, end = self._period(today)
            with app.store.read() as session:
                table = ef.efficiency_table(session, by=by, start=start, end=end, today=today)
                series = ef.daily_series(session, start, end)
            return table, series

        in_thread(self, job, self._loaded, group="ef-load", exclusive=True)

    def _loaded(self, data: tuple[ef.EfficiencyTable, list[ef.DayPoint]]) -> None:
        self.table, self.series = data
        self._redraw()

    def _redraw(self) -> None:
        self.query_one("#ef-hint", Static).update(
            _(
                "D/M/S/C group by department, matter, station, clerk · T/W/O today, week, "
                "month · A range · X XLSX · V CSV · P PDF report"
            )
        )
        t = self.table
        if t is None:
            return
        self.query_one("#ef-title", Static).update(
            Text(
                _("Efficiency by {by}, {start} to {end}").format(
                    by=_(ef.BY_LABELS[t.by]), start=t.start.isoformat(), end=t.end.isoformat()
                )
            )
        )
        table = self.query_one("#ef-table", DataTable)
        table.clear(columns=True)
        for c in ef.COLUMNS:
            table.add_column(ef.column_title(c, t.by), key=c.key)
        for r in t.rows:
            table.add_row(*(plain(ef.formatted(r, c)) for c in ef.COLUMNS), key=r.key or None)
        table.add_row(
            *(plain(ef.formatted(t.total, c), style="bold") for c in ef.COLUMNS), key="__total__"
        )
        received = [float(p.received) for p in self.series]
        waits = [p.avg_wait_min or 0.0 for p in self.series]
        self.query_one("#ef-cases", Sparkline).data = received or [0.0]
        self.query_one("#ef-wait", Sparkline).data = waits or [0.0]
        self.query_one("#ef-cases-label", Static).update(
            _("Cases received per day (max {n})").format(n=int(max(received, default=0)))
        )
        self.query_one("#ef-wait-label", Static).update(
            _("Average wait per day in minutes (max {n:.0f})").format(n=max(waits, default=0))
        )
        top = max((r.received for r in t.rows), default=0)
        bars = Text()
        for r in sorted(t.rows, key=lambda r: -r.received)[:6]:
            if not r.received:
                continue
            bars.append(set_cell_size(r.name, 28) + " ", "bold")  # CJK: two cells a character
            bars.append(bar(r.received, top, 40), "cyan")
            bars.append(f" {r.received}\n")
        self.query_one("#ef-bars", Static).update(bars)

    def action_group(self, by: str) -> None:
        self.by = by
        self.load()

    def action_period(self, kind: str) -> None:
        self.kind = kind
        self.load()

    def action_choose_range(self) -> None:
        from hallterm.screens.desk_dialogs import PromptScreen

        def check(value: str) -> str | None:
            try:
                _parse_range(value)
            except ValueError as exc:
                return str(exc)
            return None

        def chosen(value: str | None) -> None:
            if value:
                self.range = _parse_range(value)
                self.kind = "range"
                self.load()

        self.app.push_screen(
            PromptScreen(
                _("Chosen range"),
                _("first and last date, e.g. 2026-11-01 2026-11-27"),
                check=check,
            ),
            chosen,
        )

    def action_export(self, fmt: str) -> None:
        t = self.table
        if t is None:
            return
        app: Any = self.app
        series = list(self.series)

        def job() -> Path:
            from hallterm.printing.report import default_report_name, write_report

            folder = Path(app.settings.pdf_dir()) / "reports"
            path = folder / default_report_name(t, fmt)
            return write_report(
                t,
                path,
                fmt,
                issuer=getattr(app, "station_name", "") or "",
                generated_at=app.clock.now(),
                series=series,
                font_path=app.settings.font_path or None,
            )

        in_thread(
            self,
            job,
            lambda path: self.app.notify(
                _("Written: {path}").format(path=path), markup=False, timeout=8
            ),
            group="ef-export",
        )

    def action_back(self) -> None:
        self.app.pop_screen()


def _parse_range(value: str) -> tuple[date, date]:
    parts = value.replace("～", " ").replace("~", " ").replace(",", " ").split()
    if len(parts) != 2:
        raise ValueError(_("give two dates: the first and the last day"))
    try:
        start, end = date.fromisoformat(parts[0]), date.fromisoformat(parts[1])
    except ValueError:
        raise ValueError(_("dates are written YYYY-MM-DD")) from None
    return ef.period("range", end, start, end)
