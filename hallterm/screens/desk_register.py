"""The desk's registration of a new applicant: the form's fields in turn, then the service.

An ID number nobody is known by opens the form (``DeskScreen``); Enter moves field to field
and on the last one (or Ctrl+S) registers the applicant.  A rejection shows the service's
precise message under the form and keeps what was typed.  The base of ``DeskScreen``.
"""

from __future__ import annotations

from abc import abstractmethod

from textual import on
from textual.widgets import Input, Static

from hallterm.db.services.applicants import ApplicantView
from hallterm.domain.ids import IdType
from hallterm.i18n import _
from hallterm.screens.desk_matter import DeskMatterStep
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import plain

REG_FIELDS = ("#reg-name", "#reg-phone", "#reg-address", "#reg-legal-rep")


class DeskRegistration(DeskMatterStep):
    """The registration form's keys and the call that registers; the screen shows the form."""

    registering: bool
    _id_type: str

    @abstractmethod
    def _set_applicant(self, applicant: ApplicantView) -> None:
        """The desk goes on with this applicant (the matter step)."""

    @on(Input.Submitted, "#reg-name, #reg-phone, #reg-address, #reg-legal-rep")
    def _next_field(self, event: Input.Submitted) -> None:
        last = "#reg-legal-rep" if self._id_type == IdType.uscc else "#reg-address"
        if f"#{event.input.id}" == last:
            self.action_register()
            return
        order = list(REG_FIELDS)
        self.query_one(order[order.index(f"#{event.input.id}") + 1], Input).focus()

    def action_register(self) -> None:
        if not self.registering or self._busy:
            return
        number = self.query_one("#id-number", Input).value.strip()
        values = {s[5:]: self.query_one(s, Input).value for s in REG_FIELDS}
        id_type = self._id_type
        app = self.hall
        ctx = app.ctx()

        def job() -> ApplicantView:
            from hallterm.db.services.applicants import register_applicant

            with app.store.write() as session:
                return register_applicant(
                    session,
                    ctx,
                    id_type=id_type,
                    id_number=number,
                    name=values["name"],
                    phone=values["phone"],
                    address=values["address"],
                    legal_rep=values["legal-rep"] if id_type == IdType.uscc else "",
                )

        self._busy = True
        self.query_one("#reg-error", Static).update("")
        in_thread(self, job, self._registered, self._register_rejected, group="desk")

    def _register_rejected(self, message: str) -> None:
        self._busy = False
        self.query_one("#reg-error", Static).update(plain(message))

    def _registered(self, applicant: ApplicantView) -> None:
        self._busy = False
        self.app.notify(_("Registered {name}").format(name=applicant.name), markup=False, timeout=3)
        self._set_applicant(applicant)
