"""A certificate's values the case already knows, by template row (the rows' ``source``).

The applicant (name, ID or credit code, legal representative, address, and from a resident
ID the sex and date of birth), the matter, the competent authority and the date of issue.
A business's unified social credit code is printed in full (it is public); a person's ID
number is masked.
"""

from __future__ import annotations

from datetime import date

from hallterm.db.models import Applicant, Department, Matter
from hallterm.db.services.certificate_templates import TemplateField
from hallterm.domain.ids import IdError, birth_date, mask_id


def _is_entity(applicant: Applicant) -> bool:
    return applicant.kind == "entity"


def shown_id(applicant: Applicant) -> str:
    """The holder's ID as printed: a credit code in full (public), a person's ID masked."""
    if applicant.id_type == "uscc":
        return applicant.id_number
    return mask_id(applicant.id_number)


def _sex(applicant: Applicant) -> str:
    if applicant.id_type != "resident_id" or len(applicant.id_number) != 18:
        return ""
    return "男" if int(applicant.id_number[16]) % 2 else "女"


def _born(applicant: Applicant) -> str:
    if applicant.id_type != "resident_id":
        return ""
    try:
        return birth_date(applicant.id_number).isoformat()
    except IdError:
        return ""


def prefill(
    fields: list[TemplateField],
    applicant: Applicant,
    matter: Matter,
    authority: Department | None,
    issued_on: date | None,
) -> dict[str, str]:
    """Values the case already knows, by field key."""
    entity = _is_entity(applicant)
    sources = {
        "holder": applicant.name,
        "holder_id": shown_id(applicant),
        "uscc": applicant.id_number if applicant.id_type == "uscc" else "",
        "entity_name": applicant.name if entity else "",
        "legal_rep": (applicant.legal_rep if entity else applicant.name),
        "address": applicant.address,
        "matter": matter.name,
        "authority": authority.name if authority else "",
        "issued_on": issued_on.isoformat() if issued_on else "",
        "sex": _sex(applicant),
        "born": _born(applicant),
    }
    return {f.key: sources.get(f.source, "") for f in fields if f.source}
