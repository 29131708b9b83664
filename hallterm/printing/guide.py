"""The service guide (办事指南) as an A4 PDF with the embedded CJK font: conditions, materials
(columns sized to their content), process, legal basis, fees, time limits, place and hours,
the consultation phone and the supervision and complaint channel.

The guide's data and shared wording live in ``printing.guide_data`` (re-exported here, as is
the interaction receipt of ``printing.interaction_copy``, so ``printing.guide`` stays the one
import for handouts).  All user and catalog text is escaped before it reaches Paragraph
markup.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from hallterm.domain.guide import GuideDoc, GuideMaterial, GuideMatter
from hallterm.i18n import _
from hallterm.printing.columns import content_widths
from hallterm.printing.documents.blocks import grid_table
from hallterm.printing.documents.page import BODY_W, DASH, Styles, esc, fmt_datetime, styles
from hallterm.printing.fonts import register_cjk_font
from hallterm.printing.guide_data import (
    Hall,
    audience_text,
    complaint_text,
    guide_from_catalog,
    legal_text,
    material_header,
    material_row,
    matter_facts,
    promised_text,
    working_days,
)
from hallterm.printing.handout import build_handout, kv, text_block
from hallterm.printing.interaction_copy import InteractionCopy, render_interaction_copy

__all__ = [
    "GuideDoc",
    "GuideMaterial",
    "GuideMatter",
    "Hall",
    "InteractionCopy",
    "audience_text",
    "complaint_text",
    "guide_from_catalog",
    "legal_text",
    "material_header",
    "material_row",
    "matter_facts",
    "promised_text",
    "render_guide",
    "render_interaction_copy",
    "working_days",
]


def _cells(values: Sequence[str], st: Styles, center: Sequence[int] = ()) -> list[Flowable]:
    return [
        Paragraph(esc(v) or DASH, st.cell_center if i in center else st.cell)
        for i, v in enumerate(values)
    ]


def _materials_table(materials: Sequence[GuideMaterial], st: Styles) -> list[Flowable]:
    if not materials:
        return [Paragraph(_("No materials are required."), st.body)]
    texts = [[str(i), *material_row(r)] for i, r in enumerate(materials, 1)]
    header = [_("No."), *material_header()]
    rows = [
        [Paragraph(t[0], st.cell_center), *_cells(t[1:], st, center=(1, 2, 3, 4, 5))] for t in texts
    ]
    # Columns sized by content: counts and short codes stay narrow, the standard gets room.
    columns = [[header[c], *(t[c] or DASH for t in texts)] for c in range(len(header))]
    grow = [1.0] * (len(header) - 1) + [1.5]  # at a tie, 受理标准 gets the room
    widths = content_widths(columns, BODY_W, st.font, st.cell.fontSize, grow=grow)
    return [grid_table(header, rows, widths, st)]


def _process(steps: Sequence[str], st: Styles) -> list[Flowable]:
    if not steps:
        return [Paragraph(DASH, st.body)]
    return [Paragraph(f"{i}. {esc(s)}", st.body) for i, s in enumerate(steps, 1)]


def _matter_story(m: GuideMatter, st: Styles, hall: Hall, *, materials: bool) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(_("Basic information"), st.heading),
        kv(matter_facts(m, hall), st),
        Paragraph(_("Conditions"), st.heading),
        text_block(m.conditions, st),
    ]
    if materials:
        story += [Paragraph(_("Materials"), st.heading), *_materials_table(m.materials, st)]
    story += [
        Paragraph(_("Process"), st.heading),
        *_process(m.process, st),
        Paragraph(_("Legal basis"), st.heading),
        text_block(m.legal_basis, st),
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
    st = styles(register_cjk_font(font_path))
    title = _("Service Guide")
    story: list[Flowable] = [
        Paragraph(esc(guide.name), st.title),
        Paragraph(title, st.cell_center),
        Spacer(1, 4 * mm),
    ]
    if not guide.is_bundle:
        story += _matter_story(guide.matters[0], st, hall, materials=True)
    else:
        story += [
            Paragraph(_("About this bundle"), st.heading),
            text_block(guide.description, st),
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
            grid_table(
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
            story += [Spacer(1, 4 * mm), Paragraph(esc(m.name), st.heading)]
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
    return build_handout(out, title, guide.code, story, hall, _footer(guide, hall), st.font)
