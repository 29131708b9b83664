"""A service guide from a catalog document, and the wording the printed and published guide share.

``guide_from_catalog(doc, code)`` turns a catalog document (``export_catalog``'s form) into
the plain ``GuideDoc`` (``domain.guide``) of one matter or one bundle (一件事: its matters'
requirements merged, each shared document listed once).  ``matter_facts`` and the material
rows are the labelled facts both the PDF (``printing.guide``) and the static pages
(``printing.publish``) show, so the two never disagree; they include the supervision and
complaint channel (12345 and the hall's own phone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hallterm.domain.catalog import display
from hallterm.domain.guide import GuideDoc, GuideMaterial, GuideMatter, bundle_guide, matter_guide
from hallterm.i18n import _
from hallterm.printing.documents.page import DASH


@dataclass(frozen=True)
class Hall:
    """The hall that hands the guide out: its name, address and phone, and the print time."""

    name: str = ""
    address: str = ""
    phone: str = ""
    printed_at: datetime | None = None  # the hall's local time
    complaint_phone: str = ""  # the hall's own supervision phone (else its phone)


def _material(r: dict[str, Any]) -> GuideMaterial:
    return GuideMaterial(
        type_code=str(r.get("type_code", "")),
        name=str(r.get("name", "")),
        necessity=str(r.get("necessity", "")),
        form=str(r.get("form", "")),
        source=str(r.get("source", "")),
        originals=int(r.get("originals") or 0),
        copies=int(r.get("copies") or 0),
        standard=str(r.get("standard") or ""),
    )


def _matter(m: dict[str, Any], departments: dict[str, str]) -> GuideMatter:
    return GuideMatter(
        code=str(m["implementation_code"]),
        basic_code=str(m.get("basic_code", "")),
        name=str(m.get("name", "")),
        kind=str(m.get("kind", "")),
        department=departments.get(m.get("department", ""), str(m.get("department", ""))),
        audience=str(m.get("audience", "")),
        handling_type=str(m.get("handling_type", "")),
        legal_limit_days=int(m.get("legal_limit_days") or 0),
        promised_limit_days=int(m.get("promised_limit_days") or 0),
        fee=str(m.get("fee") or ""),
        conditions=str(m.get("conditions") or ""),
        legal_basis=str(m.get("legal_basis") or ""),
        process=tuple(str(s) for s in m.get("process") or ()),
        visits=int(m.get("visits") or 0),
        online_depth=int(m.get("online_depth") or 0),
        certificate_type=m.get("certificate_type"),
        theme=str(m.get("theme") or ""),
        place=str(m.get("place") or ""),
        hours=str(m.get("hours") or ""),
        phone=str(m.get("phone") or ""),
        materials=tuple(_material(r) for r in m.get("materials") or ()),
    )


def guide_from_catalog(doc: dict[str, Any], code: str) -> GuideDoc | None:
    """The guide of matter or bundle ``code`` in a valid catalog document; None if unknown."""
    departments = {d["code"]: d["name"] for d in doc.get("departments", [])}
    matters = {m["implementation_code"]: m for m in doc.get("matters", [])}
    common = {"catalog_name": doc.get("name", ""), "catalog_version": doc.get("version", "")}
    if code in matters:
        return matter_guide(_matter(matters[code], departments), **common)
    bundle = next((b for b in doc.get("bundles", []) if b.get("code") == code), None)
    if bundle is None:
        return None
    members = [_matter(matters[c], departments) for c in bundle["matters"] if c in matters]
    return bundle_guide(
        str(bundle["code"]),
        str(bundle.get("name", "")),
        str(bundle.get("description") or ""),
        members,
        **common,
    )


# --------------------------------------------------------------------------- wording shared with the HTML pages


def working_days(n: int) -> str:
    if n == 1:
        return _("1 working day")
    return _("{days} working days").format(days=n)


def promised_text(m: GuideMatter) -> str:
    if m.promised_limit_days:
        return working_days(m.promised_limit_days)
    return _("on the spot")


def legal_text(m: GuideMatter) -> str:
    return working_days(m.legal_limit_days) if m.legal_limit_days else _("not set by law")


def audience_text(code: str) -> str:
    return {
        "person": _("natural persons"),
        "entity": _("legal persons"),
        "both": _("natural and legal persons"),
    }.get(code, code)


def matter_facts(m: GuideMatter, hall: Hall | None = None) -> list[tuple[str, str]]:
    """The labelled facts of a matter, in print order (plain text, not escaped)."""
    hall = hall or Hall()
    return [
        (_("Department"), m.department),
        (_("Kind"), m.kind),
        (_("Applicants"), audience_text(m.audience)),
        (_("Handling"), display(m.handling_type)),
        (_("Basic code"), m.basic_code),
        (_("Implementation code"), m.code),
        (_("Legal time limit"), legal_text(m)),
        (_("Promised time limit"), promised_text(m)),
        (_("Visits to the hall"), str(m.visits)),
        (_("Fee"), m.fee or _("free of charge")),
        (_("Result certificate"), m.certificate_type or DASH),
        (_("Place"), m.place or hall.address or hall.name),
        (_("Hours"), m.hours),
        (_("Consultation phone"), m.phone or hall.phone),
        (_("Supervision and complaints"), complaint_text(hall)),
    ]


def complaint_text(hall: Hall) -> str:
    """The supervision and complaint channel: the 12345 hotline and the hall's own phone."""
    phone = hall.complaint_phone or hall.phone
    if phone:
        return _("12345 government service hotline; this hall: {phone}").format(phone=phone)
    return _("12345 government service hotline")


def material_row(r: GuideMaterial) -> list[str]:
    return [
        r.name,
        display(r.necessity),
        display(r.form),
        display(r.source),
        str(r.originals),
        str(r.copies),
        r.standard,
    ]


def material_header() -> list[str]:
    return [
        _("Material"),
        _("Necessity"),
        _("Form"),
        _("Source"),
        _("Originals (pcs)"),
        _("Photocopies (pcs)"),
        _("Acceptance standard"),
    ]
