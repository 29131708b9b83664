"""The checklist's decisions: save the lines, or accept / notify / refuse / complete on the
spot through the one ``decide`` use case, then show what it printed.  The base of
``ChecklistScreen``."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

from hallterm.db.services.case_documents import Printed
from hallterm.db.services.cases import CaseView, Decided, LineInput
from hallterm.domain.case_states import status_label
from hallterm.i18n import N_, _
from hallterm.screens.confirm import IRREVERSIBLE, confirm_then
from hallterm.screens.desk_checklist_lines import ChecklistLineKeys
from hallterm.screens.desk_common import (
    printed_message,
    printer_for,
)
from hallterm.screens.desk_dialogs import ReasonScreen
from hallterm.screens.workers import in_thread

REFUSAL_REASONS = (
    N_("The matter applied for does not require an administrative licence by law."),
    N_(
        "The matter is not within the competence of this authority by law; please apply to "
        "the competent authority."
    ),
    N_("The applicant is not eligible to apply for this matter."),
    N_("The applicant did not supply the materials within the time given in the one-time notice."),
)


class ChecklistDecisions(ChecklistLineKeys):
    """Decision keys; the screen provides the case, its view and its rendering."""

    case_id: str
    view: CaseView | None
    decided: bool
    printed: list[Printed]
    _busy: bool

    @abstractmethod
    def _render_all(self) -> None:
        """Draw the whole screen from ``view`` and ``lines``."""

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
        app, case_id, inputs = self.app, self.case_id, self._inputs()
        ctx = app.ctx()  # type: ignore[attr-defined]

        def job() -> None:
            from hallterm.db.services.cases import record_lines

            with app.store.write() as session:  # type: ignore[attr-defined]
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
        self.app.notify_error(message)  # type: ignore[attr-defined]

    def _decide(self, decision: str, reason: str = "", confirmed: bool = False) -> None:
        """Save the lines and take ``decision`` (one use case), then show what it printed."""
        if self._busy or not self.editable or self.view is None:
            return
        if decision in IRREVERSIBLE and not confirmed:  # refuse, complete: asked first
            confirm_then(
                self, decision, self.view.number, lambda: self._decide(decision, reason, True)
            )
            return
        app, case_id = self.app, self.case_id
        inputs = self._inputs() if self.dirty else []
        ctx = app.ctx()  # type: ignore[attr-defined]
        settings = app.settings  # type: ignore[attr-defined]
        printer = printer_for(app)

        def job() -> Decided:
            from hallterm.db.services.cases import decide

            return decide(
                app.store,  # type: ignore[attr-defined]
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
            text.append("\n" + _("Reason") + "：" + v.decision_reason)
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
            self.app.notify_error(result.print_error)  # type: ignore[attr-defined]

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

            def close() -> None:
                self.dismiss(self.decided)

            self.action_save(then=close)
            return
        self.dismiss(self.decided)
