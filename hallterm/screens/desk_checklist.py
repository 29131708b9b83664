"""The materials checklist of one case and the decision at the window.

One line per material (a bundle's list is already merged by material type code).  The
clerk ticks lines with single keys; the domain ``Line`` methods check every rule (only a
deferrable item may be deferred, only an optional one be not applicable) and the verdict
panel follows each keystroke.  Decisions save the lines and decide in one transaction,
then print: accept (receipt, plus the deferral pledge when items are deferred), one-time
notice, refusal with a reason, or completion on the spot for 即办件.
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
from hallterm.db.services.cases import CaseView, Decided, LineInput
from hallterm.domain.case_states import CaseStatus, status_label
from hallterm.domain.catalog import display
from hallterm.domain.checklist import (
    DEFERRABLE,
    ChecklistError,
    Line,
    LineState,
    ReceivedAs,
    evaluate,
)
from hallterm.domain.workdays import WorkCalendar
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.confirm import IRREVERSIBLE, confirm_then
from hallterm.screens.desk_common import (
    Column,
    due_text,
    fit_columns,
    in_thread,
    line_details,
    line_state_text,
    printed_message,
    printer_for,
    required_text,
)
from hallterm.screens.desk_dialogs import PromptScreen, ReasonScreen, parse_day
from hallterm.widgets.plain import plain
from hallterm.widgets.punctuation import colon, series

REFUSAL_REASONS = (
    N_("The matter applied for does not require an administrative licence by law."),
    N_(
        "The matter is not within the competence of this authority by law; please apply to "
        "the competent authority."
    ),
    N_("The applicant is not eligible to apply for this matter."),
    N_("The applicant did not supply the materials within the time given in the one-time notice."),
)
DEFERRAL_WORKING_DAYS = 5

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


class ChecklistScreen(BaseScreen):
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
        head.append(colon(_("Case number")), style="bold")
        head.append(v.number + "  ")
        head.append(colon(_("Status")), style="bold")
        head.append(status_label(v.status) + "\n")
        head.append(colon(_("Applicant")), style="bold")
        head.append(f"{v.applicant.name}（{v.applicant.id_masked}）  ")
        head.append(colon(_("Matter")), style="bold")
        head.append(v.title)
        if v.bundle_name:
            head.append("\n" + colon(_("Matters handled together")), style="bold")
            head.append(series(m.name for m in v.matters))
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
                series(
                    _("{name} by {date}").format(name=n, date=d.isoformat())
                    for n, d in verdict.deferred
                )
            )
        else:
            text.append("✘ " + _("Incomplete, missing:") + " ", style="bold red")
            short = {ln.name: ln.shortfall_text() for ln in self.lines if ln.shortfall_text()}
            text.append(
                series(
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
            text.append(colon(_("Due")), style="bold")
            text.append(due_text(v.due_date, v.limit_days))
            if v.calendar_needs_update:
                text.append("\n⚠ " + calendar_note(v.due_date), style="bold yellow")
            return text
        if not self.editable:  # refused or withdrawn: no "if accepted today" any more
            return text
        limit = max((m.promised_limit_days for m in v.matters), default=0)
        due = self.calendar.add_working_days(self.today, limit)
        text.append(colon(_("If accepted today, due")), style="bold")
        text.append(due_text(due, limit))
        if self.calendar.needs_update(due):
            text.append("\n⚠ " + calendar_note(due), style="bold yellow")
        return text

    # -- line keys ----------------------------------------------------------------------------

    def _current(self) -> tuple[int, Line] | None:
        if not self.editable or not self.lines:
            return None
        row = self.query_one("#cl-lines", DataTable).cursor_row
        if not 0 <= row < len(self.lines):
            return None
        return row, self.lines[row]

    def _apply(self, change: Callable[[Line], None], advance: bool = True) -> None:
        current = self._current()
        if current is None:
            return
        row, line = current
        try:
            change(line)
        except ChecklistError as exc:
            self.hall.notify_error(str(exc))
            return
        self.dirty = True
        self._fill_table()  # the 说明 column grows with what was ticked
        table = self.query_one("#cl-lines", DataTable)
        # Stay on a line still short of originals or copies (r then c on the same line).
        advance = advance and line.shortfall() == (0, 0)
        table.move_cursor(row=row + 1 if advance and row + 1 < len(self.lines) else row)
        self._render_verdict()

    def _receive(self, kind: ReceivedAs) -> None:
        def change(line: Line) -> None:
            req = line.requirement
            default = {ReceivedAs.original: req.originals, ReceivedAs.copy: req.copies}.get(kind, 1)
            line.receive(kind, max(default, 1))

        self._apply(change)

    def action_as_required(self) -> None:
        """The originals and the copies the requirement asks for, in one key."""

        def change(line: Line) -> None:
            req = line.requirement
            if req.copies:
                line.receive(ReceivedAs.copy, req.copies)
            if req.originals or not req.copies:
                line.receive(ReceivedAs.original, max(req.originals, 1))

        self._apply(change)

    def action_original(self) -> None:
        self._receive(ReceivedAs.original)

    def action_copy(self) -> None:
        self._receive(ReceivedAs.copy)

    def action_electronic(self) -> None:
        self._receive(ReceivedAs.electronic)

    def _count(self, delta: int) -> None:
        def change(line: Line) -> None:
            if line.state != LineState.received or line.received_as is None:
                raise ChecklistError(
                    _("“{name}”: mark it received first (r, c or e)").format(name=line.name)
                )
            line.receive(line.received_as, line.count + delta)

        self._apply(change, advance=False)

    def action_more(self) -> None:
        self._count(1)

    def action_fewer(self) -> None:
        self._count(-1)

    def action_missing(self) -> None:
        current = self._current()
        if current is None:
            return
        _row, line = current

        def done(note: str | None) -> None:
            if note is not None:
                self._apply(lambda ln: ln.mark_missing(note))

        self.app.push_screen(
            PromptScreen(
                _("Missing: {name}").format(name=line.name),
                _("What is missing or wrong (optional; printed on the one-time notice):"),
                line.note,
            ),
            done,
        )

    def action_defer(self) -> None:
        current = self._current()
        if current is None:
            return
        _row, line = current
        default = self.calendar.add_working_days(self.today, DEFERRAL_WORKING_DAYS)
        if line.requirement.necessity != DEFERRABLE:
            self._apply(lambda ln: ln.defer(default, self.today))  # shows the domain's reason
            return
        today = self.today

        def check(value: str) -> str | None:
            day = parse_day(value)
            if day is None:
                return _("“{value}” is not a date YYYY-MM-DD").format(value=value)
            if day <= today:
                return _("the date must be later than today ({today})").format(
                    today=today.isoformat()
                )
            return None

        def done(value: str | None) -> None:
            day = parse_day(value or "")
            if day is not None:
                self._apply(lambda ln: ln.defer(day, today))

        self.app.push_screen(
            PromptScreen(
                _("Defer (容缺): {name}").format(name=line.name),
                _("The date by which the applicant brings it (YYYY-MM-DD):"),
                default.isoformat(),
                check=check,
            ),
            done,
        )

    def action_reuse(self) -> None:
        def change(line: Line) -> None:
            stored = self.stored.get(line.requirement.type_code)
            if stored is None:
                raise ChecklistError(
                    _("“{name}”: nothing valid of this kind is on file for the applicant").format(
                        name=line.name
                    )
                )
            line.reuse(stored.id)

        self._apply(change)

    def action_not_applicable(self) -> None:
        self._apply(lambda ln: ln.mark_not_applicable())

    def action_reset(self) -> None:
        self._apply(lambda ln: ln.reset(), advance=False)

    # -- saving and deciding ------------------------------------------------------------------

    def _inputs(self) -> list[LineInput]:
        return [
            LineInput(
                type_code=line.requirement.type_code,
                state=line.state.value,
                received_as=line.received_as.value if line.received_as else None,
                count=line.count,
                deferred_until=line.deferred_until,
                reused_from=line.reused_from,
                note=line.note,
                originals=line.originals,
                copies=line.copies,
            )
            for line in self.lines
        ]

    def action_save(self, then: Callable[[], None] | None = None) -> None:
        if self._busy or not self.editable:
            return
        app, case_id, inputs = self.hall, self.case_id, self._inputs()
        ctx = app.ctx()

        def job() -> None:
            from hallterm.db.services.cases import record_lines

            with app.store.write() as session:
                record_lines(session, ctx, case_id, inputs)

        def saved(_result: None) -> None:
            self._busy = False
            self.dirty = False
            self._render_verdict()
            if then is not None:
                then()
            else:
                self.app.notify(_("Checklist saved"), timeout=2)

        self._busy = True
        in_thread(self, job, saved, self._failed, group="checklist")

    def _failed(self, message: str) -> None:
        self._busy = False
        self.hall.notify_error(message)

    def _decide(self, decision: str, reason: str = "", confirmed: bool = False) -> None:
        """Save the lines and take ``decision`` (one use case), then show what it printed."""
        if self._busy or not self.editable or self.view is None:
            return
        if decision in IRREVERSIBLE and not confirmed:  # refuse, complete: asked first
            confirm_then(
                self, decision, self.view.number, lambda: self._decide(decision, reason, True)
            )
            return
        app, case_id = self.hall, self.case_id
        inputs = self._inputs() if self.dirty else []
        ctx = app.ctx()
        settings = app.settings
        printer = printer_for(app)

        def job() -> Decided:
            from hallterm.db.services.cases import decide

            return decide(
                app.store,
                ctx,
                case_id,
                decision,
                printer=printer,
                inputs=inputs,
                reason=reason,
                font_path=settings.font_path or None,
                yellow_days=settings.yellow_days,
            )

        self._busy = True
        in_thread(self, job, self._decided, self._failed, group="checklist")

    def _decided(self, result: Decided) -> None:
        self._busy = False
        self.decided = True
        self.dirty = False
        self.view = result.view
        self.printed = result.printed
        self.lines = [lv.to_line() for lv in result.view.lines]
        self._render_all()
        v = result.view
        text = Text()
        text.append(
            _("Case {number}: {status}").format(number=v.number, status=status_label(v.status)),
            style="bold",
        )
        if v.decision_reason:
            text.append("\n" + colon(_("Reason")) + v.decision_reason)
        message = printed_message(result.printed)
        if message:
            text.append("\n" + _("Printed") + "：\n" + message)
        if result.print_error:
            text.append("\n" + result.print_error, style="bold red")
        text.append("\n" + _("Esc: back to the desk for the next applicant"), style="dim")
        self.query_one("#cl-result", Static).update(text)
        if message:
            self.app.notify(message, title=_("Printed"), markup=False, timeout=8)
        if result.print_error:
            self.hall.notify_error(result.print_error)

    def action_accept(self) -> None:
        self._decide("accept")

    def action_one_time_notice(self) -> None:
        self._decide("notify")

    def action_complete(self) -> None:
        self._decide("complete")

    def action_refuse(self) -> None:
        if self._busy or not self.editable:
            return

        def done(reason: str | None) -> None:
            if reason:
                self._decide("refuse", reason)

        self.app.push_screen(
            ReasonScreen(_("Refuse the application (不予受理)"), [_(r) for r in REFUSAL_REASONS]),
            done,
        )

    def action_back(self) -> None:
        if self._busy:
            return
        if self.dirty and self.editable:

            def back() -> None:
                self.dismiss(self.decided)

            self.action_save(then=back)
            return
        self.dismiss(self.decided)
