"""Who is granted the priority lane (绿色通道) without a clerk's check: the age rule.

A resident ID carries the birth date; a person of ``PRIORITY_AGE`` or older on the day of the ticket is granted the
lane at the kiosk.  Everybody else who asks for it is marked "requested" and the clerk
confirms or refuses it at the call.
"""

from __future__ import annotations

from datetime import date

from hallterm.domain.ids import IdError, birth_date

PRIORITY_AGE = 60  # 老年人: the Law on the Protection of the Rights of the Elderly, art. 2
BIRTH_DATE_ID_TYPES = frozenset({"resident_id"})


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def granted_by_age(id_type: str, id_number: str, day: date, min_age: int = PRIORITY_AGE) -> bool:
    """Whether the ID shows a person of ``min_age`` or older on ``day``."""
    if id_type not in BIRTH_DATE_ID_TYPES:
        return False
    try:
        born = birth_date(id_number)
    except IdError:
        return False
    return age_on(born, day) >= min_age
