"""ID types, their display names, the error every check raises, and the helpers the
checks share (full-width folding, separators named, digit positions)."""

from __future__ import annotations

import unicodedata
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


def clean(value: str) -> str:
    # NFKC folds full-width digits/letters/spaces typed with a Chinese IME into ASCII.
    return unicodedata.normalize("NFKC", value).strip()


def require(value: str, label: str) -> str:
    cleaned = clean(value)
    if not cleaned:
        raise IdError(_("{label} must not be empty").format(label=label))
    return cleaned


SEPARATORS = {" ": N_("a space"), "-": N_("a dash"), "—": N_("a dash"), ".": N_("a dot")}


def no_separators(value: str, label: str) -> None:
    """Name a separator inside the number instead of miscounting its length."""
    for i, ch in enumerate(value, start=1):
        if ch in SEPARATORS or ch.isspace():
            raise IdError(
                _(
                    "{label} must be typed without separators: character {position} is {what}"
                ).format(label=label, position=i, what=_(SEPARATORS.get(ch, N_("a space"))))
            )


def check_digits(value: str, start: int = 0) -> None:
    """Raise on the first non-ASCII-digit, naming its 1-based position."""
    for i, ch in enumerate(value[start:], start=start + 1):
        if ch not in "0123456789":
            raise IdError(
                _("Character {position} should be a digit, got “{char}”").format(
                    position=i, char=ch
                )
            )
