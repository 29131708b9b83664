"""Catalog lint: what the paper finds wrong with today's matter catalogs, found before import.

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

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from hallterm.domain.catalog import (
    LABELS,
    Audience,
    CatalogIn,
    HandlingType,
    MaterialSource,
    Necessity,
)
from hallterm.domain.catalog_fields import (
    MATERIAL_FIELDS,
    MATERIALS_NATIONAL,
    SECTION_FIELDS,
    SECTIONS,
    national_name,
    to_internal,
)
from hallterm.i18n import _, current_language

ERROR = "error"
WARNING = "warning"

# Every error-level code: a catalog with any of these is refused at import.
IMPORT_BLOCKING = frozenset(
    {
        "invalid",
        "duplicate-code",
        "duplicate-bundle-matter",
        "duplicate-name",
        "unknown-reference",
        "empty-bundle",
        "no-time-limit",
        "promised-over-legal",
        "deferral-not-allowed",
        "audience-mismatch",
    }
)

# A location in the document, in pydantic's form: ("matters", 3, "materials", 0, "copies").
Loc = tuple[Any, ...]
Locator = Callable[[Loc], str]


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" | "warning"
    code: str
    where: str
    message: str


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def blocking(findings: list[Finding]) -> list[Finding]:
    """The findings that refuse an import: every error."""
    return [f for f in findings if f.severity == ERROR or f.code in IMPORT_BLOCKING]


# --------------------------------------------------------------------------- normalizing

_BRACKETS = dict.fromkeys(map(ord, "()[]{}<>（）【】〔〕［］｛｝〈〉《》「」『』〖〗"))


def normalize_name(name: str) -> str:
    """The comparison form of a matter name: NFKC, no whitespace, no brackets, casefolded."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(text.split())
    return text.translate(_BRACKETS).casefold()


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
    name = normalize_name(_text(material, "name"))
    if any(normalize_name(w) in name for w in IDENTITY_WORDS):
        return "identity"
    source = _code(MaterialSource, material.get("source"))
    result = normalize_name(_text(matter, "certificate_type"))
    if source == MaterialSource.government and result and (result in name or name in result):
        return "result"
    return None


# --------------------------------------------------------------------------- raw access


def _records(container: Any, key: str) -> list[Any]:
    value = container.get(key) if isinstance(container, dict) else None
    return value if isinstance(value, list) else []


def _text(record: Any, key: str) -> str:
    value = record.get(key) if isinstance(record, dict) else None
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


def _int(record: Any, key: str) -> int | None:
    value = record.get(key) if isinstance(record, dict) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _code(enum: type[StrEnum], value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    v = value.strip()
    v = LABELS.get(enum, {}).get(v, v)
    return v if v in enum.__members__ else None


def _steps(record: Any) -> list[str]:
    value = record.get("process") if isinstance(record, dict) else None
    if isinstance(value, list):
        return [str(s).strip() for s in value if str(s).strip()]
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    return []


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
                    matters = _records(doc, "matters")
                    if 0 <= loc[i + 1] < len(matters):
                        name = _text(matters[loc[i + 1]], "name")
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


# --------------------------------------------------------------------------- the checks


class _Lint:
    def __init__(self, doc: dict[str, Any], locate: Locator) -> None:
        self.doc = doc
        self.locate = locate
        self.findings: list[Finding] = []
        self.matters = _records(doc, "matters")

    def add(self, severity: str, code: str, loc: Loc, message: str) -> None:
        self.findings.append(Finding(severity, code, self.locate(loc), message))

    def run(self) -> list[Finding]:
        self.schema()
        self.duplicate_codes()
        self.names_and_themes()
        self.references()
        self.unused()
        self.matter_content()
        self.deferrals()
        self.material_names()
        self.bundles()
        return self.findings

    # -- the interchange model itself

    def schema(self) -> None:
        try:
            CatalogIn.model_validate(self.doc)
        except ValidationError as exc:
            for e in exc.errors():
                self.add(ERROR, "invalid", tuple(e["loc"]), str(e["msg"]))

    # -- codes

    def duplicate_codes(self) -> None:
        for section, key in (
            ("departments", "code"),
            ("queue_categories", "code"),
            ("bundles", "code"),
            ("matters", "implementation_code"),
        ):
            first: dict[str, int] = {}
            for i, rec in enumerate(_records(self.doc, section)):
                code = _text(rec, key)
                if not code:
                    continue
                if code in first:
                    self.add(
                        ERROR,
                        "duplicate-code",
                        (section, i, key),
                        _("code {code} is used twice (first at {first})").format(
                            code=code, first=self.locate((section, first[code]))
                        ),
                    )
                else:
                    first[code] = i
        for i, b in enumerate(_records(self.doc, "bundles")):
            seen: set[str] = set()
            for code in (str(c).strip() for c in _records(b, "matters")):
                if code in seen:
                    self.add(
                        ERROR,
                        "duplicate-bundle-matter",
                        ("bundles", i, "matters"),
                        _("the bundle lists matter {code} twice").format(code=code),
                    )
                seen.add(code)

    # -- names and themes

    def names_and_themes(self) -> None:
        by_name: dict[str, list[int]] = {}
        by_basic: dict[str, list[int]] = {}
        for i, m in enumerate(self.matters):
            name = _text(m, "name")
            if name:
                by_name.setdefault(normalize_name(name), []).append(i)
            basic = _text(m, "basic_code")
            if basic:
                by_basic.setdefault(basic, []).append(i)
        reported: set[frozenset[int]] = set()
        for rows in by_name.values():
            if len(rows) < 2:
                continue
            exact: dict[str, int] = {}
            near = False
            for i in rows:
                name = _text(self.matters[i], "name")
                if name in exact:
                    self.add(
                        ERROR,
                        "duplicate-name",
                        ("matters", i, "name"),
                        _("the name “{name}” is used twice (first at {first})").format(
                            name=name, first=self.locate(("matters", exact[name]))
                        ),
                    )
                else:
                    near = near or bool(exact)
                    exact[name] = i
            if self.two_themes(rows, reported):
                continue
            if near:
                names = list(exact)
                self.add(
                    WARNING,
                    "near-duplicate-name",
                    ("matters", exact[names[1]], "name"),
                    _("the names {names} differ only in spaces, brackets or width").format(
                        names="、".join(f"“{n}”" for n in names)
                    ),
                )
        for rows in by_basic.values():
            if len(rows) > 1:
                self.two_themes(rows, reported)

    def two_themes(self, rows: list[int], reported: set[frozenset[int]]) -> bool:
        themes = list(
            dict.fromkeys(t for t in (_text(self.matters[i], "theme") for i in rows) if t)
        )
        if len(themes) < 2:
            return False
        key = frozenset(rows)
        if key not in reported:
            reported.add(key)
            self.add(
                WARNING,
                "two-themes",
                ("matters", rows[1], "theme"),
                _("the same matter is listed under the themes {themes}: {rows}").format(
                    themes="、".join(themes),
                    rows="；".join(self.locate(("matters", i)) for i in rows),
                ),
            )
        return True

    # -- references

    def references(self) -> None:
        depts = {_text(d, "code") for d in _records(self.doc, "departments")}
        queues = {_text(q, "code") for q in _records(self.doc, "queue_categories")}
        matter_codes = {_text(m, "implementation_code") for m in self.matters}
        for i, m in enumerate(self.matters):
            dept = _text(m, "department")
            if dept and dept not in depts:
                self.add(
                    ERROR,
                    "unknown-reference",
                    ("matters", i, "department"),
                    _("unknown department {code}").format(code=dept),
                )
            queue = _text(m, "queue_category")
            if queue and queue not in queues:
                self.add(
                    ERROR,
                    "unknown-reference",
                    ("matters", i, "queue_category"),
                    _("unknown queue category {code}").format(code=queue),
                )
        for i, b in enumerate(_records(self.doc, "bundles")):
            codes = [str(c).strip() for c in _records(b, "matters")]
            known = [c for c in codes if c in matter_codes]
            if codes and not known:
                self.add(
                    ERROR,
                    "empty-bundle",
                    ("bundles", i, "matters"),
                    _("none of the bundle's matters is in the catalog"),
                )
                continue
            for code in codes:
                if code not in matter_codes:
                    self.add(
                        ERROR,
                        "unknown-reference",
                        ("bundles", i, "matters"),
                        _("unknown matter {code}").format(code=code),
                    )

    def unused(self) -> None:
        used_depts = {_text(m, "department") for m in self.matters}
        used_queues = {_text(m, "queue_category") for m in self.matters}
        for i, d in enumerate(_records(self.doc, "departments")):
            if _text(d, "code") and _text(d, "code") not in used_depts:
                self.add(
                    WARNING,
                    "empty-department",
                    ("departments", i),
                    _("department {name} has no matters").format(name=_text(d, "name")),
                )
        for i, q in enumerate(_records(self.doc, "queue_categories")):
            if _text(q, "code") and _text(q, "code") not in used_queues:
                self.add(
                    WARNING,
                    "empty-queue-category",
                    ("queue_categories", i),
                    _("queue category {name} has no matters").format(name=_text(q, "name")),
                )

    # -- each matter

    def matter_content(self) -> None:
        for i, m in enumerate(self.matters):
            if not isinstance(m, dict):
                continue
            if not _records(m, "materials"):
                self.add(
                    WARNING,
                    "no-materials",
                    ("matters", i, "materials"),
                    _("no application materials are listed"),
                )
            if not _text(m, "legal_basis"):
                self.add(
                    WARNING, "no-legal-basis", ("matters", i, "legal_basis"), _("no legal basis")
                )
            if not _steps(m):
                self.add(WARNING, "no-process", ("matters", i, "process"), _("no process steps"))
            handling = _code(HandlingType, m.get("handling_type"))
            legal = _int(m, "legal_limit_days")
            promised = _int(m, "promised_limit_days")
            if handling == HandlingType.promised and promised == 0:
                self.add(
                    ERROR,
                    "no-time-limit",
                    ("matters", i, "promised_limit_days"),
                    _("a promised matter (承诺件) needs a promised time limit"),
                )
            if legal and promised is not None and promised > legal:
                self.add(
                    ERROR,
                    "promised-over-legal",
                    ("matters", i, "promised_limit_days"),
                    _(
                        "the promised limit ({promised} working days) is longer than the legal "
                        "limit ({legal})"
                    ).format(promised=promised, legal=legal),
                )

    def deferrals(self) -> None:
        for i, m in enumerate(self.matters):
            for j, r in enumerate(_records(m, "materials")):
                if not isinstance(r, dict):
                    continue
                if _code(Necessity, r.get("necessity")) != Necessity.deferrable:
                    continue
                why = deferral_blocker(r, m)
                if why == "identity":
                    message = _(
                        "“{name}” is an identity document: without it nobody knows who applies, "
                        "so it may not be deferred (容缺)"
                    ).format(name=_text(r, "name"))
                elif why == "result":
                    message = _(
                        "“{name}” is the certificate this matter issues or changes ({result}); "
                        "the decision depends on it, so it may not be deferred (容缺)"
                    ).format(name=_text(r, "name"), result=_text(m, "certificate_type"))
                else:
                    continue
                self.add(
                    ERROR,
                    "deferral-not-allowed",
                    ("matters", i, "materials", j, "necessity"),
                    message,
                )

    def material_names(self) -> None:
        names: dict[str, dict[str, Loc]] = {}
        for i, m in enumerate(self.matters):
            for j, r in enumerate(_records(m, "materials")):
                code, name = _text(r, "type_code"), _text(r, "name")
                if code and name:
                    names.setdefault(code, {}).setdefault(name, ("matters", i, "materials", j))
        for code, variants in names.items():
            if len(variants) > 1:
                locs = list(variants.values())
                self.add(
                    WARNING,
                    "material-name-mismatch",
                    (*locs[1], "name"),
                    _("material type {code} has different names: {names}").format(
                        code=code, names="、".join(f"“{n}”" for n in variants)
                    ),
                )

    # -- bundles (一件事)

    def bundles(self) -> None:
        by_code = {_text(m, "implementation_code"): m for m in self.matters if isinstance(m, dict)}
        for i, b in enumerate(_records(self.doc, "bundles")):
            matters = [
                by_code[c] for c in (str(c).strip() for c in _records(b, "matters")) if c in by_code
            ]
            self.bundle_audience(i, matters)
            self.bundle_self_input(i, matters)

    def bundle_audience(self, i: int, matters: list[dict[str, Any]]) -> None:
        audiences = {_code(Audience, m.get("audience")): _text(m, "name") for m in matters}
        if Audience.person in audiences and Audience.entity in audiences:
            self.add(
                ERROR,
                "audience-mismatch",
                ("bundles", i, "matters"),
                _(
                    "the bundle combines “{entity}”, for entities only, with “{person}”, for "
                    "persons only: no applicant can use it"
                ).format(entity=audiences[Audience.entity], person=audiences[Audience.person]),
            )

    def bundle_self_input(self, i: int, matters: list[dict[str, Any]]) -> None:
        issued = {
            normalize_name(_text(m, "certificate_type")): _text(m, "name")
            for m in matters
            if _text(m, "certificate_type")
        }
        reported: set[str] = set()
        for m in matters:
            own = normalize_name(_text(m, "certificate_type"))
            for r in _records(m, "materials"):
                name = normalize_name(_text(r, "name"))
                if not name or name == own or name in reported or name not in issued:
                    continue
                if _code(MaterialSource, r.get("source")) != MaterialSource.government:
                    continue
                reported.add(name)
                self.add(
                    WARNING,
                    "bundle-self-input",
                    ("bundles", i, "matters"),
                    _(
                        "“{matter}” asks for “{material}”, which “{issuer}” in the same bundle "
                        "issues: the bundle's checklist asks the applicant for what it makes"
                    ).format(
                        matter=_text(m, "name"), material=_text(r, "name"), issuer=issued[name]
                    ),
                )


def lint_catalog(doc: Any, locate: Locator | None = None) -> list[Finding]:
    """Every finding in a raw catalog document (our or national field names)."""
    doc = to_internal(doc)
    if not isinstance(doc, dict):
        return [
            Finding(
                ERROR,
                "invalid",
                _("document"),
                _("not a catalog document (expected an object with departments and matters)"),
            )
        ]
    return _Lint(doc, locate or default_locator(doc)).run()
