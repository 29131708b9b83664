"""Working-day counts by prefix sums over the store's calendar (one lookup per date)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hallterm.domain.workdays import WorkCalendar

_WORKDAY_CACHE: dict[Any, dict[date, bool]] = {}


class WorkdayIndex:
    """``WorkCalendar``'s day counts by prefix sums: each date is looked up once.

    ``chinese_calendar.is_workday`` re-validates its tables on every call (~0.1 ms), too slow
    for thousands of (acceptance, completion) pairs per refresh.  The per-date answers are
    kept per calendar content, so repeated refreshes reuse them.
    """

    def __init__(self, cal: WorkCalendar) -> None:
        self.cal = cal
        key = (frozenset(cal.overrides.items()), cal.override_years)
        if key not in _WORKDAY_CACHE:
            if len(_WORKDAY_CACHE) >= 4:
                _WORKDAY_CACHE.pop(next(iter(_WORKDAY_CACHE)))
            _WORKDAY_CACHE[key] = {}
        self.days = _WORKDAY_CACHE[key]
        self.first: date | None = None
        self.prefix: list[int] = []  # prefix[i]: working days in (first, first + i]

    def is_workday(self, d: date) -> bool:
        hit = self.days.get(d)
        if hit is None:
            hit = self.days[d] = self.cal.is_workday(d)
        return hit

    def _cover(self, lo: date, hi: date) -> None:
        if (
            self.first is not None
            and lo >= self.first
            and hi <= self.first + timedelta(days=len(self.prefix) - 1)
        ):
            return
        first = lo if self.first is None else min(lo, self.first)
        last = hi if self.first is None else max(hi, self.first + timedelta(len(self.prefix) - 1))
        prefix, count, d = [0], 0, first
        while d < last:
            d += timedelta(days=1)
            count += self.is_workday(d)
            prefix.append(count)
        self.first, self.prefix = first, prefix

    def working_days_between(self, start: date, end: date) -> int:
        """As ``WorkCalendar.working_days_between``: working days in (start, end]."""
        if end < start:
            return -self.working_days_between(end, start)
        self._cover(start, end)
        assert self.first is not None
        return self.prefix[(end - self.first).days] - self.prefix[(start - self.first).days]

    def working_days_left(self, today: date, due: date) -> int:
        """As ``WorkCalendar.working_days_left``."""
        if today > due:
            return min(-1, -self.working_days_between(due, today))
        return self.working_days_between(today, due)
