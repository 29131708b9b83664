"""Tables of the queue and of 好差评: tickets, window state, evaluations, rectifications.

A ticket is one place in one line on one local day.  A transfer closes the ticket as
``transferred`` and issues a new row with the same number in the new line (``transferred_from``
links them), so every row is called at most once and each window's service time stays its own.
``queue_at`` orders the line: it is the issue time, moved to the back when a no-show is
re-queued.  A transferred row remembers the window that sent it (``from_window``), which never
calls it back; a ticket called by its number ahead of its turn keeps the reason.  Evaluations belong to a case and/or a ticket, the window and the clerk; a bad one
(level ≤ 2) opens a rectification tracked to closure.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel, col

from hallterm.db.models import ServiceCase


def _text() -> Column[str]:
    return Column(Text, nullable=False, default="")


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        # The hot path: the waiting line of a station (call next, counts, the display).
        Index("ix_ticket_line", "station_code", "status", "category", "queue_at"),
        Index("ix_ticket_day", "day", "station_code"),  # today's tickets, of one or all
        Index("ix_ticket_case", "case_id"),
    )
    id: str = Field(primary_key=True, max_length=36)
    station_code: str = Field(foreign_key="station.code", max_length=32)
    day: date  # the hall's local date of issue
    category: str = Field(max_length=16)
    seq: int
    number: str = Field(max_length=16)  # A023
    priority: bool = False  # 绿色通道 (elderly, disabled …): called before the others
    # "" none · requested (at the kiosk, unverified) · confirmed (by the clerk at the call)
    # · by_age (granted from the ID's birth date) · refused (back in the ordinary line)
    priority_state: str = Field(default="", max_length=16)
    appointment: bool = False
    id_hash: str | None = Field(default=None, max_length=64)  # salted with the ticket id
    id_masked: str = Field(default="", max_length=40)
    applicant_id: str | None = Field(default=None, max_length=36)
    status: str = Field(max_length=16)  # waiting/called/serving/done/no_show/transferred
    target_window: str | None = Field(default=None, max_length=16)  # transferred to a window
    window: str | None = Field(default=None, max_length=16)  # the window that called it
    clerk_id: str | None = Field(default=None, max_length=36)
    issued_at: datetime
    queue_at: datetime
    called_at: datetime | None = None  # the first call (wait time ends here)
    announced_at: datetime | None = None  # the latest call or recall (the display shows it)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    recalls: int = 0
    requeued_once: bool = False
    transferred_from: str | None = Field(default=None, max_length=36)
    from_window: str | None = Field(default=None, max_length=16)  # the window that sent it here
    out_of_order: bool = False  # called by its number ahead of its turn
    call_reason: str = Field(default="", max_length=200)  # why (out-of-order calls)
    case_id: str | None = Field(default=None, max_length=36)
    version: int = 1


class WindowState(SQLModel, table=True):
    """One service window of a station: which lines it serves and whom it serves now."""

    __tablename__ = "window_state"
    station_code: str = Field(primary_key=True, foreign_key="station.code", max_length=32)
    window: str = Field(primary_key=True, max_length=16)
    categories: str = Field(default="", max_length=200)  # comma-separated codes; "" = all
    status: str = Field(default="open", max_length=16)  # open / paused / closed
    clerk_id: str | None = Field(default=None, max_length=36)
    clerk_name: str = Field(default="", max_length=100)
    ticket_id: str | None = Field(default=None, max_length=36)
    since: datetime | None = None
    updated_at: datetime
    version: int = 1


class Evaluation(SQLModel, table=True):
    """One 好差评 rating: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意."""

    __tablename__ = "evaluation"
    __table_args__ = (
        Index("ix_evaluation_at", "station_code", "at"),
        Index("ix_evaluation_case", "case_id"),
    )
    id: str = Field(primary_key=True, max_length=36)
    station_code: str = Field(foreign_key="station.code", max_length=32)
    case_id: str | None = Field(default=None, max_length=36)
    ticket_id: str | None = Field(default=None, max_length=36)
    window: str = Field(default="", max_length=16)
    clerk_id: str | None = Field(default=None, max_length=36)
    level: int
    comment: str = Field(sa_column=_text())
    channel: str = Field(default="window", max_length=16)
    at: datetime


class Rectification(SQLModel, table=True):
    """The follow-up of a bad rating: due in 15 working days, closed with a response."""

    __tablename__ = "rectification"
    __table_args__ = (Index("ix_rectification_open", "station_code", "closed_at"),)
    id: str = Field(primary_key=True, max_length=36)
    evaluation_id: str = Field(foreign_key="evaluation.id", unique=True, max_length=36)
    station_code: str = Field(foreign_key="station.code", max_length=32)
    opened_at: datetime
    due_date: date
    response: str = Field(sa_column=_text())
    closed_at: datetime | None = None
    closed_by: str = Field(default="", max_length=64)
    version: int = 1


# Indexes on the base case table for the supervisor's set-based queries (migration 0004):
# the period of the efficiency table, and the open cases by due date for the deadline lights.
Index("ix_case_registered_at", col(ServiceCase.registered_at))
Index("ix_case_open_due", col(ServiceCase.status), col(ServiceCase.due_date))
