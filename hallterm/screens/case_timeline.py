"""A case's timeline for the supervisor: its facts, every event with who and when, its ratings.

Opened from the dashboard's list of the cases of a deadline light (Enter).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from hallterm.clock import fmt_local, to_local
from hallterm.db.services.ratings import level_label
from hallterm.i18n import N_, _
from hallterm.screens.base import BaseScreen
from hallterm.screens.rating import stars
from hallterm.screens.supervisor import LIGHT_STYLE, days_left_text
from hallterm.screens.workers import in_thread
from hallterm.widgets.plain import row


class CaseTimelineScreen(BaseScreen):
    """One case: its facts, every event with who and when, its ratings and tickets."""

    BINDINGS = [Binding("escape", "back", N_("Back"))]
    DEFAULT_CSS = """
    CaseTimelineScreen #tl-head { height: auto; padding: 0 1; }
    CaseTimelineScreen #tl-table { height: 1fr; }
    """
    AUTO_FOCUS = "#tl-table"

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.loaded: Any = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="tl-head")
        yield DataTable(id="tl-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        app: Any = self.app
        case_id = self.case_id
        ctx = app.ctx()

        def job() -> Any:
            from hallterm.db.services import cases
            from hallterm.db.services.ratings import ratings_of_case

            today = to_local(app.clock.now()).date()
            with app.store.read() as session:
                view = cases.load_case(
                    session, ctx, case_id, today, yellow_days=app.settings.yellow_days
                )
                return (
                    view,
                    cases.timeline(session, ctx, case_id),
                    ratings_of_case(session, case_id),
                )

        in_thread(self, job, self._loaded)

    def retranslate(self) -> None:
        self._redraw()

    def _loaded(self, loaded: Any) -> None:
        self.loaded = loaded
        self._redraw()

    def _redraw(self) -> None:
        if self.loaded is None:
            return
        from hallterm.domain.case_states import status_label

        view, entries, rated = self.loaded
        head = Text()
        head.append(f"{view.number}  ", "bold")
        head.append(f"{view.title}\n")
        head.append(
            _("{applicant} · {status} · window {window} · {clerk}").format(
                applicant=view.applicant.name,
                status=status_label(view.status),
                window=view.window or "—",
                clerk=view.clerk_name or "—",
            )
            + "\n"
        )
        if view.due_date:
            head.append(_("due {date}").format(date=view.due_date.isoformat()))
            if view.light and view.days_left is not None:
                head.append(f"  ● {days_left_text(view.days_left)}", LIGHT_STYLE[view.light])
            head.append("\n")
        for r in rated:
            head.append(
                _("rated {stars} {label} {at}").format(
                    stars=stars(r.level), label=level_label(r.level), at=fmt_local(r.at)
                )
                + (f"：{r.comment}" if r.comment else "")
                + "\n"
            )
        self.query_one("#tl-head", Static).update(head)
        table = self.query_one("#tl-table", DataTable)
        table.clear(columns=True)
        for label in (_("Time"), _("Event"), _("By"), _("Details")):
            table.add_column(label)
        for e in entries:
            details = "; ".join(
                f"{k}={v}"
                for k, v in e.details.items()
                if k not in ("number",) and v not in ("", None)
            )
            table.add_row(*row(fmt_local(e.at, True), e.kind, e.actor, details))

    def action_back(self) -> None:
        self.app.pop_screen()
