"""A service guide (服务指南) as plain data: one matter, or a bundle (一件事) of matters.

A matter's guide has its facts and its materials; a bundle's lists its matters and their
materials merged, each shared document once (``merged_materials``).  The store's catalog
(``db.services.catalog.query``) and a catalog document (``printing.guide_data``) both make
these, so the guide screen, the printed guide and the published pages show the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hallterm.domain.checklist import Requirement, merge_requirements


@dataclass(frozen=True)
class GuideMaterial:
    type_code: str
    name: str
    necessity: str  # codes: required / optional / deferrable
    form: str
    source: str
    originals: int
    copies: int
    standard: str = ""


@dataclass(frozen=True)
class GuideMatter:
    code: str
    basic_code: str
    name: str
    kind: str
    department: str
    audience: str
    handling_type: str
    legal_limit_days: int
    promised_limit_days: int
    fee: str
    conditions: str
    legal_basis: str
    process: tuple[str, ...]
    visits: int
    online_depth: int
    certificate_type: str | None
    theme: str
    place: str
    hours: str
    phone: str
    materials: tuple[GuideMaterial, ...]


@dataclass(frozen=True)
class GuideDoc:
    """A matter's guide, or a bundle's: its matters and the merged materials."""

    code: str
    name: str
    is_bundle: bool
    description: str
    matters: tuple[GuideMatter, ...]
    materials: tuple[GuideMaterial, ...]
    catalog_name: str = ""
    catalog_version: str = ""


def merged_materials(members: Sequence[GuideMatter]) -> tuple[GuideMaterial, ...]:
    """The members' materials as one checklist (``checklist.merge_requirements``)."""
    merged = merge_requirements(
        [
            (
                g.code,
                [
                    Requirement(
                        r.type_code,
                        r.name,
                        r.necessity,
                        r.form,
                        r.source,
                        r.originals,
                        r.copies,
                        r.standard,
                    )
                    for r in g.materials
                ],
            )
            for g in members
        ]
    )
    return tuple(
        GuideMaterial(
            r.type_code, r.name, r.necessity, r.form, r.source, r.originals, r.copies, r.standard
        )
        for r in merged
    )


def matter_guide(g: GuideMatter, *, catalog_name: str = "", catalog_version: str = "") -> GuideDoc:
    """The guide of one matter."""
    return GuideDoc(g.code, g.name, False, "", (g,), g.materials, catalog_name, catalog_version)


def bundle_guide(
    code: str,
    name: str,
    description: str,
    members: Sequence[GuideMatter],
    *,
    catalog_name: str = "",
    catalog_version: str = "",
) -> GuideDoc:
    """The guide of a bundle: its matters in order and their merged materials."""
    return GuideDoc(
        code,
        name,
        True,
        description,
        tuple(members),
        merged_materials(members),
        catalog_name,
        catalog_version,
    )
