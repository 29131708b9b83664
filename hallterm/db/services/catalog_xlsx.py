"""Catalog files: JSON and XLSX with the national 实施清单 field names, read all-or-nothing;
lint of files and stores; service guide PDFs and the static publication of a store's catalog.

``read_catalog(path)`` reads a ``.json`` or ``.xlsx`` catalog, translates national field
names (``domain.catalog_fields``), checks it with ``parse_catalog`` and against what the
database can hold, and raises ``CatalogError`` naming every bad row and field — nothing is
written until the whole file is good (``catalog_io.import_catalog`` then writes it in one
transaction).  ``write_catalog(doc, path)`` writes the export document as JSON (our or
national names) or as a workbook.

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

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Table
from sqlmodel import Session

from hallterm.clock import to_local
from hallterm.db.engine import Store
from hallterm.db.models import (
    Bundle,
    CatalogVersion,
    Department,
    MaterialRequirement,
    Matter,
    QueueCategory,
    Station,
)
from hallterm.db.services import Ctx, ServiceError
from hallterm.db.services.audit import record_print
from hallterm.db.services.catalog_io import export_catalog
from hallterm.db.services.setup import get_info
from hallterm.domain.catalog import CatalogError, CatalogIn, parse_catalog
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
    to_internal,
    to_national,
)
from hallterm.domain.catalog_lint import (
    Finding,
    Locator,
    blocking,
    default_locator,
    join_where,
    lint_catalog,
)
from hallterm.i18n import _
from hallterm.printing.guide import GuideDoc, Hall, guide_from_catalog, render_guide
from hallterm.printing.output import Printer
from hallterm.printing.publish import PublishError, PublishReport, publish_catalog

XLSX_SUFFIXES = (".xlsx", ".xlsm")

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


# --------------------------------------------------------------------------- reading


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


def lint_file(path: Path) -> list[Finding]:
    """Lint a catalog file without importing it; an unreadable file is one error finding."""
    try:
        doc, locate = load_raw(path)
    except CatalogError as exc:
        return [Finding("error", "invalid", str(path), p) for p in exc.problems]
    return lint_catalog(doc, locate)


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


# --------------------------------------------------------------------------- what the database holds

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


# --------------------------------------------------------------------------- writing


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
    ws = wb.active
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


# --------------------------------------------------------------------------- guides and publication


def hall_of(session: Session, ctx: Ctx) -> Hall:
    """The store's own station as the hall that hands out guides and receipts."""
    code = get_info(session, "station_code")
    station = session.get(Station, code) if code else None
    return Hall(
        name=station.name if station else "",
        address=station.address if station else "",
        phone=station.phone if station else "",
        printed_at=to_local(ctx.clock.now()),
    )


def guide_of(session: Session, code: str) -> GuideDoc | None:
    """The service guide of a matter or bundle of the store's catalog; None if unknown."""
    return guide_from_catalog(export_catalog(session), code.strip())


def print_guide(
    store: Store,
    ctx: Ctx,
    code: str,
    printer: Printer | None = None,
    *,
    out: Path | None = None,
    font_path: str | None = None,
) -> tuple[Path, str | None]:
    """Render a guide to ``out`` (or the printer's folder and the printer); note the print.

    Returns the PDF path and the printer's failure message, if any.
    """
    with store.read() as session:
        guide = guide_of(session, code)
        hall = hall_of(session, ctx)
    if guide is None:
        raise ServiceError(_("no matter or bundle with code {code}").format(code=code))
    if out is None:
        if printer is None:
            raise ServiceError(_("nowhere to print to"))
        out = printer.pdf_path("guide", guide.code)
    render_guide(guide, out, hall=hall, font_path=font_path)
    message = printer.send(out) if printer is not None else None
    with store.write() as session:
        record_print(
            session,
            ctx,
            entity="bundle" if guide.is_bundle else "matter",
            entity_id=guide.code,
            kind="guide.printed",
            detail={"file": out.name},
        )
    return out, message


def publish(store: Store, ctx: Ctx, folder: Path) -> PublishReport:
    """Publish the store's catalog as a static folder (政务公开)."""
    with store.read() as session:
        doc = export_catalog(session)
        hall = hall_of(session, ctx)
    try:
        return publish_catalog(doc, folder, hall=hall)
    except PublishError as exc:
        raise ServiceError(str(exc)) from None


def lint_store(session: Session) -> list[Finding]:
    """Lint the catalog held by a store."""
    return lint_catalog(export_catalog(session))
