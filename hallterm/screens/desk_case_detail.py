"""One case (from F4 or a case number at the desk): lines, deadline, 经办人, the timeline.

The detail shows the lines, the due date and working days left, an outstanding 容缺, and
the whole timeline (every event with who and when, in hall time).  Its keys are the moves
the domain state machine allows from the case's status, and only those: start review,
suspend (reason and expected resumption), resume, approve, deny (reason), deliver (how),
withdraw (reason); h records a deferred material handed in; a registered or notified case
goes back to its checklist (the applicant returned), and the papers can be printed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from hallterm.clock import fmt_local
from hallterm.db.services.case_documents import calendar_note, documents_for
from hallterm.db.services.cases import (
    CaseView,
    TimelineEntry,
    delivery_label,
)
from hallterm.domain.case_states import (
    CaseAction,
    CaseStatus,
    action_label,
    allowed_actions,
    is_open,
    status_label,
)
from hallterm.domain.catalog import display
from hallterm.domain.ids import id_type_label
from hallterm.domain.roles import Permission, allowed
from hallterm.i18n import N_, _
from hallterm.screens.desk_case_events import event_details, event_label
from hallterm.screens.desk_case_moves import WITHDRAW_REASONS, CaseMoves
from hallterm.screens.desk_common import (
    days_left_text,
    due_text,
    light_text,
    line_details,
    line_state_text,
)
from hallterm.screens.desk_dialogs import PromptScreen, ReasonScreen
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import plain, row

# 审批 is its own permission (roles.py); the other moves need process_cases.
DECISION_PERMISSION = {"approve": Permission.decide_case, "deny": Permission.decide_case}

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


def _user(app: Any) -> str:
    return app.actor.role if app.actor else ""


@dataclass(frozen=True)
class _Detail:
    view: CaseView
    timeline: list[TimelineEntry]


class CaseDetailScreen(CaseMoves):
    BINDINGS = [
        Binding("v", "start_review", N_("Start review")),
        Binding("s", "suspend", N_("Suspend")),
        Binding("r", "resume", N_("Resume")),
        Binding("y", "approve", N_("Approve")),
        Binding("n", "deny", N_("Deny")),
        Binding("d", "deliver", N_("Deliver")),
        Binding("w", "withdraw", N_("Withdraw")),
        Binding("h", "hand_in", N_("Deferred material handed in")),
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
        app, case_id = self.app, self.case_id
        yellow = app.settings.yellow_days  # type: ignore[attr-defined]
        ctx = app.ctx()  # type: ignore[attr-defined]

        def job() -> _Detail:
            from hallterm.db.services.cases import load_case, timeline

            with app.store.read() as session:  # type: ignore[attr-defined]
                view = load_case(session, ctx, case_id, app.clock.today(), yellow)  # type: ignore[attr-defined]
                return _Detail(view, timeline(session, ctx, case_id))

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
            details = line_details(lv.to_line())
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
        if v.agent_name:
            field(
                _("Agent (经办人)"),
                f"{v.agent_name}（{id_type_label(v.agent_id_type)} {v.agent_id_masked}）",
            )
            field(_("Phone"), v.agent_phone, "\n")
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
            field(_("Suspended since"), v.suspended_since.isoformat())
            field(_("Reason"), v.suspension_reason)
            if v.expected_resume_on:
                field(_("Expected to resume"), v.expected_resume_on.isoformat())
            text.append("\n")
        if v.outstanding:
            text.append(
                "◐ "
                + _("Deferred, not handed in yet: {items}").format(items="、".join(v.outstanding))
                + "  "
                + _("(h when it arrives)")
                + "\n",
                style="bold yellow",
            )
        if v.decision_reason:
            field(_("Reason"), v.decision_reason, "\n")
        if v.completed_at:
            field(_("Completed"), fmt_local(v.completed_at))
        if v.delivered_at:
            field(_("Delivered"), fmt_local(v.delivered_at))
            method = delivery_label(v.delivery_method)
            if method:
                field(_("Delivery"), method)
            if v.delivery_reference:
                field(_("Tracking number"), v.delivery_reference)
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
            # Hidden from who may not take it; the service refuses whatever the keys show.
            needs = DECISION_PERMISSION.get(action, Permission.process_cases)
            return (
                v is not None
                and MOVES[action] in allowed_actions(v.status)
                and bool(role)
                and (
                    allowed(role, needs) or (v.immediate and allowed(role, Permission.accept_case))
                )
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
        if action == "hand_in":
            return (
                v is not None
                and is_open(v.status)
                and bool(v.outstanding)
                and bool(role)
                and allowed(role, Permission.front_desk)
            )
        return True

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

    def action_resume(self) -> None:
        self._move(CaseAction.resume)

    def action_approve(self) -> None:
        self._move(CaseAction.approve)

    def action_deny(self) -> None:
        self._with_reason(CaseAction.deny, ())

    def action_withdraw(self) -> None:
        self._with_reason(CaseAction.withdraw, WITHDRAW_REASONS)

    def action_checklist(self) -> None:
        from hallterm.screens.desk_checklist import ChecklistScreen

        if self.view is not None and self.view.status in (
            CaseStatus.registered,
            CaseStatus.notified,
        ):
            self.app.push_screen(ChecklistScreen(self.case_id))

    def action_back(self) -> None:
        self.app.pop_screen()
