"""The efficiency table screen (F7): figures by department, matter, station or clerk.

Over today / this week / this month / a range; columns sized by their content, and on a
narrow terminal the least important ones give way (the hint names them; every column is in
the exports).  Cases and waits per day are drawn with a date axis; exports are XLSX, CSV and
the PDF report with the figures' definitions.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.table import Table as RichTable
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Sparkline, Static

from hallterm.clock import to_local
from hallterm.db.services import efficiency as ef
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import plain

CELL_PADDING = 2  # DataTable's cell padding, one cell each side


def bar(value: float, top: float, width: int = 20) -> str:
    """A horizontal bar of unicode eighth blocks (``value`` of ``top`` over ``width`` cells)."""
    if top <= 0 or value <= 0:
        return ""
    eighths = round(value / top * width * 8)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def fitting_columns(
    table: ef.EfficiencyTable, width: int
) -> tuple[list[ef.TableColumn], list[ef.TableColumn]]:
    """(shown, hidden) columns: each as wide as its title or widest cell; while they don't
    fit in ``width`` cells, the least important (highest ``keep``, rightmost first) goes."""
    rows = [*table.rows, table.total]

    def need(c: ef.TableColumn) -> int:
        cells = [cell_len(ef.formatted(r, c)) for r in rows]
        return max([cell_len(ef.column_title(c, table.by)), *cells]) + CELL_PADDING

    shown = list(ef.COLUMNS)
    widths = {c.key: need(c) for c in shown}
    hidden: list[ef.TableColumn] = []
    while sum(widths[c.key] for c in shown) > width and len(shown) > 2:
        victim = max(reversed(shown), key=lambda c: c.keep)
        if victim.keep == 0:
            break
        shown.remove(victim)
        hidden.append(victim)
    return shown, hidden


def date_axis(days: list[date]) -> RichTable:
    """First, middle and last date under a chart of those days, spread over its width."""
    grid = RichTable.grid(expand=True)
    for justify in ("left", "center", "right"):
        grid.add_column(justify=justify)
    if days:
        mid = days[len(days) // 2] if len(days) > 2 else None
        grid.add_row(
            days[0].strftime("%m-%d"),
            mid.strftime("%m-%d") if mid else "",
            days[-1].strftime("%m-%d") if len(days) > 1 else "",
        )
    return grid


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
    EfficiencyScreen .chart-axis { width: 1fr; margin: 0 1; color: $text-muted; }
    EfficiencyScreen #ef-note { height: auto; color: $warning; }
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
                    yield Static("", classes="chart-axis", id="ef-cases-axis")
                with Vertical():
                    yield Static("", classes="chart-label", id="ef-wait-label")
                    yield Sparkline([], id="ef-wait", classes="chart")
                    yield Static("", classes="chart-axis", id="ef-wait-axis")
            yield Static("", id="ef-note")
            yield Static("", id="ef-bars")
            yield Static("", classes="hint", id="ef-hint")

    def on_mount(self) -> None:
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        self._redraw()

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
        width = (table.size.width or self.app.size.width - 2) - 2  # the scrollbar's cells
        shown, hidden = fitting_columns(t, width)
        for c in shown:
            table.add_column(ef.column_title(c, t.by), key=c.key)
        for r in t.rows:
            table.add_row(*(plain(ef.formatted(r, c)) for c in shown), key=r.key or None)
        table.add_row(
            *(plain(ef.formatted(t.total, c), style="bold") for c in shown), key="__total__"
        )
        notes = [ef.shared_note(t)]
        if hidden:
            notes.append(
                _("Not shown for lack of width (in the exports): {columns}").format(
                    columns="、".join(ef.column_title(c, t.by) for c in hidden)
                )
            )
        self.query_one("#ef-note", Static).update(Text("\n".join(n for n in notes if n)))
        days = [p.day for p in self.series]
        self.query_one("#ef-cases-axis", Static).update(date_axis(days))
        self.query_one("#ef-wait-axis", Static).update(date_axis(days))
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
