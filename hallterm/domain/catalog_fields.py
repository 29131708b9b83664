"""The national 实施清单 field names of the catalog and their mapping onto ours.

The 政务服务事项实施清单 (national implementation list) names each element of a matter in
Chinese: 基本编码, 实施编码, 事项名称, 办件类型 … and each element of an application material:
材料名称, 材料必要性, 材料形式, 来源渠道 ….  Our interchange format (``domain.catalog``) uses
English field names.  This module is the one table between the two: XLSX sheets are written
with the national names as column headers, and a JSON document written with national names is
translated (``to_internal``) before ``parse_catalog`` checks it.  Enumerated values already
accept both forms (``必要`` or ``required``); ``to_national`` writes the national labels.

Sections without a national element set (departments, queue categories, bundles 一件事) get
plain Chinese names in the same style.  Each field may have aliases: other spellings met in
provincial lists (到现场次数 for 到办事现场次数 …).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hallterm.domain.catalog import (
    LABELS,
    Audience,
    HandlingType,
    MaterialForm,
    MaterialSource,
    Necessity,
)


@dataclass(frozen=True)
class FieldName:
    """One field: our name, its national name, other accepted spellings, its value kind."""

    ours: str
    national: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # text | int | optional_text | optional_int | list | enum
    enum: type[StrEnum] | None = None


CATALOG_FIELDS: tuple[FieldName, ...] = (
    FieldName("name", "目录名称"),
    FieldName("region", "行政区划"),
    FieldName("version", "目录版本", ("版本", "版本号")),
)

DEPARTMENT_FIELDS: tuple[FieldName, ...] = (
    FieldName("code", "部门编码", ("实施主体编码",)),
    FieldName("name", "部门名称", ("实施主体",)),
)

QUEUE_FIELDS: tuple[FieldName, ...] = (
    FieldName("code", "类别编码"),
    FieldName("name", "类别名称"),
    FieldName("prefix", "叫号前缀"),
)

MATTER_FIELDS: tuple[FieldName, ...] = (
    FieldName("basic_code", "基本编码", ("事项基本编码",)),
    FieldName("implementation_code", "实施编码", ("事项实施编码", "事项编码")),
    FieldName("name", "事项名称"),
    FieldName("kind", "事项类型"),
    FieldName("audience", "服务对象", (), "enum", Audience),
    FieldName("department", "实施主体编码", ("实施部门编码",)),
    FieldName("handling_type", "办件类型", (), "enum", HandlingType),
    FieldName("legal_limit_days", "法定办结时限", ("法定时限",), "int"),
    FieldName("promised_limit_days", "承诺办结时限", ("承诺时限",), "int"),
    FieldName("fee", "收费标准", ("收费情况", "是否收费")),
    FieldName("conditions", "受理条件", ("办理条件", "申请条件")),
    FieldName("legal_basis", "设定依据", ("法律依据", "实施依据")),
    FieldName("process", "办理流程", ("办理程序",), "list"),
    FieldName("visits", "到办事现场次数", ("到现场次数", "跑动次数"), "int"),
    FieldName("online_depth", "网上办理深度", ("网办深度",), "int"),
    FieldName("certificate_type", "审批结果名称", ("结果名称", "办理结果"), "optional_text"),
    FieldName("queue_category", "叫号类别", (), "optional_text"),
    FieldName("theme", "主题分类", ("服务主题",)),
    FieldName("place", "办理地点"),
    FieldName("hours", "办理时间"),
    FieldName("phone", "咨询电话", ("咨询方式",)),
    FieldName("approve_with_deferral", "容缺可先行审批", (), "int"),
)

MATERIAL_FIELDS: tuple[FieldName, ...] = (
    FieldName("type_code", "材料编码", ("材料类型编码",)),
    FieldName("name", "材料名称"),
    FieldName("necessity", "材料必要性", (), "enum", Necessity),
    FieldName("form", "材料形式", (), "enum", MaterialForm),
    FieldName("source", "来源渠道", ("材料来源渠道", "来源"), "enum", MaterialSource),
    FieldName("originals", "原件份数", ("纸质材料原件份数",), "int"),
    FieldName("copies", "复印件份数", ("纸质材料复印件份数",), "int"),
    FieldName("standard", "受理标准"),
    FieldName("valid_days", "复用有效天数", (), "optional_int"),
)

BUNDLE_FIELDS: tuple[FieldName, ...] = (
    FieldName("code", "一件事编码"),
    FieldName("name", "一件事名称"),
    FieldName("description", "一件事说明", ("说明",)),
    FieldName("matters", "包含事项", ("事项实施编码",), "list"),
)

# Top-level lists of the document, with their national names.
SECTIONS: dict[str, str] = {
    "departments": "部门",
    "queue_categories": "叫号类别",
    "matters": "事项",
    "bundles": "一件事",
}
SECTION_ALIASES: dict[str, str] = {"实施清单": "matters", "事项清单": "matters"}
MATERIALS_KEY = "materials"
MATERIALS_NATIONAL = "申请材料"

SECTION_FIELDS: dict[str, tuple[FieldName, ...]] = {
    "departments": DEPARTMENT_FIELDS,
    "queue_categories": QUEUE_FIELDS,
    "matters": MATTER_FIELDS,
    "bundles": BUNDLE_FIELDS,
}


def _lookup(fields: tuple[FieldName, ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for f in fields:
        table[f.ours] = f.ours
        table[f.national] = f.ours
        for alias in f.aliases:
            table[alias] = f.ours
    return table


def our_name(fields: tuple[FieldName, ...], header: str) -> str | None:
    """Our field name for a header written either way (national, alias or ours); else None."""
    return _lookup(fields).get(str(header).strip())


def national_name(fields: tuple[FieldName, ...], ours: str) -> str:
    for f in fields:
        if f.ours == ours:
            return f.national
    return ours


def field(fields: tuple[FieldName, ...], ours: str) -> FieldName | None:
    return next((f for f in fields if f.ours == ours), None)


def split_steps(value: str) -> list[str]:
    """A process written as one text (one step a line, or joined by →) as a list of steps."""
    text = value.replace("→", "\n").replace("->", "\n")
    return [s.strip() for s in text.splitlines() if s.strip()]


def _rename(record: dict[Any, Any], rename: Callable[[str], str]) -> dict[Any, Any]:
    """``record`` with its keys renamed; never loses a value.

    When two keys name one field (``事项名称`` and ``name``), both stay under the keys they
    were written with, so the model's "extra field" check reports the clash.
    """
    out: dict[Any, Any] = {}
    origin: dict[Any, Any] = {}
    for key, value in record.items():
        name = rename(key) if isinstance(key, str) else key
        if name in out:
            first = origin[name]
            if first != name:
                out[first] = out.pop(name)
            name = key
        out[name] = value
        origin[name] = key
    return out


def _translate_record(record: Any, fields: tuple[FieldName, ...]) -> Any:
    if not isinstance(record, dict):
        return record
    table = _lookup(fields) | {MATERIALS_NATIONAL: MATERIALS_KEY}
    out = _rename(record, lambda key: table.get(key, key))
    spec = {f.ours: f for f in fields}
    for name, value in out.items():
        f = spec.get(name) if isinstance(name, str) else None
        if f is not None and f.kind == "list" and isinstance(value, str):
            out[name] = split_steps(value) if f.ours == "process" else split_codes(value)
    return out


def split_codes(value: str) -> list[str]:
    """Codes in one text, separated by line breaks, commas or 、；."""
    for sep in ("、", "，", ",", "；", ";"):
        value = value.replace(sep, "\n")
    return [s.strip() for s in value.splitlines() if s.strip()]


def to_internal(doc: Any) -> Any:
    """A catalog document with national field names translated to ours; anything else kept.

    Never raises: whatever cannot be translated is left for ``parse_catalog`` to report.
    """
    if not isinstance(doc, dict):
        return doc
    top = _lookup(CATALOG_FIELDS)
    sections = {v: k for k, v in SECTIONS.items()} | SECTION_ALIASES
    out = _rename(doc, lambda key: top.get(key) or sections.get(key) or key)
    for section, fields in SECTION_FIELDS.items():
        records = out.get(section)
        if isinstance(records, list):
            out[section] = [_translate_record(r, fields) for r in records]
    matters = out.get("matters")
    if isinstance(matters, list):
        for m in matters:
            if isinstance(m, dict) and isinstance(m.get(MATERIALS_KEY), list):
                m[MATERIALS_KEY] = [_translate_record(r, MATERIAL_FIELDS) for r in m[MATERIALS_KEY]]
    return out


def label_of(enum: type[StrEnum], code: Any) -> Any:
    """The national label of an enumerated code (``required`` → ``必要``); others unchanged."""
    for label, value in LABELS.get(enum, {}).items():
        if value == code:
            return label
    return code


def _national_record(record: dict[str, Any], fields: tuple[FieldName, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        if f.ours in record:
            value = record[f.ours]
            out[f.national] = label_of(f.enum, value) if f.enum else value
    return out


def to_national(doc: dict[str, Any]) -> dict[str, Any]:
    """A valid catalog document (our names) with national field names and value labels."""
    out = _national_record(doc, CATALOG_FIELDS)
    for section, fields in SECTION_FIELDS.items():
        records = []
        for r in doc.get(section, []):
            rec = _national_record(r, fields)
            if section == "matters":
                rec[MATERIALS_NATIONAL] = [
                    _national_record(x, MATERIAL_FIELDS) for x in r.get(MATERIALS_KEY, [])
                ]
            records.append(rec)
        out[SECTIONS[section]] = records
    return out
