"""Passports and the two mainland travel permits (formats only: no check character)."""

from __future__ import annotations

from hallterm.domain.ids.common import IdError, check_digits, require
from hallterm.i18n import _

# --- Passport and travel permits -----------------------------------------------------------


def validate_passport(value: str) -> str:
    """Any passport: 5–17 ASCII letters or digits, returned upper-cased (E/G + 8 for China)."""
    number = require(value, _("Passport number")).upper()
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
    number = require(value, _("Permit number")).upper()
    if number[0] not in "HM":
        raise IdError(
            _("Permit number should start with H (Hong Kong) or M (Macao), got “{char}”").format(
                char=number[0]
            )
        )
    check_digits(number, start=1)
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
    number = require(value, _("Permit number"))
    check_digits(number)
    if len(number) not in (8, 10):
        raise IdError(
            _("Taiwan permit number should have 8 or 10 digits, got {count}").format(
                count=len(number)
            )
        )
    return number
