"""The unified social credit code (GB 32100-2015): alphabet, division digits, check."""

from __future__ import annotations

from hallterm.domain.ids.common import IdError, no_separators, require
from hallterm.i18n import _

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
    code = require(value, label).upper()
    no_separators(code, label)
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
