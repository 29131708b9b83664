"""Catalog lint of a file (without importing it) or of the catalog a store holds."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from hallterm.db.services.catalog.files import load_raw
from hallterm.db.services.catalog.io import export_catalog
from hallterm.domain.catalog import CatalogError
from hallterm.domain.catalog_lint import (
    Finding,
    lint_catalog,
)


def lint_file(path: Path) -> list[Finding]:
    """Lint a catalog file without importing it; an unreadable file is one error finding."""
    try:
        doc, locate = load_raw(path)
    except CatalogError as exc:
        return [Finding("error", "invalid", str(path), p) for p in exc.problems]
    return lint_catalog(doc, locate)


def lint_store(session: Session) -> list[Finding]:
    """Lint the catalog held by a store."""
    return lint_catalog(export_catalog(session))
