"""The plain data the case papers print: who issues them and what the case holds.

Filled by the db layer (``db/services/case_documents.py``); nothing here knows a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Issuer:
    """Who prints the document: station, window, clerk and when."""

    station_code: str
    station_name: str
    window: str
    clerk_name: str
    printed_at: datetime
    hall_address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ReceivedItem:
    name: str
    received_as: str
    count: int
    reused: bool = False


@dataclass(frozen=True)
class MissingItem:
    name: str
    reason: str
    standard: str = ""


@dataclass(frozen=True)
class DeferredItem:
    name: str
    until: date


@dataclass(frozen=True)
class Suspension:
    """A 中止: why, since when, and when the clock is expected to run again."""

    reason: str
    started_on: date
    expected_resume: date | None = None


@dataclass(frozen=True)
class Delivery:
    """How the result reached the applicant (送达): method, and the tracking number by post."""

    method: str  # window / post / electronic
    delivered_at: datetime | None = None
    tracking_number: str = ""
    address: str = ""
    recipient: str = ""


@dataclass(frozen=True)
class CaseDocument:
    """Everything about one case that any of its papers prints.

    ``numbers`` and ``decided_on`` hold, per paper kind, its 文号 and the date of the decision
    it records (never the print date: a reprint shows the original date).
    """

    case_number: str
    applicant_name: str
    applicant_id_masked: str
    applicant_phone: str
    matters: tuple[str, ...]
    bundle_name: str | None
    received: tuple[ReceivedItem, ...] = ()
    missing: tuple[MissingItem, ...] = ()
    deferred: tuple[DeferredItem, ...] = ()
    registered_at: datetime | None = None
    accepted_at: datetime | None = None
    due_date: date | None = None
    promised_days: int | None = None
    calendar_note: str | None = None
    refusal_reason: str | None = None
    legal_basis: str = ""
    addressee: str = ""
    agent_name: str = ""
    agent_id_masked: str = ""
    numbers: Mapping[str, str] = field(default_factory=dict)
    decided_on: Mapping[str, date] = field(default_factory=dict)
    supply_by: date | None = None
    review_body: str = ""
    court: str = ""
    completed_at: datetime | None = None
    suspension: Suspension | None = None
    delivery: Delivery | None = None
    results: tuple[str, ...] = ()

    def number(self, kind: str) -> str:
        return self.numbers.get(kind, "")

    def decision_date(self, kind: str) -> date | None:
        return self.decided_on.get(kind)
