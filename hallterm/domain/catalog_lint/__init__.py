"""Catalog lint (a package by concern: ``findings``, ``raw`` access, ``locate``, the
``deferral`` rule, the ``checks``): what the paper finds wrong with today's matter catalogs, found before import.

``lint_catalog`` reads a *raw* catalog document (decoded JSON, national or our field names),
never requiring it to import, and returns findings with a severity, a stable code, where
and a translated message.  Errors are what makes a catalog wrong (it would not import, or it
tells applicants something false); warnings are what makes it poor.

Checks and codes:

- ``invalid`` (error): a field the interchange model rejects (wrong type, out of range, …).
- ``duplicate-code`` (error): two departments, queue categories, bundles or matters with one
  code; ``duplicate-bundle-matter`` (error): a bundle listing a matter twice.
- ``duplicate-name`` (error): two matters with the very same name.
- ``near-duplicate-name`` (warning): names equal once whitespace, brackets (（）()【】[] …) and
  full/half-width forms (NFKC) are normalized, e.g. ``出生登记（户口登记）`` and
  ``出生登记 (户口登记)``.
- ``two-themes`` (warning): the same matter (same basic code, or nearly the same name) listed
  under two themes (主题分类).
- ``unknown-reference`` (error): a matter's department or queue category, or a bundle's matter,
  that the catalog does not have; ``empty-bundle`` (error): a bundle (主题式服务 一件事) none of
  whose matters exists.
- ``empty-department`` / ``empty-queue-category`` (warning): listed but no matter uses it.
- ``no-materials``, ``no-legal-basis``, ``no-process`` (warning): a matter that tells the
  applicant nothing about what to bring, on what basis, or how it proceeds.
- ``no-time-limit`` (error): a promised matter (承诺件) without a promised time limit.
- ``promised-over-legal`` (error): a promised limit longer than the legal limit.
- ``deferral-not-allowed`` (error): 容缺后补 on a material that may not be deferred (rule in
  ``deferral_blocker``).
- ``material-name-mismatch`` (warning): one material type code under different names.
- ``bundle-self-input`` (warning): a bundle (一件事) one of whose matters asks the applicant
  for a government-issued certificate that another matter of the same bundle issues (开办
  餐饮店 asking for the 营业执照 its own 设立登记 produces): the merged checklist asks for
  what the bundle itself makes.  A warning: the bundle still works for an applicant who
  already holds the certificate, but the catalog should say so.
- ``audience-mismatch`` (error): a bundle combining a matter for entities only with one for
  persons only: no applicant can be served by it.

Every error blocks an import (``IMPORT_BLOCKING`` lists the error codes; ``blocking``
picks the findings that refuse a catalog).
"""

from __future__ import annotations

from hallterm.domain.catalog_lint.checks import lint_catalog
from hallterm.domain.catalog_lint.deferral import IDENTITY_WORDS, deferral_blocker
from hallterm.domain.catalog_lint.findings import (
    ERROR,
    IMPORT_BLOCKING,
    WARNING,
    Finding,
    blocking,
    has_errors,
    normalize_name,
)
from hallterm.domain.catalog_lint.locate import Loc, Locator, default_locator, join_where

__all__ = [
    "ERROR",
    "IDENTITY_WORDS",
    "IMPORT_BLOCKING",
    "WARNING",
    "Finding",
    "Loc",
    "Locator",
    "blocking",
    "default_locator",
    "deferral_blocker",
    "has_errors",
    "join_where",
    "lint_catalog",
    "normalize_name",
]
