"""Where a finding is, in the document's own terms: section, row (and matter name), field
(national names in Chinese)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hallterm.domain.catalog_fields import (
    MATERIAL_FIELDS,
    MATERIALS_NATIONAL,
    SECTION_FIELDS,
    SECTIONS,
    national_name,
)
from hallterm.domain.catalog_lint.raw import records, text
from hallterm.i18n import _, current_language

# A location in the document, in pydantic's form: ("matters", 3, "materials", 0, "copies").
Loc = tuple[Any, ...]
Locator = Callable[[Loc], str]

# --------------------------------------------------------------------------- locating


def join_where(parts: list[str]) -> str:
    """Parts of a location joined the way the current language writes lists."""
    return ("，" if current_language() != "en" else ", ").join(parts)


def default_locator(doc: Any) -> Locator:
    """Where-strings in the document's own terms: section, row (and matter name), field.

    In Chinese the sections and fields carry their national names.
    """
    national = current_language() != "en"

    def section_label(key: str) -> str:
        if not national:
            return key
        return MATERIALS_NATIONAL if key == "materials" else SECTIONS.get(key, key)

    def field_label(section: str | None, key: str) -> str:
        if not national or section is None:
            return key
        fields = MATERIAL_FIELDS if section == "materials" else SECTION_FIELDS.get(section, ())
        return national_name(fields, key)

    def locate(loc: Loc) -> str:
        parts: list[str] = []
        section: str | None = None
        i = 0
        while i < len(loc):
            key = loc[i]
            if i + 1 < len(loc) and isinstance(loc[i + 1], int):
                section = str(key)
                row = loc[i + 1] + 1
                name = ""
                if section == "matters":
                    matters = records(doc, "matters")
                    if 0 <= loc[i + 1] < len(matters):
                        name = text(matters[loc[i + 1]], "name")
                if name:
                    parts.append(
                        _("{section} row {row} ({name})").format(
                            section=section_label(section), row=row, name=name
                        )
                    )
                else:
                    parts.append(
                        _("{section} row {row}").format(section=section_label(section), row=row)
                    )
                i += 2
            else:
                parts.append(_("field {field}").format(field=field_label(section, str(key))))
                i += 1
        return join_where(parts) if parts else _("document")

    return locate
