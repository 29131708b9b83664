"""The front-desk documents: receipt, one-time notice, refusal decision, deferral pledge.

Plain data in (the dataclasses below, filled by the db layer), an A4 PDF out, laid out with
reportlab platypus and the embedded CJK TrueType font.  Every label goes through gettext;
every piece of user data is escaped before it reaches Paragraph markup, so a name holding
``<b>`` or ``&`` prints literally.  Tables repeat their header row and flow onto further
pages, so a long list of missing items never gets cut off.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
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
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from hallterm.i18n import _
from hallterm.printing.fonts import register_cjk_font
from hallterm.printing.qr import QRFlowable
from hallterm.private_files import create_private

# --------------------------------------------------------------------------- input data


@dataclass(frozen=True)
class Issuer:
    """Who prints the document: station, window, clerk and when."""

    station_code: str
    station_name: str
    window: str
    clerk_name: str
    printed_at: datetime
    hall_address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ReceivedItem:
    name: str
    received_as: str
    count: int
    reused: bool = False


@dataclass(frozen=True)
class MissingItem:
    name: str
    reason: str
    standard: str = ""


@dataclass(frozen=True)
class DeferredItem:
    name: str
    until: date


@dataclass(frozen=True)
class CaseDocument:
    """Everything about one case that any of the four documents prints."""

    case_number: str
    applicant_name: str
    applicant_id_masked: str
    applicant_phone: str
    matters: tuple[str, ...]
    bundle_name: str | None
    received: tuple[ReceivedItem, ...] = ()
    missing: tuple[MissingItem, ...] = ()
    deferred: tuple[DeferredItem, ...] = ()
    registered_at: datetime | None = None
    accepted_at: datetime | None = None
    due_date: date | None = None
    promised_days: int | None = None
    calendar_note: str | None = None
    refusal_reason: str | None = None
    legal_basis: str = ""


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
class _Styles:
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


def _styles(font: str) -> _Styles:
    # wordWrap="CJK" breaks between Chinese characters yet keeps Latin words whole.
    body = ParagraphStyle(
        "body", fontName=font, fontSize=10.5, leading=15, wordWrap="CJK", spaceAfter=3
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=10, leading=14, spaceAfter=0)
    small = ParagraphStyle(
        "small", parent=body, fontSize=8.5, leading=12, textColor=NOTE_GREY, spaceBefore=3
    )
    return _Styles(
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
    )


# --------------------------------------------------------------------------- text helpers


def _esc(value: object) -> str:
    """User data as Paragraph-safe text: markup characters escaped, line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


def fmt_date(d: date) -> str:
    return _("{year}-{month:02d}-{day:02d}").format(year=d.year, month=d.month, day=d.day)


def fmt_datetime(t: datetime) -> str:
    return _("{year}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}").format(
        year=t.year, month=t.month, day=t.day, hour=t.hour, minute=t.minute
    )


def _working_days(n: int) -> str:
    if n == 1:
        return _("1 working day")
    return _("{days} working days").format(days=n)


# --------------------------------------------------------------------------- flowable builders


def _style(table: Table, font: str, commands: list[tuple[Any, ...]]) -> Table:
    """Apply ``commands``; cells default to the embedded font (reportlab's is Helvetica)."""
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font), *commands]))
    return table


def _grid_table(
    header: Sequence[str], rows: Sequence[Sequence[Flowable]], widths: Sequence[float], st: _Styles
) -> Table:
    """A gridded table whose header row repeats on every page it spans."""
    data: list[list[Any]] = [[Paragraph(h, st.cell_head) for h in header], *map(list, rows)]
    # splitInRow lets a single huge cell (a very long reason) continue on the next page.
    table = Table(data, colWidths=list(widths), repeatRows=1, splitInRow=1)
    _style(
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


def _case_block(doc: CaseDocument, st: _Styles, *, qr: bool) -> Table:
    """Case number and applicant as a labelled grid, with the case QR code beside it."""
    matters = "<br/>".join(
        f"{i}. {_esc(m)}" if len(doc.matters) > 1 else _esc(m) for i, m in enumerate(doc.matters, 1)
    )
    pairs: list[tuple[str, str]] = [
        (_("Case number"), _esc(doc.case_number)),
        (_("Applicant"), _esc(doc.applicant_name)),
        (_("ID number"), _esc(doc.applicant_id_masked) or DASH),
        (_("Phone"), _esc(doc.applicant_phone) or DASH),
        (_("Matters"), matters or DASH),
    ]
    if doc.bundle_name:
        pairs.append((_("Bundle"), _esc(doc.bundle_name)))
    label_w = 28 * mm
    info_w = BODY_W - (QR_SIZE + 10 * mm if qr else 0)
    info = Table(
        [[Paragraph(k, st.cell), Paragraph(v, st.cell)] for k, v in pairs],
        colWidths=[label_w, info_w - label_w],
    )
    _style(
        info,
        st.font,
        [
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (0, -1), HEAD_BG),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ],
    )
    if not qr:
        return info
    code = Table(
        [
            [QRFlowable(doc.case_number, QR_SIZE, error="m")],
            [Paragraph(_esc(doc.case_number), st.caption)],
        ],
        colWidths=[QR_SIZE + 8 * mm],
    )
    _style(
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
    _style(
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


def _received_table(items: Sequence[ReceivedItem], st: _Styles) -> list[Flowable]:
    if not items:
        return [Paragraph(_("None."), st.body)]
    rows = [
        [
            Paragraph(str(i), st.cell_center),
            Paragraph(_esc(it.name), st.cell),
            Paragraph(_esc(it.received_as) or DASH, st.cell_center),
            Paragraph(str(it.count), st.cell_center),
            Paragraph(_("Reused") if it.reused else "", st.cell_center),
        ]
        for i, it in enumerate(items, 1)
    ]
    widths = [12 * mm, BODY_W - 72 * mm, 24 * mm, 16 * mm, 20 * mm]
    head = [_("No."), _("Material"), _("Form"), _("Copies"), _("Note")]
    out: list[Flowable] = [_grid_table(head, rows, widths, st)]
    if any(it.reused for it in items):
        out.append(
            Paragraph(
                _("“Reused”: taken from the materials already on file; not submitted again."),
                st.small,
            )
        )
    return out


def _deferred_table(items: Sequence[DeferredItem], st: _Styles) -> Table:
    rows = [
        [
            Paragraph(str(i), st.cell_center),
            Paragraph(_esc(it.name), st.cell),
            Paragraph(fmt_date(it.until), st.cell_center),
        ]
        for i, it in enumerate(items, 1)
    ]
    widths = [12 * mm, BODY_W - 57 * mm, 45 * mm]
    head = [_("No."), _("Material"), _("To be supplied by")]
    return _grid_table(head, rows, widths, st)


def _kv_table(pairs: Sequence[tuple[str, str]], st: _Styles) -> Table:
    label_w = 45 * mm
    table = Table(
        [[Paragraph(k, st.cell), Paragraph(v, st.cell)] for k, v in pairs],
        colWidths=[label_w, BODY_W - label_w],
    )
    _style(
        table,
        st.font,
        [
            ("GRID", (0, 0), (-1, -1), 0.5, GRID),
            ("BACKGROUND", (0, 0), (0, -1), HEAD_BG),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ],
    )
    return table


def _issuer_block(
    issuer: Issuer, st: _Styles, *, seal: bool = True, signatures: Sequence[str] = ()
) -> Flowable:
    """Clerk and window on the left, the station (seal) and date on the right.

    ``signatures`` adds labelled blank lines for the applicant; all of it stays on one page.
    """
    left = Paragraph(
        _("Clerk: {clerk}").format(clerk=_esc(issuer.clerk_name))
        + "<br/>"
        + _("Window: {window}").format(window=_esc(issuer.window)),
        st.body,
    )
    right_lines = [_esc(issuer.station_name)]
    if seal:
        right_lines.append(_("(seal)"))
    right_lines.append(fmt_date(issuer.printed_at.date()))
    right = Paragraph("<br/>".join(right_lines), st.right)
    table = Table([[left, right]], colWidths=[BODY_W / 2, BODY_W / 2])
    _style(
        table,
        st.font,
        [
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ],
    )
    parts: list[Flowable] = [Spacer(1, 6 * mm), table]
    if signatures:
        parts += [Spacer(1, 2 * mm), _signature_lines(signatures, st)]
    return KeepTogether(parts)


def _signature_lines(labels: Sequence[str], st: _Styles) -> Table:
    """Labelled blank lines for a handwritten signature and date."""
    label_w = 60 * mm
    line_w = 70 * mm
    rows = [[Paragraph(lbl, st.body), ""] for lbl in labels]
    table = Table(
        rows, colWidths=[label_w, line_w], rowHeights=[12 * mm] * len(rows), hAlign="RIGHT"
    )
    _style(
        table,
        st.font,
        [
            ("LINEBELOW", (1, 0), (1, -1), 0.6, GRID),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("ALIGN", (0, 0), (0, -1), "RIGHT"),
        ],
    )
    return table


def _heading(text: str, st: _Styles) -> Paragraph:
    return Paragraph(text, st.heading)


# --------------------------------------------------------------------------- page furniture


def _fit(text: str, font: str, size: float, width: float, min_size: float = 5.5) -> float:
    """The largest font size ≤ ``size`` at which ``text`` fits ``width``."""
    while size > min_size and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _page_decorator(
    issuer: Issuer, doc: CaseDocument, font: str
) -> Callable[[Canvas, SimpleDocTemplate], None]:
    """Header (station, case number) and footer (station, window, clerk, printed time)."""
    header_left = issuer.station_name
    header_right = _("Case number: {number}").format(number=doc.case_number)
    line1 = issuer.station_name + (f" ({issuer.station_code})" if issuer.station_code else "")
    if issuer.hall_address:
        line1 += "  " + _("Address: {address}").format(address=issuer.hall_address)
    if issuer.phone:
        line1 += "  " + _("Tel: {phone}").format(phone=issuer.phone)
    line2 = "  ".join(
        (
            _("Window: {window}").format(window=issuer.window),
            _("Clerk: {clerk}").format(clerk=issuer.clerk_name),
            _("Printed: {time}").format(time=fmt_datetime(issuer.printed_at)),
        )
    )

    def decorate(canvas: Canvas, _template: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(NOTE_GREY)
        canvas.setStrokeColor(NOTE_GREY)
        top = PAGE_H - MARGIN_TOP + 8 * mm
        right_w = stringWidth(header_right, font, 9)
        canvas.setFont(font, _fit(header_left, font, 9, BODY_W - right_w - 6 * mm))
        canvas.drawString(MARGIN_X, top, header_left)
        canvas.setFont(font, 9)
        canvas.drawRightString(PAGE_W - MARGIN_X, top, header_right)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 2.5 * mm, PAGE_W - MARGIN_X, top - 2.5 * mm)
        bottom = MARGIN_BOTTOM - 10 * mm
        canvas.line(MARGIN_X, bottom + 7 * mm, PAGE_W - MARGIN_X, bottom + 7 * mm)
        canvas.setFont(font, _fit(line1, font, 8, BODY_W))
        canvas.drawString(MARGIN_X, bottom + 3.5 * mm, line1)
        canvas.setFont(font, _fit(line2, font, 8, BODY_W - 35 * mm))
        canvas.drawString(MARGIN_X, bottom, line2)
        canvas.restoreState()

    return decorate


def _numbered_canvas(font: str) -> type[Canvas]:
    """A canvas that writes "page n of m" once the page count is known."""

    class NumberedCanvas(Canvas):
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
                text = _("Page {page} of {pages}").format(page=self._pageNumber, pages=total)
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


def _build(
    out: Path,
    title: str,
    story: list[Flowable],
    doc: CaseDocument,
    issuer: Issuer,
    font: str,
) -> Path:
    return build_pdf(
        out,
        title=title,
        subject=doc.case_number,
        author=issuer.station_name,
        story=story,
        decorate=_page_decorator(issuer, doc, font),
        font=font,
    )


def _start(font_path: str | os.PathLike[str] | None) -> _Styles:
    return _styles(register_cjk_font(font_path))


# --------------------------------------------------------------------------- the documents


def render_receipt(
    doc: CaseDocument,
    issuer: Issuer,
    out: Path,
    *,
    font_path: str | os.PathLike[str] | None = None,
) -> Path:
    """受理通知书: the application is accepted; what was received, and when it will be done."""
    st = _start(font_path)
    title = _("Acceptance Notice")
    story: list[Flowable] = [
        Paragraph(title, st.title),
        _case_block(doc, st, qr=True),
        Spacer(1, 4 * mm),
        Paragraph(
            _(
                "After examination, the materials you submitted for the matters above are "
                "complete and in the statutory form. Your application is accepted."
            ),
            st.body,
        ),
    ]
    if doc.deferred:
        story.append(
            Paragraph(
                _(
                    "Some materials are accepted as deferred; please supply them by the dates "
                    "below."
                ),
                st.body,
            )
        )
    story += [_heading(_("Materials received"), st), *_received_table(doc.received, st)]
    if doc.deferred:
        story += [
            _heading(_("Materials to be supplied later"), st),
            _deferred_table(doc.deferred, st),
        ]
    timing = [
        (
            _("Accepted at"),
            fmt_datetime(doc.accepted_at) if doc.accepted_at else DASH,
        ),
        (
            _("Promised time limit"),
            _working_days(doc.promised_days) if doc.promised_days is not None else DASH,
        ),
        (
            _("Promised completion date"),
            fmt_date(doc.due_date) if doc.due_date else DASH,
        ),
    ]
    story += [_heading(_("Time limit"), st), _kv_table(timing, st)]
    if doc.calendar_note:
        story.append(Paragraph(_esc(doc.calendar_note), st.small))
    story += [
        Spacer(1, 3 * mm),
        Paragraph(
            _(
                "Please keep this notice. Quote the case number {number} or show the QR code "
                "when you ask about progress or collect the result."
            ).format(number=_esc(doc.case_number)),
            st.body,
        ),
        _issuer_block(issuer, st),
    ]
    return _build(out, title, story, doc, issuer, st.font)


def render_notice(
    doc: CaseDocument,
    issuer: Issuer,
    out: Path,
    *,
    font_path: str | os.PathLike[str] | None = None,
) -> Path:
    """一次性告知书 (Administrative Licensing Law art. 32): everything missing, told at once."""
    st = _start(font_path)
    title = _("One-Time Notice of Materials to Supplement")
    story: list[Flowable] = [
        Paragraph(title, st.title),
        _case_block(doc, st, qr=True),
        Spacer(1, 4 * mm),
        Paragraph(
            _(
                "Under Article 32 of the Administrative Licensing Law of the People's Republic "
                "of China, you are hereby told, all at once, everything that must be supplied or "
                "corrected: the materials for the application above are incomplete or not in "
                "the statutory form, as listed below."
            ),
            st.body,
        ),
        _heading(_("Materials to supply or correct"), st),
    ]
    rows = [
        [
            Paragraph(str(i), st.cell_center),
            Paragraph(_esc(it.name), st.cell),
            Paragraph(_esc(it.reason), st.cell),
            Paragraph(_esc(it.standard) or DASH, st.cell),
        ]
        for i, it in enumerate(doc.missing, 1)
    ]
    if rows:
        widths = [12 * mm, 48 * mm, 55 * mm, BODY_W - 115 * mm]
        head = [_("No."), _("Material"), _("Problem"), _("Acceptance standard")]
        story.append(_grid_table(head, rows, widths, st))
    else:
        story.append(Paragraph(_("None."), st.body))
    story += [
        _heading(_("Materials already received"), st),
        Paragraph(
            _(
                "The following materials have been received and are kept with the case; you "
                "need not bring them again."
            ),
            st.body,
        ),
        *_received_table(doc.received, st),
        Spacer(1, 3 * mm),
        Paragraph(
            _(
                "Please bring the items above, with this notice, back to the window and quote "
                "case number {number}. Nothing beyond what this notice lists will be asked of "
                "you for this application."
            ).format(number=_esc(doc.case_number)),
            st.body,
        ),
        _issuer_block(issuer, st, signatures=[_("Applicant (signature):"), _("Date:")]),
    ]
    return _build(out, title, story, doc, issuer, st.font)


def render_refusal(
    doc: CaseDocument,
    issuer: Issuer,
    out: Path,
    *,
    font_path: str | os.PathLike[str] | None = None,
) -> Path:
    """不予受理决定书: the reason, the legal basis and the applicant's remedies."""
    st = _start(font_path)
    title = _("Decision Not to Accept an Application")
    if doc.registered_at:
        opening = _(
            "On {date} you applied for the matters above. After examination, it is decided "
            "not to accept the application, for the following reason:"
        ).format(date=fmt_date(doc.registered_at.date()))
    else:
        opening = _(
            "After examination of your application for the matters above, it is decided not "
            "to accept it, for the following reason:"
        )
    reason = Table(
        [[Paragraph(_esc(doc.refusal_reason or DASH), st.cell)]],
        colWidths=[BODY_W],
        splitInRow=1,
    )
    _style(
        reason,
        st.font,
        [
            ("BOX", (0, 0), (-1, -1), 0.5, GRID),
            ("TOPPADDING", (0, 0), (-1, -1), 6),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ],
    )
    story: list[Flowable] = [
        Paragraph(title, st.title),
        _case_block(doc, st, qr=True),
        Spacer(1, 4 * mm),
        Paragraph(opening, st.body),
        reason,
        Spacer(1, 2 * mm),
    ]
    if doc.legal_basis:
        story += [
            _heading(_("Legal basis"), st),
            Paragraph(_esc(doc.legal_basis), st.body),
        ]
    story += [
        _heading(_("Your rights"), st),
        Paragraph(
            _(
                "If you disagree with this decision, you may apply for administrative "
                "reconsideration within 60 days of receiving it, or bring an administrative "
                "lawsuit before a people's court within 6 months, in accordance with the law."
            ),
            st.body,
        ),
        _issuer_block(issuer, st),
    ]
    return _build(out, title, story, doc, issuer, st.font)


def render_deferral_pledge(
    doc: CaseDocument,
    issuer: Issuer,
    out: Path,
    *,
    font_path: str | os.PathLike[str] | None = None,
) -> Path:
    """容缺受理承诺书: the applicant pledges to supply the deferred materials by their dates."""
    st = _start(font_path)
    title = _("Pledge for Acceptance with Deferred Materials")
    story: list[Flowable] = [
        Paragraph(title, st.title),
        _case_block(doc, st, qr=True),
        _heading(_("Materials to be supplied later"), st),
    ]
    if doc.deferred:
        story.append(_deferred_table(doc.deferred, st))
    else:
        story.append(Paragraph(_("None."), st.body))
    story += [
        _heading(_("Pledge"), st),
        Paragraph(
            _(
                "I (my organisation) apply of my own will for acceptance with the materials "
                "above deferred, and pledge:"
            ),
            st.body,
        ),
        Paragraph(_("1. to supply each material listed above by its date;"), st.body),
        Paragraph(
            _(
                "2. that all materials submitted and still to be supplied are true, lawful and valid;"
            ),
            st.body,
        ),
        Paragraph(
            _(
                "3. that if I fail to supply them in time, or they do not meet the requirements, "
                "the application may be terminated and I bear the consequences."
            ),
            st.body,
        ),
        KeepTogether(
            [
                Spacer(1, 4 * mm),
                _signature_lines([_("Applicant (signature or seal):"), _("Date:")], st),
            ]
        ),
        _issuer_block(issuer, st, seal=False),
    ]
    return _build(out, title, story, doc, issuer, st.font)
