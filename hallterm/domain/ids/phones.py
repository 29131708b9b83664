"""Mainland phone numbers: mobiles, and landlines whose area code must exist
(libphonenumber's table), with dashes, brackets and extensions."""

from __future__ import annotations

import re

from hallterm.domain.ids.common import IdError, require
from hallterm.i18n import _

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
    raw = require(value, _("Phone number"))
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
