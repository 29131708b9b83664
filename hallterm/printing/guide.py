"""Handouts for the applicant: the service guide (办事指南) and the interaction receipt.

``guide_from_catalog(doc, code)`` turns a catalog document (``export_catalog``'s form) into
the plain ``GuideDoc`` of one matter or one bundle (一件事: its matters' requirements merged,
each shared document listed once); ``render_guide`` prints it as an A4 PDF with the embedded
CJK font: conditions, materials table, process, legal basis, fees, time limits, place and
hours, consultation phone.  The static publication (``printing.publish``) builds its pages
from the same ``GuideDoc``, so the printed and the published guide never disagree.

``render_interaction_copy`` prints the applicant's copy (回执) of a consultation, complaint or
correction suggestion: its number, what was said, the reply deadline and, once given, the
reply.

All user and catalog text is escaped before it reaches Paragraph markup.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from hallterm.domain.catalog import display
from hallterm.domain.checklist import Requirement, merge_requirements
from hallterm.i18n import _
from hallterm.printing.documents import (
    BODY_W,
    DASH,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    NOTE_GREY,
    PAGE_H,
    PAGE_W,
    _esc,
    _grid_table,
    _kv_table,
    _Styles,
    _styles,
    build_pdf,
    fmt_date,
    fmt_datetime,
)
from hallterm.printing.fonts import register_cjk_font

# --------------------------------------------------------------------------- plain data


@dataclass(frozen=True)
class GuideMaterial:
    type_code: str
    name: str
    necessity: str  # codes: required / optional / deferrable
    form: str
    source: str
    originals: int
    copies: int
    standard: str = ""


@dataclass(frozen=True)
class GuideMatter:
    code: str
    basic_code: str
    name: str
    kind: str
    department: str
    audience: str
    handling_type: str
    legal_limit_days: int
    promised_limit_days: int
    fee: str
    conditions: str
    legal_basis: str
    process: tuple[str, ...]
    visits: int
    online_depth: int
    certificate_type: str | None
    theme: str
    place: str
    hours: str
    phone: str
    materials: tuple[GuideMaterial, ...]


@dataclass(frozen=True)
class GuideDoc:
    """A matter's guide, or a bundle's: its matters and the merged materials."""

    code: str
    name: str
    is_bundle: bool
    description: str
    matters: tuple[GuideMatter, ...]
    materials: tuple[GuideMaterial, ...]
    catalog_name: str = ""
    catalog_version: str = ""


@dataclass(frozen=True)
class Hall:
    """The hall that hands the guide out: its name, address and phone, and the print time."""

    name: str = ""
    address: str = ""
    phone: str = ""
    printed_at: datetime | None = None  # the hall's local time


def _material(r: dict[str, Any]) -> GuideMaterial:
    return GuideMaterial(
        type_code=str(r.get("type_code", "")),
        name=str(r.get("name", "")),
        necessity=str(r.get("necessity", "")),
        form=str(r.get("form", "")),
        source=str(r.get("source", "")),
        originals=int(r.get("originals") or 0),
        copies=int(r.get("copies") or 0),
        standard=str(r.get("standard") or ""),
    )


def _matter(m: dict[str, Any], departments: dict[str, str]) -> GuideMatter:
    return GuideMatter(
        code=str(m["implementation_code"]),
        basic_code=str(m.get("basic_code", "")),
        name=str(m.get("name", "")),
        kind=str(m.get("kind", "")),
        department=departments.get(m.get("department", ""), str(m.get("department", ""))),
        audience=str(m.get("audience", "")),
        handling_type=str(m.get("handling_type", "")),
        legal_limit_days=int(m.get("legal_limit_days") or 0),
        promised_limit_days=int(m.get("promised_limit_days") or 0),
        fee=str(m.get("fee") or ""),
        conditions=str(m.get("conditions") or ""),
        legal_basis=str(m.get("legal_basis") or ""),
        process=tuple(str(s) for s in m.get("process") or ()),
        visits=int(m.get("visits") or 0),
        online_depth=int(m.get("online_depth") or 0),
        certificate_type=m.get("certificate_type"),
        theme=str(m.get("theme") or ""),
        place=str(m.get("place") or ""),
        hours=str(m.get("hours") or ""),
        phone=str(m.get("phone") or ""),
        materials=tuple(_material(r) for r in m.get("materials") or ()),
    )


def guide_from_catalog(doc: dict[str, Any], code: str) -> GuideDoc | None:
    """The guide of matter or bundle ``code`` in a valid catalog document; None if unknown."""
    departments = {d["code"]: d["name"] for d in doc.get("departments", [])}
    matters = {m["implementation_code"]: m for m in doc.get("matters", [])}
    common = {"catalog_name": doc.get("name", ""), "catalog_version": doc.get("version", "")}
    if code in matters:
        g = _matter(matters[code], departments)
        return GuideDoc(g.code, g.name, False, "", (g,), g.materials, **common)
    bundle = next((b for b in doc.get("bundles", []) if b.get("code") == code), None)
    if bundle is None:
        return None
    members = tuple(_matter(matters[c], departments) for c in bundle["matters"] if c in matters)
    merged = merge_requirements(
        [
            (
                g.code,
                [
                    Requirement(
                        r.type_code,
                        r.name,
                        r.necessity,
                        r.form,
                        r.source,
                        r.originals,
                        r.copies,
                        r.standard,
                    )
                    for r in g.materials
                ],
            )
            for g in members
        ]
    )
    materials = tuple(
        GuideMaterial(
            r.type_code, r.name, r.necessity, r.form, r.source, r.originals, r.copies, r.standard
        )
        for r in merged
    )
    return GuideDoc(
        str(bundle["code"]),
        str(bundle.get("name", "")),
        True,
        str(bundle.get("description") or ""),
        members,
        materials,
        **common,
    )


# --------------------------------------------------------------------------- wording shared with the HTML pages


def working_days(n: int) -> str:
    if n == 1:
        return _("1 working day")
    return _("{days} working days").format(days=n)


def promised_text(m: GuideMatter) -> str:
    if m.promised_limit_days:
        return working_days(m.promised_limit_days)
    return _("on the spot")


def legal_text(m: GuideMatter) -> str:
    return working_days(m.legal_limit_days) if m.legal_limit_days else _("not set by law")


def audience_text(code: str) -> str:
    return {
        "person": _("natural persons"),
        "entity": _("legal persons"),
        "both": _("natural and legal persons"),
    }.get(code, code)


def matter_facts(m: GuideMatter, hall: Hall | None = None) -> list[tuple[str, str]]:
    """The labelled facts of a matter, in print order (plain text, not escaped)."""
    hall = hall or Hall()
    return [
        (_("Department"), m.department),
        (_("Kind"), m.kind),
        (_("Applicants"), audience_text(m.audience)),
        (_("Handling"), display(m.handling_type)),
        (_("Basic code"), m.basic_code),
        (_("Implementation code"), m.code),
        (_("Legal time limit"), legal_text(m)),
        (_("Promised time limit"), promised_text(m)),
        (_("Visits to the hall"), str(m.visits)),
        (_("Fee"), m.fee or _("free of charge")),
        (_("Result certificate"), m.certificate_type or DASH),
        (_("Place"), m.place or hall.address or hall.name),
        (_("Hours"), m.hours),
        (_("Consultation phone"), m.phone or hall.phone),
    ]


def material_row(r: GuideMaterial) -> list[str]:
    return [
        r.name,
        display(r.necessity),
        display(r.form),
        display(r.source),
        str(r.originals),
        str(r.copies),
        r.standard,
    ]


def material_header() -> list[str]:
    return [
        _("Material"),
        _("Necessity"),
        _("Form"),
        _("Source"),
        _("Originals (pcs)"),
        _("Photocopies (pcs)"),
        _("Acceptance standard"),
    ]


# --------------------------------------------------------------------------- PDF


def _page_decorator(
    left: str, right: str, footer: str, font: str
) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def decorate(canvas: Canvas, _template: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(NOTE_GREY)
        canvas.setStrokeColor(NOTE_GREY)
        top = PAGE_H - MARGIN_TOP + 8 * mm
        canvas.setFont(font, 9)
        right_w = stringWidth(right, font, 9)
        size: float = 9
        while size > 5.5 and stringWidth(left, font, size) > BODY_W - right_w - 6 * mm:
            size -= 0.5
        canvas.setFont(font, size)
        canvas.drawString(MARGIN_X, top, left)
        canvas.setFont(font, 9)
        canvas.drawRightString(PAGE_W - MARGIN_X, top, right)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 2.5 * mm, PAGE_W - MARGIN_X, top - 2.5 * mm)
        bottom = MARGIN_BOTTOM - 10 * mm
        canvas.line(MARGIN_X, bottom + 4 * mm, PAGE_W - MARGIN_X, bottom + 4 * mm)
        size = 8.0
        while size > 5.5 and stringWidth(footer, font, size) > BODY_W - 35 * mm:
            size -= 0.5
        canvas.setFont(font, size)
        canvas.drawString(MARGIN_X, bottom, footer)
        canvas.restoreState()

    return decorate


def _build(
    out: Path, title: str, subject: str, story: list[Flowable], hall: Hall, footer: str, font: str
) -> Path:
    return build_pdf(
        out,
        title=title,
        subject=subject,
        author=hall.name,
        story=story,
        decorate=_page_decorator(hall.name or "hallterm", title, footer, font),
        font=font,
    )


def _cells(values: Sequence[str], st: _Styles, center: Sequence[int] = ()) -> list[Flowable]:
    return [
        Paragraph(_esc(v) or DASH, st.cell_center if i in center else st.cell)
        for i, v in enumerate(values)
    ]


def _materials_table(materials: Sequence[GuideMaterial], st: _Styles) -> list[Flowable]:
    if not materials:
        return [Paragraph(_("No materials are required."), st.body)]
    rows = [
        [Paragraph(str(i), st.cell_center), *_cells(material_row(r), st, center=(1, 2, 3, 4, 5))]
        for i, r in enumerate(materials, 1)
    ]
    widths = [9 * mm, 40 * mm, 16 * mm, 20 * mm, 22 * mm, 12 * mm, 12 * mm]
    widths.append(BODY_W - sum(widths))
    return [_grid_table([_("No."), *material_header()], rows, widths, st)]


def _text_block(text: str, st: _Styles) -> Paragraph:
    return Paragraph(_esc(text) if text.strip() else DASH, st.body)


def _process(steps: Sequence[str], st: _Styles) -> list[Flowable]:
    if not steps:
        return [Paragraph(DASH, st.body)]
    return [Paragraph(f"{i}. {_esc(s)}", st.body) for i, s in enumerate(steps, 1)]


def _kv(pairs: Sequence[tuple[str, str]], st: _Styles) -> Flowable:
    return _kv_table([(_esc(k), _esc(v) or DASH) for k, v in pairs], st)


def _matter_story(m: GuideMatter, st: _Styles, hall: Hall, *, materials: bool) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(_("Basic information"), st.heading),
        _kv(matter_facts(m, hall), st),
        Paragraph(_("Conditions"), st.heading),
        _text_block(m.conditions, st),
    ]
    if materials:
        story += [Paragraph(_("Materials"), st.heading), *_materials_table(m.materials, st)]
    story += [
        Paragraph(_("Process"), st.heading),
        *_process(m.process, st),
        Paragraph(_("Legal basis"), st.heading),
        _text_block(m.legal_basis, st),
    ]
    return story


def _footer(guide: GuideDoc, hall: Hall) -> str:
    parts = []
    if guide.catalog_version:
        parts.append(_("Catalog version {version}").format(version=guide.catalog_version))
    if hall.printed_at:
        parts.append(_("Printed: {time}").format(time=fmt_datetime(hall.printed_at)))
    if hall.phone:
        parts.append(_("Tel: {phone}").format(phone=hall.phone))
    return "  ".join(parts)


def render_guide(
    guide: GuideDoc,
    out: Path,
    *,
    hall: Hall | None = None,
    font_path: str | os.PathLike[str] | None = None,
) -> Path:
    """办事指南 of a matter or a bundle as an A4 PDF at ``out``."""
    hall = hall or Hall()
    st = _styles(register_cjk_font(font_path))
    title = _("Service Guide")
    story: list[Flowable] = [
        Paragraph(_esc(guide.name), st.title),
        Paragraph(title, st.cell_center),
        Spacer(1, 4 * mm),
    ]
    if not guide.is_bundle:
        story += _matter_story(guide.matters[0], st, hall, materials=True)
    else:
        story += [
            Paragraph(_("About this bundle"), st.heading),
            _text_block(guide.description, st),
            Paragraph(_("Matters handled together"), st.heading),
        ]
        rows = [
            [
                Paragraph(str(i), st.cell_center),
                *_cells([m.name, m.department, promised_text(m)], st, center=(2,)),
            ]
            for i, m in enumerate(guide.matters, 1)
        ]
        widths = [9 * mm, BODY_W - 9 * mm - 55 * mm - 28 * mm, 55 * mm, 28 * mm]
        story.append(
            _grid_table(
                [_("No."), _("Matter"), _("Department"), _("Promised time limit")],
                rows,
                widths,
                st,
            )
        )
        story += [
            Paragraph(_("Materials (shared documents listed once)"), st.heading),
            *_materials_table(guide.materials, st),
        ]
        for m in guide.matters:
            story += [Spacer(1, 4 * mm), Paragraph(_esc(m.name), st.heading)]
            story += _matter_story(m, st, hall, materials=False)
    story += [
        Spacer(1, 4 * mm),
        Paragraph(
            _(
                "This guide is issued from the published matter catalog. Bring the materials "
                "listed; you will be told everything missing at once."
            ),
            st.small,
        ),
    ]
    return _build(out, title, guide.code, story, hall, _footer(guide, hall), st.font)


# --------------------------------------------------------------------------- interaction receipt


@dataclass(frozen=True)
class InteractionCopy:
    """What the applicant's copy of an interaction item shows (labels already translated)."""

    number: str
    kind: str
    channel: str
    subject: str
    matter: str
    content: str
    contact_name: str
    contact_phone: str
    taken_at: datetime  # local time
    taken_by: str
    reply_due: date
    reply: str = ""
    replied_by: str = ""
    replied_at: datetime | None = None  # local time


def render_interaction_copy(
    item: InteractionCopy,
    out: Path,
    *,
    hall: Hall | None = None,
    font_path: str | os.PathLike[str] | None = None,
) -> Path:
    """The applicant's copy (回执) of a consultation, complaint or correction suggestion."""
    hall = hall or Hall()
    st = _styles(register_cjk_font(font_path))
    title = _("Receipt: {kind}").format(kind=item.kind)
    pairs = [
        (_("Number"), item.number),
        (_("Kind"), item.kind),
        (_("Channel"), item.channel),
        (_("Subject"), item.subject),
        (_("Matter"), item.matter),
        (_("Contact"), " ".join(p for p in (item.contact_name, item.contact_phone) if p)),
        (_("Taken at"), fmt_datetime(item.taken_at)),
        (_("Taken by"), item.taken_by),
        (_("Reply due by"), fmt_date(item.reply_due)),
    ]
    story: list[Flowable] = [
        Paragraph(_esc(title), st.title),
        _kv(pairs, st),
        Paragraph(_("What you told us"), st.heading),
        _text_block(item.content, st),
        Paragraph(_("Reply"), st.heading),
    ]
    if item.replied_at is not None:
        story += [
            _text_block(item.reply, st),
            Paragraph(
                _("Replied by {who} at {time}").format(
                    who=_esc(item.replied_by), time=fmt_datetime(item.replied_at)
                ),
                st.small,
            ),
        ]
    else:
        story.append(
            Paragraph(
                _(
                    "We will reply by {date}. Quote the number {number} when you ask about it."
                ).format(date=fmt_date(item.reply_due), number=_esc(item.number)),
                st.body,
            )
        )
    footer = "  ".join(
        p
        for p in (
            hall.name,
            _("Tel: {phone}").format(phone=hall.phone) if hall.phone else "",
            _("Printed: {time}").format(time=fmt_datetime(hall.printed_at))
            if hall.printed_at
            else "",
        )
        if p
    )
    return _build(out, title, item.number, story, hall, footer, st.font)
