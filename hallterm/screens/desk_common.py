"""Shared by the front-desk screens: labels, deadline texts, the printer and printed papers.

(Running a service in a thread is ``hallterm.screens.workers.in_thread``.)
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from rich.text import Text

from hallterm.config import Settings
from hallterm.db.services.case_documents import Printed, kind_label
from hallterm.domain.checklist import Line, LineState
from hallterm.i18n import N_, _
from hallterm.printing.output import Printer

log = logging.getLogger(__name__)

_LINE_STATES = {
    LineState.pending: N_("to check"),
    LineState.received: N_("received"),
    LineState.missing: N_("missing"),
    LineState.deferred: N_("deferred"),
    LineState.reused: N_("on file"),
    LineState.not_applicable: N_("not applicable"),
}
_LINE_STYLES = {
    LineState.pending: "dim",
    LineState.received: "green",
    LineState.missing: "bold red",
    LineState.deferred: "yellow",
    LineState.reused: "cyan",
    LineState.not_applicable: "dim",
}
_LIGHT_STYLES = {"green": "bold green", "yellow": "bold yellow", "red": "bold red"}
_LIGHT_LABELS = {"green": N_("on time"), "yellow": N_("due soon"), "red": N_("overdue")}


def required_text(originals: int, copies: int) -> str:
    """``原件1 复印件1``: what the requirement asks for, short."""
    parts = []
    if originals:
        parts.append(_("original {n}").format(n=originals))
    if copies:
        parts.append(_("copy {n}").format(n=copies))
    return " ".join(parts) or "—"


def line_details(line: Line) -> str:
    """The 说明 of a line: what was received against the requirement, the promised date,
    the day a deferred material arrived, or the clerk's note."""
    req = line.requirement
    if line.arrived_on is not None:
        return _("handed in {date}").format(date=line.arrived_on.isoformat())
    if line.state == LineState.received:
        if line.electronic:
            return _("electronic file × {n}").format(n=line.electronic)
        parts = []
        if req.originals or line.originals:
            parts.append(_("original {got}/{need}").format(got=line.originals, need=req.originals))
        if req.copies or line.copies:
            parts.append(_("copy {got}/{need}").format(got=line.copies, need=req.copies))
        return " ".join(parts)
    if line.state == LineState.deferred and line.deferred_until is not None:
        return _("by {date}").format(date=line.deferred_until.isoformat())
    return line.note


def line_state_text(state: str) -> Text:
    st = LineState(state)
    return Text(_(_LINE_STATES[st]), style=_LINE_STYLES[st])


def light_text(light: str | None) -> Text:
    """A coloured dot and its word (the word keeps it readable without colour)."""
    if not light:
        return Text("")
    return Text("● " + _(_LIGHT_LABELS[light]), style=_LIGHT_STYLES[light])


def days_left_text(days_left: int | None) -> str:
    if days_left is None:
        return ""
    if days_left < 0:
        return _("{n} working days overdue").format(n=-days_left)
    if days_left == 0:
        return _("due today")
    return _("{n} working days left").format(n=days_left)


def due_text(due: date | None, limit_days: int | None) -> str:
    """``2026-12-08（5个工作日）``: the due date and the promised limit it comes from."""
    if due is None:
        return ""
    if limit_days:
        return _("{date} ({n} working days)").format(date=due.isoformat(), n=limit_days)
    return _("{date} (on the spot)").format(date=due.isoformat())


def printer_for(app: Any) -> Printer:
    """The app's injected printer, else one made from the settings."""
    printer = getattr(app, "printer", None)
    if printer is not None:
        return printer
    settings: Settings = app.settings
    return Printer(settings.pdf_dir(), settings.printer or None)


def printed_message(printed: list[Printed]) -> str:
    """One line per PDF (kind and path), plus any printer failure."""
    lines = []
    for p in printed:
        lines.append(_("{kind}: {path}").format(kind=kind_label(p.kind), path=p.path))
        if p.printer_message:
            lines.append(p.printer_message)
    return "\n".join(lines)
