"""Identity numbers and phone numbers (a package by concern: ``common`` types and helpers,
``resident`` (GB 11643 family), ``uscc``, ``travel`` documents, ``phones``, ``mask``,
``validate``): validation, normalisation, masking and display names.

Owns the check rules of GB 11643-1999 (citizen identity number, and the numbers built on it:
the 2023 foreign permanent resident ID card and the residence permit for Hong Kong, Macao
and Taiwan residents), GB 32100-2015 (unified social credit code), the formats of passports
and the two mainland travel permits, and mainland phone numbers (area codes checked against
libphonenumber's table).  Every validator returns the normalised value or raises
``IdError`` whose text says exactly what is wrong, in the current language.
"""

from __future__ import annotations

from hallterm.domain.ids.common import (
    ENTITY_ID_TYPES,
    IdError,
    IdType,
    id_type_label,
)
from hallterm.domain.ids.mask import (
    mask_id,
    mask_phone,
)
from hallterm.domain.ids.phones import (
    validate_phone,
)
from hallterm.domain.ids.resident import (
    HMT_REGIONS,
    RESIDENT_ID_CHECK_CHARS,
    RESIDENT_ID_WEIGHTS,
    birth_date,
    resident_id_check_char,
    validate_foreign_permanent,
    validate_hmt_residence,
    validate_resident_id,
)
from hallterm.domain.ids.travel import (
    validate_hk_macao_permit,
    validate_passport,
    validate_taiwan_permit,
)
from hallterm.domain.ids.uscc import (
    USCC_ALPHABET,
    USCC_AUTHORITIES,
    USCC_WEIGHTS,
    uscc_check_char,
    validate_uscc,
)
from hallterm.domain.ids.validate import (
    validate_id,
)

__all__ = [
    "ENTITY_ID_TYPES",
    "HMT_REGIONS",
    "IdError",
    "IdType",
    "RESIDENT_ID_CHECK_CHARS",
    "RESIDENT_ID_WEIGHTS",
    "USCC_ALPHABET",
    "USCC_AUTHORITIES",
    "USCC_WEIGHTS",
    "birth_date",
    "id_type_label",
    "mask_id",
    "mask_phone",
    "resident_id_check_char",
    "uscc_check_char",
    "validate_foreign_permanent",
    "validate_hk_macao_permit",
    "validate_hmt_residence",
    "validate_id",
    "validate_passport",
    "validate_phone",
    "validate_resident_id",
    "validate_taiwan_permit",
    "validate_uscc",
]
