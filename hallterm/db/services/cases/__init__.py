"""Cases at the window, by concern: ``register`` (new case and its checklist),
``checklist`` (recording the lines), ``decide`` (accept / notify / refuse / complete and the
papers), ``deferrals`` (容缺 follow-up), ``moves`` (later moves), ``views`` (reading one case),
``listing`` (lists of cases), ``timeline`` (a case's events), ``deadlines`` (days left and
lights), ``common`` (shared helpers).

The names below are the package's public use cases, importable from here.
"""

from __future__ import annotations

from hallterm.db.services.cases.checklist import LineInput, record_lines
from hallterm.db.services.cases.common import record_print
from hallterm.db.services.cases.decide import (
    Decided,
    Decision,
    accept,
    complete_on_spot,
    decide,
    decide_in,
    notify,
    refuse,
)
from hallterm.db.services.cases.deferrals import (
    DeferralAlert,
    HandedIn,
    deferral_alerts,
    hand_in,
    outstanding,
    record_arrival,
)
from hallterm.db.services.cases.listing import (
    ApplicantCases,
    CaseRow,
    applicant_cases,
    find_case_id,
    list_cases,
    urgency_key,
)
from hallterm.db.services.cases.moves import Delivery, DeliveryMethod, advance, delivery_label
from hallterm.db.services.cases.register import AgentInput, checklist_for, start_case
from hallterm.db.services.cases.timeline import TimelineEntry, timeline
from hallterm.db.services.cases.views import CaseView, LineView, MatterBrief, load_case

__all__ = [
    "Delivery",
    "DeliveryMethod",
    "delivery_label",
    "ApplicantCases",
    "applicant_cases",
    "AgentInput",
    "CaseRow",
    "CaseView",
    "Decided",
    "Decision",
    "DeferralAlert",
    "HandedIn",
    "LineInput",
    "LineView",
    "MatterBrief",
    "TimelineEntry",
    "accept",
    "advance",
    "checklist_for",
    "complete_on_spot",
    "decide",
    "decide_in",
    "deferral_alerts",
    "find_case_id",
    "hand_in",
    "list_cases",
    "load_case",
    "notify",
    "outstanding",
    "record_arrival",
    "record_lines",
    "record_print",
    "refuse",
    "start_case",
    "timeline",
    "urgency_key",
]
