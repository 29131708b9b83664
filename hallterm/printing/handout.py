"""The A4 page of the handouts (service guide, interaction receipt): the hall in the header,
the title on the right, one footer line; and the small blocks they share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

from hallterm.printing.documents.blocks import kv_table
from hallterm.printing.documents.page import (
    BODY_W,
    DASH,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    NOTE_GREY,
    PAGE_H,
    PAGE_W,
    Styles,
    build_pdf,
    esc,
    fit,
)
from hallterm.printing.guide_data import Hall


def _decorator(
    left: str, right: str, footer: str, font: str
) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def decorate(canvas: Canvas, _template: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(NOTE_GREY)
        canvas.setStrokeColor(NOTE_GREY)
        top = PAGE_H - MARGIN_TOP + 8 * mm
        canvas.setFont(font, 9)
        right_w = stringWidth(right, font, 9)
        canvas.setFont(font, fit(left, font, 9, BODY_W - right_w - 6 * mm))
        canvas.drawString(MARGIN_X, top, left)
        canvas.setFont(font, 9)
        canvas.drawRightString(PAGE_W - MARGIN_X, top, right)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 2.5 * mm, PAGE_W - MARGIN_X, top - 2.5 * mm)
        bottom = MARGIN_BOTTOM - 10 * mm
        canvas.line(MARGIN_X, bottom + 4 * mm, PAGE_W - MARGIN_X, bottom + 4 * mm)
        canvas.setFont(font, fit(footer, font, 8, BODY_W - 35 * mm))
        canvas.drawString(MARGIN_X, bottom, footer)
        canvas.restoreState()

    return decorate


def build_handout(
    out: Path, title: str, subject: str, story: list[Flowable], hall: Hall, footer: str, font: str
) -> Path:
    return build_pdf(
        out,
        title=title,
        subject=subject,
        author=hall.name,
        story=story,
        decorate=_decorator(hall.name or "hallterm", title, footer, font),
        font=font,
    )


def text_block(text: str, st: Styles) -> Paragraph:
    """Catalog or user text as a paragraph (a dash when empty)."""
    return Paragraph(esc(text) if text.strip() else DASH, st.body)


def kv(pairs: Sequence[tuple[str, str]], st: Styles) -> Flowable:
    """Labelled plain-text facts as a two-column grid."""
    return kv_table([(esc(k), esc(v) or DASH) for k, v in pairs], st)
