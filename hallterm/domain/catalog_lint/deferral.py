"""The 容缺 rule: which materials may not be deferred (identity documents, the
certificate the matter itself issues or changes)."""

from __future__ import annotations

from typing import Any

from hallterm.domain.catalog import (
    MaterialSource,
)
from hallterm.domain.catalog_lint.findings import normalize_name
from hallterm.domain.catalog_lint.raw import code_of, text

# --------------------------------------------------------------------------- the 容缺 rule

# Words naming an identity document of a person or an organisation.
IDENTITY_WORDS = (
    "身份证",
    "身份证明",
    "户口簿",
    "户口本",
    "护照",
    "通行证",
    "营业执照",
    "统一社会信用代码",
    "法人证书",
    "法人登记证书",
)


def deferral_blocker(material: dict[str, Any], matter: dict[str, Any]) -> str | None:
    """Why ``material`` may not be deferred (容缺后补) in ``matter``; None when it may.

    Deferral lets a case be accepted while a secondary document follows later.  It is not
    allowed for the documents the decision itself rests on:

    - the applicant's identity document (居民身份证, 户口簿, 护照, 通行证, 营业执照,
      统一社会信用代码证 …, whatever its source): without it nobody knows who applies;
    - a government-issued certificate that is the matter's own result (its
      ``certificate_type``), e.g. the old licence in a change or renewal: the decision is
      about that very certificate.

    Returns ``"identity"`` or ``"result"``.
    """
    name = normalize_name(text(material, "name"))
    if any(normalize_name(w) in name for w in IDENTITY_WORDS):
        return "identity"
    source = code_of(MaterialSource, material.get("source"))
    result = normalize_name(text(matter, "certificate_type"))
    if source == MaterialSource.government and result and (result in name or name in result):
        return "result"
    return None
