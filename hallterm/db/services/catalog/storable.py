"""What a valid catalog may hold that the database cannot store: lengths, NUL, number ranges.

Checked before an import writes anything, so a too-long name is a clear error naming the
row and field, not a database failure half-way through.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table

from hallterm.db.models import (
    Bundle,
    CatalogVersion,
    Department,
    MaterialRequirement,
    Matter,
    QueueCategory,
)
from hallterm.domain.catalog import CatalogIn
from hallterm.domain.catalog_lint import (
    default_locator,
)
from hallterm.i18n import _

_TABLES: list[tuple[tuple[str, ...], Table, dict[str, str]]] = [
    # (location of the records in the document, table, model field → column where renamed)
    ((), CatalogVersion.__table__, {}),  # type: ignore[attr-defined]
    (("departments",), Department.__table__, {}),  # type: ignore[attr-defined]
    (("queue_categories",), QueueCategory.__table__, {}),  # type: ignore[attr-defined]
    (
        ("matters",),
        Matter.__table__,  # type: ignore[attr-defined]
        {"implementation_code": "code", "department": "department_code"},
    ),
    (("matters", "materials"), MaterialRequirement.__table__, {}),  # type: ignore[attr-defined]
    (("bundles",), Bundle.__table__, {}),  # type: ignore[attr-defined]
]
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def _check_record(
    rec: BaseModel, table: Table, renamed: dict[str, str], loc: tuple[Any, ...], out: list[Any]
) -> None:
    for name in type(rec).model_fields:
        value = getattr(rec, name)
        column = table.c.get(renamed.get(name, name))
        values = value if isinstance(value, list) else [value]
        for v in values:
            if isinstance(v, str):
                if "\x00" in v:
                    out.append(((*loc, name), _("contains a NUL character")))
                length = getattr(column.type, "length", None) if column is not None else None
                if length and len(v) > length:
                    out.append(
                        (
                            (*loc, name),
                            _("{n} characters, at most {max} fit").format(n=len(v), max=length),
                        )
                    )
            elif isinstance(v, int) and not INT_MIN <= v <= INT_MAX:
                out.append(((*loc, name), _("number out of range")))


def check_storable(catalog: CatalogIn) -> list[str]:
    """What a valid catalog holds that the database could not store (lengths, NUL, ranges)."""
    found: list[tuple[tuple[Any, ...], str]] = []
    tables = {path: (table, renamed) for path, table, renamed in _TABLES}
    table, renamed = tables[()]
    _check_record(catalog, table, renamed, (), found)
    for section in ("departments", "queue_categories", "bundles"):
        table, renamed = tables[(section,)]
        for i, rec in enumerate(getattr(catalog, section)):
            _check_record(rec, table, renamed, (section, i), found)
    for i, b in enumerate(catalog.bundles):
        if len(set(b.matters)) != len(b.matters):
            found.append((("bundles", i, "matters"), _("a matter is listed twice")))
    m_table, m_renamed = tables[("matters",)]
    r_table, r_renamed = tables[("matters", "materials")]
    for i, m in enumerate(catalog.matters):
        _check_record(m, m_table, m_renamed, ("matters", i), found)
        for j, r in enumerate(m.materials):
            _check_record(r, r_table, r_renamed, ("matters", i, "materials", j), found)
    if not found:
        return []
    locate = default_locator(catalog.model_dump(mode="json"))
    return [f"{locate(loc)}: {msg}" for loc, msg in found]
