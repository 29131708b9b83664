"""How a case's events read on screen: the label of each kind and the readable part of its
payload (statuses, reason, due date, items, papers, delivery)."""

from __future__ import annotations

from hallterm.db.services.cases import TimelineEntry, delivery_label
from hallterm.domain.case_states import status_label
from hallterm.i18n import N_, _

_EVENT_LABELS = {
    "case.registered": N_("registered"),
    "case.materials_recorded": N_("materials recorded"),
    "case.accepted": N_("accepted"),
    "case.notified": N_("one-time notice given"),
    "case.refused": N_("refused"),
    "case.in_review": N_("review started"),
    "case.suspended": N_("suspended (clock stopped)"),
    "case.resumed": N_("resumed (clock running)"),
    "case.approved": N_("approved"),
    "case.denied": N_("denied"),
    "case.delivered": N_("delivered"),
    "case.withdrawn": N_("withdrawn"),
    "case.printed": N_("printed"),
    "case.deferred_arrived": N_("deferred material handed in"),
}


def event_label(kind: str) -> str:
    return _(_EVENT_LABELS[kind]) if kind in _EVENT_LABELS else kind


def event_details(entry: TimelineEntry) -> str:
    """The readable part of an event's payload: statuses, reason, due date, items, papers."""
    from hallterm.db.services.case_documents import kind_label

    d = entry.details
    parts = []
    if d.get("from") and d.get("to"):
        parts.append(f"{status_label(d['from'])} → {status_label(d['to'])}")
    if d.get("reason"):
        parts.append(_("reason: {reason}").format(reason=d["reason"]))
    if d.get("due_date"):
        parts.append(_("due {date}").format(date=d["due_date"]))
    if d.get("missing"):
        parts.append(_("missing: {items}").format(items="、".join(d["missing"])))
    if d.get("document"):
        parts.append(kind_label(d["document"]))
    if d.get("material"):
        parts.append(str(d["material"]))
    if d.get("resume_on"):
        parts.append(_("expected to resume {date}").format(date=d["resume_on"]))
    if d.get("delivery"):
        parts.append(delivery_label(str(d["delivery"])))
    if d.get("tracking"):
        parts.append(_("tracking number {number}").format(number=d["tracking"]))
    return "；".join(parts)
