"""The desk's parts about the person at the window: the 经办人 form and a recalled
applicant's cases (open ones, most urgent first, and the last five)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select, Static

from hallterm.db.services.cases import AgentInput, ApplicantCases, CaseRow
from hallterm.domain.case_states import status_label
from hallterm.domain.ids import ENTITY_ID_TYPES, IdType, id_type_label
from hallterm.i18n import _
from hallterm.screens.desk_common import days_left_text, light_text

# An agent (经办人) is a person: any ID type but the unified social credit code.
AGENT_ID_TYPES = tuple(t for t in IdType if t not in ENTITY_ID_TYPES)
AGENT_FIELDS = ("#agent-name", "#agent-id", "#agent-phone")


class AgentForm(Vertical):
    """Name, own ID (type and number) and phone of the agent; Enter moves field to field."""

    DEFAULT_CSS = """
    AgentForm { height: auto; border: round $accent; padding: 0 1; }
    AgentForm #agent-row { height: auto; }
    AgentForm #agent-id-type { width: 36; }
    AgentForm #agent-id { width: 1fr; }
    """

    class Completed(Message):
        """Enter on the last field: the desk moves on to the matter."""

    def compose(self) -> ComposeResult:
        yield Static("", classes="hint", id="agent-hint")
        yield Label(_("Agent's name"), id="lbl-agent-name")
        yield Input(id="agent-name")
        yield Label(_("Agent's ID"), id="lbl-agent-id")
        with Horizontal(id="agent-row"):
            yield Select(
                [(id_type_label(t), t.value) for t in AGENT_ID_TYPES],
                value=IdType.resident_id.value,
                allow_blank=False,
                id="agent-id-type",
            )
            yield Input(id="agent-id")
        yield Label(_("Agent's phone"), id="lbl-agent-phone")
        yield Input(id="agent-phone", placeholder=_("mobile or landline"))

    def show_for(self, entity: bool) -> None:
        """The hint of an entity's agent, or of a person represented (代办)."""
        self.query_one("#agent-hint", Static).update(
            _("The agent (经办人) who came for the entity, with their own ID.")
            if entity
            else _("Acting for the applicant (代办): the agent's own ID. Ctrl+G: no agent.")
        )

    def clear(self) -> None:
        for selector in AGENT_FIELDS:
            self.query_one(selector, Input).value = ""
        self.query_one("#agent-id-type", Select).value = IdType.resident_id.value

    def start(self) -> None:
        self.query_one("#agent-name", Input).focus()

    def agent(self) -> AgentInput:
        """What was typed; the service checks it (name, the ID by its type, the phone)."""
        id_type = self.query_one("#agent-id-type", Select).value
        return AgentInput(
            name=self.query_one("#agent-name", Input).value,
            id_type=id_type if isinstance(id_type, str) else IdType.resident_id.value,
            id_number=self.query_one("#agent-id", Input).value,
            phone=self.query_one("#agent-phone", Input).value,
        )

    @on(Input.Submitted, "#agent-name, #agent-id, #agent-phone")
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        order = list(AGENT_FIELDS)
        here = order.index(f"#{event.input.id}")
        if here + 1 < len(order):
            self.query_one(order[here + 1], Input).focus()
        else:
            self.post_message(self.Completed())


def cases_text(cases: ApplicantCases) -> Text:
    """The recalled applicant's open cases (most urgent first) and last five, as plain text."""
    text = Text()

    def rows(title: str, items: tuple[CaseRow, ...]) -> None:
        text.append(title + "：", style="bold")
        if not items:
            text.append(_("none") + "\n")
            return
        text.append("\n")
        for r in items:
            text.append("  ")
            text.append(light_text(r.urgency))
            text.append(f" {r.number}  {status_label(r.status)}  ")
            text.append(r.title)  # plain text, never markup
            if r.days_left is not None:
                text.append("  " + days_left_text(r.days_left))
            text.append("\n")

    rows(_("Open cases"), cases.open)
    rows(_("Last five cases"), cases.recent)
    text.rstrip()
    return text
