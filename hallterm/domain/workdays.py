"""The working-day calendar: due dates, days left, suspensions and the deadline light.

Time limits of the Administrative Licensing Law count working days.  Which days are working
days comes, in this order, from the admin's override table (``data/holidays.json``), from
the ``chinese_calendar`` package for the years it knows, and otherwise from Monday–Friday;
a date outside every known year never crashes, it only makes ``needs_update`` true so the
UI can warn that the holiday table needs the new year's arrangement.

Counting follows the civil-law rule that the day a period starts is not counted: the due
date is the n-th working day *after* acceptance, and after a suspension (中止) the clock
restarts on the working day after resumption.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import chinese_calendar

from hallterm.clock import hall_today
from hallterm.i18n import _

DEFAULT_OVERRIDE_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays.json"

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=256)
def library_knows_year(year: int) -> bool:
    """Whether ``chinese_calendar`` has the State Council arrangement for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Working days from overrides, then ``chinese_calendar``, then Monday–Friday."""

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        override_years: Iterable[int] = (),
    ) -> None:
        self.overrides: dict[date, bool] = dict(overrides or {})
        self.override_years: frozenset[int] = frozenset(override_years)

    @classmethod
    def from_file(cls, path: str | Path | None = None) -> WorkCalendar:
        """A calendar with the overrides of ``path`` (default: the shipped holidays.json)."""
        overrides, years = load_override_file(path or DEFAULT_OVERRIDE_FILE)
        return cls(overrides, years)

    def is_workday(self, d: date) -> bool:
        if d in self.overrides:
            return self.overrides[d]
        if library_knows_year(d.year):
            return bool(chinese_calendar.is_workday(d))
        return d.weekday() < 5

    def is_known(self, d: date) -> bool:
        """True when the holiday arrangement of ``d``'s year is known (library or admin)."""
        return d.year in self.override_years or library_knows_year(d.year)

    def needs_update(self, *dates: date) -> bool:
        """True if any date falls in a year whose arrangement is unknown (UI warns)."""
        return any(not self.is_known(d) for d in dates)

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself not counted); 0 → start."""
        if n < 0:
            raise ValueError(_("Number of working days must not be negative, got {n}").format(n=n))
        d = start
        while n > 0:
            d += _ONE_DAY
            if self.is_workday(d):
                n -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative (−count in (end, start]) if end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        d = start
        while d < end:
            d += _ONE_DAY
            if self.is_workday(d):
                count += 1
        return count

    def due_date(
        self,
        accepted: date,
        limit_days: int,
        suspensions: Sequence[tuple[date, date | None]] = (),
        today: date | None = None,
    ) -> date:
        """The due date of a case accepted on ``accepted`` with a limit of working days.

        A suspension ``(start, end)`` stops the clock: working days in (start, end] do not
        count (``end`` None means still suspended, i.e. up to ``today``).  The clock ran on
        the day of suspension and restarts on the day after resumption.
        """
        if limit_days < 0:
            raise ValueError(_("Time limit must not be negative, got {n}").format(n=limit_days))
        ref = today or hall_today()
        stopped: list[tuple[date, date]] = []
        for start, end in suspensions:
            stop_end = ref if end is None else end
            if end is not None and end < start:
                raise ValueError(
                    _("Suspension ends ({end}) before it starts ({start})").format(
                        start=start.isoformat(), end=end.isoformat()
                    )
                )
            stopped.append((start, stop_end))
        d = accepted
        n = limit_days
        while n > 0:
            d += _ONE_DAY
            if self.is_workday(d) and not any(s < d <= e for s, e in stopped):
                n -= 1
        return d

    def working_days_left(self, today: date, due: date) -> int:
        """0 on the due day, positive before it, negative (at least −1) once past it."""
        if today > due:
            # A weekend right after the due date is already overdue, not "due today".
            return min(-1, -self.working_days_between(due, today))
        return self.working_days_between(today, due)


def deadline_light(days_left: int, yellow_at: int = 2) -> Literal["green", "yellow", "red"]:
    """Red when overdue, yellow when ``days_left <= yellow_at``, else green."""
    if days_left < 0:
        return "red"
    if days_left <= yellow_at:
        return "yellow"
    return "green"


# --- Override file ---------------------------------------------------------------------------


def load_override_file(path: str | Path) -> tuple[dict[date, bool], set[int]]:
    """Read the admin's holiday table.

    Format: ``{"years": {"2027": {"holidays": ["2027-01-01", …], "workdays": [...]}}}``;
    keys starting with ``_`` are comments.  Every listed year becomes an override year.
    Raises ``ValueError`` naming the file, year and field on bad content.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(
            _("Cannot read holiday file {file}: {error}").format(file=p, error=exc.strerror or exc)
        ) from exc
    try:
        doc: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            _(
                "Holiday file {file} is not valid JSON (line {line}, column {column}): {error}"
            ).format(file=p, line=exc.lineno, column=exc.colno, error=exc.msg)
        ) from exc
    if not isinstance(doc, dict):
        raise ValueError(_("Holiday file {file}: the top level must be an object").format(file=p))
    _reject_unknown_keys(p, doc, {"years"}, None)
    years_obj = doc.get("years")
    if not isinstance(years_obj, dict):
        raise ValueError(
            _("Holiday file {file}: “years” must be an object of years").format(file=p)
        )
    overrides: dict[date, bool] = {}
    years: set[int] = set()
    for key, entry in years_obj.items():
        if key.startswith("_"):
            continue
        if not (len(key) == 4 and key.isdigit()):
            raise ValueError(
                _("Holiday file {file}: “{year}” is not a four-digit year").format(file=p, year=key)
            )
        year = int(key)
        if not isinstance(entry, dict):
            raise ValueError(
                _("Holiday file {file}, year {year}: the entry must be an object").format(
                    file=p, year=year
                )
            )
        _reject_unknown_keys(p, entry, {"holidays", "workdays"}, year)
        for field, is_work in (("holidays", False), ("workdays", True)):
            items = entry.get(field, [])
            if not isinstance(items, list):
                raise ValueError(
                    _("Holiday file {file}, year {year}: “{field}” must be a list of dates").format(
                        file=p, year=year, field=field
                    )
                )
            for item in items:
                d = _parse_day(p, year, field, item)
                if d in overrides and overrides[d] != is_work:
                    raise ValueError(
                        _(
                            "Holiday file {file}, year {year}: {date} is listed both as a "
                            "holiday and as a working day"
                        ).format(file=p, year=year, date=d.isoformat())
                    )
                overrides[d] = is_work
        years.add(year)
    return overrides, years


def _reject_unknown_keys(p: Path, obj: dict[str, Any], known: set[str], year: int | None) -> None:
    # A misspelt key ("holiday") would silently drop a whole year's arrangement.
    for key in obj:
        if key in known or key.startswith("_"):
            continue
        if year is None:
            msg = _("Holiday file {file}: unknown field “{field}”").format(file=p, field=key)
        else:
            msg = _("Holiday file {file}, year {year}: unknown field “{field}”").format(
                file=p, year=year, field=key
            )
        raise ValueError(msg)


def _parse_day(p: Path, year: int, field: str, item: Any) -> date:
    try:
        if not isinstance(item, str):
            raise ValueError
        d = date.fromisoformat(item)
        if len(item) != 10:
            raise ValueError  # only YYYY-MM-DD, not the other ISO forms fromisoformat takes
    except ValueError:
        raise ValueError(
            _(
                "Holiday file {file}, year {year}, “{field}”: “{value}” is not a date YYYY-MM-DD"
            ).format(file=p, year=year, field=field, value=item)
        ) from None
    if d.year != year:
        raise ValueError(
            _("Holiday file {file}, year {year}, “{field}”: {date} is not in {year}").format(
                file=p, year=year, field=field, date=item
            )
        )
    return d
