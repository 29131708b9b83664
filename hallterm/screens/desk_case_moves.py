"""The case detail's moves: each through the service in a worker, and those that ask
something first (the suspension's reason and expected resumption, the delivery method and
tracking number, which deferred material was handed in); printing again.  The base of
``CaseDetailScreen``."""

from __future__ import annotations

from abc import abstractmethod
from datetime import date

from hallterm.db.services.case_documents import Printed, documents_for
from hallterm.db.services.cases import (
    CaseView,
    Delivery,
    DeliveryMethod,
    HandedIn,
    delivery_label,
)
from hallterm.domain.case_states import (
    CaseAction,
    action_label,
    allowed_actions,
)
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.confirm import IRREVERSIBLE, confirm_then
from hallterm.screens.desk_common import (
    printed_message,
    printer_for,
)
from hallterm.screens.desk_dialogs import ChoiceScreen, PromptScreen, ReasonScreen, parse_day
from hallterm.screens.workers import in_thread

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


class CaseMoves(BaseScreen):
    """The moves of one case; the screen provides ``view``, ``case_id`` and ``_load``."""

    view: CaseView | None
    case_id: str
    _busy: bool

    def _move(
        self,
        action: CaseAction,
        reason: str = "",
        *,
        delivery: Delivery | None = None,
        resume_on: date | None = None,
        confirmed: bool = False,
    ) -> None:
        if self._busy or self.view is None or action not in allowed_actions(self.view.status):
            return
        if action.value in IRREVERSIBLE and not confirmed:  # named, with its consequence
            confirm_then(
                self,
                action.value,
                self.view.number,
                lambda: self._move(
                    action, reason, delivery=delivery, resume_on=resume_on, confirmed=True
                ),
            )
            return
        app, case_id = self.app, self.case_id
        ctx = app.ctx()  # type: ignore[attr-defined]

        def job() -> None:
            from hallterm.db.services.cases import advance

            with app.store.write() as session:  # type: ignore[attr-defined]
                advance(
                    session, ctx, case_id, action, reason, delivery=delivery, resume_on=resume_on
                )

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
            self.app.notify_error(message)  # type: ignore[attr-defined]

        self._busy = True
        in_thread(self, job, done, failed, group="case-detail-move")

    @abstractmethod
    def _load(self) -> None:
        """Read the case again and show it (the screen's own)."""

    def action_suspend(self) -> None:
        """The reason, then the expected resumption date (both go on the 中止告知书)."""
        if self.view is None or CaseAction.suspend not in allowed_actions(self.view.status):
            return
        number = self.view.number
        today = self.app.clock.today()  # type: ignore[attr-defined]

        def check(value: str) -> str | None:
            day = parse_day(value)
            if day is None:
                return _("“{value}” is not a date YYYY-MM-DD").format(value=value)
            if day <= today:
                return _("the date must be later than today ({today})").format(
                    today=today.isoformat()
                )
            return None

        def reason_given(reason: str | None) -> None:
            if not reason:
                return

            def date_given(value: str | None) -> None:
                day = parse_day(value or "")
                if day is not None:
                    self._move(CaseAction.suspend, reason, resume_on=day)

            self.app.push_screen(
                PromptScreen(
                    _("{action}: case {number}").format(
                        action=action_label(CaseAction.suspend), number=number
                    ),
                    _("Expected to resume on (YYYY-MM-DD):"),
                    check=check,
                ),
                date_given,
            )

        self.app.push_screen(
            ReasonScreen(
                _("{action}: case {number}").format(
                    action=action_label(CaseAction.suspend), number=number
                ),
                [_(r) for r in SUSPEND_REASONS],
            ),
            reason_given,
        )

    def action_deliver(self) -> None:
        """送达: at the window, by post (with the tracking number) or electronically."""
        if self.view is None or CaseAction.deliver not in allowed_actions(self.view.status):
            return
        title = _("{action}: case {number}").format(
            action=action_label(CaseAction.deliver), number=self.view.number
        )

        def chosen(method: str | None) -> None:
            if method is None:
                return
            if method != DeliveryMethod.post:
                self._move(CaseAction.deliver, delivery=Delivery(method))
                return

            def tracked(reference: str | None) -> None:
                if reference:
                    self._move(CaseAction.deliver, delivery=Delivery(method, reference))

            self.app.push_screen(
                PromptScreen(title, _("Tracking number of the posted result:"), required=True),
                tracked,
            )

        self.app.push_screen(
            ChoiceScreen(title, [(m.value, delivery_label(m)) for m in DeliveryMethod]), chosen
        )

    def action_hand_in(self) -> None:
        """A deferred (容缺) material arrives: recorded, and a receipt printed."""
        v = self.view
        if self._busy or v is None or not v.outstanding:
            return
        waiting = [lv for lv in v.lines if lv.outstanding]
        if len(waiting) == 1:
            self._hand_in(waiting[0].requirement.type_code)
            return

        def chosen(code: str | None) -> None:
            if code:
                self._hand_in(code)

        self.app.push_screen(
            ChoiceScreen(
                _("Which deferred material was handed in?"),
                [(lv.requirement.type_code, lv.requirement.name) for lv in waiting],
            ),
            chosen,
        )

    def _hand_in(self, type_code: str) -> None:
        app, case_id = self.app, self.case_id
        ctx = app.ctx()  # type: ignore[attr-defined]
        settings = app.settings  # type: ignore[attr-defined]
        printer = printer_for(app)

        def job() -> HandedIn:
            from hallterm.db.services.cases import hand_in

            return hand_in(
                app.store,  # type: ignore[attr-defined]
                ctx,
                case_id,
                type_code,
                printer=printer,
                font_path=settings.font_path or None,
                yellow_days=settings.yellow_days,
            )

        def done(result: HandedIn) -> None:
            self._busy = False
            message = printed_message(result.printed)
            self.app.notify(
                _("Recorded as handed in.") + ("\n" + message if message else ""),
                title=_("Printed") if message else "",
                markup=False,
                timeout=8,
            )
            if result.print_error:
                self.app.notify_error(result.print_error)  # type: ignore[attr-defined]
            self._load()

        def failed(message: str) -> None:
            self._busy = False
            self.app.notify_error(message)  # type: ignore[attr-defined]

        self._busy = True
        in_thread(self, job, done, failed, group="case-detail-move")

    def action_reprint(self) -> None:
        if self._busy or self.view is None:
            return
        kinds = documents_for(self.view)
        if not kinds:
            return
        app, case_id = self.app, self.case_id
        ctx = app.ctx()  # type: ignore[attr-defined]
        settings = app.settings  # type: ignore[attr-defined]
        printer = printer_for(app)

        def job() -> list[Printed]:
            from hallterm.db.services.case_documents import print_documents

            return print_documents(
                app.store,  # type: ignore[attr-defined]
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
            self.app.notify_error(message)  # type: ignore[attr-defined]

        self._busy = True
        in_thread(self, job, done, failed, group="case-detail-move")
