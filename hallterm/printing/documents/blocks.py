"""The blocks the case papers are made of: tables, the case block, and the parts every
Chinese government document has — title with its 文号, addressee line, and the 落款 (issuing
body, decision date, seal area), which is kept on one page with the paragraph before it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from hallterm.i18n import _
from hallterm.printing.documents.data import (
    CaseDocument,
    DeferredItem,
    Issuer,
    ReceivedItem,
)
from hallterm.printing.documents.page import (
    BODY_W,
    DASH,
    GRID,
    HEAD_BG,
    QR_SIZE,
    Styles,
    build_pdf,
    case_decorator,
    esc,
    fmt_date,
)
from hallterm.printing.qr import QRFlowable

FontPath = str | os.PathLike[str] | None  # the CJK font a paper embeds (None: found)


def style_table(table: Table, font: str, commands: list[tuple[Any, ...]]) -> Table:
    """Apply ``commands``; cells default to the embedded font (reportlab's is Helvetica)."""
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font), *commands]))
    return table


def grid_table(
    header: Sequence[str], rows: Sequence[Sequence[Flowable]], widths: Sequence[float], st: Styles
) -> Table:
    """A gridded table whose header row repeats on every page it spans."""
    data: list[list[Any]] = [[Paragraph(h, st.cell_head) for h in header], *map(list, rows)]
    # splitInRow lets a single huge cell (a very long reason) continue on the next page.
    table = Table(data, colWidths=list(widths), repeatRows=1, splitInRow=1)
    style_table(
        table,
        st.font,
        [
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ],
    )
    return table


def case_block(doc: CaseDocument, st: Styles, *, qr: bool) -> Table:
    """Case number and applicant as a labelled grid, with the case QR code beside it."""
    matters = "<br/>".join(
        f"{i}. {esc(m)}" if len(doc.matters) > 1 else esc(m) for i, m in enumerate(doc.matters, 1)
    )
    pairs: list[tuple[str, str]] = [
        (_("Case number"), esc(doc.case_number)),
        (_("Applicant"), esc(doc.applicant_name)),
        (_("ID number"), esc(doc.applicant_id_masked) or DASH),
        (_("Phone"), esc(doc.applicant_phone) or DASH),
    ]
    if doc.agent_name:
        agent = esc(doc.agent_name)
        if doc.agent_id_masked:
            agent += "  " + esc(doc.agent_id_masked)
        pairs.append((_("Agent"), agent))
    pairs += [
        (_("Matters"), matters or DASH),
    ]
    if doc.bundle_name:
        pairs.append((_("Bundle"), esc(doc.bundle_name)))
    info_w = BODY_W - (QR_SIZE + 10 * mm if qr else 0)
    info = label_table(pairs, st, label_w=28 * mm, width=info_w)
    if not qr:
        return info
    code = Table(
        [
            [QRFlowable(doc.case_number, QR_SIZE, error="m")],
            [Paragraph(esc(doc.case_number), st.caption)],
        ],
        colWidths=[QR_SIZE + 8 * mm],
    )
    style_table(
        code,
        st.font,
        [
            ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
        ],
    )
    outer = Table([[info, code]], colWidths=[info_w, BODY_W - info_w])
    style_table(
        outer,
        st.font,
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ],
    )
    return outer


def received_table(items: Sequence[ReceivedItem], st: Styles) -> list[Flowable]:
    if not items:
        return [Paragraph(_("None."), st.body)]
    rows = [
        [
            Paragraph(str(i), st.cell_center),
            Paragraph(esc(it.name), st.cell),
            Paragraph(esc(it.received_as) or DASH, st.cell_center),
            Paragraph(str(it.count), st.cell_center),
            Paragraph(_("Reused") if it.reused else "", st.cell_center),
        ]
        for i, it in enumerate(items, 1)
    ]
    widths = [12 * mm, BODY_W - 72 * mm, 24 * mm, 16 * mm, 20 * mm]
    head = [_("No."), _("Material"), _("Form"), _("Copies"), _("Note")]
    out: list[Flowable] = [grid_table(head, rows, widths, st)]
    if any(it.reused for it in items):
        out.append(
            Paragraph(
                _("“Reused”: taken from the materials already on file; not submitted again."),
                st.small,
            )
        )
    return out


def deferred_table(items: Sequence[DeferredItem], st: Styles) -> Table:
    rows = [
        [
            Paragraph(str(i), st.cell_center),
            Paragraph(esc(it.name), st.cell),
            Paragraph(fmt_date(it.until), st.cell_center),
        ]
        for i, it in enumerate(items, 1)
    ]
    widths = [12 * mm, BODY_W - 57 * mm, 45 * mm]
    head = [_("No."), _("Material"), _("To be supplied by")]
    return grid_table(head, rows, widths, st)


def label_table(
    pairs: Sequence[tuple[str, str]],
    st: Styles,
    *,
    label_w: float,
    width: float = BODY_W,
    padding: tuple[int, int] = (3, 4),
    row_heights: Sequence[float | None] | None = None,
) -> Table:
    """Labels (shaded) beside their values, ``width`` wide; ``padding`` is (top, bottom)."""
    table = Table(
        [[Paragraph(k, st.cell), Paragraph(v, st.cell)] for k, v in pairs],
        colWidths=[label_w, width - label_w],
        rowHeights=list(row_heights) if row_heights is not None else None,
    )
    style_table(
        table,
        st.font,
        [
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (0, -1), HEAD_BG),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), padding[0]),
            ("BOTTOMPADDING", (0, 0), (-1, -1), padding[1]),
        ],
    )
    return table


def kv_table(pairs: Sequence[tuple[str, str]], st: Styles) -> Table:
    return label_table(pairs, st, label_w=45 * mm)


def reason_box(text: str, st: Styles) -> Table:
    """A framed paragraph: the reason a paper gives (a refusal, a suspension), on any length."""
    box = Table([[Paragraph(esc(text), st.cell)]], colWidths=[BODY_W], splitInRow=1)
    style_table(
        box,
        st.font,
        [
            ("BOX", (0, 0), (-1, -1), 0.5, GRID),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ],
    )
    return box


def signature_lines(labels: Sequence[str], st: Styles) -> Table:
    """Labelled blank lines for a handwritten signature and date."""
    label_w = 60 * mm
    line_w = 70 * mm
    rows = [[Paragraph(lbl, st.body), ""] for lbl in labels]
    table = Table(
        rows, colWidths=[label_w, line_w], rowHeights=[12 * mm] * len(rows), hAlign="RIGHT"
    )
    style_table(
        table,
        st.font,
        [
            ("LINEBELOW", (1, 0), (1, -1), 0.6, GRID),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("ALIGN", (0, 0), (0, -1), "RIGHT"),
        ],
    )
    return table


def heading(text: str, st: Styles) -> Paragraph:
    return Paragraph(text, st.heading)


# --------------------------------------------------------------------------- official parts


def head(title: str, number: str, st: Styles) -> list[Flowable]:
    """The title and, under it, the document's 文号."""
    out: list[Flowable] = [Paragraph(title, st.title)]
    if number:
        out.append(Paragraph(esc(number), st.number))
    return out


def opening(title: str, doc: CaseDocument, kind: str, st: Styles) -> list[Flowable]:
    """The top of a paper to the applicant: title and 文号 (of paper ``kind``), the case block
    with its QR code, and the addressee line."""
    return [
        *head(title, doc.number(kind), st),
        case_block(doc, st, qr=True),
        Spacer(1, 4 * mm),
        addressee(doc, st),
    ]


def addressee(doc: CaseDocument, st: Styles) -> Paragraph:
    """The addressee line (主送): the applicant the paper is addressed to."""
    name = doc.addressee or doc.applicant_name
    return Paragraph(_("{name}:").format(name=esc(name)), st.body)


def para(text: str, st: Styles) -> Paragraph:
    """A body paragraph, first line indented by two characters (``text`` is markup-safe)."""
    return Paragraph(text, st.para)


def closing(
    issuer: Issuer,
    decided: date | None,
    st: Styles,
    last: Sequence[Flowable],
    *,
    seal: bool = True,
    signatures: Sequence[str] = (),
) -> Flowable:
    """The 落款, kept on one page with ``last`` (the final paragraph before it).

    Left: the clerk and window; right: the issuing body, the seal area and the decision date
    (the print date only for a paper that records no decision).
    """
    left = Paragraph(
        _("Handled by: {clerk}").format(clerk=esc(issuer.clerk_name))
        + "<br/>"
        + _("Window: {window}").format(window=esc(issuer.window)),
        st.body,
    )
    right_lines = [esc(issuer.station_name)]
    if seal:
        right_lines.append(_("(seal)"))
    right_lines.append(fmt_date(decided or issuer.printed_at.date()))
    right = Paragraph("<br/>".join(right_lines), st.right)
    table = Table([[left, right]], colWidths=[BODY_W / 2, BODY_W / 2])
    style_table(
        table,
        st.font,
        [
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ],
    )
    parts: list[Flowable] = [*last, Spacer(1, 6 * mm), table]
    if signatures:
        parts += [Spacer(1, 2 * mm), signature_lines(signatures, st)]
    return KeepTogether(parts)


def build_case_pdf(
    out: Path, title: str, story: list[Flowable], doc: CaseDocument, issuer: Issuer, font: str
) -> Path:
    """A case paper on numbered A4 pages with the case header and footer."""
    return build_pdf(
        out,
        title=title,
        subject=doc.case_number,
        author=issuer.station_name,
        story=story,
        decorate=case_decorator(issuer, doc.case_number, font),
        font=font,
    )
