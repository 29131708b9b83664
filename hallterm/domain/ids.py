"""Identity numbers and phone numbers: validation, normalisation, masking and display names.

Owns the check rules of GB 11643-1999 (citizen identity number, and the numbers built on it:
the 2023 foreign permanent resident ID card and the residence permit for Hong Kong, Macao
and Taiwan residents), GB 32100-2015 (unified social credit code), the formats of passports
and the two mainland travel permits, and mainland phone numbers (area codes checked against
libphonenumber's table).  Every validator returns the normalised value or raises
``IdError`` whose text says exactly what is wrong, in the current language.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum

from hallterm.i18n import N_, _


class IdType(StrEnum):
    resident_id = "resident_id"  # 居民身份证
    passport = "passport"  # 护照
    hk_macao_permit = "hk_macao_permit"  # 港澳居民来往内地通行证
    taiwan_permit = "taiwan_permit"  # 台湾居民来往大陆通行证
    uscc = "uscc"  # 统一社会信用代码
    foreign_permanent = "foreign_permanent"  # 外国人永久居留身份证 (2023, 18 characters)
    hmt_residence = "hmt_residence"  # 港澳台居民居住证


class IdError(ValueError):
    """A rejected ID or phone number; ``str(e)`` is the translated, precise reason."""


_ID_TYPE_LABELS: dict[IdType, str] = {
    IdType.resident_id: N_("Resident ID card"),
    IdType.passport: N_("Passport"),
    IdType.hk_macao_permit: N_("Mainland Travel Permit for Hong Kong and Macao Residents"),
    IdType.taiwan_permit: N_("Mainland Travel Permit for Taiwan Residents"),
    IdType.foreign_permanent: N_("Foreign Permanent Resident ID Card"),
    IdType.hmt_residence: N_("Residence Permit for Hong Kong, Macao and Taiwan Residents"),
    IdType.uscc: N_("Unified social credit code"),
}

# Types whose holder is an entity, not a person.
ENTITY_ID_TYPES = frozenset({IdType.uscc})


def id_type_label(id_type: IdType | str) -> str:
    """The translated display name of an ID type (居民身份证, 护照 …)."""
    return _(_ID_TYPE_LABELS[IdType(id_type)])


def _clean(value: str) -> str:
    # NFKC folds full-width digits/letters/spaces typed with a Chinese IME into ASCII.
    return unicodedata.normalize("NFKC", value).strip()


def _require(value: str, label: str) -> str:
    cleaned = _clean(value)
    if not cleaned:
        raise IdError(_("{label} must not be empty").format(label=label))
    return cleaned


_SEPARATORS = {" ": N_("a space"), "-": N_("a dash"), "—": N_("a dash"), ".": N_("a dot")}


def _no_separators(value: str, label: str) -> None:
    """Name a separator inside the number instead of miscounting its length."""
    for i, ch in enumerate(value, start=1):
        if ch in _SEPARATORS or ch.isspace():
            raise IdError(
                _(
                    "{label} must be typed without separators: character {position} is {what}"
                ).format(label=label, position=i, what=_(_SEPARATORS.get(ch, N_("a space"))))
            )


def _check_digits(value: str, start: int = 0) -> None:
    """Raise on the first non-ASCII-digit, naming its 1-based position."""
    for i, ch in enumerate(value[start:], start=start + 1):
        if ch not in "0123456789":
            raise IdError(
                _("Character {position} should be a digit, got “{char}”").format(
                    position=i, char=ch
                )
            )


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
    rid = _require(value, label).upper()
    _no_separators(rid, label)
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
    _check_digits(rid[:17])
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
    number = _require(value, label).upper()
    _no_separators(number, label)
    if len(number) != 18:
        raise IdError(
            _("Residence permit number should have 18 characters, got {count}").format(
                count=len(number)
            )
        )
    _check_digits(number[:17])
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
    number = _require(value, label).upper()
    _no_separators(number, label)
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
    _check_digits(number[:17])
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


# --- Unified social credit code (GB 32100-2015) --------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration authority codes of GB 32100-2015 table 1 (1 编办, 5 民政, 9 工商, Y 其他 …).
USCC_AUTHORITIES = "123456789ANY"


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a unified social credit code."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Check a unified social credit code; returns it upper-cased."""
    label = _("Unified social credit code")
    code = _require(value, label).upper()
    _no_separators(code, label)
    if len(code) != 18:
        raise IdError(
            _("Unified social credit code should have 18 characters, got {count}").format(
                count=len(code)
            )
        )
    for i, ch in enumerate(code, start=1):
        if ch not in USCC_ALPHABET:
            raise IdError(
                _(
                    "Character {position} “{char}” is not allowed in a unified social credit "
                    "code (only digits and letters other than I, O, S, V, Z)"
                ).format(position=i, char=ch)
            )
    if code[0] not in USCC_AUTHORITIES:
        raise IdError(
            _("Character 1 (registration authority) should be 1–9, A, N or Y, got “{char}”").format(
                char=code[0]
            )
        )
    # Kind codes are 1–9 under every authority; checked loosely (not per authority).
    if code[1] not in "123456789":
        raise IdError(
            _("Character 2 (organisation kind) should be a digit 1–9, got “{char}”").format(
                char=code[1]
            )
        )
    for i in range(2, 8):  # the registration authority's administrative division code
        if code[i] not in "0123456789":
            raise IdError(
                _(
                    "Characters 3–8 (administrative division code) should be digits, "
                    "character {position} is “{char}”"
                ).format(position=i + 1, char=code[i])
            )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise IdError(
            _("Check character (position 18) should be {expected}").format(expected=expected)
        )
    return code


# --- Passport and travel permits -----------------------------------------------------------


def validate_passport(value: str) -> str:
    """Any passport: 5–17 ASCII letters or digits, returned upper-cased (E/G + 8 for China)."""
    number = _require(value, _("Passport number")).upper()
    for i, ch in enumerate(number, start=1):
        if not (ch.isascii() and ch.isalnum()):
            raise IdError(
                _("Character {position} “{char}” should be a letter or digit").format(
                    position=i, char=ch
                )
            )
    if not 5 <= len(number) <= 17:
        raise IdError(
            _("Passport number should have 5 to 17 letters or digits, got {count}").format(
                count=len(number)
            )
        )
    return number


def validate_hk_macao_permit(value: str) -> str:
    """港澳居民来往内地通行证: H (Hong Kong) or M (Macao) followed by 8 or 10 digits."""
    number = _require(value, _("Permit number")).upper()
    if number[0] not in "HM":
        raise IdError(
            _("Permit number should start with H (Hong Kong) or M (Macao), got “{char}”").format(
                char=number[0]
            )
        )
    _check_digits(number, start=1)
    digits = len(number) - 1
    if digits not in (8, 10):
        raise IdError(
            _("Permit number should have 8 or 10 digits after the letter, got {count}").format(
                count=digits
            )
        )
    return number


def validate_taiwan_permit(value: str) -> str:
    """台湾居民来往大陆通行证: 8 digits, or 10 with the two-digit issue suffix."""
    number = _require(value, _("Permit number"))
    _check_digits(number)
    if len(number) not in (8, 10):
        raise IdError(
            _("Taiwan permit number should have 8 or 10 digits, got {count}").format(
                count=len(number)
            )
        )
    return number


def validate_id(id_type: IdType | str, value: str, *, today: date | None = None) -> str:
    """Validate ``value`` as an ID of ``id_type``; returns the normalised number.

    ``today`` (the hall's date) lets the birth date inside a number be checked against it.
    """
    try:
        kind = IdType(id_type)
    except ValueError:
        raise IdError(_("Unknown ID type “{type}”").format(type=id_type)) from None
    if kind is IdType.resident_id:
        return validate_resident_id(value, today=today)
    if kind is IdType.foreign_permanent:
        return validate_foreign_permanent(value, today=today)
    if kind is IdType.hmt_residence:
        return validate_hmt_residence(value, today=today)
    if kind is IdType.passport:
        return validate_passport(value)
    if kind is IdType.hk_macao_permit:
        return validate_hk_macao_permit(value)
    if kind is IdType.taiwan_permit:
        return validate_taiwan_permit(value)
    return validate_uscc(value)


# --- Phone numbers -------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
# An extension at the end: 转123, 分机123, ext 123, ext.123, x123 (and the old -123 form).
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x)\s*(\d{1,6})$", re.IGNORECASE)


def validate_phone(value: str) -> str:
    """A mainland mobile (returned as 11 digits) or landline (returned as ``0AA-NNNNNNNN[-EXT]``).

    Spaces, dashes (also inside the local number), a leading +86 / 0086 / 86, brackets
    round the area code and an extension (转, 分机, ext, or a last dash) are accepted.  A
    landline's area code must exist.
    """
    raw = _require(value, _("Phone number"))
    s = re.sub(r"\s", "", raw)
    ext = None
    found = _EXTENSION.search(s)
    if found and found.start() > 0:
        ext, s = found.group(1), s[: found.start()]
    for ch in s:
        if ch not in "0123456789+-()":
            raise IdError(
                _(
                    "Phone number contains “{char}”; only digits, spaces, dashes and a "
                    "leading +86 are allowed"
                ).format(char=ch)
            )
    international = False
    for prefix in ("+86", "0086"):
        if s.startswith(prefix):
            s, international = s[len(prefix) :].lstrip("-"), True
            break
    else:
        if s.startswith("86") and len(s.replace("-", "")) == 13:
            s, international = s[2:].lstrip("-"), True
    if "+" in s:
        raise IdError(
            _("Phone number may contain “+” only in a leading +86, got “{value}”").format(value=raw)
        )
    compact = s.replace("-", "").replace("(", "").replace(")", "")
    # Mobiles start 13–19; after +86 a leading "10" is Beijing's area code without its 0.
    if compact.startswith("1") and not (international and compact.startswith("10")) and not ext:
        if len(compact) != 11:
            raise IdError(
                _("Mobile number should have 11 digits, got {count}").format(count=len(compact))
            )
        if not _MOBILE.fullmatch(compact):
            raise IdError(
                _("Mobile number should start with 13–19, got “{prefix}”").format(
                    prefix=compact[:2]
                )
            )
        return compact
    return _landline(raw, s, international, ext)


def _landline(raw: str, s: str, international: bool, ext: str | None) -> str:
    bad = IdError(
        _(
            "Landline number should be an area code starting with 0 and a 7–8 digit "
            "number, got “{value}”"
        ).format(value=raw)
    )
    if international and not s.startswith(("0", "(0")):
        s = "0" + s  # +86 10 12345678 → 010 12345678
    # "(0755)1234-5678" → "0755-1234-5678"
    bracket = re.fullmatch(r"\((0\d{2,3})\)-?(.*)", s)
    if bracket:
        s = bracket.group(1) + "-" + bracket.group(2)
    if "(" in s or ")" in s:
        raise bad
    groups = [g for g in s.split("-")]
    if any(not g.isdigit() for g in groups) or not groups[0].startswith("0"):
        raise bad
    if len(groups) == 1:
        # Without a dash the area code is still unambiguous: 010 and 020–029 have three
        # digits, every other mainland area code four.
        split = 3 if s[:2] in ("01", "02") else 4
        groups = [s[:split], s[split:]]
    area, rest = groups[0], groups[1:]
    local = ""
    while rest and len(local) < 7:
        local += rest.pop(0)
    if len(local) not in (7, 8) or len(rest) > 1 or (rest and ext):
        raise bad
    if rest:
        ext = rest[0]
        if not 1 <= len(ext) <= 6:
            raise bad
    if not _area_code_exists(area):
        raise IdError(_("Area code {code} does not exist").format(code=area))
    return f"{area}-{local}" + (f"-{ext}" if ext else "")


def _area_code_exists(area: str) -> bool:
    """010, 020–029 or a four-digit 03xx–09xx code that libphonenumber places in a city."""
    if len(area) == 3:
        if not (area == "010" or area.startswith("02")):
            return False
    elif len(area) != 4 or area[1] not in "3456789":
        return False
    import phonenumbers  # lazy: its tables load only when a landline is checked
    from phonenumbers import geocoder

    number = phonenumbers.PhoneNumber(country_code=86, national_number=int(area[1:] + "2345678"))
    place = geocoder.description_for_valid_number(number, "en")
    return bool(place) and place != "China"


# --- Masking -------------------------------------------------------------------------------


def mask_id(value: str) -> str:
    """Show only the first 6 and last 4 characters; short values show only the last 2."""
    v = value.strip()
    n = len(v)
    if n > 10:
        return v[:6] + "*" * (n - 10) + v[-4:]
    if n > 2:
        return "*" * (n - 2) + v[-2:]
    return "*" * n  # never reveal a short value in full
