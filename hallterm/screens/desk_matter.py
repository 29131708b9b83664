"""The desk's second step: the matter or bundle (一件事) searched on every keystroke and the
case it starts (with the 经办人, linked to the queue ticket), and a case number typed
instead of an ID number, which resumes that case.  The base of ``DeskScreen``."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from hallterm.db.services.applicants import ApplicantView
from hallterm.db.services.cases import AgentInput
from hallterm.domain.case_states import CaseStatus
from hallterm.domain.numbering import parse_case_number
from hallterm.i18n import _
from hallterm.screens.base import BaseScreen
from hallterm.screens.workers import in_thread


def is_case_number(value: str) -> bool:
    try:
        parse_case_number(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _Found:
    """Result of typing a case number: the case and whether its checklist is still open."""

    case_id: str
    editable: bool


class DeskMatterStep(BaseScreen):
    """Matter search and case start; the screen provides the applicant and the agent."""

    applicant: ApplicantView | None
    ticket_id: str | None
    _busy: bool

    @abstractmethod
    def _agent_input(self) -> AgentInput | None:
        """The 经办人 typed, when the applicant needs one."""

    @abstractmethod
    def _id_rejected(self, message: str) -> None:
        """Show why the number typed in step 1 was refused."""

    @abstractmethod
    def action_next_applicant(self) -> None:
        """Clear the desk for the next person."""

    # -- a case number: resume -----------------------------------------------------------------

    def _open_case_number(self, number: str) -> None:
        app = self.app
        ctx = app.ctx()  # type: ignore[attr-defined]

        def job() -> _Found:
            from hallterm.db.services import ServiceError
            from hallterm.db.services.cases import find_case_id, load_case

            with app.store.read() as session:  # type: ignore[attr-defined]
                case_id = find_case_id(session, number)
                if case_id is None:
                    raise ServiceError(_("no case with number {number}").format(number=number))
                view = load_case(session, ctx, case_id, app.clock.today())  # type: ignore[attr-defined]
            return _Found(case_id, view.status in (CaseStatus.registered, CaseStatus.notified))

        self._busy = True
        in_thread(self, job, self._case_found, self._id_rejected, group="desk")

    def _case_found(self, found: _Found) -> None:
        from hallterm.screens.desk_cases import CaseDetailScreen
        from hallterm.screens.desk_checklist import ChecklistScreen

        self._busy = False
        self.query_one("#id-number", Input).value = ""
        if found.editable:
            self.app.push_screen(ChecklistScreen(found.case_id), self._checklist_closed)
        else:
            self.app.push_screen(CaseDetailScreen(found.case_id))

    # -- step 2: the matter ----------------------------------------------------------------------

    @on(Input.Changed, "#matter-search")
    def _search(self) -> None:
        self._fill_results()

    def _fill_results(self) -> None:
        query = self.query_one("#matter-search", Input).value
        results = self.query_one("#matter-results", OptionList)
        results.clear_options()
        hits = self.app.matter_index.search(query, limit=30)  # type: ignore[attr-defined]
        for item in hits:
            label = Text(item.name)
            if item.kind == "bundle":
                label.append("  " + _("bundle (一件事)"), style="bold magenta")
            if item.department:
                label.append("  " + item.department, style="dim")
            results.add_option(Option(label, id=f"{item.kind}:{item.key}"))
        if hits:
            results.highlighted = 0

    def action_down(self) -> None:
        focused = self.focused
        if focused is not None and focused.id == "matter-search":
            self.query_one("#matter-results", OptionList).focus()
        elif isinstance(focused, Input) and focused.id and focused.id.startswith("reg-"):
            self.focus_next()

    @on(Input.Submitted, "#matter-search")
    def _pick_first(self) -> None:
        results = self.query_one("#matter-results", OptionList)
        index = results.highlighted if results.highlighted is not None else 0
        if results.option_count:
            self._start(results.get_option_at_index(index).id or "")

    @on(OptionList.OptionSelected, "#matter-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self._start(event.option.id or "")

    def _start(self, choice: str) -> None:
        if self.applicant is None or not choice or self._busy:
            return
        kind, _sep, code = choice.partition(":")
        applicant_id = self.applicant.id
        app = self.app
        ctx = app.ctx()  # type: ignore[attr-defined]
        agent = self._agent_input()

        ticket_id = self.ticket_id

        def job() -> str:
            from hallterm.db.services.cases import start_case

            with app.store.write() as session:  # type: ignore[attr-defined]
                if kind == "bundle":
                    case_id = start_case(
                        session, ctx, applicant_id=applicant_id, bundle_code=code, agent=agent
                    )
                else:
                    case_id = start_case(
                        session, ctx, applicant_id=applicant_id, matter_codes=[code], agent=agent
                    )
                if ticket_id:
                    from hallterm.db.services.queue import link_case

                    link_case(session, ctx, ticket_id, case_id)
                return case_id

        self._busy = True
        in_thread(self, job, self._started, self._start_failed, group="desk")

    def _start_failed(self, message: str) -> None:
        self._busy = False
        self.app.notify_error(message)  # type: ignore[attr-defined]

    def _started(self, case_id: str) -> None:
        from hallterm.screens.desk_checklist import ChecklistScreen

        self._busy = False
        self.app.push_screen(ChecklistScreen(case_id), self._checklist_closed)

    def _checklist_closed(self, decided: bool | None) -> None:
        """After a decision the desk is ready for the next applicant."""
        if decided:
            self.action_next_applicant()
