"""What the queue window says: its ticket and its lines, and for a key pressed out of order,
what to do instead."""

from __future__ import annotations

from rich.text import Text

from hallterm.clock import fmt_local
from hallterm.db.services import queue as q
from hallterm.i18n import _


def NO_WINDOW_HELP() -> str:  # noqa: N802 - reads like the constant it stands for
    return _(
        "This terminal has no window number, so it cannot call tickets. Start hallterm with "
        "--window N, or set window in the config file."
    )


def guide(action: str, window: str, cur: q.TicketView | None) -> str | None:
    """The advice for ``action`` in the present state, or None when it may go ahead."""
    if not window:
        return NO_WINDOW_HELP()
    if cur is None:
        if action in ("recall", "no_show", "start", "finish", "transfer", "priority"):
            return _("There is no ticket at this window: press N to call the next one.")
        return None
    n = cur.number
    serving = cur.status == q.TicketStatus.serving
    if action in ("call_next", "call_number"):
        if serving:
            return _(
                "{number} is still being served: F finishes it, T transfers it, "
                "then N calls the next one."
            ).format(number=n)
        return _(
            "{number} is still called at this window: S starts the service when the "
            "applicant comes, X marks a no-show, T transfers it."
        ).format(number=n)
    if action == "priority" and not cur.priority_to_confirm:
        return _("{number} has no priority request to decide.").format(number=n)
    if cur.priority_to_confirm and action in ("start", "finish", "transfer"):
        return _(
            "{number} asked for the priority lane (绿色通道): check the reason, then G "
            "confirms it or Shift+G refuses it (the ticket goes back to its place in the "
            "ordinary line)."
        ).format(number=n)
    if serving and action in ("recall", "no_show"):
        return _("{number} is already being served: F finishes it or T transfers it.").format(
            number=n
        )
    if serving and action == "start":
        return _("{number} is already being served: F finishes it.").format(number=n)
    if not serving and action == "finish":
        return _(
            "{number} has not started yet: S starts the service when the applicant comes, "
            "X marks a no-show."
        ).format(number=n)
    return None


def ticket_text(cur: q.TicketView) -> Text:
    """The ticket at the window: line, status, priority, the call, the applicant."""
    info = Text()
    info.append(f"{cur.category_name} · {q.ticket_status_label(cur.status)}\n", "bold")
    if cur.priority_to_confirm:
        info.append(
            _("priority (绿色通道) requested: G confirms, Shift+G refuses") + "\n",
            "bold yellow",
        )
    elif cur.priority:
        info.append(
            _("priority (绿色通道)") + " · " + q.priority_label(cur.priority_state) + "\n",
            "bold green",
        )
    if cur.out_of_order:
        info.append(
            _("called out of turn: {reason}").format(reason=cur.call_reason) + "\n",
            "yellow",
        )
    if cur.appointment:
        info.append(_("appointment") + "\n", "cyan")
    info.append(
        _("called {at}, recalled {n} times").format(at=fmt_local(cur.called_at), n=cur.recalls)
        + "\n"
    )
    if cur.started_at:
        info.append(_("serving since {at}").format(at=fmt_local(cur.started_at)) + "\n")
    if cur.applicant_name:
        info.append(_("applicant: {name}").format(name=cur.applicant_name) + "\n")
    if cur.id_masked:
        info.append(_("ID number at the kiosk: {id}").format(id=cur.id_masked) + "\n")
    if cur.case_number:
        info.append(_("case: {number}").format(number=cur.case_number) + "\n")
    return info


def lines_text(panel: q.WindowPanel) -> Text:
    """The window's status, its count of the day and the waiting counts of its lines."""
    w = panel.window
    lines = Text()
    lines.append(
        _("Window {window}: {status}").format(
            window=w.window, status=q.window_status_label(w.status)
        )
        + "\n",
        "bold",
    )
    lines.append(_("served today: {n}").format(n=w.served_today) + "\n")
    if panel.directed:
        lines.append(_("sent to this window: {n}").format(n=panel.directed) + "\n", "yellow")
    for line in panel.lines:
        lines.append(f"{line.prefix} {line.name}: ")
        lines.append(_("{n} waiting").format(n=line.waiting) + "\n", "bold")
    if not w.categories:
        lines.append(_("(serves every line)"), "dim")
    return lines
