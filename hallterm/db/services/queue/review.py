"""The supervisor's review of a day at the windows, against cherry-picking.

Out-of-order calls: every ticket a window called by its number ahead of its turn, with the
reason given and how many tickets of its line it skipped.  Idle time: for each window, from
its first call of the day, the time it was open and held no ticket (between the end of one
service — finished, transferred, no-show, priority refused — and the next call, and since the
last one when it is free now).  Paused or closed time is not idle.  Both are read from the
day's events, the same record the audit trail shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from hallterm.clock import HALL_TZ
from hallterm.db.models import Event, Staff
from hallterm.db.services.queue.views import window_sort

_RELEASE = {
    "ticket.finished",
    "ticket.transferred",
    "ticket.requeued",
    "ticket.no_show",
    "ticket.priority_refused",
}


@dataclass(frozen=True)
class OutOfOrderCall:
    at: datetime
    window: str
    number: str
    clerk: str  # the user name of who called
    clerk_name: str
    reason: str
    skipped: int


@dataclass(frozen=True)
class WindowIdle:
    window: str
    calls: int
    out_of_order: int
    idle_seconds: float
    longest_idle_seconds: float
    free_since: datetime | None  # open and free now, since then


@dataclass
class _Track:
    calls: int = 0
    out_of_order: int = 0
    ticket: str | None = None
    free_since: datetime | None = None  # None while busy, paused or before the first call
    paused: bool = False
    idle: float = 0.0
    longest: float = 0.0
    gaps: list[float] = field(default_factory=list)

    def stop_idle(self, at: datetime) -> None:
        if self.free_since is not None and not self.paused:
            gap = max(0.0, (at - self.free_since).total_seconds())
            self.idle += gap
            self.longest = max(self.longest, gap)
        self.free_since = None


@dataclass(frozen=True)
class DayReview:
    day: date
    windows: tuple[WindowIdle, ...]
    out_of_order: tuple[OutOfOrderCall, ...]  # newest first


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=HALL_TZ).astimezone(UTC)
    return start, start + timedelta(days=1)


def _payload(e: Event) -> dict[str, Any]:
    try:
        data = json.loads(e.payload)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def day_review(session: Session, station_code: str, day: date, now: datetime) -> DayReview:
    """Out-of-order calls and idle time per window of ``station_code`` on ``day``."""
    start, end = _bounds(day)
    events = session.exec(
        select(Event)
        .where(
            Event.station_code == station_code,
            col(Event.entity).in_(["ticket", "window"]),
            Event.at >= start,
            Event.at < end,
        )
        .order_by(col(Event.at), col(Event.seq))
    ).all()
    tracks: dict[str, _Track] = {}
    calls: list[tuple[datetime, str, str, str, str, int]] = []
    for e in events:
        data = _payload(e)
        window = str(data.get("window") or "")
        if not window:
            continue
        tr = tracks.setdefault(window, _Track())
        if e.kind == "ticket.called":
            tr.stop_idle(e.at)
            tr.calls += 1
            tr.ticket = e.entity_id
            if data.get("out_of_order"):
                tr.out_of_order += 1
                calls.append(
                    (
                        e.at,
                        window,
                        str(data.get("number", "")),
                        e.actor,
                        str(data.get("reason", "")),
                        int(data.get("skipped", 0)),
                    )
                )
        elif e.kind in _RELEASE and tr.ticket == e.entity_id:
            tr.ticket = None
            tr.free_since = e.at
        elif e.kind == "window.set":
            status = str(data.get("status") or _status_of(data))
            if status and status != "open":
                tr.stop_idle(e.at)
                tr.paused = True
            elif status == "open" and tr.paused:
                tr.paused = False
                if tr.ticket is None and tr.calls:
                    tr.free_since = e.at
    end_at = min(now, end)
    out = []
    for window, tr in tracks.items():
        free_since = tr.free_since if not tr.paused else None
        if free_since is not None:
            tr.stop_idle(end_at)
        if tr.calls == 0:
            continue
        out.append(
            WindowIdle(
                window=window,
                calls=tr.calls,
                out_of_order=tr.out_of_order,
                idle_seconds=tr.idle,
                longest_idle_seconds=tr.longest,
                free_since=free_since if end_at == now else None,
            )
        )
    names = dict(
        session.exec(
            select(Staff.username, Staff.name).where(
                col(Staff.username).in_(sorted({c[3] for c in calls}))
            )
        ).all()
    )
    ooo = tuple(
        OutOfOrderCall(at, window, number, actor, names.get(actor, actor), reason, skipped)
        for at, window, number, actor, reason, skipped in reversed(calls)
    )
    windows = tuple(sorted(out, key=lambda w: window_sort(w.window)))
    return DayReview(day, windows, ooo)


def _status_of(data: dict[str, Any]) -> str:
    """The window status in an older ``window.set`` event (from its row snapshot)."""
    for row in data.get("rows") or []:
        if isinstance(row, dict) and row.get("table") == "window_state":
            values = row.get("values") or {}
            return str(values.get("status") or "")
    return ""
