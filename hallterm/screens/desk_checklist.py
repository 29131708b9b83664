"""The materials checklist of one case and the decision at the window.

One line per material (a bundle's list is already merged by material type code).  The
clerk ticks lines with single keys; the domain ``Line`` methods check every rule (only a
deferrable item may be deferred, only an optional one be not applicable) and the verdict
panel follows each keystroke.  The line keys live in ``desk_checklist_lines``, the
decisions (through the one ``decide`` use case) in ``desk_checklist_decide``; this module
lays out, loads and draws the checklist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from hallterm.db.services.applicants import StoredView
from hallterm.db.services.case_documents import Printed, calendar_note
from hallterm.db.services.cases import CaseView
from hallterm.domain.case_states import CaseStatus, status_label
from hallterm.domain.catalog import display
from hallterm.domain.checklist import Line, LineState, evaluate
from hallterm.domain.workdays import WorkCalendar
from hallterm.i18n import N_, _
from hallterm.screens.desk_checklist_decide import ChecklistDecisions
from hallterm.screens.desk_common import (
    due_text,
    line_details,
    line_state_text,
    required_text,
)
from hallterm.screens.workers import in_thread
from hallterm.widgets.columns import Column, fit_columns
from hallterm.widgets.plain import plain

_LINE_ACTIONS = {
    "as_required",
    "original",
    "copy",
    "electronic",
    "more",
    "fewer",
    "missing",
    "defer",
    "reuse",
    "not_applicable",
    "reset",
    "save",
}
_DECISIONS = {"accept", "one_time_notice", "refuse", "complete"}


@dataclass(frozen=True)
class _Loaded:
    view: CaseView
    stored: dict[str, StoredView]
    calendar: WorkCalendar
    today: date


class ChecklistScreen(ChecklistDecisions):
    """Returns True when a decision was taken (the desk then clears for the next person)."""

    BINDINGS = [
        Binding("b", "as_required", N_("Originals + copies")),
        Binding("r", "original", N_("Original")),
        Binding("c", "copy", N_("Copy")),
        Binding("e", "electronic", N_("Electronic")),
        Binding("plus,equals_sign", "more", N_("Count +1"), show=False),
        Binding("minus", "fewer", N_("Count −1"), show=False),
        Binding("m", "missing", N_("Missing")),
        Binding("d", "defer", N_("Defer (容缺)")),
        Binding("u", "reuse", N_("Reuse on file")),
        Binding("n", "not_applicable", N_("Not applicable")),
        Binding("z,backspace", "reset", N_("Undo line"), show=False),
        Binding("ctrl+s", "save", N_("Save")),
        Binding("a", "accept", N_("Accept")),
        Binding("o", "one_time_notice", N_("One-time notice")),
        Binding("x", "refuse", N_("Refuse")),
        Binding("i", "complete", N_("Complete on the spot")),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    ChecklistScreen #cl-body { height: 1fr; padding: 0 1; }
    ChecklistScreen #cl-head { height: auto; }
    ChecklistScreen #cl-lines { height: 1fr; }
    ChecklistScreen #cl-verdict { height: auto; border: round $accent; padding: 0 1; }
    ChecklistScreen #cl-due { height: auto; padding: 0 1; }
    ChecklistScreen #cl-result { height: auto; padding: 0 1; }
    """
    AUTO_FOCUS = "#cl-lines"

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.view: CaseView | None = None
        self.lines: list[Line] = []
        self.stored: dict[str, StoredView] = {}
        self.calendar = WorkCalendar()
        self.today = date.min  # the hall's date, set when the case is loaded
        self.dirty = False
        self.decided = False
        self.printed: list[Printed] = []
        self._busy = False

    # -- layout ------------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Vertical(id="cl-body"):
            yield Static(_("Materials checklist"), classes="screen-title", id="cl-title")
            yield Static("", id="cl-head")
            table: DataTable[Text] = DataTable(id="cl-lines", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static("", id="cl-verdict")
            yield Static("", id="cl-due")
            yield Static("", id="cl-result")

    def on_mount(self) -> None:
        self._columns()
        self._load()

    def retranslate(self) -> None:
        self.query_one("#cl-title", Static).update(_("Materials checklist"))
        self._columns()
        self._render_all()

    def _columns(self) -> None:
        self._fill_table()

    def _column_specs(self) -> list[Column]:
        """The columns, most important first (rank): 说明 stays whole, names are cut."""
        return [
            Column("no", "#", 0),
            Column("name", _("Material"), 1, shrink=True),
            Column("state", _("State"), 0),
            Column("details", _("Details"), 0),
            Column("required", _("Required"), 2),
            Column("necessity", _("Necessity"), 3),
            Column("file", _("On file"), 4),
            Column("form", _("Form"), 5),
        ]

    def _fill_table(self) -> None:
        """All rows, columns sized to their content at the screen's width."""
        table = self.query_one("#cl-lines", DataTable)
        cursor = table.cursor_row
        specs = self._column_specs()
        rows = [self._cells(i, line) for i, line in enumerate(self.lines, 1)]
        by_key = [{c.key: cell for c, cell in zip(specs, row, strict=True)} for row in rows]
        fitted = fit_columns(specs, rows, max(self.app.size.width - 4, 40))
        table.clear(columns=True)
        for column, width in fitted:
            table.add_column(column.label, key=column.key, width=width)
        for line, cells in zip(self.lines, by_key, strict=True):
            table.add_row(*(cells[c.key] for c, _w in fitted), key=line.requirement.type_code)
        if self.lines:
            table.move_cursor(row=min(max(cursor, 0), len(self.lines) - 1))

    def on_resize(self) -> None:
        if self.view is not None:
            self._fill_table()

    # -- loading ------------------------------------------------------------------------------

    def _load(self, then: Callable[[], None] | None = None) -> None:
        app = self.hall
        case_id = self.case_id
        yellow = app.settings.yellow_days
        ctx = app.ctx()

        def job() -> _Loaded:
            from hallterm.db.services.applicants import stored_materials
            from hallterm.db.services.calendar import calendar_for
            from hallterm.db.services.cases import load_case

            today = app.clock.today()
            with app.store.read() as session:
                cal = calendar_for(session)
                view = load_case(session, ctx, case_id, today, yellow, cal)
                stored = {
                    s.type_code: s for s in stored_materials(session, ctx, view.applicant.id, today)
                }
            return _Loaded(view, stored, cal, today)

        def loaded(data: _Loaded) -> None:
            self.view, self.stored = data.view, data.stored
            self.calendar, self.today = data.calendar, data.today
            self.lines = [lv.to_line() for lv in data.view.lines]
            self.dirty = False
            self._render_all()
            if then is not None:
                then()

        in_thread(self, job, loaded, group="checklist-load")

    @property
    def editable(self) -> bool:
        return self.view is not None and self.view.status in (
            CaseStatus.registered,
            CaseStatus.notified,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _LINE_ACTIONS or action in _DECISIONS:
            if not self.editable:
                return False
            if action == "complete":
                return self.view is not None and self.view.immediate
        return True

    # -- rendering -----------------------------------------------------------------------------

    def _render_all(self) -> None:
        if self.view is None:
            return
        self._render_head()
        self._fill_table()
        self._render_verdict()
        self.refresh_bindings()

    def _render_head(self) -> None:
        v = self.view
        assert v is not None
        head = Text()
        head.append(_("Case number") + "：", style="bold")
        head.append(v.number + "  ")
        head.append(_("Status") + "：", style="bold")
        head.append(status_label(v.status) + "\n")
        head.append(_("Applicant") + "：", style="bold")
        head.append(f"{v.applicant.name}（{v.applicant.id_masked}）  ")
        head.append(_("Matter") + "：", style="bold")
        head.append(v.title)
        if v.bundle_name:
            head.append("\n" + _("Matters handled together") + "：", style="bold")
            head.append("、".join(m.name for m in v.matters))
        self.query_one("#cl-head", Static).update(head)

    def _cells(self, index: int, line: Line) -> list[Text]:
        """Cells in ``_column_specs`` order."""
        req = line.requirement
        on_file = self.stored.get(req.type_code)
        if line.state == LineState.reused:
            file_text = Text("✔ " + _("reused"), style="cyan")
        elif on_file is not None:
            file_text = Text(
                _("on file until {date}").format(
                    date=on_file.valid_until.isoformat() if on_file.valid_until else "—"
                ),
                style="cyan",
            )
        else:
            file_text = Text("")
        necessity = Text(
            display(req.necessity), style="bold" if req.necessity != "optional" else ""
        )
        details = plain(line_details(line))
        if line.shortfall() != (0, 0):
            details.stylize("bold red")
        return [
            plain(index),
            plain(req.name),
            line_state_text(line.state),
            details,
            plain(required_text(req.originals, req.copies)),
            necessity,
            file_text,
            plain(display(req.form)),
        ]

    def _render_verdict(self) -> None:
        verdict = evaluate(self.lines)
        text = Text()
        if verdict.kind == "complete":
            text.append("✔ " + _("Complete: every necessary material is here."), style="bold green")
        elif verdict.kind == "deferred":
            text.append("◐ " + _("Acceptable with deferrals:") + " ", style="bold yellow")
            text.append(
                "、".join(
                    _("{name} by {date}").format(name=n, date=d.isoformat())
                    for n, d in verdict.deferred
                )
            )
        else:
            text.append("✘ " + _("Incomplete, missing:") + " ", style="bold red")
            short = {ln.name: ln.shortfall_text() for ln in self.lines if ln.shortfall_text()}
            text.append(
                "、".join(
                    f"{name}（{short[name]}）" if name in short else name
                    for name in verdict.missing
                )
            )
        if verdict.pending:
            text.append(
                "\n" + _("{n} line(s) not checked yet").format(n=len(verdict.pending)), style="dim"
            )
        if self.dirty:
            text.append("\n" + _("Changes are saved with the decision (or Ctrl+S)."), style="dim")
        self.query_one("#cl-verdict", Static).update(text)
        self.query_one("#cl-due", Static).update(self._due_text())

    def _due_text(self) -> Text:
        v = self.view
        assert v is not None
        text = Text()
        if v.due_date is not None:
            text.append(_("Due") + "：", style="bold")
            text.append(due_text(v.due_date, v.limit_days))
            if v.calendar_needs_update:
                text.append("\n⚠ " + calendar_note(v.due_date), style="bold yellow")
            return text
        if not self.editable:  # refused or withdrawn: no "if accepted today" any more
            return text
        limit = max((m.promised_limit_days for m in v.matters), default=0)
        due = self.calendar.add_working_days(self.today, limit)
        text.append(_("If accepted today, due") + "：", style="bold")
        text.append(due_text(due, limit))
        if self.calendar.needs_update(due):
            text.append("\n⚠ " + calendar_note(due), style="bold yellow")
        return text
