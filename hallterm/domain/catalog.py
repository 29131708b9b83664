"""The catalog interchange format (事项目录): what an import file holds and how it is checked.

One pydantic model per record.  Enumerated fields accept our codes (``required``) and the
national 实施清单 labels (``必要``) alike and are stored as codes.  ``parse_catalog`` checks a
whole document and reports every bad record with its row and field, so an importer can
refuse the file without writing anything.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hallterm.i18n import N_, _


class Necessity(StrEnum):
    required = "required"  # 必要
    optional = "optional"  # 非必要 (conditional; never blocks)
    deferrable = "deferrable"  # 容缺后补


class MaterialForm(StrEnum):
    paper = "paper"
    electronic = "electronic"
    both = "both"


class MaterialSource(StrEnum):
    applicant = "applicant"  # 申请人自备
    government = "government"  # 政府部门核发
    other = "other"


class HandlingType(StrEnum):
    immediate = "immediate"  # 即办件
    promised = "promised"  # 承诺件


class Audience(StrEnum):
    person = "person"
    entity = "entity"
    both = "both"


LABELS: dict[type[StrEnum], dict[str, str]] = {
    Necessity: {
        "必要": "required",
        "非必要": "optional",
        "容缺后补": "deferrable",
        "容缺": "deferrable",
    },
    MaterialForm: {
        "纸质": "paper",
        "电子": "electronic",
        "纸质+电子": "both",
        "纸质和电子": "both",
    },
    MaterialSource: {"申请人自备": "applicant", "政府部门核发": "government", "其他": "other"},
    HandlingType: {"即办件": "immediate", "承诺件": "promised"},
    Audience: {"自然人": "person", "法人": "entity", "自然人,法人": "both", "自然人、法人": "both"},
}

# Display names (msgids; translate with _() when shown).
DISPLAY: dict[str, str] = {
    "required": N_("required"),
    "optional": N_("optional"),
    "deferrable": N_("deferrable"),
    "paper": N_("paper"),
    "electronic": N_("electronic"),
    "both": N_("paper + electronic"),
    "applicant": N_("applicant provides"),
    "government": N_("issued by government"),
    "other": N_("other"),
    "immediate": N_("on-the-spot"),
    "promised": N_("promised"),
    "person": N_("person"),
    "entity": N_("entity"),
}


def display(code: str) -> str:
    """The translated label of an enumerated code (``required`` → 必要)."""
    return _(DISPLAY.get(code, code))


def _enum_from_label(enum: type[StrEnum], value: Any) -> Any:
    if isinstance(value, str):
        v = value.strip()
        return LABELS.get(enum, {}).get(v, v)
    return value


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DepartmentIn(_Record):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)


class QueueCategoryIn(_Record):
    code: str = Field(min_length=1, max_length=16)
    name: str = Field(min_length=1, max_length=50)
    prefix: str = Field(min_length=1, max_length=2, pattern=r"^[A-Z]{1,2}$")


class MaterialIn(_Record):
    type_code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    necessity: Necessity
    form: MaterialForm
    source: MaterialSource
    originals: int = Field(ge=0, le=99)
    copies: int = Field(ge=0, le=99)
    standard: str = ""
    # Days a received copy stays reusable for the same applicant (None: no reuse).
    valid_days: int | None = Field(default=None, ge=1)

    @field_validator("necessity", mode="before")
    @classmethod
    def _necessity(cls, v: Any) -> Any:
        return _enum_from_label(Necessity, v)

    @field_validator("form", mode="before")
    @classmethod
    def _form(cls, v: Any) -> Any:
        return _enum_from_label(MaterialForm, v)

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, v: Any) -> Any:
        return _enum_from_label(MaterialSource, v)


class MatterIn(_Record):
    basic_code: str = Field(min_length=1, max_length=64)
    implementation_code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(min_length=1, max_length=20)  # 行政许可 / 行政确认 / 公共服务 …
    audience: Audience
    department: str = Field(min_length=1)
    handling_type: HandlingType
    legal_limit_days: int = Field(ge=0, le=3650)
    promised_limit_days: int = Field(ge=0, le=3650)
    fee: str = "不收费"
    conditions: str = ""
    legal_basis: str = ""
    process: list[str] = Field(default_factory=list)
    visits: int = Field(default=1, ge=0, le=9)
    online_depth: int = Field(default=0, ge=0, le=4)  # 0 none … 4 全程网办
    certificate_type: str | None = None
    queue_category: str | None = None
    theme: str = ""
    place: str = ""
    hours: str = ""
    phone: str = ""
    materials: list[MaterialIn] = Field(default_factory=list)
    # 容缺: may a case be approved before its deferred materials arrive?  By default not.
    approve_with_deferral: bool = False

    @field_validator("approve_with_deferral", mode="before")
    @classmethod
    def _yes_no(cls, v: Any) -> Any:
        return {"是": True, "否": False}.get(v.strip(), v) if isinstance(v, str) else v

    @field_validator("audience", mode="before")
    @classmethod
    def _audience(cls, v: Any) -> Any:
        return _enum_from_label(Audience, v)

    @field_validator("handling_type", mode="before")
    @classmethod
    def _handling(cls, v: Any) -> Any:
        return _enum_from_label(HandlingType, v)

    @model_validator(mode="after")
    def _unique_material_types(self) -> MatterIn:
        seen: set[str] = set()
        for m in self.materials:
            if m.type_code in seen:
                raise ValueError(_("material type {code} is listed twice").format(code=m.type_code))
            seen.add(m.type_code)
        return self


class BundleIn(_Record):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    matters: list[str] = Field(min_length=2)  # implementation codes


class CatalogIn(_Record):
    name: str = Field(min_length=1)
    region: str = ""
    version: str = Field(min_length=1, max_length=32)
    departments: list[DepartmentIn]
    queue_categories: list[QueueCategoryIn] = Field(default_factory=list)
    matters: list[MatterIn]
    bundles: list[BundleIn] = Field(default_factory=list)


class CatalogError(ValueError):
    """A catalog document that cannot be imported; ``problems`` lists every finding."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _where(loc: tuple[Any, ...]) -> str:
    """('matters', 3, 'materials', 0, 'copies') → 'matters row 4, materials row 1, field copies'."""
    parts: list[str] = []
    i = 0
    while i < len(loc):
        key = loc[i]
        if i + 1 < len(loc) and isinstance(loc[i + 1], int):
            parts.append(_("{section} row {row}").format(section=key, row=loc[i + 1] + 1))
            i += 2
        else:
            parts.append(_("field {field}").format(field=key))
            i += 1
    return _(", ").join(parts) if parts else _("document")


# pydantic's error types in words a catalog editor understands (its own text is English).
_ERRORS = {
    "missing": N_("the field is missing"),
    "extra_forbidden": N_("unknown field"),
    "int_parsing": N_("must be a whole number"),
    "int_type": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "string_type": N_("must be text"),
    "string_too_short": N_("must not be empty"),
    "string_too_long": N_("is too long"),
    "string_pattern_mismatch": N_("has the wrong format"),
    "greater_than_equal": N_("is too small"),
    "less_than_equal": N_("is too large"),
    "list_type": N_("must be a list"),
    "too_short": N_("has too few entries"),
    "enum": N_("must be one of: {expected}"),
    "model_type": N_("must be an object"),
    "dict_type": N_("must be an object"),
}


def _message(error: Any) -> str:
    template = _ERRORS.get(error["type"])
    if template is None:
        return str(error["msg"]).removeprefix("Value error, ")
    return _(template).format(
        **{k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, str)}
    )


def parse_catalog(data: Any) -> CatalogIn:
    """Validate a decoded catalog document; raise ``CatalogError`` naming every bad row/field."""
    try:
        catalog = CatalogIn.model_validate(data)
    except ValidationError as exc:
        invalid = [
            _("{where}: {problem}").format(
                where=_where(tuple(e["loc"])),
                problem=_message(e)
                if e["type"] == "missing"
                else f"{_message(e)} ({e.get('input')!r})",
            )
            for e in exc.errors()
        ]
        raise CatalogError(invalid) from None
    problems: list[str] = []
    dept_codes = [d.code for d in catalog.departments]
    queue_codes = {q.code for q in catalog.queue_categories}
    for label, codes in (
        ("departments", dept_codes),
        ("queue_categories", [q.code for q in catalog.queue_categories]),
        ("bundles", [b.code for b in catalog.bundles]),
    ):
        problems += _duplicates(label, "code", codes)
    problems += _duplicates(
        "matters", "implementation_code", [m.implementation_code for m in catalog.matters]
    )
    problems += _duplicates("matters", "name", [m.name for m in catalog.matters])
    matter_codes = {m.implementation_code for m in catalog.matters}
    for row, m in enumerate(catalog.matters, 1):
        if m.department not in dept_codes:
            problems.append(
                _("matters row {row}, field department: unknown department {code}").format(
                    row=row, code=m.department
                )
            )
        if m.queue_category and m.queue_category not in queue_codes:
            problems.append(
                _("matters row {row}, field queue_category: unknown queue category {code}").format(
                    row=row, code=m.queue_category
                )
            )
    for row, b in enumerate(catalog.bundles, 1):
        for code in b.matters:
            if code not in matter_codes:
                problems.append(
                    _("bundles row {row}, field matters: unknown matter {code}").format(
                        row=row, code=code
                    )
                )
    if problems:
        raise CatalogError(problems)
    return catalog


def _duplicates(section: str, field: str, values: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out: list[str] = []
    for row, v in enumerate(values, 1):
        if v in seen:
            out.append(
                _(
                    "{section} row {row}, field {field}: duplicate value {value} (first in row {first})"
                ).format(section=section, row=row, field=field, value=v, first=seen[v])
            )
        else:
            seen[v] = row
    return out
