"""The front desk (F3): the applicant by ID number, then the matter or bundle, then the checklist.

Step 1 recalls a known applicant at once (with their open cases and last five) or opens
the registration form; every rejection shows the service's precise message under the field
and keeps what was typed.  An entity acts through an agent (经办人), recorded with their own
ID; a person may too (代办, Ctrl+G).  The ID type starts at 居民身份证 for every applicant.  The full ID
number stays masked; Ctrl+R opens it through ``reveal_id`` (an audit event).  Step 2 searches
``app.matter_index`` on every keystroke.  A case number typed instead of an ID number resumes
that case (e.g. an applicant back with the missing materials).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, OptionList, Select, Static

from hallterm.db.services.applicants import ApplicantView
from hallterm.db.services.cases import AgentInput, ApplicantCases
from hallterm.domain.catalog import display
from hallterm.domain.ids import ENTITY_ID_TYPES, IdType, id_type_label
from hallterm.i18n import N_, _
from hallterm.screens.desk_applicant import AgentForm, cases_text
from hallterm.screens.desk_matter import is_case_number
from hallterm.screens.desk_register import REG_FIELDS, DeskRegistration
from hallterm.screens.reveal import RevealTimer
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import plain

ID_TYPES = tuple(IdType)


class DeskScreen(DeskRegistration):
    """Applicant and matter choice; the checklist and decisions follow on their own screen."""

    BINDINGS = [
        Binding("ctrl+t", "next_id_type", N_("ID type")),
        Binding("ctrl+r", "reveal", N_("Reveal ID")),
        Binding("ctrl+s", "register", N_("Register")),
        Binding("ctrl+n", "next_applicant", N_("Next applicant")),
        Binding("ctrl+g", "agent", N_("Agent (经办人)")),
        Binding("down", "down", N_("To the results"), show=False),
        Binding("escape", "back", N_("Back")),
    ]
    DEFAULT_CSS = """
    DeskScreen #desk-body { height: 1fr; padding: 0 1; }
    DeskScreen #id-row { height: auto; }
    DeskScreen #id-type { width: 44; }
    DeskScreen #id-number { width: 1fr; }
    DeskScreen #applicant-card { height: auto; border: round $success; padding: 0 1; }
    DeskScreen #register-form { height: auto; border: round $warning; padding: 0 1; }
    DeskScreen #register-form Input { margin-bottom: 0; }
    DeskScreen #applicant-cases { height: auto; max-height: 9; padding: 0 1; }
    DeskScreen #matter-step { height: 1fr; }
    DeskScreen #matter-results { height: 1fr; }
    DeskScreen .step { text-style: bold; margin-top: 1; }
    """
    AUTO_FOCUS = "#id-number"

    def __init__(self, applicant_id: str | None = None, ticket_id: str | None = None) -> None:
        """``ticket_id``: the queue ticket being served; its case is linked when registered."""
        super().__init__()
        self.ticket_id = ticket_id
        self._initial_applicant = applicant_id
        self.applicant: ApplicantView | None = None
        self.revealed: str | None = None
        self._reveal_timer = RevealTimer()
        self.registering = False
        self._id_type: str = IdType.resident_id.value
        self._busy = False
        self.with_agent = False  # 代办: a person represented by an agent
        self.cases: ApplicantCases | None = None

    @property
    def holds_keys(self) -> bool:
        """Keys typed after ⏎ wait while the applicant is looked up (hallterm.key_order)."""
        return self._busy

    # -- layout ----------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        with Vertical(id="desk-body"):
            yield Static(_("Front desk"), classes="screen-title", id="desk-title")
            yield Static(
                _("1. Applicant: choose the ID type and type the number (or a case number)."),
                classes="step",
                id="step-1",
            )
            with Horizontal(id="id-row"):
                yield Select(
                    [(id_type_label(t), t.value) for t in ID_TYPES],
                    value=self._id_type,
                    allow_blank=False,
                    id="id-type",
                )
                yield Input(
                    id="id-number",
                    placeholder=_("ID number, then Enter; or a case number to resume"),
                )
            yield Static("", classes="error", id="id-error")
            yield Static("", id="applicant-card")
            yield Static("", id="applicant-cases")
            yield AgentForm(id="agent-form")
            with Vertical(id="register-form"):
                yield Static(
                    _("New applicant: fill in and press Enter on the last field (or Ctrl+S)."),
                    classes="hint",
                    id="reg-hint",
                )
                yield Label(_("Name"), id="lbl-reg-name")
                yield Input(id="reg-name")
                yield Label(_("Phone"), id="lbl-reg-phone")
                yield Input(id="reg-phone", placeholder=_("mobile or landline"))
                yield Label(_("Address"), id="lbl-reg-address")
                yield Input(id="reg-address")
                yield Label(_("Legal representative"), id="lbl-reg-legal-rep")
                yield Input(id="reg-legal-rep")
                yield Static("", classes="error", id="reg-error")
            with Vertical(id="matter-step"):
                yield Static(
                    _(
                        "2. Matter or bundle (一件事): type a name, code or pinyin initials; "
                        "↓ to the list, Enter picks."
                    ),
                    classes="step",
                    id="step-2",
                )
                yield Input(id="matter-search", placeholder=_("e.g. gtgsh for 个体工商户"))
                yield OptionList(id="matter-results")

    def on_mount(self) -> None:
        self._render_state()
        self.set_interval(1, self._hide_expired_number)
        if self._initial_applicant:
            applicant_id, app = self._initial_applicant, self.hall
            ctx = app.ctx()

            def job() -> ApplicantView:
                from hallterm.db.services.applicants import get_applicant

                with app.store.read() as session:
                    return get_applicant(session, ctx, applicant_id)

            in_thread(self, job, self._found, self._id_rejected, group="desk")

    def retranslate(self) -> None:
        values = {f"#{i.id}": i.value for i in self.query(Input) if i.id}
        self.refresh(recompose=True)

        def restore() -> None:
            for selector, value in values.items():
                self.query_one(selector, Input).value = value
            self._render_state()

        self.call_after_refresh(restore)

    def _render_state(self) -> None:
        """Show the parts that fit the current step (called after every change)."""
        self.query_one("#register-form").display = self.registering
        is_entity = self._id_type in ENTITY_ID_TYPES
        self.query_one("#lbl-reg-legal-rep").display = is_entity
        self.query_one("#reg-legal-rep").display = is_entity
        card = self.query_one("#applicant-card", Static)
        card.display = self.applicant is not None
        if self.applicant is not None:
            card.update(self._card_text(self.applicant))
        cases = self.query_one("#applicant-cases", Static)
        cases.display = self.applicant is not None and self.cases is not None
        if self.cases is not None:
            cases.update(cases_text(self.cases))
        agent_form = self.query_one(AgentForm)
        agent_form.display = self.needs_agent
        agent_form.show_for(self.applicant is not None and self.applicant.kind == "entity")
        self.query_one("#matter-step").display = self.applicant is not None
        if self.applicant is not None:
            self._fill_results()
        self.refresh_bindings()

    def _card_text(self, a: ApplicantView) -> Text:
        text = Text()

        def field(label: str, value: str) -> None:
            text.append(label + "：", style="bold")
            text.append(value or "—")  # appended as plain text: never markup
            text.append("  ")

        field(_("Applicant"), a.name)
        field(_("Applicant type"), display(a.kind))
        text.append("\n")
        number = self.revealed or a.id_masked
        field(id_type_label(a.id_type), number)
        if self.revealed:
            text.append(_("(opened; recorded in the audit trail)"), style="yellow")
        else:
            text.append(_("Ctrl+R shows the full number"), style="dim")
        text.append("\n")
        field(_("Phone"), a.phone)
        field(_("Address"), a.address)
        if a.legal_rep:
            field(_("Legal representative"), a.legal_rep)
        return text

    @property
    def needs_agent(self) -> bool:
        """An entity always acts through an agent; a person when Ctrl+G asked for one."""
        return self.applicant is not None and (self.applicant.kind == "entity" or self.with_agent)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            return self.applicant is not None
        if action == "agent":
            return self.applicant is not None and self.applicant.kind != "entity"
        if action == "register":
            return self.registering
        return True

    # -- step 1: the applicant -----------------------------------------------------------------

    @on(Select.Changed, "#id-type")
    def _type_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._id_type = event.value
            self._render_state()

    def action_next_id_type(self) -> None:
        values = [t.value for t in ID_TYPES]
        nxt = values[(values.index(self._id_type) + 1) % len(values)]
        self.query_one("#id-type", Select).value = nxt
        self._id_type = nxt
        self._render_state()

    @on(Input.Changed, "#id-number")
    def _id_edited(self) -> None:
        self.query_one("#id-error", Static).update("")

    @on(Input.Submitted, "#id-number")
    def _look_up(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value or self._busy:
            return
        self.query_one("#id-error", Static).update("")
        if is_case_number(value):  # STATION-YYYYMMDD-NNNN; an ID typed with dashes is not
            self._open_case_number(value)
            return
        id_type = self._id_type
        app = self.hall
        ctx = app.ctx()

        def job() -> ApplicantView | None:
            from hallterm.db.services.applicants import find_applicant

            today = app.clock.today()
            with app.store.read() as session:
                return find_applicant(session, ctx, id_type, value, today)

        self._busy = True
        in_thread(self, job, self._found, self._id_rejected, group="desk")

    def _id_rejected(self, message: str) -> None:
        self._busy = False
        self.query_one("#id-error", Static).update(plain(message))
        self.query_one("#id-number", Input).focus()

    def _found(self, applicant: ApplicantView | None) -> None:
        self._busy = False
        if applicant is not None:
            self._set_applicant(applicant)
            return
        self.applicant = None
        self.registering = True
        self.query_one("#reg-error", Static).update("")
        self._render_state()
        self.query_one("#reg-name", Input).focus()

    def _set_applicant(self, applicant: ApplicantView) -> None:
        self.applicant = applicant
        self.revealed = None
        self.registering = False
        self.with_agent = False
        self.cases = None
        # The full number leaves the screen once the applicant is known; the card masks it.
        self.query_one("#id-number", Input).value = ""
        for selector in REG_FIELDS:
            self.query_one(selector, Input).value = ""
        self.query_one(AgentForm).clear()
        self.query_one("#matter-search", Input).value = ""
        self._render_state()
        if self.needs_agent:
            self.query_one(AgentForm).start()
        else:
            self.query_one("#matter-search", Input).focus()
        self._load_cases(applicant.id)

    def _load_cases(self, applicant_id: str) -> None:
        app = self.hall
        yellow = app.settings.yellow_days
        ctx = app.ctx()

        def job() -> ApplicantCases:
            from hallterm.db.services.cases import applicant_cases

            today = app.clock.today()
            with app.store.read() as session:
                return applicant_cases(session, ctx, applicant_id, today, yellow)

        def loaded(cases: ApplicantCases) -> None:
            if self.applicant is not None and self.applicant.id == applicant_id:
                self.cases = cases
                self._render_state()

        in_thread(self, job, loaded, group="desk-cases")

    def action_agent(self) -> None:
        """Ctrl+G: the person is represented by an agent (代办), or no longer."""
        if self.applicant is None or self.applicant.kind == "entity":
            return
        self.with_agent = not self.with_agent
        self._render_state()
        if self.with_agent:
            self.query_one(AgentForm).start()
        else:
            self.query_one("#matter-search", Input).focus()

    @on(AgentForm.Completed)
    def _agent_done(self) -> None:
        self.query_one("#matter-search", Input).focus()

    def _agent_input(self) -> AgentInput | None:
        return self.query_one(AgentForm).agent() if self.needs_agent else None

    def action_reveal(self) -> None:
        if self.applicant is None:
            return
        applicant_id = self.applicant.id
        app = self.hall
        ctx = app.ctx()

        from hallterm.screens.reveal import PurposeScreen

        def chosen(purpose: str | None) -> None:
            def job() -> str:
                from hallterm.db.services.applicants import reveal_id

                with app.store.write() as session:
                    return reveal_id(session, ctx, applicant_id, purpose or "")

            if purpose and self.applicant is not None and self.applicant.id == applicant_id:
                in_thread(self, job, self._revealed, group="desk")

        self.app.push_screen(PurposeScreen(), chosen)

    def _revealed(self, number: str) -> None:
        self.revealed = number
        self._reveal_timer.opened(self.hall.clock.now())
        self._render_state()

    def _hide_expired_number(self) -> None:
        """Checked every second: the opened number hides again after 30 s on the app's clock."""
        if self.revealed and self._reveal_timer.expired(self.hall.clock.now()):
            self.revealed = None
            self._reveal_timer.clear()
            self._render_state()

    def action_next_applicant(self) -> None:
        """Clear everything for the next person at the window; the ID type starts over."""
        self.applicant = None
        self.revealed = None
        self.registering = False
        self.with_agent = False
        self.cases = None
        self._id_type = IdType.resident_id.value
        self.query_one("#id-type", Select).value = self._id_type
        self.query_one(AgentForm).clear()
        for widget in self.query(Input):
            widget.value = ""
        self.query_one("#id-error", Static).update("")
        self.query_one("#reg-error", Static).update("")
        self._render_state()
        self.query_one("#id-number", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
