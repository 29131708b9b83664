"""The A4 page of every paper hallterm prints: margins, styles, header, footer, page numbers.

``build_pdf`` lays a platypus story out on A4 pages in the embedded CJK TrueType font and
numbers them "page n of m"; ``case_decorator`` draws the header (station, case number) and
footer (station, address, phone, window, clerk, print time) of the case papers.  Every
piece of user data goes through ``esc`` before it reaches Paragraph markup, so a name
holding ``<b>`` or ``&`` prints literally.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from hallterm.i18n import _
from hallterm.printing.documents.data import Issuer
from hallterm.printing.fonts import register_cjk_font
from hallterm.private_files import create_private

# --------------------------------------------------------------------------- layout constants

PAGE_W, PAGE_H = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 22 * mm
# platypus frames pad their content by 6 pt; the margins given to the template allow for it,
# so text and tables line up with the header and footer rules at MARGIN_X.
FRAME_PAD = 6
BODY_W = PAGE_W - 2 * MARGIN_X
QR_SIZE = 30 * mm
GRID = colors.black
HEAD_BG = colors.Color(0.9, 0.9, 0.9)
NOTE_GREY = colors.Color(0.3, 0.3, 0.3)
DASH = "—"


@dataclass(frozen=True)
class Styles:
    font: str
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    cell_center: ParagraphStyle
    small: ParagraphStyle
    caption: ParagraphStyle
    right: ParagraphStyle
    number: ParagraphStyle
    para: ParagraphStyle


def styles(font: str) -> Styles:
    # wordWrap="CJK" breaks between Chinese characters yet keeps Latin words whole.
    body = ParagraphStyle(
        "body", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK", spaceAfter=3
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=10, leading=14, spaceAfter=0)
    small = ParagraphStyle(
        "small", parent=body, fontSize=8.5, leading=12, textColor=NOTE_GREY, spaceBefore=3
    )
    return Styles(
        font=font,
        title=ParagraphStyle(
            "title", parent=body, fontSize=20, leading=26, alignment=TA_CENTER, spaceAfter=8
        ),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontSize=12,
            leading=16,
            spaceBefore=6,
            spaceAfter=3,
            keepWithNext=1,
        ),
        body=body,
        cell=cell,
        cell_head=ParagraphStyle("cell_head", parent=cell, alignment=TA_CENTER),
        cell_center=ParagraphStyle("cell_center", parent=cell, alignment=TA_CENTER),
        small=small,
        caption=ParagraphStyle(
            "caption", parent=small, fontSize=7.5, leading=10, alignment=TA_CENTER, spaceBefore=0
        ),
        right=ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        # The 文号 under the title, and body paragraphs indented by two characters.
        number=ParagraphStyle("number", parent=body, alignment=TA_CENTER, spaceAfter=6),
        para=ParagraphStyle("para", parent=body, firstLineIndent=2 * body.fontSize),
    )


# --------------------------------------------------------------------------- text helpers


def esc(value: object) -> str:
    """User data as Paragraph-safe text: markup characters escaped, line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


def fmt_date(d: date) -> str:
    return _("{year}-{month:02d}-{day:02d}").format(year=d.year, month=d.month, day=d.day)


def fmt_datetime(t: datetime) -> str:
    return _("{year}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}").format(
        year=t.year, month=t.month, day=t.day, hour=t.hour, minute=t.minute
    )


def working_days(n: int) -> str:
    if n == 1:
        return _("1 working day")
    return _("{days} working days").format(days=n)


# --------------------------------------------------------------------------- page furniture


def fit(text: str, font: str, size: float, width: float, min_size: float = 5.5) -> float:
    """The largest font size ≤ ``size`` at which ``text`` fits ``width``."""
    while size > min_size and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def case_decorator(
    issuer: Issuer, case_number: str, font: str
) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Header (station, case number) and footer (station, window, clerk, printed time)."""
    header_left = issuer.station_name
    header_right = _("Case number: {number}").format(number=case_number)
    line1 = issuer.station_name + (f" ({issuer.station_code})" if issuer.station_code else "")
    if issuer.hall_address:
        line1 += "  " + _("Address: {address}").format(address=issuer.hall_address)
    if issuer.phone:
        line1 += "  " + _("Tel: {phone}").format(phone=issuer.phone)
    line2 = "  ".join(
        (
            _("Window: {window}").format(window=issuer.window),
            _("Handled by: {clerk}").format(clerk=issuer.clerk_name),
            _("Printed: {time}").format(time=fmt_datetime(issuer.printed_at)),
        )
    )

    def decorate(canvas: Canvas, _template: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(NOTE_GREY)
        canvas.setStrokeColor(NOTE_GREY)
        top = PAGE_H - MARGIN_TOP + 8 * mm
        right_w = stringWidth(header_right, font, 9)
        canvas.setFont(font, fit(header_left, font, 9, BODY_W - right_w - 6 * mm))
        canvas.drawString(MARGIN_X, top, header_left)
        canvas.setFont(font, 9)
        canvas.drawRightString(PAGE_W - MARGIN_X, top, header_right)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 2.5 * mm, PAGE_W - MARGIN_X, top - 2.5 * mm)
        bottom = MARGIN_BOTTOM - 10 * mm
        canvas.line(MARGIN_X, bottom + 7 * mm, PAGE_W - MARGIN_X, bottom + 7 * mm)
        canvas.setFont(font, fit(line1, font, 8, BODY_W))
        canvas.drawString(MARGIN_X, bottom + 3.5 * mm, line1)
        canvas.setFont(font, fit(line2, font, 8, BODY_W - 35 * mm))
        canvas.drawString(MARGIN_X, bottom, line2)
        canvas.restoreState()

    return decorate


def _numbered_canvas(font: str) -> type[Canvas]:
    """A canvas that writes "page n of m" once the page count is known."""

    class NumberedCanvas(Canvas):
        # reportlab's own (private) method, which its type stubs leave out.
        _startPage: Callable[[], None]

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's method name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                text = _("Page {page} of {pages}").format(page=self.getPageNumber(), pages=total)
                self.saveState()
                self.setFont(font, 8)
                self.setFillColor(NOTE_GREY)
                self.drawRightString(PAGE_W - MARGIN_X, MARGIN_BOTTOM - 10 * mm, text)
                self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas


def build_pdf(
    out: Path,
    *,
    title: str,
    subject: str,
    author: str,
    story: list[Flowable],
    decorate: Callable[[Canvas, Any], None],
    font: str,
) -> Path:
    """Lay ``story`` out on A4 pages decorated by ``decorate``, numbered "page n of m"."""
    out = create_private(out)  # 0600 before reportlab writes into it
    template = SimpleDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=MARGIN_X - FRAME_PAD,
        rightMargin=MARGIN_X - FRAME_PAD,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{title} {subject}",
        author=author,
        subject=subject,
        creator="hallterm",
        # Start every page in the embedded font: no unembedded Helvetica is referenced.
        initialFontName=font,
    )
    template.build(
        story, onFirstPage=decorate, onLaterPages=decorate, canvasmaker=_numbered_canvas(font)
    )
    return out


def start(font_path: str | os.PathLike[str] | None) -> Styles:
    return styles(register_cjk_font(font_path))
