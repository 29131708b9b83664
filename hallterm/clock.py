"""Time as the program sees it: injectable, so tests can freeze it.

Stored times are timezone-aware UTC; the hall's calendar (due dates, "today") is local time in the
configured zone (China Standard Time by default).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

HALL_TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    """The real clock."""

    def now(self) -> datetime:
        """Aware UTC, the form stored in the database."""
        return datetime.now(UTC)

    def local_now(self) -> datetime:
        return to_local(self.now())

    def today(self) -> date:
        return self.local_now().date()


class FrozenClock(Clock):
    """A clock that stands still unless moved (tests, benchmarks, demo history)."""

    def __init__(self, at: datetime) -> None:
        self._at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        self._at += timedelta(**delta)


def utc_now() -> datetime:
    """The real clock's aware UTC time: the default where no clock is injected."""
    return Clock().now()


def hall_now() -> datetime:
    """The hall's wall-clock time by the real clock (file names, printed stamps)."""
    return Clock().local_now()


def hall_today() -> date:
    """The hall's calendar date by the real clock: the default where no clock is injected."""
    return Clock().today()


def to_local(moment: datetime) -> datetime:
    """The hall's wall-clock time of ``moment`` (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HALL_TZ)


def fmt_local(moment: datetime | None, with_seconds: bool = False) -> str:
    if moment is None:
        return ""
    return to_local(moment).strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")
