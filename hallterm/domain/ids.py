"""Identity numbers and phone numbers: validation, normalisation, masking and display names.

Owns the check rules of GB 11643-1999 (citizen identity number), GB 32100-2015 (unified
social credit code), the formats of passports and the two mainland travel permits, and
mainland phone numbers.  Every validator returns the normalised value or raises
``IdError`` whose text says exactly what is wrong, in the current language.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum

from hallterm.clock import hall_today
from hallterm.i18n import N_, _


class IdType(StrEnum):
    resident_id = "resident_id"  # 居民身份证
    passport = "passport"  # 护照
    hk_macao_permit = "hk_macao_permit"  # 港澳居民来往内地通行证
    taiwan_permit = "taiwan_permit"  # 台湾居民来往大陆通行证
    uscc = "uscc"  # 统一社会信用代码


class IdError(ValueError):
    """A rejected ID or phone number; ``str(e)`` is the translated, precise reason."""


_ID_TYPE_LABELS: dict[IdType, str] = {
    IdType.resident_id: N_("Resident ID card"),
    IdType.passport: N_("Passport"),
    IdType.hk_macao_permit: N_("Mainland Travel Permit for Hong Kong and Macao Residents"),
    IdType.taiwan_permit: N_("Mainland Travel Permit for Taiwan Residents"),
    IdType.uscc: N_("Unified social credit code"),
}


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
    """Check a citizen identity number; returns it stripped with an upper-case X."""
    rid = _require(value, _("Resident ID number")).upper()
    if len(rid) != 18:
        raise IdError(
            _("Resident ID number should have 18 characters, got {count}").format(count=len(rid))
        )
    _check_digits(rid[:17])
    if rid[17] not in "0123456789X":
        raise IdError(_("Character 18 should be a digit or X, got “{char}”").format(char=rid[17]))
    if rid[0] not in "12345678":
        raise IdError(
            _("Character 1 (region code) should be a digit 1–8, got “{char}”").format(char=rid[0])
        )
    _birth_date_of(rid[6:14], today or hall_today())
    expected = resident_id_check_char(rid[:17])
    if rid[17] != expected:
        raise IdError(
            _("Check character (position 18) should be {expected}").format(expected=expected)
        )
    return rid


def _birth_date_of(text: str, today: date) -> date:
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise IdError(_("Birth date {date} does not exist").format(date=text)) from None
    if born.year < 1900:
        raise IdError(_("Birth date {date} is before 1900").format(date=text))
    if born > today:
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
    code = _require(value, _("Unified social credit code")).upper()
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


_VALIDATORS = {
    IdType.resident_id: validate_resident_id,
    IdType.passport: validate_passport,
    IdType.hk_macao_permit: validate_hk_macao_permit,
    IdType.taiwan_permit: validate_taiwan_permit,
    IdType.uscc: validate_uscc,
}


def validate_id(id_type: IdType | str, value: str) -> str:
    """Validate ``value`` as an ID of ``id_type``; returns the normalised number."""
    try:
        kind = IdType(id_type)
    except ValueError:
        raise IdError(_("Unknown ID type “{type}”").format(type=id_type)) from None
    return _VALIDATORS[kind](value)


# --- Phone numbers -------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0\d{2,3})-?(\d{7,8})(?:-(\d{1,6}))?")


def validate_phone(value: str) -> str:
    """A mainland mobile (returned as 11 digits) or landline (returned as ``0AA-NNNNNNNN[-EXT]``).

    Spaces, dashes, a leading +86 / 0086 / 86 and brackets round the area code are accepted.
    """
    raw = _require(value, _("Phone number"))
    s = re.sub(r"\s", "", raw)
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
    # "(010)12345678" → "010-12345678"
    s = s.replace("(", "").replace(")", "-").strip("-")
    compact = s.replace("-", "")
    # Mobiles start 13–19; after +86 a leading "10" is Beijing's area code without its 0.
    if compact.startswith("1") and not (international and compact.startswith("10")):
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
    if international and not s.startswith("0"):
        s = "0" + s  # +86 10 12345678 → 010 12345678
    if "-" not in s and s.isdigit():
        # Without a dash the area code is still unambiguous: 010 and 020–029 have three
        # digits, every other mainland area code four.
        split = 3 if s[:2] in ("01", "02") else 4
        s = s[:split] + "-" + s[split:]
    match = _LANDLINE.fullmatch(s)
    if not match:
        raise IdError(
            _(
                "Landline number should be an area code starting with 0 and a 7–8 digit "
                "number, got “{value}”"
            ).format(value=raw)
        )
    area, local, ext = match.groups()
    return f"{area}-{local}" + (f"-{ext}" if ext else "")


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
