"""The catalog as an XLSX workbook, with the national 实施清单 field names.

The workbook has one sheet per section, each with a header row of national field names
(our English names are accepted too when reading):

- 目录: two columns, element and value (目录名称, 行政区划, 目录版本);
- 部门, 叫号类别, 事项, 一件事: one record per row;
- 申请材料: one material per row, linked to its matter by the column 实施编码, in order.

In a cell, 办理流程 holds one step per line and 包含事项 one implementation code per line.
An empty cell is an empty text, or "none" for the optional 审批结果名称, 叫号类别 and
复用有效天数.  Text that starts with ``=`` is stored as text, never as a formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from hallterm.domain.catalog import CatalogError
from hallterm.domain.catalog_fields import (
    BUNDLE_FIELDS,
    CATALOG_FIELDS,
    DEPARTMENT_FIELDS,
    MATERIAL_FIELDS,
    MATTER_FIELDS,
    QUEUE_FIELDS,
    FieldName,
    label_of,
    our_name,
    split_codes,
    split_steps,
)
from hallterm.domain.catalog_lint import (
    Locator,
    join_where,
)
from hallterm.i18n import _

# Sheet names, national first; English names are accepted when reading.
SHEET_CATALOG = "目录"
SHEETS: dict[str, tuple[str, tuple[FieldName, ...]]] = {
    # section: (sheet name, fields)
    "departments": ("部门", DEPARTMENT_FIELDS),
    "queue_categories": ("叫号类别", QUEUE_FIELDS),
    "matters": ("事项", MATTER_FIELDS),
    "materials": ("申请材料", MATERIAL_FIELDS),
    "bundles": ("一件事", BUNDLE_FIELDS),
}
SHEET_ALIASES: dict[str, str] = {
    "catalog": SHEET_CATALOG,
    "departments": "部门",
    "queue_categories": "叫号类别",
    "matters": "事项",
    "实施清单": "事项",
    "materials": "申请材料",
    "bundles": "一件事",
}
MATERIAL_LINK = FieldName("matter", "实施编码", ("事项实施编码",))
CATALOG_HEADER = ("要素", "内容")


@dataclass
class _SheetMap:
    """Where each record of the document came from, to name sheet rows in errors."""

    sheets: dict[str, str] = field(default_factory=dict)  # section → sheet name as found
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # section → field → header
    rows: dict[tuple[Any, ...], int] = field(default_factory=dict)  # (section, i[, …]) → row
    catalog_rows: dict[str, int] = field(default_factory=dict)  # catalog field → row

    def locate(self, loc: tuple[Any, ...]) -> str:
        if not loc:
            return _("workbook")
        section = str(loc[0])
        if section not in SHEETS:
            row = self.catalog_rows.get(section)
            sheet = self.sheets.get("catalog", SHEET_CATALOG)
            if row is None:
                return _("sheet {sheet}, element {field}").format(sheet=sheet, field=section)
            return _("sheet {sheet}, row {row}").format(sheet=sheet, row=row)
        key: tuple[Any, ...] = (section,)
        rest = list(loc[1:])
        if rest and isinstance(rest[0], int):
            key = (section, rest.pop(0))
        if len(rest) >= 2 and rest[0] == "materials" and isinstance(rest[1], int):
            key = (*key, "materials", rest[1])
            section = "materials"
            rest = rest[2:]
        sheet = self.sheets.get(section, SHEETS[section][0])
        row = self.rows.get(key)
        text = (
            _("sheet {sheet}, row {row}").format(sheet=sheet, row=row)
            if row is not None
            else _("sheet {sheet}").format(sheet=sheet)
        )
        if rest and isinstance(rest[0], str):
            if rest[0] == "materials":
                sheet = self.sheets.get("materials", SHEETS["materials"][0])
                return join_where([text, _("sheet {sheet}").format(sheet=sheet)])
            header = self.headers.get(section, {}).get(rest[0])
            if header is None:
                fields = SHEETS[section][1]
                header = next((f.national for f in fields if f.ours == rest[0]), rest[0])
            text = join_where([text, _("column {column}").format(column=header)])
        return text


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _convert(f: FieldName, value: Any) -> tuple[bool, Any]:
    """(present, value) of one cell for field ``f``; absent cells take the model's default."""
    if isinstance(value, str):
        value = value.strip()
    empty = value is None or value == ""
    if f.kind == "text":
        return True, _cell_text(value)
    if f.kind == "optional_text":
        return True, None if empty else _cell_text(value)
    if f.kind == "optional_int":
        return True, None if empty else value
    if f.kind == "list":
        if empty:
            return True, []
        text = _cell_text(value)
        return True, split_steps(text) if f.ours == "process" else split_codes(text)
    # int and enum: an empty cell is a missing value
    if empty:
        return False, None
    return True, value


def read_workbook(path: Path) -> tuple[dict[str, Any], Locator]:
    """The catalog document held by a workbook, and a locator naming its sheets and rows."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise CatalogError([_("cannot read {path}: no such file").format(path=path)]) from None
    except Exception as exc:  # noqa: BLE001 - any failure to open means "not a workbook"
        raise CatalogError(
            [
                _("{path} is not a readable XLSX workbook: {error}").format(
                    path=path, error=type(exc).__name__
                )
            ]
        ) from None
    try:
        return _read_sheets(wb)
    except CatalogError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged workbook can fail anywhere inside
        raise CatalogError(
            [
                _("{path} is not a readable XLSX workbook: {error}").format(
                    path=path, error=type(exc).__name__
                )
            ]
        ) from None
    finally:
        wb.close()


def _rows(ws: Any) -> list[tuple[int, tuple[Any, ...]]]:
    out = []
    for number, values in enumerate(ws.iter_rows(values_only=True), 1):
        if values and any(v is not None and str(v).strip() != "" for v in values):
            out.append((number, tuple(values)))
    return out


def _read_sheets(wb: Any) -> tuple[dict[str, Any], Locator]:
    found: dict[str, Any] = {}
    names: dict[str, str] = {}
    for ws in wb.worksheets:
        title = str(ws.title).strip()
        canonical = SHEET_ALIASES.get(title.lower(), SHEET_ALIASES.get(title, title))
        if canonical == SHEET_CATALOG:
            found.setdefault("catalog", ws)
            names["catalog"] = title
        for section, (sheet, _fields) in SHEETS.items():
            if canonical == sheet and section not in found:
                found[section] = ws
                names[section] = title
    smap = _SheetMap(sheets=names)
    problems: list[str] = []
    doc: dict[str, Any] = {}
    if "catalog" in found:
        for number, values in _rows(found["catalog"]):
            key = _cell_text(values[0])
            if key in CATALOG_HEADER or not key:
                continue
            name = our_name(CATALOG_FIELDS, key)
            if name is None:
                problems.append(
                    _("sheet {sheet}, row {row}: unknown element “{name}”").format(
                        sheet=names["catalog"], row=number, name=key
                    )
                )
                continue
            doc[name] = _cell_text(values[1] if len(values) > 1 else None)
            smap.catalog_rows[name] = number
    else:
        problems.append(_("the workbook has no sheet {sheet}").format(sheet=SHEET_CATALOG))
    if "matters" not in found:
        problems.append(_("the workbook has no sheet {sheet}").format(sheet=SHEETS["matters"][0]))
    records: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for section, (_sheet, fields) in SHEETS.items():
        ws = found.get(section)
        if ws is None:
            records[section] = []
            continue
        if section == "materials":
            fields = (MATERIAL_LINK, *fields)
        records[section] = _read_records(ws, names[section], section, fields, smap, problems)
    if problems:
        raise CatalogError(problems)
    for section in ("departments", "queue_categories", "matters", "bundles"):
        if section not in found:
            continue  # a missing optional sheet takes the default; a required one is reported
        doc[section] = []
        for number, rec in records[section]:
            smap.rows[(section, len(doc[section]))] = number
            doc[section].append(rec)
    index = {m.get("implementation_code"): i for i, m in enumerate(doc["matters"])}
    for m in doc["matters"]:
        m["materials"] = []
    for number, rec in records["materials"]:
        link = rec.pop("matter", None)
        i = index.get(link)
        if i is None:
            problems.append(
                _("sheet {sheet}, row {row}: no matter with implementation code {code}").format(
                    sheet=names["materials"], row=number, code=link or "—"
                )
            )
            continue
        materials = doc["matters"][i]["materials"]
        smap.rows[("matters", i, "materials", len(materials))] = number
        materials.append(rec)
    if problems:
        raise CatalogError(problems)
    return doc, smap.locate


def _read_records(
    ws: Any,
    sheet: str,
    section: str,
    fields: tuple[FieldName, ...],
    smap: _SheetMap,
    problems: list[str],
) -> list[tuple[int, dict[str, Any]]]:
    rows = _rows(ws)
    if not rows:
        return []
    header_row, header = rows[0]
    columns: list[FieldName | None] = []
    seen: dict[str, str] = {}
    smap.headers[section] = {}
    spec = {f.ours: f for f in fields}
    for col, cell in enumerate(header, 1):
        text = _cell_text(cell)
        if not text:
            columns.append(None)
            continue
        name = our_name(fields, text)
        if name is None:
            problems.append(
                _("sheet {sheet}, column {column}: unknown column “{name}”").format(
                    sheet=sheet, column=col, name=text
                )
            )
            columns.append(None)
            continue
        if name in seen:
            problems.append(
                _("sheet {sheet}: columns “{a}” and “{b}” are the same field").format(
                    sheet=sheet, a=seen[name], b=text
                )
            )
            columns.append(None)
            continue
        seen[name] = text
        smap.headers[section][name] = text
        columns.append(spec[name])
    out: list[tuple[int, dict[str, Any]]] = []
    for number, values in rows[1:]:
        rec: dict[str, Any] = {}
        for col, value in enumerate(values):
            f = columns[col] if col < len(columns) else None
            if f is None:
                if value is not None and _cell_text(value) and col >= len(columns):
                    problems.append(
                        _("sheet {sheet}, row {row}: a value outside the header's columns").format(
                            sheet=sheet, row=number
                        )
                    )
                continue
            present, converted = _convert(f, value)
            if present:
                rec[f.ours] = converted
        out.append((number, rec))
    return out


def _cell_value(f: FieldName, value: Any) -> Any:
    if value is None:
        return None
    if f.enum is not None:
        return label_of(f.enum, value)
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return value


def _put(ws: Any, row: int, col: int, value: Any, where: str) -> None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    cell = ws.cell(row=row, column=col)
    try:
        cell.value = value
    except IllegalCharacterError:
        raise CatalogError(
            [
                _(
                    "{where}: holds a control character that XLSX cannot store; export as JSON"
                ).format(where=where)
            ]
        ) from None
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula


def workbook(doc: dict[str, Any]) -> Any:
    """The workbook of an export document (our field names, as ``export_catalog`` gives)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    bold = Font(bold=True)
    ws = wb.worksheets[0]  # a new workbook has one sheet
    ws.title = SHEET_CATALOG
    for col, text in enumerate(CATALOG_HEADER, 1):
        _put(ws, 1, col, text, SHEET_CATALOG)
        ws.cell(row=1, column=col).font = bold
    for row, f in enumerate(CATALOG_FIELDS, 2):
        _put(ws, row, 1, f.national, SHEET_CATALOG)
        _put(ws, row, 2, doc.get(f.ours), f"{SHEET_CATALOG} {f.national}")
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 50

    def sheet(section: str, records: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
        title, fields = SHEETS[section]
        if section == "materials":
            fields = (MATERIAL_LINK, *fields)
        ws = wb.create_sheet(title)
        for col, f in enumerate(fields, 1):
            _put(ws, 1, col, f.national, title)
            ws.cell(row=1, column=col).font = bold
            ws.column_dimensions[ws.cell(row=1, column=col).column_letter].width = max(
                10, 2 * len(f.national) + 2
            )
        for row, (rec, extra) in enumerate(records, 2):
            values = rec | extra
            for col, f in enumerate(fields, 1):
                _put(ws, row, col, _cell_value(f, values.get(f.ours)), f"{title} {row}")
                if f.kind == "list":
                    ws.cell(row=row, column=col).alignment = Alignment(wrap_text=True)
        ws.freeze_panes = "A2"

    sheet("departments", [(d, {}) for d in doc.get("departments", [])])
    sheet("queue_categories", [(q, {}) for q in doc.get("queue_categories", [])])
    sheet("matters", [(m, {}) for m in doc.get("matters", [])])
    sheet(
        "materials",
        [
            (r, {"matter": m.get("implementation_code")})
            for m in doc.get("matters", [])
            for r in m.get("materials", [])
        ],
    )
    sheet("bundles", [(b, {}) for b in doc.get("bundles", [])])
    return wb
