"""``validate_id``: one entry point that checks a number by its ID type."""

from __future__ import annotations

from datetime import date

from hallterm.domain.ids.common import IdError, IdType
from hallterm.domain.ids.resident import (
    validate_foreign_permanent,
    validate_hmt_residence,
    validate_resident_id,
)
from hallterm.domain.ids.travel import (
    validate_hk_macao_permit,
    validate_passport,
    validate_taiwan_permit,
)
from hallterm.domain.ids.uscc import validate_uscc
from hallterm.i18n import _


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
