"""The case state machine: which action moves a case from which status to which.

registered → accepted | notified (一次性告知) | refused; notified → accepted | notified |
refused; accepted → in_review | approved (即办件 on the spot); in_review ⇄ suspended (clock
stops); in_review → approved | denied; approved / denied → delivered; every open status
before a decision → withdrawn (an approved case waits for delivery, it can't be withdrawn).
Any other move raises ``IllegalTransition``, an unknown status or action ``UnknownMove``:
both are ``CaseStateError`` with a translated reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from hallterm.i18n import N_, _


class CaseStatus(StrEnum):
    registered = "registered"
    accepted = "accepted"
    notified = "notified"
    refused = "refused"
    in_review = "in_review"
    suspended = "suspended"
    approved = "approved"
    denied = "denied"
    delivered = "delivered"
    withdrawn = "withdrawn"


class CaseAction(StrEnum):
    accept = "accept"
    notify = "notify"
    refuse = "refuse"
    start_review = "start_review"
    suspend = "suspend"
    resume = "resume"
    approve = "approve"
    deny = "deny"
    deliver = "deliver"
    withdraw = "withdraw"


class CaseStateError(ValueError):
    """A move the state machine refuses; ``str(e)`` is translated."""


class UnknownMove(CaseStateError):
    """A status or action the state machine does not know."""


def parse_status(status: CaseStatus | str) -> CaseStatus:
    try:
        return CaseStatus(status)
    except ValueError:
        raise UnknownMove(_("Unknown case status “{status}”").format(status=status)) from None


def parse_action(action: CaseAction | str) -> CaseAction:
    try:
        return CaseAction(action)
    except ValueError:
        raise UnknownMove(_("Unknown case action “{action}”").format(action=action)) from None


class IllegalTransition(CaseStateError):
    """An action that the case's status does not allow; ``str(e)`` is translated."""

    def __init__(self, status: CaseStatus, action: CaseAction) -> None:
        self.status = status
        self.action = action
        super().__init__(
            _("Cannot {action} a case that is {status}").format(
                action=action_label(action), status=status_label(status)
            )
        )


S, A = CaseStatus, CaseAction

OPEN_STATES: frozenset[CaseStatus] = frozenset(S) - {S.refused, S.denied, S.delivered, S.withdrawn}

_MOVES: dict[tuple[CaseStatus, CaseAction], CaseStatus] = {
    (S.registered, A.accept): S.accepted,
    (S.registered, A.notify): S.notified,
    (S.registered, A.refuse): S.refused,
    (S.notified, A.accept): S.accepted,
    (S.notified, A.notify): S.notified,  # a further notice after a partial return
    (S.notified, A.refuse): S.refused,
    (S.accepted, A.start_review): S.in_review,
    (S.accepted, A.approve): S.approved,  # 即办件, decided on the spot
    (S.in_review, A.suspend): S.suspended,
    (S.in_review, A.approve): S.approved,
    (S.in_review, A.deny): S.denied,
    (S.suspended, A.resume): S.in_review,
    (S.approved, A.deliver): S.delivered,
    (S.denied, A.deliver): S.delivered,  # the written decision is handed over too
}
# Withdrawal ends an application not yet decided; after approval the case only waits for
# delivery (withdrawing it would erase the decision and its completion time).
WITHDRAWABLE: frozenset[CaseStatus] = OPEN_STATES - {S.approved}
_MOVES.update({(status, A.withdraw): S.withdrawn for status in WITHDRAWABLE})

TRANSITIONS: Mapping[tuple[CaseStatus, CaseAction], CaseStatus] = MappingProxyType(_MOVES)


def transition(status: CaseStatus | str, action: CaseAction | str) -> CaseStatus:
    """The status after ``action``; raises ``IllegalTransition`` if the move is not allowed."""
    st, act = parse_status(status), parse_action(action)
    try:
        return _MOVES[st, act]
    except KeyError:
        raise IllegalTransition(st, act) from None


def allowed_actions(status: CaseStatus | str) -> list[CaseAction]:
    """The actions allowed in ``status``, in ``CaseAction`` order."""
    st = parse_status(status)
    return [act for act in CaseAction if (st, act) in _MOVES]


def is_open(status: CaseStatus | str) -> bool:
    return parse_status(status) in OPEN_STATES


_STATUS_LABELS: dict[CaseStatus, str] = {
    S.registered: N_("registered"),
    S.accepted: N_("accepted"),
    S.notified: N_("waiting for materials"),
    S.refused: N_("refused"),
    S.in_review: N_("in review"),
    S.suspended: N_("suspended"),
    S.approved: N_("approved"),
    S.denied: N_("denied"),
    S.delivered: N_("delivered"),
    S.withdrawn: N_("withdrawn"),
}

_ACTION_LABELS: dict[CaseAction, str] = {
    A.accept: N_("accept"),
    A.notify: N_("notify missing materials"),
    A.refuse: N_("refuse"),
    A.start_review: N_("start review"),
    A.suspend: N_("suspend"),
    A.resume: N_("resume"),
    A.approve: N_("approve"),
    A.deny: N_("deny"),
    A.deliver: N_("deliver"),
    A.withdraw: N_("withdraw"),
}


def status_label(status: CaseStatus | str) -> str:
    """Translated display name of a status (e.g. 审查中)."""
    return _(_STATUS_LABELS[parse_status(status)])


def action_label(action: CaseAction | str) -> str:
    """Translated display name of an action (e.g. 受理)."""
    return _(_ACTION_LABELS[parse_action(action)])


del S, A  # short aliases only for the tables above
