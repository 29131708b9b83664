"""Case and queue-ticket numbers, made offline without asking the central store.

A case number is ``{station code}-{YYYYMMDD}-{sequence:04d}``: unique because each station
owns its code and its own daily sequence.  A ticket number is the queue category's prefix
and a three-digit sequence (``A001``).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from hallterm.i18n import _

_CASE_NUMBER = re.compile(r"(?P<station>\S+)-(?P<day>\d{8})-(?P<seq>\d{4,})")


def _check_station(station_code: str) -> None:
    if not station_code or any(ch.isspace() for ch in station_code):
        raise ValueError(
            _("Station code “{code}” must be non-empty and contain no spaces").format(
                code=station_code
            )
        )


def case_number(station_code: str, day: date, seq: int) -> str:
    """``STATION-YYYYMMDD-NNNN``; the sequence has at least four digits and starts at 1."""
    _check_station(station_code)
    if seq < 1:
        raise ValueError(_("Sequence number must be at least 1, got {seq}").format(seq=seq))
    return f"{station_code}-{day:%Y%m%d}-{seq:04d}"


def parse_case_number(number: str) -> tuple[str, date, int]:
    """Split a case number into station code, day and sequence; ``ValueError`` if malformed."""
    # Station codes may themselves contain dashes: the last two parts are date and sequence.
    match = _CASE_NUMBER.fullmatch(number.strip())
    if not match:
        raise ValueError(
            _("“{number}” is not a case number of the form STATION-YYYYMMDD-NNNN").format(
                number=number
            )
        )
    try:
        day = datetime.strptime(match["day"], "%Y%m%d").date()
    except ValueError:
        raise ValueError(
            _("Case number “{number}” contains the date {day}, which does not exist").format(
                number=number, day=match["day"]
            )
        ) from None
    seq = int(match["seq"])
    if seq < 1:
        raise ValueError(
            _("Case number “{number}” has sequence 0; sequences start at 1").format(number=number)
        )
    return match["station"], day, seq


def ticket_number(prefix: str, seq: int) -> str:
    """Queue ticket ``A001``: the category prefix and a sequence of at least three digits."""
    if not prefix or any(ch.isspace() for ch in prefix):
        raise ValueError(
            _("Ticket prefix “{prefix}” must be non-empty and contain no spaces").format(
                prefix=prefix
            )
        )
    if seq < 1:
        raise ValueError(_("Sequence number must be at least 1, got {seq}").format(seq=seq))
    return f"{prefix}{seq:03d}"
