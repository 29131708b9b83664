"""Cases (F4): the list of open cases with their deadline lights, and one case in detail.

The detail shows the lines, the due date and working days left, and the whole timeline
(every event with who and when, in hall time).  Its keys are the moves the domain state
machine allows from the case's status, and only those: start review, suspend (reason),
resume, approve, deny (reason), deliver, withdraw (reason); a registered or notified case
goes back to its checklist (the applicant returned), and the papers can be printed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Input, Static

from hallterm.clock import fmt_local
from hallterm.db.services.case_documents import Printed, calendar_note, documents_for
from hallterm.db.services.cases import CaseRow, CaseView, TimelineEntry
from hallterm.domain.case_states import (
    OPEN_STATES,
    CaseAction,
    CaseStatus,
    action_label,
    allowed_actions,
    status_label,
)
from hallterm.domain.catalog import display
from hallterm.domain.roles import Permission, allowed
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.desk_common import (
    days_left_text,
    due_text,
    in_thread,
    light_text,
    line_state_text,
    printed_message,
    printer_for,
)
from hallterm.screens.desk_dialogs import PromptScreen, ReasonScreen
from hallterm.widgets.plain import plain, row

SUSPEND_REASONS = (
    N_("Hearing (听证)"),
    N_("Testing, inspection or quarantine"),
    N_("Expert review"),
    N_("On-site verification"),
)
WITHDRAW_REASONS = (
    N_("The applicant withdrew the application."),
    N_("The applicant asked to stop handling the matter."),
)

# binding action → domain action (the moves after acceptance)
MOVES: dict[str, CaseAction] = {
    "start_review": CaseAction.start_review,
    "suspend": CaseAction.suspend,
    "resume": CaseAction.resume,
    "approve": CaseAction.approve,
    "deny": CaseAction.deny,
    "deliver": CaseAction.deliver,
    "withdraw": CaseAction.withdraw,
}

_EVENT_LABELS = {
    "case.registered": N_("registered"),
    "case.materials_recorded": N_("materials recorded"),
    "case.accepted": N_("accepted"),
    "case.notified": N_("one-time notice given"),
    "case.refused": N_("refused"),
    "case.in_review": N_("review started"),
    "case.suspended": N_("suspended (clock stopped)"),
    "case.resumed": N_("resumed (clock running)"),
    "case.approved": N_("approved"),
    "case.denied": N_("denied"),
    "case.delivered": N_("delivered"),
    "case.withdrawn": N_("withdrawn"),
    "case.printed": N_("printed"),
}


def _user(app: Any) -> str:
    return app.actor.role if app.actor else ""


def event_label(kind: str) -> str:
    return _(_EVENT_LABELS[kind]) if kind in _EVENT_LABELS else kind


def event_details(entry: TimelineEntry) -> str:
    """The readable part of an event's payload: statuses, reason, due date, items, papers."""
    from hallterm.db.services.case_documents import kind_label

    d = entry.details
    parts = []
    if d.get("from") and d.get("to"):
        parts.append(f"{status_label(d['from'])} → {status_label(d['to'])}")
    if d.get("reason"):
        parts.append(_("reason: {reason}").format(reason=d["reason"]))
    if d.get("due_date"):
        parts.append(_("due {date}").format(date=d["due_date"]))
    if d.get("missing"):
        parts.append(_("missing: {items}").format(items="、".join(d["missing"])))
    if d.get("document"):
        parts.append(kind_label(d["document"]))
    return "；".join(parts)


# --------------------------------------------------------------------------- the list


class CaseListScreen(BaseScreen):
    BINDINGS = [
        Binding("slash", "filter", N_("Filter")),
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
        table = self.query_one("#cases-table", DataTable)
        table.clear(columns=True)
        for label, key in (
            (_("Case number"), "number"),
            (_("Applicant"), "applicant"),
            (_("Matter"), "matter"),
            (_("Status"), "status"),
            (_("Registered"), "registered"),
            (_("Due"), "due"),
            (_("Days left"), "left"),
            (_("Light"), "light"),
        ):
            table.add_column(label, key=key)

    def _load(self) -> None:
        app = self.hall
        statuses = () if self.show_all else tuple(s.value for s in OPEN_STATES)
        yellow = app.settings.yellow_days

        def job() -> list[CaseRow]:
            from hallterm.db.services.cases import list_cases

            with app.store.read() as session:
                return list_cases(
                    session,
                    statuses=statuses,
                    today=app.clock.today(),
                    yellow_days=yellow,
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
        table.clear()
        for r in self._visible():
            table.add_row(
                *row(
                    r.number,
                    r.applicant_name,
                    r.title,
                    status_label(r.status),
                    fmt_local(r.registered_at),
                    r.due_date.isoformat() if r.due_date else "",
                    days_left_text(r.days_left),
                ),
                light_text(r.light),
                key=r.id,
            )

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

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.query_one("#cases-title", Static).update(self._title())
        self._load()

    def action_reload(self) -> None:
        self._load()

    def action_back(self) -> None:
        self.app.pop_screen()


# --------------------------------------------------------------------------- one case


@dataclass(frozen=True)
class _Detail:
    view: CaseView
    timeline: list[TimelineEntry]


class CaseDetailScreen(BaseScreen):
    BINDINGS = [
        Binding("v", "start_review", N_("Start review")),
        Binding("s", "suspend", N_("Suspend")),
        Binding("r", "resume", N_("Resume")),
        Binding("y", "approve", N_("Approve")),
        Binding("n", "deny", N_("Deny")),
        Binding("d", "deliver", N_("Deliver")),
        Binding("w", "withdraw", N_("Withdraw")),
        Binding("c", "checklist", N_("Continue checklist")),
        Binding("p", "reprint", N_("Print again")),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    CaseDetailScreen #detail-body { height: 1fr; padding: 0 1; }
    CaseDetailScreen #detail-head { height: auto; border: round $accent; padding: 0 1; }
    CaseDetailScreen DataTable { height: auto; max-height: 16; }
    CaseDetailScreen .section { text-style: bold; color: $accent; margin-top: 1; }
    """
    AUTO_FOCUS = "#detail-timeline"

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.view: CaseView | None = None
        self.timeline: list[TimelineEntry] = []
        self._busy = False

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="detail-body"):
            yield Static(_("Case"), classes="screen-title", id="detail-title")
            yield Static("", id="detail-head")
            yield Static(_("Materials"), classes="section", id="detail-lines-title")
            lines: DataTable[Text] = DataTable(id="detail-lines", cursor_type="row")
            yield lines
            yield Static(_("Timeline"), classes="section", id="detail-timeline-title")
            timeline: DataTable[Text] = DataTable(
                id="detail-timeline", cursor_type="row", zebra_stripes=True
            )
            yield timeline

    def on_mount(self) -> None:
        self._columns()
        self._load()

    def on_screen_resume(self) -> None:
        if self.is_mounted and self.view is not None:
            self._load()

    def retranslate(self) -> None:
        self.query_one("#detail-title", Static).update(_("Case"))
        self.query_one("#detail-lines-title", Static).update(_("Materials"))
        self.query_one("#detail-timeline-title", Static).update(_("Timeline"))
        self._columns()
        self._show()

    def _columns(self) -> None:
        lines = self.query_one("#detail-lines", DataTable)
        lines.clear(columns=True)
        for label in (_("Material"), _("Necessity"), _("State"), _("Details")):
            lines.add_column(label)
        timeline = self.query_one("#detail-timeline", DataTable)
        timeline.clear(columns=True)
        for label in (_("Time"), _("Event"), _("By"), _("Details")):
            timeline.add_column(label)

    def _load(self) -> None:
        app, case_id = self.hall, self.case_id
        yellow = app.settings.yellow_days

        def job() -> _Detail:
            from hallterm.db.services.cases import load_case, timeline

            with app.store.read() as session:
                view = load_case(session, case_id, app.clock.today(), yellow)
                return _Detail(view, timeline(session, case_id))

        def loaded(detail: _Detail) -> None:
            self.view, self.timeline = detail.view, detail.timeline
            self._show()

        in_thread(self, job, loaded, group="case-detail-load", exclusive=True)

    def _show(self) -> None:
        v = self.view
        if v is None:
            return
        self.query_one("#detail-head", Static).update(self._head(v))
        lines = self.query_one("#detail-lines", DataTable)
        lines.clear()
        for lv in v.lines:
            details = ""
            if lv.deferred_until:
                details = _("by {date}").format(date=lv.deferred_until.isoformat())
            elif lv.count:
                details = str(lv.count)
            elif lv.note:
                details = lv.note
            lines.add_row(
                plain(lv.requirement.name),
                plain(display(lv.requirement.necessity)),
                line_state_text(lv.state),
                plain(details),
            )
        timeline = self.query_one("#detail-timeline", DataTable)
        timeline.clear()
        for entry in self.timeline:
            timeline.add_row(
                *row(
                    fmt_local(entry.at, with_seconds=True),
                    event_label(entry.kind),
                    entry.actor,
                    event_details(entry),
                )
            )
        self.refresh_bindings()

    def _head(self, v: CaseView) -> Text:
        text = Text()

        def field(label: str, value: str | Text, end: str = "  ") -> None:
            text.append(label + "：", style="bold")
            text.append(value if isinstance(value, Text) else Text(value or "—"))
            text.append(end)

        field(_("Case number"), v.number)
        field(_("Status"), status_label(v.status), "\n")
        field(_("Applicant"), f"{v.applicant.name}（{v.applicant.id_masked}）")
        field(_("Phone"), v.applicant.phone, "\n")
        field(_("Matter"), v.title, "\n")
        if v.bundle_name:
            field(_("Matters handled together"), "、".join(m.name for m in v.matters), "\n")
        field(_("Clerk"), v.clerk_name)
        field(_("Window"), v.window)
        field(_("Registered"), fmt_local(v.registered_at), "\n")
        if v.accepted_at:
            field(_("Accepted"), fmt_local(v.accepted_at))
            field(_("Due"), due_text(v.due_date, v.limit_days))
            if v.days_left is not None:
                text.append(days_left_text(v.days_left) + " ")
                text.append(light_text(v.light))
            text.append("\n")
        if v.suspended_since:
            field(_("Suspended since"), v.suspended_since.isoformat(), "\n")
        if v.decision_reason:
            field(_("Reason"), v.decision_reason, "\n")
        if v.completed_at:
            field(_("Completed"), fmt_local(v.completed_at))
        if v.delivered_at:
            field(_("Delivered"), fmt_local(v.delivered_at))
        if v.calendar_needs_update and v.due_date is not None:
            text.append("\n⚠ " + calendar_note(v.due_date), style="bold yellow")
        moves = [action_label(a) for a in allowed_actions(v.status) if a in MOVES.values()]
        if moves:
            text.append("\n" + _("Possible next steps: {moves}").format(moves="、".join(moves)))
        return text

    # -- keys ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        v = self.view
        role = _user(self.app)
        if action in MOVES:
            return (
                v is not None
                and MOVES[action] in allowed_actions(v.status)
                and bool(role)
                and allowed(role, Permission.process_cases)
            )
        if action == "checklist":
            return (
                v is not None
                and v.status in (CaseStatus.registered, CaseStatus.notified)
                and bool(role)
                and allowed(role, Permission.front_desk)
            )
        if action == "reprint":
            return v is not None and bool(documents_for(v))
        return True

    def _move(self, action: CaseAction, reason: str = "") -> None:
        if self._busy or self.view is None or action not in allowed_actions(self.view.status):
            return
        app, case_id = self.hall, self.case_id
        ctx = app.ctx()

        def job() -> None:
            from hallterm.db.services.cases import advance

            with app.store.write() as session:
                advance(session, ctx, case_id, action, reason)

        def done(_result: None) -> None:
            self._busy = False
            self.app.notify(
                _("Case {number}: {action}").format(
                    number=self.view.number if self.view else "", action=action_label(action)
                ),
                markup=False,
                timeout=3,
            )
            self._load()

        def failed(message: str) -> None:
            self._busy = False
            self.hall.notify_error(message)

        self._busy = True
        in_thread(self, job, done, failed, group="case-detail-move")

    def _with_reason(self, action: CaseAction, reasons: tuple[str, ...]) -> None:
        if self.view is None:
            return

        def done(reason: str | None) -> None:
            if reason:
                self._move(action, reason)

        title = _("{action}: case {number}").format(
            action=action_label(action), number=self.view.number
        )
        if reasons:
            self.app.push_screen(ReasonScreen(title, [_(r) for r in reasons]), done)
        else:
            self.app.push_screen(PromptScreen(title, _("Reason:"), required=True), done)

    def action_start_review(self) -> None:
        self._move(CaseAction.start_review)

    def action_suspend(self) -> None:
        self._with_reason(CaseAction.suspend, SUSPEND_REASONS)

    def action_resume(self) -> None:
        self._move(CaseAction.resume)

    def action_approve(self) -> None:
        self._move(CaseAction.approve)

    def action_deny(self) -> None:
        self._with_reason(CaseAction.deny, ())

    def action_deliver(self) -> None:
        self._move(CaseAction.deliver)

    def action_withdraw(self) -> None:
        self._with_reason(CaseAction.withdraw, WITHDRAW_REASONS)

    def action_checklist(self) -> None:
        from hallterm.screens.desk_checklist import ChecklistScreen

        if self.view is not None and self.view.status in (
            CaseStatus.registered,
            CaseStatus.notified,
        ):
            self.app.push_screen(ChecklistScreen(self.case_id))

    def action_reprint(self) -> None:
        if self._busy or self.view is None:
            return
        kinds = documents_for(self.view)
        if not kinds:
            return
        app, case_id = self.hall, self.case_id
        ctx = app.ctx()
        settings = app.settings
        printer = printer_for(app)

        def job() -> list[Printed]:
            from hallterm.db.services.case_documents import print_documents

            return print_documents(
                app.store,
                ctx,
                case_id,
                kinds,
                printer,
                font_path=settings.font_path or None,
                yellow_days=settings.yellow_days,
            )

        def done(printed: list[Printed]) -> None:
            self._busy = False
            self.app.notify(printed_message(printed), title=_("Printed"), markup=False, timeout=8)
            self._load()

        def failed(message: str) -> None:
            self._busy = False
            self.hall.notify_error(message)

        self._busy = True
        in_thread(self, job, done, failed, group="case-detail-move")

    def action_back(self) -> None:
        self.app.pop_screen()
