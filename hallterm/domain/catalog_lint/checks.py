"""The checks of a raw catalog document, one method per concern, and ``lint_catalog``."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from hallterm.domain.catalog import (
    Audience,
    CatalogIn,
    HandlingType,
    MaterialSource,
    Necessity,
)
from hallterm.domain.catalog_fields import (
    to_internal,
)
from hallterm.domain.catalog_lint.deferral import deferral_blocker
from hallterm.domain.catalog_lint.findings import ERROR, WARNING, Finding, normalize_name
from hallterm.domain.catalog_lint.locate import Loc, Locator, default_locator
from hallterm.domain.catalog_lint.raw import code_of, int_of, records, steps, text
from hallterm.i18n import _

# --------------------------------------------------------------------------- the checks


class _Lint:
    def __init__(self, doc: dict[str, Any], locate: Locator) -> None:
        self.doc = doc
        self.locate = locate
        self.findings: list[Finding] = []
        self.matters = records(doc, "matters")

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
            for i, rec in enumerate(records(self.doc, section)):
                code = text(rec, key)
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
        for i, b in enumerate(records(self.doc, "bundles")):
            seen: set[str] = set()
            for code in (str(c).strip() for c in records(b, "matters")):
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
            name = text(m, "name")
            if name:
                by_name.setdefault(normalize_name(name), []).append(i)
            basic = text(m, "basic_code")
            if basic:
                by_basic.setdefault(basic, []).append(i)
        reported: set[frozenset[int]] = set()
        for rows in by_name.values():
            if len(rows) < 2:
                continue
            exact: dict[str, int] = {}
            near = False
            for i in rows:
                name = text(self.matters[i], "name")
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
        themes = list(dict.fromkeys(t for t in (text(self.matters[i], "theme") for i in rows) if t))
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
        depts = {text(d, "code") for d in records(self.doc, "departments")}
        queues = {text(q, "code") for q in records(self.doc, "queue_categories")}
        matter_codes = {text(m, "implementation_code") for m in self.matters}
        for i, m in enumerate(self.matters):
            dept = text(m, "department")
            if dept and dept not in depts:
                self.add(
                    ERROR,
                    "unknown-reference",
                    ("matters", i, "department"),
                    _("unknown department {code}").format(code=dept),
                )
            queue = text(m, "queue_category")
            if queue and queue not in queues:
                self.add(
                    ERROR,
                    "unknown-reference",
                    ("matters", i, "queue_category"),
                    _("unknown queue category {code}").format(code=queue),
                )
        for i, b in enumerate(records(self.doc, "bundles")):
            codes = [str(c).strip() for c in records(b, "matters")]
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
        used_depts = {text(m, "department") for m in self.matters}
        used_queues = {text(m, "queue_category") for m in self.matters}
        for i, d in enumerate(records(self.doc, "departments")):
            if text(d, "code") and text(d, "code") not in used_depts:
                self.add(
                    WARNING,
                    "empty-department",
                    ("departments", i),
                    _("department {name} has no matters").format(name=text(d, "name")),
                )
        for i, q in enumerate(records(self.doc, "queue_categories")):
            if text(q, "code") and text(q, "code") not in used_queues:
                self.add(
                    WARNING,
                    "empty-queue-category",
                    ("queue_categories", i),
                    _("queue category {name} has no matters").format(name=text(q, "name")),
                )

    # -- each matter

    def matter_content(self) -> None:
        for i, m in enumerate(self.matters):
            if not isinstance(m, dict):
                continue
            if not records(m, "materials"):
                self.add(
                    WARNING,
                    "no-materials",
                    ("matters", i, "materials"),
                    _("no application materials are listed"),
                )
            if not text(m, "legal_basis"):
                self.add(
                    WARNING, "no-legal-basis", ("matters", i, "legal_basis"), _("no legal basis")
                )
            if not steps(m):
                self.add(WARNING, "no-process", ("matters", i, "process"), _("no process steps"))
            handling = code_of(HandlingType, m.get("handling_type"))
            legal = int_of(m, "legal_limit_days")
            promised = int_of(m, "promised_limit_days")
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
            for j, r in enumerate(records(m, "materials")):
                if not isinstance(r, dict):
                    continue
                if code_of(Necessity, r.get("necessity")) != Necessity.deferrable:
                    continue
                why = deferral_blocker(r, m)
                if why == "identity":
                    message = _(
                        "“{name}” is an identity document: without it nobody knows who applies, "
                        "so it may not be deferred (容缺)"
                    ).format(name=text(r, "name"))
                elif why == "result":
                    message = _(
                        "“{name}” is the certificate this matter issues or changes ({result}); "
                        "the decision depends on it, so it may not be deferred (容缺)"
                    ).format(name=text(r, "name"), result=text(m, "certificate_type"))
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
            for j, r in enumerate(records(m, "materials")):
                code, name = text(r, "type_code"), text(r, "name")
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
        by_code = {text(m, "implementation_code"): m for m in self.matters if isinstance(m, dict)}
        for i, b in enumerate(records(self.doc, "bundles")):
            matters = [
                by_code[c] for c in (str(c).strip() for c in records(b, "matters")) if c in by_code
            ]
            self.bundle_audience(i, matters)
            self.bundle_self_input(i, matters)

    def bundle_audience(self, i: int, matters: list[dict[str, Any]]) -> None:
        audiences = {code_of(Audience, m.get("audience")): text(m, "name") for m in matters}
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
            normalize_name(text(m, "certificate_type")): text(m, "name")
            for m in matters
            if text(m, "certificate_type")
        }
        reported: set[str] = set()
        for m in matters:
            own = normalize_name(text(m, "certificate_type"))
            for r in records(m, "materials"):
                name = normalize_name(text(r, "name"))
                if not name or name == own or name in reported or name not in issued:
                    continue
                if code_of(MaterialSource, r.get("source")) != MaterialSource.government:
                    continue
                reported.add(name)
                self.add(
                    WARNING,
                    "bundle-self-input",
                    ("bundles", i, "matters"),
                    _(
                        "“{matter}” asks for “{material}”, which “{issuer}” in the same bundle "
                        "issues: the bundle's checklist asks the applicant for what it makes"
                    ).format(matter=text(m, "name"), material=text(r, "name"), issuer=issued[name]),
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
