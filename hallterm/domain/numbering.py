"""Case and queue-ticket numbers and the 文号 of case papers, made offline without asking the
central store.

A case number is ``{station code}-{YYYYMMDD}-{sequence:04d}``: unique because each station
owns its code and its own daily sequence.  A ticket number is the queue category's prefix
and a three-digit sequence (``A001``).  A paper's 文号 is the station's 机关代字, the kind's mark,
the year in 〔〕 and the sequence of that kind, station and year (江川政务受〔2026〕第12号).
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


# --- 文号 of the case papers -------------------------------------------------------------------

# The kind's character in the 文号: 受理通知书 受, 一次性告知书 告, 不予受理决定书 不受, …
PAPER_MARKS = {
    "receipt": "受",
    "pledge": "诺",
    "notice": "告",
    "refusal": "不受",
    "completion": "结",
    "suspension": "止",
    "delivery": "送",
}
_BODY_SUFFIXES = (
    "政务服务中心",
    "便民服务中心",
    "便民服务站",
    "行政服务中心",
    "服务中心",
    "服务站",
)
_AREA_SUFFIXES = ("自治县", "市", "县", "区", "镇", "乡", "街道", "村", "社区")


def agency_prefix(station_name: str) -> str:
    """The 机关代字 made from a station's name when none is set: 江川市政务服务中心 → 江川政务.

    The place name loses its level (市/县/区/镇/乡/村) and the body keeps its kind (政务 for a
    government service centre, 便民 for a township or village station).
    """
    name = station_name.strip()
    kind = ""
    for suffix in _BODY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            kind = suffix[:2] if suffix[:2] in ("政务", "便民", "行政") else ""
            break
    for suffix in _AREA_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            name = name[: -len(suffix)]
            break
    return (name + kind) or station_name.strip()


def paper_number(prefix: str, kind: str, year: int, seq: int) -> str:
    """The 文号 ``{机关代字}{kind mark}〔{year}〕第{seq}号``, e.g. 江川政务受〔2026〕第12号."""
    if not prefix.strip() or any(ch.isspace() for ch in prefix):
        raise ValueError(
            _("Document prefix “{prefix}” must be non-empty and contain no spaces").format(
                prefix=prefix
            )
        )
    if kind not in PAPER_MARKS:
        raise ValueError(_("Unknown document kind “{kind}”").format(kind=kind))
    if seq < 1:
        raise ValueError(_("Sequence number must be at least 1, got {seq}").format(seq=seq))
    return f"{prefix}{PAPER_MARKS[kind]}〔{year}〕第{seq}号"
