"""GB 11643-1999 and the numbers built on it: the citizen identity number, the 2023
foreign permanent resident ID card and the residence permit for Hong Kong, Macao and
Taiwan residents (same layout, same check character)."""

from __future__ import annotations

from datetime import date

from hallterm.domain.ids.common import IdError, check_digits, no_separators, require
from hallterm.i18n import _

# --- Resident ID (GB 11643-1999) -----------------------------------------------------------

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARS = "10X98765432"


def resident_id_check_char(first17: str) -> str:
    """The check character (ISO 7064 MOD 11-2) for the first 17 digits of a resident ID."""
    total = sum(int(c) * w for c, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def validate_resident_id(value: str, *, today: date | None = None) -> str:
    """Check a citizen identity number; returns it stripped with an upper-case X.

    ``today`` (the hall's date) also refuses a birth date in the future.
    """
    label = _("Resident ID number")
    rid = require(value, label).upper()
    no_separators(rid, label)
    if len(rid) == 15 and rid.isdigit():
        raise IdError(
            _(
                "This is a first-generation 15-digit ID number, no longer valid: ask for the "
                "18-digit second-generation card"
            )
        )
    if len(rid) != 18:
        raise IdError(
            _("Resident ID number should have 18 characters, got {count}").format(count=len(rid))
        )
    check_digits(rid[:17])
    if rid[17] not in "0123456789X":
        raise IdError(_("Character 18 should be a digit or X, got “{char}”").format(char=rid[17]))
    if rid[:6] in HMT_REGIONS:
        raise IdError(
            _(
                "A number starting {prefix} is a residence permit for Hong Kong, Macao and "
                "Taiwan residents: choose that ID type"
            ).format(prefix=rid[:6])
        )
    if rid[0] == "9":
        raise IdError(
            _(
                "A number starting with 9 is a foreign permanent resident ID card: choose that "
                "ID type"
            )
        )
    if rid[0] not in "12345678":
        raise IdError(
            _("Character 1 (region code) should be a digit 1–8, got “{char}”").format(char=rid[0])
        )
    _birth_date_of(rid[6:14], today)
    _gb11643_check(rid)
    return rid


def _gb11643_check(number: str) -> None:
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise IdError(
            _("Check character (position 18) should be {expected}").format(expected=expected)
        )


# 港澳台居民居住证: 810000 Hong Kong, 820000 Macao, 830000 Taiwan, then the GB 11643 layout.
HMT_REGIONS = {"810000", "820000", "830000"}


def validate_hmt_residence(value: str, *, today: date | None = None) -> str:
    """港澳台居民居住证: 810000/820000/830000 + birth date + sequence + GB 11643 check."""
    label = _("Residence permit number")
    number = require(value, label).upper()
    no_separators(number, label)
    if len(number) != 18:
        raise IdError(
            _("Residence permit number should have 18 characters, got {count}").format(
                count=len(number)
            )
        )
    check_digits(number[:17])
    if number[17] not in "0123456789X":
        raise IdError(
            _("Character 18 should be a digit or X, got “{char}”").format(char=number[17])
        )
    if number[:6] not in HMT_REGIONS:
        raise IdError(
            _(
                "Residence permit number should start with 810000 (Hong Kong), 820000 (Macao) "
                "or 830000 (Taiwan), got “{prefix}”"
            ).format(prefix=number[:6])
        )
    _birth_date_of(number[6:14], today)
    _gb11643_check(number)
    return number


def validate_foreign_permanent(value: str, *, today: date | None = None) -> str:
    """外国人永久居留身份证 (2023 form): 9 + province (2) + nationality (3) + birth date (8) +
    sequence (2) + GB 11643 check character."""
    label = _("Foreign permanent resident ID number")
    number = require(value, label).upper()
    no_separators(number, label)
    if len(number) == 15 and number[:3].isalpha():
        raise IdError(
            _(
                "This is the 15-character card of the 2017 form: type the 18-character number "
                "of the 2023 card"
            )
        )
    if len(number) != 18:
        raise IdError(
            _("Foreign permanent resident ID number should have 18 characters, got {count}").format(
                count=len(number)
            )
        )
    check_digits(number[:17])
    if number[17] not in "0123456789X":
        raise IdError(
            _("Character 18 should be a digit or X, got “{char}”").format(char=number[17])
        )
    if number[0] != "9":
        raise IdError(
            _("Character 1 of a foreign permanent resident ID should be 9, got “{char}”").format(
                char=number[0]
            )
        )
    if not "11" <= number[1:3] <= "65":
        raise IdError(
            _("Characters 2–3 (province of issue) should be 11–65, got “{code}”").format(
                code=number[1:3]
            )
        )
    _birth_date_of(number[6:14], today)
    _gb11643_check(number)
    return number


def _birth_date_of(text: str, today: date | None) -> date:
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise IdError(_("Birth date {date} does not exist").format(date=text)) from None
    if born.year < 1900:
        raise IdError(_("Birth date {date} is before 1900").format(date=text))
    if today is not None and born > today:
        raise IdError(_("Birth date {date} is in the future").format(date=text))
    return born


def birth_date(resident_id: str) -> date:
    """The birth date inside a resident ID (validated first; raises ``IdError``)."""
    rid = validate_resident_id(resident_id)
    return date(int(rid[6:10]), int(rid[10:12]), int(rid[12:14]))
