"""好差评 by the applicant, and a supervisor closing the rectification of a bad rating.

``RatingScreen`` is shown on the rating terminal paired with a window (``hallterm rate``,
``rating_terminal.py``) after a service: five levels (keys 5 … 1, or arrows and Enter), an
optional comment; it saves through ``ratings.rate`` as the applicant and returns the level
(None when skipped).  ``RectificationScreen`` shows a bad rating and records the
response that closes it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from hallterm.clock import fmt_local
from hallterm.db.services.ratings import LEVELS, RatingView, level_label
from hallterm.db.services.rectification import RectificationView
from hallterm.i18n import N_, _
from hallterm.screens.base import hall_of
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import plain
from hallterm.widgets.punctuation import colon

CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 80; height: auto; max-height: 90%; border: thick $accent; padding: 1 2;
    background: $panel;
}}
{name} OptionList {{ height: auto; max-height: 12; margin-bottom: 1; }}
{name} Input {{ margin-bottom: 1; }}
"""
_STYLES = {5: "bold green", 4: "green", 3: "yellow", 2: "red", 1: "bold red"}


def stars(level: int) -> str:
    return "★" * level + "☆" * (5 - level)


class RatingScreen(ModalScreen[int | None]):
    """The applicant rates the service just finished (the case, window and clerk)."""

    DEFAULT_CSS = CSS.format(name="RatingScreen")
    BINDINGS = [
        Binding("escape", "skip", N_("Skip")),
        *(Binding(str(level), f"pick({level})", show=False) for level in LEVELS),
    ]
    AUTO_FOCUS = "#rating-levels"

    def __init__(
        self, *, ticket_id: str | None = None, case_id: str | None = None, title: str = ""
    ) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.case_id = case_id
        self._title = title
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(_("Please rate our service (好差评)"), classes="screen-title")
            if self._title:
                yield Static(plain(self._title), classes="hint")
            levels = OptionList(id="rating-levels")
            for level in sorted(LEVELS, reverse=True):
                levels.add_option(
                    Option(
                        Text.assemble(
                            (f"{level}  ", "bold"),
                            (stars(level) + "  ", _STYLES[level]),
                            level_label(level),
                        ),
                        id=str(level),
                    )
                )
            yield levels
            yield Input(id="rating-comment", placeholder=_("comment (optional), then Enter"))
            yield Static("", classes="error", id="rating-error")
            yield Static(
                _("Press 5 … 1 or choose with ↑/↓ and Enter · Tab: comment · Esc: skip"),
                classes="hint",
            )

    def on_mount(self) -> None:
        self.query_one("#rating-levels", OptionList).highlighted = 0

    @on(OptionList.OptionSelected, "#rating-levels")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_pick(int(event.option.id or "0"))

    @on(Input.Submitted, "#rating-comment")
    def _comment_done(self) -> None:
        levels = self.query_one("#rating-levels", OptionList)
        option = levels.highlighted_option
        if option is not None:
            self.action_pick(int(option.id or "0"))

    def action_pick(self, level: int) -> None:
        if self._saving or level not in LEVELS:
            return
        self._saving = True
        comment = self.query_one("#rating-comment", Input).value
        app = hall_of(self)

        def job() -> RatingView:
            from hallterm.db.services.ratings import rate

            with app.store.write() as session:
                return rate(
                    session,
                    app.ctx(),
                    level=level,
                    comment=comment,
                    case_id=self.case_id,
                    ticket_id=self.ticket_id,
                )

        in_thread(self, job, self._saved, self._failed, group="rating")

    def _saved(self, view: RatingView) -> None:
        if view.rectification_id:
            self.app.notify(
                _("Thank you. A rectification is opened, due {date}.").format(
                    date=view.rectification_due.isoformat() if view.rectification_due else ""
                ),
                markup=False,
            )
        else:
            self.app.notify(_("Thank you for your rating."), markup=False)
        self.dismiss(view.level)

    def _failed(self, message: str) -> None:
        self._saving = False
        self.query_one("#rating-error", Static).update(plain(message))

    def action_skip(self) -> None:
        self.dismiss(None)


class RectificationScreen(ModalScreen[bool]):
    """A bad rating and its rectification; Enter in the response field closes it."""

    DEFAULT_CSS = CSS.format(name="RectificationScreen")
    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]
    AUTO_FOCUS = "#rect-response"

    def __init__(self, item: RectificationView) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        r = self.item
        facts = Text()
        for label, value in (
            (_("Rating"), f"{stars(r.level)} {level_label(r.level)}"),
            (_("Comment"), r.comment or "—"),
            (_("Window"), r.window or "—"),
            (_("Window clerk"), r.clerk_name or "—"),
            (_("Case number"), r.case_number or "—"),
            (_("Ticket"), r.ticket_number or "—"),
            (_("Rated at"), fmt_local(r.rated_at)),
            (_("Rectify by"), r.due_date.isoformat()),
        ):
            facts.append(colon(label), style="bold")
            facts.append(f"{value}\n")
        with Vertical():
            yield Static(_("Rectification of a bad rating"), classes="screen-title")
            yield Static(facts)
            if r.closed_at is not None:
                yield Static(
                    plain(
                        _("Closed {at} by {who}: {response}").format(
                            at=fmt_local(r.closed_at), who=r.closed_by, response=r.response
                        )
                    )
                )
            else:
                yield Input(
                    id="rect-response",
                    placeholder=_("the response given to the applicant, then Enter to close"),
                )
            yield Static("", classes="error", id="rect-error")
            yield Static(_("Enter: close with this response · Esc: back"), classes="hint")

    @on(Input.Submitted, "#rect-response")
    def _close(self, event: Input.Submitted) -> None:
        response = event.value
        app = hall_of(self)

        def job() -> RectificationView:
            from hallterm.db.services.rectification import close_rectification

            with app.store.write() as session:
                return close_rectification(session, app.ctx(), self.item.id, response)

        in_thread(self, job, self._was_closed, self._failed, group="rectification")

    def _was_closed(self, _view: RectificationView) -> None:
        self.app.notify(_("The rectification is closed."), markup=False)
        self.dismiss(True)

    def _failed(self, message: str) -> None:
        self.query_one("#rect-error", Static).update(plain(message))

    def action_cancel(self) -> None:
        self.dismiss(False)
