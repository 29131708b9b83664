"""The checklist's line keys: ticking what was received (originals and copies apart),
missing, deferred, reused or not applicable; the domain ``Line`` checks every rule.  The
base of ``ChecklistScreen``."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from datetime import date

from textual.widgets import DataTable

from hallterm.db.services.applicants import StoredView
from hallterm.domain.checklist import (
    DEFERRABLE,
    ChecklistError,
    Line,
    LineState,
    ReceivedAs,
    reusable,
)
from hallterm.domain.workdays import WorkCalendar
from hallterm.i18n import _
from hallterm.screens.base import BaseScreen
from hallterm.screens.desk_dialogs import PromptScreen, parse_day

DEFERRAL_WORKING_DAYS = 5


class ChecklistLineKeys(BaseScreen):
    """Line keys; the screen provides the lines, the table and the verdict panel."""

    lines: list[Line]
    stored: dict[str, StoredView]
    calendar: WorkCalendar
    today: date
    dirty: bool

    @property
    @abstractmethod
    def editable(self) -> bool:
        """May the lines still change (registered or notified)?"""

    @abstractmethod
    def _fill_table(self) -> None:
        """Draw every line."""

    @abstractmethod
    def _render_verdict(self) -> None:
        """Draw the verdict and the due date."""

    # -- line keys ----------------------------------------------------------------------------

    def _current(self) -> tuple[int, Line] | None:
        if not self.editable or not self.lines:
            return None
        row = self.query_one("#cl-lines", DataTable).cursor_row
        if not 0 <= row < len(self.lines):
            return None
        return row, self.lines[row]

    def _apply(self, change: Callable[[Line], None], advance: bool = True) -> None:
        current = self._current()
        if current is None:
            return
        row, line = current
        try:
            change(line)
        except ChecklistError as exc:
            self.app.notify_error(str(exc))  # type: ignore[attr-defined]
            return
        self.dirty = True
        self._fill_table()  # the 说明 column grows with what was ticked
        table = self.query_one("#cl-lines", DataTable)
        # Stay on a line still short of originals or copies (r then c on the same line).
        advance = advance and line.shortfall() == (0, 0)
        table.move_cursor(row=row + 1 if advance and row + 1 < len(self.lines) else row)
        self._render_verdict()

    def _receive(self, kind: ReceivedAs) -> None:
        def change(line: Line) -> None:
            req = line.requirement
            default = {ReceivedAs.original: req.originals, ReceivedAs.copy: req.copies}.get(kind, 1)
            line.receive(kind, max(default, 1))

        self._apply(change)

    def action_as_required(self) -> None:
        """The originals and the copies the requirement asks for, in one key."""

        def change(line: Line) -> None:
            req = line.requirement
            if req.copies:
                line.receive(ReceivedAs.copy, req.copies)
            if req.originals or not req.copies:
                line.receive(ReceivedAs.original, max(req.originals, 1))

        self._apply(change)

    def action_original(self) -> None:
        self._receive(ReceivedAs.original)

    def action_copy(self) -> None:
        self._receive(ReceivedAs.copy)

    def action_electronic(self) -> None:
        self._receive(ReceivedAs.electronic)

    def _count(self, delta: int) -> None:
        def change(line: Line) -> None:
            if line.state != LineState.received or line.received_as is None:
                raise ChecklistError(
                    _("“{name}”: mark it received first (r, c or e)").format(name=line.name)
                )
            line.receive(line.received_as, line.count + delta)

        self._apply(change, advance=False)

    def action_more(self) -> None:
        self._count(1)

    def action_fewer(self) -> None:
        self._count(-1)

    def action_missing(self) -> None:
        current = self._current()
        if current is None:
            return
        _row, line = current

        def done(note: str | None) -> None:
            if note is not None:
                self._apply(lambda ln: ln.mark_missing(note))

        self.app.push_screen(
            PromptScreen(
                _("Missing: {name}").format(name=line.name),
                _("What is missing or wrong (optional; printed on the one-time notice):"),
                line.note,
            ),
            done,
        )

    def action_defer(self) -> None:
        current = self._current()
        if current is None:
            return
        _row, line = current
        default = self.calendar.add_working_days(self.today, DEFERRAL_WORKING_DAYS)
        if line.requirement.necessity != DEFERRABLE:
            self._apply(lambda ln: ln.defer(default, self.today))  # shows the domain's reason
            return
        today = self.today

        def check(value: str) -> str | None:
            day = parse_day(value)
            if day is None:
                return _("“{value}” is not a date YYYY-MM-DD").format(value=value)
            if day <= today:
                return _("the date must be later than today ({today})").format(
                    today=today.isoformat()
                )
            return None

        def done(value: str | None) -> None:
            day = parse_day(value or "")
            if day is not None:
                self._apply(lambda ln: ln.defer(day, today))

        self.app.push_screen(
            PromptScreen(
                _("Defer (容缺): {name}").format(name=line.name),
                _("The date by which the applicant brings it (YYYY-MM-DD):"),
                default.isoformat(),
                check=check,
            ),
            done,
        )

    def action_reuse(self) -> None:
        def change(line: Line) -> None:
            stored = self.stored.get(line.requirement.type_code)
            if stored is not None and not reusable(
                line.requirement, stored.received_on, stored.valid_until, self.today
            ):
                raise ChecklistError(
                    _(
                        "“{name}”: the document on file was received on {day}, longer ago than "
                        "this matter accepts ({days} days); it must be brought again"
                    ).format(
                        name=line.name,
                        day=stored.received_on.isoformat(),
                        days=line.requirement.valid_days or 0,
                    )
                )
            if stored is None:
                raise ChecklistError(
                    _("“{name}”: nothing valid of this kind is on file for the applicant").format(
                        name=line.name
                    )
                )
            line.reuse(stored.id)

        self._apply(change)

    def action_not_applicable(self) -> None:
        self._apply(lambda ln: ln.mark_not_applicable())

    def action_reset(self) -> None:
        self._apply(lambda ln: ln.reset(), advance=False)
