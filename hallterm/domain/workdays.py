"""The working-day calendar: due dates, days left, suspensions and the deadline light.

Time limits of the Administrative Licensing Law count working days.  Which days are working
days comes, in this order, from the store's imported arrangements and the admin's override
file (the ``holiday_file`` setting, else the shipped ``data/holidays.json``), from the
``chinese_calendar`` package for the years it knows, and otherwise from Monday–Friday; a
date outside every known year never crashes, it only makes ``needs_update`` true so the UI
can warn that the holiday table needs the new year's arrangement.

A year's official arrangement (``Arrangement``) is read from the same short JSON format
wherever it comes from (override file, ``calendar import``): ``{"years": {"2027":
{"holidays": [...], "workdays": [...]}}}`` where each item is a date ``YYYY-MM-DD`` or an
inclusive range ``YYYY-MM-DD/YYYY-MM-DD``.

Counting follows the civil-law rule that the day a period starts is not counted: the due
date is the n-th working day *after* acceptance, and after a suspension (中止) the clock
restarts on the working day after resumption.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import chinese_calendar

from hallterm.i18n import _

DEFAULT_OVERRIDE_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays.json"
_override_file: Path | None = None


def set_override_file(path: str | Path | None) -> None:
    """Use ``path`` as the admin's override file (None or empty: the shipped one)."""
    global _override_file
    _override_file = Path(path).expanduser() if path else None


def override_file() -> Path:
    """The override file in use: the ``holiday_file`` setting, else the shipped file."""
    return _override_file or DEFAULT_OVERRIDE_FILE


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
        """A calendar with the overrides of ``path`` (default: the configured override file)."""
        overrides, years = load_override_file(path or override_file())
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
        stopped: list[tuple[date, date]] = []
        for start, end in suspensions:
            if end is None and today is None:
                raise ValueError(_("A suspension still open needs today's date"))
            stop_end = end if end is not None else today
            assert stop_end is not None
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


# --- Arrangements and the override file -----------------------------------------------------


@dataclass(frozen=True)
class Arrangement:
    """One year's official arrangement: its holidays (放假) and make-up working days (调休)."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

    def overrides(self) -> dict[date, bool]:
        """Each listed day and whether it is a working day."""
        return {**{d: False for d in self.holidays}, **{d: True for d in self.workdays}}


def read_arrangements(path: str | Path) -> list[Arrangement]:
    """The arrangements of a JSON file (override file or import file), one per year.

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
    return parse_arrangements(doc, p)


def parse_arrangements(doc: Any, p: Path) -> list[Arrangement]:
    """Validate a parsed holiday document (``p`` names it in messages)."""
    if not isinstance(doc, dict):
        raise ValueError(_("Holiday file {file}: the top level must be an object").format(file=p))
    _reject_unknown_keys(p, doc, {"years"}, None)
    years_obj = doc.get("years")
    if not isinstance(years_obj, dict):
        raise ValueError(
            _("Holiday file {file}: “years” must be an object of years").format(file=p)
        )
    out: list[Arrangement] = []
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
        days: dict[str, set[date]] = {"holidays": set(), "workdays": set()}
        for field in ("holidays", "workdays"):
            items = entry.get(field, [])
            if not isinstance(items, list):
                raise ValueError(
                    _("Holiday file {file}, year {year}: “{field}” must be a list of dates").format(
                        file=p, year=year, field=field
                    )
                )
            for item in items:
                days[field].update(_parse_item(p, year, field, item))
        both = sorted(days["holidays"] & days["workdays"])
        if both:
            raise ValueError(
                _(
                    "Holiday file {file}, year {year}: {date} is listed both as a "
                    "holiday and as a working day"
                ).format(file=p, year=year, date=both[0].isoformat())
            )
        out.append(Arrangement(year, frozenset(days["holidays"]), frozenset(days["workdays"])))
    return out


def load_override_file(path: str | Path) -> tuple[dict[date, bool], set[int]]:
    """Read the admin's holiday file: every listed day, and every listed year (known).

    Parsed again only when the file changes (its modification time or size): central's ingest
    asks for the calendar with every batch it counts into the rollups.  Callers get their own
    copies to add to.
    """
    p = Path(path)
    try:
        stat = p.stat()
    except OSError:
        return _parse_override_file(p)  # says why it cannot be read
    overrides, years = _parsed_override_file(str(p), stat.st_mtime_ns, stat.st_size)
    return dict(overrides), set(years)


@lru_cache(maxsize=8)
def _parsed_override_file(
    path: str, _mtime_ns: int, _size: int
) -> tuple[dict[date, bool], frozenset[int]]:
    overrides, years = _parse_override_file(Path(path))
    return overrides, frozenset(years)


def _parse_override_file(path: Path) -> tuple[dict[date, bool], set[int]]:
    overrides: dict[date, bool] = {}
    years: set[int] = set()
    for arrangement in read_arrangements(path):
        overrides.update(arrangement.overrides())
        years.add(arrangement.year)
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


_MAX_RANGE_DAYS = 31


def _parse_item(p: Path, year: int, field: str, item: Any) -> list[date]:
    """A day ``YYYY-MM-DD`` or an inclusive range ``YYYY-MM-DD/YYYY-MM-DD`` within ``year``."""
    if isinstance(item, str) and "/" in item:
        first_s, _sep, last_s = item.partition("/")
        first = _parse_day(p, year, field, first_s)
        last = _parse_day(p, year, field, last_s)
        if last < first or (last - first).days >= _MAX_RANGE_DAYS:
            raise ValueError(
                _(
                    "Holiday file {file}, year {year}, “{field}”: “{value}” is not a range of "
                    "at most {days} days from an earlier to a later date"
                ).format(file=p, year=year, field=field, value=item, days=_MAX_RANGE_DAYS)
            )
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [_parse_day(p, year, field, item)]


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
