"""Catalog files: read a ``.json`` or ``.xlsx`` catalog all-or-nothing, write an export.

``read_catalog(path)`` reads a ``.json`` or ``.xlsx`` catalog, translates national field
names (``domain.catalog_fields``), checks it with ``parse_catalog`` and against what the
database can hold (``storable``), and raises ``CatalogError`` naming every bad row and field
— nothing is written until the whole file is good (``catalog.io.import_catalog`` then writes
it in one transaction).  ``write_catalog(doc, path)`` writes the export document as JSON (our
or national names) or as a workbook (``workbook``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hallterm.db.services.catalog.storable import check_storable
from hallterm.db.services.catalog.workbook import read_workbook, workbook
from hallterm.domain.catalog import CatalogError, CatalogIn, parse_catalog
from hallterm.domain.catalog_fields import (
    to_internal,
    to_national,
)
from hallterm.domain.catalog_lint import (
    Locator,
    blocking,
    default_locator,
    lint_catalog,
)
from hallterm.i18n import _

XLSX_SUFFIXES = (".xlsx", ".xlsm")


def read_catalog(path: Path) -> tuple[CatalogIn, dict[str, Any]]:
    """Load and check a catalog file (.json or .xlsx); ``CatalogError`` names every problem."""
    path = Path(path)
    if path.suffix.lower() in XLSX_SUFFIXES:
        doc, locate = read_workbook(path)
        refused = blocking(lint_catalog(doc, locate))
        if refused:
            raise CatalogError([f"{f.where}: {f.message}" for f in refused])
    else:
        doc = to_internal(read_json(path))
    catalog = parse_catalog(doc)
    problems = check_storable(catalog)
    if problems:
        raise CatalogError(problems)
    return catalog, doc


def read_json(path: Path) -> Any:
    """The decoded JSON of ``path``; ``CatalogError`` for unreadable or invalid files."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(
            [_("cannot read {path}: {error}").format(path=path, error=exc.strerror)]
        ) from None
    except UnicodeDecodeError:
        raise CatalogError([_("{path} is not UTF-8 text").format(path=path)]) from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            [
                _("{path}: not valid JSON at line {line}, column {col}: {msg}").format(
                    path=path, line=exc.lineno, col=exc.colno, msg=exc.msg
                )
            ]
        ) from None
    except RecursionError:
        raise CatalogError([_("{path}: the JSON is nested too deeply").format(path=path)]) from None


def load_raw(path: Path) -> tuple[Any, Locator]:
    """The raw document of a catalog file and where-strings in its own terms (for lint)."""
    path = Path(path)
    if path.suffix.lower() in XLSX_SUFFIXES:
        return read_workbook(path)
    doc = to_internal(read_json(path))
    return doc, default_locator(doc)


def write_catalog(doc: dict[str, Any], path: Path, *, national: bool = False) -> Path:
    """Write an export document (``export_catalog``) to ``.xlsx`` or ``.json``, atomically."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        if path.suffix.lower() in XLSX_SUFFIXES:
            workbook(doc).save(tmp)
        else:
            data = to_national(doc) if national else doc
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
