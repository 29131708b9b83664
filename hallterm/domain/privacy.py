"""Purposes for which a clerk may open a full ID number (PIPL: a purpose for each use).

Revealing asks for one of these; the choice goes into the audit trail with the reveal.
The number is shown for ``REVEAL_SECONDS`` and hidden again when the applicant changes.
"""

from __future__ import annotations

from hallterm.i18n import N_, _

REVEAL_SECONDS = 30

REVEAL_PURPOSES: dict[str, str] = {
    "verify_identity": N_("check the ID document against the applicant"),
    "fill_document": N_("fill in a document that needs the full number"),
    "applicant_request": N_("the applicant asks to check the record"),
    "legal_inquiry": N_("a lawful inquiry by an authority"),
}


def purpose_label(code: str) -> str:
    return _(REVEAL_PURPOSES[code]) if code in REVEAL_PURPOSES else code
